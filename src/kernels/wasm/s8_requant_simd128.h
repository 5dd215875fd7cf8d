// TFLite's double-rounding requantization (ref::MultiplyByQuantizedMultiplier)
// on four int32 lanes with WebAssembly SIMD128, shared by the int8 GEMM tile
// and the int8 depthwise kernel of kernels/wasm. Bit-exact with the
// reference:
//  - the left shift is a wrapping multiply by 2^left (SIMD128 shifts take
//    one count for all lanes, so per-channel counts become multipliers);
//  - the rounding doubling high multiply is (x * m + 2^30) >> 31 on 64-bit
//    lanes (i64x2.extmul), which equals the reference's sign-dependent
//    nudge and truncating division for either sign (the reference's one
//    saturating case, x = m = INT32_MIN, cannot occur: multipliers are
//    non-negative);
//  - the rounding right shift (half away from zero) compares the remainder
//    with a per-lane threshold; the shift itself uses one count when the
//    four lanes share it (per-tensor quantization, and often neighbouring
//    channels) and per-lane scalar shifts otherwise.
// Included only by files built with -msimd128.
#pragma once

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include <cstdint>

#include "kernels/wasm/simd128_in_loop.h"

namespace ember::x86 {
namespace {

struct RequantSimd128 {
  v128_t mult;            // Q31 multiplier per lane
  v128_t left_mul;        // 2^left_shift per lane
  v128_t mask;            // 2^right_shift - 1
  v128_t half_mask;       // mask >> 1
  v128_t right;           // right shift per lane, each in [0, 31]
  int32_t uniform_right;  // the common right shift, or -1
};

// 2^e per lane for e in [0, 31], exactly: the float 2^e built from its
// exponent bits, converted to uint32 (2^31 included).
inline v128_t PowerOfTwoSimd128(v128_t e) {
  return wasm_u32x4_trunc_sat_f32x4(
      wasm_i32x4_shl(wasm_i32x4_add(e, wasm_i32x4_splat(127)), 23));
}

// From per-lane multiplier, left shift and right shift (ref::QuantizeMultiplier
// keeps them in [0, 30] and [0, 31]; the clamps to [0, 31] only keep other
// values defined).
// Vector operations only: the int8 GEMM tile builds these for every tile.
inline RequantSimd128 MakeRequantSimd128(v128_t mult, v128_t left,
                                         v128_t right) {
  const v128_t zero = wasm_i32x4_splat(0);
  const v128_t max_shift = wasm_i32x4_splat(31);
  left = wasm_i32x4_min(wasm_i32x4_max(left, zero), max_shift);
  right = wasm_i32x4_min(wasm_i32x4_max(right, zero), max_shift);
  RequantSimd128 q;
  q.mult = mult;
  q.left_mul = PowerOfTwoSimd128(left);
  q.mask = wasm_i32x4_sub(PowerOfTwoSimd128(right), wasm_i32x4_splat(1));
  q.half_mask = wasm_u32x4_shr(q.mask, 1);
  q.right = right;
  const int32_t r0 = wasm_i32x4_extract_lane(right, 0);
  q.uniform_right =
      wasm_i32x4_all_true(wasm_i32x4_eq(right, wasm_i32x4_splat(r0))) ? r0 : -1;
  return q;
}

// (InLoop keeps the multiplier's extension and the shift count's splat next
// to their use, where instruction selection turns them into i64x2.extmul and
// one vector shift; see simd128_in_loop.h.)
inline v128_t RequantizeSimd128(v128_t acc, const RequantSimd128& q) {
  const v128_t x = wasm_i32x4_mul(acc, q.left_mul);
  const v128_t mult = InLoop(q.mult);
  const v128_t nudge = wasm_i64x2_splat(int64_t{1} << 30);
  const v128_t lo = wasm_i64x2_shr(
      wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x, mult), nudge), 31);
  const v128_t hi = wasm_i64x2_shr(
      wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x, mult), nudge), 31);
  const v128_t high = wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6);
  v128_t shifted;
  if (q.uniform_right >= 0) {
    shifted =
        wasm_i32x4_shr(high, InLoop(static_cast<uint32_t>(q.uniform_right)));
  } else {
    shifted = wasm_i32x4_make(
        wasm_i32x4_extract_lane(high, 0) >> wasm_i32x4_extract_lane(q.right, 0),
        wasm_i32x4_extract_lane(high, 1) >> wasm_i32x4_extract_lane(q.right, 1),
        wasm_i32x4_extract_lane(high, 2) >> wasm_i32x4_extract_lane(q.right, 2),
        wasm_i32x4_extract_lane(high, 3) >>
            wasm_i32x4_extract_lane(q.right, 3));
  }
  const v128_t remainder = wasm_v128_and(high, q.mask);
  // threshold = half_mask + (high < 0); gt is -1 where the result rounds up.
  const v128_t threshold =
      wasm_i32x4_sub(q.half_mask, wasm_i32x4_shr(high, 31));
  return wasm_i32x4_sub(shifted, wasm_i32x4_gt(remainder, threshold));
}

// zero point, clamp and narrow four int32 lanes to int8 (low 4 bytes).
inline v128_t ClampNarrowS8Simd128(v128_t v, v128_t offset, v128_t lo,
                                   v128_t hi) {
  v = wasm_i32x4_min(wasm_i32x4_max(wasm_i32x4_add(v, offset), lo), hi);
  const v128_t words = wasm_i16x8_narrow_i32x4(v, v);
  return wasm_i8x16_narrow_i16x8(words, words);
}

}  // namespace
}  // namespace ember::x86
#endif  // __wasm_simd128__
