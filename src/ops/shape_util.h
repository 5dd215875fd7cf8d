// Helpers shared by the shape-family ops (reshape, slice, pad, gather, ...):
// element sizes for type-agnostic copies, reading small int32/int64 index
// tensors, axis normalisation. Heap-free.
#pragma once

#include <cstdint>

#include "ops/op_util.h"

namespace ember::ops {

// Largest element count a shape op will produce (matches the verifier).
constexpr int64_t kMaxShapeElements = int64_t{1} << 40;

// Element size of `t` for byte-wise copies; rejects types without a fixed
// size (string, resource, variant, int4).
inline Status CopyElementSize(OpContext& ctx, const Tensor* t, const char* what,
                              size_t* size) {
  *size = DataTypeSize(t->type);
  if (*size == 0) return UnsupportedType(ctx, t, what);
  return Status::Ok();
}

// Reads all values of an int32/int64 tensor (any rank) whose data is
// available (a constant in Prepare, anything in Eval).
inline Status ReadInts(OpContext& ctx, const Tensor* t, const char* what,
                       int64_t* values, int capacity, int* count) {
  if (t->type != DataType::kInt32 && t->type != DataType::kInt64) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s has type %s, expected int32 or int64", what,
                     DataTypeName(t->type));
  }
  const int64_t n = t->NumElements();
  if (n > capacity) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s has %lld values, at most %d supported", what,
                     static_cast<long long>(n), capacity);
  }
  if (n > 0 && (t->data == nullptr ||
                t->bytes < static_cast<size_t>(n) * DataTypeSize(t->type))) {
    return ctx.Error(StatusCode::kInternal, "%s has no data", what);
  }
  for (int64_t i = 0; i < n; ++i) {
    values[i] = t->type == DataType::kInt32 ? t->data_as<int32_t>()[i]
                                            : t->data_as<int64_t>()[i];
  }
  *count = static_cast<int>(n);
  return Status::Ok();
}

// Maps axis in [-rank, rank) to [0, rank).
inline Status NormalizeAxis(OpContext& ctx, int64_t axis, int rank,
                            const char* what, int* out) {
  if (axis < -rank || axis >= rank) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s %lld is out of range for rank %d", what,
                     static_cast<long long>(axis), rank);
  }
  *out = static_cast<int>(axis < 0 ? axis + rank : axis);
  return Status::Ok();
}

// Builds a shape from int64 dims, rejecting negatives and huge products.
inline Status ShapeFromInts(OpContext& ctx, const int64_t* dims, int rank,
                            const char* what, Shape* out) {
  if (rank > kMaxRank) {
    return ctx.Error(StatusCode::kUnsupported, "%s has rank %d, at most %d",
                     what, rank, kMaxRank);
  }
  Shape s;
  s.rank = rank;
  int64_t total = 1;
  for (int i = 0; i < rank; ++i) {
    if (dims[i] < 0 || dims[i] > INT32_MAX) {
      return ctx.Error(StatusCode::kInvalidArgument,
                       "%s has invalid dimension %lld at %d", what,
                       static_cast<long long>(dims[i]), i);
    }
    s.dims[i] = static_cast<int32_t>(dims[i]);
    total *= dims[i] == 0 ? 1 : dims[i];
    if (total > kMaxShapeElements) {
      return ctx.Error(StatusCode::kInvalidArgument, "%s is too large", what);
    }
  }
  *out = s;
  return Status::Ok();
}

// Both tensors quantized with identical per-tensor parameters (or neither
// quantized).
inline bool SameQuantization(const Tensor* a, const Tensor* b) {
  if (a->quant.quantized() != b->quant.quantized()) return false;
  if (!a->quant.quantized()) return true;
  return a->quant.scale0() == b->quant.scale0() &&
         a->quant.zero_point0() == b->quant.zero_point0();
}

}  // namespace ember::ops
