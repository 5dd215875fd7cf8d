// Peak-probe loop for AVX-VNNI (kernels/drivers/peak.h): the VEX vpdpbusd
// on ymm, 32 u8 x s8 multiply-accumulates per instruction. Built with the
// AVX-VNNI flags only (the *_avxvnni.cc glob).
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>

namespace ember::kernels {

int64_t PeakS8AvxVnni(int64_t iterations) {
  __m256i a = _mm256_set1_epi8(1), b = _mm256_set1_epi8(1);
  __m256i c[12];
  for (int j = 0; j < 12; ++j) c[j] = _mm256_setzero_si256();
  for (int64_t i = 0; i < iterations; ++i) {
    // Opaque to the compiler: the loop is not folded into a multiply.
    asm volatile("" : "+x"(a), "+x"(b));
#pragma GCC unroll 12
    for (int j = 0; j < 12; ++j) c[j] = _mm256_dpbusd_avx_epi32(c[j], a, b);
  }
  __m256i s = c[0];
  for (int j = 1; j < 12; ++j) s = _mm256_add_epi32(s, c[j]);
  int32_t lanes[8];
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes), s);
  int64_t total = 0;
  for (int32_t v : lanes) total += v;
  return total;
}

}  // namespace ember::kernels
#endif  // __x86_64__
