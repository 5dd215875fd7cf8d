// AVX2 row dot products for the int8 BATCH_MATMUL (batch_matmul_s8.h): one
// lhs row of int16 against eight rhs rows at a time with vpmaddwd, the eight
// accumulators reduced together into one vector of sums; and the
// requantization of a row, eight lanes at a time with the int8 GEMM tile's
// double-rounding arithmetic (gemm_s8_ymm.h, whose helpers have internal
// linkage, so this file gets its own AVX2 copy).
#if defined(__x86_64__)
#include <immintrin.h>

#include "kernels/drivers/batch_matmul_s8.h"
#include "kernels/x86/gemm_s8_ymm.h"

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

namespace {

// Requantizes 8 lanes and stores them as bytes (tmp: 8 bytes, or out).
inline void Requant8(__m256i v, __m256i left, __m256i right, __m256i mult,
                     __m256i zp, __m256i lo, __m256i hi, int8_t* out) {
  v = _mm256_sllv_epi32(v, left);
  v = YmmDoublingHighMul(v, mult);
  v = YmmRoundingShiftRight(v, right);
  v = _mm256_add_epi32(v, zp);
  v = _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
  const __m256i w16 = _mm256_packs_epi32(v, v);
  const __m256i w8 = _mm256_packs_epi16(w16, w16);
  const __m128i bytes = _mm_unpacklo_epi32(_mm256_castsi256_si128(w8),
                                           _mm256_extracti128_si256(w8, 1));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out), bytes);
}

}  // namespace

// The tail goes through the same vector code on a padded copy: no scalar
// reference helper is compiled here (an inline function instantiated with
// AVX2 flags could be the copy the linker keeps for every caller).
void S8RequantRowAvx2(const int32_t* acc, int32_t n, const S8Requant& q,
                      int8_t* out) {
  const __m256i left = _mm256_set1_epi32(q.shift > 0 ? q.shift : 0);
  const __m256i right = _mm256_set1_epi32(q.shift > 0 ? 0 : -q.shift);
  const __m256i mult = _mm256_set1_epi32(q.mult);
  const __m256i zp = _mm256_set1_epi32(q.zp);
  const __m256i lo = _mm256_set1_epi32(q.lo);
  const __m256i hi = _mm256_set1_epi32(q.hi);
  int32_t j = 0;
  for (; j + 8 <= n; j += 8) {
    Requant8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + j)),
             left, right, mult, zp, lo, hi, out + j);
  }
  if (j < n) {
    alignas(32) int32_t pad[8] = {};
    alignas(16) int8_t bytes[8];
    for (int32_t i = j; i < n; ++i) pad[i - j] = acc[i];
    Requant8(_mm256_load_si256(reinterpret_cast<const __m256i*>(pad)), left,
             right, mult, zp, lo, hi, bytes);
    for (int32_t i = j; i < n; ++i) out[i] = bytes[i - j];
  }
}

}  // namespace ember::x86
#endif
