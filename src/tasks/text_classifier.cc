#include "tasks/text_classifier.h"

namespace ember::tasks {

bool TextClassifier::CreateFromOptions(const TextClassifierOptions& options,
                                       std::unique_ptr<TextClassifier>* out,
                                       std::string* error) {
  if (!ValidateClassifierOptions(options.classifier_options, error))
    return false;
  std::unique_ptr<TextClassifier> c(new TextClassifier());
  if (!TaskModel::Create(options.base_options, &c->model_, error)) return false;
  TaskModel& m = *c->model_;
  if (!c->text_.Init(m, "text_classifier", error)) return false;
  if (!c->head_.Init(m, 0, options.classifier_options, {}, "text_classifier",
                     error))
    return false;
  *out = std::move(c);
  return true;
}

bool TextClassifier::Classify(const std::string& text,
                              ClassificationResult* result,
                              std::string* error) {
  TaskModel& m = *model_;
  text_.Set(m, text);
  if (!m.Invoke(error)) return false;
  Classifications head;
  if (!head_.Classify(m, &head, error)) return false;
  result->classifications.assign(1, std::move(head));
  return true;
}

}  // namespace ember::tasks
