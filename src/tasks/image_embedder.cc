#include "tasks/image_embedder.h"

namespace ember::tasks {

bool ImageEmbedder::CreateFromOptions(const ImageEmbedderOptions& options,
                                      std::unique_ptr<ImageEmbedder>* out,
                                      std::string* error) {
  std::unique_ptr<ImageEmbedder> e(new ImageEmbedder());
  if (!TaskModel::Create(options.base_options, &e->model_, error)) return false;
  TaskModel& m = *e->model_;
  ImageInputShape shape;
  if (!GetImageInputShape(m, 0, &shape, error) ||
      !e->heads_.Init(m, options.embedder_options, error))
    return false;
  *out = std::move(e);
  return true;
}

bool ImageEmbedder::Embed(const processing::Image& image,
                          EmbeddingResult* result, std::string* error) {
  TaskModel& m = *model_;
  processing::InputNormalization fallback;
  fallback.mean = {127.5f};
  fallback.std = {127.5f};
  return SetImageInput(m, 0, image, FitMode::kStretch, fallback, nullptr,
                       error) &&
         m.Invoke(error) && heads_.Embed(m, result, error);
}

}  // namespace ember::tasks
