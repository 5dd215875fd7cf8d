#include "processing/exif.h"

#include <cstring>

namespace ember::processing {
namespace {

// Reads TIFF integers in the byte order the header names ("II" little,
// "MM" big); every read is bounds-checked because the bytes are untrusted.
struct TiffReader {
  std::span<const uint8_t> tiff;
  bool little = true;

  bool U16(size_t at, uint32_t* v) const {
    if (at + 2 > tiff.size()) return false;
    *v = little ? tiff[at] | tiff[at + 1] << 8 : tiff[at] << 8 | tiff[at + 1];
    return true;
  }
  bool U32(size_t at, uint32_t* v) const {
    uint32_t a, b;
    if (!U16(at, &a) || !U16(at + 2, &b)) return false;
    *v = little ? a | b << 16 : a << 16 | b;
    return true;
  }
};

constexpr uint32_t kOrientationTag = 0x0112;
constexpr uint32_t kTypeShort = 3;

}  // namespace

int ExifOrientation(std::span<const uint8_t> app1) {
  static const uint8_t kExif[6] = {'E', 'x', 'i', 'f', 0, 0};
  if (app1.size() < 14 || std::memcmp(app1.data(), kExif, 6) != 0) return 1;
  TiffReader r{app1.subspan(6)};
  if (r.tiff[0] == 'M' && r.tiff[1] == 'M') {
    r.little = false;
  } else if (r.tiff[0] != 'I' || r.tiff[1] != 'I') {
    return 1;
  }
  uint32_t magic, ifd, count;
  if (!r.U16(2, &magic) || magic != 42 || !r.U32(4, &ifd) ||
      !r.U16(ifd, &count)) {
    return 1;
  }
  // IFD0: a count, then 12-byte entries (tag, type, count, value).
  for (uint32_t i = 0; i < count; ++i) {
    const size_t entry = size_t{ifd} + 2 + size_t{i} * 12;
    uint32_t tag, type, value;
    if (!r.U16(entry, &tag) || !r.U16(entry + 2, &type)) return 1;
    if (tag != kOrientationTag) continue;
    // A SHORT value sits left-justified in the 4-byte value field.
    if (type != kTypeShort || !r.U16(entry + 8, &value)) return 1;
    return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
  }
  return 1;
}

Image ApplyExifOrientation(const Image& src, int orientation) {
  if (orientation < 2 || orientation > 8) return src;
  const int w = src.width, h = src.height, c = src.channels;
  const bool swap = orientation >= 5;
  Image out(swap ? h : w, swap ? w : h, c);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      // The stored pixel that lands at display position (x, y).
      int sx = x, sy = y;
      switch (orientation) {
        case 2:
          sx = w - 1 - x;
          break;
        case 3:
          sx = w - 1 - x;
          sy = h - 1 - y;
          break;
        case 4:
          sy = h - 1 - y;
          break;
        case 5:
          sx = y;
          sy = x;
          break;
        case 6:
          sx = y;
          sy = h - 1 - x;
          break;
        case 7:
          sx = w - 1 - y;
          sy = h - 1 - x;
          break;
        case 8:
          sx = w - 1 - y;
          sy = x;
          break;
      }
      std::memcpy(out.at(x, y), src.at(sx, sy), static_cast<size_t>(c));
    }
  }
  return out;
}

}  // namespace ember::processing
