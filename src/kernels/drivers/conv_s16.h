// int16x8 CONV_2D (int16 activations, int8 weights, zero points 0; int64,
// int32 or no bias) and uint8 CONV_2D (asymmetric uint8 activations and
// weights, int32 bias), bit-exact with ref::ConvQuantized. The reference walks
// every output element with a scalar int64 loop; here each output pixel's
// patch is gathered once into a contiguous int16 row (zeros for padding)
// and multiplied with every output channel's weights, widened to int16 at
// prepare, by the int16 dot-row kernels of the int8 BATCH_MATMUL list
// (pmaddwd on x86); uint8 values enter with their zero points already
// subtracted (they fit int16). Those accumulate in int32: a product is at
// most 2^15 * 2^7 = 2^22 (int16) or 255 * 255 < 2^16 (uint8) in magnitude,
// so a chunk of kS16ConvChunkK products stays below 2^31 exactly, and
// chunks are added in int64, which equals the reference's int64 sum (and,
// truncated, its int32 one). Groups of 1 only (grouped ones keep the
// reference). FULLY_CONNECTED's int16x8 and uint8 kinds use it too, as a 1x1
// convolution over batch rows with the output's rounding (q.rounding: FC
// rounds once, the convolutions twice).
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/thread_pool.h"
#include "kernels/drivers/batch_matmul_s8.h"
#include "kernels/ref/conv.h"

namespace ember::x86 {

constexpr int32_t kS16ConvChunkK = 512;

struct S16ConvLayout {
  int32_t k = 0;       // filter_h * filter_w * in_c
  int32_t chunks = 0;  // ceil(k / kS16ConvChunkK)
  int32_t out_c = 0;
  // Padded length of chunk c (a multiple of kS8MatMulKStep).
  int32_t ChunkPadded(int32_t c) const;
  // int16 elements of the packed weights: chunk-major, then [out_c][padded].
  size_t PackedElements() const;
  // Bytes of one worker's scratch: the patch, int32 and int64 sums.
  size_t SlotScratchBytes() const;
};

S16ConvLayout MakeS16ConvLayout(const ref::ConvShape& s);

// Widens the OHWI filter (int8, or uint8 with filter_offset = -zero point)
// into the layout (zeros in the padding).
template <typename FilterT>
void PackS16ConvWeights(const S16ConvLayout& l, const FilterT* filter,
                        int32_t filter_offset, int16_t* packed);

// The kernel variant label for a dot-row kernel and input type
// ("x86_avx2_conv_s16x8", "x86_avx2_conv_u8_widened").
const char* S16ConvLabel(const S8MatMulKernel& dot, bool uint8 = false);

// Output pixels split over at most `slots` workers, each with
// SlotScratchBytes() of `scratch` (64-byte aligned slots).
// InT / OutT: int16_t (input_offset 0) or uint8_t (input_offset = -zero
// point); AccT / BiasT as the reference's for that kind.
template <typename AccT, typename InT, typename BiasT, typename OutT>
void RunS16Conv(ThreadPool* pool, int slots, const S8MatMulKernel& dot,
                const ref::ConvShape& s, const S16ConvLayout& l,
                const InT* input, int32_t input_offset, const int16_t* packed,
                const BiasT* bias, const ref::QuantizedOutput& q, OutT* output,
                uint8_t* scratch);

// Rounds SlotScratchBytes up to the slot stride RunS16Conv uses.
inline size_t S16ConvSlotStride(const S16ConvLayout& l) {
  return (l.SlotScratchBytes() + 63) / 64 * 64;
}

}  // namespace ember::x86
