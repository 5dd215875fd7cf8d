// TILE (repeat by multiples), BROADCAST_TO (numpy broadcast to a shape) and
// REVERSE_V2 (reverse along the listed axes): type-agnostic data movement.
#include "kernels/ref/tile.h"

#include "kernels/ref/strided_copy.h"
#include "ops/shape_util.h"

namespace ember::ops {
namespace {

Status CheckIndexInput(OpContext& ctx, const Tensor* t, const char* what) {
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, t, what, DataType::kInt32, DataType::kInt64));
  if (t->shape.rank != 1) {
    return ctx.Error(StatusCode::kInvalidModel, "%s must be 1-D", what);
  }
  return Status::Ok();
}

Status CheckData(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  size_t es;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, ctx.input(0), "input", &es));
  return CheckSameType(ctx, ctx.input(0), ctx.output(0));
}

// ---- TILE ------------------------------------------------------------------

Status TileShape(OpContext& ctx, Shape* out) {
  const Tensor* in = ctx.input(0);
  int64_t m[kMaxRank];
  int n = 0;
  EMBER_RETURN_IF_ERROR(
      ReadInts(ctx, ctx.input(1), "multiples", m, kMaxRank, &n));
  if (n != in->shape.rank) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "multiples has %d entries for rank %d", n, in->shape.rank);
  }
  int64_t dims[kMaxRank];
  for (int d = 0; d < n; ++d) {
    if (m[d] < 0 || m[d] > INT32_MAX) {
      return ctx.Error(StatusCode::kInvalidArgument,
                       "multiple %d (%lld) is invalid", d,
                       static_cast<long long>(m[d]));
    }
    dims[d] = in->shape.dims[d] * m[d];
  }
  return ShapeFromInts(ctx, dims, n, "tiled output", out);
}

Status TilePrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckData(ctx));
  EMBER_RETURN_IF_ERROR(CheckIndexInput(ctx, ctx.input(1), "multiples"));
  if (!ctx.input(1)->is_constant()) {
    ctx.SetOutputDynamic(0);
    return Status::Ok();
  }
  Shape s;
  EMBER_RETURN_IF_ERROR(TileShape(ctx, &s));
  return ctx.ResizeOutput(0, s);
}

Status TileEval(OpContext& ctx) {
  Tensor* out = ctx.output(0);
  if (out->allocation == Allocation::kDynamic) {
    Shape s;
    EMBER_RETURN_IF_ERROR(TileShape(ctx, &s));
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, s));
  }
  const Tensor* in = ctx.input(0);
  ref::Tile(in->shape, in->data, out->shape, out->data, DataTypeSize(in->type));
  return Status::Ok();
}

// ---- BROADCAST_TO ----------------------------------------------------------

Status BroadcastShape(OpContext& ctx, ref::StridedCopyParams* p, Shape* out) {
  const Tensor* in = ctx.input(0);
  int64_t dims[kMaxRank];
  int n = 0;
  EMBER_RETURN_IF_ERROR(
      ReadInts(ctx, ctx.input(1), "shape", dims, kMaxRank, &n));
  Shape s;
  EMBER_RETURN_IF_ERROR(ShapeFromInts(ctx, dims, n, "shape", &s));
  if (n < in->shape.rank) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "target rank %d is below the input rank %d", n,
                     in->shape.rank);
  }
  int64_t in_strides[kMaxRank];
  ref::RowMajorStrides(in->shape, in_strides);
  *p = ref::StridedCopyParams();
  p->rank = n;
  for (int d = 0; d < n; ++d) {
    const int id = d - (n - in->shape.rank);
    const int32_t din = id >= 0 ? in->shape.dims[id] : 1;
    if (din != 1 && din != s.dims[d]) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "cannot broadcast dim %d of size %d to %d", id, din,
                       s.dims[d]);
    }
    p->dims[d] = s.dims[d];
    p->src_strides[d] = (id >= 0 && din != 1) ? in_strides[id] : 0;
  }
  ref::RowMajorStrides(s, p->dst_strides);
  *out = s;
  return Status::Ok();
}

Status BroadcastPrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckData(ctx));
  EMBER_RETURN_IF_ERROR(CheckIndexInput(ctx, ctx.input(1), "shape"));
  if (!ctx.input(1)->is_constant()) {
    ctx.SetOutputDynamic(0);
    return Status::Ok();
  }
  Shape s;
  EMBER_RETURN_IF_ERROR(
      BroadcastShape(ctx, ctx.op_data<ref::StridedCopyParams>(), &s));
  return ctx.ResizeOutput(0, s);
}

// ---- REVERSE_V2 ------------------------------------------------------------

Status ReverseParams(OpContext& ctx, ref::StridedCopyParams* p) {
  const Tensor* in = ctx.input(0);
  int64_t axes[kMaxRank];
  int n = 0;
  EMBER_RETURN_IF_ERROR(
      ReadInts(ctx, ctx.input(1), "axis", axes, kMaxRank, &n));
  bool rev[kMaxRank] = {};
  for (int i = 0; i < n; ++i) {
    int a = 0;
    EMBER_RETURN_IF_ERROR(
        NormalizeAxis(ctx, axes[i], in->shape.rank, "axis", &a));
    if (rev[a]) {
      return ctx.Error(StatusCode::kInvalidModel, "axis %d is listed twice", a);
    }
    rev[a] = true;
  }
  int64_t strides[kMaxRank];
  ref::RowMajorStrides(in->shape, strides);
  *p = ref::StridedCopyParams();
  p->rank = in->shape.rank;
  for (int d = 0; d < p->rank; ++d) {
    p->dims[d] = in->shape.dims[d];
    p->dst_strides[d] = strides[d];
    p->src_strides[d] = rev[d] ? -strides[d] : strides[d];
    if (rev[d] && in->shape.dims[d] > 0)
      p->src_offset += (in->shape.dims[d] - 1) * strides[d];
  }
  return Status::Ok();
}

Status ReversePrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckData(ctx));
  EMBER_RETURN_IF_ERROR(CheckIndexInput(ctx, ctx.input(1), "axis"));
  if (ctx.input(1)->is_constant()) {
    EMBER_RETURN_IF_ERROR(
        ReverseParams(ctx, ctx.op_data<ref::StridedCopyParams>()));
  }
  return ctx.ResizeOutput(0, ctx.input(0)->shape);
}

Status CopyEval(OpContext& ctx, bool reverse) {
  Tensor* out = ctx.output(0);
  auto* p = ctx.op_data<ref::StridedCopyParams>();
  if (reverse && !ctx.input(1)->is_constant()) {
    EMBER_RETURN_IF_ERROR(ReverseParams(ctx, p));
  } else if (!reverse && out->allocation == Allocation::kDynamic) {
    Shape s;
    EMBER_RETURN_IF_ERROR(BroadcastShape(ctx, p, &s));
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, s));
  }
  const Tensor* in = ctx.input(0);
  ref::StridedCopy(in->data, out->data, DataTypeSize(in->type), *p);
  return Status::Ok();
}

Status BroadcastEval(OpContext& ctx) { return CopyEval(ctx, false); }
Status ReverseEval(OpContext& ctx) { return CopyEval(ctx, true); }

}  // namespace

const OpRegistration* Register_TILE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::TILE),
      "TILE",
      0,
      TilePrepare,
      TileEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_BROADCAST_TO() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::BROADCAST_TO),
      "BROADCAST_TO",
      sizeof(ref::StridedCopyParams),
      BroadcastPrepare,
      BroadcastEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_REVERSE_V2() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::REVERSE_V2),
      "REVERSE_V2",
      sizeof(ref::StridedCopyParams),
      ReversePrepare,
      ReverseEval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
