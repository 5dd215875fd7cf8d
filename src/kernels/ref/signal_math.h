// Integer helpers shared by the audio front-end ("Signal") kernels: bit
// length, integer square roots and a fixed-point natural log. Header-only,
// heap-free. The exact rounding of each helper is what the TFLM signal
// library computes, so results match it bit for bit.
#pragma once

#include <cstdint>

namespace ember::ref::signal {

// Number of significant bits of x (0 for 0): 1 -> 1, 2..3 -> 2, ...
inline int BitLength32(uint32_t x) {
  int n = 0;
  while (x != 0) {
    ++n;
    x >>= 1;
  }
  return n;
}
inline int BitLength64(uint64_t x) {
  int n = 0;
  while (x != 0) {
    ++n;
    x >>= 1;
  }
  return n;
}

// Digit-by-digit square root, rounded up when the remainder exceeds the root
// (never past the largest representable root).
inline uint32_t SqrtRounded32(uint32_t value) {
  if (value == 0) return 0;
  // Start at the highest even bit position not above the top set bit.
  const int top = BitLength32(value) - 1;
  uint32_t bit = uint32_t{1} << (top & ~1);
  uint32_t rem = value;
  uint32_t root = 0;
  while (bit != 0) {
    if (rem >= root + bit) {
      rem -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  if (rem > root && root != 0xFFFFu) ++root;
  return root;
}

// 64-bit input; values below 2^32 take the 32-bit path (as the reference
// library does, which matters for rounding near 2^32).
inline uint32_t SqrtRounded64(uint64_t value) {
  if ((value >> 32) == 0) return SqrtRounded32(static_cast<uint32_t>(value));
  const int top = BitLength64(value) - 1;
  uint64_t bit = uint64_t{1} << (top & ~1);
  uint64_t rem = value;
  uint64_t root = 0;
  while (bit != 0) {
    if (rem >= root + bit) {
      rem -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  if (rem > root && root != 0xFFFFFFFFull) ++root;
  return static_cast<uint32_t>(root);
}

// Correction table for the fractional part of log2: 128 segments of the
// mantissa range [1, 2), entries are (log2(1 + f) - f) * 2^16, plus a
// padding entry.
inline constexpr uint16_t kLog2Correction[130] = {
    0,    224,  442,  654,  861,  1063, 1259, 1450, 1636, 1817, 1992, 2163,
    2329, 2490, 2646, 2797, 2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848,
    3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864, 4934,
    5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507,
    5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633,
    5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370,
    5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762,
    4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848,
    3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659,
    2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224,
    1094, 963,  830,  695,  559,  421,  282,  142,  0,    0};

// ln(x) * out_scale, with 16 fractional bits of log2 internally and
// round-half-up at both rescalings. x must be > 0.
inline uint32_t ScaledLog(uint32_t x, uint32_t out_scale) {
  const uint32_t exponent = static_cast<uint32_t>(BitLength32(x) - 1);
  // Mantissa fraction in 16 bits.
  int32_t frac = static_cast<int32_t>(x - (uint32_t{1} << exponent));
  if (exponent < 16) {
    frac = static_cast<int32_t>(static_cast<uint32_t>(frac) << (16 - exponent));
  } else {
    frac >>= (exponent - 16);
  }
  // Linear interpolation within one of 128 segments of the table.
  const uint32_t seg = static_cast<uint32_t>(frac) >> 9;
  const int32_t lo = kLog2Correction[seg];
  const int32_t hi = kLog2Correction[seg + 1];
  const int32_t within = frac - static_cast<int32_t>(seg << 9);
  const int32_t interp = ((hi - lo) * within) >> 16;
  const uint32_t log2_frac = static_cast<uint32_t>(frac + lo + interp);
  const uint32_t log2_q16 = (exponent << 16) + log2_frac;
  // ln(2) in Q16 is 45426.
  const uint32_t ln_q16 =
      static_cast<uint32_t>((uint64_t{45426} * log2_q16 + 32768u) >> 16);
  return (out_scale * ln_q16 + 32768u) >> 16;
}

}  // namespace ember::ref::signal
