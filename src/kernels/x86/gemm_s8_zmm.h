// The 512-bit int8 tile's output stage, shared by the AVX-512 VNNI kernel
// (vpdpbusd) and the AVX-512 BW one (vpmaddwd, for CPUs without VNNI):
// 8 rows x 32 columns in two zmm accumulators per row, requantized to int8
// bit-exactly with ref::Requantize, or scaled to float (hybrid). Included
// only by gemm_s8_avx512vnni.cc and gemm_s8_avx512.cc, each with its own
// ISA flags; everything has internal linkage so the copies never mix.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/drivers/gemm_s8.h"

namespace ember::x86 {
namespace {

constexpr int kZmmMr = 8;
constexpr int kZmmNr = 32;

// The last (1..3) bytes of a tap's depth, without reading past them.
inline int32_t LoadTail(const int8_t* p, int n) {
  // Fixed-size pieces (a variable-length memcpy would be a library call).
  uint16_t two = 0;
  if (n >= 2) std::memcpy(&two, p, 2);
  if (n == 1) return static_cast<uint8_t>(p[0]);
  if (n == 2) return two;
  return two | (static_cast<int32_t>(static_cast<uint8_t>(p[2])) << 16);
}

// SaturatingRoundingDoublingHighMul(x, m) for m >= 0 (never saturates).
// The reference truncates (x * m + nudge) / 2^31 with nudge 2^30 for
// positive and 1 - 2^30 for negative products; both cases equal
// floor((x * m + 2^30) / 2^31), i.e. bits 31..62 of x * m + 2^30.
inline __m512i DoublingHighMul(__m512i x, __m512i m) {
  const __m512i half = _mm512_set1_epi64(int64_t{1} << 30);
  const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, m), half);
  const __m512i odd = _mm512_add_epi64(
      _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(m, 32)),
      half);
  // Even lanes: low dword of (even >> 31); odd lanes: high dword of
  // (odd << 1).
  return _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31),
                                 _mm512_slli_epi64(odd, 1));
}

// RoundingDivideByPOT with a per-lane exponent.
inline __m512i RoundingShiftRight(__m512i x, __m512i e) {
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, e), one);
  const __m512i rem = _mm512_and_si512(x, mask);
  const __m512i threshold =
      _mm512_sub_epi32(_mm512_srli_epi32(mask, 1), _mm512_srai_epi32(x, 31));
  const __mmask16 up = _mm512_cmpgt_epi32_mask(rem, threshold);
  const __m512i r = _mm512_srav_epi32(x, e);
  return _mm512_mask_add_epi32(r, up, r, one);
}

// (x * m + 2^(n-1)) >> n in 64 bits, saturated to int32.
inline __m512i SingleRoundingMul(__m512i x, __m512i m, __m512i n) {
  const __m512i one = _mm512_set1_epi64(1);
  const __m512i lo32 = _mm512_set1_epi64(INT32_MIN);
  const __m512i hi32 = _mm512_set1_epi64(INT32_MAX);
  const __m512i n_even = _mm512_and_si512(n, _mm512_set1_epi64(0xFFFFFFFFll));
  const __m512i n_odd = _mm512_srli_epi64(n, 32);
  __m512i even = _mm512_mul_epi32(x, m);
  __m512i odd =
      _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(m, 32));
  even = _mm512_add_epi64(
      even, _mm512_sllv_epi64(one, _mm512_sub_epi64(n_even, one)));
  odd = _mm512_add_epi64(odd,
                         _mm512_sllv_epi64(one, _mm512_sub_epi64(n_odd, one)));
  even = _mm512_min_epi64(
      _mm512_max_epi64(_mm512_srav_epi64(even, n_even), lo32), hi32);
  odd = _mm512_min_epi64(_mm512_max_epi64(_mm512_srav_epi64(odd, n_odd), lo32),
                         hi32);
  return _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}

// Float (hybrid) output of 16 columns of one row.
inline void StoreHalfFloat(const S8TileArgs& t, int row, int half, __m512i acc,
                           const int32_t* hdr, __mmask16 cols) {
  const int32_t* h = hdr + half * 16;
  acc = _mm512_add_epi32(acc, _mm512_loadu_si512(h));
  const __m512i colsum = _mm512_loadu_si512(h + kZmmNr);
  acc = _mm512_add_epi32(
      acc, _mm512_mullo_epi32(colsum, _mm512_set1_epi32(t.row_offset[row])));
  __m512 v =
      _mm512_mul_ps(_mm512_cvtepi32_ps(acc),
                    _mm512_maskz_loadu_ps(cols, t.col_scale + half * 16));
  v = _mm512_mul_ps(v, _mm512_set1_ps(t.row_scale[row]));
  if (t.col_bias)
    v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(cols, t.col_bias + half * 16));
  v = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(t.flo)),
                    _mm512_set1_ps(t.fhi));
  float* out = static_cast<float*>(t.c) + row * t.ldc + half * 16;
  _mm512_mask_storeu_ps(out, cols, v);
}

// The int8 output stage of 16 columns, loaded once per tile (the byte
// stores of the output could alias the header, so nothing is reloaded).
struct Requant {
  __m512i bias, mult, left, right, zp, lo, hi;
  bool double_rounding;
};

inline Requant LoadRequant(const S8TileArgs& t, const int32_t* hdr, int half) {
  const int32_t* h = hdr + half * 16;
  Requant q;
  q.bias = _mm512_loadu_si512(h);
  q.mult = _mm512_loadu_si512(h + kZmmNr);
  q.left = _mm512_loadu_si512(h + 2 * kZmmNr);
  q.right = _mm512_loadu_si512(h + 3 * kZmmNr);
  q.zp = _mm512_set1_epi32(t.out_zp);
  q.lo = _mm512_set1_epi32(t.lo);
  q.hi = _mm512_set1_epi32(t.hi);
  q.double_rounding = t.mode == S8Output::kInt8DoubleRounding;
  return q;
}

inline __m128i RequantizeInt8(__m512i acc, const Requant& q) {
  __m512i v = _mm512_add_epi32(acc, q.bias);
  if (q.double_rounding) {
    v = _mm512_sllv_epi32(v, q.left);
    v = DoublingHighMul(v, q.mult);
    v = RoundingShiftRight(v, q.right);
  } else {
    v = SingleRoundingMul(v, q.mult, q.right);
  }
  v = _mm512_add_epi32(v, q.zp);
  v = _mm512_min_epi32(_mm512_max_epi32(v, q.lo), q.hi);
  return _mm512_cvtepi32_epi8(v);
}

// Writes the 8 x 32 accumulators of a tile (float or requantized int8).
inline void ZmmTileStore(const S8TileArgs& t, __m512i (&acc)[kZmmMr][2]) {
  const int32_t* hdr = reinterpret_cast<const int32_t*>(t.panel);
  const __mmask16 cols0 =
      t.cols >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << t.cols) - 1);
  const __mmask16 cols1 =
      t.cols <= 16 ? 0
                   : static_cast<__mmask16>(
                         t.cols >= 32 ? 0xFFFF : (1u << (t.cols - 16)) - 1);
  const int rows = t.rows;
  // Unrolled so that acc[r] stays in registers (constant indices).
  if (t.mode == S8Output::kFloat) {
#pragma GCC unroll 8
    for (int r = 0; r < kZmmMr; ++r) {
      if (r >= rows) break;
      StoreHalfFloat(t, r, 0, acc[r][0], hdr, cols0);
      if (cols1) StoreHalfFloat(t, r, 1, acc[r][1], hdr, cols1);
    }
    return;
  }
  const Requant q0 = LoadRequant(t, hdr, 0);
  const Requant q1 = LoadRequant(t, hdr, 1);
  int8_t* out = static_cast<int8_t*>(t.c);
  const int64_t ldc = t.ldc;
#pragma GCC unroll 8
  for (int r = 0; r < kZmmMr; ++r) {
    if (r >= rows) break;
    _mm_mask_storeu_epi8(out + r * ldc, cols0, RequantizeInt8(acc[r][0], q0));
    if (cols1)
      _mm_mask_storeu_epi8(out + r * ldc + 16, cols1,
                           RequantizeInt8(acc[r][1], q1));
  }
}

}  // namespace
}  // namespace ember::x86
