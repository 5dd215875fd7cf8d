// RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR over NHWC tensors, following
// TFLite's reference arithmetic so integer results are bit-exact:
//  - float / uint8: source coordinates in float, weights (1 - f) and f,
//    products taken left to right, +0.5 before truncation for integers;
//  - int8 / int16: source coordinates in 10-bit fixed point, 20-bit
//    products rounded half away from zero.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace ember::ref {

struct ResizeParams {
  int32_t batches, in_h, in_w, depth, out_h, out_w;
  bool align_corners, half_pixel_centers;
};

inline float ResizeScale(int32_t in, int32_t out, bool align_corners) {
  if (align_corners && out > 1) return static_cast<float>(in - 1) / (out - 1);
  return static_cast<float>(in) / out;
}

// Source coordinate of output index `i`, and the two neighbours.
inline void SourceCoordinate(int32_t i, float scale, bool half_pixel,
                             int32_t in_size, float* pos, int32_t* lo,
                             int32_t* hi) {
  *pos = half_pixel ? (static_cast<float>(i) + 0.5f) * scale - 0.5f
                    : static_cast<float>(i) * scale;
  *lo = std::max(static_cast<int32_t>(std::floor(*pos)), 0);
  *hi = std::min(static_cast<int32_t>(std::ceil(*pos)), in_size - 1);
}

template <typename T>
inline void ResizeBilinearFloatMath(const ResizeParams& p, const T* in,
                                    T* out) {
  const float sy = ResizeScale(p.in_h, p.out_h, p.align_corners);
  const float sx = ResizeScale(p.in_w, p.out_w, p.align_corners);
  const float round = std::numeric_limits<T>::is_integer ? 0.5f : 0.0f;
  const int64_t row = static_cast<int64_t>(p.in_w) * p.depth;
  const int64_t image = row * p.in_h;
  for (int32_t b = 0; b < p.batches; ++b) {
    const T* base = in + b * image;
    for (int32_t y = 0; y < p.out_h; ++y) {
      float fy;
      int32_t y0, y1;
      SourceCoordinate(y, sy, p.half_pixel_centers, p.in_h, &fy, &y0, &y1);
      const float dy = fy - static_cast<float>(y0);
      for (int32_t x = 0; x < p.out_w; ++x) {
        float fx;
        int32_t x0, x1;
        SourceCoordinate(x, sx, p.half_pixel_centers, p.in_w, &fx, &x0, &x1);
        const float dx = fx - static_cast<float>(x0);
        const T* p00 = base + y0 * row + x0 * p.depth;
        const T* p10 = base + y1 * row + x0 * p.depth;
        const T* p01 = base + y0 * row + x1 * p.depth;
        const T* p11 = base + y1 * row + x1 * p.depth;
        for (int32_t c = 0; c < p.depth; ++c) {
          const float v = static_cast<float>(p00[c]) * (1 - dy) * (1 - dx) +
                          static_cast<float>(p10[c]) * dy * (1 - dx) +
                          static_cast<float>(p01[c]) * (1 - dy) * dx +
                          static_cast<float>(p11[c]) * dy * dx + round;
          *out++ = static_cast<T>(v);
        }
      }
    }
  }
}

// 10-bit fixed-point source coordinate.
inline void SourceCoordinate10(int32_t i, int32_t scale10, bool half_pixel,
                               int32_t in_size, int32_t* pos, int32_t* lo,
                               int32_t* hi) {
  *pos = half_pixel ? i * scale10 + scale10 / 2 - (1 << 9) : i * scale10;
  *lo = std::max(*pos / (1 << 10), 0);
  *hi = std::min((*pos + (1 << 10) - 1) / (1 << 10), in_size - 1);
}

inline int32_t ResizeScale10(int32_t in, int32_t out, bool align_corners) {
  if (align_corners && out > 1)
    return ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
  return ((1 << 10) * in + out / 2) / out;
}

template <typename T>
inline void ResizeBilinearInteger(const ResizeParams& p, const T* in, T* out) {
  const int32_t sy = ResizeScale10(p.in_h, p.out_h, p.align_corners);
  const int32_t sx = ResizeScale10(p.in_w, p.out_w, p.align_corners);
  const int64_t row = static_cast<int64_t>(p.in_w) * p.depth;
  const int64_t image = row * p.in_h;
  constexpr int64_t kOne = 1 << 10;
  for (int32_t b = 0; b < p.batches; ++b) {
    const T* base = in + b * image;
    for (int32_t y = 0; y < p.out_h; ++y) {
      int32_t fy, y0, y1;
      SourceCoordinate10(y, sy, p.half_pixel_centers, p.in_h, &fy, &y0, &y1);
      const int64_t wy1 = fy - kOne * y0;  // weight of row y1
      const int64_t wy0 = kOne - wy1;
      for (int32_t x = 0; x < p.out_w; ++x) {
        int32_t fx, x0, x1;
        SourceCoordinate10(x, sx, p.half_pixel_centers, p.in_w, &fx, &x0, &x1);
        const int64_t wx1 = fx - kOne * x0;
        const int64_t wx0 = kOne - wx1;
        const T* p00 = base + y0 * row + x0 * p.depth;
        const T* p10 = base + y1 * row + x0 * p.depth;
        const T* p01 = base + y0 * row + x1 * p.depth;
        const T* p11 = base + y1 * row + x1 * p.depth;
        for (int32_t c = 0; c < p.depth; ++c) {
          const int64_t acc = p00[c] * wy0 * wx0 + p10[c] * wy1 * wx0 +
                              p01[c] * wy0 * wx1 + p11[c] * wy1 * wx1;
          const int64_t half = acc > 0 ? (1 << 19) : -(1 << 19);
          *out++ = static_cast<T>((acc + half) / (1 << 20));
        }
      }
    }
  }
}

inline int32_t NearestSource(int32_t i, int32_t in_size, int32_t out_size,
                             bool align_corners, bool half_pixel) {
  const float scale = ResizeScale(in_size, out_size, align_corners);
  const float offset = half_pixel ? 0.5f : 0.0f;
  const float pos = (static_cast<float>(i) + offset) * scale;
  int32_t v = align_corners ? static_cast<int32_t>(std::round(pos))
                            : static_cast<int32_t>(std::floor(pos));
  v = std::min(v, in_size - 1);
  if (half_pixel) v = std::max(v, 0);
  return v;
}

// Element-size agnostic nearest-neighbour copy.
inline void ResizeNearest(const ResizeParams& p, const uint8_t* in,
                          uint8_t* out, size_t elem_size) {
  const size_t pixel = static_cast<size_t>(p.depth) * elem_size;
  if (pixel == 0) return;
  const size_t row = pixel * p.in_w;
  const size_t image = row * p.in_h;
  for (int32_t b = 0; b < p.batches; ++b) {
    for (int32_t y = 0; y < p.out_h; ++y) {
      const int32_t sy = NearestSource(y, p.in_h, p.out_h, p.align_corners,
                                       p.half_pixel_centers);
      for (int32_t x = 0; x < p.out_w; ++x) {
        const int32_t sx = NearestSource(x, p.in_w, p.out_w, p.align_corners,
                                         p.half_pixel_centers);
        memcpy(out, in + b * image + sy * row + sx * pixel, pixel);
        out += pixel;
      }
    }
  }
}

}  // namespace ember::ref
