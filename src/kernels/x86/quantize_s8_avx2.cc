// AVX2 per-batch input quantization of the hybrid kernels: the same bits as
// ref::SymmetricQuantizeToInt8 / AsymmetricQuantizeToInt8. Without it an
// AVX2-only CPU (Zen 3, Haswell..Ice Lake client) quantized every hybrid
// layer's input with scalar roundf, which took two thirds of a
// dynamic-range model's time there.
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

// The reference's order: lo = v < lo ? v : lo, hi = hi < v ? v : hi, which
// is what vminps/vmaxps compute with v first (NaN keeps the old value).
void MinMax(const float* x, int64_t n, float* lo, float* hi) {
  __m256 vlo = _mm256_set1_ps(x[0]), vhi = vlo;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    vlo = _mm256_min_ps(v, vlo);
    vhi = _mm256_max_ps(v, vhi);
  }
  alignas(32) float l[8], h[8];
  _mm256_store_ps(l, vlo);
  _mm256_store_ps(h, vhi);
  float a = l[0], b = h[0];
  for (int j = 1; j < 8; ++j) {
    a = l[j] < a ? l[j] : a;
    b = b < h[j] ? h[j] : b;
  }
  for (; i < n; ++i) {
    a = x[i] < a ? x[i] : a;
    b = b < x[i] ? x[i] : b;
  }
  *lo = a;
  *hi = b;
}

// q = clamp(round_half_away(x * inverse) + zero_point, qmin, 127).
void QuantizeValues(const float* x, int64_t n, float inverse,
                    int32_t zero_point, int32_t qmin, int8_t* out) {
  const __m256 vinv = _mm256_set1_ps(inverse);
  const __m256i vzp = _mm256_set1_epi32(zero_point);
  const __m256i vmin = _mm256_set1_epi32(qmin);
  const __m256i vmax = _mm256_set1_epi32(127);
  const __m256 half = _mm256_set1_ps(0.5f);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), vinv);
    // Keep the product a product: fused into the subtraction below it
    // would skip the rounding the reference does.
    __asm__("" : "+x"(v));
    // Round half away from zero exactly: truncate, then step away from
    // zero when the (exact) fraction is at least one half.
    __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256 frac = _mm256_and_ps(_mm256_sub_ps(v, t), abs_mask);
    const __m256 up = _mm256_cmp_ps(frac, half, _CMP_GE_OQ);
    const __m256 step = _mm256_or_ps(_mm256_and_ps(v, sign_bit), one);
    t = _mm256_add_ps(t, _mm256_and_ps(up, step));
    __m256i q = _mm256_add_epi32(_mm256_cvttps_epi32(t), vzp);
    q = _mm256_min_epi32(_mm256_max_epi32(q, vmin), vmax);
    // 8 int32 in [-128, 127] -> 8 bytes.
    const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(q),
                                      _mm256_extracti128_si256(q, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + i),
                     _mm_packs_epi16(w, w));
  }
  for (; i < n; ++i) {
    const int32_t q =
        static_cast<int32_t>(ref::RoundHalfAway(x[i] * inverse)) + zero_point;
    out[i] = static_cast<int8_t>(std::clamp<int32_t>(q, qmin, 127));
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

void QuantizeS8SymmetricAvx2(const float* x, int64_t n, int8_t* out,
                             float* scale) {
  QuantizeSymmetricWith<Loops>(x, n, out, scale);
}

void QuantizeS8AsymmetricAvx2(const float* x, int64_t n, int8_t* out,
                              float* scale, int32_t* zero_point) {
  QuantizeAsymmetricWith<Loops>(x, n, out, scale, zero_point);
}

}  // namespace ember::x86
#endif  // __x86_64__
