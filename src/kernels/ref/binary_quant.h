// Quantized ADD / SUB (general scales) and MUL on one pair of values:
// the element-wise arithmetic of binary.h without its broadcasting (no
// Shape), so the micro runtime can use it too. Heap-free.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/ref/quant_util.h"

namespace ember::ref {

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

}  // namespace ember::ref
