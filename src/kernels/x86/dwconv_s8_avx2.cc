// AVX2 int8 depthwise convolution: 8 channels per ymm as int32 lanes; the
// channel tail goes through a small stack buffer (AVX2 has no byte masks).
// The loop nest is dwconv_s8_body.h. Built with -mavx2 -mfma only.
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstring>

#include "kernels/drivers/dwconv_s8_body.h"

namespace ember::x86 {
namespace {

struct Avx2S8 {
  static constexpr int kLanes = 8;
  using Vec = __m256i;
  using Mask = int32_t;  // channels in the block (8 = full)

  static Mask MakeMask(int32_t n) { return n < 8 ? n : 8; }
  static Vec Zero() { return _mm256_setzero_si256(); }
  static Vec Set1(int32_t v) { return _mm256_set1_epi32(v); }
  static Vec LoadX(const int8_t* p, Mask n) {
    if (n == 8) {
      return _mm256_cvtepi8_epi32(
          _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
    }
    int64_t bytes = 0;
    std::memcpy(&bytes, p, static_cast<size_t>(n));
    return _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(bytes));
  }
  static Vec Load32(const int32_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  static Vec MulAcc(Vec acc, Vec x, Vec w) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(x, w));
  }
  static Vec Add(Vec a, Vec b) { return _mm256_add_epi32(a, b); }

  struct Requant {
    Vec mult, left, right;
  };
  static Requant MakeRequant(Vec mult, Vec left, Vec right) {
    return {mult, left, right};
  }

  // MultiplyByQuantizedMultiplier per lane: shift left, the rounding
  // doubling high multiply ((x * m + 2^30) >> 31 gives the reference's
  // result for either sign), then the rounding right shift (half away
  // from zero), 32-bit lanes split into even / odd 64-bit products.
  static Vec Requantize(Vec acc, const Requant& rq) {
    const Vec mult = rq.mult, right = rq.right;
    const Vec x = _mm256_sllv_epi32(acc, rq.left);
    const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
    __m256i even = _mm256_mul_epi32(x, mult);
    __m256i odd =
        _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(mult, 32));
    even = _mm256_srli_epi64(_mm256_add_epi64(even, nudge), 31);
    odd = _mm256_slli_epi64(_mm256_add_epi64(odd, nudge), 1);
    const Vec high = _mm256_blend_epi32(even, odd, 0xAA);
    const Vec one = _mm256_set1_epi32(1);
    const Vec mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
    const Vec remainder = _mm256_and_si256(high, mask);
    const Vec threshold = _mm256_sub_epi32(_mm256_srli_epi32(mask, 1),
                                           _mm256_srai_epi32(high, 31));
    const Vec shifted = _mm256_srav_epi32(high, right);
    // cmpgt is -1 where the remainder rounds up.
    return _mm256_sub_epi32(shifted, _mm256_cmpgt_epi32(remainder, threshold));
  }
  static void Store(int8_t* p, Mask n, Vec v, Vec offset, Vec lo, Vec hi) {
    v = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(v, offset), lo), hi);
    const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(v),
                                          _mm256_extracti128_si256(v, 1));
    const __m128i bytes = _mm_packs_epi16(words, words);
    if (n == 8) {
      _mm_storel_epi64(reinterpret_cast<__m128i*>(p), bytes);
    } else {
      const int64_t lanes = _mm_cvtsi128_si64(bytes);
      std::memcpy(p, &lanes, static_cast<size_t>(n));
    }
  }
};

}  // namespace

void DwConvS8Avx2(const DwConvS8Args& args, int64_t row_begin,
                  int64_t row_end) {
  DwConvS8Rows<Avx2S8>(args, row_begin, row_end);
}

}  // namespace ember::x86
#endif  // __x86_64__
