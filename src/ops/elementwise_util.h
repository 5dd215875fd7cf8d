// Prepare-time helpers shared by the element-wise op family (binary
// arithmetic, activations, comparisons, quantize/cast). Heap-free.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "ops/op_util.h"

namespace ember::ops {

inline bool IsQuantizedType(DataType t) {
  return t == DataType::kInt8 || t == DataType::kUInt8 || t == DataType::kInt16;
}

// Requires per-tensor quantization with a positive, finite scale.
inline Status CheckPerTensorQuant(OpContext& ctx, const Tensor* t,
                                  const char* what) {
  if (!t->quant.quantized()) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s '%s' (%s) has no quantization parameters", what,
                     t->name, DataTypeName(t->type));
  }
  if (t->quant.count != 1) {
    return ctx.Error(StatusCode::kUnsupported,
                     "%s '%s' is quantized per channel (%d scales); only "
                     "per-tensor quantization is supported",
                     what, t->name, t->quant.count);
  }
  const float s = t->quant.scale0();
  if (!(s > 0.0f) || !std::isfinite(s)) {
    return ctx.Error(StatusCode::kInvalidModel, "%s '%s' has scale %g", what,
                     t->name, static_cast<double>(s));
  }
  const int32_t zp = t->quant.zero_point0();
  int32_t lo = -32768, hi = 32767;
  if (t->type == DataType::kInt8) {
    lo = -128;
    hi = 127;
  }
  if (t->type == DataType::kUInt8) {
    lo = 0;
    hi = 255;
  }
  if (IsQuantizedType(t->type) && (zp < lo || zp > hi)) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s '%s' zero point %d is outside the %s range", what,
                     t->name, zp, DataTypeName(t->type));
  }
  return Status::Ok();
}

inline Status CheckZeroPoint0(OpContext& ctx, const Tensor* t,
                              const char* what) {
  if (t->quant.zero_point0() != 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s '%s' must have zero point 0 for %s (has %d)", what,
                     t->name, DataTypeName(t->type), t->quant.zero_point0());
  }
  return Status::Ok();
}

// Clamp bounds of a fused activation on plain integer data.
template <typename T>
inline Status IntActivationRange(OpContext& ctx, fb::ActivationFunctionType act,
                                 T* lo, T* hi) {
  switch (act) {
    case fb::ActivationFunctionType::NONE:
      *lo = std::numeric_limits<T>::min();
      *hi = std::numeric_limits<T>::max();
      return Status::Ok();
    case fb::ActivationFunctionType::RELU:
      *lo = 0;
      *hi = std::numeric_limits<T>::max();
      return Status::Ok();
    case fb::ActivationFunctionType::RELU6:
      *lo = 0;
      *hi = 6;
      return Status::Ok();
    case fb::ActivationFunctionType::RELU_N1_TO_1:
      *lo = -1;
      *hi = 1;
      return Status::Ok();
    default:
      return ctx.Error(StatusCode::kUnsupported,
                       "fused activation %d is not supported",
                       static_cast<int>(act));
  }
}

// Whether `x` is a power of two, and its rounded log2 (float arithmetic,
// with the same 1e-3 tolerance the reference uses).
inline bool CheckedLog2(float x, int* log2_rounded) {
  const float l = std::log(x) * (1.0f / std::log(2.0f));
  const float r = std::round(l);
  *log2_rounded = static_cast<int>(r);
  return std::fabs(l - r) < 1e-3f;
}

// Common Prepare for binary element-wise ops: arity 2 -> 1, broadcast
// output shape.
inline Status PrepareBinaryShape(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  Shape shape;
  EMBER_RETURN_IF_ERROR(
      BroadcastShapes(ctx, ctx.input(0)->shape, ctx.input(1)->shape, &shape));
  return ctx.ResizeOutput(0, shape);
}

}  // namespace ember::ops
