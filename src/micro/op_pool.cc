// AVERAGE_POOL_2D and MAX_POOL_2D over NHWC, int8 (input and output share
// their quantization) and float32, over the reference kernels.
#include "kernels/ref/pooling.h"
#include "micro/micro_op_util.h"
#include "micro/micro_ops.h"

namespace ember::micro {
namespace {

MicroStatus Compute(MicroContext& ctx, ref::PoolParams* p) {
  if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1 || !ctx.has_input(0)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("pooling needs 1 input, 1 output"));
  }
  const auto* opt = ctx.op()->builtin_options_as_Pool2DOptions();
  if (opt == nullptr) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("missing Pool2DOptions"));
  }
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  if (in.rank != 4 || in.type != out.type) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("pooling input must be 4-D, output of "
                                     "the same type"));
  }
  if (opt->filter_height() <= 0 || opt->filter_width() <= 0) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("pooling filter must be positive"));
  }
  p->batches = in.dim(0);
  p->in_h = in.dim(1);
  p->in_w = in.dim(2);
  p->channels = in.dim(3);
  p->filter_h = opt->filter_height();
  p->filter_w = opt->filter_width();
  p->stride_h = opt->stride_h();
  p->stride_w = opt->stride_w();
  MicroPaddedDim ph, pw;
  EMBER_MICRO_RETURN_IF_ERROR(ComputePaddedDim(
      ctx, opt->padding(), p->in_h, p->filter_h, p->stride_h, 1, &ph));
  EMBER_MICRO_RETURN_IF_ERROR(ComputePaddedDim(
      ctx, opt->padding(), p->in_w, p->filter_w, p->stride_w, 1, &pw));
  p->out_h = ph.out;
  p->out_w = pw.out;
  p->pad_h = ph.pad_before;
  p->pad_w = pw.pad_before;
  const int32_t want[4] = {p->batches, p->out_h, p->out_w, p->channels};
  if (!SameShape(out, want, 4)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("pooling output shape does not match"),
                     out.index);
  }
  const auto act = opt->fused_activation_function();
  if (in.type == fb::TensorType::FLOAT32) {
    return FloatActivationRange(ctx, act, &p->float_lo, &p->float_hi);
  }
  if (in.type != fb::TensorType::INT8) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("pooling supports int8 and float32"),
                     in.index);
  }
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, in));
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, out));
  if (std::fabs(in.scale - out.scale) > 1e-6f ||
      in.zero_point != out.zero_point) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("pooling input and output quantization "
                                     "must match"),
                     out.index);
  }
  return QuantizedActivationRange(ctx, act, out, &p->quant_lo, &p->quant_hi);
}

MicroStatus Prepare(MicroContext& ctx) {
  ref::PoolParams p;
  return Compute(ctx, &p);
}

MicroStatus EvalAverage(MicroContext& ctx) {
  ref::PoolParams p;
  EMBER_MICRO_RETURN_IF_ERROR(Compute(ctx, &p));
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  if (in.type == fb::TensorType::FLOAT32) {
    ref::AveragePoolFloat(p, in.as<float>(), out.as<float>());
  } else {
    ref::AveragePoolQuantized(p, in.as<int8_t>(), out.as<int8_t>());
  }
  return MicroStatus::kOk;
}

MicroStatus EvalMax(MicroContext& ctx) {
  ref::PoolParams p;
  EMBER_MICRO_RETURN_IF_ERROR(Compute(ctx, &p));
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  if (in.type == fb::TensorType::FLOAT32) {
    ref::MaxPoolFloat(p, in.as<float>(), out.as<float>());
  } else {
    ref::MaxPoolQuantized(p, in.as<int8_t>(), out.as<int8_t>());
  }
  return MicroStatus::kOk;
}

}  // namespace

const MicroOpRegistration kMicroAveragePool2D = {
    static_cast<int32_t>(fb::BuiltinOperator::AVERAGE_POOL_2D),
    "AVERAGE_POOL_2D", Prepare, EvalAverage, kMicroOpNone};

const MicroOpRegistration kMicroMaxPool2D = {
    static_cast<int32_t>(fb::BuiltinOperator::MAX_POOL_2D), "MAX_POOL_2D",
    Prepare, EvalMax, kMicroOpNone};

}  // namespace ember::micro
