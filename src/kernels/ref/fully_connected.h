// Reference FULLY_CONNECTED: out[b, u] = sum_i input[b, i] * weights[u, i]
// (+ bias[u]), weights stored [units, depth].
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/ref/conv.h"

namespace ember::ref {

struct FullyConnectedShape {
  int32_t batches = 0;
  int32_t depth = 0;  // input elements per batch row
  int32_t units = 0;  // output elements per batch row
};

inline void FullyConnectedFloat(const FullyConnectedShape& s,
                                const float* input, const float* weights,
                                const float* bias, float lo, float hi,
                                float* output) {
  for (int32_t b = 0; b < s.batches; ++b) {
    const float* x = input + static_cast<int64_t>(b) * s.depth;
    for (int32_t u = 0; u < s.units; ++u) {
      const float* w = weights + static_cast<int64_t>(u) * s.depth;
      float acc = 0.0f;
      for (int32_t i = 0; i < s.depth; ++i) acc += x[i] * w[i];
      if (bias) acc += bias[u];
      output[static_cast<int64_t>(b) * s.units + u] =
          std::min(std::max(acc, lo), hi);
    }
  }
}

// Integer FC: acc = sum (w + weights_offset) * (x + input_offset) + bias,
// then requantized per unit (q.multiplier/q.shift have one entry per unit).
template <typename AccT, typename InT, typename WeightT, typename BiasT,
          typename OutT>
void FullyConnectedQuantized(const FullyConnectedShape& s, const InT* input,
                             int32_t input_offset, const WeightT* weights,
                             int32_t weights_offset, const BiasT* bias,
                             const QuantizedOutput& q, OutT* output) {
  for (int32_t b = 0; b < s.batches; ++b) {
    const InT* x = input + static_cast<int64_t>(b) * s.depth;
    for (int32_t u = 0; u < s.units; ++u) {
      const WeightT* w = weights + static_cast<int64_t>(u) * s.depth;
      AccT acc = 0;
      for (int32_t i = 0; i < s.depth; ++i) {
        acc += (static_cast<AccT>(w[i]) + weights_offset) *
               (static_cast<AccT>(x[i]) + input_offset);
      }
      if (bias) acc += static_cast<AccT>(bias[u]);
      output[static_cast<int64_t>(b) * s.units + u] = static_cast<OutT>(
          Requantize(acc, q.multiplier[u], q.shift[u], q.output_offset,
                     q.act_lo, q.act_hi, q.rounding));
    }
  }
}

// Hybrid FC over an input quantized per batch row:
//   out = clamp(bias + acc * (input_scale[b] * weight_scale[u]), lo, hi)
// with acc = sum w * (q_x - input_zp[b]); input_zps may be null
// (symmetric). `weight_scales` has `units` entries, or one when
// `per_channel` is false; for per-tensor weights the two scales are
// multiplied first (as a batch scale), matching the reference order.
inline void FullyConnectedHybrid(
    const FullyConnectedShape& s, const int8_t* q_input,
    const float* input_scales, const int32_t* input_zps, const int8_t* weights,
    const float* weight_scales, bool per_channel, const float* bias, float lo,
    float hi, float* output) {
  for (int32_t b = 0; b < s.batches; ++b) {
    const int8_t* x = q_input + static_cast<int64_t>(b) * s.depth;
    const int32_t zp = input_zps ? input_zps[b] : 0;
    const float batch_scale =
        per_channel ? input_scales[b] : input_scales[b] * weight_scales[0];
    for (int32_t u = 0; u < s.units; ++u) {
      const int8_t* w = weights + static_cast<int64_t>(u) * s.depth;
      int32_t acc = 0;
      for (int32_t i = 0; i < s.depth; ++i)
        acc += static_cast<int32_t>(w[i]) * (static_cast<int32_t>(x[i]) - zp);
      const float scale =
          per_channel ? batch_scale * weight_scales[u] : batch_scale;
      float v = bias ? bias[u] : 0.0f;
      v += static_cast<float>(acc) * scale;
      output[static_cast<int64_t>(b) * s.units + u] =
          std::min(std::max(v, lo), hi);
    }
  }
}

}  // namespace ember::ref
