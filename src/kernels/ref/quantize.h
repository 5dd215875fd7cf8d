// Reference math for QUANTIZE, DEQUANTIZE and CAST: affine quantization,
// requantization between integer types, IEEE half conversion and C++
// static_cast semantics for type casts. Heap-free.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "kernels/ref/quant_util.h"

namespace ember::ref {

// IEEE 754 binary16 -> binary32 (exact).
inline float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t mant = h & 0x3FFu;
  uint32_t bits;
  if (exp == 0x1F) {  // inf / nan
    bits = sign | 0x7F800000u | (mant << 13);
  } else if (exp != 0) {  // normal
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {  // zero
    bits = sign;
  } else {  // subnormal: normalise
    int e = -1;
    do {
      ++e;
      mant <<= 1;
    } while ((mant & 0x400u) == 0);
    bits =
        sign | (static_cast<uint32_t>(112 - e) << 23) | ((mant & 0x3FFu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

// binary32 -> binary16, round to nearest even, overflow to inf.
inline uint16_t FloatToHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t abs = bits & 0x7FFFFFFFu;
  if (abs >= 0x7F800000u) {  // inf or nan (keep nan quiet)
    return sign | 0x7C00u | (abs > 0x7F800000u ? 0x200u : 0u);
  }
  if (abs >= 0x477FF000u) return sign | 0x7C00u;  // rounds past 65504
  if (abs < 0x38800000u) {  // below the smallest normal half: subnormal
    if (abs < 0x33000000u) return sign;  // rounds to zero
    const uint32_t exp = abs >> 23;
    const uint32_t mant = (abs & 0x7FFFFFu) | 0x800000u;
    const uint32_t shift = 126 - exp;  // 14..24
    uint32_t h = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1);
    const uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1u))) ++h;
    return sign | static_cast<uint16_t>(h);
  }
  uint32_t h = ((abs >> 13) - (112u << 10));
  const uint32_t rem = abs & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;
  return sign | static_cast<uint16_t>(h);
}

// float -> quantized: round(x / scale) + zero_point, clamped. The division
// is done in double (the reference keeps the scale as a double).
template <typename T>
inline T AffineQuantize(float x, double scale, int32_t zero_point) {
  constexpr double kMin = std::numeric_limits<T>::min();
  constexpr double kMax = std::numeric_limits<T>::max();
  double q = std::round(static_cast<double>(x) / scale);
  if (std::isnan(q)) q = 0.0;
  // Clamp before converting (a huge value must not overflow int32).
  q = std::min(std::max(q + zero_point, kMin), kMax);
  return static_cast<T>(q);
}

// quantized -> float: scale * (q - zero_point), in double then rounded.
inline float AffineDequantize(int32_t q, double scale, int32_t zero_point) {
  return static_cast<float>(scale * static_cast<double>(q - zero_point));
}

// Requantization between integer types (int8/uint8/int16/int32).
struct RequantParams {
  int32_t in_zero_point, out_zero_point;
  int32_t mult;
  int shift;
};

template <typename Out>
inline Out Requantize(const RequantParams& p, int32_t x) {
  const int32_t v =
      MultiplyByQuantizedMultiplier(x - p.in_zero_point, p.mult, p.shift) +
      p.out_zero_point;
  return static_cast<Out>(
      std::min<int32_t>(std::max<int32_t>(v, std::numeric_limits<Out>::min()),
                        std::numeric_limits<Out>::max()));
}

// CAST: value conversion with C++ semantics. Float -> integer truncates
// toward zero; values outside the destination range saturate here (the
// reference leaves that undefined). Anything -> bool is "!= 0".
template <typename To, typename From>
inline To CastValue(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_floating_point_v<From> &&
                       std::is_integral_v<To>) {
    if (std::isnan(v)) return To(0);
    const double d = std::trunc(static_cast<double>(v));
    if (d <= static_cast<double>(std::numeric_limits<To>::min()))
      return std::numeric_limits<To>::min();
    if (d >= static_cast<double>(std::numeric_limits<To>::max()))
      return std::numeric_limits<To>::max();
    return static_cast<To>(d);
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace ember::ref
