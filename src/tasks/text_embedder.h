// TextEmbedder: a sentence in, a feature vector per model output out (as
// MediaPipe Tasks' text.TextEmbedder), for regex-tokenized word-id models
// (`ember metadata --task text_embedder --vocab FILE` adds the tokenizer);
// TextEmbedder::CosineSimilarity compares two results' embeddings.
#pragma once

#include <memory>
#include <string>

#include "tasks/embedder_head.h"
#include "tasks/embedding.h"
#include "tasks/task_model.h"
#include "tasks/text_input.h"

namespace ember::tasks {

struct TextEmbedderOptions {
  BaseOptions base_options;
  EmbedderOptions embedder_options;
};

class TextEmbedder {
 public:
  static bool CreateFromOptions(const TextEmbedderOptions& options,
                                std::unique_ptr<TextEmbedder>* out,
                                std::string* error);
  bool Embed(const std::string& text, EmbeddingResult* result,
             std::string* error);
  static bool CosineSimilarity(const Embedding& u, const Embedding& v,
                               double* out, std::string* error) {
    return tasks::CosineSimilarity(u, v, out, error);
  }

 private:
  TextEmbedder() = default;
  std::unique_ptr<TaskModel> model_;
  TextInput text_;
  EmbedderHeads heads_;
};

}  // namespace ember::tasks
