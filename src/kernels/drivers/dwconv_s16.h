// int16x8 DEPTHWISE_CONV_2D (int16 activations, int8 weights, int64 bias,
// zero points 0), bit-exact with ref::DepthwiseConvQuantized<int64_t>. The
// reference visits one output element at a time; here every output pixel
// accumulates all its channels at once over the taps (contiguous channel
// runs the compiler vectorizes). A product is at most 2^22 in magnitude,
// so int32 sums are exact up to kDwS16MaxTaps taps; the bias is added in
// int64 as in the reference.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/thread_pool.h"
#include "kernels/ref/conv.h"
#include "kernels/ref/depthwise_conv.h"

namespace ember::x86 {

constexpr int32_t kDwS16MaxTaps = 511;

inline const char* DwConvS16Label() { return "portable_dwconv_s16x8"; }

// Bytes of one worker's scratch (an int32 sum per output channel).
inline size_t DwConvS16SlotBytes(const ref::DepthwiseShape& s) {
  const size_t out_c =
      static_cast<size_t>(s.in_c) * static_cast<size_t>(s.depth_multiplier);
  return (sizeof(int32_t) * out_c + 63) / 64 * 64;
}

// Output rows split over at most `slots` workers, each with
// DwConvS16SlotBytes of `scratch`.
void RunDwConvS16(ThreadPool* pool, int slots, const ref::DepthwiseShape& s,
                  const int16_t* input, const int8_t* filter,
                  const int64_t* bias, const ref::QuantizedOutput& q,
                  int16_t* output, uint8_t* scratch);

}  // namespace ember::x86
