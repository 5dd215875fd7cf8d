#include "tasks/image_segmenter.h"

#include <algorithm>
#include <cmath>

namespace ember::tasks {
namespace {

// Bilinear resize of one float plane with half-pixel centres (as
// MediaPipe resizes its masks: cv::resize; its agreement with MediaPipe
// drops with corner sampling here). The column taps are the same for every
// row: computed once (the masks of big pictures have millions of pixels).
std::vector<float> ResizePlane(const std::vector<float>& src, int sw, int sh,
                               int dw, int dh) {
  std::vector<float> out(static_cast<size_t>(dw) * dh);
  const float sx = static_cast<float>(sw) / dw;
  const float sy = static_cast<float>(sh) / dh;
  std::vector<int> x0s(dw), x1s(dw);
  std::vector<float> wxs(dw);
  for (int x = 0; x < dw; ++x) {
    const float fx = std::max(0.0f, (x + 0.5f) * sx - 0.5f);
    x0s[x] = std::min(static_cast<int>(fx), sw - 1);
    x1s[x] = std::min(x0s[x] + 1, sw - 1);
    wxs[x] = fx - x0s[x];
  }
  for (int y = 0; y < dh; ++y) {
    const float fy = std::max(0.0f, (y + 0.5f) * sy - 0.5f);
    const int y0 = std::min(static_cast<int>(fy), sh - 1);
    const int y1 = std::min(y0 + 1, sh - 1);
    const float wy = fy - y0;
    const float* r0 = src.data() + static_cast<size_t>(y0) * sw;
    const float* r1 = src.data() + static_cast<size_t>(y1) * sw;
    float* d = out.data() + static_cast<size_t>(y) * dw;
    for (int x = 0; x < dw; ++x) {
      const float wx = wxs[x];
      const float top = r0[x0s[x]] + (r0[x1s[x]] - r0[x0s[x]]) * wx;
      const float bot = r1[x0s[x]] + (r1[x1s[x]] - r1[x0s[x]]) * wx;
      d[x] = top + (bot - top) * wy;
    }
  }
  return out;
}

}  // namespace

bool ImageSegmenter::CreateFromOptions(const ImageSegmenterOptions& options,
                                       std::unique_ptr<ImageSegmenter>* out,
                                       std::string* error) {
  std::unique_ptr<ImageSegmenter> s(new ImageSegmenter());
  s->options_ = options;
  if (!TaskModel::Create(options.base_options, &s->model_, error)) return false;
  TaskModel& m = *s->model_;
  ImageInputShape in;
  if (!GetImageInputShape(m, 0, &in, error)) return false;
  const Shape& o = m.output(0).shape;
  if (m.num_outputs() < 1 || o.rank != 4 || o.dim(0) != 1 || o.dim(3) < 1) {
    *error = "model '" + m.path() +
             "' is not a segmentation model: its first output must be "
             "[1,height,width,classes]";
    return false;
  }
  s->out_h_ = o.dim(1);
  s->out_w_ = o.dim(2);
  s->out_c_ = o.dim(3);
  *out = std::move(s);
  return true;
}

bool ImageSegmenter::Segment(const processing::Image& image,
                             ImageSegmenterResult* result, std::string* error) {
  TaskModel& m = *model_;
  // Without metadata: [0, 1] inputs (MediaPipe's selfie segmentation).
  processing::InputNormalization norm;
  norm.mean = {0.0f};
  norm.std = {255.0f};
  if (!SetImageInput(m, 0, image, FitMode::kStretch, norm, nullptr, error) ||
      !m.Invoke(error))
    return false;
  std::vector<float> values;
  if (!m.OutputAsFloat(0, &values, error)) return false;
  const size_t plane = static_cast<size_t>(out_h_) * out_w_;
  result->width = image.width;
  result->height = image.height;
  result->confidence_masks.clear();
  for (int c = 0; c < out_c_; ++c) {
    std::vector<float> p(plane);
    for (size_t i = 0; i < plane; ++i)
      p[i] = std::clamp(values[i * out_c_ + c], 0.0f, 1.0f);
    result->confidence_masks.push_back(
        ResizePlane(p, out_w_, out_h_, image.width, image.height));
  }
  result->category_mask.clear();
  if (options_.output_category_mask) {
    const size_t n = static_cast<size_t>(image.width) * image.height;
    result->category_mask.assign(n, 0);
    for (size_t i = 0; i < n; ++i) {
      if (out_c_ == 1) {
        result->category_mask[i] =
            result->confidence_masks[0][i] >= options_.category_threshold;
      } else {
        int best = 0;
        for (int c = 1; c < out_c_; ++c)
          if (result->confidence_masks[c][i] >
              result->confidence_masks[best][i])
            best = c;
        result->category_mask[i] = static_cast<uint8_t>(best);
      }
    }
  }
  if (!options_.output_confidence_masks && !result->confidence_masks.empty())
    result->confidence_masks.clear();
  return true;
}

}  // namespace ember::tasks
