// LOCAL_RESPONSE_NORMALIZATION (float, 4-D NHWC, across channels).
#include "kernels/ref/local_response_normalization.h"

#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct LrnData {
  ref::LrnParams params;
};

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(CheckType(ctx, in, "input", DataType::kFloat32));
  EMBER_RETURN_IF_ERROR(CheckType(ctx, out, "output", DataType::kFloat32));
  if (in->shape.rank != 4) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "input must be 4-D, has rank %d", in->shape.rank);
  }
  const auto* opt =
      ctx.op()->builtin_options_as_LocalResponseNormalizationOptions();
  if (opt == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "missing LocalResponseNormalizationOptions");
  }
  if (opt->radius() < 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "radius %d must not be negative", opt->radius());
  }
  auto& p = ctx.op_data<LrnData>()->params;
  p.depth = in->shape.dims[3];
  p.outer = p.depth > 0 ? in->NumElements() / p.depth : 0;
  p.radius = opt->radius();
  p.bias = opt->bias();
  p.alpha = opt->alpha();
  p.beta = opt->beta();
  return ctx.ResizeOutput(0, in->shape);
}

Status Eval(OpContext& ctx) {
  ref::LocalResponseNormalization(ctx.op_data<LrnData>()->params,
                                  ctx.input(0)->data_as<float>(),
                                  ctx.output(0)->data_as<float>());
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_LOCAL_RESPONSE_NORMALIZATION() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::LOCAL_RESPONSE_NORMALIZATION),
      "LOCAL_RESPONSE_NORMALIZATION",
      sizeof(LrnData),
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
