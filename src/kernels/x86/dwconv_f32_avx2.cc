// AVX2 fp32 depthwise convolution: 8 channels per ymm (masked tail).
// For each output row and channel block the 3x3 (and 5x5) weights stay in
// registers while the row's pixels stream past; rows in the padding read a zero
// row, columns in the padding take the per-tap checked path. Built with -mavx2
// -mfma only.
#if defined(__x86_64__)
#include <immintrin.h>

#include <algorithm>

#include "kernels/drivers/dwconv_f32.h"

namespace ember::x86 {
namespace {

inline __m256i Mask(int32_t n) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n < 8 ? n : 8), idx);
}

}  // namespace

void DwConvF32Avx2(const DwConvF32Args& g, int64_t row_begin, int64_t row_end) {
  const int32_t C = g.channels;
  const __m256 lo = _mm256_set1_ps(g.lo);
  const __m256 hi = _mm256_set1_ps(g.hi);
  const int32_t kh = g.filter_h, kw = g.filter_w;
  const bool k3 = kh == 3 && kw == 3;
  const bool k5 = kh == 5 && kw == 5;
  constexpr int kMaxTaps = 64;
  const float* rows[kMaxTaps];  // per ky (kh <= kMaxTaps checked by caller)
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
    // Output columns whose taps all fall inside the input.
    int32_t ox_lo = 0;
    while (ox_lo < g.out_w && ox_lo * g.stride_w - g.pad_left < 0) ++ox_lo;
    int32_t ox_hi = g.out_w;
    while (ox_hi > ox_lo &&
           (ox_hi - 1) * g.stride_w - g.pad_left + (kw - 1) * g.dilation_w >=
               g.in_w)
      --ox_hi;
    for (int32_t c = 0; c < C; c += 8) {
      const __m256i m = Mask(C - c);
      const __m256 bias = _mm256_maskload_ps(g.bias + c, m);
      auto edge = [&](int32_t ox) {
        const int32_t ix0 = ox * g.stride_w - g.pad_left;
        __m256 acc = bias;
        for (int32_t ky = 0; ky < kh; ++ky) {
          for (int32_t kx = 0; kx < kw; ++kx) {
            const int32_t ix = ix0 + kx * g.dilation_w;
            if (ix < 0 || ix >= g.in_w) continue;
            const __m256 x = _mm256_maskload_ps(
                rows[ky] + static_cast<int64_t>(ix) * C + c, m);
            const __m256 w = _mm256_maskload_ps(
                g.filter + static_cast<int64_t>(ky * kw + kx) * C + c, m);
            acc = _mm256_fmadd_ps(x, w, acc);
          }
        }
        _mm256_maskstore_ps(out_row + static_cast<int64_t>(ox) * C + c, m,
                            _mm256_min_ps(_mm256_max_ps(acc, lo), hi));
      };
      for (int32_t ox = 0; ox < ox_lo; ++ox) edge(ox);
      if (k3) {
        __m256 w[9];
        for (int t = 0; t < 9; ++t)
          w[t] =
              _mm256_maskload_ps(g.filter + static_cast<int64_t>(t) * C + c, m);
        const int64_t step = static_cast<int64_t>(g.dilation_w) * C;
        const float* r0 = rows[0] + c;
        const float* r1 = rows[1] + c;
        const float* r2 = rows[2] + c;
        for (int32_t ox = ox_lo; ox < ox_hi; ++ox) {
          const int64_t off =
              static_cast<int64_t>(ox * g.stride_w - g.pad_left) * C;
          __m256 acc0 =
              _mm256_fmadd_ps(_mm256_maskload_ps(r0 + off, m), w[0], bias);
          __m256 acc1 = _mm256_mul_ps(_mm256_maskload_ps(r1 + off, m), w[3]);
          __m256 acc2 = _mm256_mul_ps(_mm256_maskload_ps(r2 + off, m), w[6]);
          acc0 = _mm256_fmadd_ps(_mm256_maskload_ps(r0 + off + step, m), w[1],
                                 acc0);
          acc1 = _mm256_fmadd_ps(_mm256_maskload_ps(r1 + off + step, m), w[4],
                                 acc1);
          acc2 = _mm256_fmadd_ps(_mm256_maskload_ps(r2 + off + step, m), w[7],
                                 acc2);
          acc0 = _mm256_fmadd_ps(_mm256_maskload_ps(r0 + off + 2 * step, m),
                                 w[2], acc0);
          acc1 = _mm256_fmadd_ps(_mm256_maskload_ps(r1 + off + 2 * step, m),
                                 w[5], acc1);
          acc2 = _mm256_fmadd_ps(_mm256_maskload_ps(r2 + off + 2 * step, m),
                                 w[8], acc2);
          const __m256 acc = _mm256_add_ps(_mm256_add_ps(acc0, acc1), acc2);
          _mm256_maskstore_ps(out_row + static_cast<int64_t>(ox) * C + c, m,
                              _mm256_min_ps(_mm256_max_ps(acc, lo), hi));
        }
      } else if (k5) {
        // 5x5: the 25 weights are loaded once per channel block (what does
        // not fit in registers is reloaded from L1 by the compiler), one
        // accumulator per filter row to hide the FMA latency.
        __m256 w[25];
        for (int t = 0; t < 25; ++t)
          w[t] =
              _mm256_maskload_ps(g.filter + static_cast<int64_t>(t) * C + c, m);
        const int64_t step = static_cast<int64_t>(g.dilation_w) * C;
        for (int32_t ox = ox_lo; ox < ox_hi; ++ox) {
          const int64_t off =
              static_cast<int64_t>(ox * g.stride_w - g.pad_left) * C + c;
          __m256 acc_row[5];
          for (int ky = 0; ky < 5; ++ky) {
            const float* r = rows[ky] + off;
            __m256 a = _mm256_mul_ps(_mm256_maskload_ps(r, m), w[ky * 5]);
            for (int kx = 1; kx < 5; ++kx)
              a = _mm256_fmadd_ps(_mm256_maskload_ps(r + kx * step, m),
                                  w[ky * 5 + kx], a);
            acc_row[ky] = a;
          }
          const __m256 acc = _mm256_add_ps(
              _mm256_add_ps(_mm256_add_ps(acc_row[0], acc_row[1]),
                            _mm256_add_ps(acc_row[2], acc_row[3])),
              _mm256_add_ps(acc_row[4], bias));
          _mm256_maskstore_ps(out_row + static_cast<int64_t>(ox) * C + c, m,
                              _mm256_min_ps(_mm256_max_ps(acc, lo), hi));
        }
      } else {
        for (int32_t ox = ox_lo; ox < ox_hi; ++ox) edge(ox);
      }
      for (int32_t ox = std::max(ox_hi, ox_lo); ox < g.out_w; ++ox) edge(ox);
    }
  }
}

}  // namespace ember::x86
#endif  // __x86_64__
