// Reference L2_NORMALIZATION over the last dimension: x / max(||x||, eps).
// Quantized outputs have scale 1/128 (int8 zero point 0, uint8 128); the
// inverse square root is a fixed-point Newton-Raphson as in LiteRT.
// Output may alias the input (each element is read before it is written).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/ref/fixed_point.h"
#include "kernels/ref/quant_util.h"

namespace ember::ref {

inline void L2NormalizeFloat(int64_t outer, int32_t depth, const float* in,
                             float* out) {
  constexpr float kEpsilon = 1e-6f;
  for (int64_t r = 0; r < outer; ++r) {
    const float* x = in + r * depth;
    float sum_sq = 0.0f;
    for (int32_t c = 0; c < depth; ++c) sum_sq += x[c] * x[c];
    const float norm = std::max(std::sqrt(sum_sq), kEpsilon);
    for (int32_t c = 0; c < depth; ++c) out[r * depth + c] = x[c] / norm;
  }
}

// 1/sqrt(x) for an integer x >= 0 as a Q31 multiplier and an exponent for
// MultiplyByQuantizedMultiplier (x <= 1 is treated as 1).
inline void InvSqrtMultiplier(int32_t x, int32_t* multiplier, int* shift) {
  if (x <= 1) {
    *multiplier = std::numeric_limits<int32_t>::max();
    *shift = 0;
    return;
  }
  int right_shift = 11;
  while (x >= (1 << 29)) {
    x /= 4;
    ++right_shift;
  }
  // Normalise x into [2^27, 2^29) by an even left shift.
  const int pairs = (CountLeadingZeros32(static_cast<uint32_t>(x)) - 1) / 2 - 1;
  right_shift -= pairs;
  x <<= 2 * pairs;
  // Newton-Raphson for 1/sqrt in Q3, five steps from 1.0.
  const int32_t input_q3 = x >> 1;
  const int32_t half_input = SaturatingRoundingMulByPOT(input_q3, -1);
  const int32_t three_halves = (1 << 28) + (1 << 27);
  int32_t y = 1 << 28;  // 1.0 in Q3
  for (int i = 0; i < 5; ++i) {
    const int32_t y3 = RescaleQ(SaturatingRoundingDoublingHighMul(
                                    SaturatingRoundingDoublingHighMul(y, y), y),
                                9, 3);
    y = RescaleQ(SaturatingRoundingDoublingHighMul(three_halves, y) -
                     SaturatingRoundingDoublingHighMul(half_input, y3),
                 6, 3);
  }
  const int32_t half_sqrt2 = 1518500250;  // sqrt(2)/2 in Q0
  y = SaturatingRoundingDoublingHighMul(y, half_sqrt2);
  if (right_shift < 0) {
    y = static_cast<int32_t>(static_cast<uint32_t>(y) << -right_shift);
    right_shift = 0;
  }
  *multiplier = y;
  *shift = -right_shift;
}

inline void L2NormalizeInt8(int64_t outer, int32_t depth, int32_t zero_point,
                            const int8_t* in, int8_t* out) {
  for (int64_t r = 0; r < outer; ++r) {
    const int8_t* x = in + r * depth;
    int32_t sum_sq = 0;
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t v = x[c] - zero_point;
      sum_sq += v * v;
    }
    int32_t mult;
    int shift;
    InvSqrtMultiplier(sum_sq, &mult, &shift);
    for (int32_t c = 0; c < depth; ++c) {
      // Output scale 1/128: fold the factor 2^7 into the shift.
      const int32_t v =
          MultiplyByQuantizedMultiplier(x[c] - zero_point, mult, shift + 7);
      out[r * depth + c] =
          static_cast<int8_t>(std::min(std::max(v, -128), 127));
    }
  }
}

inline void L2NormalizeUInt8(int64_t outer, int32_t depth, int32_t zero_point,
                             const uint8_t* in, uint8_t* out) {
  for (int64_t r = 0; r < outer; ++r) {
    const uint8_t* x = in + r * depth;
    int32_t sum_sq = 0;
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t v = x[c] - zero_point;
      sum_sq += v * v;
    }
    int32_t mult;
    int shift;
    InvSqrtMultiplier(sum_sq, &mult, &shift);
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t v = MultiplyByQuantizedMultiplierSmallerThanOneExp(
                            128 * (x[c] - zero_point), mult, shift) +
                        128;
      out[r * depth + c] = static_cast<uint8_t>(std::min(std::max(v, 0), 255));
    }
  }
}

}  // namespace ember::ref
