// fp32 depthwise convolution for the x86 fast path (depth multiplier 1):
// NHWC input, filter [KH, KW, C] used as stored (already channel-minor),
// vectorised over channels. Per-ISA code in dwconv_f32_<isa>.cc.
#pragma once

#include <cstdint>

namespace ember::x86 {

struct DwConvF32Args {
  int32_t batches = 0, in_h = 0, in_w = 0, channels = 0;
  int32_t filter_h = 0, filter_w = 0;
  int32_t out_h = 0, out_w = 0;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_top = 0, pad_left = 0;
  const float* input = nullptr;
  const float* filter = nullptr;
  const float* bias = nullptr;  // channels values (zeros when the op has none)
  // in_w * channels zeros: stands in for input rows in the padding.
  const float* zero_row = nullptr;
  float* output = nullptr;
  float lo = 0.0f, hi = 0.0f;
};

// Computes output rows [row_begin, row_end) of the flattened (batch, oy)
// range [0, batches * out_h).
using DwConvF32Fn = void (*)(const DwConvF32Args& args, int64_t row_begin,
                             int64_t row_end);

void DwConvF32Avx512(const DwConvF32Args& args, int64_t row_begin,
                     int64_t row_end);
void DwConvF32Avx2(const DwConvF32Args& args, int64_t row_begin,
                   int64_t row_end);

}  // namespace ember::x86
