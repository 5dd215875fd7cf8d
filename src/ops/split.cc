// SPLIT (equal parts), SPLIT_V (given sizes, one may be -1) and UNPACK
// (split into slices along an axis that is removed).
#include "kernels/ref/concat_split.h"
#include "ops/shape_util.h"

namespace ember::ops {
namespace {

struct SplitData {
  int32_t axis;
};

// Value k of an int32/int64 1-D tensor whose data is readable.
int64_t IntAt(const Tensor* t, int64_t k) {
  return t->type == DataType::kInt32 ? t->data_as<int32_t>()[k]
                                     : t->data_as<int64_t>()[k];
}

Status ReadAxis(OpContext& ctx, const Tensor* axis_t, int rank, int* axis) {
  if (axis_t->NumElements() != 1) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "axis must have exactly one element");
  }
  int64_t v[1] = {0};
  int n = 0;
  EMBER_RETURN_IF_ERROR(ReadInts(ctx, axis_t, "axis", v, 1, &n));
  return NormalizeAxis(ctx, v[0], rank, "axis", axis);
}

// Validates the split along `axis` and resizes every output.
Status ResizeSplitOutputs(OpContext& ctx, const Tensor* in, int axis,
                          const Tensor* size_splits) {
  const int n = ctx.num_outputs();
  const int32_t dim = in->shape.dims[axis];
  int64_t fixed_sum = 0;
  int stretch = -1;
  if (size_splits != nullptr) {
    if (size_splits->NumElements() != n) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "size_splits has %lld entries for %d outputs",
                       static_cast<long long>(size_splits->NumElements()), n);
    }
    for (int k = 0; k < n; ++k) {
      const int64_t s = IntAt(size_splits, k);
      if (s == -1) {
        if (stretch >= 0) {
          return ctx.Error(StatusCode::kInvalidModel,
                           "size_splits has more than one -1");
        }
        stretch = k;
      } else if (s < 0) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "size_splits has negative entry %lld",
                         static_cast<long long>(s));
      } else {
        fixed_sum += s;
      }
    }
    if ((stretch < 0 && fixed_sum != dim) || fixed_sum > dim) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "size_splits sum to %lld but the axis has %d",
                       static_cast<long long>(fixed_sum), dim);
    }
  } else if (dim % n != 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "axis of size %d cannot be split into %d equal parts", dim,
                     n);
  }
  for (int k = 0; k < n; ++k) {
    Shape s = in->shape;
    if (size_splits == nullptr) {
      s.dims[axis] = dim / n;
    } else {
      s.dims[axis] = static_cast<int32_t>(k == stretch ? dim - fixed_sum
                                                       : IntAt(size_splits, k));
    }
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(k, s));
  }
  return Status::Ok();
}

Status CheckOutputs(OpContext& ctx, const Tensor* in) {
  size_t size;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, in, "input", &size));
  for (int k = 0; k < ctx.num_outputs(); ++k) {
    if (ctx.output(k) == nullptr) {
      return ctx.Error(StatusCode::kInvalidModel, "output %d is missing", k);
    }
    EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, ctx.output(k)));
  }
  return Status::Ok();
}

void CopySplits(OpContext& ctx, const Tensor* in, int axis) {
  const size_t es = DataTypeSize(in->type);
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= in->shape.dims[i];
  for (int i = axis + 1; i < in->shape.rank; ++i) inner *= in->shape.dims[i];
  const size_t in_row = in->shape.dims[axis] * inner * es;
  size_t col = 0;
  for (int k = 0; k < ctx.num_outputs(); ++k) {
    Tensor* out = ctx.output(k);
    const size_t out_row = out->shape.dims[axis] * inner * es;
    ref::CopyRowsOut(static_cast<const uint8_t*>(in->data), in_row, col,
                     static_cast<uint8_t*>(out->data), out_row, outer);
    col += out_row;
  }
}

void SetAllDynamic(OpContext& ctx) {
  for (int k = 0; k < ctx.num_outputs(); ++k) ctx.SetOutputDynamic(k);
}

// ---- SPLIT: inputs (axis, input) -----------------------------------------

Status SplitPrepare(OpContext& ctx) {
  const auto* options = ctx.op()->builtin_options_as_SplitOptions();
  const int num_splits = options ? options->num_splits() : 0;
  if (num_splits <= 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "num_splits %d must be positive", num_splits);
  }
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, num_splits));
  const Tensor* in = ctx.input(1);
  EMBER_RETURN_IF_ERROR(CheckOutputs(ctx, in));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.input(0), "axis", DataType::kInt32, DataType::kInt64));
  if (!ctx.input(0)->is_constant()) {
    SetAllDynamic(ctx);
    return Status::Ok();
  }
  auto* d = ctx.op_data<SplitData>();
  int axis = 0;
  EMBER_RETURN_IF_ERROR(ReadAxis(ctx, ctx.input(0), in->shape.rank, &axis));
  d->axis = axis;
  return ResizeSplitOutputs(ctx, in, axis, nullptr);
}

Status SplitEval(OpContext& ctx) {
  const Tensor* in = ctx.input(1);
  int axis = ctx.op_data<SplitData>()->axis;
  if (ctx.output(0)->allocation == Allocation::kDynamic) {
    EMBER_RETURN_IF_ERROR(ReadAxis(ctx, ctx.input(0), in->shape.rank, &axis));
    EMBER_RETURN_IF_ERROR(ResizeSplitOutputs(ctx, in, axis, nullptr));
  }
  CopySplits(ctx, in, axis);
  return Status::Ok();
}

// ---- SPLIT_V: inputs (input, size_splits, axis) ---------------------------

Status SplitVPrepare(OpContext& ctx) {
  const auto* options = ctx.op()->builtin_options_as_SplitVOptions();
  const int num_splits = options ? options->num_splits() : 0;
  if (num_splits <= 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "num_splits %d must be positive", num_splits);
  }
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 3, 3, num_splits));
  const Tensor* in = ctx.input(0);
  EMBER_RETURN_IF_ERROR(CheckOutputs(ctx, in));
  EMBER_RETURN_IF_ERROR(CheckType(ctx, ctx.input(1), "size_splits",
                                  DataType::kInt32, DataType::kInt64));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.input(2), "axis", DataType::kInt32, DataType::kInt64));
  if (ctx.input(1)->shape.rank != 1) {
    return ctx.Error(StatusCode::kInvalidModel, "size_splits must be 1-D");
  }
  if (!ctx.input(1)->is_constant() || !ctx.input(2)->is_constant()) {
    SetAllDynamic(ctx);
    return Status::Ok();
  }
  auto* d = ctx.op_data<SplitData>();
  int axis = 0;
  EMBER_RETURN_IF_ERROR(ReadAxis(ctx, ctx.input(2), in->shape.rank, &axis));
  d->axis = axis;
  return ResizeSplitOutputs(ctx, in, axis, ctx.input(1));
}

Status SplitVEval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  int axis = ctx.op_data<SplitData>()->axis;
  if (ctx.output(0)->allocation == Allocation::kDynamic) {
    EMBER_RETURN_IF_ERROR(ReadAxis(ctx, ctx.input(2), in->shape.rank, &axis));
    EMBER_RETURN_IF_ERROR(ResizeSplitOutputs(ctx, in, axis, ctx.input(1)));
  }
  CopySplits(ctx, in, axis);
  return Status::Ok();
}

// ---- UNPACK ----------------------------------------------------------------

Status UnpackPrepare(OpContext& ctx) {
  const auto* options = ctx.op()->builtin_options_as_UnpackOptions();
  if (options == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel, "missing UnpackOptions");
  }
  const Tensor* in = ctx.input(0);
  if (in == nullptr || ctx.num_inputs() != 1) {
    return ctx.Error(StatusCode::kInvalidModel, "expects exactly one input");
  }
  int axis = 0;
  EMBER_RETURN_IF_ERROR(
      NormalizeAxis(ctx, options->axis(), in->shape.rank, "axis", &axis));
  const int32_t dim = in->shape.dims[axis];
  if (options->num() != dim || ctx.num_outputs() != dim) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "num %d and %d outputs must equal the axis size %d",
                     options->num(), ctx.num_outputs(), dim);
  }
  EMBER_RETURN_IF_ERROR(CheckOutputs(ctx, in));
  ctx.op_data<SplitData>()->axis = axis;
  Shape s;
  for (int i = 0; i < in->shape.rank; ++i)
    if (i != axis) s.dims[s.rank++] = in->shape.dims[i];
  for (int k = 0; k < dim; ++k) EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(k, s));
  return Status::Ok();
}

Status UnpackEval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  const int axis = ctx.op_data<SplitData>()->axis;
  const size_t es = DataTypeSize(in->type);
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= in->shape.dims[i];
  for (int i = axis + 1; i < in->shape.rank; ++i) inner *= in->shape.dims[i];
  const size_t row = inner * es;
  for (int k = 0; k < ctx.num_outputs(); ++k) {
    ref::CopyRowsOut(static_cast<const uint8_t*>(in->data),
                     row * ctx.num_outputs(), row * k,
                     static_cast<uint8_t*>(ctx.output(k)->data), row, outer);
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_SPLIT() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::SPLIT),
      "SPLIT",
      sizeof(SplitData),
      SplitPrepare,
      SplitEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_SPLIT_V() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::SPLIT_V),
      "SPLIT_V",
      sizeof(SplitData),
      SplitVPrepare,
      SplitVEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_UNPACK() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::UNPACK),
      "UNPACK",
      sizeof(SplitData),
      UnpackPrepare,
      UnpackEval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
