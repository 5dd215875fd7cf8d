// Fixed-point helpers of TFLite's quantization specification. Integer
// kernels must produce the same bits as LiteRT's reference kernels, so the
// rounding here follows the published arithmetic exactly (double rounding:
// saturating rounding doubling high multiply, then rounding right shift).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ember::ref {

// Splits a positive real multiplier into a Q31 mantissa and a power-of-two
// exponent: real ~= quantized * 2^(shift - 31).
inline void QuantizeMultiplier(double real, int32_t* quantized, int* shift) {
  if (real == 0.0) {
    *quantized = 0;
    *shift = 0;
    return;
  }
  const double q = std::frexp(real, shift);
  int64_t q_fixed = static_cast<int64_t>(std::round(q * (1LL << 31)));
  if (q_fixed == (1LL << 31)) {
    q_fixed /= 2;
    ++*shift;
  }
  if (*shift < -31) {
    *shift = 0;
    q_fixed = 0;
  }
  if (*shift > 30) {
    *shift = 30;
    q_fixed = (1LL << 31) - 1;
  }
  *quantized = static_cast<int32_t>(q_fixed);
}

// For multipliers below one (shift <= 0), as used by several integer ops.
inline void QuantizeMultiplierSmallerThanOneExp(double real, int32_t* quantized,
                                                int* left_shift) {
  QuantizeMultiplier(real, quantized, left_shift);
}

inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  const bool overflow = a == b && a == std::numeric_limits<int32_t>::min();
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  const int32_t high = static_cast<int32_t>((ab + nudge) / (1LL << 31));
  return overflow ? std::numeric_limits<int32_t>::max() : high;
}

// Round-half-away-from-zero arithmetic right shift.
inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((1LL << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * multiplier * 2^shift with TFLite's reference rounding.
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t multiplier,
                                             int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  return RoundingDivideByPOT(
      SaturatingRoundingDoublingHighMul(
          static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift),
          multiplier),
      right_shift);
}

// 64-bit accumulator variant (int16x8 convolution / fully connected). The
// reference reduces the multiplier to 16 bits first; so must we.
inline int32_t MultiplyByQuantizedMultiplier(int64_t x, int32_t multiplier,
                                             int shift) {
  const int32_t reduced =
      multiplier < 0x7FFF0000 ? ((multiplier + (1 << 15)) >> 16) : 0x7FFF;
  const int64_t total_shift = 15 - shift;
  const int64_t round = static_cast<int64_t>(1) << (total_shift - 1);
  int64_t result = x * static_cast<int64_t>(reduced) + round;
  result = result >> total_shift;
  result = std::clamp<int64_t>(result, std::numeric_limits<int32_t>::min(),
                               std::numeric_limits<int32_t>::max());
  return static_cast<int32_t>(result);
}

inline int32_t MultiplyByQuantizedMultiplierSmallerThanOneExp(
    int32_t x, int32_t multiplier, int left_shift) {
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, multiplier),
                             -left_shift);
}

inline int32_t MultiplyByQuantizedMultiplierGreaterThanOne(int32_t x,
                                                           int32_t multiplier,
                                                           int left_shift) {
  return SaturatingRoundingDoublingHighMul(x * (1 << left_shift), multiplier);
}

}  // namespace ember::ref
