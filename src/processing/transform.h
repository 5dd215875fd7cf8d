// Geometric and colour transforms of processing::Image, and writing an
// image into a model's input tensor (float, uint8 or int8).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/data_type.h"
#include "processing/image.h"

namespace ember::processing {

// Where output pixel x samples the input in a bilinear resize.
enum class Sampling {
  // (x + 0.5) * in / out - 0.5: TensorFlow's resize with
  // half_pixel_centers, OpenCV's resize with INTER_LINEAR.
  kHalfPixel,
  // x * in / out: an affine warp of pixel corners, as MediaPipe's
  // ImageToTensor does (cv::warpAffine); the task library uses it so that
  // its inputs, hence its results, match MediaPipe Tasks'.
  kCorner,
};

// Bilinear resize, edges clamped.
Image ResizeBilinear(const Image& src, int width, int height,
                     Sampling sampling = Sampling::kHalfPixel);

// The rectangle [x, x + width) x [y, y + height), which must lie inside
// `src`; false (with `error`) otherwise.
bool Crop(const Image& src, int x, int y, int width, int height, Image* out,
          std::string* error);

// Rotates clockwise by `degrees`, a multiple of 90; false otherwise.
bool Rotate(const Image& src, int degrees, Image* out, std::string* error);

// Converts between gray (1), RGB (3) and RGBA (4). Gray from colour uses
// the ITU-R BT.601 luma weights; alpha is dropped, or added opaque.
Image ConvertChannels(const Image& src, int channels);

// Where the source image sits inside a letterboxed one: a source pixel
// coordinate p maps to p * scale + pad (per axis), in output pixels.
struct LetterboxPlacement {
  float scale = 1;
  float pad_x = 0;
  float pad_y = 0;
  int width = 0;  // the letterboxed image's size
  int height = 0;
  // A point normalized to the letterboxed image -> normalized to the
  // source image of size (src_width, src_height).
  void ToSource(float* x, float* y, int src_width, int src_height) const;
};

// Resizes `src` to fit inside width x height keeping its aspect ratio,
// centred, the border filled with `fill` (each channel).
Image Letterbox(const Image& src, int width, int height, uint8_t fill,
                LetterboxPlacement* placement,
                Sampling sampling = Sampling::kHalfPixel);

// How pixels become tensor values.
struct InputNormalization {
  // Float tensors: value = (pixel - mean[c]) / std[c] (one entry: every
  // channel).
  std::vector<float> mean{0.0f};
  std::vector<float> std{255.0f};
};

// The tensor a picture is written into.
struct TensorDestination {
  DataType type = DataType::kFloat32;
  void* data = nullptr;
  size_t bytes = 0;
  // uint8 / int8: quantized tensors take the pixels as they are (shifted
  // by -128 for int8), as the TFLite Task Library does, so that the
  // model's own input quantization gives their meaning.
};

// Writes `image` (already the tensor's height, width and channels) into
// `dst`. False (with `error`) for a size mismatch or an unsupported type.
bool WriteImageTensor(const Image& image, const InputNormalization& norm,
                      const TensorDestination& dst, std::string* error);

}  // namespace ember::processing
