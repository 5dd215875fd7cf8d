// AVX-512 per-batch input quantization of the hybrid kernels: the same
// bits as ref::SymmetricQuantizeToInt8 / AsymmetricQuantizeToInt8. The
// products use explicit-rounding intrinsics so they stay plain products,
// rounded once, as in the reference.
#if defined(__x86_64__)
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/drivers/gemm_s8.h"
#include "kernels/drivers/quantize_s8_body.h"
#include "kernels/ref/conv_common.h"

namespace ember::x86 {
namespace {

constexpr int kRound = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

inline __mmask16 TailMask(int64_t left) {
  return left >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << left) - 1);
}

void MinMax(const float* x, int64_t n, float* lo, float* hi) {
  __m512 vlo = _mm512_set1_ps(x[0]), vhi = vlo;
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = TailMask(n - i);
    const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
    vlo = _mm512_mask_min_ps(vlo, m, vlo, v);
    vhi = _mm512_mask_max_ps(vhi, m, vhi, v);
  }
  *lo = _mm512_reduce_min_ps(vlo);
  *hi = _mm512_reduce_max_ps(vhi);
}

// q = clamp(round_half_away(x * inverse) + zero_point, qmin, 127): the
// zero point is added after rounding, as the reference does.
void QuantizeValues(const float* x, int64_t n, float inverse,
                    int32_t zero_point, int32_t qmin, int8_t* out) {
  const __m512 vinv = _mm512_set1_ps(inverse);
  const __m512i vzp = _mm512_set1_epi32(zero_point);
  const __m512 half = _mm512_set1_ps(0.5f);
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512i sign_bit = _mm512_set1_epi32(INT32_MIN);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = TailMask(n - i);
    __m512 v =
        _mm512_mul_round_ps(_mm512_maskz_loadu_ps(m, x + i), vinv, kRound);
    // Round half away from zero exactly: truncate, then step away from
    // zero when the (exact) fraction is at least one half.
    __m512 t = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m512 frac = _mm512_abs_ps(_mm512_sub_ps(v, t));
    const __mmask16 up = _mm512_cmp_ps_mask(frac, half, _CMP_GE_OQ);
    const __m512 step = _mm512_castsi512_ps(
        _mm512_or_si512(_mm512_and_si512(_mm512_castps_si512(v), sign_bit),
                        _mm512_castps_si512(one)));
    t = _mm512_mask_add_ps(t, up, t, step);
    __m512i q = _mm512_add_epi32(_mm512_cvttps_epi32(t), vzp);
    q = _mm512_min_epi32(_mm512_max_epi32(q, _mm512_set1_epi32(qmin)),
                         _mm512_set1_epi32(127));
    _mm_mask_storeu_epi8(out + i, m, _mm512_cvtepi32_epi8(q));
  }
}

struct Loops {
  static void MinMax(const float* x, int64_t n, float* lo, float* hi) {
    ::ember::x86::MinMax(x, n, lo, hi);
  }
  static void QuantizeValues(const float* x, int64_t n, float inverse,
                             int32_t zero_point, int32_t qmin, int8_t* out) {
    ::ember::x86::QuantizeValues(x, n, inverse, zero_point, qmin, out);
  }
};

}  // namespace

void QuantizeS8SymmetricAvx512(const float* x, int64_t n, int8_t* out,
                               float* scale) {
  QuantizeSymmetricWith<Loops>(x, n, out, scale);
}

void QuantizeS8AsymmetricAvx512(const float* x, int64_t n, int8_t* out,
                                float* scale, int32_t* zero_point) {
  QuantizeAsymmetricWith<Loops>(x, n, out, scale, zero_point);
}

}  // namespace ember::x86
#endif  // __x86_64__
