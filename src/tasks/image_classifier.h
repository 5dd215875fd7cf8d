// ImageClassifier: an image in, the best categories out (as MediaPipe
// Tasks' vision.ImageClassifier). Labels come from the model's metadata
// (TENSOR_AXIS_LABELS), else from `labels` in the options; the metadata's
// score calibration is applied and its score threshold is the default.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "processing/image.h"
#include "tasks/classifier_options.h"
#include "tasks/task_model.h"

namespace ember::tasks {

struct ImageClassifierOptions {
  BaseOptions base_options;
  ClassifierOptions classifier_options;
  // Ember: names for models without label metadata (one per class).
  std::vector<std::string> labels;
};

class ImageClassifier {
 public:
  static bool CreateFromOptions(const ImageClassifierOptions& options,
                                std::unique_ptr<ImageClassifier>* out,
                                std::string* error);
  bool Classify(const processing::Image& image, ClassificationResult* result,
                std::string* error);
  const std::vector<std::string>& labels() const { return head_.labels(); }

 private:
  ImageClassifier() = default;
  std::unique_ptr<TaskModel> model_;
  ClassifierHead head_;
};

}  // namespace ember::tasks
