// 8-bit SOFTMAX, bit-exact with ref::SoftmaxQuantized8 but without its
// per-element fixed-point exp: with 8-bit inputs the difference to the row
// maximum takes at most 256 values (0 down to -255), and the Q0 exp of each
// depends only on that difference and the op's constant input multiplier, so
// Prepare tabulates the 256 results once and Eval looks them up. A difference
// below diff_min gets 0, which gives exactly the reference's result (no share
// of the sum, output = the type's minimum). Rows are split over the pool.
// For int8 -> int8 the per-element output step (exp x the row's reciprocal,
// rounding shift) runs on a kernel from softmax_s8_kernels.def.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>

#include "base/thread_pool.h"
#include "kernels/dispatch/registry.h"
#include "kernels/ref/softmax.h"

namespace ember::x86 {

struct Softmax8Table {
  int32_t exp[256];  // Q0 exp of difference -i
  int32_t q12[256];  // the same rescaled to the Q12 accumulator
};

// One int8 row's outputs: y[c] = clamp(RoundingDivideByPOT(
// SaturatingRoundingDoublingHighMul(reciprocal, exp[max - x[c]]), exponent)
// - 128) for an exponent <= 31 (y may alias x).
using Softmax8OutRowFn = void (*)(const int32_t* exp, const int8_t* x,
                                  int8_t* y, int32_t depth, int32_t max,
                                  int32_t reciprocal, int32_t exponent);

struct Softmax8Kernel {
  kernels::Isa isa = kernels::Isa::kPortable;
  const char* function = nullptr;
  const char* label = nullptr;  // kernel_variant
  Softmax8OutRowFn fn = nullptr;
};

// Best first; the last is portable.
std::span<const Softmax8Kernel> Softmax8Kernels();

inline const Softmax8Kernel* SelectSoftmax8(kernels::IsaSet allowed) {
  return kernels::FirstAllowed(Softmax8Kernels(), allowed);
}

inline void PrepareSoftmax8Table(const ref::SoftmaxParams& p,
                                 Softmax8Table* t) {
  constexpr int kScaledDiffIntegerBits = 5;
  constexpr int kAccumulationIntegerBits = 12;
  for (int32_t i = 0; i < 256; ++i) {
    const int32_t diff = -i;
    int32_t e = 0;
    if (diff >= p.diff_min) {
      const int32_t scaled = ref::MultiplyByQuantizedMultiplierGreaterThanOne(
          diff, p.input_multiplier, p.input_left_shift);
      e = ref::ExpOnNegativeValues(scaled, kScaledDiffIntegerBits);
    }
    t->exp[i] = e;
    t->q12[i] = ref::RescaleQ(e, 0, kAccumulationIntegerBits);
  }
}

template <typename In, typename Out>
void Softmax8TableRows(const Softmax8Table& t, Softmax8OutRowFn fast,
                       const In* in, Out* out, int32_t depth, int64_t row_begin,
                       int64_t row_end) {
  constexpr int kAccumulationIntegerBits = 12;
  constexpr int32_t kOutMin = std::numeric_limits<Out>::min();
  constexpr int32_t kOutMax = std::numeric_limits<Out>::max();
  constexpr int kOutBits = static_cast<int>(sizeof(Out) * 8);
  for (int64_t r = row_begin; r < row_end; ++r) {
    const In* x = in + r * depth;
    Out* y = out + r * depth;
    int32_t max = std::numeric_limits<In>::min();
    for (int32_t c = 0; c < depth; ++c) max = std::max<int32_t>(max, x[c]);
    // Wrapping int32 sum, as the reference's accumulator.
    uint32_t sum = 0;
    for (int32_t c = 0; c < depth; ++c)
      sum += static_cast<uint32_t>(t.q12[max - static_cast<int32_t>(x[c])]);
    int num_bits_over_unit = 0;
    const int32_t reciprocal =
        ref::GetReciprocal(static_cast<int32_t>(sum), kAccumulationIntegerBits,
                           &num_bits_over_unit);
    const int exponent = num_bits_over_unit + 31 - kOutBits;
    if constexpr (std::is_same_v<In, int8_t> && std::is_same_v<Out, int8_t>) {
      if (fast != nullptr && exponent <= 31) {
        fast(t.exp, x, y, depth, max, reciprocal, exponent);
        continue;
      }
    }
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t prob = ref::SaturatingRoundingDoublingHighMul(
          reciprocal, t.exp[max - static_cast<int32_t>(x[c])]);
      const int32_t scaled =
          exponent <= 31
              ? ref::RoundingDivideByPOT(prob, exponent)
              : static_cast<int32_t>((static_cast<int64_t>(prob) +
                                      (int64_t{1} << (exponent - 1))) >>
                                     exponent);
      const int32_t v = scaled + kOutMin;
      y[c] = static_cast<Out>(std::min(std::max(v, kOutMin), kOutMax));
    }
  }
}

// The output may alias the input (each row is read fully before written).
template <typename In, typename Out>
void RunSoftmax8Table(ThreadPool* pool, const Softmax8Table& t,
                      Softmax8OutRowFn fast, const In* in, Out* out,
                      int32_t depth, int64_t rows) {
  // About 16K elements per chunk pays for a wake-up.
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max(1, depth));
  if (pool == nullptr || pool->num_threads() <= 1 || rows <= grain) {
    Softmax8TableRows(t, fast, in, out, depth, 0, rows);
    return;
  }
  pool->ParallelFor(rows, grain, [&](int64_t r0, int64_t r1) {
    Softmax8TableRows(t, fast, in, out, depth, r0, r1);
  });
}

}  // namespace ember::x86
