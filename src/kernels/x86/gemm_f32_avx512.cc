// AVX-512 fp32 GEMM: 8x32 register tile (16 zmm accumulators), bias taken
// from the packed panel, clamp fused before the store. Built with
// -mavx512f -mavx512bw -mavx512vl -mfma only; called only when the CPU has
// them (see gemm_f32.cc).
#if defined(__x86_64__)
#include <immintrin.h>

// GCC 12 reports the undefined pass-through operand inside the
// _mm512_{min,max}_ps intrinsics as maybe-uninitialized (false positive).
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <algorithm>

#include "kernels/drivers/gemm_f32.h"

namespace ember::x86 {
namespace {

constexpr int kNr = 32;
constexpr int kMr = 8;

template <int MR>
inline void Tile(int32_t nc, int32_t k, const float* a, int64_t lda,
                 const float* w, float* c, int64_t ldc, __m512 lo, __m512 hi) {
  __m512 acc0[MR], acc1[MR];
  const __m512 bias0 = _mm512_load_ps(w);
  const __m512 bias1 = _mm512_load_ps(w + 16);
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    acc0[r] = bias0;
    acc1[r] = bias1;
  }
  w += kNr;
  const float* ar[MR];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) ar[r] = a + r * lda;
  for (int32_t kk = 0; kk < k; ++kk) {
    const __m512 w0 = _mm512_load_ps(w);
    const __m512 w1 = _mm512_load_ps(w + 16);
    w += kNr;
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      const __m512 av = _mm512_set1_ps(ar[r][kk]);
      acc0[r] = _mm512_fmadd_ps(av, w0, acc0[r]);
      acc1[r] = _mm512_fmadd_ps(av, w1, acc1[r]);
    }
  }
  if (nc == kNr) {
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      float* cr = c + r * ldc;
      _mm512_storeu_ps(cr, _mm512_min_ps(_mm512_max_ps(acc0[r], lo), hi));
      _mm512_storeu_ps(cr + 16, _mm512_min_ps(_mm512_max_ps(acc1[r], lo), hi));
    }
  } else {
    const __mmask16 m0 = nc >= 16 ? static_cast<__mmask16>(0xffff)
                                  : static_cast<__mmask16>((1u << nc) - 1);
    const __mmask16 m1 = nc > 16 ? static_cast<__mmask16>((1u << (nc - 16)) - 1)
                                 : static_cast<__mmask16>(0);
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      float* cr = c + r * ldc;
      _mm512_mask_storeu_ps(cr, m0,
                            _mm512_min_ps(_mm512_max_ps(acc0[r], lo), hi));
      _mm512_mask_storeu_ps(cr + 16, m1,
                            _mm512_min_ps(_mm512_max_ps(acc1[r], lo), hi));
    }
  }
}

using TileFn = void (*)(int32_t, int32_t, const float*, int64_t, const float*,
                        float*, int64_t, __m512, __m512);
constexpr TileFn kTiles[kMr + 1] = {nullptr, Tile<1>, Tile<2>, Tile<3>, Tile<4>,
                                    Tile<5>, Tile<6>, Tile<7>, Tile<8>};

}  // namespace

void GemmF32Avx512(const GemmF32Args& g, int64_t m_begin, int64_t m_end,
                   int32_t p_begin, int32_t p_end) {
  const __m512 lo = _mm512_set1_ps(g.lo);
  const __m512 hi = _mm512_set1_ps(g.hi);
  const int64_t panel_floats = (static_cast<int64_t>(g.k) + 1) * kNr;
  // Panels in blocks that stay in L2 while the rows stream past them.
  const int64_t panel_bytes = panel_floats * 4;
  const int32_t block =
      static_cast<int32_t>(std::max<int64_t>(1, (512 * 1024) / panel_bytes));
  for (int32_t pb = p_begin; pb < p_end; pb += block) {
    const int32_t pe = std::min(p_end, pb + block);
    for (int64_t m = m_begin; m < m_end; m += kMr) {
      const int mr = static_cast<int>(std::min<int64_t>(kMr, m_end - m));
      const TileFn tile = kTiles[mr];
      const float* a = g.a + m * g.lda;
      for (int32_t p = pb; p < pe; ++p) {
        const int32_t n0 = p * kNr;
        const int32_t nc = std::min(kNr, g.n - n0);
        tile(nc, g.k, a, g.lda, g.packed + p * panel_floats,
             g.c + m * g.ldc + n0, g.ldc, lo, hi);
      }
    }
  }
}

}  // namespace ember::x86
#endif  // __x86_64__
