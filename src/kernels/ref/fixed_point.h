// Q-format fixed-point math used by LiteRT's integer softmax family
// (exp of non-positive values, 1/(1+x), reciprocal of a sum), following the
// published gemmlowp fixed-point arithmetic so that results are bit-exact.
// Values are raw int32; "Qk" means k integer bits and 31-k fraction bits.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "kernels/ref/quant_util.h"

namespace ember::ref {

// x * 2^exponent: saturating for exponent > 0, rounding for exponent < 0.
inline int32_t SaturatingRoundingMulByPOT(int32_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent < 0) return RoundingDivideByPOT(x, -exponent);
  const int32_t threshold =
      static_cast<int32_t>((int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) return std::numeric_limits<int32_t>::max();
  if (x < -threshold) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(static_cast<uint32_t>(x) << exponent);
}

// Changes the number of integer bits of a raw value.
inline int32_t RescaleQ(int32_t x, int from_bits, int to_bits) {
  return SaturatingRoundingMulByPOT(x, from_bits - to_bits);
}

// (a + b) / 2 rounded half away from zero.
inline int32_t RoundingHalfSum(int32_t a, int32_t b) {
  const int64_t sum = static_cast<int64_t>(a) + b;
  const int64_t sign = sum >= 0 ? 1 : -1;
  return static_cast<int32_t>((sum + sign) / 2);
}

// exp(a) for a (Q0) in [-1/4, 0): Taylor expansion around -1/8. Result Q0.
inline int32_t ExpOnQuarterInterval(int32_t a) {
  const int32_t exp_minus_one_eighth = 1895147668;  // exp(-1/8) in Q0
  const int32_t one_third = 715827883;              // 1/3 in Q0
  const int32_t x = a + (1 << 28);                  // a + 1/8
  const int32_t x2 = SaturatingRoundingDoublingHighMul(x, x);
  const int32_t x3 = SaturatingRoundingDoublingHighMul(x2, x);
  const int32_t x4 = SaturatingRoundingDoublingHighMul(x2, x2);
  const int32_t x4_over_4 = SaturatingRoundingMulByPOT(x4, -2);
  // x^2/2 + x^3/6 + x^4/24
  const int32_t poly = SaturatingRoundingMulByPOT(
      SaturatingRoundingDoublingHighMul(x4_over_4 + x3, one_third) + x2, -1);
  return exp_minus_one_eighth +
         SaturatingRoundingDoublingHighMul(exp_minus_one_eighth, x + poly);
}

// exp(a) for a <= 0 given in Q(integer_bits) (integer_bits <= 5). Result Q0.
// a is split into a multiple of 1/4 and a remainder in [-1/4, 0); the
// former is applied bit by bit with constants exp(-2^k).
inline int32_t ExpOnNegativeValues(int32_t a, int integer_bits) {
  const int frac_bits = 31 - integer_bits;
  const int32_t one_quarter = 1 << (frac_bits - 2);
  const int32_t a_mod_quarter = (a & (one_quarter - 1)) - one_quarter;
  int32_t result =
      ExpOnQuarterInterval(RescaleQ(a_mod_quarter, integer_bits, 0));
  const int32_t remainder = a_mod_quarter - a;
  struct Step {
    int exponent;
    int32_t multiplier;  // exp(-2^exponent) in Q0
  };
  static constexpr Step kSteps[] = {
      {-2, 1672461947}, {-1, 1302514674}, {0, 790015084}, {1, 290630308},
      {2, 39332535},    {3, 720401},      {4, 242}};
  for (const Step& s : kSteps) {
    if (integer_bits > s.exponent) {
      const int bit = frac_bits + s.exponent;
      if (remainder & (1 << bit)) {
        result = SaturatingRoundingDoublingHighMul(result, s.multiplier);
      }
    }
  }
  if (a == 0) result = std::numeric_limits<int32_t>::max();
  return result;
}

// 1 / (1 + a) for a (Q0) in [0, 1): Newton-Raphson on the half
// denominator, three iterations in Q2. Result Q0.
inline int32_t OneOverOnePlusX(int32_t a) {
  const int32_t half_denominator =
      RoundingHalfSum(a, std::numeric_limits<int32_t>::max());
  const int32_t c48_over_17 = 1515870810;       // Q2
  const int32_t c_neg32_over_17 = -1010580540;  // Q2
  int32_t x = c48_over_17 + SaturatingRoundingDoublingHighMul(half_denominator,
                                                              c_neg32_over_17);
  const int32_t one_q2 = 1 << 29;
  for (int i = 0; i < 3; ++i) {
    const int32_t hdx = SaturatingRoundingDoublingHighMul(half_denominator, x);
    const int32_t one_minus = one_q2 - hdx;
    x = x + RescaleQ(SaturatingRoundingDoublingHighMul(x, one_minus), 4, 2);
  }
  // x ~= 1/half_denominator (Q2); reading the same raw bits as Q1 halves
  // it, giving 1/(1+a), which is then moved to Q0.
  return RescaleQ(x, 1, 0);
}

inline int CountLeadingZeros32(uint32_t x) {
  if (x == 0) return 32;
  int n = 0;
  while ((x & 0x80000000u) == 0) {
    x <<= 1;
    ++n;
  }
  return n;
}

// Reciprocal of a positive Q(x_integer_digits) value, returned as a Q0
// mantissa in (1/2, 1] with *num_bits_over_unit telling the scale.
inline int32_t GetReciprocal(int32_t x, int x_integer_digits,
                             int* num_bits_over_unit) {
  const int headroom_plus_one = CountLeadingZeros32(static_cast<uint32_t>(x));
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  const int32_t shifted_minus_one = static_cast<int32_t>(
      (static_cast<uint32_t>(x) << headroom_plus_one) - (uint32_t{1} << 31));
  return OneOverOnePlusX(shifted_minus_one);
}

// Saturating int32 add / subtract.
inline int32_t SaturatingAdd32(int32_t a, int32_t b) {
  const int64_t v = static_cast<int64_t>(a) + b;
  return static_cast<int32_t>(
      std::min<int64_t>(std::max<int64_t>(v, INT32_MIN), INT32_MAX));
}
inline int32_t SaturatingSub32(int32_t a, int32_t b) {
  const int64_t v = static_cast<int64_t>(a) - b;
  return static_cast<int32_t>(
      std::min<int64_t>(std::max<int64_t>(v, INT32_MIN), INT32_MAX));
}

// log(x) for x >= 1 given in Q(input_bits); result in Q(output_bits).
// x = 2^z * r with r normalised around 1 (two candidate normalisations, one
// pre-multiplied by sqrt(1/2), keeping the better one), then
// log(x) = z*log(2) + log(r) with log(r) from a rational approximation in
// q = 2*(r - 2^-1/4).
inline int32_t LogXGreaterEqualOne(int32_t x, int input_bits, int output_bits) {
  const int accum_bits = output_bits + 1;
  const int32_t log_2 = 1488522236;           // Q0
  const int32_t sqrt_sqrt_half = 1805811301;  // Q0
  const int32_t sqrt_half = 1518500250;       // Q0
  const int32_t one_quarter = 536870912;      // Q0
  const int32_t alpha_n = 117049297;
  const int32_t alpha_d = 127690142;
  const int32_t alpha_i = 1057819769;
  const int32_t alpha_f = 638450708;
  const int32_t shifted_quarter = RescaleQ(one_quarter, 0, accum_bits);

  // Candidate a: x read as Q0 and normalised, times sqrt(1/2) * 2.
  const int32_t z_a = x;
  const int z_a_headroom_plus_1 =
      CountLeadingZeros32(static_cast<uint32_t>(z_a));
  const int32_t r_a_tmp =
      SaturatingRoundingMulByPOT(z_a, z_a_headroom_plus_1 - 1);
  const int32_t r_a = SaturatingRoundingMulByPOT(
      SaturatingRoundingDoublingHighMul(r_a_tmp, sqrt_half), 1);
  const int32_t z_a_pow2_adj =
      SaturatingAdd32(SaturatingRoundingMulByPOT(
                          input_bits - z_a_headroom_plus_1, 31 - accum_bits),
                      shifted_quarter);
  // Candidate b: x * sqrt(1/2) normalised.
  const int32_t z_b = SaturatingRoundingDoublingHighMul(z_a, sqrt_half);
  const int z_b_headroom = CountLeadingZeros32(static_cast<uint32_t>(z_b)) - 1;
  const int32_t r_b = SaturatingRoundingMulByPOT(z_a, z_b_headroom);
  const int32_t z_b_pow2_adj = SaturatingSub32(
      SaturatingRoundingMulByPOT(input_bits - z_b_headroom, 31 - accum_bits),
      shifted_quarter);

  const int32_t r = std::min(r_a, r_b);
  const int32_t z_pow2_adj = std::max(z_a_pow2_adj, z_b_pow2_adj);

  const int32_t p = RoundingHalfSum(r, sqrt_sqrt_half);
  int32_t q = r - sqrt_sqrt_half;
  q = q + q;
  const int32_t q_sq = SaturatingRoundingDoublingHighMul(q, q);
  const int32_t num = SaturatingRoundingDoublingHighMul(q, r) +
                      SaturatingRoundingDoublingHighMul(
                          SaturatingRoundingDoublingHighMul(q, q_sq), alpha_n);
  const int32_t denom_minus_one =
      SaturatingRoundingDoublingHighMul(
          p, alpha_i + q + SaturatingRoundingDoublingHighMul(alpha_d, q_sq)) +
      SaturatingRoundingDoublingHighMul(alpha_f, q);
  const int32_t recip_denom = OneOverOnePlusX(denom_minus_one);
  const int32_t num_scaled = RescaleQ(num, 0, accum_bits);
  const int32_t sum =
      SaturatingRoundingDoublingHighMul(z_pow2_adj, log_2) +
      SaturatingRoundingDoublingHighMul(num_scaled, recip_denom);
  return RescaleQ(sum, accum_bits, output_bits);
}

}  // namespace ember::ref
