// Reference transposed convolution (TRANSPOSE_CONV and MediaPipe's
// Convolution2DTransposeBias): every input pixel scatters
// input[b, iy, ix, ic] * filter[oc, ky, kx, ic] into
// output[b, iy * stride_h - pad_top + ky, ix * stride_w - pad_left + kx, oc]
// (taps falling outside the output are dropped); bias is added at the end.
// Filter layout is [out_c, KH, KW, in_c].
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/ref/conv.h"

namespace ember::ref {

struct TransposeConvShape {
  int32_t batches = 0;
  int32_t in_h = 0, in_w = 0, in_c = 0;
  int32_t filter_h = 0, filter_w = 0;
  int32_t out_h = 0, out_w = 0, out_c = 0;
  int32_t stride_h = 1, stride_w = 1;
  int32_t pad_top = 0, pad_left = 0;
};

// Scatters into `acc` (out elements, zeroed here) the products
// (filter + filter_offset) * (input + input_offset).
template <typename AccT, typename InT, typename FilterT>
void TransposeConvScatter(const TransposeConvShape& s, const InT* input,
                          AccT input_offset, const FilterT* filter,
                          AccT filter_offset, AccT* acc) {
  const int64_t out_count =
      static_cast<int64_t>(s.batches) * s.out_h * s.out_w * s.out_c;
  std::fill(acc, acc + out_count, AccT(0));
  for (int32_t b = 0; b < s.batches; ++b) {
    for (int32_t iy = 0; iy < s.in_h; ++iy) {
      for (int32_t ix = 0; ix < s.in_w; ++ix) {
        const InT* in_px =
            input +
            ((static_cast<int64_t>(b) * s.in_h + iy) * s.in_w + ix) * s.in_c;
        const int32_t oy0 = iy * s.stride_h - s.pad_top;
        const int32_t ox0 = ix * s.stride_w - s.pad_left;
        for (int32_t ky = 0; ky < s.filter_h; ++ky) {
          const int32_t oy = oy0 + ky;
          if (oy < 0 || oy >= s.out_h) continue;
          for (int32_t kx = 0; kx < s.filter_w; ++kx) {
            const int32_t ox = ox0 + kx;
            if (ox < 0 || ox >= s.out_w) continue;
            AccT* out_px =
                acc +
                ((static_cast<int64_t>(b) * s.out_h + oy) * s.out_w + ox) *
                    s.out_c;
            for (int32_t oc = 0; oc < s.out_c; ++oc) {
              const FilterT* f =
                  filter +
                  ((static_cast<int64_t>(oc) * s.filter_h + ky) * s.filter_w +
                   kx) *
                      s.in_c;
              AccT sum = 0;
              for (int32_t ic = 0; ic < s.in_c; ++ic)
                sum += (static_cast<AccT>(f[ic]) + filter_offset) *
                       (static_cast<AccT>(in_px[ic]) + input_offset);
              out_px[oc] += sum;
            }
          }
        }
      }
    }
  }
}

// Float: output = clamp(scatter + bias, lo, hi); the output buffer itself
// serves as the accumulator.
inline void TransposeConvFloat(const TransposeConvShape& s, const float* input,
                               const float* filter, const float* bias, float lo,
                               float hi, float* output) {
  TransposeConvScatter<float>(s, input, 0.0f, filter, 0.0f, output);
  const int64_t pixels = static_cast<int64_t>(s.batches) * s.out_h * s.out_w;
  for (int64_t p = 0; p < pixels; ++p) {
    for (int32_t oc = 0; oc < s.out_c; ++oc) {
      float v = output[p * s.out_c + oc];
      if (bias) v += bias[oc];
      output[p * s.out_c + oc] = std::min(std::max(v, lo), hi);
    }
  }
}

// Gathers into acc[out_c] (zeroed here) every tap that lands on output
// pixel (b, oy, ox): input row iy contributes through filter row ky when
// iy * stride_h - pad_top + ky == oy (likewise for columns). Integer sums
// do not depend on the order, so this equals the scatter above; it needs
// only out_c accumulators, whatever the output size (which may be known
// only at run time).
template <typename AccT, typename InT, typename FilterT>
void TransposeConvGatherPixel(const TransposeConvShape& s, const InT* input,
                              AccT input_offset, const FilterT* filter,
                              AccT filter_offset, int32_t b, int32_t oy,
                              int32_t ox, AccT* acc) {
  std::fill(acc, acc + s.out_c, AccT(0));
  for (int32_t ky = 0; ky < s.filter_h; ++ky) {
    const int32_t ty = oy + s.pad_top - ky;
    if (ty < 0 || ty % s.stride_h != 0) continue;
    const int32_t iy = ty / s.stride_h;
    if (iy >= s.in_h) continue;
    for (int32_t kx = 0; kx < s.filter_w; ++kx) {
      const int32_t tx = ox + s.pad_left - kx;
      if (tx < 0 || tx % s.stride_w != 0) continue;
      const int32_t ix = tx / s.stride_w;
      if (ix >= s.in_w) continue;
      const InT* in_px =
          input +
          ((static_cast<int64_t>(b) * s.in_h + iy) * s.in_w + ix) * s.in_c;
      for (int32_t oc = 0; oc < s.out_c; ++oc) {
        const FilterT* f =
            filter +
            ((static_cast<int64_t>(oc) * s.filter_h + ky) * s.filter_w + kx) *
                s.in_c;
        AccT sum = 0;
        for (int32_t ic = 0; ic < s.in_c; ++ic)
          sum += (static_cast<AccT>(f[ic]) + filter_offset) *
                 (static_cast<AccT>(in_px[ic]) + input_offset);
        acc[oc] += sum;
      }
    }
  }
}

// Integer: `acc` holds out_c AccT (one output pixel at a time).
template <typename AccT, typename InT, typename FilterT, typename BiasT,
          typename OutT>
void TransposeConvQuantized(const TransposeConvShape& s, const InT* input,
                            int32_t input_offset, const FilterT* filter,
                            int32_t filter_offset, const BiasT* bias,
                            const QuantizedOutput& q, AccT* acc, OutT* output) {
  for (int32_t b = 0; b < s.batches; ++b) {
    for (int32_t oy = 0; oy < s.out_h; ++oy) {
      for (int32_t ox = 0; ox < s.out_w; ++ox) {
        TransposeConvGatherPixel<AccT>(
            s, input, static_cast<AccT>(input_offset), filter,
            static_cast<AccT>(filter_offset), b, oy, ox, acc);
        OutT* out =
            output +
            ((static_cast<int64_t>(b) * s.out_h + oy) * s.out_w + ox) * s.out_c;
        for (int32_t oc = 0; oc < s.out_c; ++oc) {
          AccT v = acc[oc];
          if (bias) v += static_cast<AccT>(bias[oc]);
          out[oc] = static_cast<OutT>(Requantize(v, q.multiplier[oc],
                                                 q.shift[oc], q.output_offset,
                                                 q.act_lo, q.act_hi));
        }
      }
    }
  }
}

// Hybrid (dynamic range): the float input already quantized per batch
// (scale input_scales[b], zero point input_zps[b]), int8 weights with one
// scale per output channel: out = clamp(float(acc) * filter_scale[oc] *
// input_scale[b] + bias, lo, hi), acc = sum w * (q - zp). `acc` holds
// out_c int32.
inline void TransposeConvHybrid(const TransposeConvShape& s,
                                const int8_t* q_input,
                                const float* input_scales,
                                const int32_t* input_zps, const int8_t* filter,
                                const float* filter_scales, const float* bias,
                                float lo, float hi, int32_t* acc,
                                float* output) {
  for (int32_t b = 0; b < s.batches; ++b) {
    for (int32_t oy = 0; oy < s.out_h; ++oy) {
      for (int32_t ox = 0; ox < s.out_w; ++ox) {
        TransposeConvGatherPixel<int32_t>(s, q_input, -input_zps[b], filter, 0,
                                          b, oy, ox, acc);
        float* out =
            output +
            ((static_cast<int64_t>(b) * s.out_h + oy) * s.out_w + ox) * s.out_c;
        for (int32_t oc = 0; oc < s.out_c; ++oc) {
          float v =
              static_cast<float>(acc[oc]) * filter_scales[oc] * input_scales[b];
          if (bias) v += bias[oc];
          out[oc] = std::min(std::max(v, lo), hi);
        }
      }
    }
  }
}

}  // namespace ember::ref
