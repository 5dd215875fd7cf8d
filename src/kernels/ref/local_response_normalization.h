// Reference LOCAL_RESPONSE_NORMALIZATION over the last (channel) dim:
// out[c] = in[c] * (bias + alpha * sum_{|k-c| <= radius} in[k]^2)^-beta.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace ember::ref {

struct LrnParams {
  int64_t outer = 0;
  int32_t depth = 0;
  int32_t radius = 0;
  float bias = 1.0f, alpha = 1.0f, beta = 0.5f;
};

inline void LocalResponseNormalization(const LrnParams& p, const float* in,
                                       float* out) {
  for (int64_t r = 0; r < p.outer; ++r) {
    const float* x = in + r * p.depth;
    for (int32_t c = 0; c < p.depth; ++c) {
      const int32_t lo = std::max(0, c - p.radius);
      const int32_t hi = std::min(p.depth - 1, c + p.radius);
      float sum_sq = 0.0f;
      for (int32_t k = lo; k <= hi; ++k) sum_sq += x[k] * x[k];
      out[r * p.depth + c] =
          x[c] * std::pow(p.bias + p.alpha * sum_sq, -p.beta);
    }
  }
}

}  // namespace ember::ref
