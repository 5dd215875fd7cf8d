// SOFTMAX over the last dimension: int8 input with int8 (scale 1/256, zero
// point -128) or int16 output, and float32. Rows may be computed in place.
#include "kernels/ref/softmax.h"
#include "micro/micro_op_util.h"
#include "micro/micro_ops.h"

namespace ember::micro {
namespace {

MicroStatus Compute(MicroContext& ctx, ref::SoftmaxParams* p) {
  if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1 || !ctx.has_input(0)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("SOFTMAX needs 1 input, 1 output"));
  }
  const auto* opt = ctx.op()->builtin_options_as_SoftmaxOptions();
  if (opt == nullptr) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("missing SoftmaxOptions"));
  }
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  if (in.rank < 1 || in.NumElements() != out.NumElements()) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("SOFTMAX output must match its input"),
                     out.index);
  }
  p->depth = in.dim(in.rank - 1);
  p->outer = p->depth > 0 ? in.NumElements() / p->depth : 0;
  p->beta = opt->beta();
  if (in.type == fb::TensorType::FLOAT32 &&
      out.type == fb::TensorType::FLOAT32) {
    return MicroStatus::kOk;
  }
  if (in.type != fb::TensorType::INT8 ||
      (out.type != fb::TensorType::INT8 && out.type != fb::TensorType::INT16)) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("SOFTMAX supports int8 -> int8/int16 "
                                     "and float32"),
                     in.index);
  }
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, in));
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, out));
  if (out.type == fb::TensorType::INT8 &&
      (out.zero_point != -128 ||
       std::fabs(out.scale - 1.0f / 256) > 0.001f * (1.0f / 256))) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("int8 SOFTMAX output must be scale 1/256 "
                                     "zero point -128"),
                     out.index);
  }
  ref::PrepareSoftmax8Bit(p->beta, in.scale, p);
  return MicroStatus::kOk;
}

MicroStatus Prepare(MicroContext& ctx) {
  ref::SoftmaxParams p;
  return Compute(ctx, &p);
}

MicroStatus Eval(MicroContext& ctx) {
  ref::SoftmaxParams p;
  EMBER_MICRO_RETURN_IF_ERROR(Compute(ctx, &p));
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  if (in.type == fb::TensorType::FLOAT32) {
    ref::SoftmaxFloat(p, in.as<float>(), out.as<float>());
  } else if (out.type == fb::TensorType::INT8) {
    ref::SoftmaxQuantized8(p, in.as<int8_t>(), out.as<int8_t>());
  } else {
    ref::SoftmaxQuantized8(p, in.as<int8_t>(), out.as<int16_t>());
  }
  return MicroStatus::kOk;
}

}  // namespace

// In place only when input and output have the same element size (the
// planner checks the byte counts).
const MicroOpRegistration kMicroSoftmax = {
    static_cast<int32_t>(fb::BuiltinOperator::SOFTMAX), "SOFTMAX", Prepare,
    Eval, kMicroOpInPlaceInput0};

}  // namespace ember::micro
