// AVX-512 VNNI int8 tile: 8 rows x 32 columns (two zmm accumulators per
// row), vpdpbusd on uint8 (activation + 128) x int8 weights. The output
// stage (gemm_s8_zmm.h) is vectorized and bit-exact with ref::Requantize.
#if defined(__x86_64__)
#include "kernels/x86/gemm_s8_zmm.h"

namespace ember::x86 {
namespace {

constexpr int kMr = kZmmMr;
constexpr int kNr = kZmmNr;

// Accumulates the tile; with kHalves == 1 only the first 16 columns (a
// panel's last columns when N leaves at most 16 there).
template <int kHalves>
inline void Accumulate(const S8TileArgs& t, __m512i (&acc)[kMr][2]) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const uint8_t* w = t.panel + sizeof(int32_t) * kS8HeaderSlots * kNr;
  const int32_t groups = t.tap_k / 4;
  const int32_t tail = t.tap_k % 4;
  for (int32_t tap = 0; tap < t.taps; ++tap) {
    // Local copies: kept in registers instead of reloaded every group.
    const int8_t* a[kMr];
#pragma GCC unroll 8
    for (int r = 0; r < kMr; ++r) a[r] = t.a[tap * kMr + r];
    for (int32_t g = 0; g < groups; ++g) {
      const __m512i w0 = _mm512_loadu_si512(w);
      const __m512i w1 = kHalves == 2 ? _mm512_loadu_si512(w + 64) : w0;
      w += 2 * 64;
#pragma GCC unroll 8
      for (int r = 0; r < kMr; ++r) {
        int32_t bytes;
        std::memcpy(&bytes, a[r] + 4 * g, 4);
        const __m512i x = _mm512_xor_si512(_mm512_set1_epi32(bytes), flip);
        acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], x, w0);
        if (kHalves == 2) acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], x, w1);
      }
    }
    if (tail) {
      const __m512i w0 = _mm512_loadu_si512(w);
      const __m512i w1 = kHalves == 2 ? _mm512_loadu_si512(w + 64) : w0;
      w += 2 * 64;
#pragma GCC unroll 8
      for (int r = 0; r < kMr; ++r) {
        const __m512i x = _mm512_xor_si512(
            _mm512_set1_epi32(LoadTail(a[r] + 4 * groups, tail)), flip);
        acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], x, w0);
        if (kHalves == 2) acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], x, w1);
      }
    }
  }
}

}  // namespace

void S8TileAvx512Vnni(const S8TileArgs& t) {
  __m512i acc[kMr][2];
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_si512();
  if (t.cols > 16) {
    Accumulate<2>(t, acc);
  } else {
    Accumulate<1>(t, acc);
  }
  ZmmTileStore(t, acc);
}

}  // namespace ember::x86
#endif  // __x86_64__
