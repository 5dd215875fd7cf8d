#include "tasks/embedding.h"

#include <algorithm>
#include <cmath>

namespace ember::tasks {
namespace {

template <typename T>
bool Cosine(const std::vector<T>& u, const std::vector<T>& v, double* out,
            std::string* error) {
  // Accumulated in double: a 1024-wide float embedding loses digits in a
  // float sum, and the quantized values are small integers.
  double dot = 0, uu = 0, vv = 0;
  for (size_t i = 0; i < u.size(); ++i) {
    const double a = u[i], b = v[i];
    dot += a * b;
    uu += a * a;
    vv += b * b;
  }
  if (uu <= 0 || vv <= 0) {
    *error =
        "cannot compute the cosine similarity of an embedding whose "
        "norm is 0";
    return false;
  }
  *out = std::clamp(dot / std::sqrt(uu * vv), -1.0, 1.0);
  return true;
}

}  // namespace

Embedding MakeEmbedding(std::vector<float> values,
                        const EmbedderOptions& options, int head_index,
                        std::string head_name) {
  if (options.l2_normalize) {
    double sum = 0;
    for (float x : values) sum += static_cast<double>(x) * x;
    if (sum > 0) {
      const double inv = 1.0 / std::sqrt(sum);
      for (float& x : values) x = static_cast<float>(x * inv);
    }
  }
  Embedding e;
  e.head_index = head_index;
  e.head_name = std::move(head_name);
  if (options.quantize) {
    e.quantized_embedding.reserve(values.size());
    for (float x : values) {
      const float q = std::clamp(std::round(x * 128.0f), -128.0f, 127.0f);
      e.quantized_embedding.push_back(static_cast<int8_t>(q));
    }
  } else {
    e.float_embedding = std::move(values);
  }
  return e;
}

bool CosineSimilarity(const Embedding& u, const Embedding& v, double* out,
                      std::string* error) {
  if (u.quantized() != v.quantized()) {
    *error =
        "cannot compare a quantized embedding with a float one (embed "
        "both with the same quantize option)";
    return false;
  }
  if (u.size() != v.size() || u.size() == 0) {
    *error = "the embeddings have different sizes (" +
             std::to_string(u.size()) + " and " + std::to_string(v.size()) +
             ")";
    if (u.size() == 0) *error = "the embedding is empty";
    return false;
  }
  return u.quantized()
             ? Cosine(u.quantized_embedding, v.quantized_embedding, out, error)
             : Cosine(u.float_embedding, v.float_embedding, out, error);
}

}  // namespace ember::tasks
