// int8 depthwise convolution for the x86 fast path (depth multiplier 1,
// per-channel or per-tensor int8 weights, int32 bias): NHWC input, channels
// vectorised (16 per zmm / 8 per ymm as int32 lanes). Bit-exact with
// ref::DepthwiseConvQuantized (TFLite's double-rounding requantization).
//
// Why the arithmetic is exact: the reference skips padding taps, which is
// the same as reading the input zero point there, so the kernels read a
// row/pixel filled with the zero point and fold -zero_point * sum(filter)
// into the bias at prepare time. int32 sums wrap identically either way.
// Each input byte is sign-extended to an int32 lane whose upper half is
// the sign copy; each weight is stored as an int32 whose upper half is 0,
// so one vpmaddwd per tap yields the exact product x * w per lane.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "kernels/dispatch/registry.h"

namespace ember {
class ThreadPool;
}

namespace ember::x86 {

// Channel padding of every packed per-channel array (covers both ISAs).
constexpr int32_t kDwS8ChannelPad = 16;

inline int32_t DwS8PaddedChannels(int32_t c) {
  return (c + kDwS8ChannelPad - 1) / kDwS8ChannelPad * kDwS8ChannelPad;
}

// Packed constants, all int32 arrays of padded_channels entries:
//   weights[taps][Cp]  (uint16 bit pattern of the int8 weight, upper half 0)
//   bias[Cp]           (bias - input_zero_point * sum of the channel's taps)
//   multiplier[Cp], left_shift[Cp], right_shift[Cp]
inline size_t PackedDwS8Bytes(int32_t taps, int32_t channels) {
  return sizeof(int32_t) * static_cast<size_t>(taps + 4) *
         static_cast<size_t>(DwS8PaddedChannels(channels));
}

// Packs filter [taps][channels] (taps = KH * KW, as stored in the model),
// optional bias, and the per-channel (multiplier, shift) of the reference's
// requantization into `packed` (PackedDwS8Bytes).
void PackDwConvS8(const int8_t* filter, const int32_t* bias,
                  const int32_t* multiplier, const int32_t* shift, int32_t taps,
                  int32_t channels, int32_t input_zero_point, int32_t* packed);

struct DwConvS8Args {
  int32_t batches = 0, in_h = 0, in_w = 0, channels = 0;
  int32_t filter_h = 0, filter_w = 0;
  int32_t out_h = 0, out_w = 0;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_top = 0, pad_left = 0;
  const int8_t* input = nullptr;
  const int32_t* packed = nullptr;  // from PackDwConvS8
  // in_w * channels bytes of the input zero point: stands in for rows (and
  // pixels) in the padding.
  const int8_t* zero_row = nullptr;
  int8_t* output = nullptr;
  int32_t output_offset = 0;  // output zero point
  int32_t act_lo = -128, act_hi = 127;
};

// Computes output rows [row_begin, row_end) of the flattened (batch, oy)
// range [0, batches * out_h).
using DwConvS8Fn = void (*)(const DwConvS8Args& args, int64_t row_begin,
                            int64_t row_end);

void DwConvS8Avx512(const DwConvS8Args& args, int64_t row_begin,
                    int64_t row_end);
void DwConvS8Avx512Vnni(const DwConvS8Args& args, int64_t row_begin,
                        int64_t row_end);
void DwConvS8Avx2(const DwConvS8Args& args, int64_t row_begin, int64_t row_end);
// WebAssembly SIMD128 builds only (kernels/wasm/dwconv_s8_simd128.cc).
void DwConvS8WasmSimd128(const DwConvS8Args& args, int64_t row_begin,
                         int64_t row_end);

// Splits output rows over the pool (x86::ParallelTasks).
void RunDwConvS8(ThreadPool* pool, DwConvS8Fn fn, const DwConvS8Args& args);

// One entry of the int8 depthwise list (dwconv_s8_kernels.def).
struct DwConvS8Kernel {
  kernels::Isa isa = kernels::Isa::kPortable;
  const char* function = nullptr;
  const char* label = nullptr;  // kernel_variant
  DwConvS8Fn fn = nullptr;
};

// Every int8 depthwise kernel built for this architecture, best first.
std::span<const DwConvS8Kernel> DwConvS8Kernels();

// The first allowed one (nullptr: reference kernels).
inline const DwConvS8Kernel* SelectDwConvS8(kernels::IsaSet allowed) {
  return kernels::FirstAllowed(DwConvS8Kernels(), allowed);
}

}  // namespace ember::x86
