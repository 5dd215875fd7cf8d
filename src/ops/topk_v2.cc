// TOPK_V2: outputs (values, int32 indices) of the k largest entries along
// the last dim; k is a scalar int32 input (constant, or known at Eval).
#include "kernels/ref/topk.h"
#include "ops/shape_util.h"

namespace ember::ops {
namespace {

Status ComputeK(OpContext& ctx, int32_t* k, Shape* out) {
  const Tensor* in = ctx.input(0);
  const Tensor* kt = ctx.input(1);
  if (kt->NumElements() != 1) {
    return ctx.Error(StatusCode::kInvalidModel, "k must have one element");
  }
  int64_t v[1] = {0};
  int n = 0;
  EMBER_RETURN_IF_ERROR(ReadInts(ctx, kt, "k", v, 1, &n));
  const int32_t last = in->shape.dims[in->shape.rank - 1];
  if (v[0] < 0 || v[0] > last) {
    return ctx.Error(StatusCode::kInvalidArgument, "k %lld is outside [0, %d]",
                     static_cast<long long>(v[0]), last);
  }
  *k = static_cast<int32_t>(v[0]);
  Shape s = in->shape;
  s.dims[s.rank - 1] = *k;
  *out = s;
  return Status::Ok();
}

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 2));
  const Tensor* in = ctx.input(0);
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, ctx.output(0)));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.output(1), "indices output", DataType::kInt32));
  EMBER_RETURN_IF_ERROR(CheckType(ctx, ctx.input(1), "k", DataType::kInt32));
  switch (in->type) {
    case DataType::kFloat32:
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16:
    case DataType::kInt32:
    case DataType::kInt64:
      break;
    default:
      return UnsupportedType(ctx, in, "input");
  }
  if (in->shape.rank < 1) {
    return ctx.Error(StatusCode::kInvalidModel, "input must have rank >= 1");
  }
  if (!ctx.input(1)->is_constant()) {
    ctx.SetOutputDynamic(0);
    ctx.SetOutputDynamic(1);
    return Status::Ok();
  }
  int32_t k = 0;
  Shape s;
  EMBER_RETURN_IF_ERROR(ComputeK(ctx, &k, &s));
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, s));
  return ctx.ResizeOutput(1, s);
}

template <typename T>
void Run(const Tensor* in, Tensor* values, Tensor* indices, int32_t k) {
  const int32_t row = in->shape.dims[in->shape.rank - 1];
  const int64_t rows = row == 0 ? 0 : in->NumElements() / row;
  ref::TopK(in->data_as<T>(), rows, row, k, values->data_as<T>(),
            indices->data_as<int32_t>());
}

Status Eval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* values = ctx.output(0);
  Tensor* indices = ctx.output(1);
  int32_t k = 0;
  Shape s;
  EMBER_RETURN_IF_ERROR(ComputeK(ctx, &k, &s));
  if (values->allocation == Allocation::kDynamic) {
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, s));
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(1, s));
  }
  switch (in->type) {
    case DataType::kFloat32:
      Run<float>(in, values, indices, k);
      break;
    case DataType::kInt8:
      Run<int8_t>(in, values, indices, k);
      break;
    case DataType::kUInt8:
      Run<uint8_t>(in, values, indices, k);
      break;
    case DataType::kInt16:
      Run<int16_t>(in, values, indices, k);
      break;
    case DataType::kInt32:
      Run<int32_t>(in, values, indices, k);
      break;
    default:
      Run<int64_t>(in, values, indices, k);
      break;
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_TOPK_V2() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::TOPK_V2),
      "TOPK_V2",
      0,
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
