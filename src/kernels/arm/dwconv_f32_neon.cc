// NEON fp32 depthwise convolution: 4 channels per register. For each
// output row and channel block the 3x3 weights stay in registers while the
// row's pixels stream past; rows in the padding read the zero row, columns
// in the padding take the per-tap checked path. NEON has no masked loads:
// when the channel count is not a multiple of 4 the last block starts at
// C - 4 and overlaps the previous one (it recomputes the same values),
// and fewer than 4 channels go through a scalar loop.
#if defined(__aarch64__)
#include <arm_neon.h>

#include <algorithm>

#include "kernels/drivers/arm_kernels.h"

namespace ember::arm {
namespace {

constexpr int kMaxRows = 64;  // filter_h limit, checked by the op

struct RowContext {
  const x86::DwConvF32Args* g;
  const float* rows[kMaxRows];  // input row per ky (or the zero row)
  float* out_row;
  int32_t ox_lo, ox_hi;  // output columns whose taps are all inside
};

// Output column ox of channels [c, c + 4) with every tap bounds-checked.
inline void EdgePixel(const RowContext& rc, int32_t c, int32_t ox,
                      float32x4_t bias, float32x4_t lo, float32x4_t hi) {
  const x86::DwConvF32Args& g = *rc.g;
  const int64_t C = g.channels;
  const int32_t ix0 = ox * g.stride_w - g.pad_left;
  float32x4_t acc = bias;
  for (int32_t ky = 0; ky < g.filter_h; ++ky) {
    for (int32_t kx = 0; kx < g.filter_w; ++kx) {
      const int32_t ix = ix0 + kx * g.dilation_w;
      if (ix < 0 || ix >= g.in_w) continue;
      const float32x4_t x = vld1q_f32(rc.rows[ky] + ix * C + c);
      const float32x4_t w = vld1q_f32(
          g.filter + static_cast<int64_t>(ky * g.filter_w + kx) * C + c);
      acc = vfmaq_f32(acc, x, w);
    }
  }
  vst1q_f32(rc.out_row + ox * C + c, vminq_f32(vmaxq_f32(acc, lo), hi));
}

void ChannelBlock(const RowContext& rc, int32_t c, float32x4_t lo,
                  float32x4_t hi) {
  const x86::DwConvF32Args& g = *rc.g;
  const int64_t C = g.channels;
  const float32x4_t bias = vld1q_f32(g.bias + c);
  for (int32_t ox = 0; ox < rc.ox_lo; ++ox) EdgePixel(rc, c, ox, bias, lo, hi);
  if (g.filter_h == 3 && g.filter_w == 3) {
    float32x4_t w[9];
    for (int t = 0; t < 9; ++t) w[t] = vld1q_f32(g.filter + t * C + c);
    const int64_t step = static_cast<int64_t>(g.dilation_w) * C;
    const float* r0 = rc.rows[0] + c;
    const float* r1 = rc.rows[1] + c;
    const float* r2 = rc.rows[2] + c;
    for (int32_t ox = rc.ox_lo; ox < rc.ox_hi; ++ox) {
      const int64_t off =
          static_cast<int64_t>(ox * g.stride_w - g.pad_left) * C;
      // Three independent chains (one per filter row) hide FMA latency.
      float32x4_t acc0 = vfmaq_f32(bias, vld1q_f32(r0 + off), w[0]);
      float32x4_t acc1 = vmulq_f32(vld1q_f32(r1 + off), w[3]);
      float32x4_t acc2 = vmulq_f32(vld1q_f32(r2 + off), w[6]);
      acc0 = vfmaq_f32(acc0, vld1q_f32(r0 + off + step), w[1]);
      acc1 = vfmaq_f32(acc1, vld1q_f32(r1 + off + step), w[4]);
      acc2 = vfmaq_f32(acc2, vld1q_f32(r2 + off + step), w[7]);
      acc0 = vfmaq_f32(acc0, vld1q_f32(r0 + off + 2 * step), w[2]);
      acc1 = vfmaq_f32(acc1, vld1q_f32(r1 + off + 2 * step), w[5]);
      acc2 = vfmaq_f32(acc2, vld1q_f32(r2 + off + 2 * step), w[8]);
      const float32x4_t acc = vaddq_f32(vaddq_f32(acc0, acc1), acc2);
      vst1q_f32(rc.out_row + ox * C + c, vminq_f32(vmaxq_f32(acc, lo), hi));
    }
  } else {
    for (int32_t ox = rc.ox_lo; ox < rc.ox_hi; ++ox)
      EdgePixel(rc, c, ox, bias, lo, hi);
  }
  for (int32_t ox = std::max(rc.ox_hi, rc.ox_lo); ox < g.out_w; ++ox)
    EdgePixel(rc, c, ox, bias, lo, hi);
}

// One channel, all output columns (only for channel counts below 4).
void ScalarChannel(const RowContext& rc, int32_t c) {
  const x86::DwConvF32Args& g = *rc.g;
  const int64_t C = g.channels;
  for (int32_t ox = 0; ox < g.out_w; ++ox) {
    const int32_t ix0 = ox * g.stride_w - g.pad_left;
    float acc = g.bias[c];
    for (int32_t ky = 0; ky < g.filter_h; ++ky) {
      for (int32_t kx = 0; kx < g.filter_w; ++kx) {
        const int32_t ix = ix0 + kx * g.dilation_w;
        if (ix < 0 || ix >= g.in_w) continue;
        acc += rc.rows[ky][ix * C + c] *
               g.filter[static_cast<int64_t>(ky * g.filter_w + kx) * C + c];
      }
    }
    rc.out_row[ox * C + c] = std::min(std::max(acc, g.lo), g.hi);
  }
}

}  // namespace

void DwConvF32Neon(const x86::DwConvF32Args& g, int64_t row_begin,
                   int64_t row_end) {
  const int32_t C = g.channels;
  const float32x4_t lo = vdupq_n_f32(g.lo);
  const float32x4_t hi = vdupq_n_f32(g.hi);
  RowContext rc;
  rc.g = &g;
  // Output columns whose taps all fall inside the input (the same for
  // every row).
  rc.ox_lo = 0;
  while (rc.ox_lo < g.out_w && rc.ox_lo * g.stride_w - g.pad_left < 0)
    ++rc.ox_lo;
  rc.ox_hi = g.out_w;
  while (rc.ox_hi > rc.ox_lo && (rc.ox_hi - 1) * g.stride_w - g.pad_left +
                                        (g.filter_w - 1) * g.dilation_w >=
                                    g.in_w)
    --rc.ox_hi;
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int32_t b = static_cast<int32_t>(row / g.out_h);
    const int32_t oy = static_cast<int32_t>(row % g.out_h);
    const float* in_b = g.input + static_cast<int64_t>(b) * g.in_h * g.in_w * C;
    for (int32_t ky = 0; ky < g.filter_h; ++ky) {
      const int32_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
      rc.rows[ky] = (iy >= 0 && iy < g.in_h)
                        ? in_b + static_cast<int64_t>(iy) * g.in_w * C
                        : g.zero_row;
    }
    rc.out_row = g.output + row * g.out_w * C;
    if (C < 4) {
      for (int32_t c = 0; c < C; ++c) ScalarChannel(rc, c);
      continue;
    }
    for (int32_t c = 0; c < C; c += 4)
      ChannelBlock(rc, std::min(c, C - 4), lo, hi);
  }
}

}  // namespace ember::arm
#endif  // __aarch64__
