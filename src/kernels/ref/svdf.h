// SVDF: a fully connected layer factored into a feature projection and a
// per-filter filter over time, with a rolling activation state.
//
// Layout: state is [batch, filters, memory] (the newest activation is the
// last of each filter's `memory` entries); weights_feature [filters, input];
// weights_time [filters, memory]; bias [units]; output [batch, units], where
// filters = units * rank and unit u sums filters u*rank .. u*rank+rank-1.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>

#include "kernels/ref/quant_util.h"

namespace ember::ref {

struct SvdfDims {
  int batch;
  int input_size;
  int filters;
  int memory;
  int rank;
  int units() const { return filters / rank; }
};

// Drops the oldest entry of every filter's memory row; the newest slot is
// left for the caller to overwrite.
template <typename T>
inline void SvdfShiftState(const SvdfDims& d, T* state) {
  for (int b = 0; b < d.batch; ++b) {
    for (int f = 0; f < d.filters; ++f) {
      T* row = state + (static_cast<int64_t>(b) * d.filters + f) * d.memory;
      for (int m = 0; m + 1 < d.memory; ++m) row[m] = row[m + 1];
    }
  }
}

// Float SVDF. `scratch` holds batch * filters floats. `act` maps a value
// through the fused activation.
template <typename Act>
inline void SvdfFloat(const SvdfDims& d, const float* input,
                      const float* weights_feature, const float* weights_time,
                      const float* bias, float* state, float* scratch,
                      float* output, Act act) {
  SvdfShiftState(d, state);
  for (int b = 0; b < d.batch; ++b) {
    const float* x = input + static_cast<int64_t>(b) * d.input_size;
    for (int f = 0; f < d.filters; ++f) {
      const float* w = weights_feature + static_cast<int64_t>(f) * d.input_size;
      float acc = 0.0f;
      for (int c = 0; c < d.input_size; ++c) acc += w[c] * x[c];
      state[(static_cast<int64_t>(b) * d.filters + f) * d.memory + d.memory -
            1] = acc;
    }
  }
  for (int b = 0; b < d.batch; ++b) {
    for (int f = 0; f < d.filters; ++f) {
      const float* s =
          state + (static_cast<int64_t>(b) * d.filters + f) * d.memory;
      const float* w = weights_time + static_cast<int64_t>(f) * d.memory;
      float acc = 0.0f;
      for (int m = 0; m < d.memory; ++m) acc += w[m] * s[m];
      scratch[static_cast<int64_t>(b) * d.filters + f] = acc;
    }
  }
  const int units = d.units();
  for (int b = 0; b < d.batch; ++b) {
    for (int u = 0; u < units; ++u) {
      float acc = bias ? bias[u] : 0.0f;
      for (int r = 0; r < d.rank; ++r)
        acc += scratch[static_cast<int64_t>(b) * d.filters + u * d.rank + r];
      output[static_cast<int64_t>(b) * units + u] = act(acc);
    }
  }
}

struct SvdfQuantParams {
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t state_zero_point;  // 0 for an int16 state
  // input*feature -> state scale, and state*time -> output scale.
  int32_t feature_multiplier;
  int feature_shift;
  int32_t time_multiplier;
  int time_shift;
};

// Full-integer SVDF: int8 input/feature weights, int32 bias, int8 output,
// and time weights and state of type S: int16 (symmetric state, LiteRT's
// scheme) or int8 (state with a zero point, TFLite Micro's scheme).
// `scratch`: batch * filters.
template <typename S>
inline void SvdfInt8(const SvdfDims& d, const SvdfQuantParams& p,
                     const int8_t* input, const int8_t* weights_feature,
                     const S* weights_time, const int32_t* bias, S* state,
                     int32_t* scratch, int8_t* output) {
  constexpr int32_t kStateMin = std::numeric_limits<S>::min();
  constexpr int32_t kStateMax = std::numeric_limits<S>::max();
  SvdfShiftState(d, state);
  for (int b = 0; b < d.batch; ++b) {
    const int8_t* x = input + static_cast<int64_t>(b) * d.input_size;
    for (int f = 0; f < d.filters; ++f) {
      const int8_t* w =
          weights_feature + static_cast<int64_t>(f) * d.input_size;
      int32_t acc = 0;
      for (int c = 0; c < d.input_size; ++c)
        acc += static_cast<int32_t>(w[c]) *
               (static_cast<int32_t>(x[c]) - p.input_zero_point);
      acc = MultiplyByQuantizedMultiplier(acc, p.feature_multiplier,
                                          p.feature_shift);
      acc = std::min<int32_t>(
          std::max<int32_t>(acc + p.state_zero_point, kStateMin), kStateMax);
      state[(static_cast<int64_t>(b) * d.filters + f) * d.memory + d.memory -
            1] = static_cast<S>(acc);
    }
  }
  for (int b = 0; b < d.batch; ++b) {
    for (int f = 0; f < d.filters; ++f) {
      const S* s = state + (static_cast<int64_t>(b) * d.filters + f) * d.memory;
      const S* w = weights_time + static_cast<int64_t>(f) * d.memory;
      // 32-bit wrap-around accumulation, as the reference does.
      uint32_t acc = 0;
      for (int m = 0; m < d.memory; ++m)
        acc += static_cast<uint32_t>(
            static_cast<int32_t>(w[m]) *
            (static_cast<int32_t>(s[m]) - p.state_zero_point));
      scratch[static_cast<int64_t>(b) * d.filters + f] =
          static_cast<int32_t>(acc);
    }
  }
  const int units = d.units();
  for (int b = 0; b < d.batch; ++b) {
    for (int u = 0; u < units; ++u) {
      uint32_t acc = bias ? static_cast<uint32_t>(bias[u]) : 0u;
      for (int r = 0; r < d.rank; ++r)
        acc += static_cast<uint32_t>(
            scratch[static_cast<int64_t>(b) * d.filters + u * d.rank + r]);
      int32_t v = MultiplyByQuantizedMultiplier(
          static_cast<int32_t>(acc), p.time_multiplier, p.time_shift);
      v += p.output_zero_point;
      v = std::min<int32_t>(std::max<int32_t>(v, -128), 127);
      output[static_cast<int64_t>(b) * units + u] = static_cast<int8_t>(v);
    }
  }
}

}  // namespace ember::ref
