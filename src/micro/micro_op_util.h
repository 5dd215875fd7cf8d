// Helpers of the micro ops' Prepare/Eval: the same arithmetic as the host
// ops' Prepare (activation clamps, window padding, requantization
// multipliers), written over MicroTensor views and without a heap. Every
// op recomputes its parameters from the model in Eval instead of keeping
// them in the arena: a few integer operations per node buy a smaller
// arena.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "kernels/ref/quant_util.h"
#include "micro/micro_context.h"

namespace ember::micro {

inline bool IsType(const MicroTensor& t, fb::TensorType type) {
  return t.type == type;
}

// Output of `t` must have shape `dims` (rank `rank`).
inline bool SameShape(const MicroTensor& t, const int32_t* dims, int32_t rank) {
  if (t.rank != rank) return false;
  for (int32_t i = 0; i < rank; ++i)
    if (t.dims[i] != dims[i]) return false;
  return true;
}

inline bool SameShape(const MicroTensor& a, const MicroTensor& b) {
  return SameShape(a, b.dims, b.rank);
}

// Clamp of a fused activation in the quantized domain of `output`
// (int8 / int16), as the host ops compute it.
inline MicroStatus QuantizedActivationRange(MicroContext& ctx,
                                            fb::ActivationFunctionType act,
                                            const MicroTensor& output,
                                            int32_t* lo, int32_t* hi) {
  int32_t qmin = 0, qmax = 0;
  switch (output.type) {
    case fb::TensorType::INT8:
      qmin = -128;
      qmax = 127;
      break;
    case fb::TensorType::INT16:
      qmin = -32768;
      qmax = 32767;
      break;
    case fb::TensorType::UINT8:
      qmin = 0;
      qmax = 255;
      break;
    default:
      return ctx.Error(MicroStatus::kUnsupported,
                       EMBER_MICRO_MSG("quantized output type unsupported"),
                       output.index);
  }
  const float scale = output.scale;
  const int32_t zp = output.zero_point;
  auto quantize = [&](float v) {
    const double q = static_cast<double>(zp) + std::round(v / scale);
    return static_cast<int32_t>(std::clamp(q, -2147483648.0, 2147483647.0));
  };
  switch (act) {
    case fb::ActivationFunctionType::NONE:
      *lo = qmin;
      *hi = qmax;
      return MicroStatus::kOk;
    case fb::ActivationFunctionType::RELU:
      *lo = std::max(qmin, quantize(0.0f));
      *hi = qmax;
      return MicroStatus::kOk;
    case fb::ActivationFunctionType::RELU6:
      *lo = std::max(qmin, quantize(0.0f));
      *hi = std::min(qmax, quantize(6.0f));
      return MicroStatus::kOk;
    case fb::ActivationFunctionType::RELU_N1_TO_1:
      *lo = std::max(qmin, quantize(-1.0f));
      *hi = std::min(qmax, quantize(1.0f));
      return MicroStatus::kOk;
    default:
      return ctx.Error(MicroStatus::kUnsupported,
                       EMBER_MICRO_MSG("fused activation unsupported"));
  }
}

// Clamp bounds of a fused activation for values of type T (float, or int32
// for integer ops that are not quantized); `lowest` / `highest` mean "no
// bound".
template <typename T>
inline MicroStatus ActivationBounds(MicroContext& ctx,
                                    fb::ActivationFunctionType act, T lowest,
                                    T highest, T* lo, T* hi) {
  switch (act) {
    case fb::ActivationFunctionType::NONE:
      *lo = lowest;
      *hi = highest;
      return MicroStatus::kOk;
    case fb::ActivationFunctionType::RELU:
      *lo = T(0);
      *hi = highest;
      return MicroStatus::kOk;
    case fb::ActivationFunctionType::RELU6:
      *lo = T(0);
      *hi = T(6);
      return MicroStatus::kOk;
    case fb::ActivationFunctionType::RELU_N1_TO_1:
      *lo = T(-1);
      *hi = T(1);
      return MicroStatus::kOk;
    default:
      return ctx.Error(MicroStatus::kUnsupported,
                       EMBER_MICRO_MSG("fused activation unsupported"));
  }
}

inline MicroStatus FloatActivationRange(MicroContext& ctx,
                                        fb::ActivationFunctionType act,
                                        float* lo, float* hi) {
  return ActivationBounds(ctx, act, -INFINITY, INFINITY, lo, hi);
}

// Output size and leading padding of one spatial dim (SAME / VALID).
struct MicroPaddedDim {
  int32_t out = 0;
  int32_t pad_before = 0;
};

inline MicroStatus ComputePaddedDim(MicroContext& ctx, fb::Padding padding,
                                    int32_t in, int32_t filter, int32_t stride,
                                    int32_t dilation, MicroPaddedDim* dim) {
  if (stride <= 0 || dilation <= 0) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("stride and dilation must be positive"));
  }
  const int32_t effective = (filter - 1) * dilation + 1;
  int32_t out = 0;
  if (padding == fb::Padding::SAME) {
    out = (in + stride - 1) / stride;
  } else if (padding == fb::Padding::VALID) {
    out = (in - effective + stride) / stride;
  } else {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("unknown padding"));
  }
  if (out < 0) out = 0;
  const int32_t total =
      std::max<int32_t>(0, (out - 1) * stride + effective - in);
  dim->out = out;
  dim->pad_before = total / 2;
  return MicroStatus::kOk;
}

// Per-tensor quantization with a positive finite scale.
inline MicroStatus CheckQuantized(MicroContext& ctx, const MicroTensor& t) {
  if (!(t.scale > 0.0f) || !std::isfinite(t.scale)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("tensor needs quantization parameters"),
                     t.index);
  }
  return MicroStatus::kOk;
}

// Weights quantized per tensor or with one scale per output channel along
// `quantized_dim`; with `symmetric`, every zero point must be 0.
inline MicroStatus CheckWeightQuant(MicroContext& ctx, const MicroTensor& w,
                                    int32_t channels, int32_t quantized_dim,
                                    bool symmetric) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, w));
  const int32_t count = w.scale_count();
  if (count != 1 && count != channels) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("weights need 1 scale or one per "
                                     "output channel"),
                     w.index);
  }
  if (count > 1 && w.quant->quantized_dimension() != quantized_dim) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("weights quantized along the wrong "
                                     "dimension"),
                     w.index);
  }
  for (int32_t c = 0; c < count; ++c) {
    const float s = w.channel_scale(c);
    if (!(s > 0.0f) || !std::isfinite(s)) {
      return ctx.Error(MicroStatus::kInvalidModel,
                       EMBER_MICRO_MSG("weights have an invalid scale"),
                       w.index);
    }
    if (symmetric && w.channel_zero_point(c) != 0) {
      return ctx.Error(MicroStatus::kInvalidModel,
                       EMBER_MICRO_MSG("weights need zero point 0"), w.index);
    }
  }
  return MicroStatus::kOk;
}

inline MicroStatus CheckBias(MicroContext& ctx, const MicroTensor& bias,
                             int32_t channels, fb::TensorType type) {
  if (bias.type != type || bias.NumElements() != channels) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("bias has the wrong type or size"),
                     bias.index);
  }
  return MicroStatus::kOk;
}

// One requantization multiplier per output channel:
// input_scale * weight_scale[c] / output_scale, in double from the float
// scales (the host's ComputeOutputMultipliers). Per-tensor weights give
// every channel the same one: computed once, as the double arithmetic is
// emulated in software on cores without a double FPU (Cortex-M4/M33) and
// runs at every Eval.
inline void FillOutputMultipliers(const MicroTensor& input,
                                  const MicroTensor& weights,
                                  const MicroTensor& output, int32_t channels,
                                  int32_t* multiplier, int32_t* shift) {
  const double in_scale = input.scale;
  const double out_scale = output.scale;
  const int32_t distinct = weights.scale_count() > 1 ? channels : 1;
  for (int32_t c = 0; c < distinct && c < channels; ++c) {
    const double real =
        in_scale * static_cast<double>(weights.channel_scale(c)) / out_scale;
    int s = 0;
    ref::QuantizeMultiplier(real, &multiplier[c], &s);
    shift[c] = s;
  }
  for (int32_t c = distinct; c < channels; ++c) {
    multiplier[c] = multiplier[0];
    shift[c] = shift[0];
  }
}

}  // namespace ember::micro
