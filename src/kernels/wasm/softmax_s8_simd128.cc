// WebAssembly SIMD128 output step of the int8 SOFTMAX (softmax_s8.h): the
// exp of each element's difference to the row maximum is looked up per lane
// (SIMD128 has no gather), then multiplied by the row's reciprocal and
// shifted with the reference's double rounding (fast_ops_simd128.h), 16
// elements a step. Bit-exact with Softmax8OutRowPortable: both factors are
// non-negative, so the saturating case of the doubling high multiply cannot
// occur. Built only where the compiler targets SIMD128.
#if defined(__wasm_simd128__)
#include "kernels/drivers/softmax_s8.h"
#include "kernels/wasm/fast_ops_simd128.h"

namespace ember::x86 {
namespace {

// exp[max - x[k]] for four int8 values.
inline v128_t LookUp4(const int32_t* exp, const int8_t* x, int32_t max) {
  return wasm_i32x4_make(exp[max - x[0]], exp[max - x[1]], exp[max - x[2]],
                         exp[max - x[3]]);
}

}  // namespace

void Softmax8OutRowWasmSimd128(const int32_t* exp, const int8_t* x, int8_t* y,
                               int32_t depth, int32_t max, int32_t reciprocal,
                               int32_t exponent) {
  const UniformRequant rq = MakeUniformRequant(reciprocal, -exponent);
  const v128_t offset = wasm_i32x4_splat(-128);
  const v128_t lo = wasm_i32x4_splat(-128), hi = wasm_i32x4_splat(127);
  auto one = [&](v128_t e) {
    const v128_t v = wasm_i32x4_add(MulByQuantMultSimd128(e, rq), offset);
    return wasm_i32x4_min(wasm_i32x4_max(v, lo), hi);
  };
  int32_t c = 0;
  for (; c + 16 <= depth; c += 16) {
    const v128_t r0 = one(LookUp4(exp, x + c, max));
    const v128_t r1 = one(LookUp4(exp, x + c + 4, max));
    const v128_t r2 = one(LookUp4(exp, x + c + 8, max));
    const v128_t r3 = one(LookUp4(exp, x + c + 12, max));
    // y may alias x: every lane of this step is read above.
    wasm_v128_store(y + c,
                    wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(r0, r1),
                                            wasm_i16x8_narrow_i32x4(r2, r3)));
  }
  for (; c < depth; c += 4) {
    const int32_t n = depth - c;
    v128_t e;
    if (n >= 4) {
      e = LookUp4(exp, x + c, max);
    } else {
      e = wasm_i32x4_splat(0);
      e = wasm_i32x4_replace_lane(e, 0, exp[max - x[c]]);
      if (n > 1) e = wasm_i32x4_replace_lane(e, 1, exp[max - x[c + 1]]);
      if (n > 2) e = wasm_i32x4_replace_lane(e, 2, exp[max - x[c + 2]]);
    }
    StoreS8x4(y + c, one(e), n);
  }
}

}  // namespace ember::x86
#endif  // __wasm_simd128__
