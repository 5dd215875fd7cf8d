// WebAssembly SIMD128 row dot products for the int8 BATCH_MATMUL
// (kernels/drivers/batch_matmul_s8.h): one widened lhs row against four
// widened rhs rows at a time with i32x4.dot_i16x8 (two int16 products per
// lane, exact), the four accumulators reduced together into one vector of
// sums; and the requantization of a row, sixteen values at a time with the
// reference's double rounding (fast_ops_simd128.h). Wrapping int32 sums as
// the portable kernel's. Built only where the compiler targets SIMD128.
#if defined(__wasm_simd128__)
#include "kernels/drivers/batch_matmul_s8.h"
#include "kernels/wasm/fast_ops_simd128.h"

namespace ember::x86 {
namespace {

// [sum(a), sum(b), sum(c), sum(d)] of four vectors' lanes.
inline v128_t ReduceFour(v128_t a, v128_t b, v128_t c, v128_t d) {
  const v128_t ab = wasm_i32x4_add(wasm_i32x4_shuffle(a, b, 0, 4, 1, 5),
                                   wasm_i32x4_shuffle(a, b, 2, 6, 3, 7));
  const v128_t cd = wasm_i32x4_add(wasm_i32x4_shuffle(c, d, 0, 4, 1, 5),
                                   wasm_i32x4_shuffle(c, d, 2, 6, 3, 7));
  return wasm_i32x4_add(wasm_i32x4_shuffle(ab, cd, 0, 1, 4, 5),
                        wasm_i32x4_shuffle(ab, cd, 2, 3, 6, 7));
}

inline v128_t Dot8(const int16_t* a, const int16_t* w) {
  return wasm_i32x4_dot_i16x8(wasm_v128_load(a), wasm_v128_load(w));
}

}  // namespace

// kp is a multiple of kS8MatMulKStep (16): two vectors per step.
void S8DotRowsWasmSimd128(const int16_t* a, const int16_t* w, int32_t n,
                          int32_t kp, int32_t* out) {
  int32_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const int16_t* w0 = w + static_cast<int64_t>(j) * kp;
    const int16_t* w1 = w0 + kp;
    const int16_t* w2 = w1 + kp;
    const int16_t* w3 = w2 + kp;
    v128_t acc0 = wasm_i32x4_splat(0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (int32_t t = 0; t < kp; t += 16) {
      const v128_t x0 = wasm_v128_load(a + t);
      const v128_t x1 = wasm_v128_load(a + t + 8);
      acc0 = wasm_i32x4_add(acc0,
                            wasm_i32x4_dot_i16x8(x0, wasm_v128_load(w0 + t)));
      acc1 = wasm_i32x4_add(acc1,
                            wasm_i32x4_dot_i16x8(x0, wasm_v128_load(w1 + t)));
      acc2 = wasm_i32x4_add(acc2,
                            wasm_i32x4_dot_i16x8(x0, wasm_v128_load(w2 + t)));
      acc3 = wasm_i32x4_add(acc3,
                            wasm_i32x4_dot_i16x8(x0, wasm_v128_load(w3 + t)));
      acc0 = wasm_i32x4_add(
          acc0, wasm_i32x4_dot_i16x8(x1, wasm_v128_load(w0 + t + 8)));
      acc1 = wasm_i32x4_add(
          acc1, wasm_i32x4_dot_i16x8(x1, wasm_v128_load(w1 + t + 8)));
      acc2 = wasm_i32x4_add(
          acc2, wasm_i32x4_dot_i16x8(x1, wasm_v128_load(w2 + t + 8)));
      acc3 = wasm_i32x4_add(
          acc3, wasm_i32x4_dot_i16x8(x1, wasm_v128_load(w3 + t + 8)));
    }
    wasm_v128_store(out + j, ReduceFour(acc0, acc1, acc2, acc3));
  }
  for (; j < n; ++j) {
    const int16_t* wj = w + static_cast<int64_t>(j) * kp;
    v128_t acc = wasm_i32x4_splat(0);
    for (int32_t t = 0; t < kp; t += 16) {
      acc = wasm_i32x4_add(acc, Dot8(a + t, wj + t));
      acc = wasm_i32x4_add(acc, Dot8(a + t + 8, wj + t + 8));
    }
    // Lane sums wrap like the portable kernel's uint32 sum.
    const uint32_t s = static_cast<uint32_t>(wasm_i32x4_extract_lane(acc, 0)) +
                       static_cast<uint32_t>(wasm_i32x4_extract_lane(acc, 1)) +
                       static_cast<uint32_t>(wasm_i32x4_extract_lane(acc, 2)) +
                       static_cast<uint32_t>(wasm_i32x4_extract_lane(acc, 3));
    out[j] = static_cast<int32_t>(s);
  }
}

void S8RequantRowWasmSimd128(const int32_t* acc, int32_t n, const S8Requant& q,
                             int8_t* out) {
  const UniformRequant rq = MakeUniformRequant(q.mult, q.shift);
  const v128_t zp = wasm_i32x4_splat(q.zp);
  const v128_t lo = wasm_i32x4_splat(q.lo), hi = wasm_i32x4_splat(q.hi);
  auto one = [&](v128_t v) {
    v = wasm_i32x4_add(MulByQuantMultSimd128(v, rq), zp);
    return wasm_i32x4_min(wasm_i32x4_max(v, lo), hi);
  };
  int32_t j = 0;
  for (; j + 16 <= n; j += 16) {
    const v128_t r0 = one(wasm_v128_load(acc + j));
    const v128_t r1 = one(wasm_v128_load(acc + j + 4));
    const v128_t r2 = one(wasm_v128_load(acc + j + 8));
    const v128_t r3 = one(wasm_v128_load(acc + j + 12));
    wasm_v128_store(out + j,
                    wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(r0, r1),
                                            wasm_i16x8_narrow_i32x4(r2, r3)));
  }
  for (; j < n; j += 4) {
    const int32_t r = n - j;
    v128_t v;
    if (r >= 4) {
      v = wasm_v128_load(acc + j);
    } else {
      v = wasm_i32x4_splat(0);
      v = wasm_i32x4_replace_lane(v, 0, acc[j]);
      if (r > 1) v = wasm_i32x4_replace_lane(v, 1, acc[j + 1]);
      if (r > 2) v = wasm_i32x4_replace_lane(v, 2, acc[j + 2]);
    }
    StoreS8x4(out + j, one(v), r);
  }
}

}  // namespace ember::x86
#endif  // __wasm_simd128__
