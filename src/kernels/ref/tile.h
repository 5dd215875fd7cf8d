// TILE: output[i] = input[i mod in_dims] per dimension, as opaque bytes.
#pragma once

#include <cstdint>
#include <cstring>

#include "base/shape.h"
#include "kernels/ref/strided_copy.h"

namespace ember::ref {

inline void Tile(const Shape& in_shape, const void* in, const Shape& out_shape,
                 void* out, size_t elem_size) {
  const int64_t total = out_shape.NumElements();
  if (total == 0) return;
  const int rank = out_shape.rank;
  int64_t in_strides[kMaxRank];
  RowMajorStrides(in_shape, in_strides);
  int32_t idx[kMaxRank] = {};  // output index
  int32_t src[kMaxRank] = {};  // idx mod input dims
  int64_t offset = 0;          // input element offset of src
  const uint8_t* s = static_cast<const uint8_t*>(in);
  uint8_t* o = static_cast<uint8_t*>(out);
  for (int64_t k = 0; k < total; ++k) {
    memcpy(o + k * elem_size, s + offset * elem_size, elem_size);
    for (int d = rank - 1; d >= 0; --d) {
      ++idx[d];
      ++src[d];
      offset += in_strides[d];
      if (src[d] == in_shape.dims[d]) {
        src[d] = 0;
        offset -= in_strides[d] * in_shape.dims[d];
      }
      if (idx[d] < out_shape.dims[d]) break;
      idx[d] = 0;
      offset -= in_strides[d] * src[d];
      src[d] = 0;
    }
  }
}

}  // namespace ember::ref
