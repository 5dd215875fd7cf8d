#include "processing/draw.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace ember::processing {
namespace {

void Put(Image* image, int x, int y, Color color) {
  if (x < 0 || y < 0 || x >= image->width || y >= image->height) return;
  uint8_t* p = image->at(x, y);
  if (image->channels >= 3) {
    p[0] = color.r;
    p[1] = color.g;
    p[2] = color.b;
  } else {
    p[0] = static_cast<uint8_t>(
        (color.r * 299 + color.g * 587 + color.b * 114) / 1000);
  }
}

}  // namespace

void DrawRect(Image* image, int x0, int y0, int x1, int y1, Color color,
              int thickness) {
  if (x0 > x1) std::swap(x0, x1);
  if (y0 > y1) std::swap(y0, y1);
  for (int t = 0; t < thickness; ++t) {
    for (int x = x0; x <= x1; ++x) {
      Put(image, x, y0 + t, color);
      Put(image, x, y1 - t, color);
    }
    for (int y = y0; y <= y1; ++y) {
      Put(image, x0 + t, y, color);
      Put(image, x1 - t, y, color);
    }
  }
}

void DrawDot(Image* image, int cx, int cy, int radius, Color color) {
  for (int dy = -radius; dy <= radius; ++dy)
    for (int dx = -radius; dx <= radius; ++dx)
      if (dx * dx + dy * dy <= radius * radius)
        Put(image, cx + dx, cy + dy, color);
}

void DrawLine(Image* image, int x0, int y0, int x1, int y1, Color color,
              int thickness) {
  const int steps = std::max(std::abs(x1 - x0), std::abs(y1 - y0));
  for (int i = 0; i <= steps; ++i) {
    const float t = steps == 0 ? 0.0f : static_cast<float>(i) / steps;
    const int x = static_cast<int>(std::lround(x0 + (x1 - x0) * t));
    const int y = static_cast<int>(std::lround(y0 + (y1 - y0) * t));
    DrawDot(image, x, y, thickness / 2, color);
  }
}

void BlendMask(Image* image, const std::vector<float>& mask, Color color,
               float alpha) {
  const size_t n = static_cast<size_t>(image->width) * image->height;
  if (mask.size() != n || image->channels < 3) return;
  const float target[3] = {static_cast<float>(color.r),
                           static_cast<float>(color.g),
                           static_cast<float>(color.b)};
  for (size_t i = 0; i < n; ++i) {
    const float w = alpha * std::clamp(mask[i], 0.0f, 1.0f);
    uint8_t* p = image->pixels.data() + i * image->channels;
    for (int k = 0; k < 3; ++k)
      p[k] = static_cast<uint8_t>(std::lround(p[k] + w * (target[k] - p[k])));
  }
}

}  // namespace ember::processing
