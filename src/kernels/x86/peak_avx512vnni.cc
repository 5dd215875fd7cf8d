// Peak-probe loop for AVX-512 VNNI (kernels/drivers/peak.h): vpdpbusd on
// zmm, 64 u8 x s8 multiply-accumulates per instruction. Built with the
// AVX-512 VNNI flags only (the *_avx512vnni.cc glob).
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>

namespace ember::kernels {

int64_t PeakS8Avx512Vnni(int64_t iterations) {
  __m512i a = _mm512_set1_epi8(1), b = _mm512_set1_epi8(1);
  __m512i c[12];
  for (int j = 0; j < 12; ++j) c[j] = _mm512_setzero_si512();
  for (int64_t i = 0; i < iterations; ++i) {
    // Opaque to the compiler: the loop is not folded into a multiply.
    asm volatile("" : "+v"(a), "+v"(b));
#pragma GCC unroll 12
    for (int j = 0; j < 12; ++j) c[j] = _mm512_dpbusd_epi32(c[j], a, b);
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
