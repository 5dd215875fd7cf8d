// Embeddings, as MediaPipe Tasks' embedders return them: one feature vector
// per output tensor ("head"), optionally L2-normalized and scalar-quantized
// to int8, and the cosine similarity of two of them. Shared by the image
// embedder and any later embedder (text, audio).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::tasks {

struct EmbedderOptions {
  // Divide each embedding by its L2 norm (an all-zero one is left as is).
  bool l2_normalize = false;
  // Scalar-quantize to int8: round(v * 128) clamped to [-128, 127]. The
  // values are assumed to lie in [-1, 1], so this is usually combined with
  // l2_normalize.
  bool quantize = false;
};

// Exactly one of the two vectors is filled, as `quantize` asks.
struct Embedding {
  std::vector<float> float_embedding;
  std::vector<int8_t> quantized_embedding;
  int head_index = 0;
  std::string head_name;  // the output tensor's name in the metadata/model
  bool quantized() const { return float_embedding.empty(); }
  size_t size() const {
    return quantized() ? quantized_embedding.size() : float_embedding.size();
  }
};

struct EmbeddingResult {
  std::vector<Embedding> embeddings;  // one per output tensor, in order
};

// The embedding of raw head values under `options`.
Embedding MakeEmbedding(std::vector<float> values,
                        const EmbedderOptions& options, int head_index,
                        std::string head_name);

// cos(u, v) in [-1, 1]. False with `error` when the two are of different
// kinds (float and quantized) or sizes, empty, or one has norm 0.
bool CosineSimilarity(const Embedding& u, const Embedding& v, double* out,
                      std::string* error);

}  // namespace ember::tasks
