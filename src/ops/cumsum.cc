// CUMSUM: running sum along a constant axis (input 1, int32 scalar).
#include "kernels/ref/cumsum.h"

#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct CumSumData {
  int64_t outer, depth, inner;
  bool exclusive, reverse;
};

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* in = ctx.input(0);
  const Tensor* axis = ctx.input(1);
  Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, out));
  if (in->type != DataType::kFloat32 && in->type != DataType::kInt32 &&
      in->type != DataType::kInt64) {
    return UnsupportedType(ctx, in, "input");
  }
  EMBER_RETURN_IF_ERROR(CheckType(ctx, axis, "axis", DataType::kInt32));
  if (axis->NumElements() != 1) {
    return ctx.Error(StatusCode::kInvalidModel, "axis must hold one value");
  }
  if (!axis->is_constant()) {
    return ctx.Error(StatusCode::kUnsupported,
                     "axis must be a constant tensor");
  }
  if (in->shape.rank < 1) {
    return ctx.Error(StatusCode::kInvalidModel, "input must have rank >= 1");
  }
  int32_t a = axis->data_as<int32_t>()[0];
  if (a < 0) a += in->shape.rank;
  if (a < 0 || a >= in->shape.rank) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "axis %d is out of range for rank %d",
                     axis->data_as<int32_t>()[0], in->shape.rank);
  }
  auto* d = ctx.op_data<CumSumData>();
  const auto* opt = ctx.op()->builtin_options_as_CumsumOptions();
  d->exclusive = opt != nullptr && opt->exclusive();
  d->reverse = opt != nullptr && opt->reverse();
  d->outer = d->inner = 1;
  for (int i = 0; i < a; ++i) d->outer *= in->shape.dims[i];
  for (int i = a + 1; i < in->shape.rank; ++i) d->inner *= in->shape.dims[i];
  d->depth = in->shape.dims[a];
  return ctx.ResizeOutput(0, in->shape);
}

Status Eval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const auto& d = *ctx.op_data<CumSumData>();
  switch (in->type) {
    case DataType::kFloat32:
      ref::CumSum(in->data_as<float>(), d.outer, d.depth, d.inner, d.exclusive,
                  d.reverse, out->data_as<float>());
      return Status::Ok();
    case DataType::kInt32:
      ref::CumSum(in->data_as<int32_t>(), d.outer, d.depth, d.inner,
                  d.exclusive, d.reverse, out->data_as<int32_t>());
      return Status::Ok();
    case DataType::kInt64:
      ref::CumSum(in->data_as<int64_t>(), d.outer, d.depth, d.inner,
                  d.exclusive, d.reverse, out->data_as<int64_t>());
      return Status::Ok();
    default:
      return UnsupportedType(ctx, in, "input");
  }
}

}  // namespace

const OpRegistration* Register_CUMSUM() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::CUMSUM),
      "CUMSUM",
      sizeof(CumSumData),
      Prepare,
      Eval,
      kOpFlagInPlaceInput0};
  return &reg;
}

}  // namespace ember::ops
