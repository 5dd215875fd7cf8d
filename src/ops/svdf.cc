// SVDF: float, and full-integer int8 with an int16 activation state (LiteRT)
// or an int8 state with a zero point (TFLite Micro's variant).
#include "kernels/ref/svdf.h"

#include "ops/seq_util.h"

namespace ember::ops {
namespace {

struct SvdfData {
  ref::SvdfDims dims;
  ref::SvdfQuantParams q;
  seq::FloatAct act;
  int scratch_index;
};

constexpr int kInput = 0, kFeature = 1, kTime = 2, kBias = 3, kState = 4;

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 3, 5, 1));
  if (ctx.num_inputs() != 5) {
    return ctx.Error(StatusCode::kInvalidModel, "expects 5 inputs, has %d",
                     ctx.num_inputs());
  }
  const Tensor* input = ctx.input(kInput);
  const Tensor* feature = ctx.input(kFeature);
  const Tensor* time = ctx.input(kTime);
  const Tensor* bias = ctx.input(kBias);  // optional
  const Tensor* state = ctx.input(kState);
  if (state == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "activation state input is missing");
  }
  Tensor* output = ctx.output(0);
  const auto* options = ctx.op()->builtin_options_as_SVDFOptions();
  if (options == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel, "SVDFOptions are missing");
  }
  EMBER_RETURN_IF_ERROR(seq::CheckRank(ctx, input, "input", 2));
  EMBER_RETURN_IF_ERROR(seq::CheckRank(ctx, feature, "weights_feature", 2));
  EMBER_RETURN_IF_ERROR(seq::CheckRank(ctx, time, "weights_time", 2));
  EMBER_RETURN_IF_ERROR(seq::CheckRank(ctx, state, "activation state", 2));
  auto* d = ctx.op_data<SvdfData>();
  d->dims.batch = input->shape.dims[0];
  d->dims.input_size = input->shape.dims[1];
  d->dims.filters = feature->shape.dims[0];
  d->dims.memory = time->shape.dims[1];
  d->dims.rank = options->rank();
  if (d->dims.rank <= 0) {
    return ctx.Error(StatusCode::kInvalidModel, "rank must be positive, got %d",
                     d->dims.rank);
  }
  if (d->dims.filters <= 0 || d->dims.filters % d->dims.rank != 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "filters (%d) must be a positive multiple of rank (%d)",
                     d->dims.filters, d->dims.rank);
  }
  if (d->dims.memory <= 0) {
    return ctx.Error(StatusCode::kInvalidModel, "memory size must be positive");
  }
  const int units = d->dims.units();
  EMBER_RETURN_IF_ERROR(
      seq::CheckDim(ctx, feature, "weights_feature", 1, d->dims.input_size));
  EMBER_RETURN_IF_ERROR(
      seq::CheckDim(ctx, time, "weights_time", 0, d->dims.filters));
  if (bias) {
    EMBER_RETURN_IF_ERROR(seq::CheckRank(ctx, bias, "bias", 1));
    EMBER_RETURN_IF_ERROR(seq::CheckDim(ctx, bias, "bias", 0, units));
  }
  EMBER_RETURN_IF_ERROR(
      seq::CheckDim(ctx, state, "activation state", 0, d->dims.batch));
  EMBER_RETURN_IF_ERROR(seq::CheckDim(ctx, state, "activation state", 1,
                                      d->dims.memory * d->dims.filters));
  EMBER_RETURN_IF_ERROR(seq::CheckVariable(ctx, state, "activation state"));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, input, output));
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, MakeShape({d->dims.batch, units})));
  const auto act = options->fused_activation_function();
  const size_t scratch_elems =
      static_cast<size_t>(d->dims.batch) * static_cast<size_t>(d->dims.filters);
  switch (input->type) {
    case DataType::kFloat32: {
      EMBER_RETURN_IF_ERROR(
          CheckType(ctx, feature, "weights_feature", DataType::kFloat32));
      EMBER_RETURN_IF_ERROR(
          CheckType(ctx, time, "weights_time", DataType::kFloat32));
      EMBER_RETURN_IF_ERROR(
          CheckType(ctx, state, "activation state", DataType::kFloat32));
      if (bias)
        EMBER_RETURN_IF_ERROR(CheckType(ctx, bias, "bias", DataType::kFloat32));
      EMBER_RETURN_IF_ERROR(seq::ToFloatAct(ctx, act, &d->act));
      return ctx.RequestScratch(scratch_elems * sizeof(float),
                                &d->scratch_index);
    }
    case DataType::kInt8: {
      if (feature->type == DataType::kFloat32) {
        return ctx.Error(StatusCode::kUnsupported,
                         "int8 input with float weights is not supported");
      }
      EMBER_RETURN_IF_ERROR(
          CheckType(ctx, feature, "weights_feature", DataType::kInt8));
      // int16 time weights and state (LiteRT), or int8 ones with a state
      // zero point (TFLite Micro's variant).
      if (!((time->type == DataType::kInt16 &&
             state->type == DataType::kInt16) ||
            (time->type == DataType::kInt8 &&
             state->type == DataType::kInt8))) {
        return ctx.Error(
            StatusCode::kUnsupported,
            "int8 SVDF needs int16 or int8 weights_time and activation "
            "state of the same type (has %s and %s)",
            DataTypeName(time->type), DataTypeName(state->type));
      }
      if (bias)
        EMBER_RETURN_IF_ERROR(CheckType(ctx, bias, "bias", DataType::kInt32));
      if (act != fb::ActivationFunctionType::RELU) {
        return ctx.Error(StatusCode::kUnsupported,
                         "int8 SVDF supports only the RELU fused activation, "
                         "got %s",
                         fb::EnumNameActivationFunctionType(act));
      }
      EMBER_RETURN_IF_ERROR(seq::CheckQuantized(ctx, input, "input"));
      EMBER_RETURN_IF_ERROR(
          seq::CheckQuantized(ctx, feature, "weights_feature"));
      EMBER_RETURN_IF_ERROR(seq::CheckQuantized(ctx, time, "weights_time"));
      EMBER_RETURN_IF_ERROR(
          seq::CheckQuantized(ctx, state, "activation state"));
      EMBER_RETURN_IF_ERROR(seq::CheckQuantized(ctx, output, "output"));
      if (state->type == DataType::kInt16)
        EMBER_RETURN_IF_ERROR(
            seq::CheckZeroPoint(ctx, state, "activation state", 0));
      EMBER_RETURN_IF_ERROR(seq::CheckZeroPoint(ctx, time, "weights_time", 0));
      d->q.state_zero_point = state->quant.zero_point0();
      // Products of float scales, computed in float like the reference.
      const float s1 = input->quant.scale0() * feature->quant.scale0() /
                       state->quant.scale0();
      const float s2 =
          state->quant.scale0() * time->quant.scale0() / output->quant.scale0();
      ref::QuantizeMultiplier(s1, &d->q.feature_multiplier,
                              &d->q.feature_shift);
      ref::QuantizeMultiplier(s2, &d->q.time_multiplier, &d->q.time_shift);
      d->q.input_zero_point = input->quant.zero_point0();
      d->q.output_zero_point = output->quant.zero_point0();
      return ctx.RequestScratch(scratch_elems * sizeof(int32_t),
                                &d->scratch_index);
    }
    default:
      return UnsupportedType(ctx, input, "input");
  }
}

Status Eval(OpContext& ctx) {
  const Tensor* input = ctx.input(kInput);
  const Tensor* feature = ctx.input(kFeature);
  const Tensor* time = ctx.input(kTime);
  const Tensor* bias = ctx.input(kBias);
  Tensor* state = ctx.input(kState);
  Tensor* output = ctx.output(0);
  const auto& d = *ctx.op_data<SvdfData>();
  switch (input->type) {
    case DataType::kFloat32: {
      const seq::FloatAct act = d.act;
      ref::SvdfFloat(d.dims, input->data_as<float>(), feature->data_as<float>(),
                     time->data_as<float>(),
                     bias ? bias->data_as<float>() : nullptr,
                     state->data_as<float>(),
                     static_cast<float*>(ctx.scratch(d.scratch_index)),
                     output->data_as<float>(),
                     [act](float x) { return seq::ApplyFloatAct(act, x); });
      return Status::Ok();
    }
    case DataType::kInt8:
      if (state->type == DataType::kInt16) {
        ref::SvdfInt8<int16_t>(
            d.dims, d.q, input->data_as<int8_t>(), feature->data_as<int8_t>(),
            time->data_as<int16_t>(), bias ? bias->data_as<int32_t>() : nullptr,
            state->data_as<int16_t>(),
            static_cast<int32_t*>(ctx.scratch(d.scratch_index)),
            output->data_as<int8_t>());
      } else {
        ref::SvdfInt8<int8_t>(
            d.dims, d.q, input->data_as<int8_t>(), feature->data_as<int8_t>(),
            time->data_as<int8_t>(), bias ? bias->data_as<int32_t>() : nullptr,
            state->data_as<int8_t>(),
            static_cast<int32_t*>(ctx.scratch(d.scratch_index)),
            output->data_as<int8_t>());
      }
      return Status::Ok();
    default:
      return UnsupportedType(ctx, input, "input");
  }
}

}  // namespace

const OpRegistration* Register_SVDF() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::SVDF),
      "SVDF",
      sizeof(SvdfData),
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
