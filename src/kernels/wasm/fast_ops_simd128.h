// WebAssembly SIMD128 fast-op kernels (the table FastOpsWasmSimd128 of
// kernels/drivers/fast_ops.h): shared lane helpers and the functions the
// per-family files define. Integer kernels are bit-exact with the reference
// kernels (the fixed-point arithmetic of kernels/ref, four int32 lanes at a
// time); float kernels keep the reference's order of operations where that
// is cheap and use the x86 tables' polynomials for exp / erfc elsewhere.
// Included only by files built with -msimd128.
#pragma once

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include <cstdint>

#include "kernels/drivers/fast_ops.h"
#include "kernels/wasm/simd128_in_loop.h"

namespace ember::x86 {

// Defined in fast_ops_s8_simd128.cc.
void AddS8WasmSimd128(const QuantAddArgs& q, const BinaryArgs& g, int64_t begin,
                      int64_t end);
void AddS16WasmSimd128(const QuantAddArgs& q, const BinaryArgs& g,
                       int64_t begin, int64_t end);
void MulS8WasmSimd128(const QuantMulArgs& q, const BinaryArgs& g, int64_t begin,
                      int64_t end);
void MulS16WasmSimd128(const QuantMulArgs& q, const BinaryArgs& g,
                       int64_t begin, int64_t end);
void PoolS8WasmSimd128(bool max, const ref::PoolParams& p, const int8_t* in,
                       int8_t* out, int64_t row_begin, int64_t row_end);
void SpatialSumS8WasmSimd128(const int8_t* in, int64_t spatial,
                             int64_t channels, int64_t c_begin, int64_t c_end,
                             int32_t* out);

// Defined in fast_ops_f32_simd128.cc.
void BinaryF32WasmSimd128(BinaryOp op, const BinaryArgs& g, int64_t begin,
                          int64_t end);
void UnaryF32WasmSimd128(UnaryOp op, const UnaryArgs& u, int64_t begin,
                         int64_t end);
void PoolF32WasmSimd128(bool max, const ref::PoolParams& p, const float* in,
                        float* out, int64_t row_begin, int64_t row_end);
void SpatialSumF32WasmSimd128(const float* in, int64_t spatial,
                              int64_t channels, int64_t c_begin, int64_t c_end,
                              float divisor, float* out);
void ResizeBilinearF32WasmSimd128(const ref::ResizeParams& p, const float* in,
                                  float* out, int64_t row_begin,
                                  int64_t row_end);
void SoftmaxF32WasmSimd128(const float* in, float* out, int32_t depth,
                           float beta, int64_t row_begin, int64_t row_end);

namespace {

// ---------------------------------------------------------------------------
// Partial vectors. Tails are assembled lane by lane in registers: a
// variable-length copy into a local buffer was miscompiled by Debian's
// emscripten 3.1.6 (see gemm_s8_simd128.cc).

// n (1..4) int8 values sign-extended to int32 lanes, the rest 0.
inline v128_t LoadS8x4(const int8_t* p, int64_t n) {
  v128_t bytes;
  if (n >= 4) {
    bytes = wasm_v128_load32_zero(p);
  } else {
    uint32_t v = 0;
    for (int64_t i = 0; i < n; ++i)
      v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
    bytes = wasm_i32x4_make(static_cast<int32_t>(v), 0, 0, 0);
  }
  return wasm_i32x4_extend_low_i16x8(wasm_i16x8_extend_low_i8x16(bytes));
}

// Stores the low bytes of n (1..4) int32 lanes already in int8 range.
inline void StoreS8x4(int8_t* p, v128_t v, int64_t n) {
  const v128_t w = wasm_i16x8_narrow_i32x4(v, v);
  const v128_t b = wasm_i8x16_narrow_i16x8(w, w);
  if (n >= 4) {
    wasm_v128_store32_lane(p, b, 0);
    return;
  }
  const uint32_t bytes = static_cast<uint32_t>(wasm_i32x4_extract_lane(b, 0));
  for (int64_t i = 0; i < n; ++i)
    p[i] = static_cast<int8_t>(static_cast<uint8_t>(bytes >> (8 * i)));
}

// The same for int16 values.
inline v128_t LoadS16x4(const int16_t* p, int64_t n) {
  if (n >= 4) return wasm_i32x4_extend_low_i16x8(wasm_v128_load64_zero(p));
  v128_t v = wasm_i32x4_splat(0);
  v = wasm_i32x4_replace_lane(v, 0, p[0]);
  if (n > 1) v = wasm_i32x4_replace_lane(v, 1, p[1]);
  if (n > 2) v = wasm_i32x4_replace_lane(v, 2, p[2]);
  return v;
}

inline void StoreS16x4(int16_t* p, v128_t v, int64_t n) {
  const v128_t w = wasm_i16x8_narrow_i32x4(v, v);
  if (n >= 4) {
    wasm_v128_store64_lane(p, w, 0);
    return;
  }
  p[0] = static_cast<int16_t>(wasm_i16x8_extract_lane(w, 0));
  if (n > 1) p[1] = static_cast<int16_t>(wasm_i16x8_extract_lane(w, 1));
  if (n > 2) p[2] = static_cast<int16_t>(wasm_i16x8_extract_lane(w, 2));
}

// n (1..4) floats, the rest 0.
inline v128_t LoadF32x4(const float* p, int64_t n) {
  if (n >= 4) return wasm_v128_load(p);
  v128_t v = wasm_f32x4_splat(0.0f);
  v = wasm_f32x4_replace_lane(v, 0, p[0]);
  if (n > 1) v = wasm_f32x4_replace_lane(v, 1, p[1]);
  if (n > 2) v = wasm_f32x4_replace_lane(v, 2, p[2]);
  return v;
}

inline void StoreF32x4(float* p, v128_t v, int64_t n) {
  if (n >= 4) {
    wasm_v128_store(p, v);
    return;
  }
  p[0] = wasm_f32x4_extract_lane(v, 0);
  if (n > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (n > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

// ---------------------------------------------------------------------------
// ref::MultiplyByQuantizedMultiplier with one multiplier and shift for all
// lanes (per-tensor quantization):
//  - the left shift wraps like the reference's uint32 shift;
//  - the rounding doubling high multiply is (x * m + 2^30) >> 31 on 64-bit
//    lanes, which equals the reference's sign-dependent nudge and
//    truncating division for either sign of the product (the saturating
//    case x = m = INT32_MIN cannot occur: |m| < 2^31). Only the low 32 bits
//    of the shifted sum are kept, so a logical shift serves (V8 has no
//    native arithmetic 64-bit shift on x86);
//  - the rounding right shift rounds half away from zero by comparing the
//    remainder with mask / 2 + (x < 0), as ref::RoundingDivideByPOT.
struct UniformRequant {
  v128_t mult;
  v128_t mask;       // 2^right - 1
  v128_t half_mask;  // mask >> 1
  uint32_t left = 0, right = 0;
};

inline UniformRequant MakeUniformRequant(int32_t multiplier, int shift) {
  UniformRequant q;
  q.mult = wasm_i32x4_splat(multiplier);
  q.left = shift > 0 ? static_cast<uint32_t>(shift) : 0u;
  q.right = shift > 0 ? 0u : static_cast<uint32_t>(-shift);
  const int32_t mask = static_cast<int32_t>((int64_t{1} << q.right) - 1);
  q.mask = wasm_i32x4_splat(mask);
  q.half_mask = wasm_i32x4_splat(mask >> 1);
  return q;
}

inline v128_t DoublingHighMulSimd128(v128_t x, v128_t m) {
  m = InLoop(m);
  const v128_t nudge = wasm_i64x2_splat(int64_t{1} << 30);
  const v128_t lo = wasm_u64x2_shr(
      wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x, m), nudge), 31);
  const v128_t hi = wasm_u64x2_shr(
      wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x, m), nudge), 31);
  return wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6);
}

inline v128_t MulByQuantMultSimd128(v128_t x, const UniformRequant& q) {
  if (q.left != 0) x = wasm_i32x4_shl(x, InLoop(q.left));
  const v128_t high = DoublingHighMulSimd128(x, q.mult);
  if (q.right == 0) return high;
  const v128_t remainder = wasm_v128_and(high, q.mask);
  // threshold = half_mask + (high < 0); gt is -1 where it rounds up.
  const v128_t threshold =
      wasm_i32x4_sub(q.half_mask, wasm_i32x4_shr(high, 31));
  return wasm_i32x4_sub(wasm_i32x4_shr(high, InLoop(q.right)),
                        wasm_i32x4_gt(remainder, threshold));
}

}  // namespace
}  // namespace ember::x86
#endif  // __wasm_simd128__
