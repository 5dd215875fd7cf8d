// int8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED with Helium (MVE,
// Cortex-M55), bit-exact with kernels/ref. The dot products run 16 lanes
// per VMLADAVA on the raw int8 values; the offsets (-zero_point) are added
// afterwards from the sums of the operands, exact in wrapping int32:
//   sum (x + xo)(w + wo) = sum xw + xo sum w + wo sum x + n xo wo.
// Tails are predicated loads (lanes past the end read as 0 and are not
// touched). Depthwise multiplies four channels per VMUL in int32 lanes.
// The requantization is the reference's. Declines (returns false) the
// same cases as dsp_kernels.h: grouped convolutions and depthwise
// multipliers other than 1 or a multiple of 4.
#pragma once

#include <cstdint>

#include "kernels/ref/conv.h"
#include "kernels/ref/depthwise_conv.h"
#include "kernels/ref/fully_connected.h"
#include "micro/mve_intrinsics.h"

#if EMBER_MICRO_HAS_MVE
namespace ember::micro::mve {

inline int32_t Wrap(uint32_t v) { return static_cast<int32_t>(v); }

// Sums of one dot product over raw int8 values.
struct DotSums {
  int32_t xw = 0, x = 0, w = 0, n = 0;
};

// sum (x + xo)(w + wo) from the sums.
inline int32_t Finish(const DotSums& s, int32_t xo, int32_t wo) {
  const uint32_t uxo = static_cast<uint32_t>(xo);
  const uint32_t uwo = static_cast<uint32_t>(wo);
  return Wrap(static_cast<uint32_t>(s.xw) + uxo * static_cast<uint32_t>(s.w) +
              uwo * static_cast<uint32_t>(s.x) +
              static_cast<uint32_t>(s.n) * uxo * uwo);
}

// Adds dot(x, w0) and dot(x, w1) over n values to a and b.
inline void DotPair(const int8_t* x, const int8_t* w0, const int8_t* w1,
                    int32_t n, DotSums* a, DotSums* b) {
  int32_t xw0 = a->xw, xw1 = b->xw, sw0 = a->w, sw1 = b->w, sx = 0;
  for (int32_t i = 0; i < n; i += 16) {
    const S8x16 xv = LoadS8x16(x + i, n - i);
    const S8x16 wv0 = LoadS8x16(w0 + i, n - i);
    const S8x16 wv1 = LoadS8x16(w1 + i, n - i);
    xw0 = DotAcc(xw0, xv, wv0);
    xw1 = DotAcc(xw1, xv, wv1);
    sx = SumAcc(sx, xv);
    sw0 = SumAcc(sw0, wv0);
    sw1 = SumAcc(sw1, wv1);
  }
  a->xw = xw0;
  b->xw = xw1;
  a->w = sw0;
  b->w = sw1;
  a->x = Wrap(static_cast<uint32_t>(a->x) + static_cast<uint32_t>(sx));
  b->x = Wrap(static_cast<uint32_t>(b->x) + static_cast<uint32_t>(sx));
  a->n += n;
  b->n += n;
}

// Four dot products: {x0.w0, x0.w1, x1.w0, x1.w1}, each from fresh sums.
inline void DotQuad(const int8_t* x0, const int8_t* x1, const int8_t* w0,
                    const int8_t* w1, int32_t n, DotSums* s) {
  int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0;
  int32_t sx0 = 0, sx1 = 0, sw0 = 0, sw1 = 0;
  for (int32_t i = 0; i < n; i += 16) {
    const S8x16 xv0 = LoadS8x16(x0 + i, n - i);
    const S8x16 xv1 = LoadS8x16(x1 + i, n - i);
    const S8x16 wv0 = LoadS8x16(w0 + i, n - i);
    const S8x16 wv1 = LoadS8x16(w1 + i, n - i);
    a00 = DotAcc(a00, xv0, wv0);
    a01 = DotAcc(a01, xv0, wv1);
    a10 = DotAcc(a10, xv1, wv0);
    a11 = DotAcc(a11, xv1, wv1);
    sx0 = SumAcc(sx0, xv0);
    sx1 = SumAcc(sx1, xv1);
    sw0 = SumAcc(sw0, wv0);
    sw1 = SumAcc(sw1, wv1);
  }
  s[0] = {a00, sx0, sw0, n};
  s[1] = {a01, sx0, sw1, n};
  s[2] = {a10, sx1, sw0, n};
  s[3] = {a11, sx1, sw1, n};
}

inline int8_t Emit(int32_t acc, const int32_t* bias, int32_t channel,
                   const ref::QuantizedOutput& q, ref::Rounding rounding) {
  if (bias) {
    acc =
        Wrap(static_cast<uint32_t>(acc) + static_cast<uint32_t>(bias[channel]));
  }
  return static_cast<int8_t>(ref::Requantize(acc, q.multiplier[channel],
                                             q.shift[channel], q.output_offset,
                                             q.act_lo, q.act_hi, rounding));
}

inline void TapRange(int32_t i0, int32_t dilation, int32_t taps, int32_t size,
                     int32_t* begin, int32_t* end) {
  int32_t b = 0;
  while (b < taps && i0 + b * dilation < 0) ++b;
  int32_t e = taps;
  while (e > b && i0 + (e - 1) * dilation >= size) --e;
  *begin = b;
  *end = e;
}

// CONV_2D (not grouped): ref::ConvQuantized's bits.
inline bool ConvS8(const ref::ConvShape& s, const int8_t* input,
                   int32_t input_offset, const int8_t* filter,
                   int32_t filter_offset, const int32_t* bias,
                   const ref::QuantizedOutput& q, int8_t* output) {
  if (s.filter_in_c != s.in_c) return false;
  const ref::Rounding rounding = ref::Rounding::kDouble;
  const int32_t in_c = s.in_c, out_c = s.out_c;
  const int32_t xo = input_offset, wo = filter_offset;
  const size_t filter_stride =
      static_cast<size_t>(s.filter_h) * s.filter_w * in_c;
  const bool pointwise =
      s.filter_h == 1 && s.filter_w == 1 && s.pad_top == 0 && s.pad_left == 0;
  int8_t* out = output;
  for (int32_t b = 0; b < s.batches; ++b) {
    const int8_t* in_b =
        input + static_cast<size_t>(b) * s.in_h * s.in_w * in_c;
    for (int32_t oy = 0; oy < s.out_h; ++oy) {
      const int32_t iy0 = oy * s.stride_h - s.pad_top;
      int32_t ky0, ky1;
      TapRange(iy0, s.dilation_h, s.filter_h, s.in_h, &ky0, &ky1);
      int32_t ox = 0;
      // Pointwise: two pixels of the row by two output channels.
      if (pointwise && ky0 < ky1) {
        for (; ox + 2 <= s.out_w && (ox + 1) * s.stride_w < s.in_w;
             ox += 2, out += 2 * out_c) {
          const int8_t* x0 =
              in_b +
              (static_cast<size_t>(iy0) * s.in_w + ox * s.stride_w) * in_c;
          const int8_t* x1 = x0 + static_cast<size_t>(s.stride_w) * in_c;
          int32_t oc = 0;
          for (; oc + 2 <= out_c; oc += 2) {
            const int8_t* w = filter + static_cast<size_t>(oc) * in_c;
            DotSums d[4];
            DotQuad(x0, x1, w, w + in_c, in_c, d);
            out[oc] = Emit(Finish(d[0], xo, wo), bias, oc, q, rounding);
            out[oc + 1] = Emit(Finish(d[1], xo, wo), bias, oc + 1, q, rounding);
            out[out_c + oc] = Emit(Finish(d[2], xo, wo), bias, oc, q, rounding);
            out[out_c + oc + 1] =
                Emit(Finish(d[3], xo, wo), bias, oc + 1, q, rounding);
          }
          if (oc < out_c) {
            const int8_t* w = filter + static_cast<size_t>(oc) * in_c;
            DotSums a, c;
            DotPair(w, x0, x1, in_c, &a, &c);  // roles swapped: w is shared
            out[oc] = Emit(Finish(a, wo, xo), bias, oc, q, rounding);
            out[out_c + oc] = Emit(Finish(c, wo, xo), bias, oc, q, rounding);
          }
        }
      }
      for (; ox < s.out_w; ++ox, out += out_c) {
        const int32_t ix0 = ox * s.stride_w - s.pad_left;
        int32_t kx0, kx1;
        TapRange(ix0, s.dilation_w, s.filter_w, s.in_w, &kx0, &kx1);
        for (int32_t oc = 0; oc < out_c; oc += 2) {
          // An odd last channel pairs with itself.
          const int32_t oc1 = oc + 1 < out_c ? oc + 1 : oc;
          const int8_t* f0 = filter + static_cast<size_t>(oc) * filter_stride;
          const int8_t* f1 = filter + static_cast<size_t>(oc1) * filter_stride;
          DotSums a, c;
          for (int32_t ky = ky0; ky < ky1; ++ky) {
            const int32_t iy = iy0 + ky * s.dilation_h;
            for (int32_t kx = kx0; kx < kx1; ++kx) {
              const int32_t ix = ix0 + kx * s.dilation_w;
              const size_t tap =
                  (static_cast<size_t>(ky) * s.filter_w + kx) * in_c;
              DotPair(in_b + (static_cast<size_t>(iy) * s.in_w + ix) * in_c,
                      f0 + tap, f1 + tap, in_c, &a, &c);
            }
          }
          out[oc] = Emit(Finish(a, xo, wo), bias, oc, q, rounding);
          if (oc1 != oc)
            out[oc1] = Emit(Finish(c, xo, wo), bias, oc1, q, rounding);
        }
      }
    }
  }
  return true;
}

// DEPTHWISE_CONV_2D, multiplier 1 or a multiple of 4:
// ref::DepthwiseConvQuantized's bits.
inline bool DepthwiseS8(const ref::DepthwiseShape& s, const int8_t* input,
                        int32_t input_offset, const int8_t* filter,
                        int32_t filter_offset, const int32_t* bias,
                        const ref::QuantizedOutput& q, int8_t* output) {
  const int32_t mult = s.depth_multiplier;
  if (mult != 1 && mult % 4 != 0) return false;
  const ref::Rounding rounding = ref::Rounding::kDouble;
  const int32_t in_c = s.in_c, out_c = in_c * mult;
  const int32_t xo = input_offset, wo = filter_offset;
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
        // Four output channels oc.. (fewer at the end): input channel
        // ic.. (multiplier 1) or ic alone, broadcast (multiple of 4).
        for (int32_t oc = 0; oc < out_c; oc += 4) {
          const int32_t lanes = out_c - oc < 4 ? out_c - oc : 4;
          const int32_t ic = oc / mult;
          S32x4 acc = Dup32(0);
          const int8_t* in_r = in_tap0 + ic;
          const int8_t* f_r = f_tap0 + oc;
          for (int32_t ky = 0; ky < rows; ++ky, in_r += in_row, f_r += f_row) {
            const int8_t* xp = in_r;
            const int8_t* fp = f_r;
            for (int32_t kx = 0; kx < cols; ++kx, xp += in_step, fp += out_c) {
              const S32x4 x = mult == 1 ? AddN32(LoadS8x4(xp, lanes), xo)
                                        : Dup32(static_cast<int32_t>(*xp) + xo);
              acc = Add32(acc, Mul32(x, AddN32(LoadS8x4(fp, lanes), wo)));
            }
          }
          int32_t v[4];
          Store32(v, acc);
          for (int32_t k = 0; k < lanes; ++k)
            out[oc + k] = Emit(v[k], bias, oc + k, q, rounding);
        }
      }
    }
  }
  return true;
}

// FULLY_CONNECTED: ref::FullyConnectedQuantized's bits (q.rounding).
inline bool FullyConnectedS8(const ref::FullyConnectedShape& s,
                             const int8_t* input, int32_t input_offset,
                             const int8_t* weights, int32_t weights_offset,
                             const int32_t* bias, const ref::QuantizedOutput& q,
                             int8_t* output) {
  const size_t depth = static_cast<size_t>(s.depth);
  for (int32_t b = 0; b < s.batches; ++b) {
    const int8_t* x = input + b * depth;
    int8_t* out = output + static_cast<size_t>(b) * s.units;
    for (int32_t u = 0; u < s.units; u += 2) {
      const int32_t u1 = u + 1 < s.units ? u + 1 : u;
      DotSums a, c;
      DotPair(x, weights + u * depth, weights + u1 * depth, s.depth, &a, &c);
      out[u] =
          Emit(Finish(a, input_offset, weights_offset), bias, u, q, q.rounding);
      if (u1 != u) {
        out[u1] = Emit(Finish(c, input_offset, weights_offset), bias, u1, q,
                       q.rounding);
      }
    }
  }
  return true;
}

}  // namespace ember::micro::mve
#endif  // EMBER_MICRO_HAS_MVE
