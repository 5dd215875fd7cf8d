#include "processing/transform.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ember::processing {

Image ResizeBilinear(const Image& src, int width, int height,
                     Sampling sampling) {
  const float offset = sampling == Sampling::kHalfPixel ? 0.5f : 0.0f;
  Image out(width, height, src.channels);
  if (src.empty() || width <= 0 || height <= 0) return out;
  const float sx = static_cast<float>(src.width) / width;
  const float sy = static_cast<float>(src.height) / height;
  // Precomputed column taps: the same for every row.
  std::vector<int> x0s(width), x1s(width);
  std::vector<float> fxs(width);
  for (int x = 0; x < width; ++x) {
    const float fx = std::max(0.0f, (x + offset) * sx - offset);
    const int x0 = std::min(static_cast<int>(fx), src.width - 1);
    x0s[x] = x0;
    x1s[x] = std::min(x0 + 1, src.width - 1);
    fxs[x] = fx - x0;
  }
  const int c = src.channels;
  for (int y = 0; y < height; ++y) {
    const float fy = std::max(0.0f, (y + offset) * sy - offset);
    const int y0 = std::min(static_cast<int>(fy), src.height - 1);
    const int y1 = std::min(y0 + 1, src.height - 1);
    const float wy = fy - y0;
    const uint8_t* r0 = src.at(0, y0);
    const uint8_t* r1 = src.at(0, y1);
    uint8_t* d = out.at(0, y);
    for (int x = 0; x < width; ++x) {
      const float wx = fxs[x];
      const uint8_t* a = r0 + x0s[x] * c;
      const uint8_t* b = r0 + x1s[x] * c;
      const uint8_t* e = r1 + x0s[x] * c;
      const uint8_t* f = r1 + x1s[x] * c;
      for (int k = 0; k < c; ++k) {
        const float top = a[k] + (b[k] - a[k]) * wx;
        const float bottom = e[k] + (f[k] - e[k]) * wx;
        const float v = top + (bottom - top) * wy;
        d[x * c + k] =
            static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
      }
    }
  }
  return out;
}

bool Crop(const Image& src, int x, int y, int width, int height, Image* out,
          std::string* error) {
  if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > src.width ||
      y + height > src.height) {
    *error = "crop " + std::to_string(width) + "x" + std::to_string(height) +
             " at (" + std::to_string(x) + "," + std::to_string(y) +
             ") does not lie inside the " + std::to_string(src.width) + "x" +
             std::to_string(src.height) + " image";
    return false;
  }
  *out = Image(width, height, src.channels);
  for (int r = 0; r < height; ++r)
    std::memcpy(out->at(0, r), src.at(x, y + r),
                static_cast<size_t>(width) * src.channels);
  return true;
}

bool Rotate(const Image& src, int degrees, Image* out, std::string* error) {
  const int turns = ((degrees % 360) + 360) % 360 / 90;
  if (degrees % 90 != 0) {
    *error = "rotation must be a multiple of 90 degrees, got " +
             std::to_string(degrees);
    return false;
  }
  const bool swap = turns % 2 == 1;
  *out = Image(swap ? src.height : src.width, swap ? src.width : src.height,
               src.channels);
  for (int y = 0; y < src.height; ++y) {
    for (int x = 0; x < src.width; ++x) {
      int dx = x, dy = y;  // clockwise quarter turns
      if (turns == 1) {
        dx = src.height - 1 - y;
        dy = x;
      } else if (turns == 2) {
        dx = src.width - 1 - x;
        dy = src.height - 1 - y;
      } else if (turns == 3) {
        dx = y;
        dy = src.width - 1 - x;
      }
      std::memcpy(out->at(dx, dy), src.at(x, y), src.channels);
    }
  }
  return true;
}

Image ConvertChannels(const Image& src, int channels) {
  if (src.channels == channels) return src;
  Image out(src.width, src.height, channels);
  const size_t n = static_cast<size_t>(src.width) * src.height;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* s = src.pixels.data() + i * src.channels;
    uint8_t* d = out.pixels.data() + i * channels;
    uint8_t rgb[3] = {s[0], s[0], s[0]};
    if (src.channels >= 3) std::memcpy(rgb, s, 3);
    if (channels == 1) {
      d[0] = static_cast<uint8_t>(
          std::lround(0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2]));
    } else {
      std::memcpy(d, rgb, 3);
      if (channels == 4) d[3] = src.channels == 4 ? s[3] : 255;
    }
  }
  return out;
}

void LetterboxPlacement::ToSource(float* x, float* y, int src_width,
                                  int src_height) const {
  *x = (*x * width - pad_x) / scale / src_width;
  *y = (*y * height - pad_y) / scale / src_height;
}

Image Letterbox(const Image& src, int width, int height, uint8_t fill,
                LetterboxPlacement* placement, Sampling sampling) {
  const float scale = std::min(static_cast<float>(width) / src.width,
                               static_cast<float>(height) / src.height);
  const int w =
      std::clamp(static_cast<int>(std::lround(src.width * scale)), 1, width);
  const int h =
      std::clamp(static_cast<int>(std::lround(src.height * scale)), 1, height);
  const int pad_x = (width - w) / 2;
  const int pad_y = (height - h) / 2;
  const Image resized = ResizeBilinear(src, w, h, sampling);
  Image out(width, height, src.channels);
  std::fill(out.pixels.begin(), out.pixels.end(), fill);
  for (int r = 0; r < h; ++r)
    std::memcpy(out.at(pad_x, pad_y + r), resized.at(0, r),
                static_cast<size_t>(w) * src.channels);
  // The scale actually used per axis may differ slightly from `scale`
  // after rounding; the mapping uses the resized size.
  placement->scale = static_cast<float>(w) / src.width;
  placement->pad_x = static_cast<float>(pad_x);
  placement->pad_y = static_cast<float>(pad_y);
  placement->width = width;
  placement->height = height;
  return out;
}

bool WriteImageTensor(const Image& image, const InputNormalization& norm,
                      const TensorDestination& dst, std::string* error) {
  const size_t n = image.pixels.size();
  const size_t elem = dst.type == DataType::kFloat32 ? 4 : 1;
  if (dst.type != DataType::kFloat32 && dst.type != DataType::kUInt8 &&
      dst.type != DataType::kInt8) {
    *error = std::string("image input tensor has type ") +
             DataTypeName(dst.type) + "; float32, uint8 and int8 are supported";
    return false;
  }
  if (n * elem != dst.bytes) {
    *error = "image of " + std::to_string(n) + " values does not fill the " +
             std::to_string(dst.bytes / elem) + "-value input tensor";
    return false;
  }
  const int c = image.channels;
  if (norm.mean.empty() || norm.std.empty() ||
      (norm.mean.size() != 1 && static_cast<int>(norm.mean.size()) != c) ||
      (norm.std.size() != 1 && static_cast<int>(norm.std.size()) != c)) {
    *error = "normalization needs one mean and std, or one per channel (" +
             std::to_string(c) + ")";
    return false;
  }
  switch (dst.type) {
    case DataType::kFloat32: {
      float* out = static_cast<float*>(dst.data);
      for (size_t i = 0; i < n; ++i) {
        const size_t k = i % c;
        const float mean = norm.mean[norm.mean.size() == 1 ? 0 : k];
        const float sd = norm.std[norm.std.size() == 1 ? 0 : k];
        out[i] = (image.pixels[i] - mean) / sd;
      }
      return true;
    }
    case DataType::kUInt8:
      std::memcpy(dst.data, image.pixels.data(), n);
      return true;
    default: {
      int8_t* out = static_cast<int8_t*>(dst.data);
      for (size_t i = 0; i < n; ++i)
        out[i] = static_cast<int8_t>(image.pixels[i] - 128);
      return true;
    }
  }
}

}  // namespace ember::processing
