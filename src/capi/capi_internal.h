// What the C handles of include/ember/ember.h are, inside. Shared by the
// src/capi/*.cc files only.
#pragma once

#include <cstdio>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "base/status.h"
#include "ember/ember.h"
#include "model/model.h"
#include "runtime/interpreter.h"
#include "runtime/op_context.h"
#include "runtime/op_resolver.h"
#include "runtime/registration.h"
#include "runtime/tensor.h"
#include "trust/trust_policy.h"

// The trust policy handle (capi_trust.cc; read by capi_update.cc too).
struct EmberTrustPolicy {
  ember::trust::TrustPolicy policy;
  ember::ErrorReporter errors;
};

namespace ember::capi {

// A custom op registered from C: the OpRegistration the runtime sees is the
// base, so prepare/eval find the user's callbacks from ctx.node()->reg.
struct CustomOpAdapter : OpRegistration {
  std::string code;
  EmberCustomOp user{};
  CustomOpAdapter() = default;
  CustomOpAdapter(const CustomOpAdapter&) = delete;
  CustomOpAdapter& operator=(const CustomOpAdapter&) = delete;
  ~CustomOpAdapter() {
    if (user.destroy != nullptr) user.destroy(user.user_data);
  }
};

// The resolver and the adapters its entries point to. Interpreters hold a
// reference: node registrations must outlive them.
struct ResolverState {
  OpResolver resolver;
  std::vector<std::unique_ptr<CustomOpAdapter>> adapters;
};

// Everything an interpreter needs alive. Members are destroyed bottom-up:
// the interpreter first, then what it points into.
struct InterpreterState {
  std::shared_ptr<const Model> model;
  std::shared_ptr<const ResolverState> resolver;  // null: builtins
  std::unique_ptr<Interpreter> interpreter;
};

// The C view of an OpContext handed to custom-op callbacks.
struct OpContextView {
  OpContext* ctx;
  bool reported;  // the callback called EmberOpContextReportError
};

// Status <-> EmberStatus (same values; checked in capi_common.cc).
inline EmberStatus ToC(Status status) {
  return static_cast<EmberStatus>(status.code());
}
inline EmberStatus ToC(StatusCode code) {
  return static_cast<EmberStatus>(code);
}
inline StatusCode FromC(EmberStatus status) {
  if (status < EMBER_STATUS_OK || status > EMBER_STATUS_INTERNAL)
    return StatusCode::kInternal;
  return static_cast<StatusCode>(status);
}

// Tensor handles are the runtime's tensors.
inline EmberTensor* ToC(Tensor* t) { return reinterpret_cast<EmberTensor*>(t); }
inline Tensor* FromC(EmberTensor* t) { return reinterpret_cast<Tensor*>(t); }
inline const Tensor* FromC(const EmberTensor* t) {
  return reinterpret_cast<const Tensor*>(t);
}

// Copies `message` into a caller's optional error buffer.
void WriteError(char* error, size_t error_size, const char* message);

// Validates a C shape (rank in [0, kMaxRank], dims non-null when rank > 0)
// into *shape; reports into `errors` on failure.
Status ShapeFromC(const int32_t* dims, int32_t rank, ErrorReporter& errors,
                  Shape* shape);

// Runs `body` (returning EmberStatus) so that no C++ exception crosses the
// C boundary: allocation failures become OUT_OF_MEMORY, anything else
// INTERNAL, both with a message in `errors` (if given).
template <typename Fn>
EmberStatus Guard(ErrorReporter* errors, Fn&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    if (errors)
      errors->Report(StatusCode::kOutOfMemory, "out of memory").IgnoreError();
    return EMBER_STATUS_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    if (errors)
      errors->Report(StatusCode::kInternal, "internal error: %s", e.what())
          .IgnoreError();
    return EMBER_STATUS_INTERNAL;
  } catch (...) {
    if (errors)
      errors->Report(StatusCode::kInternal, "internal error").IgnoreError();
    return EMBER_STATUS_INTERNAL;
  }
}

constexpr const char kNullHandleMessage[] = "invalid (NULL) handle";

}  // namespace ember::capi

// The handle types themselves (declared in ember.h at global scope).
struct EmberModel {
  std::shared_ptr<const ember::Model> model;
};

struct EmberOpResolver {
  std::shared_ptr<ember::capi::ResolverState> state;
  ember::ErrorReporter errors;
};

struct EmberInterpreterOptions {
  ember::InterpreterOptions options;
};

struct EmberInterpreter {
  std::shared_ptr<ember::capi::InterpreterState> state;
  ember::Interpreter& interp() const { return *state->interpreter; }
  ember::ErrorReporter& errors() const { return state->interpreter->errors(); }
};

struct EmberSignatureRunner {
  std::shared_ptr<ember::capi::InterpreterState> state;
  const ember::Signature* signature = nullptr;
  // The runner's own last error (the interpreter's message is copied here
  // when a call fails inside the runtime).
  mutable ember::ErrorReporter errors;
};
