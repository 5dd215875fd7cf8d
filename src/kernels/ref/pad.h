// Constant padding (PAD / PADV2 / SPACE_TO_BATCH style) and mirror padding
// over up to kMaxRank dims, moving elements as opaque bytes.
#pragma once

#include <cstdint>
#include <cstring>

#include "base/shape.h"
#include "kernels/ref/strided_copy.h"

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

// The same result as ConstantPad, written row by row (a row = the last
// dim): rows inside the input get the left padding, one memcpy of the input
// row and the right padding; rows in the padded border are filled whole.
// Used as the optimized kernel (BlazeFace-style channel padding spent most
// of its time in ConstantPad's per-element fill).
template <typename Word>
void FillWords(uint8_t* dst, int64_t count, const uint8_t* value) {
  Word w;
  memcpy(&w, value, sizeof(Word));
  Word* d = reinterpret_cast<Word*>(dst);
  for (int64_t i = 0; i < count; ++i) d[i] = w;
}

inline void FillElements(uint8_t* dst, int64_t count, size_t elem_size,
                         const uint8_t* value) {
  if (count <= 0) return;
  bool uniform = true;
  for (size_t b = 1; b < elem_size; ++b) uniform &= value[b] == value[0];
  if (uniform) {
    memset(dst, value[0], static_cast<size_t>(count) * elem_size);
    return;
  }
  switch (elem_size) {
    case 2:
      FillWords<uint16_t>(dst, count, value);
      return;
    case 4:
      FillWords<uint32_t>(dst, count, value);
      return;
    case 8:
      FillWords<uint64_t>(dst, count, value);
      return;
    default:
      for (int64_t i = 0; i < count; ++i)
        memcpy(dst + i * elem_size, value, elem_size);
  }
}

inline void ConstantPadRows(const PadParams& p, const Shape& in_shape,
                            const void* in, const Shape& out_shape, void* out,
                            size_t elem_size, const uint8_t* value) {
  const int rank = out_shape.rank;
  if (rank == 0) {
    ConstantPad(p, in_shape, in, out_shape, out, elem_size, value);
    return;
  }
  const int last = rank - 1;
  const int64_t out_row = out_shape.dims[last];
  const int64_t in_row = in_shape.dims[last];
  const size_t out_row_bytes = static_cast<size_t>(out_row) * elem_size;
  const size_t in_row_bytes = static_cast<size_t>(in_row) * elem_size;
  int64_t rows = 1;
  for (int d = 0; d < last; ++d) rows *= out_shape.dims[d];
  int32_t index[kMaxRank] = {};  // output coordinates of the current row
  const auto* src = static_cast<const uint8_t*>(in);
  auto* dst = static_cast<uint8_t*>(out);
  for (int64_t r = 0; r < rows; ++r) {
    bool inside = in_row > 0;
    for (int d = 0; d < last && inside; ++d)
      inside =
          index[d] >= p.before[d] && index[d] < p.before[d] + in_shape.dims[d];
    if (inside) {
      FillElements(dst, p.before[last], elem_size, value);
      memcpy(dst + static_cast<size_t>(p.before[last]) * elem_size, src,
             in_row_bytes);
      FillElements(
          dst + static_cast<size_t>(p.before[last] + in_row) * elem_size,
          out_row - p.before[last] - in_row, elem_size, value);
      src += in_row_bytes;
    } else {
      FillElements(dst, out_row, elem_size, value);
    }
    dst += out_row_bytes;
    for (int d = last - 1; d >= 0; --d) {  // odometer over the row dims
      if (++index[d] < out_shape.dims[d]) break;
      index[d] = 0;
    }
  }
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
