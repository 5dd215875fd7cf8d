// TextClassifier: a sentence in, the best categories out (as MediaPipe
// Tasks' text.TextClassifier), for models over word ids whose metadata
// carries their tokenizer and vocabulary: a regex tokenizer (the "average
// word embedding" classifiers of Model Maker / the Task Library) or
// WordPiece (BERT-style models: ids, mask, segment ids). `ember metadata
// --task text_classifier --vocab FILE` adds either, from the model's
// inputs; or a SentencePiece model (one input of piece ids, `ember metadata
// --task text_classifier --sentencepiece FILE.model`).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tasks/classifier_options.h"
#include "tasks/task_model.h"
#include "tasks/text_input.h"

namespace ember::tasks {

struct TextClassifierOptions {
  BaseOptions base_options;
  ClassifierOptions classifier_options;
};

class TextClassifier {
 public:
  static bool CreateFromOptions(const TextClassifierOptions& options,
                                std::unique_ptr<TextClassifier>* out,
                                std::string* error);
  bool Classify(const std::string& text, ClassificationResult* result,
                std::string* error);
  // The word ids the model sees for `text` (for tests and --json).
  std::vector<int32_t> Encode(const std::string& text) const {
    return text_.Encode(text);
  }
  const std::vector<std::string>& labels() const { return head_.labels(); }

 private:
  TextClassifier() = default;
  std::unique_ptr<TaskModel> model_;
  TextInput text_;
  ClassifierHead head_;
};

}  // namespace ember::tasks
