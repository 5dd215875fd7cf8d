// WebAssembly SIMD128 int8 GEMM tile (CONV_2D / FULLY_CONNECTED, int8 and
// hybrid): 4 rows x 8 columns on the packed panels of kernels/drivers/
// gemm_s8.h, signed activations multiplied as they are (input shift 0, as
// the ARM tiles). Without relaxed SIMD there is no 8-bit dot product, so
// weights and activations are widened to 16 bits (i16x8.extend) and
// multiplied with i32x4.dot_i16x8, which multiplies int16 lanes into int32
// and adds neighbouring pairs (two int8 products: at most 2 x 2^14, so
// nothing saturates); each dot covers two depth values of four columns
// (see LoadWeightPairs). The double-rounding requantization of the
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

// Regroups a packed group of four columns x four depths ([c0 k0..3, c1
// k0..3, ...]) into depth pairs ([c0 k01, c1 k01, c2 k01, c3 k01 | the same
// for k23]) and widens each half to int16: with the row's depth pair
// repeated four times, one i32x4.dot_i16x8 then yields the four columns'
// sums over that pair, so each row needs NR / 4 accumulators (8 in all for
// the 4x8 tile, against 16 for per-column pair sums reduced at the end), which
// leaves vector registers for the weights (x86-64 engines have 16). Measured in
// Node at about the speed of the per-column variant or slightly faster (the
// regrouping shuffle costs one instruction per 16 weight bytes).
struct WeightPairs {
  v128_t k01, k23;
};

inline WeightPairs LoadWeightPairs(const int8_t* w) {
  const v128_t v = wasm_v128_load(w);
  const v128_t pairs = wasm_i8x16_shuffle(v, v, 0, 1, 4, 5, 8, 9, 12, 13, 2, 3,
                                          6, 7, 10, 11, 14, 15);
  return {wasm_i16x8_extend_low_i8x16(pairs),
          wasm_i16x8_extend_high_i8x16(pairs)};
}

// acc[r][h]: the sums of columns 4h..4h+3 of row r. x01 / x23: each row's
// depth pairs (k0, k1) and (k2, k3) as int16, repeated four times.
inline void MultiplyAdd(const int8_t* w, const v128_t* x01, const v128_t* x23,
                        v128_t (*acc)[2]) {
  const WeightPairs lo = LoadWeightPairs(w);       // columns 0..3
  const WeightPairs hi = LoadWeightPairs(w + 16);  // columns 4..7
  for (int r = 0; r < kMr; ++r) {
    acc[r][0] = wasm_i32x4_add(
        acc[r][0], wasm_i32x4_add(wasm_i32x4_dot_i16x8(lo.k01, x01[r]),
                                  wasm_i32x4_dot_i16x8(lo.k23, x23[r])));
    acc[r][1] = wasm_i32x4_add(
        acc[r][1], wasm_i32x4_add(wasm_i32x4_dot_i16x8(hi.k01, x01[r]),
                                  wasm_i32x4_dot_i16x8(hi.k23, x23[r])));
  }
}

// The raw sums (no header values) of all kMr rows: sums[r][0] columns 0..3,
// sums[r][1] columns 4..7.
void Accumulate(const S8TileArgs& t, v128_t (*sums)[2]) {
  for (int r = 0; r < kMr; ++r) sums[r][0] = sums[r][1] = wasm_i32x4_splat(0);
  const int8_t* w = reinterpret_cast<const int8_t*>(t.panel) + kHeaderBytes;
  const int32_t full = t.tap_k / 4 * 4;
  for (int32_t tap = 0; tap < t.taps; ++tap) {
    const int8_t* const* a = t.a + tap * kMr;
    v128_t x01[kMr], x23[kMr];
    int32_t kk = 0;
    for (; kk < full; kk += 4) {
      for (int r = 0; r < kMr; ++r) {
        x01[r] = wasm_i16x8_extend_low_i8x16(wasm_v128_load16_splat(a[r] + kk));
        x23[r] =
            wasm_i16x8_extend_low_i8x16(wasm_v128_load16_splat(a[r] + kk + 2));
      }
      MultiplyAdd(w, x01, x23, sums);
      w += 4 * kNr;
    }
    if (kk < t.tap_k) {  // the last 1..3 depth values (packed zero-padded)
      for (int r = 0; r < kMr; ++r) {
        const v128_t x = LoadRow4(a[r] + kk, t.tap_k - kk);
        x01[r] = wasm_i32x4_shuffle(x, x, 0, 0, 0, 0);
        x23[r] = wasm_i32x4_shuffle(x, x, 1, 1, 1, 1);
      }
      MultiplyAdd(w, x01, x23, sums);
      w += 4 * kNr;
    }
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
