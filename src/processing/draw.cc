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

// The 3x5 font: five rows of three bits per glyph (bit 2 the left
// column), drawn for this project.
struct Glyph {
  char c;
  uint8_t rows[5];
};
constexpr Glyph kFont[] = {
    {'A', {2, 5, 7, 5, 5}}, {'B', {6, 5, 6, 5, 6}}, {'C', {3, 4, 4, 4, 3}},
    {'D', {6, 5, 5, 5, 6}}, {'E', {7, 4, 6, 4, 7}}, {'F', {7, 4, 6, 4, 4}},
    {'G', {3, 4, 5, 5, 3}}, {'H', {5, 5, 7, 5, 5}}, {'I', {7, 2, 2, 2, 7}},
    {'J', {1, 1, 1, 5, 2}}, {'K', {5, 5, 6, 5, 5}}, {'L', {4, 4, 4, 4, 7}},
    {'M', {5, 7, 7, 5, 5}}, {'N', {6, 5, 5, 5, 5}}, {'O', {2, 5, 5, 5, 2}},
    {'P', {6, 5, 6, 4, 4}}, {'Q', {2, 5, 5, 6, 3}}, {'R', {6, 5, 6, 5, 5}},
    {'S', {3, 4, 2, 1, 6}}, {'T', {7, 2, 2, 2, 2}}, {'U', {5, 5, 5, 5, 7}},
    {'V', {5, 5, 5, 5, 2}}, {'W', {5, 5, 7, 7, 5}}, {'X', {5, 5, 2, 5, 5}},
    {'Y', {5, 5, 2, 2, 2}}, {'Z', {7, 1, 2, 4, 7}}, {'0', {7, 5, 5, 5, 7}},
    {'1', {2, 6, 2, 2, 7}}, {'2', {6, 1, 2, 4, 7}}, {'3', {6, 1, 2, 1, 6}},
    {'4', {5, 5, 7, 1, 1}}, {'5', {7, 4, 6, 1, 6}}, {'6', {3, 4, 7, 5, 7}},
    {'7', {7, 1, 2, 2, 2}}, {'8', {7, 5, 7, 5, 7}}, {'9', {7, 5, 7, 1, 6}},
    {'.', {0, 0, 0, 0, 2}}, {'-', {0, 0, 7, 0, 0}}, {'_', {0, 0, 0, 0, 7}},
    {':', {0, 2, 0, 2, 0}}, {'%', {5, 1, 2, 4, 5}}, {'/', {1, 1, 2, 4, 4}},
    {' ', {0, 0, 0, 0, 0}},
};
constexpr uint8_t kUnknownGlyph[5] = {7, 5, 5, 5, 7};

const uint8_t* GlyphRows(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  for (const Glyph& g : kFont)
    if (g.c == c) return g.rows;
  return kUnknownGlyph;
}

}  // namespace

void FillRect(Image* image, int x0, int y0, int x1, int y1, Color color) {
  if (x0 > x1) std::swap(x0, x1);
  if (y0 > y1) std::swap(y0, y1);
  // Only the part inside the image is visited (boxes from a model's
  // outputs may be huge).
  x0 = std::max(x0, 0);
  y0 = std::max(y0, 0);
  x1 = std::min(x1, image->width - 1);
  y1 = std::min(y1, image->height - 1);
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) Put(image, x, y, color);
}

int TextWidth(const std::string& text, int scale) {
  return text.empty() ? 0 : (4 * static_cast<int>(text.size()) - 1) * scale;
}

void DrawText(Image* image, int x, int y, const std::string& text, Color color,
              int scale) {
  scale = std::max(scale, 1);
  for (size_t i = 0; i < text.size(); ++i) {
    const int gx = x + 4 * scale * static_cast<int>(i);
    if (gx >= image->width) break;
    const uint8_t* rows = GlyphRows(text[i]);
    for (int r = 0; r < 5; ++r)
      for (int col = 0; col < 3; ++col)
        if (rows[r] & (4 >> col))
          FillRect(image, gx + col * scale, y + r * scale,
                   gx + (col + 1) * scale - 1, y + (r + 1) * scale - 1, color);
  }
}

void DrawRect(Image* image, int x0, int y0, int x1, int y1, Color color,
              int thickness) {
  if (x0 > x1) std::swap(x0, x1);
  if (y0 > y1) std::swap(y0, y1);
  // Loops visit only the rows and columns inside the image: a box taken
  // from a model's outputs may span billions of pixels.
  thickness = std::min(thickness, std::max(image->width, image->height));
  const int xa = std::max(x0, 0), xb = std::min(x1, image->width - 1);
  const int ya = std::max(y0, 0), yb = std::min(y1, image->height - 1);
  for (int t = 0; t < thickness; ++t) {
    for (int x = xa; x <= xb; ++x) {
      Put(image, x, y0 + t, color);
      Put(image, x, y1 - t, color);
    }
    for (int y = ya; y <= yb; ++y) {
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
