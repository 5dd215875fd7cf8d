// ObjectDetector: objects in an image, each a box and a labelled category,
// as MediaPipe Tasks' vision.ObjectDetector. Runs SSD-style models that end
// in TFLite_Detection_PostProcess (four outputs: boxes [1,M,4] as ymin,
// xmin, ymax, xmax normalized to the input, classes [1,M], scores [1,M],
// num_detections [1]). The model's metadata supplies the labels
// (TENSOR_VALUE_LABELS of the classes output), the input normalization, the
// score calibration (applied before the threshold), the default score
// threshold and, when it names them, which output is which.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "processing/image.h"
#include "tasks/classifier_options.h"
#include "tasks/task_model.h"

namespace ember::tasks {

struct ObjectDetectorOptions {
  BaseOptions base_options;
  int max_results = -1;            // < 0: every detection
  float score_threshold = -1e30f;  // unset: the metadata's, else none
  std::vector<std::string> category_allowlist;  // at most one of the two
  std::vector<std::string> category_denylist;
  // Ember: names for models without label metadata (one per class id).
  std::vector<std::string> labels;
  // Ember: how the image is fitted to the input. SSD models are trained on
  // stretched images (as the Task Library feeds them); kLetterbox keeps
  // the aspect ratio.
  FitMode fit = FitMode::kStretch;
};

struct ObjectDetection {
  BoundingBox bounding_box;
  std::vector<Category> categories;  // one: the op's class for this box
};

struct DetectionResult {
  std::vector<ObjectDetection> detections;  // best first
};

class ObjectDetector {
 public:
  static bool CreateFromOptions(const ObjectDetectorOptions& options,
                                std::unique_ptr<ObjectDetector>* out,
                                std::string* error);
  bool Detect(const processing::Image& image, DetectionResult* result,
              std::string* error);
  const std::vector<std::string>& labels() const { return labels_; }

 private:
  ObjectDetector() = default;
  ObjectDetectorOptions options_;
  std::unique_ptr<TaskModel> model_;
  std::vector<std::string> labels_;
  // Output positions of the op's results.
  int boxes_ = 0, classes_ = 1, scores_ = 2, count_ = 3;
  // Where left, top, right, bottom sit in a box row (the metadata's
  // BoundingBoxProperties.index; the op writes top, left, bottom, right).
  int box_index_[4] = {1, 0, 3, 2};
  // The metadata's score calibration of the scores output, if any.
  bool calibrate_ = false;
  ScoreCalibration calibration_;
};

}  // namespace ember::tasks
