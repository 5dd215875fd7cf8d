// AVX2 row dot products for the int8 BATCH_MATMUL (batch_matmul_s8.h): one
// lhs row of int16 against eight rhs rows at a time with vpmaddwd, the eight
// accumulators reduced together into one vector of sums.
#if defined(__x86_64__)
#include <immintrin.h>

#include "kernels/drivers/batch_matmul_s8.h"

namespace ember::x86 {

void S8DotRowsAvx2(const int16_t* a, const int16_t* w, int32_t n, int32_t kp,
                   int32_t* out) {
  int32_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const int16_t* wj = w + static_cast<int64_t>(j) * kp;
    __m256i acc[8];
    for (int c = 0; c < 8; ++c) acc[c] = _mm256_setzero_si256();
    for (int32_t t = 0; t < kp; t += 16) {
      const __m256i va =
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + t));
      for (int c = 0; c < 8; ++c) {
        const __m256i vw = _mm256_loadu_si256(
            reinterpret_cast<const __m256i*>(wj + c * kp + t));
        acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(va, vw));
      }
    }
    // Per 128-bit lane: [s0 s1 s2 s3] of columns 0-3 and 4-7, then the
    // two lanes added.
    const __m256i h01 = _mm256_hadd_epi32(acc[0], acc[1]);
    const __m256i h23 = _mm256_hadd_epi32(acc[2], acc[3]);
    const __m256i h45 = _mm256_hadd_epi32(acc[4], acc[5]);
    const __m256i h67 = _mm256_hadd_epi32(acc[6], acc[7]);
    const __m256i h0123 = _mm256_hadd_epi32(h01, h23);
    const __m256i h4567 = _mm256_hadd_epi32(h45, h67);
    const __m256i lo = _mm256_permute2x128_si256(h0123, h4567, 0x20);
    const __m256i hi = _mm256_permute2x128_si256(h0123, h4567, 0x31);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + j),
                        _mm256_add_epi32(lo, hi));
  }
  for (; j < n; ++j) {
    const int16_t* wj = w + static_cast<int64_t>(j) * kp;
    __m256i acc = _mm256_setzero_si256();
    for (int32_t t = 0; t < kp; t += 16) {
      acc = _mm256_add_epi32(
          acc,
          _mm256_madd_epi16(
              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + t)),
              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wj + t))));
    }
    const __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc),
                                    _mm256_extracti128_si256(acc, 1));
    const __m128i s2 = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    const __m128i s3 = _mm_add_epi32(s2, _mm_shuffle_epi32(s2, 0xb1));
    out[j] = _mm_cvtsi128_si32(s3);
  }
}

}  // namespace ember::x86
#endif
