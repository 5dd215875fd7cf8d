// NEON fp32 GEMM: 4x16 register tile. Each step loads four depth values
// of every A row into one register and multiplies them lane by lane
// (FMLA by element) with four 16-wide weight rows, so one A load feeds 16
// FMAs. Bias comes from the packed panel; the clamp is fused before the
// store. Baseline AArch64 (no extra flags).
#if defined(__aarch64__)
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

#include "kernels/drivers/arm_kernels.h"

namespace ember::arm {
namespace {

constexpr int kMr = kGemmF32NeonMr;
constexpr int kNr = kGemmF32NeonNr;

// acc[r][0..3] += av[r][L] * w[0..15] for one depth step L of the block.
template <int MR, int L>
inline void Step(float32x4_t (&acc)[MR][4], const float32x4_t (&av)[MR],
                 const float* w) {
  const float32x4_t w0 = vld1q_f32(w + 16 * L);
  const float32x4_t w1 = vld1q_f32(w + 16 * L + 4);
  const float32x4_t w2 = vld1q_f32(w + 16 * L + 8);
  const float32x4_t w3 = vld1q_f32(w + 16 * L + 12);
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
    acc[r][0] = vfmaq_laneq_f32(acc[r][0], w0, av[r], L);
    acc[r][1] = vfmaq_laneq_f32(acc[r][1], w1, av[r], L);
    acc[r][2] = vfmaq_laneq_f32(acc[r][2], w2, av[r], L);
    acc[r][3] = vfmaq_laneq_f32(acc[r][3], w3, av[r], L);
  }
}

template <int MR>
void Tile(int32_t nc, int32_t k, const float* a, int64_t lda, const float* w,
          float* c, int64_t ldc, float32x4_t lo, float32x4_t hi) {
  float32x4_t acc[MR][4];
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r)
    for (int j = 0; j < 4; ++j) acc[r][j] = vld1q_f32(w + 4 * j);
  w += kNr;
  const float* ar[MR];
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) ar[r] = a + r * lda;
  int32_t kk = 0;
  for (; kk + 4 <= k; kk += 4) {
    float32x4_t av[MR];
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r) av[r] = vld1q_f32(ar[r] + kk);
    Step<MR, 0>(acc, av, w);
    Step<MR, 1>(acc, av, w);
    Step<MR, 2>(acc, av, w);
    Step<MR, 3>(acc, av, w);
    w += 4 * kNr;
  }
  for (; kk < k; ++kk) {  // depth tail, one step at a time
    const float32x4_t w0 = vld1q_f32(w);
    const float32x4_t w1 = vld1q_f32(w + 4);
    const float32x4_t w2 = vld1q_f32(w + 8);
    const float32x4_t w3 = vld1q_f32(w + 12);
    w += kNr;
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r) {
      const float x = ar[r][kk];
      acc[r][0] = vfmaq_n_f32(acc[r][0], w0, x);
      acc[r][1] = vfmaq_n_f32(acc[r][1], w1, x);
      acc[r][2] = vfmaq_n_f32(acc[r][2], w2, x);
      acc[r][3] = vfmaq_n_f32(acc[r][3], w3, x);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
    float* cr = c + r * ldc;
    float32x4_t out[4];
    for (int j = 0; j < 4; ++j)
      out[j] = vminq_f32(vmaxq_f32(acc[r][j], lo), hi);
    if (nc == kNr) {
      for (int j = 0; j < 4; ++j) vst1q_f32(cr + 4 * j, out[j]);
    } else {
      // Last panel of a width that is not a multiple of 16: the padded
      // columns must not be written past the row.
      float tmp[kNr];
      for (int j = 0; j < 4; ++j) vst1q_f32(tmp + 4 * j, out[j]);
      std::memcpy(cr, tmp, sizeof(float) * static_cast<size_t>(nc));
    }
  }
}

using TileFn = void (*)(int32_t, int32_t, const float*, int64_t, const float*,
                        float*, int64_t, float32x4_t, float32x4_t);
constexpr TileFn kTiles[kMr + 1] = {nullptr, Tile<1>, Tile<2>, Tile<3>,
                                    Tile<4>};

}  // namespace

void GemmF32Neon(const x86::GemmF32Args& g, int64_t m_begin, int64_t m_end,
                 int32_t p_begin, int32_t p_end) {
  const float32x4_t lo = vdupq_n_f32(g.lo);
  const float32x4_t hi = vdupq_n_f32(g.hi);
  const int64_t panel_floats = (static_cast<int64_t>(g.k) + 1) * kNr;
  // Panels per block: about 256 KiB of weights, revisited by every row
  // tile while it stays in L2.
  const int64_t panel_bytes = panel_floats * 4;
  const int32_t block =
      static_cast<int32_t>(std::max<int64_t>(1, (256 * 1024) / panel_bytes));
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

}  // namespace ember::arm
#endif  // __aarch64__
