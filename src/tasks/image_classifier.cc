#include "tasks/image_classifier.h"

namespace ember::tasks {

bool ImageClassifier::CreateFromOptions(const ImageClassifierOptions& options,
                                        std::unique_ptr<ImageClassifier>* out,
                                        std::string* error) {
  if (!ValidateClassifierOptions(options.classifier_options, error))
    return false;
  std::unique_ptr<ImageClassifier> c(new ImageClassifier());
  if (!TaskModel::Create(options.base_options, &c->model_, error)) return false;
  TaskModel& m = *c->model_;
  ImageInputShape shape;
  if (!GetImageInputShape(m, 0, &shape, error)) return false;
  if (!c->head_.Init(m, 0, options.classifier_options, options.labels,
                     "image_classifier", error))
    return false;
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
  Classifications head;
  if (!head_.Classify(m, &head, error)) return false;
  result->classifications.assign(1, std::move(head));
  return true;
}

}  // namespace ember::tasks
