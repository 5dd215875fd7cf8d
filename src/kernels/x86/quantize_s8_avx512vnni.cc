// AVX-512 per-batch input quantization of the hybrid kernels: the same
// bits as ref::SymmetricQuantizeToInt8 / AsymmetricQuantizeToInt8. The
// products use explicit-rounding intrinsics so the compiler cannot fuse
// them into FMAs (the reference multiplies, then adds, rounding each).
#if defined(__x86_64__)
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/drivers/gemm_s8.h"

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

// q = clamp(round_half_away(offset + x * inverse), qmin, 127).
void QuantizeValues(const float* x, int64_t n, float inverse, float offset,
                    int32_t qmin, bool add_offset, int8_t* out) {
  const __m512 vinv = _mm512_set1_ps(inverse);
  const __m512 voff = _mm512_set1_ps(offset);
  const __m512 half = _mm512_set1_ps(0.5f);
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512i sign_bit = _mm512_set1_epi32(INT32_MIN);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = TailMask(n - i);
    __m512 v =
        _mm512_mul_round_ps(_mm512_maskz_loadu_ps(m, x + i), vinv, kRound);
    if (add_offset) v = _mm512_add_round_ps(voff, v, kRound);
    // Round half away from zero exactly: truncate, then step away from
    // zero when the (exact) fraction is at least one half.
    __m512 t = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m512 frac = _mm512_abs_ps(_mm512_sub_ps(v, t));
    const __mmask16 up = _mm512_cmp_ps_mask(frac, half, _CMP_GE_OQ);
    const __m512 step = _mm512_castsi512_ps(
        _mm512_or_si512(_mm512_and_si512(_mm512_castps_si512(v), sign_bit),
                        _mm512_castps_si512(one)));
    t = _mm512_mask_add_ps(t, up, t, step);
    __m512i q = _mm512_cvttps_epi32(t);
    q = _mm512_min_epi32(_mm512_max_epi32(q, _mm512_set1_epi32(qmin)),
                         _mm512_set1_epi32(127));
    _mm_mask_storeu_epi8(out + i, m, _mm512_cvtepi32_epi8(q));
  }
}

}  // namespace

void QuantizeS8SymmetricAvx512(const float* x, int64_t n, int8_t* out,
                               float* scale) {
  float lo = 0.0f, hi = 0.0f;
  if (n > 0) MinMax(x, n, &lo, &hi);
  const float range = std::max(std::fabs(lo), std::fabs(hi));
  if (range == 0.0f) {
    std::memset(out, 0, static_cast<size_t>(n));
    *scale = 1.0f;
    return;
  }
  *scale = range / 127.0f;
  QuantizeValues(x, n, 127.0f / range, 0.0f, -127, false, out);
}

void QuantizeS8AsymmetricAvx512(const float* x, int64_t n, int8_t* out,
                                float* scale, int32_t* zero_point) {
  float lo = 0.0f, hi = 0.0f;
  if (n > 0) MinMax(x, n, &lo, &hi);
  const double rmin = static_cast<double>(std::min(0.0f, lo));
  const double rmax = static_cast<double>(std::max(0.0f, hi));
  if (rmin == rmax) {
    std::memset(out, 0, static_cast<size_t>(n));
    *scale = 1.0f;
    *zero_point = 0;
    return;
  }
  // The zero point as chosen by the reference (smaller error end, nudged).
  const double qmin = -128.0, qmax = 127.0;
  const double s = (rmax - rmin) / (qmax - qmin);
  const double zp_from_min = qmin - rmin / s;
  const double zp_from_max = qmax - rmax / s;
  const double err_min = std::fabs(qmin) + std::fabs(rmin / s);
  const double err_max = std::fabs(qmax) + std::fabs(rmax / s);
  const double zp = err_min < err_max ? zp_from_min : zp_from_max;
  const int32_t nudged = zp <= qmin   ? -128
                         : zp >= qmax ? 127
                                      : static_cast<int32_t>(std::round(zp));
  *scale = static_cast<float>(s);
  *zero_point = nudged;
  QuantizeValues(x, n, 1.0f / *scale, static_cast<float>(nudged), -128, true,
                 out);
}

}  // namespace ember::x86
#endif  // __x86_64__
