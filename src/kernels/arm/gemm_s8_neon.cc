// Baseline NEON int8 GEMM (no dot-product instructions, e.g. Cortex-A53/
// A57/A72): for each group of four depth values, SMULL multiplies two
// columns' four weights with the row's four values (16-bit products, at
// most 128 * 128 = 16384, so they cannot overflow) and SADALP adds product
// pairs into 32-bit accumulators. A final pairwise add per row turns the
// pair sums into one sum per column. Tile: 4 rows x 8 columns.
#if defined(__aarch64__)
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

#include "kernels/arm/gemm_s8.h"

namespace ember::arm {
namespace {

constexpr int kMr = 4;
constexpr int kNr = kGemmS8Nr;

// Four depth values of an A row starting at p, zero-padded past `avail`.
inline int32_t LoadWord(const int8_t* p, int32_t avail) {
  int32_t v = 0;
  std::memcpy(&v, p, avail >= 4 ? 4 : static_cast<size_t>(avail));
  return v;
}

template <int MR>
void Tile(int32_t nc, int32_t k, const int8_t* a, int64_t lda, const int8_t* w,
          int32_t* c, int64_t ldc) {
  const int32x4_t bias0 = vld1q_s32(reinterpret_cast<const int32_t*>(w));
  const int32x4_t bias1 = vld1q_s32(reinterpret_cast<const int32_t*>(w) + 4);
  w += sizeof(int32_t) * kNr;
  // acc[r][q]: columns 2q and 2q + 1, each as two partial sums.
  int32x4_t acc[MR][4];
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < 4; ++q) acc[r][q] = vdupq_n_s32(0);
  for (int32_t kk = 0; kk < k; kk += 4) {
    const int8x16_t w0 = vld1q_s8(w);       // columns 0..3
    const int8x16_t w1 = vld1q_s8(w + 16);  // columns 4..7
    w += 4 * kNr;
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r) {
      const int8x16_t x =
          vreinterpretq_s8_s32(vdupq_n_s32(LoadWord(a + r * lda + kk, k - kk)));
      acc[r][0] =
          vpadalq_s16(acc[r][0], vmull_s8(vget_low_s8(w0), vget_low_s8(x)));
      acc[r][1] = vpadalq_s16(acc[r][1], vmull_high_s8(w0, x));
      acc[r][2] =
          vpadalq_s16(acc[r][2], vmull_s8(vget_low_s8(w1), vget_low_s8(x)));
      acc[r][3] = vpadalq_s16(acc[r][3], vmull_high_s8(w1, x));
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
    const int32x4_t out0 = vaddq_s32(bias0, vpaddq_s32(acc[r][0], acc[r][1]));
    const int32x4_t out1 = vaddq_s32(bias1, vpaddq_s32(acc[r][2], acc[r][3]));
    int32_t* cr = c + r * ldc;
    if (nc == kNr) {
      vst1q_s32(cr, out0);
      vst1q_s32(cr + 4, out1);
    } else {
      int32_t tmp[kNr];
      vst1q_s32(tmp, out0);
      vst1q_s32(tmp + 4, out1);
      std::memcpy(cr, tmp, sizeof(int32_t) * static_cast<size_t>(nc));
    }
  }
}

using TileFn = void (*)(int32_t, int32_t, const int8_t*, int64_t, const int8_t*,
                        int32_t*, int64_t);
constexpr TileFn kTiles[kMr + 1] = {nullptr, Tile<1>, Tile<2>, Tile<3>,
                                    Tile<4>};

}  // namespace

void GemmS8Neon(const GemmS8Args& g, int64_t m_begin, int64_t m_end,
                int32_t p_begin, int32_t p_end) {
  const int64_t panel_bytes = static_cast<int64_t>(GemmS8PanelBytes(g.k));
  for (int64_t m = m_begin; m < m_end; m += kMr) {
    const TileFn tile = kTiles[std::min<int64_t>(kMr, m_end - m)];
    for (int32_t p = p_begin; p < p_end; ++p) {
      const int32_t n0 = p * kNr;
      tile(std::min(kNr, g.n - n0), g.k, g.a + m * g.lda, g.lda,
           g.packed + p * panel_bytes, g.c + m * g.ldc + n0, g.ldc);
    }
  }
}

}  // namespace ember::arm
#endif  // __aarch64__
