// CONV_2D and DEPTHWISE_CONV_2D, int8 activations with int8 symmetric
// filters (per-channel or per-tensor) and int32 bias, plus float32, over
// the reference kernels (TFLite's double rounding). Shapes, padding and
// the activation clamp are derived again at each Eval from the model; the
// per-channel multipliers go to the node's scratch buffer. On Cortex-M55
// the int8 paths run mve_kernels.h (Helium), on other cores with the DSP
// extension dsp_kernels.h (same bits).
#include "kernels/ref/conv.h"
#include "kernels/ref/depthwise_conv.h"
#include "micro/int8_kernels.h"
#include "micro/micro_op_util.h"
#include "micro/micro_ops.h"

namespace ember::micro {
namespace {

struct Window {
  fb::Padding padding;
  int32_t stride_h, stride_w, dilation_h, dilation_w;
};

// Shared checks and geometry: fills the window fields of a ConvShape or a
// DepthwiseShape (same field names).
template <typename Shape>
MicroStatus Geometry(MicroContext& ctx, const Window& w, Shape* s,
                     int32_t out_c) {
  MicroPaddedDim ph, pw;
  EMBER_MICRO_RETURN_IF_ERROR(ComputePaddedDim(
      ctx, w.padding, s->in_h, s->filter_h, w.stride_h, w.dilation_h, &ph));
  EMBER_MICRO_RETURN_IF_ERROR(ComputePaddedDim(
      ctx, w.padding, s->in_w, s->filter_w, w.stride_w, w.dilation_w, &pw));
  s->stride_h = w.stride_h;
  s->stride_w = w.stride_w;
  s->dilation_h = w.dilation_h;
  s->dilation_w = w.dilation_w;
  s->out_h = ph.out;
  s->out_w = pw.out;
  s->pad_top = ph.pad_before;
  s->pad_left = pw.pad_before;
  const MicroTensor output = ctx.output(0);
  const int32_t want[4] = {s->batches, s->out_h, s->out_w, out_c};
  if (!SameShape(output, want, 4)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("output shape does not match the "
                                     "convolution"),
                     output.index);
  }
  return MicroStatus::kOk;
}

MicroStatus CheckArity(MicroContext& ctx) {
  if (ctx.num_inputs() < 2 || ctx.num_inputs() > 3 || ctx.num_outputs() != 1 ||
      !ctx.has_input(0) || !ctx.has_input(1)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("convolution needs 2-3 inputs, 1 "
                                     "output"));
  }
  const MicroTensor input = ctx.input(0);
  const MicroTensor filter = ctx.input(1);
  if (input.rank != 4 || filter.rank != 4) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("convolution input and filter must be "
                                     "4-D"));
  }
  return MicroStatus::kOk;
}

struct ConvParams {
  ref::ConvShape shape;
  fb::ActivationFunctionType act;
};

MicroStatus ComputeConv(MicroContext& ctx, ConvParams* p) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckArity(ctx));
  const auto* opt = ctx.op()->builtin_options_as_Conv2DOptions();
  if (opt == nullptr) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("missing Conv2DOptions"));
  }
  const MicroTensor input = ctx.input(0);
  const MicroTensor filter = ctx.input(1);
  ref::ConvShape& s = p->shape;
  s.batches = input.dim(0);
  s.in_h = input.dim(1);
  s.in_w = input.dim(2);
  s.in_c = input.dim(3);
  s.out_c = filter.dim(0);
  s.filter_h = filter.dim(1);
  s.filter_w = filter.dim(2);
  s.filter_in_c = filter.dim(3);
  if (s.filter_in_c <= 0 || s.in_c % s.filter_in_c != 0 || s.out_c <= 0 ||
      s.out_c % (s.in_c / s.filter_in_c) != 0 || s.filter_h <= 0 ||
      s.filter_w <= 0) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("filter does not match the input "
                                     "channels"),
                     filter.index);
  }
  p->act = opt->fused_activation_function();
  const Window w{opt->padding(), opt->stride_h(), opt->stride_w(),
                 opt->dilation_h_factor(), opt->dilation_w_factor()};
  return Geometry(ctx, w, &s, s.out_c);
}

struct DwParams {
  ref::DepthwiseShape shape;
  int32_t out_c;
  fb::ActivationFunctionType act;
};

MicroStatus ComputeDepthwise(MicroContext& ctx, DwParams* p) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckArity(ctx));
  const auto* opt = ctx.op()->builtin_options_as_DepthwiseConv2DOptions();
  if (opt == nullptr) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("missing DepthwiseConv2DOptions"));
  }
  const MicroTensor input = ctx.input(0);
  const MicroTensor filter = ctx.input(1);
  ref::DepthwiseShape& s = p->shape;
  s.batches = input.dim(0);
  s.in_h = input.dim(1);
  s.in_w = input.dim(2);
  s.in_c = input.dim(3);
  s.filter_h = filter.dim(1);
  s.filter_w = filter.dim(2);
  p->out_c = filter.dim(3);
  if (filter.dim(0) != 1 || s.in_c <= 0 || p->out_c <= 0 ||
      p->out_c % s.in_c != 0 || s.filter_h <= 0 || s.filter_w <= 0) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("depthwise filter must be [1, KH, KW, "
                                     "C * multiplier]"),
                     filter.index);
  }
  s.depth_multiplier = p->out_c / s.in_c;
  p->act = opt->fused_activation_function();
  const Window w{opt->padding(), opt->stride_h(), opt->stride_w(),
                 opt->dilation_h_factor(), opt->dilation_w_factor()};
  return Geometry(ctx, w, &s, p->out_c);
}

// Type checks shared by both ops; asks for the multiplier scratch.
MicroStatus PrepareTypes(MicroContext& ctx, int32_t out_c,
                         int32_t quantized_dim,
                         fb::ActivationFunctionType act) {
  const MicroTensor input = ctx.input(0);
  const MicroTensor filter = ctx.input(1);
  const MicroTensor output = ctx.output(0);
  if (input.type == fb::TensorType::FLOAT32) {
    if (filter.type != fb::TensorType::FLOAT32 ||
        output.type != fb::TensorType::FLOAT32) {
      return ctx.Error(MicroStatus::kUnsupported,
                       EMBER_MICRO_MSG("float convolution needs float "
                                       "filter and output"));
    }
    if (ctx.has_input(2)) {
      EMBER_MICRO_RETURN_IF_ERROR(
          CheckBias(ctx, ctx.input(2), out_c, fb::TensorType::FLOAT32));
    }
    float lo = 0.0f, hi = 0.0f;
    return FloatActivationRange(ctx, act, &lo, &hi);
  }
  if (input.type != fb::TensorType::INT8 ||
      filter.type != fb::TensorType::INT8 ||
      output.type != fb::TensorType::INT8) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("convolution supports int8 and float32"));
  }
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, input));
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, output));
  EMBER_MICRO_RETURN_IF_ERROR(
      CheckWeightQuant(ctx, filter, out_c, quantized_dim, true));
  if (ctx.has_input(2)) {
    EMBER_MICRO_RETURN_IF_ERROR(
        CheckBias(ctx, ctx.input(2), out_c, fb::TensorType::INT32));
  }
  int32_t lo = 0, hi = 0;
  EMBER_MICRO_RETURN_IF_ERROR(
      QuantizedActivationRange(ctx, act, output, &lo, &hi));
  return ctx.RequestScratch(sizeof(int32_t) * 2 * static_cast<size_t>(out_c));
}

MicroStatus QuantizedOutputOf(MicroContext& ctx, int32_t out_c,
                              fb::ActivationFunctionType act,
                              ref::QuantizedOutput* q) {
  const MicroTensor output = ctx.output(0);
  auto* multiplier = static_cast<int32_t*>(ctx.scratch());
  int32_t* shift = multiplier + out_c;
  FillOutputMultipliers(ctx.input(0), ctx.input(1), output, out_c, multiplier,
                        shift);
  q->output_offset = output.zero_point;
  q->multiplier = multiplier;
  q->shift = shift;
  q->rounding = ref::Rounding::kDouble;
  return QuantizedActivationRange(ctx, act, output, &q->act_lo, &q->act_hi);
}

MicroStatus PrepareConv(MicroContext& ctx) {
  ConvParams p;
  EMBER_MICRO_RETURN_IF_ERROR(ComputeConv(ctx, &p));
  return PrepareTypes(ctx, p.shape.out_c, 0, p.act);
}

MicroStatus EvalConv(MicroContext& ctx) {
  ConvParams p;
  EMBER_MICRO_RETURN_IF_ERROR(ComputeConv(ctx, &p));
  const MicroTensor input = ctx.input(0);
  const MicroTensor filter = ctx.input(1);
  const MicroTensor output = ctx.output(0);
  const MicroTensor bias = ctx.has_input(2) ? ctx.input(2) : MicroTensor{};
  if (input.type == fb::TensorType::FLOAT32) {
    float lo = 0.0f, hi = 0.0f;
    EMBER_MICRO_RETURN_IF_ERROR(FloatActivationRange(ctx, p.act, &lo, &hi));
    ref::ConvFloat(p.shape, input.as<float>(), filter.as<float>(),
                   bias.as<float>(), lo, hi, output.as<float>());
    return MicroStatus::kOk;
  }
  ref::QuantizedOutput q;
  EMBER_MICRO_RETURN_IF_ERROR(QuantizedOutputOf(ctx, p.shape.out_c, p.act, &q));
  ConvS8(p.shape, input.as<int8_t>(), -input.zero_point, filter.as<int8_t>(),
         -filter.zero_point, bias.as<int32_t>(), q, output.as<int8_t>());
  return MicroStatus::kOk;
}

MicroStatus PrepareDepthwise(MicroContext& ctx) {
  DwParams p;
  EMBER_MICRO_RETURN_IF_ERROR(ComputeDepthwise(ctx, &p));
  return PrepareTypes(ctx, p.out_c, 3, p.act);
}

MicroStatus EvalDepthwise(MicroContext& ctx) {
  DwParams p;
  EMBER_MICRO_RETURN_IF_ERROR(ComputeDepthwise(ctx, &p));
  const MicroTensor input = ctx.input(0);
  const MicroTensor filter = ctx.input(1);
  const MicroTensor output = ctx.output(0);
  const MicroTensor bias = ctx.has_input(2) ? ctx.input(2) : MicroTensor{};
  if (input.type == fb::TensorType::FLOAT32) {
    float lo = 0.0f, hi = 0.0f;
    EMBER_MICRO_RETURN_IF_ERROR(FloatActivationRange(ctx, p.act, &lo, &hi));
    ref::DepthwiseConvFloat(p.shape, input.as<float>(), filter.as<float>(),
                            bias.as<float>(), lo, hi, output.as<float>());
    return MicroStatus::kOk;
  }
  ref::QuantizedOutput q;
  EMBER_MICRO_RETURN_IF_ERROR(QuantizedOutputOf(ctx, p.out_c, p.act, &q));
  DepthwiseS8(p.shape, input.as<int8_t>(), -input.zero_point,
              filter.as<int8_t>(), -filter.zero_point, bias.as<int32_t>(), q,
              output.as<int8_t>());
  return MicroStatus::kOk;
}

}  // namespace

const MicroOpRegistration kMicroConv2D = {
    static_cast<int32_t>(fb::BuiltinOperator::CONV_2D), "CONV_2D", PrepareConv,
    EvalConv, kMicroOpNone};

const MicroOpRegistration kMicroDepthwiseConv2D = {
    static_cast<int32_t>(fb::BuiltinOperator::DEPTHWISE_CONV_2D),
    "DEPTHWISE_CONV_2D", PrepareDepthwise, EvalDepthwise, kMicroOpNone};

}  // namespace ember::micro
