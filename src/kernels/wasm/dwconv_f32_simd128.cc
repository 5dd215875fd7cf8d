// WebAssembly SIMD128 fp32 depthwise convolution (multiplier 1): 4 channels
// per v128. Output columns whose taps all fall inside the input take an
// unchecked path (3x3 unrolled with the nine weights in registers); border
// columns check each tap; a channel tail (C % 4) runs in scalar code. No
// fused multiply-add, as in the reference kernel. Built only for SIMD128.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include <algorithm>

#include "kernels/drivers/dwconv_f32.h"

namespace ember::x86 {
namespace {

inline v128_t Clamp(v128_t v, v128_t lo, v128_t hi) {
  return wasm_f32x4_pmin(wasm_f32x4_pmax(v, lo), hi);
}

}  // namespace

void DwConvF32WasmSimd128(const DwConvF32Args& g, int64_t row_begin,
                          int64_t row_end) {
  const int32_t C = g.channels;
  const int32_t c_vec = C / 4 * 4;
  const v128_t lo = wasm_f32x4_splat(g.lo);
  const v128_t hi = wasm_f32x4_splat(g.hi);
  const int32_t kh = g.filter_h, kw = g.filter_w;
  const bool k3 = kh == 3 && kw == 3;
  constexpr int kMaxTaps = 64;
  const float* rows[kMaxTaps];  // per ky (kh <= 64 checked by the op)
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int32_t b = static_cast<int32_t>(row / g.out_h);
    const int32_t oy = static_cast<int32_t>(row % g.out_h);
    const float* in_b = g.input + static_cast<int64_t>(b) * g.in_h * g.in_w * C;
    for (int32_t ky = 0; ky < kh; ++ky) {
      const int32_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
      rows[ky] = (iy >= 0 && iy < g.in_h)
                     ? in_b + static_cast<int64_t>(iy) * g.in_w * C
                     : g.zero_row;
    }
    float* out_row = g.output + row * g.out_w * C;
    int32_t ox_lo = 0;
    while (ox_lo < g.out_w && ox_lo * g.stride_w - g.pad_left < 0) ++ox_lo;
    int32_t ox_hi = g.out_w;
    while (ox_hi > ox_lo &&
           (ox_hi - 1) * g.stride_w - g.pad_left + (kw - 1) * g.dilation_w >=
               g.in_w)
      --ox_hi;
    // One output pixel, every tap checked (borders).
    auto edge = [&](int32_t ox, int32_t c) {
      const int32_t ix0 = ox * g.stride_w - g.pad_left;
      v128_t acc = wasm_v128_load(g.bias + c);
      for (int32_t ky = 0; ky < kh; ++ky) {
        for (int32_t kx = 0; kx < kw; ++kx) {
          const int32_t ix = ix0 + kx * g.dilation_w;
          if (ix < 0 || ix >= g.in_w) continue;
          const v128_t x =
              wasm_v128_load(rows[ky] + static_cast<int64_t>(ix) * C + c);
          const v128_t w = wasm_v128_load(
              g.filter + static_cast<int64_t>(ky * kw + kx) * C + c);
          acc = wasm_f32x4_add(acc, wasm_f32x4_mul(x, w));
        }
      }
      wasm_v128_store(out_row + static_cast<int64_t>(ox) * C + c,
                      Clamp(acc, lo, hi));
    };
    for (int32_t c = 0; c < c_vec; c += 4) {
      for (int32_t ox = 0; ox < ox_lo; ++ox) edge(ox, c);
      if (k3) {
        v128_t w[9];
        for (int t = 0; t < 9; ++t)
          w[t] = wasm_v128_load(g.filter + static_cast<int64_t>(t) * C + c);
        const v128_t bias = wasm_v128_load(g.bias + c);
        const int64_t step = static_cast<int64_t>(g.dilation_w) * C;
        const float* r0 = rows[0] + c;
        const float* r1 = rows[1] + c;
        const float* r2 = rows[2] + c;
        for (int32_t ox = ox_lo; ox < ox_hi; ++ox) {
          const int64_t off =
              static_cast<int64_t>(ox * g.stride_w - g.pad_left) * C;
          v128_t acc = bias;
          for (int kx = 0; kx < 3; ++kx) {
            const int64_t o = off + kx * step;
            acc = wasm_f32x4_add(acc,
                                 wasm_f32x4_mul(wasm_v128_load(r0 + o), w[kx]));
            acc = wasm_f32x4_add(
                acc, wasm_f32x4_mul(wasm_v128_load(r1 + o), w[3 + kx]));
            acc = wasm_f32x4_add(
                acc, wasm_f32x4_mul(wasm_v128_load(r2 + o), w[6 + kx]));
          }
          wasm_v128_store(out_row + static_cast<int64_t>(ox) * C + c,
                          Clamp(acc, lo, hi));
        }
      } else {
        for (int32_t ox = ox_lo; ox < ox_hi; ++ox) edge(ox, c);
      }
      for (int32_t ox = std::max(ox_hi, ox_lo); ox < g.out_w; ++ox) {
        edge(ox, c);
      }
    }
    // Channel tail in scalar code.
    for (int32_t c = c_vec; c < C; ++c) {
      for (int32_t ox = 0; ox < g.out_w; ++ox) {
        const int32_t ix0 = ox * g.stride_w - g.pad_left;
        float acc = g.bias[c];
        for (int32_t ky = 0; ky < kh; ++ky) {
          for (int32_t kx = 0; kx < kw; ++kx) {
            const int32_t ix = ix0 + kx * g.dilation_w;
            if (ix < 0 || ix >= g.in_w) continue;
            acc += rows[ky][static_cast<int64_t>(ix) * C + c] *
                   g.filter[static_cast<int64_t>(ky * kw + kx) * C + c];
          }
        }
        out_row[static_cast<int64_t>(ox) * C + c] =
            std::min(std::max(acc, g.lo), g.hi);
      }
    }
  }
}

}  // namespace ember::x86
#endif  // __wasm_simd128__
