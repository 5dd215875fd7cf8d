// Basic (Elman) RNN cell: h = act(W x + R h_prev + b), float.
#pragma once

#include <cstdint>
#include <cstring>

namespace ember::ref {

struct RnnDims {
  int input_size;
  int units;
};

// One step for one batch row; `hidden` is read (previous state) and then
// overwritten with the new state, which is also written to `out`.
// `scratch`: units floats.
template <typename Act>
inline void RnnStepFloat(const RnnDims& d, const float* x, const float* weights,
                         const float* recurrent, const float* bias,
                         float* hidden, float* scratch, float* out, Act act) {
  for (int u = 0; u < d.units; ++u) {
    float acc = bias ? bias[u] : 0.0f;
    const float* w = weights + static_cast<int64_t>(u) * d.input_size;
    for (int c = 0; c < d.input_size; ++c) acc += w[c] * x[c];
    const float* r = recurrent + static_cast<int64_t>(u) * d.units;
    for (int c = 0; c < d.units; ++c) acc += r[c] * hidden[c];
    scratch[u] = act(acc);
  }
  memcpy(hidden, scratch, sizeof(float) * d.units);
  memcpy(out, scratch, sizeof(float) * d.units);
}

}  // namespace ember::ref
