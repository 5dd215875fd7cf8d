// WebAssembly SIMD128 int8 GEMM tile (CONV_2D / FULLY_CONNECTED, int8 and
// hybrid): 4 rows x 8 columns on the packed panels of kernels/drivers/
// gemm_s8.h, signed activations multiplied as they are (input shift 0, as
// the ARM tiles). Without relaxed SIMD there is no 8-bit dot product, so
// each group of four depth values is widened to 16 bits (i16x8.extend) and
// multiplied with i32x4.dot_i16x8 (products of two int8 values fit 16 bits
// after widening and a pair of them fits 32 bits, so nothing saturates):
// one dot gives two partial sums for each of two columns; the pairs are
// added when the tile is done. The double-rounding requantization of the
// convolutions is vectorized (s8_requant_simd128.h); FULLY_CONNECTED's
// single 64-bit rounding and the hybrid float epilogue run per element, as
// the reference writes them (one per output, next to K multiply-adds).
// Built only where the compiler targets SIMD128 (scripts/build_wasm.sh).
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/drivers/gemm_s8.h"
#include "kernels/wasm/s8_requant_simd128.h"

namespace ember::x86 {
namespace {

constexpr int kMr = kS8TileWasmSimd128Mr;
constexpr int kNr = kS8TileWasmSimd128Nr;
constexpr int kHeaderBytes = sizeof(int32_t) * kS8HeaderSlots * kNr;

// Four depth values of an A row widened to int16 and repeated twice
// ([x0 x1 x2 x3 x0 x1 x2 x3]), zero past `avail` (the row may end there).
// Only used for the last 1..3 values of a row: byte loads assembled in a
// register (a variable-length memcpy into a local here was miscompiled by
// Debian's emscripten 3.1.6 / clang: every row got the last row's word).
inline v128_t LoadRow4(const int8_t* p, int32_t avail) {
  uint32_t v = 0;
  for (int32_t i = 0; i < avail && i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return wasm_i16x8_extend_low_i8x16(wasm_i32x4_splat(static_cast<int32_t>(v)));
}

// acc[r][q] holds, for columns 2q and 2q + 1, two partial sums each:
// [c(2q) even pairs, c(2q) odd pairs, c(2q+1) even, c(2q+1) odd].
inline void MultiplyAdd(const int8_t* w, const v128_t* x, int rows,
                        v128_t (*acc)[4]) {
  const v128_t w0 = wasm_v128_load(w);       // columns 0..3, 4 depths each
  const v128_t w1 = wasm_v128_load(w + 16);  // columns 4..7
  const v128_t w01 = wasm_i16x8_extend_low_i8x16(w0);
  const v128_t w23 = wasm_i16x8_extend_high_i8x16(w0);
  const v128_t w45 = wasm_i16x8_extend_low_i8x16(w1);
  const v128_t w67 = wasm_i16x8_extend_high_i8x16(w1);
  for (int r = 0; r < rows; ++r) {
    acc[r][0] = wasm_i32x4_add(acc[r][0], wasm_i32x4_dot_i16x8(w01, x[r]));
    acc[r][1] = wasm_i32x4_add(acc[r][1], wasm_i32x4_dot_i16x8(w23, x[r]));
    acc[r][2] = wasm_i32x4_add(acc[r][2], wasm_i32x4_dot_i16x8(w45, x[r]));
    acc[r][3] = wasm_i32x4_add(acc[r][3], wasm_i32x4_dot_i16x8(w67, x[r]));
  }
}

// The raw sums (no header values) of all kMr rows: sums[r][0] columns 0..3,
// sums[r][1] columns 4..7.
void Accumulate(const S8TileArgs& t, v128_t (*sums)[2]) {
  v128_t acc[kMr][4];
  for (int r = 0; r < kMr; ++r)
    for (int q = 0; q < 4; ++q) acc[r][q] = wasm_i32x4_splat(0);
  const int8_t* w = reinterpret_cast<const int8_t*>(t.panel) + kHeaderBytes;
  const int32_t full = t.tap_k / 4 * 4;
  for (int32_t tap = 0; tap < t.taps; ++tap) {
    const int8_t* const* a = t.a + tap * kMr;
    v128_t x[kMr];
    int32_t kk = 0;
    for (; kk < full; kk += 4) {
      for (int r = 0; r < kMr; ++r)
        x[r] = wasm_i16x8_extend_low_i8x16(wasm_v128_load32_splat(a[r] + kk));
      MultiplyAdd(w, x, kMr, acc);
      w += 4 * kNr;
    }
    if (kk < t.tap_k) {  // the last 1..3 depth values (packed zero-padded)
      for (int r = 0; r < kMr; ++r) x[r] = LoadRow4(a[r] + kk, t.tap_k - kk);
      MultiplyAdd(w, x, kMr, acc);
      w += 4 * kNr;
    }
  }
  for (int r = 0; r < kMr; ++r) {
    sums[r][0] =
        wasm_i32x4_add(wasm_i32x4_shuffle(acc[r][0], acc[r][1], 0, 2, 4, 6),
                       wasm_i32x4_shuffle(acc[r][0], acc[r][1], 1, 3, 5, 7));
    sums[r][1] =
        wasm_i32x4_add(wasm_i32x4_shuffle(acc[r][2], acc[r][3], 0, 2, 4, 6),
                       wasm_i32x4_shuffle(acc[r][2], acc[r][3], 1, 3, 5, 7));
  }
}

inline int32_t WrappingAdd(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) +
                              static_cast<uint32_t>(b));
}

// (x * m + 2^(n-1)) >> n in 64 bits, saturated to int32 (FULLY_CONNECTED's
// single rounding; n = 31 - shift >= 1).
inline int32_t SingleRoundingMul(int32_t x, int32_t m, int32_t n) {
  const int64_t v =
      (static_cast<int64_t>(x) * m + (int64_t{1} << (n - 1))) >> n;
  return static_cast<int32_t>(
      std::clamp<int64_t>(v, std::numeric_limits<int32_t>::min(),
                          std::numeric_limits<int32_t>::max()));
}

// Per element: FULLY_CONNECTED's single rounding and the hybrid float output.
void ScalarEpilogue(const S8TileArgs& t, const int32_t* acc) {
  const int32_t* hdr = reinterpret_cast<const int32_t*>(t.panel);
  auto slot = [&](int s, int j) { return hdr[s * kNr + j]; };
  for (int32_t r = 0; r < t.rows; ++r) {
    for (int32_t j = 0; j < t.cols; ++j) {
      const int32_t sum = WrappingAdd(acc[r * kNr + j], slot(0, j));
      if (t.mode == S8Output::kFloat) {
        const int32_t v = WrappingAdd(
            sum, static_cast<int32_t>(static_cast<uint32_t>(slot(1, j)) *
                                      static_cast<uint32_t>(t.row_offset[r])));
        float f = static_cast<float>(v) * t.col_scale[j] * t.row_scale[r];
        if (t.col_bias != nullptr) f += t.col_bias[j];
        static_cast<float*>(t.c)[r * t.ldc + j] =
            std::min(std::max(f, t.flo), t.fhi);
        continue;
      }
      int32_t v = SingleRoundingMul(sum, slot(1, j), slot(3, j));
      v = std::min(std::max(WrappingAdd(v, t.out_zp), t.lo), t.hi);
      static_cast<int8_t*>(t.c)[r * t.ldc + j] = static_cast<int8_t>(v);
    }
  }
}

// The convolutions' double rounding, four columns at a time.
void DoubleRoundingEpilogue(const S8TileArgs& t, v128_t (*sums)[2]) {
  const int32_t* hdr = reinterpret_cast<const int32_t*>(t.panel);
  const v128_t offset = wasm_i32x4_splat(t.out_zp);
  const v128_t lo = wasm_i32x4_splat(t.lo);
  const v128_t hi = wasm_i32x4_splat(t.hi);
  v128_t bias[2];
  RequantSimd128 rq[2];
  for (int h = 0; h < 2; ++h) {
    bias[h] = wasm_v128_load(hdr + 4 * h);
    rq[h] = MakeRequantSimd128(wasm_v128_load(hdr + kNr + 4 * h),
                               wasm_v128_load(hdr + 2 * kNr + 4 * h),
                               wasm_v128_load(hdr + 3 * kNr + 4 * h));
  }
  auto* c = static_cast<int8_t*>(t.c);
  for (int32_t r = 0; r < t.rows; ++r) {
    const v128_t b0 = ClampNarrowS8Simd128(
        RequantizeSimd128(wasm_i32x4_add(sums[r][0], bias[0]), rq[0]), offset,
        lo, hi);
    const v128_t b1 = ClampNarrowS8Simd128(
        RequantizeSimd128(wasm_i32x4_add(sums[r][1], bias[1]), rq[1]), offset,
        lo, hi);
    const v128_t bytes = wasm_i32x4_shuffle(b0, b1, 0, 4, 0, 4);  // 8 bytes
    int8_t* out = c + r * t.ldc;
    if (t.cols == kNr) {
      wasm_v128_store64_lane(out, bytes, 0);
    } else {
      alignas(16) int8_t tmp[16];
      wasm_v128_store(tmp, bytes);
      std::memcpy(out, tmp, static_cast<size_t>(t.cols));
    }
  }
}

}  // namespace

void S8TileWasmSimd128(const S8TileArgs& t) {
  v128_t sums[kMr][2];
  Accumulate(t, sums);
  if (t.mode == S8Output::kInt8DoubleRounding) {
    DoubleRoundingEpilogue(t, sums);
    return;
  }
  alignas(16) int32_t acc[kMr * kNr];
  for (int r = 0; r < kMr; ++r) {
    wasm_v128_store(acc + r * kNr, sums[r][0]);
    wasm_v128_store(acc + r * kNr + 4, sums[r][1]);
  }
  ScalarEpilogue(t, acc);
}

}  // namespace ember::x86
#endif  // __wasm_simd128__
