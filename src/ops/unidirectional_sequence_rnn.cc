// UNIDIRECTIONAL_SEQUENCE_RNN and RNN (float): an Elman cell over a
// sequence (time or batch major) or a single step, with a variable hidden
// state that persists across invokes.
#include "kernels/ref/rnn.h"
#include "ops/seq_util.h"

namespace ember::ops {
namespace {

enum : int { kInput = 0, kWeights = 1, kRecurrent = 2, kBias = 3, kHidden = 4 };

struct RnnData {
  ref::RnnDims dims;
  int batch, max_time;
  bool time_major;
  seq::FloatAct act;
  int scratch;
};

Status PrepareCommon(OpContext& ctx, bool sequence) {
  // The bias is required, as in LiteRT.
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 5, 5, 1));
  auto* d = ctx.op_data<RnnData>();
  fb::ActivationFunctionType act;
  if (sequence) {
    const auto* o = ctx.op()->builtin_options_as_SequenceRNNOptions();
    if (o == nullptr)
      return ctx.Error(StatusCode::kInvalidModel,
                       "SequenceRNNOptions are missing");
    d->time_major = o->time_major();
    act = o->fused_activation_function();
  } else {
    const auto* o = ctx.op()->builtin_options_as_RNNOptions();
    if (o == nullptr)
      return ctx.Error(StatusCode::kInvalidModel, "RNNOptions are missing");
    d->time_major = false;
    act = o->fused_activation_function();
  }
  EMBER_RETURN_IF_ERROR(seq::ToFloatAct(ctx, act, &d->act));
  const Tensor* input = ctx.input(kInput);
  const Tensor* weights = ctx.input(kWeights);
  const Tensor* recurrent = ctx.input(kRecurrent);
  const Tensor* bias = ctx.input(kBias);
  const Tensor* hidden = ctx.input(kHidden);
  Tensor* output = ctx.output(0);
  EMBER_RETURN_IF_ERROR(seq::CheckRank(ctx, input, "input", sequence ? 3 : 2));
  if (sequence) {
    d->max_time = input->shape.dims[d->time_major ? 0 : 1];
    d->batch = input->shape.dims[d->time_major ? 1 : 0];
  } else {
    d->max_time = 1;
    d->batch = input->shape.dims[0];
  }
  d->dims.input_size = input->shape.dims[input->shape.rank - 1];
  EMBER_RETURN_IF_ERROR(seq::CheckRank(ctx, weights, "weights", 2));
  d->dims.units = weights->shape.dims[0];
  if (d->dims.units <= 0)
    return ctx.Error(StatusCode::kInvalidModel, "no units");
  EMBER_RETURN_IF_ERROR(
      seq::CheckDim(ctx, weights, "weights", 1, d->dims.input_size));
  EMBER_RETURN_IF_ERROR(seq::CheckRank(ctx, recurrent, "recurrent weights", 2));
  EMBER_RETURN_IF_ERROR(
      seq::CheckDim(ctx, recurrent, "recurrent weights", 0, d->dims.units));
  EMBER_RETURN_IF_ERROR(
      seq::CheckDim(ctx, recurrent, "recurrent weights", 1, d->dims.units));
  EMBER_RETURN_IF_ERROR(seq::CheckRank(ctx, bias, "bias", 1));
  EMBER_RETURN_IF_ERROR(seq::CheckDim(ctx, bias, "bias", 0, d->dims.units));
  EMBER_RETURN_IF_ERROR(seq::CheckVariable(ctx, hidden, "hidden state"));
  if (hidden->NumElements() != static_cast<int64_t>(d->batch) * d->dims.units) {
    return ctx.Error(
        StatusCode::kInvalidModel,
        "hidden state has %lld elements, expected batch %d x units %d",
        static_cast<long long>(hidden->NumElements()), d->batch, d->dims.units);
  }
  const Tensor* typed[] = {input, weights, recurrent, bias, hidden, output};
  const char* names[] = {"input", "weights",      "recurrent weights",
                         "bias",  "hidden state", "output"};
  for (int k = 0; k < 6; ++k) {
    if (typed[k] == nullptr) continue;
    if (typed[k]->type != DataType::kFloat32) {
      if (k == kWeights && input->type == DataType::kFloat32) {
        return ctx.Error(StatusCode::kUnsupported,
                         "hybrid RNN (%s weights) is not supported",
                         DataTypeName(typed[k]->type));
      }
      return UnsupportedType(ctx, typed[k], names[k]);
    }
  }
  Shape out_shape = input->shape;
  out_shape.dims[out_shape.rank - 1] = d->dims.units;
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, out_shape));
  return ctx.RequestScratch(sizeof(float) * d->dims.units, &d->scratch);
}

Status PrepareSequence(OpContext& ctx) { return PrepareCommon(ctx, true); }
Status PrepareSingle(OpContext& ctx) { return PrepareCommon(ctx, false); }

Status Eval(OpContext& ctx) {
  const auto& d = *ctx.op_data<RnnData>();
  const float* x = ctx.input(kInput)->data_as<float>();
  const float* w = ctx.input(kWeights)->data_as<float>();
  const float* r = ctx.input(kRecurrent)->data_as<float>();
  const Tensor* bias = ctx.input(kBias);
  float* hidden = ctx.input(kHidden)->data_as<float>();
  float* out = ctx.output(0)->data_as<float>();
  float* scratch = static_cast<float*>(ctx.scratch(d.scratch));
  const seq::FloatAct act = d.act;
  auto apply = [act](float v) { return seq::ApplyFloatAct(act, v); };
  for (int t = 0; t < d.max_time; ++t) {
    for (int b = 0; b < d.batch; ++b) {
      const int64_t row = d.time_major
                              ? static_cast<int64_t>(t) * d.batch + b
                              : static_cast<int64_t>(b) * d.max_time + t;
      ref::RnnStepFloat(d.dims, x + row * d.dims.input_size, w, r,
                        bias->data_as<float>(),
                        hidden + static_cast<int64_t>(b) * d.dims.units,
                        scratch, out + row * d.dims.units, apply);
    }
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_UNIDIRECTIONAL_SEQUENCE_RNN() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_RNN),
      "UNIDIRECTIONAL_SEQUENCE_RNN",
      sizeof(RnnData),
      PrepareSequence,
      Eval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_RNN() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::RNN),
      "RNN",
      sizeof(RnnData),
      PrepareSingle,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
