// Peak-probe loops for AVX-512 F/BW without VNNI (kernels/drivers/peak.h).
// Built with the AVX-512 flags only (the *_avx512.cc glob).
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>

namespace ember::kernels {

// An empty asm that "changes" v, so work depending on it is redone.
#define EMBER_OPAQUE(v) asm volatile("" : "+v"(v))

int64_t PeakF32Avx512(int64_t iterations) {
  __m512 a = _mm512_set1_ps(1.0f), b = _mm512_set1_ps(1.0f);
  __m512 c[12];
  for (int j = 0; j < 12; ++j) c[j] = _mm512_setzero_ps();
  for (int64_t i = 0; i < iterations; ++i) {
    EMBER_OPAQUE(a);
    EMBER_OPAQUE(b);
#pragma GCC unroll 12
    for (int j = 0; j < 12; ++j) c[j] = _mm512_fmadd_ps(a, b, c[j]);
  }
  __m512 s = c[0];
  for (int j = 1; j < 12; ++j) s = _mm512_add_ps(s, c[j]);
  float lanes[16];  // not _mm512_reduce_add_ps: g++ 12 warns inside it
  _mm512_storeu_ps(lanes, s);
  double total = 0;
  for (float v : lanes) total += v;
  return static_cast<int64_t>(total);
}

// int8 without a dot-product instruction: u8 x s8 -> int16 pairs -> int32.
int64_t PeakS8Avx512(int64_t iterations) {
  __m512i a = _mm512_set1_epi8(1), b = _mm512_set1_epi8(1);
  const __m512i ones = _mm512_set1_epi16(1);
  __m512i c[12];
  for (int j = 0; j < 12; ++j) c[j] = _mm512_setzero_si512();
  for (int64_t i = 0; i < iterations; ++i) {
    EMBER_OPAQUE(b);
#pragma GCC unroll 12
    for (int j = 0; j < 12; ++j) {
      EMBER_OPAQUE(a);  // else one product would serve every chain
      const __m512i p = _mm512_madd_epi16(_mm512_maddubs_epi16(a, b), ones);
      c[j] = _mm512_add_epi32(c[j], p);
    }
  }
  __m512i s = c[0];
  for (int j = 1; j < 12; ++j) s = _mm512_add_epi32(s, c[j]);
  int32_t lanes[16];  // not _mm512_reduce_add_epi32: g++ 12 warns inside it
  _mm512_storeu_si512(lanes, s);
  int64_t total = 0;
  for (int32_t v : lanes) total += v;
  return total;
}

}  // namespace ember::kernels
#endif  // __x86_64__
