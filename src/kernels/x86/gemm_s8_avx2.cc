// AVX2 int8 tile (4 x 16) for CPUs without VNNI. The u8 x s8 dot product
// of each 32-bit lane is done in int16 with vpmaddwd on the even and the
// odd bytes separately (widened exactly: u8 and s8 both fit int16, and a
// pair of products fits int32). vpmaddubsw is avoided on purpose: it
// saturates its int16 pair sums and would break bit-exactness.
//
// The activation side is split into its even and odd bytes (as int16
// pairs) once per row and chunk of k, 32 bytes per instruction, into a
// small stack buffer; the k loop then broadcasts them straight from memory
// (a load, no ALU work). Splitting inside the k loop cost three vector ALU
// ops per row and group of 4 k, a quarter of the loop's ALU work, which
// the vector pipes (not vpmaddwd) were bound by.
#if defined(__x86_64__)
#include "kernels/x86/gemm_s8_ymm.h"

namespace ember::x86 {
namespace {

constexpr int kAvx2Mr = 4;
// Groups of 4 k split per chunk: 2 x 4 rows x 128 x 4 bytes = 4 KiB of stack.
constexpr int32_t kChunkGroups = 128;

// The in-register split, kept for taps shorter than one 32-byte split
// (e.g. grouped convolutions with 16 channels per group, 3-channel input
// layers): there the split pass's per-tap overhead outweighs its saving.
constexpr int32_t kMinSplitTapK = 32;

struct DotAvx2 {
  struct W {
    __m256i even, odd;  // sign-extended bytes 0, 2 / 1, 3 of each lane
  };
  static W Prep(__m256i w) {
    return {_mm256_srai_epi16(_mm256_slli_epi16(w, 8), 8),
            _mm256_srai_epi16(w, 8)};
  }
  static __m256i Acc(__m256i acc, __m256i x, const W& w) {
    const __m256i x_even = _mm256_and_si256(x, _mm256_set1_epi16(0x00FF));
    const __m256i x_odd = _mm256_srli_epi16(x, 8);
    return _mm256_add_epi32(acc,
                            _mm256_add_epi32(_mm256_madd_epi16(x_even, w.even),
                                             _mm256_madd_epi16(x_odd, w.odd)));
  }
};

struct WeightPair {
  __m256i even, odd;  // sign-extended bytes 0, 2 / 1, 3 of each lane
};

inline WeightPair PrepWeights(const uint8_t* w) {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
  return {_mm256_srai_epi16(_mm256_slli_epi16(v, 8), 8),
          _mm256_srai_epi16(v, 8)};
}

// The 4 activation bytes of one group flipped to uint8 (+128) and split
// into (byte 0, byte 2) and (byte 1, byte 3) int16 pairs, as the
// in-register path did. Missing tail bytes read as 0 before the flip.
inline void SplitGroupScalar(uint32_t bytes, int32_t* even, int32_t* odd) {
  bytes ^= 0x80808080u;
  *even = static_cast<int32_t>(bytes & 0x00FF00FFu);
  *odd = static_cast<int32_t>((bytes >> 8) & 0x00FF00FFu);
}

// Splits groups [0, n) of one row (starting at `a`); `full` of them have
// all 4 bytes, the one after them (if n > full) has `tail` bytes.
inline void SplitRow(const int8_t* a, int32_t n, int32_t full, int32_t tail,
                     int32_t* even, int32_t* odd) {
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
  const __m256i low = _mm256_set1_epi16(0x00FF);
  int32_t g = 0;
  for (; g + 8 <= full; g += 8) {
    const __m256i x = _mm256_xor_si256(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 4 * g)), flip);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(even + g),
                        _mm256_and_si256(x, low));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(odd + g),
                        _mm256_srli_epi16(x, 8));
  }
  for (; g < full; ++g) {
    uint32_t bytes;
    std::memcpy(&bytes, a + 4 * g, 4);
    SplitGroupScalar(bytes, even + g, odd + g);
  }
  if (g < n) {
    SplitGroupScalar(static_cast<uint32_t>(LoadTailBytes(a + 4 * g, tail)),
                     even + g, odd + g);
  }
}

// Two adds into the accumulator in turn (rather than summing the two
// products first): one temporary register fewer, so the 8 accumulators,
// 4 weight registers and 2 broadcasts fit the 16 ymm registers unspilled.
inline __m256i AccPair(__m256i acc, __m256i x_even, __m256i x_odd,
                       const WeightPair& w) {
  acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x_even, w.even));
  return _mm256_add_epi32(acc, _mm256_madd_epi16(x_odd, w.odd));
}

}  // namespace

void S8TileAvx2(const S8TileArgs& t) {
  constexpr int MR = kAvx2Mr;
  if (t.tap_k < kMinSplitTapK) {
    YmmTile<MR, DotAvx2>(t);
    return;
  }
  __m256i acc[MR][2];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
  alignas(32) int32_t x_even[MR][kChunkGroups];
  alignas(32) int32_t x_odd[MR][kChunkGroups];
  const uint8_t* w = t.panel + sizeof(int32_t) * kS8HeaderSlots * kYmmNr;
  const int32_t full = t.tap_k / 4;
  const int32_t tail = t.tap_k % 4;
  const int32_t groups = full + (tail != 0 ? 1 : 0);
  for (int32_t tap = 0; tap < t.taps; ++tap) {
    const int8_t* const* a = t.a + tap * MR;
    for (int32_t g0 = 0; g0 < groups; g0 += kChunkGroups) {
      const int32_t n = groups - g0 < kChunkGroups ? groups - g0 : kChunkGroups;
      const int32_t chunk_full =
          full - g0 < kChunkGroups ? full - g0 : kChunkGroups;
#pragma GCC unroll 8
      for (int r = 0; r < MR; ++r) {
        SplitRow(a[r] + 4 * g0, n, chunk_full, tail, x_even[r], x_odd[r]);
      }
      for (int32_t g = 0; g < n; ++g) {
        const WeightPair w0 = PrepWeights(w);
        const WeightPair w1 = PrepWeights(w + 32);
        w += 64;
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) {
          const __m256i xe = _mm256_set1_epi32(x_even[r][g]);
          const __m256i xo = _mm256_set1_epi32(x_odd[r][g]);
          acc[r][0] = AccPair(acc[r][0], xe, xo, w0);
          acc[r][1] = AccPair(acc[r][1], xe, xo, w1);
        }
      }
    }
  }
  YmmTileStore<MR>(t, acc);
}

}  // namespace ember::x86
#endif  // __x86_64__
