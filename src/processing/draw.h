// Annotating RGB images with results: boxes, points, lines, mask overlays.
// Coordinates outside the image are clipped, never an error.
#pragma once

#include <cstdint>
#include <vector>

#include "processing/image.h"

namespace ember::processing {

struct Color {
  uint8_t r = 0, g = 0, b = 0;
};

// Outline of the box [x0, x1] x [y0, y1], `thickness` pixels inwards.
void DrawRect(Image* image, int x0, int y0, int x1, int y1, Color color,
              int thickness);
// A filled disc.
void DrawDot(Image* image, int cx, int cy, int radius, Color color);
void DrawLine(Image* image, int x0, int y0, int x1, int y1, Color color,
              int thickness);
// Blends `color` into the image where `mask` (width x height values in
// [0, 1], the image's size) is high: pixel += alpha * mask * (color - pixel).
void BlendMask(Image* image, const std::vector<float>& mask, Color color,
               float alpha);

}  // namespace ember::processing
