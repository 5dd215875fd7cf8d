// The block-sparse GEMM loop nest (see spmm_f32.h), written once and
// instantiated per ISA by spmm_f32_<isa>.cc with a traits type V compiled
// with that ISA's flags (included only there; unnamed namespace):
//   V::kLanes, V::Vec, V::Zero(), V::Set1(x), V::Load(p), V::Store(p, v),
//   V::Fma(a, b, c) = a * b + c, V::Add, V::Min, V::Max
//   V::Transpose(src, src_stride, dst, dst_stride)   kLanes x kLanes block
// A tile is 2 vectors of pixels. For each output channel the 1x4 block's
// four taps feed four accumulator pairs (eight independent FMA chains, to
// cover the FMA latency); single-weight rows are unrolled by four.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "kernels/drivers/spmm_f32.h"

namespace ember::x86 {
namespace {

// Few rows (a batch-1 fully connected layer): a pixel tile would be mostly
// padding, so each row is a sparse dot product per output channel, a 1x4
// block being one 4-wide multiply-add (128-bit: every x86 ISA here has it).
inline void SpmmF32FewRows(const SpmmF32Matrix& w, const float* a, int64_t lda,
                           int64_t m_begin, int64_t m_end, float* c,
                           int64_t ldc, float lo, float hi) {
  for (int64_t r = m_begin; r < m_end; ++r) {
    const float* x = a + r * lda;
    float* out = c + r * ldc;
    for (int32_t n = 0; n < w.n; ++n) {
      const int32_t j0 = w.row_start[n], j1 = w.row_start[n + 1];
      float sum;
      if (w.block == 4) {
        __m128 acc0 = _mm_setzero_ps(), acc1 = _mm_setzero_ps();
        int32_t j = j0;
        for (; j + 1 < j1; j += 2) {
          acc0 = _mm_fmadd_ps(
              _mm_loadu_ps(x + w.block_k[j]),
              _mm_loadu_ps(w.values + static_cast<int64_t>(j) * 4), acc0);
          acc1 = _mm_fmadd_ps(
              _mm_loadu_ps(x + w.block_k[j + 1]),
              _mm_loadu_ps(w.values + static_cast<int64_t>(j + 1) * 4), acc1);
        }
        if (j < j1) {
          acc0 = _mm_fmadd_ps(
              _mm_loadu_ps(x + w.block_k[j]),
              _mm_loadu_ps(w.values + static_cast<int64_t>(j) * 4), acc0);
        }
        alignas(16) float lanes[4];
        _mm_store_ps(lanes, _mm_add_ps(acc0, acc1));
        sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
      } else {
        sum = 0.0f;
        for (int32_t j = j0; j < j1; ++j) sum += x[w.block_k[j]] * w.values[j];
      }
      out[n] = std::min(std::max(sum + w.bias[n], lo), hi);
    }
  }
}

template <class V>
void SpmmF32Rows(const SpmmF32Matrix& w, const float* a, int64_t lda,
                 int64_t m_begin, int64_t m_end, float* c, int64_t ldc,
                 float lo, float hi, float* scratch) {
  constexpr int L = V::kLanes;
  constexpr int T = 2 * L;  // pixels per tile
  using Vec = typename V::Vec;
  const int32_t K = w.k, N = w.n;
  float* at = scratch;                                // [K][T]
  float* ct = scratch + static_cast<int64_t>(K) * T;  // [N][T]
  const Vec vlo = V::Set1(lo), vhi = V::Set1(hi);
  if (m_end - m_begin < 4) {
    SpmmF32FewRows(w, a, lda, m_begin, m_end, c, ldc, lo, hi);
    return;
  }
  for (int64_t m0 = m_begin; m0 < m_end; m0 += T) {
    const int rows = static_cast<int>(std::min<int64_t>(T, m_end - m0));
    // A full tile moves in L x L register transposes, the channel tail
    // (and a partial tile) element by element.
    int32_t k_done = 0;
    if (rows == T) {
      for (; k_done + L <= K; k_done += L) {
        for (int r0 = 0; r0 < T; r0 += L)
          V::Transpose(a + (m0 + r0) * lda + k_done, lda,
                       at + static_cast<int64_t>(k_done) * T + r0, T);
      }
    }
    for (int r = 0; r < rows; ++r) {
      const float* src = a + (m0 + r) * lda;
      for (int32_t kk = k_done; kk < K; ++kk)
        at[static_cast<int64_t>(kk) * T + r] = src[kk];
    }
    for (int r = rows; r < T; ++r)
      for (int32_t kk = 0; kk < K; ++kk)
        at[static_cast<int64_t>(kk) * T + r] = 0.0f;
    for (int32_t n = 0; n < N; ++n) {
      const int32_t j0 = w.row_start[n], j1 = w.row_start[n + 1];
      Vec s0 = V::Set1(w.bias[n]), s1 = s0;
      if (w.block == 4) {
        Vec a0 = s0, b0 = s1, a1 = V::Zero(), b1 = V::Zero();
        Vec a2 = V::Zero(), b2 = V::Zero(), a3 = V::Zero(), b3 = V::Zero();
        for (int32_t j = j0; j < j1; ++j) {
          const float* x = at + static_cast<int64_t>(w.block_k[j]) * T;
          const float* v = w.values + static_cast<int64_t>(j) * 4;
          const Vec w0 = V::Set1(v[0]), w1 = V::Set1(v[1]);
          const Vec w2 = V::Set1(v[2]), w3 = V::Set1(v[3]);
          a0 = V::Fma(w0, V::Load(x), a0);
          b0 = V::Fma(w0, V::Load(x + L), b0);
          a1 = V::Fma(w1, V::Load(x + T), a1);
          b1 = V::Fma(w1, V::Load(x + T + L), b1);
          a2 = V::Fma(w2, V::Load(x + 2 * T), a2);
          b2 = V::Fma(w2, V::Load(x + 2 * T + L), b2);
          a3 = V::Fma(w3, V::Load(x + 3 * T), a3);
          b3 = V::Fma(w3, V::Load(x + 3 * T + L), b3);
        }
        s0 = V::Add(V::Add(a0, a1), V::Add(a2, a3));
        s1 = V::Add(V::Add(b0, b1), V::Add(b2, b3));
      } else {
        Vec a1 = V::Zero(), b1 = V::Zero();
        int32_t j = j0;
        for (; j + 1 < j1; j += 2) {
          const float* x0 = at + static_cast<int64_t>(w.block_k[j]) * T;
          const float* x1 = at + static_cast<int64_t>(w.block_k[j + 1]) * T;
          const Vec w0 = V::Set1(w.values[j]), w1 = V::Set1(w.values[j + 1]);
          s0 = V::Fma(w0, V::Load(x0), s0);
          s1 = V::Fma(w0, V::Load(x0 + L), s1);
          a1 = V::Fma(w1, V::Load(x1), a1);
          b1 = V::Fma(w1, V::Load(x1 + L), b1);
        }
        if (j < j1) {
          const float* x0 = at + static_cast<int64_t>(w.block_k[j]) * T;
          const Vec w0 = V::Set1(w.values[j]);
          s0 = V::Fma(w0, V::Load(x0), s0);
          s1 = V::Fma(w0, V::Load(x0 + L), s1);
        }
        s0 = V::Add(s0, a1);
        s1 = V::Add(s1, b1);
      }
      float* dst = ct + static_cast<int64_t>(n) * T;
      V::Store(dst, V::Min(V::Max(s0, vlo), vhi));
      V::Store(dst + L, V::Min(V::Max(s1, vlo), vhi));
    }
    int32_t n_done = 0;
    if (rows == T) {
      for (; n_done + L <= N; n_done += L) {
        for (int r0 = 0; r0 < T; r0 += L)
          V::Transpose(ct + static_cast<int64_t>(n_done) * T + r0, T,
                       c + (m0 + r0) * ldc + n_done, ldc);
      }
    }
    for (int r = 0; r < rows; ++r) {
      float* out = c + (m0 + r) * ldc;
      for (int32_t n = n_done; n < N; ++n)
        out[n] = ct[static_cast<int64_t>(n) * T + r];
    }
  }
}

}  // namespace
}  // namespace ember::x86
