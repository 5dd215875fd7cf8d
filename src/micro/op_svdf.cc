// SVDF, full integer: int8 input/feature weights/output, int32 bias, and
// int16 time weights and state (LiteRT's scheme) or int8 ones with a state
// zero point (TFLite Micro's). The state is a variable tensor, kept in the
// arena's persistent tail; the int32 scratch is planned with the node. On
// cores with the DSP extension the integer path runs dsp_svdf.h (same
// bits).
#include "kernels/ref/svdf.h"
#include "micro/int8_kernels.h"
#include "micro/micro_op_util.h"
#include "micro/micro_ops.h"

namespace ember::micro {
namespace {

constexpr int32_t kInput = 0, kFeature = 1, kTime = 2, kBias = 3, kState = 4;

struct SvdfParams {
  ref::SvdfDims dims;
  ref::SvdfQuantParams q;
};

MicroStatus Compute(MicroContext& ctx, SvdfParams* p) {
  if (ctx.num_inputs() != 5 || ctx.num_outputs() != 1 ||
      !ctx.has_input(kInput) || !ctx.has_input(kFeature) ||
      !ctx.has_input(kTime) || !ctx.has_input(kState)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("SVDF needs 5 inputs (bias optional), "
                                     "1 output"));
  }
  const auto* opt = ctx.op()->builtin_options_as_SVDFOptions();
  if (opt == nullptr) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("missing SVDFOptions"));
  }
  const MicroTensor input = ctx.input(kInput);
  const MicroTensor feature = ctx.input(kFeature);
  const MicroTensor time = ctx.input(kTime);
  const MicroTensor state = ctx.input(kState);
  const MicroTensor output = ctx.output(0);
  if (input.rank != 2 || feature.rank != 2 || time.rank != 2 ||
      state.rank != 2) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("SVDF tensors must be 2-D"));
  }
  ref::SvdfDims& d = p->dims;
  d.batch = input.dim(0);
  d.input_size = input.dim(1);
  d.filters = feature.dim(0);
  d.memory = time.dim(1);
  d.rank = opt->rank();
  if (d.rank <= 0 || d.filters <= 0 || d.filters % d.rank != 0 ||
      d.memory <= 0 || feature.dim(1) != d.input_size ||
      time.dim(0) != d.filters || state.dim(0) != d.batch ||
      state.dim(1) != d.memory * d.filters ||
      output.NumElements() != static_cast<int64_t>(d.batch) * d.units()) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("SVDF shapes are inconsistent"));
  }
  if (ctx.has_input(kBias)) {
    EMBER_MICRO_RETURN_IF_ERROR(
        CheckBias(ctx, ctx.input(kBias), d.units(), fb::TensorType::INT32));
  }
  if (input.type != fb::TensorType::INT8 ||
      feature.type != fb::TensorType::INT8 ||
      output.type != fb::TensorType::INT8 ||
      !((time.type == fb::TensorType::INT16 &&
         state.type == fb::TensorType::INT16) ||
        (time.type == fb::TensorType::INT8 &&
         state.type == fb::TensorType::INT8))) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("SVDF supports int8 with int16 or int8 "
                                     "time weights and state"));
  }
  if (opt->fused_activation_function() != fb::ActivationFunctionType::RELU) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("int8 SVDF supports only RELU"));
  }
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, input));
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, feature));
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, time));
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, state));
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, output));
  if ((state.type == fb::TensorType::INT16 && state.zero_point != 0) ||
      time.zero_point != 0) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("SVDF time weights (and an int16 state) "
                                     "need zero point 0"));
  }
  p->q.state_zero_point = state.zero_point;
  // Products of float scales, computed in float like the reference.
  const float s1 = input.scale * feature.scale / state.scale;
  const float s2 = state.scale * time.scale / output.scale;
  ref::QuantizeMultiplier(s1, &p->q.feature_multiplier, &p->q.feature_shift);
  ref::QuantizeMultiplier(s2, &p->q.time_multiplier, &p->q.time_shift);
  p->q.input_zero_point = input.zero_point;
  p->q.output_zero_point = output.zero_point;
  return MicroStatus::kOk;
}

MicroStatus Prepare(MicroContext& ctx) {
  SvdfParams p;
  EMBER_MICRO_RETURN_IF_ERROR(Compute(ctx, &p));
  const MicroTensor state = ctx.input(kState);
  if (state.data == nullptr) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("SVDF state must be a variable tensor"),
                     state.index);
  }
  return ctx.RequestScratch(sizeof(int32_t) *
                            static_cast<size_t>(p.dims.batch) *
                            static_cast<size_t>(p.dims.filters));
}

MicroStatus Eval(MicroContext& ctx) {
  SvdfParams p;
  EMBER_MICRO_RETURN_IF_ERROR(Compute(ctx, &p));
  const MicroTensor input = ctx.input(kInput);
  const MicroTensor feature = ctx.input(kFeature);
  const MicroTensor time = ctx.input(kTime);
  const MicroTensor state = ctx.input(kState);
  const MicroTensor bias =
      ctx.has_input(kBias) ? ctx.input(kBias) : MicroTensor{};
  auto* scratch = static_cast<int32_t*>(ctx.scratch());
  if (state.type == fb::TensorType::INT16) {
    SvdfS8<int16_t>(p.dims, p.q, input.as<int8_t>(), feature.as<int8_t>(),
                    time.as<int16_t>(), bias.as<int32_t>(), state.as<int16_t>(),
                    scratch, ctx.output(0).as<int8_t>());
  } else {
    SvdfS8<int8_t>(p.dims, p.q, input.as<int8_t>(), feature.as<int8_t>(),
                   time.as<int8_t>(), bias.as<int32_t>(), state.as<int8_t>(),
                   scratch, ctx.output(0).as<int8_t>());
  }
  return MicroStatus::kOk;
}

}  // namespace

const MicroOpRegistration kMicroSvdf = {
    static_cast<int32_t>(fb::BuiltinOperator::SVDF), "SVDF", Prepare, Eval,
    kMicroOpNone};

}  // namespace ember::micro
