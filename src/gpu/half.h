// IEEE 754 half <-> float conversions for the GPU delegate: fp16 weights
// are widened at upload (precision=fp32), and with precision=fp16 every
// value crossing a partition boundary is narrowed or widened. Portable bit
// manipulation (no F16C); header-only so that tests need no Vulkan.
#pragma once

#include <cstdint>
#include <cstring>

namespace ember::gpu {

// float -> half, round to nearest even (overflow gives infinity, NaN stays
// a NaN).
inline uint16_t FloatToHalf(float value) {
  uint32_t x;
  std::memcpy(&x, &value, sizeof(x));
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t magnitude = x & 0x7fffffffu;
  if (magnitude >= 0x7f800000u)  // inf stays inf, NaN stays a (quiet) NaN
    return sign | 0x7c00u | (magnitude > 0x7f800000u ? 0x200u : 0u);
  // 65520 (halfway between 65504, the largest half, and 65536) and up
  // round to infinity under round-to-nearest-even.
  if (magnitude >= 0x477ff000u) return sign | 0x7c00u;
  uint32_t half, rest, halfway;
  if (magnitude >= 0x38800000u) {  // normal half: rebias 127 -> 15
    const uint32_t rebiased = magnitude - 0x38000000u;
    half = rebiased >> 13;
    rest = rebiased & 0x1fffu;
    halfway = 0x1000u;
  } else {
    // Subnormal half (units of 2^-24); 2^-25 and below round to zero.
    if (magnitude <= 0x33000000u) return sign;
    const uint32_t mantissa = (magnitude & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126u - (magnitude >> 23);  // 14 .. 24
    half = mantissa >> shift;
    rest = mantissa & ((1u << shift) - 1u);
    halfway = 1u << (shift - 1u);
  }
  // Round to nearest, ties to even; a carry into the exponent is right.
  if (rest > halfway || (rest == halfway && (half & 1u) != 0)) ++half;
  return static_cast<uint16_t>(sign | half);
}

// half -> float (exact).
inline float HalfToFloat(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1f;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {  // inf / NaN
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {  // subnormal: normalize
    exponent = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

}  // namespace ember::gpu
