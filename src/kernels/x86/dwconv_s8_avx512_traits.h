// AVX-512 (F+BW+VL) traits of the int8 depthwise loop nest
// (dwconv_s8_body.h): 16 channels per zmm as int32 lanes, masked loads and
// stores for the channel tail. Included only by the AVX-512 sources.
#pragma once

#include <immintrin.h>

#include "kernels/x86/dwconv_s8_body.h"

namespace ember::x86 {
namespace {

struct Avx512S8 {
  static constexpr int kLanes = 16;
  using Vec = __m512i;
  using Mask = __mmask16;

  static Mask MakeMask(int32_t n) {
    return n >= 16 ? static_cast<Mask>(0xffff) : static_cast<Mask>((1u << n) - 1);
  }
  static Vec Zero() { return _mm512_setzero_si512(); }
  static Vec Set1(int32_t v) { return _mm512_set1_epi32(v); }
  static Vec LoadX(const int8_t* p, Mask m) {
    return _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, p));
  }
  static Vec Load32(const int32_t* p) { return _mm512_loadu_si512(p); }
  static Vec MulAcc(Vec acc, Vec x, Vec w) {
    return _mm512_add_epi32(acc, _mm512_madd_epi16(x, w));
  }
  static Vec Add(Vec a, Vec b) { return _mm512_add_epi32(a, b); }

  // MultiplyByQuantizedMultiplier per lane: shift left, the rounding
  // doubling high multiply ((x * m + 2^30) >> 31 gives the reference's
  // result for either sign), then the rounding right shift (half away
  // from zero).
  static Vec Requantize(Vec acc, Vec mult, Vec left, Vec right) {
    const Vec x = _mm512_sllv_epi32(acc, left);
    const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
    __m512i even = _mm512_mul_epi32(x, mult);
    __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(x, 32),
                                   _mm512_srli_epi64(mult, 32));
    even = _mm512_srli_epi64(_mm512_add_epi64(even, nudge), 31);
    odd = _mm512_slli_epi64(_mm512_add_epi64(odd, nudge), 1);
    const Vec high = _mm512_mask_blend_epi32(0xAAAA, even, odd);
    const Vec one = _mm512_set1_epi32(1);
    const Vec mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, right), one);
    const Vec remainder = _mm512_and_si512(high, mask);
    const Vec threshold =
        _mm512_sub_epi32(_mm512_srli_epi32(mask, 1), _mm512_srai_epi32(high, 31));
    const Vec shifted = _mm512_srav_epi32(high, right);
    const __mmask16 up = _mm512_cmpgt_epi32_mask(remainder, threshold);
    return _mm512_mask_add_epi32(shifted, up, shifted, one);
  }
  static void Store(int8_t* p, Mask m, Vec v, Vec offset, Vec lo, Vec hi) {
    v = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(v, offset), lo), hi);
    _mm512_mask_cvtepi32_storeu_epi8(p, m, v);
  }
};

}  // namespace
}  // namespace ember::x86
