// ImageEmbedder: an image in, a feature vector per model output out (as
// MediaPipe Tasks' vision.ImageEmbedder), for similarity search and
// deduplication: ImageEmbedder::CosineSimilarity compares two results'
// embeddings. The image is stretched to the input size and normalized from
// the model's metadata, else to [-1, 1].
#pragma once

#include <memory>
#include <string>

#include "processing/image.h"
#include "tasks/embedder_head.h"
#include "tasks/embedding.h"
#include "tasks/task_model.h"

namespace ember::tasks {

struct ImageEmbedderOptions {
  BaseOptions base_options;
  EmbedderOptions embedder_options;
};

class ImageEmbedder {
 public:
  static bool CreateFromOptions(const ImageEmbedderOptions& options,
                                std::unique_ptr<ImageEmbedder>* out,
                                std::string* error);
  bool Embed(const processing::Image& image, EmbeddingResult* result,
             std::string* error);
  static bool CosineSimilarity(const Embedding& u, const Embedding& v,
                               double* out, std::string* error) {
    return tasks::CosineSimilarity(u, v, out, error);
  }

 private:
  ImageEmbedder() = default;
  std::unique_ptr<TaskModel> model_;
  EmbedderHeads heads_;
};

}  // namespace ember::tasks
