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
};

}  // namespace

void SpmmF32Avx2(const SpmmF32Matrix& w, const float* a, int64_t lda,
                 int64_t m_begin, int64_t m_end, float* c, int64_t ldc,
                 float lo, float hi, float* scratch) {
  SpmmF32Rows<Avx2F32>(w, a, lda, m_begin, m_end, c, ldc, lo, hi, scratch);
}

}  // namespace ember::x86
#endif  // __x86_64__
