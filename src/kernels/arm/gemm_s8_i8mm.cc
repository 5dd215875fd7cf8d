// int8 GEMM with SMMLA (FEAT_I8MM): one SMMLA multiplies a 2 x 8 block of A
// (two rows, eight depth values) by the transpose of a 2 x 8 block of B
// (two columns, eight depth values) into a 2 x 2 block of int32 sums: 32
// multiply-adds per instruction, twice SDOT's 16. Tile: 4 rows x 8 columns
// as for SDOT (2 row pairs x 4 column pairs = 8 accumulators), reading the
// same packed panels (gemm_s8.h): two consecutive 4-deep groups of the
// panel are zipped word by word into the 8-deep column pairs SMMLA wants,
// so the packing, the tile drivers and the epilogues stay shared with the
// SDOT and NEON kernels. This file alone is built with +i8mm and is called
// only when the CPU reports it; like gemm_s8_dotprod.cc it includes no C++
// library templates, so no inline function compiled with +i8mm can be
// picked by the linker for baseline code.
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

// Eight depth values of one row from `kk` on; past `k` they read as zero
// (the matching packed weights are zero too), and nothing past the row's
// end is read.
inline int8x8_t LoadRow8(const int8_t* row, int32_t kk, int32_t k) {
  if (kk + 8 <= k) return vld1_s8(row + kk);
  int8_t tmp[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::memcpy(tmp, row + kk, static_cast<size_t>(k - kk));
  return vld1_s8(tmp);
}

// acc[p][q] (rows 2p, 2p+1 x columns 2q, 2q+1) += the 8-deep block at depth
// kk, whose weights are the groups g0 (depth kk..kk+3) and g1 (kk+4..kk+7).
inline void Block(int32x4_t (&acc)[2][4], const int8_t* const (&rows)[kMr],
                  int32_t kk, int32_t k, const int8_t* g0, const int8_t* g1) {
  const int32x4_t lo0 = vreinterpretq_s32_s8(vld1q_s8(g0));
  const int32x4_t hi0 = vreinterpretq_s32_s8(vld1q_s8(g0 + 16));
  const int32x4_t lo1 =
      g1 ? vreinterpretq_s32_s8(vld1q_s8(g1)) : vdupq_n_s32(0);
  const int32x4_t hi1 =
      g1 ? vreinterpretq_s32_s8(vld1q_s8(g1 + 16)) : vdupq_n_s32(0);
  // Word j of a group holds column j's four depth values; zipping the two
  // groups gives each column's eight, two columns per register.
  const int8x16_t b[4] = {
      vreinterpretq_s8_s32(vzip1q_s32(lo0, lo1)),
      vreinterpretq_s8_s32(vzip2q_s32(lo0, lo1)),
      vreinterpretq_s8_s32(vzip1q_s32(hi0, hi1)),
      vreinterpretq_s8_s32(vzip2q_s32(hi0, hi1)),
  };
  const int8x16_t a[2] = {
      vcombine_s8(LoadRow8(rows[0], kk, k), LoadRow8(rows[1], kk, k)),
      vcombine_s8(LoadRow8(rows[2], kk, k), LoadRow8(rows[3], kk, k)),
  };
#pragma GCC unroll 2
  for (int p = 0; p < 2; ++p) {
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) acc[p][q] = vmmlaq_s32(acc[p][q], a[p], b[q]);
  }
}

// Sums of one panel over depth k: the 4-deep groups two at a time, the last
// one alone (paired with zeros) when their number is odd.
inline const int8_t* AccumulateDepth(int32x4_t (&acc)[2][4],
                                     const int8_t* const (&rows)[kMr],
                                     int32_t k, const int8_t* w) {
  const int32_t groups = (k + 3) / 4;
  int32_t g = 0;
  for (; g + 2 <= groups; g += 2, w += 2 * kGroupBytes)
    Block(acc, rows, 4 * g, k, w, w + kGroupBytes);
  if (g < groups) {
    Block(acc, rows, 4 * g, k, w, nullptr);
    w += kGroupBytes;
  }
  return w;
}

// Row r of the 4 x 8 result: SMMLA's 2 x 2 blocks hold rows (2p, 2p+1) as
// the low and high 64 bits of each accumulator.
inline void StoreRows(const int32x4_t (&acc)[2][4], int32_t* out) {
#pragma GCC unroll 2
  for (int p = 0; p < 2; ++p) {
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      const int64x2_t q0 = vreinterpretq_s64_s32(acc[p][0]);
      const int64x2_t q1 = vreinterpretq_s64_s32(acc[p][1]);
      const int64x2_t q2 = vreinterpretq_s64_s32(acc[p][2]);
      const int64x2_t q3 = vreinterpretq_s64_s32(acc[p][3]);
      int32_t* row = out + (2 * p + h) * kNr;
      vst1q_s32(row, vreinterpretq_s32_s64(h == 0 ? vzip1q_s64(q0, q1)
                                                  : vzip2q_s64(q0, q1)));
      vst1q_s32(row + 4, vreinterpretq_s32_s64(h == 0 ? vzip1q_s64(q2, q3)
                                                      : vzip2q_s64(q2, q3)));
    }
  }
}

inline void Zero(int32x4_t (&acc)[2][4]) {
  for (int p = 0; p < 2; ++p)
    for (int q = 0; q < 4; ++q) acc[p][q] = vdupq_n_s32(0);
}

}  // namespace

void GemmS8I8mm(const GemmS8Args& g, int64_t m_begin, int64_t m_end,
                int32_t p_begin, int32_t p_end) {
  // Panel size spelled out (not GemmS8PanelBytes) to keep every function
  // this file emits local to it; see the comment at the top.
  const int64_t panel_bytes = static_cast<int64_t>(sizeof(int32_t)) * kNr +
                              static_cast<int64_t>((g.k + 3) / 4) * kGroupBytes;
  for (int64_t m = m_begin; m < m_end; m += kMr) {
    const int64_t rows = m_end - m < kMr ? m_end - m : kMr;
    // Missing rows of the last tile repeat its first row; their sums are
    // computed and dropped.
    const int8_t* const base = g.a + m * g.lda;
    const int8_t* const a[kMr] = {base, rows > 1 ? base + g.lda : base,
                                  rows > 2 ? base + 2 * g.lda : base,
                                  rows > 3 ? base + 3 * g.lda : base};
    for (int32_t p = p_begin; p < p_end; ++p) {
      const int8_t* w = g.packed + p * panel_bytes;
      const int32_t* bias = reinterpret_cast<const int32_t*>(w);
      int32x4_t acc[2][4];
      Zero(acc);
      AccumulateDepth(acc, a, g.k, w + sizeof(int32_t) * kNr);
      int32_t tile[kMr * kNr];
      StoreRows(acc, tile);
      const int32_t n0 = p * kNr;
      const int32_t nc = g.n - n0 < kNr ? g.n - n0 : kNr;
      for (int64_t r = 0; r < rows; ++r) {
        int32_t* cr = g.c + (m + r) * g.ldc + n0;
        for (int32_t j = 0; j < nc; ++j)  // wraps, as SDOT's accumulators do
          cr[j] =
              static_cast<int32_t>(static_cast<uint32_t>(tile[r * kNr + j]) +
                                   static_cast<uint32_t>(bias[j]));
      }
    }
  }
}

// The int8 CONV_2D / FULLY_CONNECTED tile's accumulation (see s8_tile.h):
// the same SMMLA blocks over each tap's pointer rows and packed groups.
void AccumulateS8I8mm(const x86::S8TileArgs& t, int32_t* out) {
  static_assert(kS8TileMr == kMr && kS8TileNr == kNr, "one tile shape");
  int32x4_t acc[2][4];
  Zero(acc);
  const int8_t* w = reinterpret_cast<const int8_t*>(t.panel) +
                    sizeof(int32_t) * x86::kS8HeaderSlots * kNr;
  for (int32_t tap = 0; tap < t.taps; ++tap) {
    const int8_t* const* a = t.a + tap * kMr;
    const int8_t* const rows[kMr] = {a[0], a[1], a[2], a[3]};
    w = AccumulateDepth(acc, rows, t.tap_k, w);
  }
  StoreRows(acc, out);
}

}  // namespace ember::arm
#endif  // __aarch64__
