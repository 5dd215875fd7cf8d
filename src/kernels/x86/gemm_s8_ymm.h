// The 256-bit int8 tile shared by the AVX2 and AVX-VNNI kernels: MR rows x
// 16 columns (two ymm accumulators per row). Included only by
// gemm_s8_avx2.cc and gemm_s8_avxvnni.cc, each with its own ISA flags;
// everything here has internal linkage so the two copies never mix. The
// including file supplies `Dot`: Dot::W Dot::Prep(__m256i weights) and
// __m256i Dot::Acc(__m256i acc, __m256i uint8_x, const Dot::W& w), which
// adds the four u8 x s8 products of every 32-bit lane to acc.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/drivers/gemm_s8.h"

namespace ember::x86 {
namespace {

constexpr int kYmmNr = 16;

inline int32_t LoadTailBytes(const int8_t* p, int n) {
  // Fixed-size pieces (a variable-length memcpy would be a library call).
  uint16_t two = 0;
  if (n >= 2) std::memcpy(&two, p, 2);
  if (n == 1) return static_cast<uint8_t>(p[0]);
  if (n == 2) return two;
  return two | (static_cast<int32_t>(static_cast<uint8_t>(p[2])) << 16);
}

// SaturatingRoundingDoublingHighMul(x, m) for m >= 0: bits 31..62 of
// x * m + 2^30 (see the AVX-512 file).
inline __m256i YmmDoublingHighMul(__m256i x, __m256i m) {
  const __m256i half = _mm256_set1_epi64x(int64_t{1} << 30);
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, m), half);
  const __m256i odd = _mm256_add_epi64(
      _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32)),
      half);
  return _mm256_blend_epi32(_mm256_srli_epi64(even, 31),
                            _mm256_slli_epi64(odd, 1), 0xAA);
}

inline __m256i YmmRoundingShiftRight(__m256i x, __m256i e) {
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, e), one);
  const __m256i rem = _mm256_and_si256(x, mask);
  const __m256i threshold =
      _mm256_sub_epi32(_mm256_srli_epi32(mask, 1), _mm256_srai_epi32(x, 31));
  // cmpgt gives -1 where the remainder rounds up.
  return _mm256_sub_epi32(_mm256_srav_epi32(x, e),
                          _mm256_cmpgt_epi32(rem, threshold));
}

// Arithmetic 64-bit right shift by per-lane counts (AVX2 has only the
// logical one): shift the bitwise complement of negative values.
inline __m256i YmmSra64(__m256i v, __m256i n) {
  const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), v);
  return _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(v, sign), n),
                          sign);
}

inline __m256i YmmClampInt32(__m256i v) {
  const __m256i lo = _mm256_set1_epi64x(INT32_MIN);
  const __m256i hi = _mm256_set1_epi64x(INT32_MAX);
  v = _mm256_blendv_epi8(v, lo, _mm256_cmpgt_epi64(lo, v));
  return _mm256_blendv_epi8(v, hi, _mm256_cmpgt_epi64(v, hi));
}

inline __m256i YmmSingleRoundingMul(__m256i x, __m256i m, __m256i n) {
  const __m256i one = _mm256_set1_epi64x(1);
  const __m256i n_even = _mm256_and_si256(n, _mm256_set1_epi64x(0xFFFFFFFFll));
  const __m256i n_odd = _mm256_srli_epi64(n, 32);
  __m256i even = _mm256_mul_epi32(x, m);
  __m256i odd =
      _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32));
  even = _mm256_add_epi64(
      even, _mm256_sllv_epi64(one, _mm256_sub_epi64(n_even, one)));
  odd = _mm256_add_epi64(odd,
                         _mm256_sllv_epi64(one, _mm256_sub_epi64(n_odd, one)));
  even = YmmClampInt32(YmmSra64(even, n_even));
  odd = YmmClampInt32(YmmSra64(odd, n_odd));
  return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

// Float (hybrid) output of 8 columns (the first `cols`) of one row.
inline void YmmStoreHalfFloat(const S8TileArgs& t, int row, int half,
                              __m256i acc, const int32_t* hdr, int cols) {
  const int32_t* h = hdr + half * 8;
  acc = _mm256_add_epi32(
      acc, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(h)));
  const __m256i colsum =
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(h + kYmmNr));
  acc = _mm256_add_epi32(
      acc, _mm256_mullo_epi32(colsum, _mm256_set1_epi32(t.row_offset[row])));
  alignas(32) float tmp[8] = {};
  std::memcpy(tmp, t.col_scale + half * 8, sizeof(float) * cols);
  __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_load_ps(tmp));
  v = _mm256_mul_ps(v, _mm256_set1_ps(t.row_scale[row]));
  if (t.col_bias) {
    std::memcpy(tmp, t.col_bias + half * 8, sizeof(float) * cols);
    v = _mm256_add_ps(v, _mm256_load_ps(tmp));
  }
  v = _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(t.flo)),
                    _mm256_set1_ps(t.fhi));
  float* out = static_cast<float*>(t.c) + row * t.ldc + half * 8;
  if (cols == 8) {
    _mm256_storeu_ps(out, v);
  } else {
    _mm256_store_ps(tmp, v);
    std::memcpy(out, tmp, sizeof(float) * cols);
  }
}

// The int8 output stage of 8 columns, loaded once per tile (the byte
// stores of the output could alias the header).
struct YmmRequant {
  __m256i bias, mult, left, right, zp, lo, hi;
  bool double_rounding;
};

inline YmmRequant LoadYmmRequant(const S8TileArgs& t, const int32_t* hdr,
                                 int half) {
  auto slot = [&](int s) {
    return _mm256_loadu_si256(
        reinterpret_cast<const __m256i*>(hdr + half * 8 + s * kYmmNr));
  };
  YmmRequant q;
  q.bias = slot(0);
  q.mult = slot(1);
  q.left = slot(2);
  q.right = slot(3);
  q.zp = _mm256_set1_epi32(t.out_zp);
  q.lo = _mm256_set1_epi32(t.lo);
  q.hi = _mm256_set1_epi32(t.hi);
  q.double_rounding = t.mode == S8Output::kInt8DoubleRounding;
  return q;
}

// Requantizes 8 accumulators and stores the first `cols` bytes.
inline void YmmStoreInt8(__m256i acc, const YmmRequant& q, int cols,
                         int8_t* out) {
  __m256i v = _mm256_add_epi32(acc, q.bias);
  if (q.double_rounding) {
    v = _mm256_sllv_epi32(v, q.left);
    v = YmmDoublingHighMul(v, q.mult);
    v = YmmRoundingShiftRight(v, q.right);
  } else {
    v = YmmSingleRoundingMul(v, q.mult, q.right);
  }
  v = _mm256_add_epi32(v, q.zp);
  v = _mm256_min_epi32(_mm256_max_epi32(v, q.lo), q.hi);
  // 8 x int32 (already in int8 range) -> 8 bytes.
  const __m256i w16 = _mm256_packs_epi32(v, v);     // per lane: v0..3 v0..3
  const __m256i w8 = _mm256_packs_epi16(w16, w16);  // per lane: 4 bytes x 4
  const __m128i bytes = _mm_unpacklo_epi32(_mm256_castsi256_si128(w8),
                                           _mm256_extracti128_si256(w8, 1));
  if (cols == 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out), bytes);
  } else {
    alignas(16) int8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), bytes);
    std::memcpy(out, tmp, static_cast<size_t>(cols));
  }
}

// Writes the MR x 16 accumulators of a tile (float or requantized int8).
template <int MR>
inline void YmmTileStore(const S8TileArgs& t, const __m256i (&acc)[MR][2]) {
  const int32_t* hdr = reinterpret_cast<const int32_t*>(t.panel);
  const int cols0 = t.cols >= 8 ? 8 : t.cols;
  const int cols1 = t.cols <= 8 ? 0 : t.cols - 8;
  const int rows = t.rows;
  if (t.mode == S8Output::kFloat) {
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      if (r >= rows) break;
      YmmStoreHalfFloat(t, r, 0, acc[r][0], hdr, cols0);
      if (cols1 > 0) YmmStoreHalfFloat(t, r, 1, acc[r][1], hdr, cols1);
    }
    return;
  }
  const YmmRequant q0 = LoadYmmRequant(t, hdr, 0);
  const YmmRequant q1 = LoadYmmRequant(t, hdr, 1);
  int8_t* out = static_cast<int8_t*>(t.c);
  const int64_t ldc = t.ldc;
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    if (r >= rows) break;
    YmmStoreInt8(acc[r][0], q0, cols0, out + r * ldc);
    if (cols1 > 0) YmmStoreInt8(acc[r][1], q1, cols1, out + r * ldc + 8);
  }
}

template <int MR, typename Dot>
inline void YmmTile(const S8TileArgs& t) {
  __m256i acc[MR][2];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
  const uint8_t* w = t.panel + sizeof(int32_t) * kS8HeaderSlots * kYmmNr;
  const int32_t groups = t.tap_k / 4;
  const int32_t tail = t.tap_k % 4;
  for (int32_t tap = 0; tap < t.taps; ++tap) {
    const int8_t* a[MR];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) a[r] = t.a[tap * MR + r];
    for (int32_t g = 0; g <= groups; ++g) {
      if (g == groups && tail == 0) break;
      const auto w0 =
          Dot::Prep(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)));
      const auto w1 = Dot::Prep(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 32)));
      w += 64;
#pragma GCC unroll 8
      for (int r = 0; r < MR; ++r) {
        int32_t bytes;
        if (g < groups) {
          std::memcpy(&bytes, a[r] + 4 * g, 4);
        } else {
          bytes = LoadTailBytes(a[r] + 4 * g, tail);
        }
        const __m256i x = _mm256_xor_si256(_mm256_set1_epi32(bytes), flip);
        acc[r][0] = Dot::Acc(acc[r][0], x, w0);
        acc[r][1] = Dot::Acc(acc[r][1], x, w1);
      }
    }
  }
  YmmTileStore<MR>(t, acc);
}

}  // namespace
}  // namespace ember::x86
