// FULLY_CONNECTED: int8 (per-tensor or per-channel weights, int32 bias) and
// float32, over the reference kernels. The requantization multipliers are
// computed into the node's scratch buffer at every Eval (they are not kept
// in the arena between invocations). On Cortex-M55 the int8 path runs
// mve_kernels.h (Helium), on other cores with the DSP extension
// dsp_kernels.h (same bits).
#include "kernels/ref/fully_connected.h"
#include "micro/int8_kernels.h"
#include "micro/micro_op_util.h"
#include "micro/micro_ops.h"

namespace ember::micro {
namespace {

struct FcParams {
  ref::FullyConnectedShape shape;
  fb::ActivationFunctionType act = fb::ActivationFunctionType::NONE;
};

MicroStatus Compute(MicroContext& ctx, FcParams* p) {
  if (ctx.num_inputs() < 2 || ctx.num_inputs() > 3 || ctx.num_outputs() != 1 ||
      !ctx.has_input(0) || !ctx.has_input(1)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("FULLY_CONNECTED needs 2-3 inputs, 1 "
                                     "output"));
  }
  const MicroTensor input = ctx.input(0);
  const MicroTensor weights = ctx.input(1);
  const MicroTensor output = ctx.output(0);
  const auto* opt = ctx.op()->builtin_options_as_FullyConnectedOptions();
  if (opt && opt->weights_format() !=
                 fb::FullyConnectedOptionsWeightsFormat::DEFAULT) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("shuffled weights are not supported"));
  }
  p->act =
      opt ? opt->fused_activation_function() : fb::ActivationFunctionType::NONE;
  if (weights.rank != 2 || weights.dim(0) <= 0 || weights.dim(1) <= 0) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("weights must be 2-D and not empty"),
                     weights.index);
  }
  ref::FullyConnectedShape& s = p->shape;
  s.units = weights.dim(0);
  s.depth = weights.dim(1);
  const int64_t total = input.NumElements();
  if (total % s.depth != 0 ||
      output.NumElements() != (total / s.depth) * s.units) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("input/output sizes do not match the "
                                     "weights"),
                     output.index);
  }
  s.batches = static_cast<int32_t>(total / s.depth);
  return MicroStatus::kOk;
}

MicroStatus Prepare(MicroContext& ctx) {
  FcParams p;
  EMBER_MICRO_RETURN_IF_ERROR(Compute(ctx, &p));
  const MicroTensor input = ctx.input(0);
  const MicroTensor weights = ctx.input(1);
  const MicroTensor output = ctx.output(0);
  const bool has_bias = ctx.has_input(2);
  if (input.type == fb::TensorType::FLOAT32) {
    if (weights.type != fb::TensorType::FLOAT32 ||
        output.type != fb::TensorType::FLOAT32) {
      return ctx.Error(MicroStatus::kUnsupported,
                       EMBER_MICRO_MSG("float FULLY_CONNECTED needs float "
                                       "weights and output"));
    }
    if (has_bias) {
      EMBER_MICRO_RETURN_IF_ERROR(
          CheckBias(ctx, ctx.input(2), p.shape.units, fb::TensorType::FLOAT32));
    }
    float lo = 0.0f, hi = 0.0f;
    return FloatActivationRange(ctx, p.act, &lo, &hi);
  }
  if (input.type != fb::TensorType::INT8 ||
      weights.type != fb::TensorType::INT8 ||
      output.type != fb::TensorType::INT8) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("FULLY_CONNECTED supports int8 and "
                                     "float32"));
  }
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, input));
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, output));
  EMBER_MICRO_RETURN_IF_ERROR(CheckWeightQuant(ctx, weights, p.shape.units, 0,
                                               weights.scale_count() > 1));
  if (has_bias) {
    EMBER_MICRO_RETURN_IF_ERROR(
        CheckBias(ctx, ctx.input(2), p.shape.units, fb::TensorType::INT32));
  }
  int32_t lo = 0, hi = 0;
  EMBER_MICRO_RETURN_IF_ERROR(
      QuantizedActivationRange(ctx, p.act, output, &lo, &hi));
  return ctx.RequestScratch(sizeof(int32_t) * 2 *
                            static_cast<size_t>(p.shape.units));
}

MicroStatus Eval(MicroContext& ctx) {
  FcParams p;
  EMBER_MICRO_RETURN_IF_ERROR(Compute(ctx, &p));
  const MicroTensor input = ctx.input(0);
  const MicroTensor weights = ctx.input(1);
  const MicroTensor output = ctx.output(0);
  const MicroTensor bias = ctx.has_input(2) ? ctx.input(2) : MicroTensor{};
  if (input.type == fb::TensorType::FLOAT32) {
    float lo = 0.0f, hi = 0.0f;
    EMBER_MICRO_RETURN_IF_ERROR(FloatActivationRange(ctx, p.act, &lo, &hi));
    ref::FullyConnectedFloat(p.shape, input.as<float>(), weights.as<float>(),
                             bias.as<float>(), lo, hi, output.as<float>());
    return MicroStatus::kOk;
  }
  auto* multiplier = static_cast<int32_t*>(ctx.scratch());
  int32_t* shift = multiplier + p.shape.units;
  FillOutputMultipliers(input, weights, output, p.shape.units, multiplier,
                        shift);
  ref::QuantizedOutput q;
  q.output_offset = output.zero_point;
  q.multiplier = multiplier;
  q.shift = shift;
  // LiteRT's FULLY_CONNECTED rounds once (the host op does the same).
  q.rounding = ref::Rounding::kSingle;
  EMBER_MICRO_RETURN_IF_ERROR(
      QuantizedActivationRange(ctx, p.act, output, &q.act_lo, &q.act_hi));
  FullyConnectedS8(p.shape, input.as<int8_t>(), -input.zero_point,
                   weights.as<int8_t>(), -weights.zero_point,
                   bias.as<int32_t>(), q, output.as<int8_t>());
  return MicroStatus::kOk;
}

}  // namespace

const MicroOpRegistration kMicroFullyConnected = {
    static_cast<int32_t>(fb::BuiltinOperator::FULLY_CONNECTED),
    "FULLY_CONNECTED", Prepare, Eval, kMicroOpNone};

}  // namespace ember::micro
