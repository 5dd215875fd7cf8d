// Reference 2-D convolution (CONV_2D), NHWC input, OHWI filter, optional
// per-output-channel bias, grouped convolution (input channels = groups x
// filter input channels). Written for clarity, not speed.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/ref/conv_common.h"

namespace ember::ref {

struct ConvShape {
  int32_t batches = 0;
  int32_t in_h = 0, in_w = 0, in_c = 0;
  int32_t filter_h = 0, filter_w = 0;
  int32_t filter_in_c = 0;  // in_c / groups
  int32_t out_h = 0, out_w = 0, out_c = 0;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_top = 0, pad_left = 0;
};

// Visits every output element with its accumulated sum
//   acc = sum over (ky, kx, ic) of (filter + filter_offset) * (input +
//   input_offset)
// where taps outside the input (padding) contribute nothing. `emit(index,
// out_channel, acc)` writes output element `index` (flat NHWC).
template <typename AccT, typename InT, typename FilterT, typename Emit>
void ConvAccumulate(const ConvShape& s, const InT* input, const FilterT* filter,
                    AccT input_offset, AccT filter_offset, Emit emit) {
  const int32_t groups = s.in_c / s.filter_in_c;
  const int32_t filters_per_group = s.out_c / groups;
  for (int32_t b = 0; b < s.batches; ++b) {
    for (int32_t oy = 0; oy < s.out_h; ++oy) {
      for (int32_t ox = 0; ox < s.out_w; ++ox) {
        const int32_t iy0 = oy * s.stride_h - s.pad_top;
        const int32_t ix0 = ox * s.stride_w - s.pad_left;
        const int64_t out_base =
            ((static_cast<int64_t>(b) * s.out_h + oy) * s.out_w + ox) * s.out_c;
        for (int32_t oc = 0; oc < s.out_c; ++oc) {
          const int32_t group = oc / filters_per_group;
          const int32_t ic0 = group * s.filter_in_c;
          AccT acc = 0;
          for (int32_t ky = 0; ky < s.filter_h; ++ky) {
            const int32_t iy = iy0 + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            for (int32_t kx = 0; kx < s.filter_w; ++kx) {
              const int32_t ix = ix0 + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              const InT* in_px =
                  input +
                  ((static_cast<int64_t>(b) * s.in_h + iy) * s.in_w + ix) *
                      s.in_c +
                  ic0;
              const FilterT* f_px =
                  filter +
                  ((static_cast<int64_t>(oc) * s.filter_h + ky) * s.filter_w +
                   kx) *
                      s.filter_in_c;
              for (int32_t ic = 0; ic < s.filter_in_c; ++ic) {
                acc += (static_cast<AccT>(f_px[ic]) + filter_offset) *
                       (static_cast<AccT>(in_px[ic]) + input_offset);
              }
            }
          }
          emit(out_base + oc, oc, acc);
        }
      }
    }
  }
}

// Float: out = clamp(sum(input * filter) + bias, lo, hi).
inline void ConvFloat(const ConvShape& s, const float* input,
                      const float* filter, const float* bias, float lo,
                      float hi, float* output) {
  ConvAccumulate<float>(s, input, filter, 0.0f, 0.0f,
                        [&](int64_t i, int32_t oc, float acc) {
                          if (bias) acc += bias[oc];
                          output[i] = std::min(std::max(acc, lo), hi);
                        });
}

// Quantized output stage shared by every integer conv-like kernel.
struct QuantizedOutput {
  int32_t output_offset = 0;
  int32_t act_lo = 0, act_hi = 0;
  const int32_t* multiplier = nullptr;  // one per output channel
  const int32_t* shift = nullptr;       // one per output channel
  Rounding rounding = Rounding::kDouble;
};

// Integer convolution. AccT is int32_t (8-bit activations, or int16
// activations with int32/absent bias) or int64_t (int16 with int64 bias);
// BiasT matches the bias tensor.
template <typename AccT, typename InT, typename FilterT, typename BiasT,
          typename OutT>
void ConvQuantized(const ConvShape& s, const InT* input, int32_t input_offset,
                   const FilterT* filter, int32_t filter_offset,
                   const BiasT* bias, const QuantizedOutput& q, OutT* output) {
  ConvAccumulate<AccT>(
      s, input, filter, static_cast<AccT>(input_offset),
      static_cast<AccT>(filter_offset), [&](int64_t i, int32_t oc, AccT acc) {
        if (bias) acc += static_cast<AccT>(bias[oc]);
        output[i] =
            static_cast<OutT>(Requantize(acc, q.multiplier[oc], q.shift[oc],
                                         q.output_offset, q.act_lo, q.act_hi));
      });
}

// Hybrid (dynamic range) convolution over an input already quantized per
// batch: out = clamp(acc * filter_scale[oc] * input_scale[b] + bias, lo, hi)
// with acc = sum filter * (q_input - input_zero_point[b]). `filter_scales`
// has one entry per output channel.
inline void ConvHybrid(const ConvShape& s, const int8_t* q_input,
                       const float* input_scales, const int32_t* input_zps,
                       const int8_t* filter, const float* filter_scales,
                       const float* bias, float lo, float hi, float* output) {
  ConvShape one = s;
  one.batches = 1;
  const int64_t in_batch = static_cast<int64_t>(s.in_h) * s.in_w * s.in_c;
  const int64_t out_batch = static_cast<int64_t>(s.out_h) * s.out_w * s.out_c;
  for (int32_t b = 0; b < s.batches; ++b) {
    float* out = output + b * out_batch;
    ConvAccumulate<int32_t>(one, q_input + b * in_batch, filter, -input_zps[b],
                            0, [&](int64_t i, int32_t oc, int32_t acc) {
                              float v = static_cast<float>(acc) *
                                        filter_scales[oc] * input_scales[b];
                              if (bias) v += bias[oc];
                              out[i] = std::min(std::max(v, lo), hi);
                            });
  }
}

}  // namespace ember::ref
