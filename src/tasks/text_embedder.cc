#include "tasks/text_embedder.h"

namespace ember::tasks {

bool TextEmbedder::CreateFromOptions(const TextEmbedderOptions& options,
                                     std::unique_ptr<TextEmbedder>* out,
                                     std::string* error) {
  std::unique_ptr<TextEmbedder> e(new TextEmbedder());
  if (!TaskModel::Create(options.base_options, &e->model_, error)) return false;
  TaskModel& m = *e->model_;
  if (!e->text_.Init(m, "text_embedder", error) ||
      !e->heads_.Init(m, options.embedder_options, error))
    return false;
  *out = std::move(e);
  return true;
}

bool TextEmbedder::Embed(const std::string& text, EmbeddingResult* result,
                         std::string* error) {
  TaskModel& m = *model_;
  text_.Set(m, text);
  return m.Invoke(error) && heads_.Embed(m, result, error);
}

}  // namespace ember::tasks
