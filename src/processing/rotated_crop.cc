#include "processing/rotated_crop.h"

#include <algorithm>
#include <cmath>

namespace ember::processing {

void RectToSource(const RotatedRect& rect, float u, float v, float* x,
                  float* y) {
  const float dx = (u - 0.5f) * rect.width;
  const float dy = (v - 0.5f) * rect.height;
  const float c = std::cos(rect.rotation), s = std::sin(rect.rotation);
  *x = rect.center_x + c * dx - s * dy;
  *y = rect.center_y + s * dx + c * dy;
}

void SourceToRect(const RotatedRect& rect, float x, float y, float* u,
                  float* v) {
  const float dx = x - rect.center_x, dy = y - rect.center_y;
  const float c = std::cos(rect.rotation), s = std::sin(rect.rotation);
  // The transpose of the rotation undoes it.
  const float rx = c * dx + s * dy;
  const float ry = -s * dx + c * dy;
  *u = rect.width != 0 ? rx / rect.width + 0.5f : 0.5f;
  *v = rect.height != 0 ? ry / rect.height + 0.5f : 0.5f;
}

namespace {

// The tap at integer (x, y), or what the border gives outside.
inline float Tap(const Image& src, int x, int y, int c, Border border) {
  if (x < 0 || y < 0 || x >= src.width || y >= src.height) {
    if (border == Border::kZero) return 0.0f;
    x = std::clamp(x, 0, src.width - 1);
    y = std::clamp(y, 0, src.height - 1);
  }
  return src.at(x, y)[c];
}

}  // namespace

float SampleBilinear(const Image& src, float x, float y, int c, Border border) {
  // Far outside (or NaN): no taps to read; keeps the casts below in range.
  if (!(x > -2.0f && y > -2.0f && x < src.width + 1.0f &&
        y < src.height + 1.0f)) {
    if (border == Border::kZero || !std::isfinite(x) || !std::isfinite(y))
      return 0.0f;
    x = std::clamp(x, -1.0f, static_cast<float>(src.width));
    y = std::clamp(y, -1.0f, static_cast<float>(src.height));
  }
  const float fx = std::floor(x), fy = std::floor(y);
  const int x0 = static_cast<int>(fx), y0 = static_cast<int>(fy);
  const float wx = x - fx, wy = y - fy;
  const float top = Tap(src, x0, y0, c, border) * (1 - wx) +
                    Tap(src, x0 + 1, y0, c, border) * wx;
  const float bottom = Tap(src, x0, y0 + 1, c, border) * (1 - wx) +
                       Tap(src, x0 + 1, y0 + 1, c, border) * wx;
  return top * (1 - wy) + bottom * wy;
}

Image WarpRotatedRect(const Image& src, const RotatedRect& rect, int width,
                      int height, Border border) {
  Image out(std::max(width, 0), std::max(height, 0), src.channels);
  if (src.empty() || width <= 0 || height <= 0) return out;
  // Source position of output (i, j) is origin + i * step_u + j * step_v.
  float ox, oy, ux, uy, vx, vy;
  RectToSource(rect, 0, 0, &ox, &oy);
  RectToSource(rect, 1, 0, &ux, &uy);
  RectToSource(rect, 0, 1, &vx, &vy);
  const float su_x = (ux - ox) / width, su_y = (uy - oy) / width;
  const float sv_x = (vx - ox) / height, sv_y = (vy - oy) / height;
  const int c = src.channels;
  const size_t stride = static_cast<size_t>(src.width) * c;
  for (int j = 0; j < height; ++j) {
    uint8_t* row = out.at(0, j);
    for (int i = 0; i < width; ++i) {
      const float x = ox + i * su_x + j * sv_x;
      const float y = oy + i * su_y + j * sv_y;
      uint8_t* d = row + i * c;
      // Fast path: all four taps inside (most of a face crop).
      if (x >= 0 && y >= 0 && x < src.width - 1 && y < src.height - 1) {
        const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
        const float wx = x - x0, wy = y - y0;
        const uint8_t* a = src.at(x0, y0);
        const uint8_t* b = a + stride;
        for (int k = 0; k < c; ++k) {
          const float top = a[k] + (a[k + c] - a[k]) * wx;
          const float bottom = b[k] + (b[k + c] - b[k]) * wx;
          // A blend of bytes stays in [0, 255]: round half up by truncation
          // (as lround does for non-negative values, without its call).
          d[k] = static_cast<uint8_t>(top + (bottom - top) * wy + 0.5f);
        }
        continue;
      }
      for (int k = 0; k < c; ++k)
        d[k] = static_cast<uint8_t>(std::clamp(
            std::lround(SampleBilinear(src, x, y, k, border)), 0L, 255L));
    }
  }
  return out;
}

}  // namespace ember::processing
