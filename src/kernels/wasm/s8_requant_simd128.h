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

namespace ember::x86 {
namespace {

struct RequantSimd128 {
  v128_t mult;            // Q31 multiplier per lane
  v128_t left_mul;        // 2^left_shift per lane
  v128_t mask;            // 2^right_shift - 1
  v128_t half_mask;       // mask >> 1
  int32_t right[4];       // right shift per lane, each in [0, 31]
  int32_t uniform_right;  // the common right shift, or -1
};

// From per-lane multiplier, left shift and right shift (both >= 0; a right
// shift above 31, which no valid model reaches, is clamped to 31 as
// i32.shr_s would otherwise take it modulo 32).
inline RequantSimd128 MakeRequantSimd128(v128_t mult, v128_t left,
                                         v128_t right) {
  alignas(16) int32_t l[4], r[4];
  wasm_v128_store(l, left);
  wasm_v128_store(r, right);
  RequantSimd128 q;
  q.mult = mult;
  alignas(16) uint32_t left_mul[4], mask[4];
  for (int i = 0; i < 4; ++i) {
    const uint32_t ls = static_cast<uint32_t>(l[i]) & 31u;
    q.right[i] = r[i] < 0 ? 0 : (r[i] > 31 ? 31 : r[i]);
    left_mul[i] = 1u << ls;
    mask[i] = static_cast<uint32_t>((uint64_t{1} << q.right[i]) - 1u);
  }
  q.left_mul = wasm_v128_load(left_mul);
  q.mask = wasm_v128_load(mask);
  q.half_mask = wasm_u32x4_shr(q.mask, 1);
  const bool uniform = q.right[0] == q.right[1] && q.right[0] == q.right[2] &&
                       q.right[0] == q.right[3];
  q.uniform_right = uniform ? q.right[0] : -1;
  return q;
}

inline v128_t RequantizeSimd128(v128_t acc, const RequantSimd128& q) {
  const v128_t x = wasm_i32x4_mul(acc, q.left_mul);
  const v128_t nudge = wasm_i64x2_splat(int64_t{1} << 30);
  const v128_t lo = wasm_i64x2_shr(
      wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x, q.mult), nudge), 31);
  const v128_t hi = wasm_i64x2_shr(
      wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x, q.mult), nudge), 31);
  const v128_t high = wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6);
  v128_t shifted;
  if (q.uniform_right >= 0) {
    shifted = wasm_i32x4_shr(high, static_cast<uint32_t>(q.uniform_right));
  } else {
    shifted = wasm_i32x4_make(wasm_i32x4_extract_lane(high, 0) >> q.right[0],
                              wasm_i32x4_extract_lane(high, 1) >> q.right[1],
                              wasm_i32x4_extract_lane(high, 2) >> q.right[2],
                              wasm_i32x4_extract_lane(high, 3) >> q.right[3]);
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
