// AVX2 fp32 GEMM: 6x16 register tile (12 ymm accumulators), bias taken from
// the packed panel, clamp fused before the store. Built with -mavx2 -mfma
// only; called only when the CPU has them (see gemm_f32.cc).
#if defined(__x86_64__)
#include <immintrin.h>

#include <algorithm>

#include "kernels/drivers/gemm_f32.h"

namespace ember::x86 {
namespace {

constexpr int kNr = 16;
constexpr int kMr = 6;

inline __m256i TailMask(int n) {  // lanes [0, n) set, n in [0, 8]
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx);
}

template <int MR>
inline void Tile(int32_t nc, int32_t k, const float* a, int64_t lda,
                 const float* w, float* c, int64_t ldc, __m256 lo, __m256 hi) {
  __m256 acc0[MR], acc1[MR];
  const __m256 bias0 = _mm256_load_ps(w);
  const __m256 bias1 = _mm256_load_ps(w + 8);
#pragma GCC unroll 6
  for (int r = 0; r < MR; ++r) {
    acc0[r] = bias0;
    acc1[r] = bias1;
  }
  w += kNr;
  const float* ar[MR];
#pragma GCC unroll 6
  for (int r = 0; r < MR; ++r) ar[r] = a + r * lda;
  for (int32_t kk = 0; kk < k; ++kk) {
    const __m256 w0 = _mm256_load_ps(w);
    const __m256 w1 = _mm256_load_ps(w + 8);
    w += kNr;
#pragma GCC unroll 6
    for (int r = 0; r < MR; ++r) {
      const __m256 av = _mm256_broadcast_ss(ar[r] + kk);
      acc0[r] = _mm256_fmadd_ps(av, w0, acc0[r]);
      acc1[r] = _mm256_fmadd_ps(av, w1, acc1[r]);
    }
  }
  if (nc == kNr) {
#pragma GCC unroll 6
    for (int r = 0; r < MR; ++r) {
      float* cr = c + r * ldc;
      _mm256_storeu_ps(cr, _mm256_min_ps(_mm256_max_ps(acc0[r], lo), hi));
      _mm256_storeu_ps(cr + 8, _mm256_min_ps(_mm256_max_ps(acc1[r], lo), hi));
    }
  } else {
    const __m256i m0 = TailMask(nc >= 8 ? 8 : nc);
    const __m256i m1 = TailMask(nc > 8 ? nc - 8 : 0);
#pragma GCC unroll 6
    for (int r = 0; r < MR; ++r) {
      float* cr = c + r * ldc;
      _mm256_maskstore_ps(cr, m0,
                          _mm256_min_ps(_mm256_max_ps(acc0[r], lo), hi));
      _mm256_maskstore_ps(cr + 8, m1,
                          _mm256_min_ps(_mm256_max_ps(acc1[r], lo), hi));
    }
  }
}

using TileFn = void (*)(int32_t, int32_t, const float*, int64_t, const float*,
                        float*, int64_t, __m256, __m256);
constexpr TileFn kTiles[kMr + 1] = {nullptr, Tile<1>, Tile<2>, Tile<3>,
                                    Tile<4>, Tile<5>, Tile<6>};

}  // namespace

void GemmF32Avx2(const GemmF32Args& g, int64_t m_begin, int64_t m_end,
                 int32_t p_begin, int32_t p_end) {
  const __m256 lo = _mm256_set1_ps(g.lo);
  const __m256 hi = _mm256_set1_ps(g.hi);
  const int64_t panel_floats = (static_cast<int64_t>(g.k) + 1) * kNr;
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

namespace {

// The 8-column variant (one ymm per row, 8 rows): for GEMMs of 8 or fewer
// columns (grouped convolutions with 8 channels per group), which the
// 16-column tile would pad with zeros.
constexpr int kNr8 = 8;
constexpr int kMr8 = 8;

template <int MR>
inline void Tile8(int32_t nc, int32_t k, const float* a, int64_t lda,
                  const float* w, float* c, int64_t ldc, __m256 lo, __m256 hi) {
  __m256 acc[MR];
  const __m256 bias = _mm256_load_ps(w);
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) acc[r] = bias;
  w += kNr8;
  const float* ar[MR];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) ar[r] = a + r * lda;
  for (int32_t kk = 0; kk < k; ++kk) {
    const __m256 w0 = _mm256_load_ps(w);
    w += kNr8;
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r)
      acc[r] = _mm256_fmadd_ps(_mm256_broadcast_ss(ar[r] + kk), w0, acc[r]);
  }
  const __m256i mask = TailMask(nc);
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    const __m256 v = _mm256_min_ps(_mm256_max_ps(acc[r], lo), hi);
    if (nc == kNr8) {
      _mm256_storeu_ps(c + r * ldc, v);
    } else {
      _mm256_maskstore_ps(c + r * ldc, mask, v);
    }
  }
}

constexpr TileFn kTiles8[kMr8 + 1] = {nullptr,  Tile8<1>, Tile8<2>,
                                      Tile8<3>, Tile8<4>, Tile8<5>,
                                      Tile8<6>, Tile8<7>, Tile8<8>};

}  // namespace

void GemmF32Avx2Nr8(const GemmF32Args& g, int64_t m_begin, int64_t m_end,
                    int32_t p_begin, int32_t p_end) {
  const __m256 lo = _mm256_set1_ps(g.lo);
  const __m256 hi = _mm256_set1_ps(g.hi);
  const int64_t panel_floats = (static_cast<int64_t>(g.k) + 1) * kNr8;
  for (int64_t m = m_begin; m < m_end; m += kMr8) {
    const int mr = static_cast<int>(std::min<int64_t>(kMr8, m_end - m));
    const TileFn tile = kTiles8[mr];
    const float* a = g.a + m * g.lda;
    for (int32_t p = p_begin; p < p_end; ++p) {
      const int32_t n0 = p * kNr8;
      const int32_t nc = std::min(kNr8, g.n - n0);
      tile(nc, g.k, a, g.lda, g.packed + p * panel_floats, g.c + m * g.ldc + n0,
           g.ldc, lo, hi);
    }
  }
}

}  // namespace ember::x86
#endif  // __x86_64__
