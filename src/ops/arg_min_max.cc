// ARG_MAX / ARG_MIN: int32 or int64 output (the output tensor's type), any
// axis (a one-element int32/int64 input), ties resolved to the first index.
#include "kernels/ref/arg_min_max.h"

#include "ops/shape_util.h"

namespace ember::ops {
namespace {

Status ComputeArg(OpContext& ctx, Shape* out) {
  const Tensor* in = ctx.input(0);
  const Tensor* axis_t = ctx.input(1);
  if (axis_t->NumElements() != 1) {
    return ctx.Error(StatusCode::kInvalidModel, "axis must have one element");
  }
  int64_t v[1] = {0};
  int n = 0;
  EMBER_RETURN_IF_ERROR(ReadInts(ctx, axis_t, "axis", v, 1, &n));
  int axis = 0;
  EMBER_RETURN_IF_ERROR(
      NormalizeAxis(ctx, v[0], in->shape.rank, "axis", &axis));
  if (in->shape.dims[axis] == 0) {
    return ctx.Error(StatusCode::kInvalidArgument, "reduced axis %d is empty",
                     axis);
  }
  auto* p = ctx.op_data<ref::ArgParams>();
  p->outer = 1;
  p->inner = 1;
  Shape s;
  for (int d = 0; d < in->shape.rank; ++d) {
    if (d < axis) p->outer *= in->shape.dims[d];
    if (d > axis) p->inner *= in->shape.dims[d];
    if (d != axis) s.dims[s.rank++] = in->shape.dims[d];
  }
  p->axis_size = in->shape.dims[axis];
  *out = s;
  return Status::Ok();
}

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* in = ctx.input(0);
  EMBER_RETURN_IF_ERROR(CheckType(ctx, ctx.output(0), "output",
                                  DataType::kInt32, DataType::kInt64));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.input(1), "axis", DataType::kInt32, DataType::kInt64));
  switch (in->type) {
    case DataType::kFloat32:
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16:
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kBool:
      break;
    default:
      return UnsupportedType(ctx, in, "input");
  }
  if (in->shape.rank < 1) {
    return ctx.Error(StatusCode::kInvalidModel, "input must have rank >= 1");
  }
  if (!ctx.input(1)->is_constant()) {
    ctx.SetOutputDynamic(0);
    return Status::Ok();
  }
  Shape s;
  EMBER_RETURN_IF_ERROR(ComputeArg(ctx, &s));
  return ctx.ResizeOutput(0, s);
}

template <bool kMax, typename Out>
void Run(const ref::ArgParams& p, const Tensor* in, Out* out) {
  switch (in->type) {
    case DataType::kFloat32:
      ref::ArgMinMax<float, Out, kMax>(p, in->data_as<float>(), out);
      break;
    case DataType::kInt8:
      ref::ArgMinMax<int8_t, Out, kMax>(p, in->data_as<int8_t>(), out);
      break;
    case DataType::kUInt8:
      ref::ArgMinMax<uint8_t, Out, kMax>(p, in->data_as<uint8_t>(), out);
      break;
    case DataType::kBool:
      ref::ArgMinMax<uint8_t, Out, kMax>(p, in->data_as<uint8_t>(), out);
      break;
    case DataType::kInt16:
      ref::ArgMinMax<int16_t, Out, kMax>(p, in->data_as<int16_t>(), out);
      break;
    case DataType::kInt32:
      ref::ArgMinMax<int32_t, Out, kMax>(p, in->data_as<int32_t>(), out);
      break;
    default:
      ref::ArgMinMax<int64_t, Out, kMax>(p, in->data_as<int64_t>(), out);
      break;
  }
}

template <bool kMax>
Status Eval(OpContext& ctx) {
  Tensor* out = ctx.output(0);
  if (out->allocation == Allocation::kDynamic) {
    Shape s;
    EMBER_RETURN_IF_ERROR(ComputeArg(ctx, &s));
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, s));
  }
  const auto& p = *ctx.op_data<ref::ArgParams>();
  if (out->type == DataType::kInt32) {
    Run<kMax>(p, ctx.input(0), out->data_as<int32_t>());
  } else {
    Run<kMax>(p, ctx.input(0), out->data_as<int64_t>());
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_ARG_MAX() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::ARG_MAX),
      "ARG_MAX",
      sizeof(ref::ArgParams),
      Prepare,
      Eval<true>,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_ARG_MIN() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::ARG_MIN),
      "ARG_MIN",
      sizeof(ref::ArgParams),
      Prepare,
      Eval<false>,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
