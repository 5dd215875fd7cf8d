#include "tasks/image_classifier.h"

namespace ember::tasks {

bool ImageClassifier::CreateFromOptions(const ImageClassifierOptions& options,
                                        std::unique_ptr<ImageClassifier>* out,
                                        std::string* error) {
  if (!ValidateClassifierOptions(options.classifier_options, error))
    return false;
  std::unique_ptr<ImageClassifier> c(new ImageClassifier());
  c->options_ = options;
  if (!TaskModel::Create(options.base_options, &c->model_, error)) return false;
  TaskModel& m = *c->model_;
  ImageInputShape shape;
  if (!GetImageInputShape(m, 0, &shape, error)) return false;
  if (m.num_outputs() < 1) {
    *error = "model '" + m.path() + "' has no output";
    return false;
  }
  const Tensor& scores = m.output(0);
  c->num_classes_ =
      scores.shape.rank > 0 ? scores.shape.dim(scores.shape.rank - 1) : 1;
  c->labels_ = m.OutputLabels(0);
  if (c->labels_.empty()) c->labels_ = options.labels;
  if (!c->labels_.empty() &&
      static_cast<int>(c->labels_.size()) != c->num_classes_) {
    *error = "model '" + m.path() + "' scores " +
             std::to_string(c->num_classes_) + " classes but " +
             std::to_string(c->labels_.size()) + " labels were given";
    return false;
  }
  c->calibrate_ = m.OutputScoreCalibration(0, &c->calibration_, error);
  if (!c->calibrate_ && !error->empty()) return false;
  float threshold = 0;
  if (options.classifier_options.score_threshold <= -1e29f &&
      m.OutputScoreThreshold(0, &threshold))
    c->options_.classifier_options.score_threshold = threshold;
  const bool lists = !options.classifier_options.category_allowlist.empty() ||
                     !options.classifier_options.category_denylist.empty();
  if (lists && c->labels_.empty()) {
    *error = "model '" + m.path() +
             "' has no labels, so category allow/deny lists cannot match "
             "anything; pass labels, or " +
             MetadataHint(m.path(), "image_classifier");
    return false;
  }
  *out = std::move(c);
  return true;
}

bool ImageClassifier::Classify(const processing::Image& image,
                               ClassificationResult* result,
                               std::string* error) {
  TaskModel& m = *model_;
  // Without metadata, float inputs get [-1, 1] (the common convention of
  // the classifiers MediaPipe and the Task Library ship).
  processing::InputNormalization fallback;
  fallback.mean = {127.5f};
  fallback.std = {127.5f};
  if (!SetImageInput(m, 0, image, FitMode::kStretch, fallback, nullptr,
                     error) ||
      !m.Invoke(error))
    return false;
  std::vector<float> scores;
  if (!m.OutputAsFloat(0, &scores, error)) return false;
  scores.resize(static_cast<size_t>(num_classes_));  // batch 1
  if (calibrate_) calibration_.Apply(&scores);
  Classifications head;
  head.categories =
      SelectCategories(scores, labels_, options_.classifier_options);
  result->classifications.assign(1, std::move(head));
  return true;
}

}  // namespace ember::tasks
