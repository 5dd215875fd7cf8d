#include "tasks/object_detector.h"

#include <algorithm>
#include <cmath>

namespace ember::tasks {
namespace {

// The names the TFLite Metadata of detectors gives the four outputs (the
// Task Library's and MediaPipe's convention, and what Ember's writer uses).
constexpr const char* kOutputNames[4] = {"location", "category", "score",
                                         "number of detections"};

std::string ShapeText(const Shape& s) {
  std::string t = "[";
  for (int i = 0; i < s.rank; ++i) {
    if (i) t += ",";
    t += std::to_string(s.dim(i));
  }
  return t + "]";
}

// A float pixel coordinate as an int, truncated toward zero (as a C cast);
// NaN and values out of int range (a model's outputs may be anything) are
// pinned first, so the conversion is always defined.
int Truncate(float v) {
  if (!(v == v)) return 0;
  return static_cast<int>(std::clamp(v, -1e9f, 1e9f));
}

// A normalized box in pixels as MediaPipe's ObjectDetector reports it
// (matched on its results, tests/tasks/compare_detector_with_mediapipe.py):
// origin and size truncated, the origin clamped to the picture's top-left.
BoundingBox ToPixels(float x0, float y0, float x1, float y1, int width,
                     int height) {
  BoundingBox b;
  b.origin_x = std::max(0, Truncate(x0 * static_cast<float>(width)));
  b.origin_y = std::max(0, Truncate(y0 * static_cast<float>(height)));
  b.width = Truncate((x1 - x0) * static_cast<float>(width));
  b.height = Truncate((y1 - y0) * static_cast<float>(height));
  return b;
}

bool Listed(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

bool ObjectDetector::CreateFromOptions(const ObjectDetectorOptions& options,
                                       std::unique_ptr<ObjectDetector>* out,
                                       std::string* error) {
  if (!options.category_allowlist.empty() &&
      !options.category_denylist.empty()) {
    *error = "category_allowlist and category_denylist are mutually exclusive";
    return false;
  }
  if (options.max_results == 0) {
    *error = "max_results must be positive or -1 (every detection)";
    return false;
  }
  std::unique_ptr<ObjectDetector> d(new ObjectDetector());
  d->options_ = options;
  if (!TaskModel::Create(options.base_options, &d->model_, error)) return false;
  TaskModel& m = *d->model_;
  ImageInputShape in;
  if (!GetImageInputShape(m, 0, &in, error)) return false;
  const std::string what =
      "model '" + m.path() +
      "' is not an SSD object detector: it needs the 4 outputs of "
      "TFLite_Detection_PostProcess (boxes [1,M,4], classes [1,M], scores "
      "[1,M], num_detections [1])";
  if (m.num_outputs() != 4) {
    *error = what + "; it has " + std::to_string(m.num_outputs()) + " output" +
             (m.num_outputs() == 1 ? "" : "s");
    return false;
  }
  // Metadata naming the outputs decides their order; else the op's order.
  const auto& subgraphs = m.metadata().metadata.subgraph_metadata;
  if (m.has_metadata() && !subgraphs.empty() &&
      subgraphs[0]->output_tensor_metadata.size() == 4) {
    const auto& outs = subgraphs[0]->output_tensor_metadata;
    int position[4] = {-1, -1, -1, -1};
    for (int i = 0; i < 4; ++i)
      for (int k = 0; k < 4; ++k)
        if (outs[i]->name == kOutputNames[k]) position[k] = i;
    if (std::all_of(position, position + 4, [](int p) { return p >= 0; })) {
      d->boxes_ = position[0];
      d->classes_ = position[1];
      d->scores_ = position[2];
      d->count_ = position[3];
    }
    const auto& content = outs[d->boxes_]->content;
    if (content) {
      if (const auto* box =
              content->content_properties.AsBoundingBoxProperties()) {
        if (box->type != metadata::fb::BoundingBoxType::BOUNDARIES ||
            box->coordinate_type != metadata::fb::CoordinateType::RATIO) {
          *error = "model '" + m.path() +
                   "': only normalized BOUNDARIES boxes are supported (the "
                   "metadata of output '" +
                   outs[d->boxes_]->name + "' says otherwise)";
          return false;
        }
        if (box->index.size() == 4) {
          for (int k = 0; k < 4; ++k) {
            if (box->index[k] > 3) {
              *error = "model '" + m.path() +
                       "': bounding box index out of range in the metadata";
              return false;
            }
            d->box_index_[k] = static_cast<int>(box->index[k]);
          }
        }
      }
    }
  }
  const Shape& boxes = m.output(d->boxes_).shape;
  const Shape& classes = m.output(d->classes_).shape;
  const Shape& scores = m.output(d->scores_).shape;
  const Shape& count = m.output(d->count_).shape;
  const int rows = boxes.rank == 3 ? boxes.dim(1) : -1;
  auto check = [&](bool ok, const char* name, const Shape& s) {
    if (!ok)
      *error = what + "; its " + name + " output has shape " + ShapeText(s);
    return ok;
  };
  if (!check(boxes.rank == 3 && boxes.dim(0) == 1 && boxes.dim(2) == 4, "boxes",
             boxes) ||
      !check(classes.rank == 2 && classes.dim(1) == rows, "classes", classes) ||
      !check(scores.rank == 2 && scores.dim(1) == rows, "scores", scores) ||
      !check(count.NumElements() == 1, "num_detections", count))
    return false;
  d->calibrate_ = m.OutputScoreCalibration(d->scores_, &d->calibration_, error);
  if (!d->calibrate_ && !error->empty()) return false;
  d->labels_ = m.OutputLabels(d->classes_);
  if (d->labels_.empty()) d->labels_ = options.labels;
  if (d->options_.score_threshold <= -1e29f) {
    float threshold = 0;
    if (m.OutputScoreThreshold(d->scores_, &threshold))
      d->options_.score_threshold = threshold;
  }
  const bool lists =
      !options.category_allowlist.empty() || !options.category_denylist.empty();
  if (lists && d->labels_.empty()) {
    *error = "model '" + m.path() +
             "' has no labels, so category allow/deny lists cannot match "
             "anything; pass labels, or " +
             MetadataHint(m.path(), "object_detector");
    return false;
  }
  *out = std::move(d);
  return true;
}

bool ObjectDetector::Detect(const processing::Image& image,
                            DetectionResult* result, std::string* error) {
  TaskModel& m = *model_;
  // Without metadata, float inputs get [-1, 1] (the SSD MobileNet
  // convention of the TF object detection exporter).
  processing::InputNormalization fallback;
  fallback.mean = {127.5f};
  fallback.std = {127.5f};
  processing::LetterboxPlacement place;
  if (!SetImageInput(m, 0, image, options_.fit, fallback,
                     options_.fit == FitMode::kLetterbox ? &place : nullptr,
                     error) ||
      !m.Invoke(error))
    return false;
  std::vector<float> boxes, classes, scores, count;
  if (!m.OutputAsFloat(boxes_, &boxes, error) ||
      !m.OutputAsFloat(classes_, &classes, error) ||
      !m.OutputAsFloat(scores_, &scores, error) ||
      !m.OutputAsFloat(count_, &count, error))
    return false;
  const int rows = static_cast<int>(scores.size());
  // num_detections as a count of rows, as MediaPipe reads it; a model's
  // garbage (negative, NaN, too large) cannot index past the outputs.
  const float c = count.empty() ? 0.0f : count[0];
  const int n = c >= 0.0f && c <= static_cast<float>(rows)
                    ? static_cast<int>(c)
                    : (c > static_cast<float>(rows) ? rows : 0);
  result->detections.clear();
  for (int r = 0; r < n; ++r) {
    const float id = classes[r];
    if (!(id >= 0.0f && id < 1e9f)) continue;  // not a class id
    const float score =
        calibrate_ ? calibration_.Calibrate(static_cast<size_t>(id), scores[r])
                   : scores[r];
    if (!(score >= options_.score_threshold)) continue;
    Category cat;
    cat.index = static_cast<int>(id);
    cat.score = score;
    if (cat.index < static_cast<int>(labels_.size()))
      cat.category_name = labels_[cat.index];
    if (!options_.category_allowlist.empty() &&
        !Listed(options_.category_allowlist, cat.category_name))
      continue;
    if (Listed(options_.category_denylist, cat.category_name)) continue;
    const float* b = &boxes[static_cast<size_t>(r) * 4];
    float x0 = b[box_index_[0]], y0 = b[box_index_[1]];
    float x1 = b[box_index_[2]], y1 = b[box_index_[3]];
    if (options_.fit == FitMode::kLetterbox) {
      place.ToSource(&x0, &y0, image.width, image.height);
      place.ToSource(&x1, &y1, image.width, image.height);
    }
    ObjectDetection det;
    det.bounding_box = ToPixels(x0, y0, x1, y1, image.width, image.height);
    det.categories.push_back(std::move(cat));
    result->detections.push_back(std::move(det));
  }
  // Best first (the op's regular mode already is; keep ties in row order).
  std::stable_sort(result->detections.begin(), result->detections.end(),
                   [](const ObjectDetection& a, const ObjectDetection& b) {
                     return a.categories[0].score > b.categories[0].score;
                   });
  if (options_.max_results > 0 &&
      static_cast<int>(result->detections.size()) > options_.max_results)
    result->detections.resize(static_cast<size_t>(options_.max_results));
  return true;
}

}  // namespace ember::tasks
