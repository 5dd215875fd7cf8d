// Generic N-D element copy through arbitrary (possibly zero or negative)
// strides. Most data-movement ops (transpose, slice, strided slice, tile,
// broadcast_to, reverse, concatenation, split, pack, unpack, space/depth
// rearrangements) reduce to one or more such copies. Elements are moved as
// opaque bytes of a given size, so one kernel serves every data type.
#pragma once

#include <cstdint>
#include <cstring>

#include "base/shape.h"

namespace ember::ref {

// Iterates `dims` in row-major order; element at index vector i is read
// from src[src_offset + sum(i[d] * src_strides[d])] and written to
// dst[dst_offset + sum(i[d] * dst_strides[d])]. Strides and offsets are in
// elements.
struct StridedCopyParams {
  int32_t rank = 0;
  int32_t dims[kMaxRank] = {};
  int64_t src_strides[kMaxRank] = {};
  int64_t dst_strides[kMaxRank] = {};
  int64_t src_offset = 0;
  int64_t dst_offset = 0;
};

// Row-major (C order) strides of a shape, in elements.
inline void RowMajorStrides(const Shape& shape, int64_t strides[kMaxRank]) {
  int64_t s = 1;
  for (int d = shape.rank - 1; d >= 0; --d) {
    strides[d] = s;
    s *= shape.dims[d];
  }
}

template <typename T>
inline void StridedCopyTyped(const T* src, T* dst, const StridedCopyParams& p) {
  for (int d = 0; d < p.rank; ++d)
    if (p.dims[d] == 0) return;
  int32_t idx[kMaxRank] = {};
  int64_t s = p.src_offset;
  int64_t o = p.dst_offset;
  const int last = p.rank - 1;
  for (;;) {
    if (p.rank == 0) {
      dst[o] = src[s];
      return;
    }
    // Innermost dimension as a tight loop.
    const int64_t ss = p.src_strides[last];
    const int64_t ds = p.dst_strides[last];
    for (int32_t i = 0; i < p.dims[last]; ++i)
      dst[o + i * ds] = src[s + i * ss];
    int d = last - 1;
    for (; d >= 0; --d) {
      ++idx[d];
      s += p.src_strides[d];
      o += p.dst_strides[d];
      if (idx[d] < p.dims[d]) break;
      s -= p.src_strides[d] * idx[d];
      o -= p.dst_strides[d] * idx[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

struct Bytes16 {
  uint8_t b[16];
};

// Dispatches on the element size (1, 2, 4, 8, 16 bytes; anything else is
// copied through a byte-wise view of one extra innermost dimension).
inline void StridedCopy(const void* src, void* dst, size_t elem_size,
                        const StridedCopyParams& p) {
  switch (elem_size) {
    case 1:
      StridedCopyTyped(static_cast<const uint8_t*>(src),
                       static_cast<uint8_t*>(dst), p);
      return;
    case 2:
      StridedCopyTyped(static_cast<const uint16_t*>(src),
                       static_cast<uint16_t*>(dst), p);
      return;
    case 4:
      StridedCopyTyped(static_cast<const uint32_t*>(src),
                       static_cast<uint32_t*>(dst), p);
      return;
    case 8:
      StridedCopyTyped(static_cast<const uint64_t*>(src),
                       static_cast<uint64_t*>(dst), p);
      return;
    case 16:
      StridedCopyTyped(static_cast<const Bytes16*>(src),
                       static_cast<Bytes16*>(dst), p);
      return;
    default: {
      // Rank must leave room for the extra byte dimension; callers use at
      // most kMaxRank - 1 dims with unusual element sizes (none today).
      StridedCopyParams q = p;
      const int64_t e = static_cast<int64_t>(elem_size);
      for (int d = 0; d < q.rank; ++d) {
        q.src_strides[d] *= e;
        q.dst_strides[d] *= e;
      }
      q.src_offset *= e;
      q.dst_offset *= e;
      if (q.rank < kMaxRank) {
        q.dims[q.rank] = static_cast<int32_t>(elem_size);
        q.src_strides[q.rank] = 1;
        q.dst_strides[q.rank] = 1;
        ++q.rank;
      }
      StridedCopyTyped(static_cast<const uint8_t*>(src),
                       static_cast<uint8_t*>(dst), q);
      return;
    }
  }
}

// Copies a whole input of shape `in_shape` into `dst` viewed with the
// output's row-major strides, starting at element `dst_offset`
// (used by concatenation / pack), or the converse for split / unpack.
inline void CopyBlockInto(const void* src, const Shape& in_shape, void* dst,
                          const Shape& out_shape, int64_t dst_offset,
                          size_t elem_size) {
  StridedCopyParams p;
  p.rank = in_shape.rank;
  int64_t out_strides[kMaxRank];
  RowMajorStrides(in_shape, p.src_strides);
  RowMajorStrides(out_shape, out_strides);
  for (int d = 0; d < in_shape.rank; ++d) {
    p.dims[d] = in_shape.dims[d];
    p.dst_strides[d] = out_strides[d];
  }
  p.dst_offset = dst_offset;
  StridedCopy(src, dst, elem_size, p);
}

}  // namespace ember::ref
