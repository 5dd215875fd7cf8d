// Helpers shared by op Prepare functions: arity and type checks, broadcast
// shapes, fused activation ranges, padding. Heap-free (micro reuses them).
#pragma once

#include <cstdint>

#include "runtime/op_context.h"

namespace ember::ops {

// Checks num_inputs in [min_inputs, max_inputs] and num_outputs == outputs,
// and that required inputs 0..min_inputs-1 are present.
Status CheckArity(OpContext& ctx, int min_inputs, int max_inputs,
                  int num_outputs);

// Fails unless `t` has one of the listed types.
Status CheckType(OpContext& ctx, const Tensor* t, const char* what, DataType a);
Status CheckType(OpContext& ctx, const Tensor* t, const char* what, DataType a,
                 DataType b);
Status CheckSameType(OpContext& ctx, const Tensor* a, const Tensor* b);
Status UnsupportedType(OpContext& ctx, const Tensor* t, const char* what);

// NumPy-style broadcast of two shapes.
Status BroadcastShapes(OpContext& ctx, const Shape& a, const Shape& b,
                       Shape* out);

// The data of an optional input (a bias), or nullptr when it is absent.
template <typename T>
const T* OptionalData(const Tensor* t) {
  return t ? t->data_as<T>() : nullptr;
}

// Clamp bounds of a fused activation.
Status FloatActivationRange(OpContext& ctx, fb::ActivationFunctionType act,
                            float* lo, float* hi);
// Same for a quantized output (in the output's quantized domain).
Status QuantizedActivationRange(OpContext& ctx, fb::ActivationFunctionType act,
                                const Tensor* output, int32_t* lo, int32_t* hi);

// Reads a 1-D int32/int64 constant-or-known tensor into `values`
// (at most `capacity` entries). Fails if it has no data yet.
Status ReadIntVector(OpContext& ctx, const Tensor* t, const char* what,
                     int32_t* values, int capacity, int* count);

// Output size and leading padding for one spatial dim of conv / pool.
struct PaddedDim {
  int32_t out;
  int32_t pad_before;
  int32_t pad_extra;  // pad_after - pad_before (0 or 1)
};
Status ComputePaddedDim(OpContext& ctx, fb::Padding padding, int32_t in,
                        int32_t filter, int32_t stride, int32_t dilation,
                        PaddedDim* dim);

// Flat index helpers.
inline Shape MakeShape(std::initializer_list<int32_t> dims) {
  Shape s;
  for (int32_t d : dims) s.dims[s.rank++] = d;
  return s;
}

}  // namespace ember::ops
