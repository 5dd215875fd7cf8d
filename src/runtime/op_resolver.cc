#include "runtime/op_resolver.h"

#include "schema/schema_generated.h"

namespace ember {

const OpRegistration* OpResolver::FindBuiltin(int32_t code) const {
  auto it = builtins_.find(code);
  return it == builtins_.end() ? nullptr : it->second;
}

const OpRegistration* OpResolver::FindCustom(const char* name) const {
  auto it = customs_.find(name);
  return it == customs_.end() ? nullptr : it->second;
}

void OpResolver::AddBuiltin(const OpRegistration* reg) {
  builtins_[reg->builtin_code] = reg;
}

void OpResolver::AddCustom(const char* name, const OpRegistration* reg) {
  customs_[name] = reg;
}

void OpResolver::AddAll(const OpResolver& other) {
  for (auto& [code, reg] : other.builtins_) builtins_[code] = reg;
  for (auto& [name, reg] : other.customs_) customs_[name] = reg;
}

std::vector<const OpRegistration*> OpResolver::All() const {
  std::vector<const OpRegistration*> all;
  for (auto& [code, reg] : builtins_) all.push_back(reg);
  for (auto& [name, reg] : customs_) all.push_back(reg);
  return all;
}

const char* BuiltinOperatorName(int32_t code) {
  if (code < static_cast<int32_t>(fb::BuiltinOperator::MIN) ||
      code > static_cast<int32_t>(fb::BuiltinOperator::MAX)) {
    return "UNKNOWN";
  }
  const char* name =
      fb::EnumNameBuiltinOperator(static_cast<fb::BuiltinOperator>(code));
  return (name && *name) ? name : "UNKNOWN";
}

}  // namespace ember
