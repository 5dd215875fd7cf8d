// WHERE (one input): the coordinates of the non-zero / true elements of the
// condition, as an int64 [count, rank] tensor in row-major order. The output
// shape depends on the condition's values: computed in Prepare when the
// condition is constant, otherwise in Eval (dynamic output).
#include "ops/elementwise_util.h"

namespace ember::ops {
namespace {

bool Supported(DataType t) {
  switch (t) {
    case DataType::kBool:
    case DataType::kFloat32:
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kInt8:
    case DataType::kUInt8:
      return true;
    default:
      return false;
  }
}

template <typename T>
int64_t CountTrue(const Tensor* t) {
  const T* p = t->data_as<T>();
  int64_t n = 0;
  for (int64_t i = 0, e = t->NumElements(); i < e; ++i)
    n += (p[i] != T(0)) ? 1 : 0;
  return n;
}

int64_t CountTrueAny(const Tensor* t) {
  switch (t->type) {
    case DataType::kBool:
      return CountTrue<bool>(t);
    case DataType::kFloat32:
      return CountTrue<float>(t);
    case DataType::kInt32:
      return CountTrue<int32_t>(t);
    case DataType::kInt64:
      return CountTrue<int64_t>(t);
    case DataType::kInt8:
      return CountTrue<int8_t>(t);
    case DataType::kUInt8:
      return CountTrue<uint8_t>(t);
    default:
      return 0;
  }
}

Shape OutputShape(const Tensor* cond, int64_t count) {
  Shape s;
  s.rank = 2;
  s.dims[0] = static_cast<int32_t>(count);
  s.dims[1] = cond->shape.rank;
  return s;
}

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* cond = ctx.input(0);
  const Tensor* out = ctx.output(0);
  if (!Supported(cond->type)) return UnsupportedType(ctx, cond, "condition");
  EMBER_RETURN_IF_ERROR(CheckType(ctx, out, "output", DataType::kInt64));
  if (cond->shape.rank == 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "condition must have rank > 0 (is a scalar)");
  }
  if (cond->is_constant())
    return ctx.ResizeOutput(0, OutputShape(cond, CountTrueAny(cond)));
  ctx.SetOutputDynamic(0);
  return Status::Ok();
}

template <typename T>
void WriteCoordinates(const Tensor* cond, int64_t* out) {
  const T* p = cond->data_as<T>();
  const int rank = cond->shape.rank;
  int32_t idx[kMaxRank] = {};
  int64_t row = 0;
  for (int64_t i = 0, n = cond->NumElements(); i < n; ++i) {
    if (p[i] != T(0)) {
      for (int d = 0; d < rank; ++d) out[row * rank + d] = idx[d];
      ++row;
    }
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[d] < cond->shape.dims[d]) break;
      idx[d] = 0;
    }
  }
}

Status Eval(OpContext& ctx) {
  const Tensor* cond = ctx.input(0);
  if (!cond->is_constant() || ctx.node()->has_dynamic_output) {
    EMBER_RETURN_IF_ERROR(
        ctx.ResizeOutput(0, OutputShape(cond, CountTrueAny(cond))));
  }
  Tensor* out = ctx.output(0);
  int64_t* po = out->data_as<int64_t>();
  switch (cond->type) {
    case DataType::kBool:
      WriteCoordinates<bool>(cond, po);
      break;
    case DataType::kFloat32:
      WriteCoordinates<float>(cond, po);
      break;
    case DataType::kInt32:
      WriteCoordinates<int32_t>(cond, po);
      break;
    case DataType::kInt64:
      WriteCoordinates<int64_t>(cond, po);
      break;
    case DataType::kInt8:
      WriteCoordinates<int8_t>(cond, po);
      break;
    case DataType::kUInt8:
      WriteCoordinates<uint8_t>(cond, po);
      break;
    default:
      return UnsupportedType(ctx, cond, "condition");
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_WHERE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::WHERE),
      "WHERE",
      0,
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
