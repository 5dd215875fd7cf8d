// AVX-512 (F+BW+VL) traits of the int8 depthwise loop nest
// (dwconv_s8_body.h): 16 channels per zmm as int32 lanes, masked loads and
// stores for the channel tail. Included only by the AVX-512 sources.
#pragma once

#include <immintrin.h>

#include "kernels/drivers/dwconv_s8_body.h"

namespace ember::x86 {
namespace {

struct Avx512S8 {
  static constexpr int kLanes = 16;
  using Vec = __m512i;
  using Mask = __mmask16;

  static Mask MakeMask(int32_t n) {
    return n >= 16 ? static_cast<Mask>(0xffff)
                   : static_cast<Mask>((1u << n) - 1);
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

  // Per-block constants of the requantization. The reference computes
  //   h = (x * m + 2^30) >> 31      (x = acc << left; 64-bit product)
  //   r = (h >> e) + round-half-away-from-zero   (e = right shift)
  // and since h < 0 exactly when P = x * m + 2^30 < 0, both roundings
  // fold into one 64-bit step:
  //   r = (P + [e > 0] * (2^(e-1) - [P < 0]) * 2^31) >> (31 + e),
  // done on the even and the odd 32-bit lanes as 64-bit lanes.
  struct Requant {
    Vec mult_even, mult_odd, left;
    __m512i add_even, add_odd;       // 2^30 + [e > 0] * 2^(30 + e)
    __m512i shift_even, shift_odd;   // 31 + e
    __mmask8 round_even, round_odd;  // lanes with e > 0
    bool any_left;
  };
  static Requant MakeRequant(Vec mult, Vec left, Vec right) {
    Requant rq;
    rq.mult_even = mult;
    rq.mult_odd = _mm512_srli_epi64(mult, 32);
    rq.left = left;
    rq.any_left = _mm512_test_epi32_mask(left, left) != 0;
    const __m512i low = _mm512_set1_epi64(0xffffffff);
    const __m512i e_even = _mm512_and_si512(right, low);
    const __m512i e_odd = _mm512_srli_epi64(right, 32);
    const __m512i zero = _mm512_setzero_si512();
    const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
    const __m512i c30 = _mm512_set1_epi64(30);
    rq.round_even = _mm512_cmpgt_epi64_mask(e_even, zero);
    rq.round_odd = _mm512_cmpgt_epi64_mask(e_odd, zero);
    const __m512i one = _mm512_set1_epi64(1);
    rq.add_even = _mm512_mask_add_epi64(
        nudge, rq.round_even, nudge,
        _mm512_sllv_epi64(one, _mm512_add_epi64(e_even, c30)));
    rq.add_odd = _mm512_mask_add_epi64(
        nudge, rq.round_odd, nudge,
        _mm512_sllv_epi64(one, _mm512_add_epi64(e_odd, c30)));
    const __m512i c31 = _mm512_set1_epi64(31);
    rq.shift_even = _mm512_add_epi64(e_even, c31);
    rq.shift_odd = _mm512_add_epi64(e_odd, c31);
    return rq;
  }
  static __m512i RoundShift(__m512i product, __m512i add, __mmask8 round,
                            __m512i shift) {
    const __m512i two31 = _mm512_set1_epi64(int64_t{1} << 31);
    const __mmask8 negative = _mm512_mask_cmplt_epi64_mask(
        round, product, _mm512_set1_epi64(-(int64_t{1} << 30)));
    __m512i p = _mm512_add_epi64(product, add);
    p = _mm512_mask_sub_epi64(p, negative, p, two31);
    return _mm512_srav_epi64(p, shift);
  }
  static Vec Requantize(Vec acc, const Requant& rq) {
    const Vec x = rq.any_left ? _mm512_sllv_epi32(acc, rq.left) : acc;
    const __m512i even = RoundShift(_mm512_mul_epi32(x, rq.mult_even),
                                    rq.add_even, rq.round_even, rq.shift_even);
    const __m512i odd =
        RoundShift(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), rq.mult_odd),
                   rq.add_odd, rq.round_odd, rq.shift_odd);
    // Results fit in 32 bits: the even ones sit in the low halves already.
    return _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  }
  static void Store(int8_t* p, Mask m, Vec v, Vec offset, Vec lo, Vec hi) {
    v = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(v, offset), lo), hi);
    _mm512_mask_cvtepi32_storeu_epi8(p, m, v);
  }
};

}  // namespace
}  // namespace ember::x86
