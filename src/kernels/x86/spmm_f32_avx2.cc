// AVX2 block-sparse fp32 GEMM: 16-pixel tiles (two ymm per input channel).
// Loop nest in spmm_f32_body.h. Built with -mavx2 -mfma only.
#if defined(__x86_64__)
#include <immintrin.h>

#include "kernels/x86/spmm_f32_body.h"

namespace ember::x86 {
namespace {

struct Avx2F32 {
  static constexpr int kLanes = 8;
  using Vec = __m256;
  static Vec Zero() { return _mm256_setzero_ps(); }
  static Vec Set1(float x) { return _mm256_set1_ps(x); }
  static Vec Load(const float* p) { return _mm256_loadu_ps(p); }
  static void Store(float* p, Vec v) { _mm256_storeu_ps(p, v); }
  static Vec Fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
  static Vec Add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
  static Vec Min(Vec a, Vec b) { return _mm256_min_ps(a, b); }
  static Vec Max(Vec a, Vec b) { return _mm256_max_ps(a, b); }

  // dst[j][i] = src[i][j] for an 8x8 block: pairs interleaved, 4x4 within
  // 128-bit lanes, then the lanes swapped.
  static void Transpose(const float* src, int64_t src_stride, float* dst,
                        int64_t dst_stride) {
    __m256 t[8], u[8];
    for (int i = 0; i < 4; ++i) {
      const __m256 a = _mm256_loadu_ps(src + (2 * i) * src_stride);
      const __m256 b = _mm256_loadu_ps(src + (2 * i + 1) * src_stride);
      t[2 * i] = _mm256_unpacklo_ps(a, b);
      t[2 * i + 1] = _mm256_unpackhi_ps(a, b);
    }
    for (int q = 0; q < 2; ++q) {
      u[4 * q + 0] = _mm256_shuffle_ps(t[4 * q], t[4 * q + 2], 0x44);
      u[4 * q + 1] = _mm256_shuffle_ps(t[4 * q], t[4 * q + 2], 0xEE);
      u[4 * q + 2] = _mm256_shuffle_ps(t[4 * q + 1], t[4 * q + 3], 0x44);
      u[4 * q + 3] = _mm256_shuffle_ps(t[4 * q + 1], t[4 * q + 3], 0xEE);
    }
    for (int c = 0; c < 4; ++c) {
      _mm256_storeu_ps(dst + c * dst_stride,
                       _mm256_permute2f128_ps(u[c], u[4 + c], 0x20));
      _mm256_storeu_ps(dst + (4 + c) * dst_stride,
                       _mm256_permute2f128_ps(u[c], u[4 + c], 0x31));
    }
  }
};

}  // namespace

void SpmmF32Avx2(const SpmmF32Matrix& w, const float* a, int64_t lda,
                 int64_t m_begin, int64_t m_end, float* c, int64_t ldc,
                 float lo, float hi, float* scratch) {
  SpmmF32Rows<Avx2F32>(w, a, lda, m_begin, m_end, c, ldc, lo, hi, scratch);
}

}  // namespace ember::x86
#endif  // __x86_64__
