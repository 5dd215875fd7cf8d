// Prepare helpers shared by the stateful sequence ops (SVDF, LSTM, RNN).
// Heap-free.
#pragma once

#include <cmath>

#include "ops/op_util.h"

namespace ember::ops::seq {

inline Status CheckRank(OpContext& ctx, const Tensor* t, const char* what,
                        int rank) {
  if (t->shape.rank == rank) return Status::Ok();
  return ctx.Error(StatusCode::kInvalidModel, "%s must have rank %d, has %d",
                   what, rank, t->shape.rank);
}

inline Status CheckDim(OpContext& ctx, const Tensor* t, const char* what,
                       int dim, int32_t expected) {
  if (t->shape.dims[dim] == expected) return Status::Ok();
  return ctx.Error(StatusCode::kInvalidModel,
                   "%s dimension %d is %d, expected %d", what, dim,
                   t->shape.dims[dim], expected);
}

// Per-tensor quantization present (scale > 0).
inline Status CheckQuantized(OpContext& ctx, const Tensor* t,
                             const char* what) {
  if (!t->quant.quantized() || !(t->quant.scale0() > 0.0f)) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s (%s) has no per-tensor quantization scale", what,
                     t->name);
  }
  return Status::Ok();
}

inline Status CheckZeroPoint(OpContext& ctx, const Tensor* t, const char* what,
                             int32_t expected) {
  if (t->quant.zero_point0() == expected) return Status::Ok();
  return ctx.Error(StatusCode::kInvalidModel,
                   "%s zero point is %d, expected %d", what,
                   t->quant.zero_point0(), expected);
}

inline Status CheckVariable(OpContext& ctx, const Tensor* t, const char* what) {
  if (t->is_variable) return Status::Ok();
  return ctx.Error(StatusCode::kInvalidModel,
                   "%s (%s) must be a variable tensor (it holds state across "
                   "invokes)",
                   what, t->name);
}

// Fused activation applied to one float (the set LSTM/RNN/SVDF accept).
enum class FloatAct : int8_t {
  kNone,
  kRelu,
  kReluN1To1,
  kRelu6,
  kTanh,
  kSigmoid
};

inline Status ToFloatAct(OpContext& ctx, fb::ActivationFunctionType act,
                         FloatAct* out) {
  switch (act) {
    case fb::ActivationFunctionType::NONE:
      *out = FloatAct::kNone;
      break;
    case fb::ActivationFunctionType::RELU:
      *out = FloatAct::kRelu;
      break;
    case fb::ActivationFunctionType::RELU_N1_TO_1:
      *out = FloatAct::kReluN1To1;
      break;
    case fb::ActivationFunctionType::RELU6:
      *out = FloatAct::kRelu6;
      break;
    case fb::ActivationFunctionType::TANH:
      *out = FloatAct::kTanh;
      break;
    default:
      return ctx.Error(StatusCode::kUnsupported,
                       "fused activation %s is not supported",
                       fb::EnumNameActivationFunctionType(act));
  }
  return Status::Ok();
}

inline float ApplyFloatAct(FloatAct act, float x) {
  switch (act) {
    case FloatAct::kNone:
      return x;
    case FloatAct::kRelu:
      return x < 0.0f ? 0.0f : x;
    case FloatAct::kReluN1To1:
      return x < -1.0f ? -1.0f : (x > 1.0f ? 1.0f : x);
    case FloatAct::kRelu6:
      return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    case FloatAct::kTanh:
      return std::tanh(x);
    case FloatAct::kSigmoid:
      return 1.0f / (1.0f + std::exp(-x));
  }
  return x;
}

}  // namespace ember::ops::seq
