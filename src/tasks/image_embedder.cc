#include "tasks/image_embedder.h"

namespace ember::tasks {
namespace {

// A head's name: the output's name in the metadata (what MediaPipe
// reports), else the tensor's name in the model.
std::string HeadName(TaskModel& m, int i) {
  const auto& subgraphs = m.metadata().metadata.subgraph_metadata;
  if (!subgraphs.empty() && subgraphs[0] &&
      i < static_cast<int>(subgraphs[0]->output_tensor_metadata.size())) {
    const auto& t = subgraphs[0]->output_tensor_metadata[i];
    if (t && !t->name.empty()) return t->name;
  }
  const char* name = m.output(i).name;
  return name != nullptr ? name : "";
}

}  // namespace

bool ImageEmbedder::CreateFromOptions(const ImageEmbedderOptions& options,
                                      std::unique_ptr<ImageEmbedder>* out,
                                      std::string* error) {
  std::unique_ptr<ImageEmbedder> e(new ImageEmbedder());
  e->options_ = options;
  if (!TaskModel::Create(options.base_options, &e->model_, error)) return false;
  TaskModel& m = *e->model_;
  ImageInputShape shape;
  if (!GetImageInputShape(m, 0, &shape, error)) return false;
  if (m.num_outputs() < 1) {
    *error = "model '" + m.path() + "' has no output to embed";
    return false;
  }
  for (int i = 0; i < m.num_outputs(); ++i) {
    // Batch 1: [1, D], [1, 1, 1, D] (a pooled feature map) or [D].
    const Tensor& t = m.output(i);
    for (int d = 0; d + 1 < t.shape.rank; ++d) {
      if (t.shape.dim(d) != 1) {
        *error = std::string("output '") + (t.name ? t.name : "") +
                 "' of model '" + m.path() +
                 "' is not one feature vector (a batch-1 tensor whose axes "
                 "but the last are 1); an image embedder needs one";
        return false;
      }
    }
    e->head_names_.push_back(HeadName(m, i));
  }
  *out = std::move(e);
  return true;
}

bool ImageEmbedder::Embed(const processing::Image& image,
                          EmbeddingResult* result, std::string* error) {
  TaskModel& m = *model_;
  processing::InputNormalization fallback;
  fallback.mean = {127.5f};
  fallback.std = {127.5f};
  if (!SetImageInput(m, 0, image, FitMode::kStretch, fallback, nullptr,
                     error) ||
      !m.Invoke(error))
    return false;
  result->embeddings.clear();
  for (int i = 0; i < m.num_outputs(); ++i) {
    std::vector<float> values;
    if (!m.OutputAsFloat(i, &values, error)) return false;
    result->embeddings.push_back(MakeEmbedding(
        std::move(values), options_.embedder_options, i, head_names_[i]));
  }
  return true;
}

}  // namespace ember::tasks
