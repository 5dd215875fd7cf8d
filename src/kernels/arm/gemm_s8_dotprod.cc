// int8 GEMM with SDOT (FEAT_DotProd): each SDOT by element adds, for four
// columns, the dot product of the column's four packed weights with four
// depth values of an A row, i.e. 16 multiply-adds per instruction. One
// 16-byte load of an A row feeds four SDOT steps. Tile: 4 rows x 8
// columns (8 accumulators). This file alone is built with +dotprod and is
// called only when the CPU reports it; it includes no C++ library
// templates, so no inline function compiled with +dotprod can be shared
// with (and picked by the linker for) baseline code.
#if defined(__aarch64__)
#include <arm_neon.h>

#include <cstring>

#include "kernels/arm/gemm_s8.h"
#include "kernels/arm/s8_tile.h"

namespace ember::arm {
namespace {

constexpr int kMr = 4;
constexpr int kNr = kGemmS8Nr;
constexpr int kGroupBytes = 4 * kNr;  // four depth values x 8 columns

inline int32_t LoadWord(const int8_t* p, int32_t avail) {
  int32_t v = 0;
  std::memcpy(&v, p, avail >= 4 ? 4 : static_cast<size_t>(avail));
  return v;
}

// acc[r] += group L of the 16-value block in av[r] times weight group L.
template <int MR, int L>
inline void Step(int32x4_t (&acc)[MR][2], const int8x16_t (&av)[MR],
                 const int8_t* w) {
  const int8x16_t w0 = vld1q_s8(w + kGroupBytes * L);
  const int8x16_t w1 = vld1q_s8(w + kGroupBytes * L + 16);
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
    acc[r][0] = vdotq_laneq_s32(acc[r][0], w0, av[r], L);
    acc[r][1] = vdotq_laneq_s32(acc[r][1], w1, av[r], L);
  }
}

template <int MR>
void Tile(int32_t nc, int32_t k, const int8_t* a, int64_t lda, const int8_t* w,
          int32_t* c, int64_t ldc) {
  int32x4_t acc[MR][2];
  const int32x4_t bias0 = vld1q_s32(reinterpret_cast<const int32_t*>(w));
  const int32x4_t bias1 = vld1q_s32(reinterpret_cast<const int32_t*>(w) + 4);
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
    acc[r][0] = bias0;
    acc[r][1] = bias1;
  }
  w += sizeof(int32_t) * kNr;
  int32_t kk = 0;
  for (; kk + 16 <= k; kk += 16) {
    int8x16_t av[MR];
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r) av[r] = vld1q_s8(a + r * lda + kk);
    Step<MR, 0>(acc, av, w);
    Step<MR, 1>(acc, av, w);
    Step<MR, 2>(acc, av, w);
    Step<MR, 3>(acc, av, w);
    w += 4 * kGroupBytes;
  }
  for (; kk < k; kk += 4) {  // remaining groups, the last one maybe partial
    const int8x16_t w0 = vld1q_s8(w);
    const int8x16_t w1 = vld1q_s8(w + 16);
    w += kGroupBytes;
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r) {
      const int8x16_t x =
          vreinterpretq_s8_s32(vdupq_n_s32(LoadWord(a + r * lda + kk, k - kk)));
      acc[r][0] = vdotq_s32(acc[r][0], w0, x);
      acc[r][1] = vdotq_s32(acc[r][1], w1, x);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
    int32_t* cr = c + r * ldc;
    if (nc == kNr) {
      vst1q_s32(cr, acc[r][0]);
      vst1q_s32(cr + 4, acc[r][1]);
    } else {
      int32_t tmp[kNr];
      vst1q_s32(tmp, acc[r][0]);
      vst1q_s32(tmp + 4, acc[r][1]);
      std::memcpy(cr, tmp, sizeof(int32_t) * static_cast<size_t>(nc));
    }
  }
}

using TileFn = void (*)(int32_t, int32_t, const int8_t*, int64_t, const int8_t*,
                        int32_t*, int64_t);
constexpr TileFn kTiles[kMr + 1] = {nullptr, Tile<1>, Tile<2>, Tile<3>,
                                    Tile<4>};

}  // namespace

void GemmS8Dotprod(const GemmS8Args& g, int64_t m_begin, int64_t m_end,
                   int32_t p_begin, int32_t p_end) {
  // Panel size spelled out (not GemmS8PanelBytes) to keep every function
  // this file emits local to it; see the comment at the top.
  const int64_t panel_bytes = static_cast<int64_t>(sizeof(int32_t)) * kNr +
                              static_cast<int64_t>((g.k + 3) / 4) * kGroupBytes;
  for (int64_t m = m_begin; m < m_end; m += kMr) {
    const int64_t rows = m_end - m < kMr ? m_end - m : kMr;
    const TileFn tile = kTiles[rows];
    for (int32_t p = p_begin; p < p_end; ++p) {
      const int32_t n0 = p * kNr;
      const int32_t nc = g.n - n0 < kNr ? g.n - n0 : kNr;
      tile(nc, g.k, g.a + m * g.lda, g.lda, g.packed + p * panel_bytes,
           g.c + m * g.ldc + n0, g.ldc);
    }
  }
}

// The int8 CONV_2D / FULLY_CONNECTED tile's accumulation (see s8_tile.h):
// the same SDOT steps over each tap's pointer rows and packed groups.
void AccumulateS8Dotprod(const x86::S8TileArgs& t, int32_t* out) {
  static_assert(kS8TileMr == kMr && kS8TileNr == kNr, "one tile shape");
  int32x4_t acc[kMr][2];
#pragma GCC unroll 4
  for (int r = 0; r < kMr; ++r) acc[r][0] = acc[r][1] = vdupq_n_s32(0);
  const int8_t* w = reinterpret_cast<const int8_t*>(t.panel) +
                    sizeof(int32_t) * x86::kS8HeaderSlots * kNr;
  for (int32_t tap = 0; tap < t.taps; ++tap) {
    const int8_t* const* a = t.a + tap * kMr;
    int32_t kk = 0;
    for (; kk + 16 <= t.tap_k; kk += 16) {
      int8x16_t av[kMr];
#pragma GCC unroll 4
      for (int r = 0; r < kMr; ++r) av[r] = vld1q_s8(a[r] + kk);
      Step<kMr, 0>(acc, av, w);
      Step<kMr, 1>(acc, av, w);
      Step<kMr, 2>(acc, av, w);
      Step<kMr, 3>(acc, av, w);
      w += 4 * kGroupBytes;
    }
    for (; kk < t.tap_k; kk += 4) {
      const int8x16_t w0 = vld1q_s8(w);
      const int8x16_t w1 = vld1q_s8(w + 16);
      w += kGroupBytes;
#pragma GCC unroll 4
      for (int r = 0; r < kMr; ++r) {
        const int8x16_t x = vreinterpretq_s8_s32(
            vdupq_n_s32(LoadWord(a[r] + kk, t.tap_k - kk)));
        acc[r][0] = vdotq_s32(acc[r][0], w0, x);
        acc[r][1] = vdotq_s32(acc[r][1], w1, x);
      }
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < kMr; ++r) {
    vst1q_s32(out + r * kNr, acc[r][0]);
    vst1q_s32(out + r * kNr + 4, acc[r][1]);
  }
}

}  // namespace ember::arm
#endif  // __aarch64__
