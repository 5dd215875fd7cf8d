// ImageSegmenter: a per-pixel confidence mask (and a category mask) for an
// image, as MediaPipe Tasks' vision.ImageSegmenter with one foreground
// class, e.g. the selfie segmentation model (person vs background).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "processing/image.h"
#include "tasks/task_model.h"

namespace ember::tasks {

struct ImageSegmenterOptions {
  BaseOptions base_options;
  bool output_confidence_masks = true;
  bool output_category_mask = true;
  float category_threshold = 0.5f;  // foreground where confidence >= it
};

struct ImageSegmenterResult {
  int width = 0, height = 0;  // the input image's size
  // One mask per class of the model's output, values in [0, 1], resized
  // to the image (bilinear). Single-channel models give the foreground.
  std::vector<std::vector<float>> confidence_masks;
  // Per pixel: the index of the best class (two-class view for
  // single-channel models: 1 foreground, 0 background).
  std::vector<uint8_t> category_mask;
};

class ImageSegmenter {
 public:
  static bool CreateFromOptions(const ImageSegmenterOptions& options,
                                std::unique_ptr<ImageSegmenter>* out,
                                std::string* error);
  bool Segment(const processing::Image& image, ImageSegmenterResult* result,
               std::string* error);

 private:
  ImageSegmenter() = default;
  ImageSegmenterOptions options_;
  std::unique_ptr<TaskModel> model_;
  int out_h_ = 0, out_w_ = 0, out_c_ = 0;
};

}  // namespace ember::tasks
