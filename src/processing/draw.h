// Annotating RGB images with results: boxes, points, lines, text labels,
// mask overlays.
// Coordinates outside the image are clipped, never an error.
#pragma once

#include <cstdint>
#include <string>
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
// A filled box [x0, x1] x [y0, y1].
void FillRect(Image* image, int x0, int y0, int x1, int y1, Color color);
// `text` in a built-in 3x5 pixel font, each font pixel `scale` x `scale`,
// its top-left corner at (x, y); glyphs advance 4 * scale. Letters (either
// case, drawn as capitals), digits and " .-_:%/" have glyphs; any other
// character is drawn as a small box.
void DrawText(Image* image, int x, int y, const std::string& text, Color color,
              int scale);
// The width and height DrawText covers.
int TextWidth(const std::string& text, int scale);
inline int TextHeight(int scale) { return 5 * scale; }
// Blends `color` into the image where `mask` (width x height values in
// [0, 1], the image's size) is high: pixel += alpha * mask * (color - pixel).
void BlendMask(Image* image, const std::vector<float>& mask, Color color,
               float alpha);

}  // namespace ember::processing
