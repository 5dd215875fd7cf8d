// Images in memory and in files: decoding JPEG (libjpeg-turbo), PNG
// (libpng) and BMP (read here), encoding PNG. No OpenCV: the task library
// needs only these few formats and operations.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ember::processing {

// Interleaved 8-bit pixels, row-major, no padding between rows. `channels`
// is 1 (gray), 3 (RGB) or 4 (RGBA).
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;

  Image() = default;
  Image(int w, int h, int c)
      : width(w),
        height(h),
        channels(c),
        pixels(static_cast<size_t>(w) * h * c, 0) {}
  bool empty() const { return pixels.empty(); }
  uint8_t* at(int x, int y) {
    return pixels.data() + (static_cast<size_t>(y) * width + x) * channels;
  }
  const uint8_t* at(int x, int y) const {
    return pixels.data() + (static_cast<size_t>(y) * width + x) * channels;
  }
};

// Decoded images larger than this many pixels are refused (a hostile
// header must not make us allocate gigabytes).
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 28;

// Decodes JPEG, PNG or BMP bytes (recognized by their signature). Gray
// images stay 1 channel, colour images become RGB (PNG alpha is dropped,
// composed onto black). A JPEG's EXIF orientation is applied, so the image
// stands as a photo viewer shows it. False, with `error` naming the problem,
// for an unknown, damaged or truncated file.
bool DecodeImage(std::span<const uint8_t> bytes, Image* out,
                 std::string* error);

// Reads and decodes an image file; `error` names the path.
bool ReadImageFile(const std::string& path, Image* out, std::string* error);

// PNG bytes of `image` (1, 3 or 4 channels).
bool EncodePng(const Image& image, std::vector<uint8_t>* out,
               std::string* error);

// Writes `image` as a PNG file through a temporary file renamed into place,
// so that a failure never leaves a partial file at `path`.
bool WritePngFile(const std::string& path, const Image& image,
                  std::string* error);

// Reads a whole file (shared with the audio reader).
bool ReadFileBytes(const std::string& path, std::vector<uint8_t>* bytes,
                   std::string* error);

}  // namespace ember::processing
