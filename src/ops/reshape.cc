// RESHAPE, SQUEEZE, EXPAND_DIMS: same bytes, new shape. The output may alias
// the input (kOpFlagOutputAliasesInput0); Eval copies only when it does not.
#include <cstring>

#include "ops/shape_util.h"

namespace ember::ops {
namespace {

Status CheckPassThroughTypes(OpContext& ctx, const Tensor* in,
                             const Tensor* out) {
  size_t size;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, in, "input", &size));
  return CheckSameType(ctx, in, out);
}

Status CopyIfNeeded(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const size_t bytes = BytesFor(in->type, in->NumElements());
  if (out->data != in->data && bytes > 0) memcpy(out->data, in->data, bytes);
  return Status::Ok();
}

// ---- RESHAPE ---------------------------------------------------------------

// Where the new shape comes from: a 1-D int32 shape tensor (input 1) when
// present, else the new_shape option (a legacy [0] meaning a scalar).
bool UsesShapeTensor(OpContext& ctx) {
  const Tensor* shape = ctx.num_inputs() >= 2 ? ctx.input(1) : nullptr;
  return shape != nullptr && shape->shape.rank == 1 &&
         (shape->type == DataType::kInt32 || shape->type == DataType::kInt64);
}

Status ComputeReshape(OpContext& ctx, Shape* out_shape) {
  int64_t dims[kMaxRank];
  int rank = 0;
  if (UsesShapeTensor(ctx)) {
    EMBER_RETURN_IF_ERROR(
        ReadInts(ctx, ctx.input(1), "shape input", dims, kMaxRank, &rank));
  } else {
    const auto* options = ctx.op()->builtin_options_as_ReshapeOptions();
    const auto* ns = options ? options->new_shape() : nullptr;
    if (ns == nullptr) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "needs a 1-D int32 shape input or the new_shape option");
    }
    if (ns->size() > static_cast<uint32_t>(kMaxRank)) {
      return ctx.Error(StatusCode::kUnsupported,
                       "new_shape has %u dims, at most %d supported",
                       ns->size(), kMaxRank);
    }
    rank = static_cast<int>(ns->size());
    for (int i = 0; i < rank; ++i) dims[i] = ns->Get(i);
    if (rank == 1 && dims[0] == 0) rank = 0;  // legacy scalar encoding
  }
  const int64_t in_elements = ctx.input(0)->NumElements();
  int stretch = -1;
  int64_t known = 1;
  for (int i = 0; i < rank; ++i) {
    if (dims[i] == -1) {
      if (stretch >= 0) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "new shape has more than one -1");
      }
      stretch = i;
    } else if (dims[i] < 0) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "new shape has negative dimension %lld",
                       static_cast<long long>(dims[i]));
    } else {
      known *= dims[i];
      if (known > kMaxShapeElements) {
        return ctx.Error(StatusCode::kInvalidModel, "new shape is too large");
      }
    }
  }
  if (stretch >= 0) {
    if (known == 0) {
      if (in_elements != 0) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "cannot infer the -1 dimension next to a zero "
                         "dimension");
      }
      // Empty input and a zero among the given dims: like LiteRT, infer
      // from the non-zero dims on both sides.
      int64_t in_nonzero = 1, out_nonzero = 1;
      const Shape& is = ctx.input(0)->shape;
      for (int i = 0; i < is.rank; ++i)
        if (is.dims[i] != 0) in_nonzero *= is.dims[i];
      for (int i = 0; i < rank; ++i)
        if (i != stretch && dims[i] != 0) out_nonzero *= dims[i];
      dims[stretch] = in_nonzero / out_nonzero;
      known = 0;
    } else {
      dims[stretch] = in_elements / known;
    }
    known *= dims[stretch];
  }
  if (known != in_elements) {
    return ctx.Error(
        StatusCode::kInvalidModel, "cannot reshape %lld elements into %lld",
        static_cast<long long>(in_elements), static_cast<long long>(known));
  }
  return ShapeFromInts(ctx, dims, rank, "new shape", out_shape);
}

Status ReshapePrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 2, 1));
  EMBER_RETURN_IF_ERROR(
      CheckPassThroughTypes(ctx, ctx.input(0), ctx.output(0)));
  if (UsesShapeTensor(ctx) && !ctx.input(1)->is_constant()) {
    ctx.SetOutputDynamic(0);
    return Status::Ok();
  }
  Shape shape;
  EMBER_RETURN_IF_ERROR(ComputeReshape(ctx, &shape));
  return ctx.ResizeOutput(0, shape);
}

Status ReshapeEval(OpContext& ctx) {
  if (ctx.output(0)->allocation == Allocation::kDynamic) {
    Shape shape;
    EMBER_RETURN_IF_ERROR(ComputeReshape(ctx, &shape));
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, shape));
  }
  return CopyIfNeeded(ctx);
}

// ---- SQUEEZE ---------------------------------------------------------------

Status SqueezePrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  EMBER_RETURN_IF_ERROR(CheckPassThroughTypes(ctx, in, ctx.output(0)));
  const auto* options = ctx.op()->builtin_options_as_SqueezeOptions();
  const auto* sd = options ? options->squeeze_dims() : nullptr;
  const int rank = in->shape.rank;
  bool drop[kMaxRank] = {};
  if (sd == nullptr || sd->size() == 0) {
    for (int i = 0; i < rank; ++i) drop[i] = in->shape.dims[i] == 1;
  } else {
    if (sd->size() > static_cast<uint32_t>(kMaxRank)) {
      return ctx.Error(StatusCode::kInvalidModel, "too many squeeze_dims (%u)",
                       sd->size());
    }
    for (uint32_t k = 0; k < sd->size(); ++k) {
      int axis = 0;
      EMBER_RETURN_IF_ERROR(
          NormalizeAxis(ctx, sd->Get(k), rank, "squeeze dim", &axis));
      if (in->shape.dims[axis] != 1) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "cannot squeeze dim %d of size %d", axis,
                         in->shape.dims[axis]);
      }
      drop[axis] = true;
    }
  }
  Shape out;
  for (int i = 0; i < rank; ++i)
    if (!drop[i]) out.dims[out.rank++] = in->shape.dims[i];
  return ctx.ResizeOutput(0, out);
}

// ---- EXPAND_DIMS -----------------------------------------------------------

Status ComputeExpandDims(OpContext& ctx, Shape* out) {
  const Tensor* in = ctx.input(0);
  int64_t axis_values[1] = {0};
  int count = 0;
  const Tensor* axis_t = ctx.input(1);
  if (axis_t->NumElements() != 1) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "axis must have exactly one element, has %lld",
                     static_cast<long long>(axis_t->NumElements()));
  }
  EMBER_RETURN_IF_ERROR(ReadInts(ctx, axis_t, "axis", axis_values, 1, &count));
  const int rank = in->shape.rank;
  if (rank + 1 > kMaxRank) {
    return ctx.Error(StatusCode::kUnsupported, "output rank exceeds %d",
                     kMaxRank);
  }
  int axis = 0;
  EMBER_RETURN_IF_ERROR(
      NormalizeAxis(ctx, axis_values[0], rank + 1, "axis", &axis));
  Shape s;
  s.rank = rank + 1;
  for (int i = 0, j = 0; i < s.rank; ++i)
    s.dims[i] = (i == axis) ? 1 : in->shape.dims[j++];
  *out = s;
  return Status::Ok();
}

Status ExpandDimsPrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  EMBER_RETURN_IF_ERROR(
      CheckPassThroughTypes(ctx, ctx.input(0), ctx.output(0)));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.input(1), "axis", DataType::kInt32, DataType::kInt64));
  if (!ctx.input(1)->is_constant()) {
    ctx.SetOutputDynamic(0);
    return Status::Ok();
  }
  Shape s;
  EMBER_RETURN_IF_ERROR(ComputeExpandDims(ctx, &s));
  return ctx.ResizeOutput(0, s);
}

Status ExpandDimsEval(OpContext& ctx) {
  if (ctx.output(0)->allocation == Allocation::kDynamic) {
    Shape s;
    EMBER_RETURN_IF_ERROR(ComputeExpandDims(ctx, &s));
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, s));
  }
  return CopyIfNeeded(ctx);
}

}  // namespace

const OpRegistration* Register_RESHAPE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::RESHAPE),
      "RESHAPE",
      0,
      ReshapePrepare,
      ReshapeEval,
      kOpFlagOutputAliasesInput0};
  return &reg;
}

const OpRegistration* Register_SQUEEZE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::SQUEEZE),
      "SQUEEZE",
      0,
      SqueezePrepare,
      CopyIfNeeded,
      kOpFlagOutputAliasesInput0};
  return &reg;
}

const OpRegistration* Register_EXPAND_DIMS() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::EXPAND_DIMS),
      "EXPAND_DIMS",
      0,
      ExpandDimsPrepare,
      ExpandDimsEval,
      kOpFlagOutputAliasesInput0};
  return &reg;
}

}  // namespace ember::ops
