// The resolver of every op Ember ships (src/ops/ops.def). OpResolver is
// declared in the runtime, which must not include the ops layer above it;
// this one member is defined here instead and resolved at link time inside
// ember_core, so the runtime reaches the ops without an upward include.
#include "runtime/op_resolver.h"

namespace ember {

namespace ops {
#define EMBER_BUILTIN_OP(name) const OpRegistration* Register_##name();
#define EMBER_CUSTOM_OP(code, symbol) const OpRegistration* Register_##symbol();
#include "ops/ops.def"
}  // namespace ops

const OpResolver& OpResolver::Builtins() {
  static const OpResolver* resolver = [] {
    auto* r = new OpResolver();
#define EMBER_BUILTIN_OP(name) r->AddBuiltin(ops::Register_##name());
#define EMBER_CUSTOM_OP(code, symbol) \
  r->AddCustom(code, ops::Register_##symbol());
#include "ops/ops.def"
    return r;
  }();
  return *resolver;
}

}  // namespace ember
