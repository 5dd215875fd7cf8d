// AVX-512 block-sparse fp32 GEMM: 32-pixel tiles (two zmm per input
// channel). Loop nest in spmm_f32_body.h. Built with -mavx512f -mavx512bw
// -mavx512vl -mfma only.
#if defined(__x86_64__)
#include <immintrin.h>

// GCC 12 reports the undefined pass-through operand inside the
// _mm512_{min,max}_ps intrinsics as maybe-uninitialized (false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "kernels/x86/spmm_f32_body.h"

namespace ember::x86 {
namespace {

struct Avx512F32 {
  static constexpr int kLanes = 16;
  using Vec = __m512;
  static Vec Zero() { return _mm512_setzero_ps(); }
  static Vec Set1(float x) { return _mm512_set1_ps(x); }
  static Vec Load(const float* p) { return _mm512_loadu_ps(p); }
  static void Store(float* p, Vec v) { _mm512_storeu_ps(p, v); }
  static Vec Fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
  static Vec Add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
  static Vec Min(Vec a, Vec b) { return _mm512_min_ps(a, b); }
  static Vec Max(Vec a, Vec b) { return _mm512_max_ps(a, b); }
};

}  // namespace

void SpmmF32Avx512(const SpmmF32Matrix& w, const float* a, int64_t lda,
                   int64_t m_begin, int64_t m_end, float* c, int64_t ldc,
                   float lo, float hi, float* scratch) {
  SpmmF32Rows<Avx512F32>(w, a, lda, m_begin, m_end, c, ldc, lo, hi, scratch);
}

}  // namespace ember::x86
#endif  // __x86_64__
