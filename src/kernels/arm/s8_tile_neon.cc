// AArch64 int8 tiles: the baseline NEON accumulation (SMULL + SADALP, as
// in gemm_s8_neon.cc) and the scalar epilogue both tiles share. The
// epilogue is the per-element integer requantization of the reference
// kernels (or the hybrid float scaling), so outputs are bit-exact; it runs
// once per output and costs little next to the K multiply-adds.
#if defined(__aarch64__)
#include <arm_neon.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/arm/s8_tile.h"
#include "kernels/ref/quant_util.h"

namespace ember::arm {
namespace {

constexpr int kMr = kS8TileMr;
constexpr int kNr = kS8TileNr;
constexpr int kHeaderBytes = sizeof(int32_t) * x86::kS8HeaderSlots * kNr;

inline int32_t LoadWord(const int8_t* p, int32_t avail) {
  int32_t v = 0;
  std::memcpy(&v, p, avail >= 4 ? 4 : static_cast<size_t>(avail));
  return v;
}

void AccumulateS8Neon(const x86::S8TileArgs& t, int32_t* out) {
  int32x4_t acc[kMr][4];  // [r][q]: columns 2q, 2q + 1 as pair sums
  for (int r = 0; r < kMr; ++r)
    for (int q = 0; q < 4; ++q) acc[r][q] = vdupq_n_s32(0);
  const int8_t* w = reinterpret_cast<const int8_t*>(t.panel) + kHeaderBytes;
  for (int32_t tap = 0; tap < t.taps; ++tap) {
    const int8_t* const* a = t.a + tap * kMr;
    for (int32_t kk = 0; kk < t.tap_k; kk += 4) {
      const int8x16_t w0 = vld1q_s8(w);
      const int8x16_t w1 = vld1q_s8(w + 16);
      w += 4 * kNr;
#pragma GCC unroll 4
      for (int r = 0; r < kMr; ++r) {
        const int8x16_t x = vreinterpretq_s8_s32(
            vdupq_n_s32(LoadWord(a[r] + kk, t.tap_k - kk)));
        acc[r][0] =
            vpadalq_s16(acc[r][0], vmull_s8(vget_low_s8(w0), vget_low_s8(x)));
        acc[r][1] = vpadalq_s16(acc[r][1], vmull_high_s8(w0, x));
        acc[r][2] =
            vpadalq_s16(acc[r][2], vmull_s8(vget_low_s8(w1), vget_low_s8(x)));
        acc[r][3] = vpadalq_s16(acc[r][3], vmull_high_s8(w1, x));
      }
    }
  }
  for (int r = 0; r < kMr; ++r) {
    vst1q_s32(out + r * kNr, vpaddq_s32(acc[r][0], acc[r][1]));
    vst1q_s32(out + r * kNr + 4, vpaddq_s32(acc[r][2], acc[r][3]));
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

void Epilogue(const x86::S8TileArgs& t, const int32_t* acc) {
  const int32_t* hdr = reinterpret_cast<const int32_t*>(t.panel);
  auto slot = [&](int s, int j) { return hdr[s * kNr + j]; };
  for (int32_t r = 0; r < t.rows; ++r) {
    for (int32_t j = 0; j < t.cols; ++j) {
      const int32_t sum = WrappingAdd(acc[r * kNr + j], slot(0, j));
      if (t.mode == x86::S8Output::kFloat) {
        const int32_t v = WrappingAdd(
            sum, static_cast<int32_t>(static_cast<uint32_t>(slot(1, j)) *
                                      static_cast<uint32_t>(t.row_offset[r])));
        float f = static_cast<float>(v) * t.col_scale[j] * t.row_scale[r];
        if (t.col_bias != nullptr) f += t.col_bias[j];
        static_cast<float*>(t.c)[r * t.ldc + j] =
            std::min(std::max(f, t.flo), t.fhi);
        continue;
      }
      int32_t v;
      if (t.mode == x86::S8Output::kInt8DoubleRounding) {
        v = static_cast<int32_t>(static_cast<uint32_t>(sum) << slot(2, j));
        v = ref::SaturatingRoundingDoublingHighMul(v, slot(1, j));
        v = ref::RoundingDivideByPOT(v, slot(3, j));
      } else {
        v = SingleRoundingMul(sum, slot(1, j), slot(3, j));
      }
      v = std::min(std::max(WrappingAdd(v, t.out_zp), t.lo), t.hi);
      static_cast<int8_t*>(t.c)[r * t.ldc + j] = static_cast<int8_t>(v);
    }
  }
}

}  // namespace

void S8TileNeon(const x86::S8TileArgs& t) {
  int32_t acc[kMr * kNr];
  AccumulateS8Neon(t, acc);
  Epilogue(t, acc);
}

void S8TileDotprod(const x86::S8TileArgs& t) {
  int32_t acc[kMr * kNr];
  AccumulateS8Dotprod(t, acc);
  Epilogue(t, acc);
}

void S8TileI8mm(const x86::S8TileArgs& t) {
  int32_t acc[kMr * kNr];
  AccumulateS8I8mm(t, acc);
  Epilogue(t, acc);
}

}  // namespace ember::arm
#endif  // __aarch64__
