// Peak-probe loops for AVX2 + FMA (kernels/drivers/peak.h): independent
// accumulator chains, enough to cover the FMA latency on two pipes, and no
// memory traffic. Built with the AVX2 flags only (the *_avx2.cc glob).
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>

namespace ember::kernels {

// An empty asm that "changes" v: the compiler must redo the work that
// depends on it each iteration instead of hoisting it out of the loop.
#define EMBER_OPAQUE(v) asm volatile("" : "+x"(v))

int64_t PeakF32Avx2(int64_t iterations) {
  __m256 a = _mm256_set1_ps(1.0f), b = _mm256_set1_ps(1.0f);
  __m256 c[12];
  for (int j = 0; j < 12; ++j) c[j] = _mm256_setzero_ps();
  for (int64_t i = 0; i < iterations; ++i) {
    EMBER_OPAQUE(a);
    EMBER_OPAQUE(b);
#pragma GCC unroll 12
    for (int j = 0; j < 12; ++j) c[j] = _mm256_fmadd_ps(a, b, c[j]);
  }
  __m256 s = c[0];
  for (int j = 1; j < 12; ++j) s = _mm256_add_ps(s, c[j]);
  float lanes[8];
  _mm256_storeu_ps(lanes, s);
  double total = 0;
  for (float v : lanes) total += v;
  return static_cast<int64_t>(total);
}

// The AVX2 way to multiply-accumulate int8 (no dot-product instruction):
// u8 x s8 pairs summed to int16, then pairs of int16 summed to int32.
int64_t PeakS8Avx2(int64_t iterations) {
  __m256i a = _mm256_set1_epi8(1), b = _mm256_set1_epi8(1);
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i c[8];
  for (int j = 0; j < 8; ++j) c[j] = _mm256_setzero_si256();
  for (int64_t i = 0; i < iterations; ++i) {
    EMBER_OPAQUE(b);
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      EMBER_OPAQUE(a);  // else one product would serve every chain
      const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), ones);
      c[j] = _mm256_add_epi32(c[j], p);
    }
  }
  __m256i s = c[0];
  for (int j = 1; j < 8; ++j) s = _mm256_add_epi32(s, c[j]);
  int32_t lanes[8];
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes), s);
  int64_t total = 0;
  for (int32_t v : lanes) total += v;
  return total;
}

}  // namespace ember::kernels
#endif  // __x86_64__
