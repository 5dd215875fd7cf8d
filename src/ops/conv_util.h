// Helpers shared by the convolution family's ops (CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV,
// Convolution2DTransposeBias): quantization checks, window geometry and
// the requantization parameters their Prepare derives once. Heap-free.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/ref/conv.h"
#include "kernels/ref/quant_util.h"
#include "ops/op_util.h"

namespace ember::ops {

// Fails unless `t` carries (at least per-tensor) quantization with a
// positive, finite scale.
inline Status CheckQuantized(OpContext& ctx, const Tensor* t,
                             const char* what) {
  if (!t->quant.quantized()) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s '%s' (%s) has no quantization parameters", what,
                     t->name, DataTypeName(t->type));
  }
  for (int i = 0; i < t->quant.count; ++i) {
    const float s = t->quant.scale[i];
    if (!(s > 0.0f) || !std::isfinite(s)) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "%s '%s' has invalid scale %g at %d", what, t->name,
                       static_cast<double>(s), i);
    }
  }
  return Status::Ok();
}

// Checks weight quantization: present, either per-tensor (one scale) or one
// scale per output channel along `quantized_dim`. With `symmetric`, every
// zero point must be 0.
inline Status CheckWeightQuant(OpContext& ctx, const Tensor* w,
                               int32_t channels, int32_t quantized_dim,
                               bool symmetric) {
  EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, w, "weights"));
  const QuantParams& q = w->quant;
  if (q.count != 1 && q.count != channels) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "weights have %d scales, expected 1 or %d (one per "
                     "output channel)",
                     q.count, channels);
  }
  if (q.count > 1 && q.quantized_dimension != quantized_dim) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "weights are quantized along dimension %d, expected %d",
                     q.quantized_dimension, quantized_dim);
  }
  if (symmetric && q.zero_point) {
    for (int i = 0; i < q.count; ++i) {
      if (q.zero_point[i] != 0) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "%s weights need zero point 0, channel %d has %lld",
                         DataTypeName(w->type), i,
                         static_cast<long long>(q.zero_point[i]));
      }
    }
  }
  return Status::Ok();
}

inline float WeightScale(const Tensor* w, int32_t channel) {
  return w->quant.count == 1 ? w->quant.scale[0] : w->quant.scale[channel];
}

// Checks that an optional bias is 1-D with `channels` entries of `type`.
inline Status CheckBias(OpContext& ctx, const Tensor* bias, int32_t channels,
                        DataType type) {
  if (bias == nullptr) return Status::Ok();
  if (bias->type != type) {
    return ctx.Error(StatusCode::kInvalidModel, "bias has type %s, expected %s",
                     DataTypeName(bias->type), DataTypeName(type));
  }
  if (bias->NumElements() != channels) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "bias has %lld elements, expected %d (output channels)",
                     static_cast<long long>(bias->NumElements()), channels);
  }
  return Status::Ok();
}

inline Status CheckRank(OpContext& ctx, const Tensor* t, const char* what,
                        int rank) {
  if (t->shape.rank == rank) return Status::Ok();
  return ctx.Error(StatusCode::kInvalidModel, "%s must be %d-D, has rank %d",
                   what, rank, t->shape.rank);
}

// Fills one requantization multiplier per output channel:
//   input_scale * weight_scale[c] / output_scale
// computed in double from the float scales (TFLite's formula for both
// per-channel and per-tensor weights).
inline void ComputeOutputMultipliers(const Tensor* input, const Tensor* weights,
                                     const Tensor* output, int32_t channels,
                                     int32_t* multiplier, int32_t* shift) {
  const double in_scale = input->quant.scale0();
  const double out_scale = output->quant.scale0();
  for (int32_t c = 0; c < channels; ++c) {
    const double real =
        in_scale * static_cast<double>(WeightScale(weights, c)) / out_scale;
    int s = 0;
    ref::QuantizeMultiplier(real, &multiplier[c], &s);
    shift[c] = s;
  }
}

// Everything a quantized conv-family Eval needs beyond the tensors' data,
// derived once in Prepare: the zero points folded into offsets, the fused
// activation clamp and the per-channel multipliers. The multipliers live
// in the node's persistent memory (their count is the channel count, which
// the fixed-size op data cannot hold), so Eval never recomputes them.
struct ConvQuantization {
  int32_t input_offset = 0;    // -input zero point
  int32_t weights_offset = 0;  // -weights zero point (0 when symmetric)
  ref::QuantizedOutput output;
};

inline Status PrepareConvQuantization(
    OpContext& ctx, fb::ActivationFunctionType act, const Tensor* input,
    const Tensor* weights, const Tensor* output, int32_t channels,
    ref::Rounding rounding, ConvQuantization* q) {
  q->input_offset = -input->quant.zero_point0();
  q->weights_offset = -weights->quant.zero_point0();
  q->output.output_offset = output->quant.zero_point0();
  q->output.rounding = rounding;
  EMBER_RETURN_IF_ERROR(QuantizedActivationRange(
      ctx, act, output, &q->output.act_lo, &q->output.act_hi));
  void* mem = nullptr;
  EMBER_RETURN_IF_ERROR(ctx.AllocatePersistent(
      sizeof(int32_t) * 2 * static_cast<size_t>(channels), &mem));
  auto* multiplier = static_cast<int32_t*>(mem);
  int32_t* shift = multiplier + channels;
  ComputeOutputMultipliers(input, weights, output, channels, multiplier, shift);
  q->output.multiplier = multiplier;
  q->output.shift = shift;
  return Status::Ok();
}

// The hybrid kernels take the weight scale of every output channel as an
// array (per-tensor weights repeat their one scale); filled once here.
inline Status PrepareChannelScales(OpContext& ctx, const Tensor* weights,
                                   int32_t channels, const float** scales) {
  void* mem = nullptr;
  EMBER_RETURN_IF_ERROR(ctx.AllocatePersistent(
      sizeof(float) * static_cast<size_t>(channels), &mem));
  auto* out = static_cast<float*>(mem);
  for (int32_t c = 0; c < channels; ++c) out[c] = WeightScale(weights, c);
  *scales = out;
  return Status::Ok();
}

// Stride, dilation and padding of a 2-D sliding window (CONV_2D,
// DEPTHWISE_CONV_2D).
struct WindowOptions {
  fb::Padding padding = fb::Padding::VALID;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
};

struct WindowGeometry {
  int32_t out_h = 0, out_w = 0;
  int32_t pad_top = 0, pad_left = 0;
};

// Output size and leading padding of a window over an in_h x in_w input.
// A PAD that the graph passes folded into this node (Node::folded_pad, all
// zeros otherwise; see graph/pad_folding.cc) widens the input first: the
// geometry is that of the padded input, with the folded rows and columns
// added to the leading padding.
inline Status ComputeWindowGeometry(OpContext& ctx, const WindowOptions& w,
                                    int32_t in_h, int32_t in_w,
                                    int32_t filter_h, int32_t filter_w,
                                    WindowGeometry* g) {
  const Node* node = ctx.node();
  const int32_t top = node ? node->folded_pad[0] : 0;
  const int32_t bottom = node ? node->folded_pad[1] : 0;
  const int32_t left = node ? node->folded_pad[2] : 0;
  const int32_t right = node ? node->folded_pad[3] : 0;
  PaddedDim ph, pw;
  EMBER_RETURN_IF_ERROR(ComputePaddedDim(ctx, w.padding, in_h + top + bottom,
                                         filter_h, w.stride_h, w.dilation_h,
                                         &ph));
  EMBER_RETURN_IF_ERROR(ComputePaddedDim(ctx, w.padding, in_w + left + right,
                                         filter_w, w.stride_w, w.dilation_w,
                                         &pw));
  g->out_h = ph.out;
  g->out_w = pw.out;
  g->pad_top = ph.pad_before + top;
  g->pad_left = pw.pad_before + left;
  return Status::Ok();
}

// int16 activations take an int64 bias (64-bit accumulator), an int32 one
// or none; *bias64 says which accumulator the kernel needs.
inline Status CheckInt16Bias(OpContext& ctx, const Tensor* bias,
                             int32_t channels, bool* bias64) {
  *bias64 = false;
  if (bias == nullptr) return Status::Ok();
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, bias, "bias", DataType::kInt64, DataType::kInt32));
  EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, channels, bias->type));
  *bias64 = bias->type == DataType::kInt64;
  return Status::Ok();
}

}  // namespace ember::ops
