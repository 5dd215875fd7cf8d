// Maps (builtin code | custom code) to an OpRegistration. The builtin table
// is generated from src/ops/ops.def; custom ops can be added by name.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/registration.h"

namespace ember {

class OpResolver {
 public:
  // All of Ember's own ops (builtin and custom). Defined in the ops layer
  // (src/ops/builtin_ops.cc): the runtime names them without including it.
  static const OpResolver& Builtins();

  OpResolver() = default;
  const OpRegistration* FindBuiltin(int32_t code) const;
  const OpRegistration* FindCustom(const char* name) const;
  void AddBuiltin(const OpRegistration* reg);
  // The registration must outlive the resolver and interpreters using it.
  void AddCustom(const char* name, const OpRegistration* reg);
  // Copies every entry of `other` (later entries replace earlier ones).
  void AddAll(const OpResolver& other);
  std::vector<const OpRegistration*> All() const;

 private:
  std::unordered_map<int32_t, const OpRegistration*> builtins_;
  std::unordered_map<std::string, const OpRegistration*> customs_;
};

const char* BuiltinOperatorName(int32_t code);

}  // namespace ember
