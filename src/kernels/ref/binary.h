// Reference math for element-wise binary ops with NumPy broadcasting:
// arithmetic (ADD, SUB, MUL, DIV, SQUARED_DIFFERENCE, MAXIMUM, MINIMUM, POW,
// FLOOR_DIV, FLOOR_MOD) and the quantized rescaling they need. Integer paths
// follow TFLite's quantization arithmetic bit for bit. Heap-free.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "kernels/ref/broadcast.h"
#include "kernels/ref/quant_util.h"

namespace ember::ref {

// out[i] = f(a[ia], b[ib]) over the broadcast of the two shapes. Equal
// shapes and a single-element operand take plain loops.
template <typename A, typename B, typename O, typename F>
inline void BroadcastBinary(const Shape& shape_a, const A* a,
                            const Shape& shape_b, const B* b,
                            const Shape& shape_out, O* out, F&& f) {
  const int64_t n = shape_out.NumElements();
  const int64_t na = shape_a.NumElements(), nb = shape_b.NumElements();
  if (na == n && nb == n && shape_a == shape_b) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
    return;
  }
  if (na == n && nb == 1 && shape_a.rank == shape_out.rank) {
    const B y = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], y);
    return;
  }
  if (nb == n && na == 1 && shape_b.rank == shape_out.rank) {
    const A x = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(x, b[i]);
    return;
  }
  ForEachBroadcast(
      shape_a, shape_b, shape_out,
      [&](int64_t o, int64_t ia, int64_t ib) { out[o] = f(a[ia], b[ib]); });
}

// Integer wrap-around arithmetic (no signed-overflow UB).
template <typename T>
inline T WrapAdd(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
}
template <typename T>
inline T WrapSub(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
}
template <typename T>
inline T WrapMul(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
}

// ---------------------------------------------------------------------------
// ADD / SUB on quantized data, general scales. Both inputs are moved to a
// common scale (twice the larger input scale) after a left shift that gives
// headroom (20 bits for 8-bit data, 15 for int16), summed, and rescaled to
// the output. SUB negates the second input's multiplier.
struct AddSubParams {
  int32_t left_shift;
  int32_t in1_offset, in2_offset, out_offset;  // offsets are -zero_point
  int32_t in1_mult, in2_mult, out_mult;        // (output offset is +zp)
  int in1_shift, in2_shift, out_shift;
  int32_t act_lo, act_hi;
};

inline int32_t QuantizedAddSub(const AddSubParams& p, int32_t x, int32_t y) {
  const int32_t sx = MultiplyByQuantizedMultiplier(
      (p.in1_offset + x) * (1 << p.left_shift), p.in1_mult, p.in1_shift);
  const int32_t sy = MultiplyByQuantizedMultiplier(
      (p.in2_offset + y) * (1 << p.left_shift), p.in2_mult, p.in2_shift);
  const int32_t r =
      MultiplyByQuantizedMultiplier(sx + sy, p.out_mult, p.out_shift) +
      p.out_offset;
  return std::min(std::max(r, p.act_lo), p.act_hi);
}

// int16 ADD / SUB when every scale is a power of two and zero points are 0
// (the LSTM-style path): one input is arithmetically shifted right onto the
// other's scale (which equals the output's), then a saturating add/sub.
struct PotAddSubParams {
  int in1_shift, in2_shift;  // <= 0, at most one of them nonzero
  bool subtract;
  int32_t act_lo, act_hi;
};

inline int16_t PotAddSub(const PotAddSubParams& p, int16_t x, int16_t y) {
  int32_t a = x, b = y;
  if (p.in1_shift != 0) a = RoundingDivideByPOT(a, -p.in1_shift);
  if (p.in2_shift != 0) b = RoundingDivideByPOT(b, -p.in2_shift);
  int32_t r = p.subtract ? a - b : a + b;
  r = std::min<int32_t>(std::max<int32_t>(r, -32768), 32767);
  return static_cast<int16_t>(std::min(std::max(r, p.act_lo), p.act_hi));
}

// ---------------------------------------------------------------------------
// MUL on quantized data: (x - zx) * (y - zy) rescaled by sx*sy/so.
struct MulParams {
  int32_t in1_offset, in2_offset, out_offset;
  int32_t mult;
  int shift;
  int32_t act_lo, act_hi;
};

inline int32_t QuantizedMul(const MulParams& p, int32_t x, int32_t y) {
  const int32_t prod = (p.in1_offset + x) * (p.in2_offset + y);
  const int32_t r =
      MultiplyByQuantizedMultiplier(prod, p.mult, p.shift) + p.out_offset;
  return std::min(std::max(r, p.act_lo), p.act_hi);
}

// ---------------------------------------------------------------------------
// SQUARED_DIFFERENCE on quantized data: inputs rescaled to a common scale
// with 7 bits of headroom, differenced, squared, rescaled to the output.
struct SquaredDiffParams {
  int32_t left_shift;  // 7
  int32_t in1_offset, in2_offset, out_offset;
  int32_t in1_mult, in2_mult, out_mult;
  int in1_shift, in2_shift, out_shift;
  int32_t act_lo, act_hi;
};

inline int32_t QuantizedSquaredDiff(const SquaredDiffParams& p, int32_t x,
                                    int32_t y) {
  const int32_t sx = MultiplyByQuantizedMultiplier(
      (p.in1_offset + x) * (1 << p.left_shift), p.in1_mult, p.in1_shift);
  const int32_t sy = MultiplyByQuantizedMultiplier(
      (p.in2_offset + y) * (1 << p.left_shift), p.in2_mult, p.in2_shift);
  const int32_t d = sx - sy;
  const int32_t r =
      MultiplyByQuantizedMultiplier(d * d, p.out_mult, p.out_shift) +
      p.out_offset;
  return std::min(std::max(r, p.act_lo), p.act_hi);
}

// ---------------------------------------------------------------------------
// DIV on quantized data. The divisor's reciprocal is computed in fixed point
// (Newton-Raphson on a Q2.29 estimate, three iterations), the dividend is
// normalised by its headroom, and one final rescale brings in
// sx / (sy * so) and all the shifts.
struct DivParams {
  int32_t in1_offset, in2_offset, out_offset;
  int32_t mult;
  int shift;
  int32_t act_lo, act_hi;
};

// Leading sign bits (redundant copies of the sign bit) of x; 31 for 0, -1.
inline int CountLeadingSignBits32(int32_t x) {
  uint32_t v = static_cast<uint32_t>(x < 0 ? ~x : x);
  int n = 0;
  while (n < 32 && (v & 0x80000000u) == 0) {
    v <<= 1;
    ++n;
  }
  return n - 1;
}

inline int CountLeadingZeros32(uint32_t v) {
  int n = 0;
  while (n < 32 && (v & 0x80000000u) == 0) {
    v <<= 1;
    ++n;
  }
  return n;
}

// x * 2^e for e > 0, saturating to the int32 range.
inline int32_t SaturatingShiftLeft(int32_t x, int e) {
  const int32_t threshold = static_cast<int32_t>((1u << (31 - e)) - 1);
  if (x > threshold) return std::numeric_limits<int32_t>::max();
  if (x < -threshold) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(static_cast<uint32_t>(x) << e);
}

// (a + b) / 2 rounded half away from zero, without overflow.
inline int32_t RoundingHalfSum(int32_t a, int32_t b) {
  const int64_t sum = static_cast<int64_t>(a) + b;
  return static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
}

// 1 / (1 + a) for a in [0, 1) as Q0.31, result as Q0.31.
inline int32_t OneOverOnePlusX(int32_t a) {
  const int32_t half_denominator =
      RoundingHalfSum(a, std::numeric_limits<int32_t>::max());  // Q0.31
  // Initial estimate 48/17 - 32/17 * d, in Q2.29.
  constexpr int32_t k48Over17 = 1515870810;
  constexpr int32_t kNeg32Over17 = -1010580540;
  constexpr int32_t kOneQ2 = 1 << 29;
  int32_t x = k48Over17 +
              SaturatingRoundingDoublingHighMul(half_denominator, kNeg32Over17);
  for (int i = 0; i < 3; ++i) {
    const int32_t dx =
        SaturatingRoundingDoublingHighMul(half_denominator, x);      // Q2.29
    const int32_t err = kOneQ2 - dx;                                 // Q2.29
    const int32_t step = SaturatingRoundingDoublingHighMul(x, err);  // Q4.27
    x = x + SaturatingShiftLeft(step, 2);                            // Q2.29
  }
  // x estimates 1 / half_denominator; halve it (Q2.29 read as Q1.30) and
  // move to Q0.31.
  return SaturatingShiftLeft(x, 1);
}

// Reciprocal of a positive integer x: returns a Q0.31 mantissa m and
// *bits_over_unit b with 1/x = m * 2^-b (x normalised into [1, 2) first).
inline int32_t Reciprocal(int32_t x, int* bits_over_unit) {
  const int headroom_plus_one = CountLeadingZeros32(static_cast<uint32_t>(x));
  *bits_over_unit = 31 - headroom_plus_one;
  const int32_t frac = static_cast<int32_t>(
      (static_cast<uint32_t>(x) << headroom_plus_one) - (1u << 31));
  return OneOverOnePlusX(frac);
}

// The reference's rounding shift, extended to exponents of 32..62 (reached
// when the dividend is 0 or -1 and has 31 bits of headroom). There the
// reference's mask truncates to all ones and its 32-bit shift count wraps
// modulo 32 on x86; this reproduces that result without undefined shifts.
inline int32_t RoundingDivideByPOTWide(int32_t x, int exponent) {
  if (exponent < 32) return RoundingDivideByPOT(x, exponent);
  const int32_t mask = -1;
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> (exponent & 31)) + (remainder > threshold ? 1 : 0);
}

// Requires (y + in2_offset) != 0.
inline int32_t QuantizedDiv(const DivParams& p, int32_t x, int32_t y) {
  int32_t num = p.in1_offset + x;
  int32_t den = p.in2_offset + y;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  int recip_shift;
  const int32_t inv = Reciprocal(den, &recip_shift);
  const int headroom = CountLeadingSignBits32(num);
  const int32_t unscaled = SaturatingRoundingDoublingHighMul(
      static_cast<int32_t>(static_cast<uint32_t>(num) << headroom), inv);
  const int total_shift = p.shift - recip_shift - headroom;
  const int32_t scaled =
      total_shift > 0
          ? MultiplyByQuantizedMultiplier(unscaled, p.mult, total_shift)
          : RoundingDivideByPOTWide(
                SaturatingRoundingDoublingHighMul(unscaled, p.mult),
                -total_shift);
  const int32_t r = scaled + p.out_offset;
  return std::min(std::max(r, p.act_lo), p.act_hi);
}

// ---------------------------------------------------------------------------
// Scalar helpers.

// floor(a / b), computed in double as the reference does (b != 0 checked by
// the caller for integers).
template <typename T>
inline T FloorDiv(T a, T b) {
  return static_cast<T>(
      std::floor(static_cast<double>(a) / static_cast<double>(b)));
}

// Remainder with the sign of the divisor.
template <typename T>
inline T FloorMod(T a, T b) {
  T rem;
  if constexpr (std::is_integral_v<T>) {
    // -min % -1 overflows; its remainder is 0.
    rem = (b == -1) ? T(0) : static_cast<T>(a % b);
  } else {
    rem = std::fmod(a, b);
  }
  return (rem != 0 && ((b < 0) != (rem < 0))) ? static_cast<T>(rem + b) : rem;
}

// base^exponent for a non-negative integer exponent, wrapping on overflow.
template <typename T>
inline T IntegerPow(T base, T exponent) {
  T result = 1;
  while (exponent > 0) {
    if (exponent & 1) result = WrapMul(result, base);
    exponent >>= 1;
    base = WrapMul(base, base);
  }
  return result;
}

}  // namespace ember::ref
