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

// out[i] = f(a[ia], b[ib]) over the broadcast of the two shapes.
template <typename A, typename B, typename O, typename F>
inline void BroadcastBinary(const Shape& shape_a, const A* a,
                            const Shape& shape_b, const B* b,
                            const Shape& shape_out, O* out, F&& f) {
  ForEachBroadcast(shape_a, shape_b, shape_out,
                   [&](int64_t o, int64_t ia, int64_t ib) {
                     out[o] = f(a[ia], b[ib]);
                   });
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
