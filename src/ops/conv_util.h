// Helpers shared by the convolution family's ops (CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV,
// Convolution2DTransposeBias): quantization checks and the per-channel
// requantization multipliers. Heap-free.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/ref/quant_util.h"
#include "ops/op_util.h"

namespace ember::ops {

// Fails unless `t` carries (at least per-tensor) quantization with a
// positive, finite scale.
inline Status CheckQuantized(OpContext& ctx, const Tensor* t, const char* what) {
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
inline Status CheckWeightQuant(OpContext& ctx, const Tensor* w, int32_t channels,
                               int32_t quantized_dim, bool symmetric) {
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

// Fills one requantization multiplier per output channel:
//   input_scale * weight_scale[c] / output_scale
// computed in double from the float scales (TFLite's formula for both
// per-channel and per-tensor weights). The conv ops call this at the start
// of Eval into a scratch buffer of 2 x channels int32 that Prepare
// requested: op data has a fixed size while the channel count is unbounded,
// and the cost (one frexp per channel) is negligible next to the conv.
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

}  // namespace ember::ops
