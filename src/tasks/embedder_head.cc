#include "tasks/embedder_head.h"

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

bool EmbedderHeads::Init(TaskModel& m, const EmbedderOptions& options,
                         std::string* error) {
  options_ = options;
  if (m.num_outputs() < 1) {
    *error = "model '" + m.path() + "' has no output to embed";
    return false;
  }
  names_.clear();
  for (int i = 0; i < m.num_outputs(); ++i) {
    // Batch 1: [1, D], [1, 1, 1, D] (a pooled feature map) or [D].
    const Tensor& t = m.output(i);
    for (int d = 0; d + 1 < t.shape.rank; ++d) {
      if (t.shape.dim(d) != 1) {
        *error = std::string("output '") + (t.name ? t.name : "") +
                 "' of model '" + m.path() +
                 "' is not one feature vector (a batch-1 tensor whose axes "
                 "but the last are 1); an embedder needs one";
        return false;
      }
    }
    names_.push_back(HeadName(m, i));
  }
  return true;
}

bool EmbedderHeads::Embed(TaskModel& m, EmbeddingResult* result,
                          std::string* error) const {
  result->embeddings.clear();
  for (int i = 0; i < m.num_outputs(); ++i) {
    std::vector<float> values;
    if (!m.OutputAsFloat(i, &values, error)) return false;
    result->embeddings.push_back(
        MakeEmbedding(std::move(values), options_, i, names_[i]));
  }
  return true;
}

}  // namespace ember::tasks
