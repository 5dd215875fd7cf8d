// WebAssembly SIMD128 int8 depthwise convolution (depth multiplier 1): 4
// channels per v128 as int32 lanes, the loop nest of kernels/drivers/
// dwconv_s8_body.h. Inputs are sign-extended to int32 lanes and the packed
// weights are int32 lanes holding the weight's 16-bit pattern with an upper
// half of 0 (kernels/drivers/dwconv_s8.h), so i32x4.dot_i16x8 yields the
// exact product x * w per lane (x86's vpmaddwd trick). The requantization
// is s8_requant_simd128.h (bit-exact with the reference). Built only where
// the compiler targets SIMD128 (scripts/build_wasm.sh).
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include <cstring>

#include "kernels/drivers/dwconv_s8_body.h"
#include "kernels/wasm/s8_requant_simd128.h"

namespace ember::x86 {
namespace {

struct WasmSimd128S8 {
  static constexpr int kLanes = 4;
  using Vec = v128_t;
  using Mask = int32_t;  // channels in the block (4 = full)

  static Mask MakeMask(int32_t n) { return n < 4 ? n : 4; }
  static Vec Zero() { return wasm_i32x4_splat(0); }
  static Vec Set1(int32_t v) { return wasm_i32x4_splat(v); }
  static Vec LoadX(const int8_t* p, Mask n) {
    v128_t bytes;
    if (n == 4) {
      bytes = wasm_v128_load32_zero(p);
    } else {
      // The channel tail, byte by byte (a variable-length memcpy into a
      // local was miscompiled by Debian's emscripten 3.1.6, see
      // gemm_s8_simd128.cc).
      uint32_t v = 0;
      for (int32_t i = 0; i < n; ++i)
        v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
      bytes = wasm_i32x4_splat(static_cast<int32_t>(v));
    }
    return wasm_i32x4_extend_low_i16x8(wasm_i16x8_extend_low_i8x16(bytes));
  }
  static Vec Load32(const int32_t* p) { return wasm_v128_load(p); }
  static Vec MulAcc(Vec acc, Vec x, Vec w) {
    return wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(x, w));
  }
  static Vec Add(Vec a, Vec b) { return wasm_i32x4_add(a, b); }

  using Requant = RequantSimd128;
  static Requant MakeRequant(Vec mult, Vec left, Vec right) {
    return MakeRequantSimd128(mult, left, right);
  }
  static Vec Requantize(Vec acc, const Requant& rq) {
    return RequantizeSimd128(acc, rq);
  }
  static void Store(int8_t* p, Mask n, Vec v, Vec offset, Vec lo, Vec hi) {
    const v128_t bytes = ClampNarrowS8Simd128(v, offset, lo, hi);
    if (n == 4) {
      wasm_v128_store32_lane(p, bytes, 0);
    } else {
      const int32_t lanes = wasm_i32x4_extract_lane(bytes, 0);
      std::memcpy(p, &lanes, static_cast<size_t>(n));
    }
  }
};

}  // namespace

void DwConvS8WasmSimd128(const DwConvS8Args& args, int64_t row_begin,
                         int64_t row_end) {
  DwConvS8Rows<WasmSimd128S8>(args, row_begin, row_end);
}

}  // namespace ember::x86
#endif  // __wasm_simd128__
