// AVX2 8-bit table lookup (out[i] = table[in[i]]), 32 bytes per step for
// CPUs without AVX512_VBMI's 64-byte permutes: vpshufb looks up 16-entry
// slices of the table by the low nibble, and each result byte is kept only
// from the slice its high nibble names. Built with the AVX2 flags only
// (the *_avx2.cc glob); listed in kernels/drivers/lut8_kernels.def.
#if defined(__x86_64__)
#include <immintrin.h>

#include "kernels/drivers/fast_ops.h"

namespace ember::x86 {

void Lut8Avx2(const uint8_t* table, const uint8_t* in, uint8_t* out,
              int64_t begin, int64_t end) {
  __m256i slices[16];
  for (int s = 0; s < 16; ++s)
    slices[s] = _mm256_broadcastsi128_si256(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(table + 16 * s)));
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  int64_t i = begin;
  for (; i + 32 <= end; i += 32) {
    const __m256i x =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    const __m256i lo = _mm256_and_si256(x, nibble);
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), nibble);
    __m256i result = _mm256_setzero_si256();
    for (int s = 0; s < 16; ++s) {
      const __m256i hit =
          _mm256_cmpeq_epi8(hi, _mm256_set1_epi8(static_cast<char>(s)));
      result = _mm256_or_si256(
          result, _mm256_and_si256(hit, _mm256_shuffle_epi8(slices[s], lo)));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), result);
  }
  for (; i < end; ++i) out[i] = table[in[i]];
}

}  // namespace ember::x86
#endif  // __x86_64__
