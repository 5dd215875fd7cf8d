// int8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED for cores with the
// Arm DSP extension (Cortex-M4/M7/M33), bit-exact with kernels/ref: only
// the int32 accumulation differs (two 16x16 multiply-accumulates per
// SMLAD, one per SMLABB/SMLATT), then the reference requantization runs
// unchanged. The input and filter offsets (-zero_point) are folded into
// the sign-extended 16-bit lanes (SXTAB16): an int8 value plus an offset in
// [-32640, 32640] still fits an int16 lane, and int32 sums wrap the same
// in any order, so the accumulator has the reference's bits. Offsets
// outside that range (never produced by a converter) return false and the
// caller runs the reference kernel; so do grouped convolutions and
// depthwise multipliers other than 1 or a multiple of 4.
//
// Only compiled where dsp_intrinsics.h has the instructions (or emulates
// them, in host tests).
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/ref/conv.h"
#include "kernels/ref/depthwise_conv.h"
#include "kernels/ref/fully_connected.h"
#include "micro/dsp_intrinsics.h"

#if EMBER_MICRO_HAS_DSP
namespace ember::micro::dsp {

// Offsets an int16 lane can hold next to any int8 value.
inline bool FoldableOffset(int32_t offset) {
  return offset >= -32640 && offset <= 32640;
}

// The offset in both 16-bit lanes.
inline uint32_t Lanes(int32_t offset) {
  return (static_cast<uint32_t>(offset) & 0xFFFFu) * 0x10001u;
}

// Four int8 lanes from any address (an unaligned LDR on Cortex-M4+).
inline uint32_t Load4(const int8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// acc + (a + a_offset) * (b + b_offset), wrapping as int32 does.
inline int32_t MacScalar(int32_t acc, int8_t a, int32_t a_offset, int8_t b,
                         int32_t b_offset) {
  const int32_t p = (static_cast<int32_t>(a) + a_offset) *
                    (static_cast<int32_t>(b) + b_offset);
  return static_cast<int32_t>(static_cast<uint32_t>(acc) +
                              static_cast<uint32_t>(p));
}

inline int32_t AddWrap(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) +
                              static_cast<uint32_t>(b));
}

// Offsets of one kernel call: lanes for SXTAB16, scalars for the tails.
struct Offsets {
  int32_t x, w;
  uint32_t x_lanes, w_lanes;
};

inline Offsets MakeOffsets(int32_t x_offset, int32_t w_offset) {
  return {x_offset, w_offset, Lanes(x_offset), Lanes(w_offset)};
}

// *acc0 += dot(x, w0), *acc1 += dot(x, w1) over n int8 values with the
// offsets: the input's lanes are extended once for both filters.
inline void DotPair(const int8_t* x, const int8_t* w0, const int8_t* w1,
                    int32_t n, const Offsets& o, int32_t* acc0, int32_t* acc1) {
  int32_t a0 = *acc0, a1 = *acc1;
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t xv = Load4(x + i);
    const uint32_t x02 = Sxtab16(o.x_lanes, xv);
    const uint32_t x13 = Sxtab16Ror8(o.x_lanes, xv);
    const uint32_t wv0 = Load4(w0 + i);
    a0 = Smlad(x02, Sxtab16(o.w_lanes, wv0), a0);
    a0 = Smlad(x13, Sxtab16Ror8(o.w_lanes, wv0), a0);
    const uint32_t wv1 = Load4(w1 + i);
    a1 = Smlad(x02, Sxtab16(o.w_lanes, wv1), a1);
    a1 = Smlad(x13, Sxtab16Ror8(o.w_lanes, wv1), a1);
  }
  for (; i < n; ++i) {
    a0 = MacScalar(a0, x[i], o.x, w0[i], o.w);
    a1 = MacScalar(a1, x[i], o.x, w1[i], o.w);
  }
  *acc0 = a0;
  *acc1 = a1;
}

// *acc += dot(x, w) over n values.
inline void Dot(const int8_t* x, const int8_t* w, int32_t n, const Offsets& o,
                int32_t* acc) {
  int32_t a = *acc;
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t xv = Load4(x + i);
    const uint32_t wv = Load4(w + i);
    a = Smlad(Sxtab16(o.x_lanes, xv), Sxtab16(o.w_lanes, wv), a);
    a = Smlad(Sxtab16Ror8(o.x_lanes, xv), Sxtab16Ror8(o.w_lanes, wv), a);
  }
  for (; i < n; ++i) a = MacScalar(a, x[i], o.x, w[i], o.w);
  *acc = a;
}

// Two input vectors against two filters (four dot products of n values):
// every loaded word is extended once and used twice. acc = {x0.w0, x0.w1,
// x1.w0, x1.w1}, added to.
inline void DotQuad(const int8_t* x0, const int8_t* x1, const int8_t* w0,
                    const int8_t* w1, int32_t n, const Offsets& o,
                    int32_t* acc) {
  int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t xv0 = Load4(x0 + i);
    const uint32_t xv1 = Load4(x1 + i);
    const uint32_t wv0 = Load4(w0 + i);
    const uint32_t wv1 = Load4(w1 + i);
    uint32_t xa = Sxtab16(o.x_lanes, xv0);
    uint32_t xb = Sxtab16(o.x_lanes, xv1);
    uint32_t wa = Sxtab16(o.w_lanes, wv0);
    uint32_t wb = Sxtab16(o.w_lanes, wv1);
    a00 = Smlad(xa, wa, a00);
    a01 = Smlad(xa, wb, a01);
    a10 = Smlad(xb, wa, a10);
    a11 = Smlad(xb, wb, a11);
    xa = Sxtab16Ror8(o.x_lanes, xv0);
    xb = Sxtab16Ror8(o.x_lanes, xv1);
    wa = Sxtab16Ror8(o.w_lanes, wv0);
    wb = Sxtab16Ror8(o.w_lanes, wv1);
    a00 = Smlad(xa, wa, a00);
    a01 = Smlad(xa, wb, a01);
    a10 = Smlad(xb, wa, a10);
    a11 = Smlad(xb, wb, a11);
  }
  for (; i < n; ++i) {
    a00 = MacScalar(a00, x0[i], o.x, w0[i], o.w);
    a01 = MacScalar(a01, x0[i], o.x, w1[i], o.w);
    a10 = MacScalar(a10, x1[i], o.x, w0[i], o.w);
    a11 = MacScalar(a11, x1[i], o.x, w1[i], o.w);
  }
  acc[0] = a00;
  acc[1] = a01;
  acc[2] = a10;
  acc[3] = a11;
}

// The reference's output stage: bias, then Requantize.
inline int8_t Emit(int32_t acc, const int32_t* bias, int32_t channel,
                   const ref::QuantizedOutput& q, ref::Rounding rounding) {
  if (bias) acc = AddWrap(acc, bias[channel]);
  return static_cast<int8_t>(ref::Requantize(acc, q.multiplier[channel],
                                             q.shift[channel], q.output_offset,
                                             q.act_lo, q.act_hi, rounding));
}

// Filter taps [*begin, *end) whose input row/column i0 + k * dilation
// lies inside [0, size).
inline void TapRange(int32_t i0, int32_t dilation, int32_t taps, int32_t size,
                     int32_t* begin, int32_t* end) {
  int32_t b = 0;
  while (b < taps && i0 + b * dilation < 0) ++b;
  int32_t e = taps;
  while (e > b && i0 + (e - 1) * dilation >= size) --e;
  *begin = b;
  *end = e;
}

// A 1x1 convolution without padding (pointwise): a matrix product of the
// output pixels' input vectors with the filters, two pixels by two output
// channels at a time.
inline void Conv1x1S8(const ref::ConvShape& s, const int8_t* input,
                      const int8_t* filter, const Offsets& o,
                      const int32_t* bias, const ref::QuantizedOutput& q,
                      int8_t* output) {
  const ref::Rounding rounding = ref::Rounding::kDouble;
  const int32_t in_c = s.in_c, out_c = s.out_c;
  const int32_t pixels = s.batches * s.out_h * s.out_w;
  // Input vector of output pixel p (any stride).
  auto pixel_in = [&](int32_t p) {
    const int32_t ox = p % s.out_w, rest = p / s.out_w;
    const int32_t oy = rest % s.out_h, b = rest / s.out_h;
    return input +
           ((static_cast<size_t>(b) * s.in_h + oy * s.stride_h) * s.in_w +
            ox * s.stride_w) *
               in_c;
  };
  int32_t p = 0;
  for (; p + 2 <= pixels; p += 2) {
    const int8_t* x0 = pixel_in(p);
    const int8_t* x1 = pixel_in(p + 1);
    int8_t* out0 = output + static_cast<size_t>(p) * out_c;
    int8_t* out1 = out0 + out_c;
    const int8_t* w = filter;
    int32_t oc = 0;
    for (; oc + 2 <= out_c; oc += 2, w += 2 * in_c) {
      int32_t acc[4] = {0, 0, 0, 0};
      DotQuad(x0, x1, w, w + in_c, in_c, o, acc);
      out0[oc] = Emit(acc[0], bias, oc, q, rounding);
      out0[oc + 1] = Emit(acc[1], bias, oc + 1, q, rounding);
      out1[oc] = Emit(acc[2], bias, oc, q, rounding);
      out1[oc + 1] = Emit(acc[3], bias, oc + 1, q, rounding);
    }
    if (oc < out_c) {
      int32_t acc0 = 0, acc1 = 0;
      DotPair(w, x0, x1, in_c, Offsets{o.w, o.x, o.w_lanes, o.x_lanes}, &acc0,
              &acc1);
      out0[oc] = Emit(acc0, bias, oc, q, rounding);
      out1[oc] = Emit(acc1, bias, oc, q, rounding);
    }
  }
  if (p < pixels) {
    const int8_t* x = pixel_in(p);
    int8_t* out = output + static_cast<size_t>(p) * out_c;
    int32_t oc = 0;
    for (; oc + 2 <= out_c; oc += 2) {
      const int8_t* w = filter + static_cast<size_t>(oc) * in_c;
      int32_t acc0 = 0, acc1 = 0;
      DotPair(x, w, w + in_c, in_c, o, &acc0, &acc1);
      out[oc] = Emit(acc0, bias, oc, q, rounding);
      out[oc + 1] = Emit(acc1, bias, oc + 1, q, rounding);
    }
    if (oc < out_c) {
      int32_t acc = 0;
      Dot(x, filter + static_cast<size_t>(oc) * in_c, in_c, o, &acc);
      out[oc] = Emit(acc, bias, oc, q, rounding);
    }
  }
}

// CONV_2D (not grouped), NHWC input, OHWI filter. ref::ConvQuantized's
// bits (it always rounds twice).
inline bool ConvS8(const ref::ConvShape& s, const int8_t* input,
                   int32_t input_offset, const int8_t* filter,
                   int32_t filter_offset, const int32_t* bias,
                   const ref::QuantizedOutput& q, int8_t* output) {
  if (s.filter_in_c != s.in_c || !FoldableOffset(input_offset) ||
      !FoldableOffset(filter_offset)) {
    return false;
  }
  const Offsets o = MakeOffsets(input_offset, filter_offset);
  if (s.filter_h == 1 && s.filter_w == 1 && s.pad_top == 0 && s.pad_left == 0 &&
      s.out_h > 0 && s.out_w > 0 && (s.out_h - 1) * s.stride_h < s.in_h &&
      (s.out_w - 1) * s.stride_w < s.in_w) {
    Conv1x1S8(s, input, filter, o, bias, q, output);
    return true;
  }
  const ref::Rounding rounding = ref::Rounding::kDouble;
  const int32_t in_c = s.in_c;
  const size_t filter_stride =
      static_cast<size_t>(s.filter_h) * s.filter_w * in_c;
  int8_t* out = output;
  for (int32_t b = 0; b < s.batches; ++b) {
    const int8_t* in_b =
        input + static_cast<size_t>(b) * s.in_h * s.in_w * in_c;
    for (int32_t oy = 0; oy < s.out_h; ++oy) {
      const int32_t iy0 = oy * s.stride_h - s.pad_top;
      int32_t ky0, ky1;
      TapRange(iy0, s.dilation_h, s.filter_h, s.in_h, &ky0, &ky1);
      for (int32_t ox = 0; ox < s.out_w; ++ox, out += s.out_c) {
        const int32_t ix0 = ox * s.stride_w - s.pad_left;
        int32_t kx0, kx1;
        TapRange(ix0, s.dilation_w, s.filter_w, s.in_w, &kx0, &kx1);
        int32_t oc = 0;
        for (; oc + 2 <= s.out_c; oc += 2) {
          int32_t acc0 = 0, acc1 = 0;
          const int8_t* f0 = filter + static_cast<size_t>(oc) * filter_stride;
          for (int32_t ky = ky0; ky < ky1; ++ky) {
            const int32_t iy = iy0 + ky * s.dilation_h;
            for (int32_t kx = kx0; kx < kx1; ++kx) {
              const int32_t ix = ix0 + kx * s.dilation_w;
              const int8_t* x =
                  in_b + (static_cast<size_t>(iy) * s.in_w + ix) * in_c;
              const int8_t* w =
                  f0 + (static_cast<size_t>(ky) * s.filter_w + kx) * in_c;
              DotPair(x, w, w + filter_stride, in_c, o, &acc0, &acc1);
            }
          }
          out[oc] = Emit(acc0, bias, oc, q, rounding);
          out[oc + 1] = Emit(acc1, bias, oc + 1, q, rounding);
        }
        if (oc < s.out_c) {
          int32_t acc = 0;
          const int8_t* f0 = filter + static_cast<size_t>(oc) * filter_stride;
          for (int32_t ky = ky0; ky < ky1; ++ky) {
            const int32_t iy = iy0 + ky * s.dilation_h;
            for (int32_t kx = kx0; kx < kx1; ++kx) {
              const int32_t ix = ix0 + kx * s.dilation_w;
              Dot(in_b + (static_cast<size_t>(iy) * s.in_w + ix) * in_c,
                  f0 + (static_cast<size_t>(ky) * s.filter_w + kx) * in_c, in_c,
                  o, &acc);
            }
          }
          out[oc] = Emit(acc, bias, oc, q, rounding);
        }
      }
    }
  }
  return true;
}

// Four depthwise accumulators, channels c..c+3, from one tap: x02/x13 hold
// the (offset) inputs of channels (c, c+2) and (c+1, c+3), w the four
// filter values.
inline void Mac4(uint32_t x02, uint32_t x13, uint32_t w, const Offsets& o,
                 int32_t* acc) {
  const uint32_t w02 = Sxtab16(o.w_lanes, w);
  const uint32_t w13 = Sxtab16Ror8(o.w_lanes, w);
  acc[0] = Smlabb(x02, w02, acc[0]);
  acc[2] = Smlatt(x02, w02, acc[2]);
  acc[1] = Smlabb(x13, w13, acc[1]);
  acc[3] = Smlatt(x13, w13, acc[3]);
}

// DEPTHWISE_CONV_2D, filter [1, KH, KW, in_c * multiplier], for a
// multiplier of 1 (four channels per step) or a multiple of 4 (four
// outputs of one input channel per step); ref::DepthwiseConvQuantized's
// bits.
inline bool DepthwiseS8(const ref::DepthwiseShape& s, const int8_t* input,
                        int32_t input_offset, const int8_t* filter,
                        int32_t filter_offset, const int32_t* bias,
                        const ref::QuantizedOutput& q, int8_t* output) {
  const int32_t mult = s.depth_multiplier;
  if ((mult != 1 && mult % 4 != 0) || !FoldableOffset(input_offset) ||
      !FoldableOffset(filter_offset)) {
    return false;
  }
  const Offsets o = MakeOffsets(input_offset, filter_offset);
  const ref::Rounding rounding = ref::Rounding::kDouble;
  const int32_t in_c = s.in_c;
  const int32_t out_c = in_c * mult;
  int8_t* out = output;
  for (int32_t b = 0; b < s.batches; ++b) {
    const int8_t* in_b =
        input + static_cast<size_t>(b) * s.in_h * s.in_w * in_c;
    for (int32_t oy = 0; oy < s.out_h; ++oy) {
      const int32_t iy0 = oy * s.stride_h - s.pad_top;
      int32_t ky0, ky1;
      TapRange(iy0, s.dilation_h, s.filter_h, s.in_h, &ky0, &ky1);
      for (int32_t ox = 0; ox < s.out_w; ++ox, out += out_c) {
        const int32_t ix0 = ox * s.stride_w - s.pad_left;
        int32_t kx0, kx1;
        TapRange(ix0, s.dilation_w, s.filter_w, s.in_w, &kx0, &kx1);
        // First valid tap; steps between taps of a row and between rows.
        const int8_t* in_tap0 =
            in_b + (static_cast<size_t>(iy0 + ky0 * s.dilation_h) * s.in_w +
                    (ix0 + kx0 * s.dilation_w)) *
                       in_c;
        const int8_t* f_tap0 =
            filter + (static_cast<size_t>(ky0) * s.filter_w + kx0) * out_c;
        const size_t in_step = static_cast<size_t>(s.dilation_w) * in_c;
        const size_t in_row = static_cast<size_t>(s.dilation_h) * s.in_w * in_c;
        const size_t f_row = static_cast<size_t>(s.filter_w) * out_c;
        const int32_t rows = ky1 - ky0, cols = kx1 - kx0;
        if (mult == 1) {
          int32_t c = 0;
          for (; c + 4 <= in_c; c += 4) {
            int32_t acc[4] = {0, 0, 0, 0};
            const int8_t* in_r = in_tap0 + c;
            const int8_t* f_r = f_tap0 + c;
            for (int32_t ky = 0; ky < rows;
                 ++ky, in_r += in_row, f_r += f_row) {
              const int8_t* xp = in_r;
              const int8_t* fp = f_r;
              for (int32_t kx = 0; kx < cols;
                   ++kx, xp += in_step, fp += out_c) {
                const uint32_t xv = Load4(xp);
                Mac4(Sxtab16(o.x_lanes, xv), Sxtab16Ror8(o.x_lanes, xv),
                     Load4(fp), o, acc);
              }
            }
            for (int32_t k = 0; k < 4; ++k)
              out[c + k] = Emit(acc[k], bias, c + k, q, rounding);
          }
          for (; c < in_c; ++c) {
            int32_t acc = 0;
            const int8_t* in_r = in_tap0 + c;
            const int8_t* f_r = f_tap0 + c;
            for (int32_t ky = 0; ky < rows; ++ky, in_r += in_row, f_r += f_row)
              for (int32_t kx = 0; kx < cols; ++kx)
                acc = MacScalar(acc, in_r[kx * in_step], o.x,
                                f_r[static_cast<size_t>(kx) * out_c], o.w);
            out[c] = Emit(acc, bias, c, q, rounding);
          }
          continue;
        }
        for (int32_t ic = 0; ic < in_c; ++ic) {
          for (int32_t m = 0; m < mult; m += 4) {
            const int32_t oc = ic * mult + m;
            int32_t acc[4] = {0, 0, 0, 0};
            const int8_t* in_r = in_tap0 + ic;
            const int8_t* f_r = f_tap0 + oc;
            for (int32_t ky = 0; ky < rows;
                 ++ky, in_r += in_row, f_r += f_row) {
              const int8_t* xp = in_r;
              const int8_t* fp = f_r;
              for (int32_t kx = 0; kx < cols;
                   ++kx, xp += in_step, fp += out_c) {
                // The same input in both lanes.
                const uint32_t x2 = Lanes(static_cast<int32_t>(*xp) + o.x);
                Mac4(x2, x2, Load4(fp), o, acc);
              }
            }
            for (int32_t k = 0; k < 4; ++k)
              out[oc + k] = Emit(acc[k], bias, oc + k, q, rounding);
          }
        }
      }
    }
  }
  return true;
}

// FULLY_CONNECTED, weights [units, depth]; ref::FullyConnectedQuantized's
// bits (rounding as q.rounding says).
inline bool FullyConnectedS8(const ref::FullyConnectedShape& s,
                             const int8_t* input, int32_t input_offset,
                             const int8_t* weights, int32_t weights_offset,
                             const int32_t* bias, const ref::QuantizedOutput& q,
                             int8_t* output) {
  if (!FoldableOffset(input_offset) || !FoldableOffset(weights_offset)) {
    return false;
  }
  const Offsets o = MakeOffsets(input_offset, weights_offset);
  const size_t depth = static_cast<size_t>(s.depth);
  for (int32_t b = 0; b < s.batches; ++b) {
    const int8_t* x = input + b * depth;
    int8_t* out = output + static_cast<size_t>(b) * s.units;
    int32_t u = 0;
    for (; u + 2 <= s.units; u += 2) {
      const int8_t* w = weights + u * depth;
      int32_t acc0 = 0, acc1 = 0;
      DotPair(x, w, w + depth, s.depth, o, &acc0, &acc1);
      out[u] = Emit(acc0, bias, u, q, q.rounding);
      out[u + 1] = Emit(acc1, bias, u + 1, q, q.rounding);
    }
    if (u < s.units) {
      int32_t acc = 0;
      Dot(x, weights + u * depth, s.depth, o, &acc);
      out[u] = Emit(acc, bias, u, q, q.rounding);
    }
  }
  return true;
}

}  // namespace ember::micro::dsp
#endif  // EMBER_MICRO_HAS_DSP
