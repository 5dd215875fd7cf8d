// SHAPE, FILL, ZEROS_LIKE and RANGE: ops that create values
// rather than move them.
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "ops/shape_util.h"

namespace ember::ops {
namespace {

// ---- SHAPE -----------------------------------------------------------------

Status ShapePrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, out, "output", DataType::kInt32, DataType::kInt64));
  const auto* o = ctx.op()->builtin_options_as_ShapeOptions();
  if (o != nullptr &&
      static_cast<int>(o->out_type()) != static_cast<int>(out->type) &&
      o->out_type() != fb::TensorType::FLOAT32 /* unset */) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "out_type option differs from the output type %s",
                     DataTypeName(out->type));
  }
  return ctx.ResizeOutput(0, MakeShape({ctx.input(0)->shape.rank}));
}

Status ShapeEval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  for (int i = 0; i < in->shape.rank; ++i) {
    if (out->type == DataType::kInt32)
      out->data_as<int32_t>()[i] = in->shape.dims[i];
    else
      out->data_as<int64_t>()[i] = in->shape.dims[i];
  }
  return Status::Ok();
}

// ---- FILL ------------------------------------------------------------------

Status FillShape(OpContext& ctx, Shape* s) {
  int64_t dims[kMaxRank];
  int n = 0;
  EMBER_RETURN_IF_ERROR(
      ReadInts(ctx, ctx.input(0), "dims", dims, kMaxRank, &n));
  return ShapeFromInts(ctx, dims, n, "dims", s);
}

Status FillPrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* dims = ctx.input(0);
  const Tensor* value = ctx.input(1);
  Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, dims, "dims", DataType::kInt32, DataType::kInt64));
  if (dims->shape.rank != 1) {
    return ctx.Error(StatusCode::kInvalidModel, "dims must be 1-D");
  }
  size_t es;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, value, "value", &es));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, value, out));
  if (value->NumElements() != 1) {
    return ctx.Error(StatusCode::kInvalidModel, "value must be a scalar");
  }
  if (!dims->is_constant()) {
    ctx.SetOutputDynamic(0);
    return Status::Ok();
  }
  Shape s;
  EMBER_RETURN_IF_ERROR(FillShape(ctx, &s));
  return ctx.ResizeOutput(0, s);
}

void FillWith(Tensor* out, const void* value, size_t es) {
  uint8_t* o = static_cast<uint8_t*>(out->data);
  const int64_t n = out->NumElements();
  for (int64_t i = 0; i < n; ++i) memcpy(o + i * es, value, es);
}

Status FillEval(OpContext& ctx) {
  Tensor* out = ctx.output(0);
  if (out->allocation == Allocation::kDynamic) {
    Shape s;
    EMBER_RETURN_IF_ERROR(FillShape(ctx, &s));
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, s));
  }
  const Tensor* value = ctx.input(1);
  FillWith(out, value->data, DataTypeSize(value->type));
  return Status::Ok();
}

// ---- ZEROS_LIKE --------------------------------------------------

Status LikePrepare(OpContext& ctx, bool ones) {  // ones: reserved
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, ctx.output(0)));
  switch (in->type) {
    case DataType::kFloat32:
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16:
    case DataType::kBool:
      break;
    default:
      return UnsupportedType(ctx, in, "input");
  }
  (void)ones;
  return ctx.ResizeOutput(0, in->shape);
}

Status ZerosPrepare(OpContext& ctx) { return LikePrepare(ctx, false); }

Status ZerosEval(OpContext& ctx) {
  Tensor* out = ctx.output(0);
  const size_t bytes = BytesFor(out->type, out->NumElements());
  if (bytes > 0) memset(out->data, 0, bytes);
  return Status::Ok();
}

// ---- RANGE -----------------------------------------------------------------

template <typename T>
Status RangeSize(OpContext& ctx, T start, T limit, T delta, int64_t* size) {
  if (delta == 0) {
    return ctx.Error(StatusCode::kInvalidArgument, "delta must not be zero");
  }
  if (!((start >= limit && delta < 0) || (start <= limit && delta > 0))) {
    return ctx.Error(StatusCode::kInvalidArgument,
                     "delta has the wrong sign for the range");
  }
  double n;
  if constexpr (std::is_integral_v<T>) {
    const double span =
        std::fabs(static_cast<double>(limit) - static_cast<double>(start));
    const double step = std::fabs(static_cast<double>(delta));
    n = std::ceil(span / step);
  } else {
    n = std::ceil(std::fabs((limit - start) / delta));
  }
  if (!(n >= 0) || n > static_cast<double>(INT32_MAX)) {
    return ctx.Error(StatusCode::kInvalidArgument, "range is too large");
  }
  *size = static_cast<int64_t>(n);
  return Status::Ok();
}

template <typename T>
Status RangeTyped(OpContext& ctx, bool compute) {
  const T start = *ctx.input(0)->data_as<T>();
  const T limit = *ctx.input(1)->data_as<T>();
  const T delta = *ctx.input(2)->data_as<T>();
  int64_t n = 0;
  EMBER_RETURN_IF_ERROR(RangeSize(ctx, start, limit, delta, &n));
  EMBER_RETURN_IF_ERROR(
      ctx.ResizeOutput(0, MakeShape({static_cast<int32_t>(n)})));
  if (!compute) return Status::Ok();
  T* out = ctx.output(0)->data_as<T>();
  T value = start;
  for (int64_t i = 0; i < n; ++i) {
    out[i] = value;
    value += delta;
  }
  return Status::Ok();
}

Status RangeDispatch(OpContext& ctx, bool compute) {
  switch (ctx.input(0)->type) {
    case DataType::kInt32:
      return RangeTyped<int32_t>(ctx, compute);
    case DataType::kInt64:
      return RangeTyped<int64_t>(ctx, compute);
    case DataType::kFloat32:
      return RangeTyped<float>(ctx, compute);
    default:
      return UnsupportedType(ctx, ctx.input(0), "start");
  }
}

Status RangePrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 3, 3, 1));
  bool constant = true;
  const char* names[3] = {"start", "limit", "delta"};
  for (int i = 0; i < 3; ++i) {
    const Tensor* t = ctx.input(i);
    EMBER_RETURN_IF_ERROR(CheckSameType(ctx, ctx.input(0), t));
    if (t->NumElements() != 1) {
      return ctx.Error(StatusCode::kInvalidModel, "%s must be a scalar",
                       names[i]);
    }
    constant = constant && t->is_constant();
  }
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, ctx.input(0), ctx.output(0)));
  switch (ctx.input(0)->type) {
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kFloat32:
      break;
    default:
      return UnsupportedType(ctx, ctx.input(0), "start");
  }
  if (!constant) {
    ctx.SetOutputDynamic(0);
    return Status::Ok();
  }
  return RangeDispatch(ctx, false);
}

Status RangeEval(OpContext& ctx) { return RangeDispatch(ctx, true); }

}  // namespace

const OpRegistration* Register_SHAPE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::SHAPE),
      "SHAPE",
      0,
      ShapePrepare,
      ShapeEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_FILL() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::FILL),
      "FILL",
      0,
      FillPrepare,
      FillEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_ZEROS_LIKE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::ZEROS_LIKE),
      "ZEROS_LIKE",
      0,
      ZerosPrepare,
      ZerosEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_RANGE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::RANGE),
      "RANGE",
      0,
      RangePrepare,
      RangeEval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
