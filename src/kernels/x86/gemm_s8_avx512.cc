// AVX-512 (F/BW/VL) int8 tile for CPUs without VNNI (Skylake-X/SP): 8 rows
// x 32 columns, the same panels as the VNNI tile. As in the AVX2 tile, the
// u8 x s8 dot product of each 32-bit lane is done exactly in int16 with
// vpmaddwd on the even and the odd bytes (vpmaddubsw would saturate), and
// the activation side is split into those int16 pairs once per row and
// chunk of k into a stack buffer, so the k loop only broadcasts from
// memory. Without this tile such CPUs ran the 256-bit AVX2 one.
#if defined(__x86_64__)
#include "kernels/x86/gemm_s8_zmm.h"

namespace ember::x86 {
namespace {

constexpr int kMr = kZmmMr;
constexpr int kNr = kZmmNr;
// Groups of 4 k split per chunk: 2 x 8 rows x 64 x 4 bytes = 4 KiB of stack.
constexpr int32_t kChunkGroups = 64;
// Taps shorter than one 64-byte split keep the in-register split (see the
// AVX2 tile: the split pass's per-tap cost outweighs its saving there).
constexpr int32_t kMinSplitTapK = 64;

struct WeightPair {
  __m512i even, odd;  // sign-extended bytes 0, 2 / 1, 3 of each lane
};

inline WeightPair PrepWeights(const uint8_t* w) {
  const __m512i v = _mm512_loadu_si512(w);
  return {_mm512_srai_epi16(_mm512_slli_epi16(v, 8), 8),
          _mm512_srai_epi16(v, 8)};
}

inline __m512i AccPair(__m512i acc, __m512i x_even, __m512i x_odd,
                       const WeightPair& w) {
  acc = _mm512_add_epi32(acc, _mm512_madd_epi16(x_even, w.even));
  return _mm512_add_epi32(acc, _mm512_madd_epi16(x_odd, w.odd));
}

// The 4 activation bytes of one group flipped to uint8 (+128) and split
// into (byte 0, byte 2) and (byte 1, byte 3) int16 pairs.
inline void SplitGroupScalar(uint32_t bytes, int32_t* even, int32_t* odd) {
  bytes ^= 0x80808080u;
  *even = static_cast<int32_t>(bytes & 0x00FF00FFu);
  *odd = static_cast<int32_t>((bytes >> 8) & 0x00FF00FFu);
}

// Splits groups [0, n) of one row; `full` of them have all 4 bytes, the
// one after them (if n > full) has `tail` bytes.
inline void SplitRow(const int8_t* a, int32_t n, int32_t full, int32_t tail,
                     int32_t* even, int32_t* odd) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const __m512i low = _mm512_set1_epi16(0x00FF);
  int32_t g = 0;
  for (; g + 16 <= full; g += 16) {
    const __m512i x = _mm512_xor_si512(_mm512_loadu_si512(a + 4 * g), flip);
    _mm512_storeu_si512(even + g, _mm512_and_si512(x, low));
    _mm512_storeu_si512(odd + g, _mm512_srli_epi16(x, 8));
  }
  for (; g < full; ++g) {
    uint32_t bytes;
    std::memcpy(&bytes, a + 4 * g, 4);
    SplitGroupScalar(bytes, even + g, odd + g);
  }
  if (g < n) {
    SplitGroupScalar(static_cast<uint32_t>(LoadTail(a + 4 * g, tail)), even + g,
                     odd + g);
  }
}

// Short taps: each group's bytes are split in registers.
template <int kHalves>
inline void AccumulateInRegisters(const S8TileArgs& t, __m512i (&acc)[kMr][2]) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const __m512i low = _mm512_set1_epi16(0x00FF);
  const uint8_t* w = t.panel + sizeof(int32_t) * kS8HeaderSlots * kNr;
  const int32_t groups = t.tap_k / 4;
  const int32_t tail = t.tap_k % 4;
  for (int32_t tap = 0; tap < t.taps; ++tap) {
    const int8_t* a[kMr];
#pragma GCC unroll 8
    for (int r = 0; r < kMr; ++r) a[r] = t.a[tap * kMr + r];
    for (int32_t g = 0; g <= groups; ++g) {
      if (g == groups && tail == 0) break;
      const WeightPair w0 = PrepWeights(w);
      const WeightPair w1 = kHalves == 2 ? PrepWeights(w + 64) : w0;
      w += 2 * 64;
#pragma GCC unroll 8
      for (int r = 0; r < kMr; ++r) {
        int32_t bytes;
        if (g < groups) {
          std::memcpy(&bytes, a[r] + 4 * g, 4);
        } else {
          bytes = LoadTail(a[r] + 4 * g, tail);
        }
        const __m512i x = _mm512_xor_si512(_mm512_set1_epi32(bytes), flip);
        const __m512i xe = _mm512_and_si512(x, low);
        const __m512i xo = _mm512_srli_epi16(x, 8);
        acc[r][0] = AccPair(acc[r][0], xe, xo, w0);
        if (kHalves == 2) acc[r][1] = AccPair(acc[r][1], xe, xo, w1);
      }
    }
  }
}

template <int kHalves>
inline void AccumulateSplit(const S8TileArgs& t, __m512i (&acc)[kMr][2]) {
  alignas(64) int32_t x_even[kMr][kChunkGroups];
  alignas(64) int32_t x_odd[kMr][kChunkGroups];
  const uint8_t* w = t.panel + sizeof(int32_t) * kS8HeaderSlots * kNr;
  const int32_t full = t.tap_k / 4;
  const int32_t tail = t.tap_k % 4;
  const int32_t groups = full + (tail != 0 ? 1 : 0);
  for (int32_t tap = 0; tap < t.taps; ++tap) {
    const int8_t* const* a = t.a + tap * kMr;
    for (int32_t g0 = 0; g0 < groups; g0 += kChunkGroups) {
      const int32_t n = groups - g0 < kChunkGroups ? groups - g0 : kChunkGroups;
      const int32_t chunk_full =
          full - g0 < kChunkGroups ? full - g0 : kChunkGroups;
#pragma GCC unroll 8
      for (int r = 0; r < kMr; ++r) {
        SplitRow(a[r] + 4 * g0, n, chunk_full, tail, x_even[r], x_odd[r]);
      }
      for (int32_t g = 0; g < n; ++g) {
        const WeightPair w0 = PrepWeights(w);
        const WeightPair w1 = kHalves == 2 ? PrepWeights(w + 64) : w0;
        w += 2 * 64;
#pragma GCC unroll 8
        for (int r = 0; r < kMr; ++r) {
          const __m512i xe = _mm512_set1_epi32(x_even[r][g]);
          const __m512i xo = _mm512_set1_epi32(x_odd[r][g]);
          acc[r][0] = AccPair(acc[r][0], xe, xo, w0);
          if (kHalves == 2) acc[r][1] = AccPair(acc[r][1], xe, xo, w1);
        }
      }
    }
  }
}

}  // namespace

void S8TileAvx512(const S8TileArgs& t) {
  __m512i acc[kMr][2];
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_si512();
  const bool split = t.tap_k >= kMinSplitTapK;
  if (t.cols > 16) {
    split ? AccumulateSplit<2>(t, acc) : AccumulateInRegisters<2>(t, acc);
  } else {
    split ? AccumulateSplit<1>(t, acc) : AccumulateInRegisters<1>(t, acc);
  }
  ZmmTileStore(t, acc);
}

}  // namespace ember::x86
#endif  // __x86_64__
