// Integer SVDF (int8 input and feature weights, int16 or int8 time weights
// and state) with the Arm DSP extension, bit-exact with ref::SvdfInt8: the
// feature dot products run two filters at a time on SMLAD (the input zero
// point folded into the lanes, as in dsp_kernels.h), the time dot products
// on SMLAD over int16 pairs (an int16 state is read two values per word)
// or over extended int8 lanes, the state shift by words; the
// requantization is the reference's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>

#include "kernels/ref/svdf.h"
#include "micro/dsp_kernels.h"

#if EMBER_MICRO_HAS_DSP
namespace ember::micro::dsp {

// *acc += sum s[m] * w[m] over n int16 values (zero points 0).
inline void DotS16(const int16_t* s, const int16_t* w, int32_t n,
                   int32_t* acc) {
  int32_t a = *acc;
  int32_t m = 0;
  for (; m + 2 <= n; m += 2) {
    uint32_t sv, wv;
    std::memcpy(&sv, s + m, sizeof(sv));
    std::memcpy(&wv, w + m, sizeof(wv));
    a = Smlad(sv, wv, a);
  }
  if (m < n) {
    a = AddWrap(a, static_cast<int32_t>(s[m]) * static_cast<int32_t>(w[m]));
  }
  *acc = a;
}

// Moves bytes [by, by + n) of p down to [0, n), a word per step (unaligned
// word loads and stores are fine on Cortex-M4+; a library memmove between
// differently aligned addresses is slower). Forward is safe: the bytes
// written in a step ([i, i + 16)) were all read in this step or before, as
// by <= 16.
// GCC would turn the loop back into a memmove call.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
inline void
MoveDown(uint8_t* p, size_t n, size_t by) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {  // four words read, then written
    uint32_t w[4];
    std::memcpy(w, p + i + by, sizeof(w));
    std::memcpy(p + i, w, sizeof(w));
  }
  for (; i + 4 <= n; i += 4) {
    uint32_t w;
    std::memcpy(&w, p + i + by, sizeof(w));
    std::memcpy(p + i, &w, sizeof(w));
  }
  for (; i < n; ++i) p[i] = p[i + by];
}

// False (nothing written) where the zero points cannot be folded; the
// caller then runs ref::SvdfInt8.
template <typename S>
bool SvdfS8(const ref::SvdfDims& d, const ref::SvdfQuantParams& p,
            const int8_t* input, const int8_t* weights_feature,
            const S* weights_time, const int32_t* bias, S* state,
            int32_t* scratch, int8_t* output) {
  static_assert(sizeof(S) == 1 || sizeof(S) == 2, "int8 or int16 state");
  if (!FoldableOffset(-p.input_zero_point) ||
      !FoldableOffset(-p.state_zero_point) ||
      (sizeof(S) == 2 && p.state_zero_point != 0)) {
    return false;
  }
  constexpr int32_t kStateMin = std::numeric_limits<S>::min();
  constexpr int32_t kStateMax = std::numeric_limits<S>::max();
  const size_t memory = static_cast<size_t>(d.memory);
  // Dropping the oldest entry of every memory row is one move of the whole
  // state by one element: the slot each row's last entry receives from
  // the next row is overwritten below with the new feature value.
  const size_t total = static_cast<size_t>(d.batch) * d.filters * memory;
  if (total > 1) {
    MoveDown(reinterpret_cast<uint8_t*>(state), (total - 1) * sizeof(S),
             sizeof(S));
  }

  const Offsets feature_o = MakeOffsets(-p.input_zero_point, 0);
  auto to_state = [&](int32_t acc) {
    acc = ref::MultiplyByQuantizedMultiplier(acc, p.feature_multiplier,
                                             p.feature_shift);
    return static_cast<S>(std::min<int32_t>(
        std::max<int32_t>(acc + p.state_zero_point, kStateMin), kStateMax));
  };
  const size_t in_size = static_cast<size_t>(d.input_size);
  for (int32_t b = 0; b < d.batch; ++b) {
    const int8_t* x = input + b * in_size;
    S* newest =
        state + static_cast<size_t>(b) * d.filters * memory + (memory - 1);
    int32_t f = 0;
    for (; f + 2 <= d.filters; f += 2) {
      const int8_t* w = weights_feature + f * in_size;
      int32_t acc0 = 0, acc1 = 0;
      DotPair(x, w, w + in_size, d.input_size, feature_o, &acc0, &acc1);
      newest[f * memory] = to_state(acc0);
      newest[(f + 1) * memory] = to_state(acc1);
    }
    if (f < d.filters) {
      int32_t acc = 0;
      Dot(x, weights_feature + f * in_size, d.input_size, feature_o, &acc);
      newest[f * memory] = to_state(acc);
    }
  }

  const Offsets time_o = MakeOffsets(-p.state_zero_point, 0);
  for (int32_t b = 0; b < d.batch; ++b) {
    for (int32_t f = 0; f < d.filters; ++f) {
      const S* s = state + (static_cast<size_t>(b) * d.filters + f) * memory;
      const S* w = weights_time + f * memory;
      int32_t acc = 0;
      if constexpr (sizeof(S) == 2) {
        DotS16(s, w, d.memory, &acc);
      } else {
        Dot(s, w, d.memory, time_o, &acc);
      }
      scratch[static_cast<size_t>(b) * d.filters + f] = acc;
    }
  }

  // The reference's output stage.
  const int32_t units = d.units();
  for (int32_t b = 0; b < d.batch; ++b) {
    for (int32_t u = 0; u < units; ++u) {
      uint32_t acc = bias ? static_cast<uint32_t>(bias[u]) : 0u;
      for (int32_t r = 0; r < d.rank; ++r)
        acc += static_cast<uint32_t>(
            scratch[static_cast<size_t>(b) * d.filters + u * d.rank + r]);
      int32_t v = ref::MultiplyByQuantizedMultiplier(
          static_cast<int32_t>(acc), p.time_multiplier, p.time_shift);
      v += p.output_zero_point;
      v = std::min<int32_t>(std::max<int32_t>(v, -128), 127);
      output[static_cast<size_t>(b) * units + u] = static_cast<int8_t>(v);
    }
  }
  return true;
}

}  // namespace ember::micro::dsp
#endif  // EMBER_MICRO_HAS_DSP
