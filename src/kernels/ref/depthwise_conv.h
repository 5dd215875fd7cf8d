// Reference depthwise 2-D convolution (DEPTHWISE_CONV_2D): NHWC input,
// filter [1, KH, KW, in_c * depth_multiplier]; output channel
// oc = ic * depth_multiplier + m only sees input channel ic.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/ref/conv.h"

namespace ember::ref {

struct DepthwiseShape {
  int32_t batches = 0;
  int32_t in_h = 0, in_w = 0, in_c = 0;
  int32_t filter_h = 0, filter_w = 0;
  int32_t depth_multiplier = 1;
  int32_t out_h = 0, out_w = 0;  // out_c = in_c * depth_multiplier
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_top = 0, pad_left = 0;
};

// Visits every output element with
//   acc = sum over (ky, kx) of (filter + filter_offset) * (input +
//   input_offset)
// skipping taps in the padding.
template <typename AccT, typename InT, typename FilterT, typename Emit>
void DepthwiseAccumulate(const DepthwiseShape& s, const InT* input,
                         const FilterT* filter, AccT input_offset,
                         AccT filter_offset, Emit emit) {
  const int32_t out_c = s.in_c * s.depth_multiplier;
  for (int32_t b = 0; b < s.batches; ++b) {
    for (int32_t oy = 0; oy < s.out_h; ++oy) {
      for (int32_t ox = 0; ox < s.out_w; ++ox) {
        const int32_t iy0 = oy * s.stride_h - s.pad_top;
        const int32_t ix0 = ox * s.stride_w - s.pad_left;
        const int64_t out_base =
            ((static_cast<int64_t>(b) * s.out_h + oy) * s.out_w + ox) * out_c;
        for (int32_t ic = 0; ic < s.in_c; ++ic) {
          for (int32_t m = 0; m < s.depth_multiplier; ++m) {
            const int32_t oc = ic * s.depth_multiplier + m;
            AccT acc = 0;
            for (int32_t ky = 0; ky < s.filter_h; ++ky) {
              const int32_t iy = iy0 + ky * s.dilation_h;
              if (iy < 0 || iy >= s.in_h) continue;
              for (int32_t kx = 0; kx < s.filter_w; ++kx) {
                const int32_t ix = ix0 + kx * s.dilation_w;
                if (ix < 0 || ix >= s.in_w) continue;
                const InT x =
                    input[((static_cast<int64_t>(b) * s.in_h + iy) * s.in_w +
                           ix) *
                              s.in_c +
                          ic];
                const FilterT f =
                    filter[(static_cast<int64_t>(ky) * s.filter_w + kx) *
                               out_c +
                           oc];
                acc += (static_cast<AccT>(f) + filter_offset) *
                       (static_cast<AccT>(x) + input_offset);
              }
            }
            emit(out_base + oc, oc, acc);
          }
        }
      }
    }
  }
}

inline void DepthwiseConvFloat(const DepthwiseShape& s, const float* input,
                               const float* filter, const float* bias, float lo,
                               float hi, float* output) {
  DepthwiseAccumulate<float>(s, input, filter, 0.0f, 0.0f,
                             [&](int64_t i, int32_t oc, float acc) {
                               if (bias) acc += bias[oc];
                               output[i] = std::min(std::max(acc, lo), hi);
                             });
}

template <typename AccT, typename InT, typename FilterT, typename BiasT,
          typename OutT>
void DepthwiseConvQuantized(const DepthwiseShape& s, const InT* input,
                            int32_t input_offset, const FilterT* filter,
                            int32_t filter_offset, const BiasT* bias,
                            const QuantizedOutput& q, OutT* output) {
  DepthwiseAccumulate<AccT>(
      s, input, filter, static_cast<AccT>(input_offset),
      static_cast<AccT>(filter_offset), [&](int64_t i, int32_t oc, AccT acc) {
        if (bias) acc += static_cast<AccT>(bias[oc]);
        output[i] =
            static_cast<OutT>(Requantize(acc, q.multiplier[oc], q.shift[oc],
                                         q.output_offset, q.act_lo, q.act_hi));
      });
}

// Hybrid depthwise: input quantized per batch (scale, zero point);
// out = clamp(acc * filter_scale[oc] * input_scale[b] + bias, lo, hi).
inline void DepthwiseConvHybrid(const DepthwiseShape& s, const int8_t* q_input,
                                const float* input_scales,
                                const int32_t* input_zps, const int8_t* filter,
                                const float* filter_scales, const float* bias,
                                float lo, float hi, float* output) {
  DepthwiseShape one = s;
  one.batches = 1;
  const int32_t out_c = s.in_c * s.depth_multiplier;
  const int64_t in_batch = static_cast<int64_t>(s.in_h) * s.in_w * s.in_c;
  const int64_t out_batch = static_cast<int64_t>(s.out_h) * s.out_w * out_c;
  for (int32_t b = 0; b < s.batches; ++b) {
    float* out = output + b * out_batch;
    DepthwiseAccumulate<int32_t>(
        one, q_input + b * in_batch, filter, -input_zps[b], 0,
        [&](int64_t i, int32_t oc, int32_t acc) {
          float v =
              static_cast<float>(acc) * filter_scales[oc] * input_scales[b];
          if (bias) v += bias[oc];
          out[i] = std::min(std::max(v, lo), hi);
        });
  }
}

}  // namespace ember::ref
