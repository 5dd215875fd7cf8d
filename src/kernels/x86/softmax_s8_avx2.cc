// AVX2 output step of the int8 SOFTMAX (softmax_s8.h): eight elements at a
// time, the exp looked up with a gather, then the GEMM tile's
// doubling-high-multiply and rounding shift (gemm_s8_ymm.h, internal
// linkage: this file's own AVX2 copy). The tail runs through the same
// vector code on a padded copy.
#if defined(__x86_64__)
#include <immintrin.h>

#include "kernels/drivers/softmax_s8.h"
#include "kernels/x86/gemm_s8_ymm.h"

namespace ember::x86 {
namespace {

inline void Out8(const int32_t* exp, const int8_t* x, int8_t* y, __m256i vmax,
                 __m256i recip, __m256i shift) {
  const __m256i xi = _mm256_cvtepi8_epi32(
      _mm_loadl_epi64(reinterpret_cast<const __m128i*>(x)));
  const __m256i e = _mm256_i32gather_epi32(exp, _mm256_sub_epi32(vmax, xi), 4);
  __m256i v = YmmRoundingShiftRight(YmmDoublingHighMul(e, recip), shift);
  v = _mm256_add_epi32(v, _mm256_set1_epi32(-128));
  v = _mm256_min_epi32(_mm256_max_epi32(v, _mm256_set1_epi32(-128)),
                       _mm256_set1_epi32(127));
  const __m256i w16 = _mm256_packs_epi32(v, v);
  const __m256i w8 = _mm256_packs_epi16(w16, w16);
  const __m128i bytes = _mm_unpacklo_epi32(_mm256_castsi256_si128(w8),
                                           _mm256_extracti128_si256(w8, 1));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(y), bytes);
}

}  // namespace

void Softmax8OutRowAvx2(const int32_t* exp, const int8_t* x, int8_t* y,
                        int32_t depth, int32_t max, int32_t reciprocal,
                        int32_t exponent) {
  const __m256i vmax = _mm256_set1_epi32(max);
  const __m256i recip = _mm256_set1_epi32(reciprocal);
  const __m256i shift = _mm256_set1_epi32(exponent);
  int32_t c = 0;
  for (; c + 8 <= depth; c += 8) Out8(exp, x + c, y + c, vmax, recip, shift);
  if (c < depth) {
    alignas(16) int8_t in[8], out[8];
    for (int32_t i = 0; i < 8; ++i)
      in[i] = c + i < depth ? x[c + i] : static_cast<int8_t>(max);
    Out8(exp, in, out, vmax, recip, shift);
    for (int32_t i = c; i < depth; ++i) y[i] = out[i - c];
  }
}

}  // namespace ember::x86
#endif
