// Reference CUMSUM along one axis, optionally exclusive (each output omits
// its own element) and/or reversed (sums run from the end).
#pragma once

#include <cstdint>

namespace ember::ref {

// The tensor is viewed as [outer, depth, inner] with depth the summed axis.
template <typename T>
inline void CumSum(const T* in, int64_t outer, int64_t depth, int64_t inner,
                   bool exclusive, bool reverse, T* out) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      T acc = T(0);
      for (int64_t step = 0; step < depth; ++step) {
        const int64_t d = reverse ? depth - 1 - step : step;
        const int64_t idx = (o * depth + d) * inner + i;
        const T v = in[idx];  // read before writing: in and out may alias
        if (exclusive) {
          out[idx] = acc;
          acc += v;
        } else {
          acc += v;
          out[idx] = acc;
        }
      }
    }
  }
}

}  // namespace ember::ref
