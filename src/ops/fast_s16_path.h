// The int16x8 / uint8 fast path of the conv family
// (kernels/drivers/conv_s16.h) as part of an op's data: CONV_2D runs its
// convolution on it, FULLY_CONNECTED a 1x1 convolution over its batch rows.
// Heap-free (the widened weights go to the node's persistent memory).
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/drivers/conv_s16.h"
#include "ops/op_util.h"

namespace ember::ops {

struct FastS16 {
  ref::ConvShape shape;
  x86::S16ConvLayout layout;
  const int16_t* packed = nullptr;  // nullptr: the op runs its reference
  const x86::S8MatMulKernel* dot = nullptr;
  int slots = 1;
  int scratch = -1;
};

// Widens the constant OHWI weights of convolution `s` (uint8 with
// weights_offset = -zero point added; int8 as they are) for the int16
// dot-row kernels, one scratch slot per thread. f->packed stays nullptr
// (reference) when optimized kernels are not allowed, no ISA has the
// kernels, the weights are not constant, or the shape is grouped or out of
// range.
inline Status PrepareFastS16(OpContext& ctx, const ref::ConvShape& s,
                             const Tensor* filter, bool uint8,
                             int32_t weights_offset, FastS16* f) {
  f->packed = nullptr;
  if (!ctx.optimized_kernels_allowed() || s.filter_in_c != s.in_c ||
      !filter->is_constant()) {
    return Status::Ok();
  }
  const x86::S8MatMulKernel* dot = x86::SelectS8MatMul(ctx.allowed_isas());
  const int64_t k = static_cast<int64_t>(s.filter_h) * s.filter_w * s.in_c;
  if (dot == nullptr || k <= 0 || k > (int64_t{1} << 24) || s.out_c <= 0 ||
      s.batches <= 0) {
    return Status::Ok();
  }
  f->shape = s;
  f->layout = x86::MakeS16ConvLayout(s);
  void* mem = nullptr;
  EMBER_RETURN_IF_ERROR(ctx.AllocatePersistent(
      sizeof(int16_t) * f->layout.PackedElements(), &mem));
  auto* packed = static_cast<int16_t*>(mem);
  if (uint8) {
    x86::PackS16ConvWeights(f->layout, filter->data_as<uint8_t>(),
                            weights_offset, packed);
  } else {
    x86::PackS16ConvWeights(f->layout, filter->data_as<int8_t>(), 0, packed);
  }
  f->packed = packed;
  f->dot = dot;
  f->slots = std::max(1, ctx.num_threads());
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      x86::S16ConvSlotStride(f->layout) * f->slots, &f->scratch));
  ctx.SetKernelVariant(x86::S16ConvLabel(*dot, uint8));
  return Status::Ok();
}

// Runs the prepared path (f.packed != nullptr). AccT / BiasT as the
// reference's for the op's kind; input_offset: -zero point for uint8, 0
// for int16.
template <typename AccT, typename InT, typename BiasT, typename OutT>
void RunFastS16(OpContext& ctx, const FastS16& f, const InT* input,
                int32_t input_offset, const BiasT* bias,
                const ref::QuantizedOutput& q, OutT* output) {
  x86::RunS16Conv<AccT>(ctx.thread_pool(), f.slots, *f.dot, f.shape, f.layout,
                        input, input_offset, f.packed, bias, q, output,
                        static_cast<uint8_t*>(ctx.scratch(f.scratch)));
}

// The int16x8 kind: an int64 bias (64-bit accumulators) or an int32 / no
// bias (32-bit), as the reference picks.
inline void RunFastS16Int16(OpContext& ctx, const FastS16& f, bool bias64,
                            const Tensor* input, const Tensor* bias,
                            const ref::QuantizedOutput& q, Tensor* output) {
  if (bias64) {
    RunFastS16<int64_t>(ctx, f, input->data_as<int16_t>(), 0,
                        OptionalData<int64_t>(bias), q,
                        output->data_as<int16_t>());
  } else {
    RunFastS16<int32_t>(ctx, f, input->data_as<int16_t>(), 0,
                        OptionalData<int32_t>(bias), q,
                        output->data_as<int16_t>());
  }
}

}  // namespace ember::ops
