// Thin vector traits for the fast-op kernels: one struct per ISA with the
// same static functions, so fast_ops_kernels.h is written once and
// instantiated in fast_ops_avx512.cc / fast_ops_avx2.cc. Include only from
// those files (each compiled with its own ISA flags); everything here has
// internal linkage so no ISA-specific code leaks into other objects.
#pragma once

// GCC 12 warns spuriously inside its own AVX-512 headers (setzero idioms).
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace ember::x86 {
namespace {

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
struct Avx512 {
  static constexpr int kN = 16;  // float / int32 lanes
  using F = __m512;
  using I = __m512i;
  static __mmask16 Mask(int64_t n) {
    return n >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << n) - 1u);
  }
  static F Load(const float* p) { return _mm512_loadu_ps(p); }
  static F LoadN(const float* p, int64_t n) {
    return _mm512_maskz_loadu_ps(Mask(n), p);
  }
  static void Store(float* p, F v) { _mm512_storeu_ps(p, v); }
  static void StoreN(float* p, F v, int64_t n) {
    _mm512_mask_storeu_ps(p, Mask(n), v);
  }
  static F Set(float x) { return _mm512_set1_ps(x); }
  static F Zero() { return _mm512_setzero_ps(); }
  static F Add(F a, F b) { return _mm512_add_ps(a, b); }
  static F Sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F Mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F Div(F a, F b) { return _mm512_div_ps(a, b); }
  static F Fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  // a > b ? a : b and a < b ? a : b (second operand on NaN).
  static F Max(F a, F b) { return _mm512_max_ps(a, b); }
  static F Min(F a, F b) { return _mm512_min_ps(a, b); }
  // x > 0 (or >= 0) ? a : b.
  static F SelectGt0(F x, F a, F b) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, Zero(), _CMP_GT_OQ), b,
                                a);
  }
  static F SelectGe0(F x, F a, F b) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, Zero(), _CMP_GE_OQ), b,
                                a);
  }
  static F RoundNearest(F x) {
    return _mm512_roundscale_ps(x,
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  // 2^n for integral n (as float) in [-126, 127].
  static F Pow2(F n) {
    const I e = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
  }
  static F TruncToIntAsFloat(F x) {
    return _mm512_cvtepi32_ps(_mm512_cvttps_epi32(x));
  }
  static I ToInt(F x) { return _mm512_cvttps_epi32(x); }
  static F ToFloat(I x) { return _mm512_cvtepi32_ps(x); }

  // int32 lanes.
  static I SetI(int32_t x) { return _mm512_set1_epi32(x); }
  static I ZeroI() { return _mm512_setzero_si512(); }
  static I AddI(I a, I b) { return _mm512_add_epi32(a, b); }
  static I SubI(I a, I b) { return _mm512_sub_epi32(a, b); }
  static I MulLoI(I a, I b) { return _mm512_mullo_epi32(a, b); }
  static I MaxI(I a, I b) { return _mm512_max_epi32(a, b); }
  static I MinI(I a, I b) { return _mm512_min_epi32(a, b); }
  static I AndI(I a, I b) { return _mm512_and_si512(a, b); }
  static I ShlI(I a, int s) {
    return _mm512_sll_epi32(a, _mm_cvtsi32_si128(s));
  }
  static I SraI(I a, int s) {
    return _mm512_sra_epi32(a, _mm_cvtsi32_si128(s));
  }
  // x + (a > b ? 1 : 0) per lane.
  static I AddOneIfGt(I x, I a, I b) {
    return _mm512_mask_add_epi32(x, _mm512_cmpgt_epi32_mask(a, b), x, SetI(1));
  }
  // floor((a * m + 2^30) / 2^31) per lane, low 32 bits (the product fits
  // 63 bits, so a logical 64-bit shift leaves the right low word).
  static I MulHighRound(I a, I m) {
    const I round = _mm512_set1_epi64(int64_t{1} << 30);
    const I even =
        _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(a, m), round), 31);
    const I odd = _mm512_srli_epi64(
        _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(a, 32), m), round),
        31);
    return _mm512_mask_blend_epi32(__mmask16(0xAAAA), even,
                                   _mm512_slli_epi64(odd, 32));
  }
  // kN int8 / uint8 values widened to int32 lanes (n of them, rest 0).
  static I LoadS8(const int8_t* p) {
    return _mm512_cvtepi8_epi32(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static I LoadS8N(const int8_t* p, int64_t n) {
    return _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(Mask(n), p));
  }
  // Stores the low byte of each lane (values already in range).
  static void StoreS8(int8_t* p, I v) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm512_cvtepi32_epi8(v));
  }
  static void StoreS8N(int8_t* p, I v, int64_t n) {
    _mm_mask_storeu_epi8(p, Mask(n), _mm512_cvtepi32_epi8(v));
  }
  // The same for int16 values (int16 MUL).
  static I LoadS16(const int16_t* p) {
    return _mm512_cvtepi16_epi32(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static I LoadS16N(const int16_t* p, int64_t n) {
    return _mm512_cvtepi16_epi32(_mm256_maskz_loadu_epi16(Mask(n), p));
  }
  static void StoreS16(int16_t* p, I v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p),
                        _mm512_cvtepi32_epi16(v));
  }
  static void StoreS16N(int16_t* p, I v, int64_t n) {
    _mm256_mask_storeu_epi16(p, Mask(n), _mm512_cvtepi32_epi16(v));
  }
};
#endif  // AVX-512

#if defined(__AVX2__) && defined(__FMA__)
struct Avx2 {
  static constexpr int kN = 8;
  using F = __m256;
  using I = __m256i;
  static I Mask(int64_t n) {
    const int32_t k = n >= 8 ? 8 : static_cast<int32_t>(n);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(k),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static F Load(const float* p) { return _mm256_loadu_ps(p); }
  static F LoadN(const float* p, int64_t n) {
    return _mm256_maskload_ps(p, Mask(n));
  }
  static void Store(float* p, F v) { _mm256_storeu_ps(p, v); }
  static void StoreN(float* p, F v, int64_t n) {
    _mm256_maskstore_ps(p, Mask(n), v);
  }
  static F Set(float x) { return _mm256_set1_ps(x); }
  static F Zero() { return _mm256_setzero_ps(); }
  static F Add(F a, F b) { return _mm256_add_ps(a, b); }
  static F Sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F Mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F Div(F a, F b) { return _mm256_div_ps(a, b); }
  static F Fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F Max(F a, F b) { return _mm256_max_ps(a, b); }
  static F Min(F a, F b) { return _mm256_min_ps(a, b); }
  static F SelectGt0(F x, F a, F b) {
    return _mm256_blendv_ps(b, a, _mm256_cmp_ps(x, Zero(), _CMP_GT_OQ));
  }
  static F SelectGe0(F x, F a, F b) {
    return _mm256_blendv_ps(b, a, _mm256_cmp_ps(x, Zero(), _CMP_GE_OQ));
  }
  static F RoundNearest(F x) {
    return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  static F Pow2(F n) {
    const I e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
  }
  static F TruncToIntAsFloat(F x) {
    return _mm256_cvtepi32_ps(_mm256_cvttps_epi32(x));
  }
  static I ToInt(F x) { return _mm256_cvttps_epi32(x); }
  static F ToFloat(I x) { return _mm256_cvtepi32_ps(x); }

  static I SetI(int32_t x) { return _mm256_set1_epi32(x); }
  static I ZeroI() { return _mm256_setzero_si256(); }
  static I AddI(I a, I b) { return _mm256_add_epi32(a, b); }
  static I SubI(I a, I b) { return _mm256_sub_epi32(a, b); }
  static I MulLoI(I a, I b) { return _mm256_mullo_epi32(a, b); }
  static I MaxI(I a, I b) { return _mm256_max_epi32(a, b); }
  static I MinI(I a, I b) { return _mm256_min_epi32(a, b); }
  static I AndI(I a, I b) { return _mm256_and_si256(a, b); }
  static I ShlI(I a, int s) {
    return _mm256_sll_epi32(a, _mm_cvtsi32_si128(s));
  }
  static I SraI(I a, int s) {
    return _mm256_sra_epi32(a, _mm_cvtsi32_si128(s));
  }
  static I AddOneIfGt(I x, I a, I b) {
    return _mm256_sub_epi32(x, _mm256_cmpgt_epi32(a, b));
  }
  static I MulHighRound(I a, I m) {
    const I round = _mm256_set1_epi64x(int64_t{1} << 30);
    const I even =
        _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(a, m), round), 31);
    const I odd = _mm256_srli_epi64(
        _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(a, 32), m), round),
        31);
    return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  }
  static I LoadS8(const int8_t* p) {
    return _mm256_cvtepi8_epi32(
        _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  }
  static I LoadS8N(const int8_t* p, int64_t n) {
    int8_t tmp[8] = {};
    std::memcpy(tmp, p, static_cast<size_t>(n < 8 ? n : 8));
    return LoadS8(tmp);
  }
  static __m128i Narrow(I v) {
    const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v),
                                      _mm256_extracti128_si256(v, 1));
    return _mm_packs_epi16(w, w);
  }
  static void StoreS8(int8_t* p, I v) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(p), Narrow(v));
  }
  static void StoreS8N(int8_t* p, I v, int64_t n) {
    int8_t tmp[16];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(tmp), Narrow(v));
    std::memcpy(p, tmp, static_cast<size_t>(n < 8 ? n : 8));
  }
  // The same for int16 values (int16 MUL; lanes already in range).
  static I LoadS16(const int16_t* p) {
    return _mm256_cvtepi16_epi32(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static I LoadS16N(const int16_t* p, int64_t n) {
    int16_t tmp[8] = {};
    std::memcpy(tmp, p, sizeof(int16_t) * static_cast<size_t>(n < 8 ? n : 8));
    return LoadS16(tmp);
  }
  static __m128i Narrow16(I v) {
    return _mm_packs_epi32(_mm256_castsi256_si128(v),
                           _mm256_extracti128_si256(v, 1));
  }
  static void StoreS16(int16_t* p, I v) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), Narrow16(v));
  }
  static void StoreS16N(int16_t* p, I v, int64_t n) {
    int16_t tmp[8];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(tmp), Narrow16(v));
    std::memcpy(p, tmp, sizeof(int16_t) * static_cast<size_t>(n < 8 ? n : 8));
  }
};
#endif  // AVX2

}  // namespace
}  // namespace ember::x86
