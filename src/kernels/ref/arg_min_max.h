// ARG_MAX / ARG_MIN along one axis: the first index of the extreme value.
#pragma once

#include <cstdint>

namespace ember::ref {

struct ArgParams {
  int64_t outer, axis_size, inner;
};

template <typename T, typename Out, bool kMax>
inline void ArgMinMax(const ArgParams& p, const T* in, Out* out) {
  for (int64_t o = 0; o < p.outer; ++o) {
    for (int64_t i = 0; i < p.inner; ++i) {
      const T* base = in + o * p.axis_size * p.inner + i;
      T best = base[0];
      int64_t best_index = 0;
      for (int64_t k = 1; k < p.axis_size; ++k) {
        const T v = base[k * p.inner];
        if (kMax ? (v > best) : (v < best)) {
          best = v;
          best_index = k;
        }
      }
      out[o * p.inner + i] = static_cast<Out>(best_index);
    }
  }
}

}  // namespace ember::ref
