// AVX-512 block-sparse fp32 GEMM: 32-pixel tiles (two zmm per input
// channel). Loop nest in spmm_f32_body.h. Built with -mavx512f -mavx512bw
// -mavx512vl -mfma only.
#if defined(__x86_64__)
#include <immintrin.h>

// GCC 12 reports the undefined pass-through operand inside several AVX-512
// intrinsics (min/max, unpack, shuffle) as uninitialized (false positive).
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#pragma GCC diagnostic ignored "-Wuninitialized"

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

  // dst[j][i] = src[i][j] for a 16x16 block: pairs interleaved, then 4x4
  // within 128-bit lanes, then the lanes moved in two steps.
  static void Transpose(const float* src, int64_t src_stride, float* dst,
                        int64_t dst_stride) {
    __m512 t[16], u[16], v[8], w[8];
    for (int i = 0; i < 8; ++i) {
      const __m512 a = _mm512_loadu_ps(src + (2 * i) * src_stride);
      const __m512 b = _mm512_loadu_ps(src + (2 * i + 1) * src_stride);
      t[2 * i] = _mm512_unpacklo_ps(a, b);
      t[2 * i + 1] = _mm512_unpackhi_ps(a, b);
    }
    // u[4q + c], lane l: column 4l + c of rows 4q .. 4q + 3.
    for (int q = 0; q < 4; ++q) {
      u[4 * q + 0] = _mm512_shuffle_ps(t[4 * q], t[4 * q + 2], 0x44);
      u[4 * q + 1] = _mm512_shuffle_ps(t[4 * q], t[4 * q + 2], 0xEE);
      u[4 * q + 2] = _mm512_shuffle_ps(t[4 * q + 1], t[4 * q + 3], 0x44);
      u[4 * q + 3] = _mm512_shuffle_ps(t[4 * q + 1], t[4 * q + 3], 0xEE);
    }
    for (int c = 0; c < 4; ++c) {
      v[c] = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88);
      v[4 + c] = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xDD);
      w[c] = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
      w[4 + c] = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xDD);
    }
    for (int c = 0; c < 4; ++c) {
      _mm512_storeu_ps(dst + c * dst_stride,
                       _mm512_shuffle_f32x4(v[c], w[c], 0x88));
      _mm512_storeu_ps(dst + (8 + c) * dst_stride,
                       _mm512_shuffle_f32x4(v[c], w[c], 0xDD));
      _mm512_storeu_ps(dst + (4 + c) * dst_stride,
                       _mm512_shuffle_f32x4(v[4 + c], w[4 + c], 0x88));
      _mm512_storeu_ps(dst + (12 + c) * dst_stride,
                       _mm512_shuffle_f32x4(v[4 + c], w[4 + c], 0xDD));
    }
  }
};

}  // namespace

void SpmmF32Avx512(const SpmmF32Matrix& w, const float* a, int64_t lda,
                   int64_t m_begin, int64_t m_end, float* c, int64_t ldc,
                   float lo, float hi, float* scratch) {
  SpmmF32Rows<Avx512F32>(w, a, lda, m_begin, m_end, c, ldc, lo, hi, scratch);
}

}  // namespace ember::x86
#endif  // __x86_64__
