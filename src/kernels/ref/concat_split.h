// Concatenation / split along one axis, viewed as 2-D: `outer` rows (the
// product of the dims before the axis), each row holding axis * inner
// elements. Elements are opaque bytes except in the requantizing variant.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace ember::ref {

// Writes one input's rows into the output at column offset `dst_col`
// (bytes); rows of the output are `dst_row` bytes apart.
inline void CopyRowsInto(const uint8_t* src, size_t src_row, uint8_t* dst,
                         size_t dst_row, size_t dst_col, int64_t outer) {
  if (src_row == 0) return;
  for (int64_t r = 0; r < outer; ++r)
    memcpy(dst + r * dst_row + dst_col, src + r * src_row, src_row);
}

// The converse: reads a column block of `src` into a contiguous output.
inline void CopyRowsOut(const uint8_t* src, size_t src_row, size_t src_col,
                        uint8_t* dst, size_t dst_row, int64_t outer) {
  if (dst_row == 0) return;
  for (int64_t r = 0; r < outer; ++r)
    memcpy(dst + r * dst_row, src + r * src_row + src_col, dst_row);
}

// Requantizing copy (quantized concatenation with differing input
// parameters): out = round(in * ratio + bias) + out_zp, in float, then
// clamped to T's range. ratio = in_scale / out_scale, bias = -in_zp * ratio.
template <typename T>
inline void RequantizeRowsInto(const T* src, int64_t src_row, T* dst,
                               int64_t dst_row, int64_t dst_col, int64_t outer,
                               float ratio, float bias, int32_t out_zp,
                               int32_t qmin, int32_t qmax) {
  for (int64_t r = 0; r < outer; ++r) {
    for (int64_t j = 0; j < src_row; ++j) {
      int32_t v =
          static_cast<int32_t>(std::round(
              static_cast<float>(src[r * src_row + j]) * ratio + bias)) +
          out_zp;
      v = v < qmin ? qmin : (v > qmax ? qmax : v);
      dst[r * dst_row + dst_col + j] = static_cast<T>(v);
    }
  }
}

// In-place clamp of a float buffer (fused activation of concatenation).
inline void ClampFloat(float* data, int64_t n, float lo, float hi) {
  for (int64_t i = 0; i < n; ++i)
    data[i] = data[i] < lo ? lo : (data[i] > hi ? hi : data[i]);
}

}  // namespace ember::ref
