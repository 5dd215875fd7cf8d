// Constant padding (PAD / PADV2 / SPACE_TO_BATCH style) and mirror padding
// over up to kMaxRank dims, moving elements as opaque bytes.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/ref/strided_copy.h"
#include "runtime/tensor.h"

namespace ember::ref {

struct PadParams {
  int32_t rank = 0;
  int32_t before[kMaxRank] = {};
  int32_t after[kMaxRank] = {};
};

// Fills `out` (shape out_shape) with the element `value` (elem_size bytes)
// and copies `in` into the interior.
inline void ConstantPad(const PadParams& p, const Shape& in_shape,
                        const void* in, const Shape& out_shape, void* out,
                        size_t elem_size, const uint8_t* value) {
  uint8_t* o = static_cast<uint8_t*>(out);
  const int64_t n = out_shape.NumElements();
  for (int64_t i = 0; i < n; ++i) memcpy(o + i * elem_size, value, elem_size);
  StridedCopyParams c;
  c.rank = in_shape.rank;
  int64_t out_strides[kMaxRank];
  RowMajorStrides(in_shape, c.src_strides);
  RowMajorStrides(out_shape, out_strides);
  for (int d = 0; d < c.rank; ++d) {
    c.dims[d] = in_shape.dims[d];
    c.dst_strides[d] = out_strides[d];
    c.dst_offset += static_cast<int64_t>(p.before[d]) * out_strides[d];
  }
  StridedCopy(in, out, elem_size, c);
}

// Source index along one dim of size n for output index o (symmetric
// repeats the edge, reflect does not: offset 0 or 1).
inline int32_t MirrorIndex(int32_t o, int32_t before, int32_t n,
                           int32_t offset) {
  const int32_t i = o - before;
  if (i < 0) return -i - 1 + offset;
  if (i >= n) return 2 * n - i - 1 - offset;
  return i;
}

inline void MirrorPad(const PadParams& p, const Shape& in_shape, const void* in,
                      const Shape& out_shape, void* out, size_t elem_size,
                      int32_t offset) {
  const int64_t total = out_shape.NumElements();
  if (total == 0) return;
  int64_t in_strides[kMaxRank];
  RowMajorStrides(in_shape, in_strides);
  int32_t idx[kMaxRank] = {};
  const uint8_t* src = static_cast<const uint8_t*>(in);
  uint8_t* dst = static_cast<uint8_t*>(out);
  for (int64_t k = 0; k < total; ++k) {
    int64_t s = 0;
    for (int d = 0; d < p.rank; ++d)
      s += MirrorIndex(idx[d], p.before[d], in_shape.dims[d], offset) *
           in_strides[d];
    memcpy(dst + k * elem_size, src + s * elem_size, elem_size);
    for (int d = p.rank - 1; d >= 0; --d) {
      if (++idx[d] < out_shape.dims[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace ember::ref
