// The int8 CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and SVDF the micro
// runtime's ops and the `--aot` code both call: Helium (MVE) where the core
// has it, else the DSP extension, else the reference; a shape the vector
// kernels decline runs on the reference too. All give the reference's
// bits. Header-only, so an `--aot` project needs no runtime source.
#pragma once

#include <cstdint>

#include "kernels/ref/conv.h"
#include "kernels/ref/depthwise_conv.h"
#include "kernels/ref/fully_connected.h"
#include "kernels/ref/svdf.h"
#include "micro/dsp_kernels.h"
#include "micro/dsp_svdf.h"
#include "micro/mve_kernels.h"

namespace ember::micro {

inline void ConvS8(const ref::ConvShape& s, const int8_t* input,
                   int32_t input_offset, const int8_t* filter,
                   int32_t filter_offset, const int32_t* bias,
                   const ref::QuantizedOutput& q, int8_t* output) {
#if EMBER_MICRO_HAS_MVE
  if (mve::ConvS8(s, input, input_offset, filter, filter_offset, bias, q,
                  output))
    return;
#endif
#if EMBER_MICRO_HAS_DSP
  if (dsp::ConvS8(s, input, input_offset, filter, filter_offset, bias, q,
                  output))
    return;
#endif
  ref::ConvQuantized<int32_t>(s, input, input_offset, filter, filter_offset,
                              bias, q, output);
}

inline void DepthwiseS8(const ref::DepthwiseShape& s, const int8_t* input,
                        int32_t input_offset, const int8_t* filter,
                        int32_t filter_offset, const int32_t* bias,
                        const ref::QuantizedOutput& q, int8_t* output) {
#if EMBER_MICRO_HAS_MVE
  if (mve::DepthwiseS8(s, input, input_offset, filter, filter_offset, bias, q,
                       output))
    return;
#endif
#if EMBER_MICRO_HAS_DSP
  if (dsp::DepthwiseS8(s, input, input_offset, filter, filter_offset, bias, q,
                       output))
    return;
#endif
  ref::DepthwiseConvQuantized<int32_t>(s, input, input_offset, filter,
                                       filter_offset, bias, q, output);
}

inline void FullyConnectedS8(const ref::FullyConnectedShape& s,
                             const int8_t* input, int32_t input_offset,
                             const int8_t* weights, int32_t weights_offset,
                             const int32_t* bias, const ref::QuantizedOutput& q,
                             int8_t* output) {
#if EMBER_MICRO_HAS_MVE
  if (mve::FullyConnectedS8(s, input, input_offset, weights, weights_offset,
                            bias, q, output))
    return;
#endif
#if EMBER_MICRO_HAS_DSP
  if (dsp::FullyConnectedS8(s, input, input_offset, weights, weights_offset,
                            bias, q, output))
    return;
#endif
  ref::FullyConnectedQuantized<int32_t>(s, input, input_offset, weights,
                                        weights_offset, bias, q, output);
}

// SVDF with int8 input and an int8 or int16 (S) state; no Helium version.
template <typename S>
void SvdfS8(const ref::SvdfDims& d, const ref::SvdfQuantParams& q,
            const int8_t* input, const int8_t* feature, const S* time,
            const int32_t* bias, S* state, int32_t* scratch, int8_t* output) {
#if EMBER_MICRO_HAS_DSP
  if (dsp::SvdfS8<S>(d, q, input, feature, time, bias, state, scratch, output))
    return;
#endif
  ref::SvdfInt8<S>(d, q, input, feature, time, bias, state, scratch, output);
}

}  // namespace ember::micro
