// C ABI: op resolvers and custom ops written in C (the adapter between the
// runtime's OpRegistration/OpContext and EmberCustomOp/EmberOpContext).
#include <algorithm>
#include <cstdarg>
#include <cstddef>
#include <cstring>

#include "capi/capi_internal.h"

namespace ember::capi {
namespace {

const CustomOpAdapter& AdapterOf(const OpContext& ctx) {
  return *static_cast<const CustomOpAdapter*>(ctx.node()->reg);
}

// Calls one user callback; supplies a message when the callback failed
// without reporting one, and keeps exceptions (from C++ callbacks) inside.
Status CallUser(OpContext& ctx, EmberCustomOpFn fn, const char* phase) {
  const CustomOpAdapter& adapter = AdapterOf(ctx);
  OpContextView view{&ctx, false};
  EmberStatus result;
  try {
    result =
        fn(reinterpret_cast<EmberOpContext*>(&view), adapter.user.user_data);
  } catch (...) {
    return ctx.Error(StatusCode::kInternal, "custom op %s threw an exception",
                     phase);
  }
  if (result == EMBER_STATUS_OK) return Status::Ok();
  const StatusCode code = FromC(result);
  if (!view.reported) {
    return ctx.Error(code, "custom op %s failed (%s)", phase,
                     StatusCodeName(code));
  }
  return Status(code);
}

Status AdapterPrepare(OpContext& ctx) {
  const CustomOpAdapter& adapter = AdapterOf(ctx);
  if (adapter.user.prepare == nullptr) return Status::Ok();
  return CallUser(ctx, adapter.user.prepare, "prepare");
}

Status AdapterEval(OpContext& ctx) {
  return CallUser(ctx, AdapterOf(ctx).user.eval, "eval");
}

OpContext* Ctx(const EmberOpContext* context) {
  return reinterpret_cast<const OpContextView*>(context)->ctx;
}

// Marks that a message was recorded when `status` is an error.
EmberStatus Noted(EmberOpContext* context, Status status) {
  if (!status.ok()) reinterpret_cast<OpContextView*>(context)->reported = true;
  return ToC(status);
}

}  // namespace
}  // namespace ember::capi

using namespace ember;        // NOLINT: C entry points below
using namespace ember::capi;  // NOLINT

extern "C" {

// ---- resolver --------------------------------------------------------------

EmberStatus EmberOpResolverCreate(EmberOpResolver** out, char* error,
                                  size_t error_size) {
  if (out == nullptr) {
    WriteError(error, error_size, "out (EmberOpResolver**) is NULL");
    return EMBER_STATUS_INVALID_ARGUMENT;
  }
  *out = nullptr;
  ErrorReporter errors;
  const EmberStatus status = Guard(&errors, [&] {
    auto handle = std::make_unique<EmberOpResolver>();
    handle->state = std::make_shared<ResolverState>();
    handle->state->resolver.AddAll(OpResolver::Builtins());
    *out = handle.release();
    return EMBER_STATUS_OK;
  });
  if (status != EMBER_STATUS_OK)
    WriteError(error, error_size, errors.message());
  return status;
}

void EmberOpResolverDestroy(EmberOpResolver* resolver) { delete resolver; }

const char* EmberOpResolverGetLastError(const EmberOpResolver* resolver) {
  return resolver ? resolver->errors.message() : kNullHandleMessage;
}

EmberStatus EmberOpResolverAddCustomOp(EmberOpResolver* resolver,
                                       const char* name,
                                       const EmberCustomOp* op) {
  if (resolver == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  ErrorReporter& errors = resolver->errors;
  if (name == nullptr || *name == '\0') {
    return ToC(errors.Report(StatusCode::kInvalidArgument,
                             "custom op name is NULL or empty"));
  }
  if (op == nullptr) {
    return ToC(errors.Report(StatusCode::kInvalidArgument,
                             "custom op '%s': EmberCustomOp is NULL", name));
  }
  // Older callers may pass a smaller struct; fields they lack stay zero.
  const size_t min_size = offsetof(EmberCustomOp, user_data) + sizeof(void*);
  if (op->struct_size < min_size) {
    return ToC(errors.Report(
        StatusCode::kInvalidArgument,
        "custom op '%s': struct_size is %zu, expected sizeof(EmberCustomOp) "
        "(%zu)",
        name, op->struct_size, sizeof(EmberCustomOp)));
  }
  EmberCustomOp user{};
  memcpy(&user, op, std::min(op->struct_size, sizeof(EmberCustomOp)));
  user.struct_size = sizeof(EmberCustomOp);
  if (user.eval == nullptr) {
    return ToC(errors.Report(StatusCode::kInvalidArgument,
                             "custom op '%s': eval callback is NULL", name));
  }
  return Guard(&errors, [&] {
    auto adapter = std::make_unique<CustomOpAdapter>();
    adapter->code = name;
    adapter->builtin_code = -1;
    adapter->name = adapter->code.c_str();
    adapter->op_data_size = user.op_data_size;
    adapter->prepare = &AdapterPrepare;
    adapter->eval = &AdapterEval;
    adapter->flags = kOpFlagNone;
    resolver->state->adapters.reserve(resolver->state->adapters.size() + 1);
    resolver->state->resolver.AddCustom(adapter->name, adapter.get());
    // From here the adapter owns user_data (its destroy runs with it).
    adapter->user = user;
    resolver->state->adapters.push_back(std::move(adapter));
    return EMBER_STATUS_OK;
  });
}

// ---- op context ------------------------------------------------------------

int32_t EmberOpContextGetInputCount(const EmberOpContext* context) {
  return context ? Ctx(context)->num_inputs() : 0;
}

int32_t EmberOpContextGetOutputCount(const EmberOpContext* context) {
  return context ? Ctx(context)->num_outputs() : 0;
}

EmberTensor* EmberOpContextGetInput(const EmberOpContext* context,
                                    int32_t index) {
  return context ? ToC(Ctx(context)->input(index)) : nullptr;
}

EmberTensor* EmberOpContextGetOutput(const EmberOpContext* context,
                                     int32_t index) {
  return context ? ToC(Ctx(context)->output(index)) : nullptr;
}

void* EmberOpContextGetOpData(const EmberOpContext* context) {
  if (context == nullptr) return nullptr;
  const OpContext* ctx = Ctx(context);
  if (ctx->node()->reg == nullptr || ctx->node()->reg->op_data_size == 0)
    return nullptr;
  return ctx->node()->op_data;
}

const void* EmberOpContextGetCustomOptions(const EmberOpContext* context,
                                           size_t* size) {
  size_t n = 0;
  const uint8_t* data = context ? Ctx(context)->custom_options(&n) : nullptr;
  if (n == 0) data = nullptr;
  if (size != nullptr) *size = n;
  return data;
}

int EmberOpContextIsPreparing(const EmberOpContext* context) {
  return context && Ctx(context)->preparing() ? 1 : 0;
}

int32_t EmberOpContextGetNumThreads(const EmberOpContext* context) {
  return context ? Ctx(context)->num_threads() : 1;
}

EmberStatus EmberOpContextResizeOutput(EmberOpContext* context, int32_t index,
                                       const int32_t* dims, int32_t rank) {
  if (context == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  OpContext* ctx = Ctx(context);
  if (ctx->output(index) == nullptr) {
    return Noted(context, ctx->Error(StatusCode::kInvalidArgument,
                                     "no output %d (op has %d)", index,
                                     ctx->num_outputs()));
  }
  if (rank < 0 || rank > kMaxRank || (rank > 0 && dims == nullptr)) {
    return Noted(context,
                 ctx->Error(StatusCode::kInvalidArgument,
                            "invalid shape for output %d (rank %d, dims %s)",
                            index, rank, dims ? "set" : "NULL"));
  }
  Shape shape;
  shape.rank = rank;
  for (int32_t i = 0; i < rank; ++i) shape.dims[i] = dims[i];
  return Noted(context, ctx->ResizeOutput(index, shape));
}

EmberStatus EmberOpContextSetOutputDynamic(EmberOpContext* context,
                                           int32_t index) {
  if (context == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  OpContext* ctx = Ctx(context);
  if (!ctx->preparing()) {
    return Noted(context,
                 ctx->Error(StatusCode::kFailedPrecondition,
                            "SetOutputDynamic is only allowed in prepare"));
  }
  if (ctx->output(index) == nullptr) {
    return Noted(context, ctx->Error(StatusCode::kInvalidArgument,
                                     "no output %d (op has %d)", index,
                                     ctx->num_outputs()));
  }
  ctx->SetOutputDynamic(index);
  return EMBER_STATUS_OK;
}

EmberStatus EmberOpContextRequestScratch(EmberOpContext* context, size_t bytes,
                                         int32_t* index) {
  if (context == nullptr || index == nullptr)
    return EMBER_STATUS_INVALID_ARGUMENT;
  OpContext* ctx = Ctx(context);
  *index = -1;
  if (!ctx->preparing()) {
    return Noted(context,
                 ctx->Error(StatusCode::kFailedPrecondition,
                            "RequestScratch is only allowed in prepare"));
  }
  int i = -1;
  const Status status = ctx->RequestScratch(bytes, &i);
  if (status.ok()) *index = i;
  return Noted(context, status);
}

void* EmberOpContextGetScratch(const EmberOpContext* context, int32_t index) {
  if (context == nullptr) return nullptr;
  const OpContext* ctx = Ctx(context);
  if (ctx->preparing() || index < 0 ||
      static_cast<size_t>(index) >= ctx->node()->scratch.size())
    return nullptr;
  return ctx->scratch(index);
}

EmberStatus EmberOpContextReportError(EmberOpContext* context,
                                      EmberStatus status, const char* format,
                                      ...) {
  if (context == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  auto* view = reinterpret_cast<OpContextView*>(context);
  char message[ErrorReporter::kCapacity];
  message[0] = '\0';
  if (format != nullptr) {
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof(message), format, args);
    va_end(args);
  }
  view->reported = true;
  view->ctx->Error(FromC(status), "%s", message).IgnoreError();
  return status;
}

}  // extern "C"
