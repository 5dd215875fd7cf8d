// Reference 2-D pooling (average, max, L2) over NHWC tensors.
// A window is clipped to the input: padded positions never count, so an
// average divides by the number of real elements under the window.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ember::ref {

struct PoolParams {
  int32_t batches = 0, in_h = 0, in_w = 0, channels = 0;
  int32_t out_h = 0, out_w = 0;
  int32_t filter_h = 0, filter_w = 0;
  int32_t stride_h = 1, stride_w = 1;
  int32_t pad_h = 0, pad_w = 0;  // padding before the first row / column
  // Clamp of the fused activation (float path / quantized path).
  float float_lo = -INFINITY, float_hi = INFINITY;
  int32_t quant_lo = 0, quant_hi = 0;
};

// Calls visit(b, oy, ox, c, y0, y1, x0, x1, out_index) for every output
// element, with [y0, y1) x [x0, x1) the window clipped to the input.
template <typename F>
inline void ForEachPoolWindow(const PoolParams& p, F&& visit) {
  int64_t o = 0;
  for (int32_t b = 0; b < p.batches; ++b) {
    for (int32_t oy = 0; oy < p.out_h; ++oy) {
      const int32_t iy = oy * p.stride_h - p.pad_h;
      const int32_t y0 = std::max(iy, 0);
      const int32_t y1 = std::min(iy + p.filter_h, p.in_h);
      for (int32_t ox = 0; ox < p.out_w; ++ox) {
        const int32_t ix = ox * p.stride_w - p.pad_w;
        const int32_t x0 = std::max(ix, 0);
        const int32_t x1 = std::min(ix + p.filter_w, p.in_w);
        for (int32_t c = 0; c < p.channels; ++c, ++o) {
          visit(b, c, y0, y1, x0, x1, o);
        }
      }
    }
  }
}

inline int64_t PoolInputIndex(const PoolParams& p, int32_t b, int32_t y,
                              int32_t x, int32_t c) {
  return ((static_cast<int64_t>(b) * p.in_h + y) * p.in_w + x) * p.channels + c;
}

inline void AveragePoolFloat(const PoolParams& p, const float* in, float* out) {
  ForEachPoolWindow(p, [&](int32_t b, int32_t c, int32_t y0, int32_t y1,
                           int32_t x0, int32_t x1, int64_t o) {
    float sum = 0.0f;
    int32_t count = 0;
    for (int32_t y = y0; y < y1; ++y)
      for (int32_t x = x0; x < x1; ++x, ++count)
        sum += in[PoolInputIndex(p, b, y, x, c)];
    const float avg = count > 0 ? sum / static_cast<float>(count) : 0.0f;
    out[o] = std::min(std::max(avg, p.float_lo), p.float_hi);
  });
}

inline void L2PoolFloat(const PoolParams& p, const float* in, float* out) {
  ForEachPoolWindow(p, [&](int32_t b, int32_t c, int32_t y0, int32_t y1,
                           int32_t x0, int32_t x1, int64_t o) {
    float sum_sq = 0.0f;
    int32_t count = 0;
    for (int32_t y = y0; y < y1; ++y) {
      for (int32_t x = x0; x < x1; ++x, ++count) {
        const float v = in[PoolInputIndex(p, b, y, x, c)];
        sum_sq += v * v;
      }
    }
    const float l2 =
        count > 0 ? std::sqrt(sum_sq / static_cast<float>(count)) : 0.0f;
    out[o] = std::min(std::max(l2, p.float_lo), p.float_hi);
  });
}

inline void MaxPoolFloat(const PoolParams& p, const float* in, float* out) {
  ForEachPoolWindow(p, [&](int32_t b, int32_t c, int32_t y0, int32_t y1,
                           int32_t x0, int32_t x1, int64_t o) {
    float m = std::numeric_limits<float>::lowest();
    for (int32_t y = y0; y < y1; ++y)
      for (int32_t x = x0; x < x1; ++x)
        m = std::max(m, in[PoolInputIndex(p, b, y, x, c)]);
    out[o] = std::min(std::max(m, p.float_lo), p.float_hi);
  });
}

// Quantized average: input and output share scale and zero point, so the
// mean of the raw values is the answer; it is rounded half away from zero.
template <typename T>
inline void AveragePoolQuantized(const PoolParams& p, const T* in, T* out) {
  ForEachPoolWindow(p, [&](int32_t b, int32_t c, int32_t y0, int32_t y1,
                           int32_t x0, int32_t x1, int64_t o) {
    int32_t sum = 0;
    int32_t count = 0;
    for (int32_t y = y0; y < y1; ++y)
      for (int32_t x = x0; x < x1; ++x, ++count)
        sum += in[PoolInputIndex(p, b, y, x, c)];
    int32_t avg = 0;
    if (count > 0) {
      avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
    }
    out[o] = static_cast<T>(std::min(std::max(avg, p.quant_lo), p.quant_hi));
  });
}

template <typename T>
inline void MaxPoolQuantized(const PoolParams& p, const T* in, T* out) {
  ForEachPoolWindow(p, [&](int32_t b, int32_t c, int32_t y0, int32_t y1,
                           int32_t x0, int32_t x1, int64_t o) {
    int32_t m = std::numeric_limits<T>::lowest();
    for (int32_t y = y0; y < y1; ++y)
      for (int32_t x = x0; x < x1; ++x)
        m = std::max<int32_t>(m, in[PoolInputIndex(p, b, y, x, c)]);
    out[o] = static_cast<T>(std::min(std::max(m, p.quant_lo), p.quant_hi));
  });
}

}  // namespace ember::ref
