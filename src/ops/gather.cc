// GATHER (axis, batch_dims; int16/int32/int64 indices) and GATHER_ND.
// Out-of-range indices fail Eval with an error, never read out of bounds.
#include "kernels/ref/gather.h"

#include "ops/shape_util.h"

namespace ember::ops {
namespace {

Status CheckIndexType(OpContext& ctx, const Tensor* t) {
  if (t->type == DataType::kInt32 || t->type == DataType::kInt64 ||
      t->type == DataType::kInt16)
    return Status::Ok();
  return ctx.Error(StatusCode::kInvalidModel,
                   "indices have type %s, expected int16, int32 or int64",
                   DataTypeName(t->type));
}

template <typename F>
bool DispatchIndex(DataType type, const void* data, F&& f) {
  switch (type) {
    case DataType::kInt16:
      return f(static_cast<const int16_t*>(data));
    case DataType::kInt32:
      return f(static_cast<const int32_t*>(data));
    default:
      return f(static_cast<const int64_t*>(data));
  }
}

// ---- GATHER ----------------------------------------------------------------

Status GatherPrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* params = ctx.input(0);
  const Tensor* indices = ctx.input(1);
  Tensor* out = ctx.output(0);
  size_t es;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, params, "params", &es));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, params, out));
  EMBER_RETURN_IF_ERROR(CheckIndexType(ctx, indices));
  const auto* o = ctx.op()->builtin_options_as_GatherOptions();
  const int prank = params->shape.rank, irank = indices->shape.rank;
  int axis = 0;
  EMBER_RETURN_IF_ERROR(
      NormalizeAxis(ctx, o ? o->axis() : 0, prank, "axis", &axis));
  int batch_dims = o ? o->batch_dims() : 0;
  if (batch_dims < 0) batch_dims += irank;
  if (batch_dims < 0 || batch_dims > irank || batch_dims > axis) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "batch_dims %d is invalid for axis %d and indices rank %d",
                     o ? o->batch_dims() : 0, axis, irank);
  }
  for (int i = 0; i < batch_dims; ++i) {
    if (params->shape.dims[i] != indices->shape.dims[i]) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "batch dim %d differs: params %d, indices %d", i,
                       params->shape.dims[i], indices->shape.dims[i]);
    }
  }
  const int out_rank = prank - 1 + irank - batch_dims;
  if (out_rank > kMaxRank) {
    return ctx.Error(StatusCode::kUnsupported, "output rank %d exceeds %d",
                     out_rank, kMaxRank);
  }
  Shape s;
  for (int i = 0; i < axis; ++i) s.dims[s.rank++] = params->shape.dims[i];
  for (int i = batch_dims; i < irank; ++i)
    s.dims[s.rank++] = indices->shape.dims[i];
  for (int i = axis + 1; i < prank; ++i)
    s.dims[s.rank++] = params->shape.dims[i];
  auto* p = ctx.op_data<ref::GatherParams>();
  p->batches = 1;
  p->outer = 1;
  p->inner = 1;
  p->coords = 1;
  for (int i = 0; i < batch_dims; ++i) p->batches *= params->shape.dims[i];
  for (int i = batch_dims; i < axis; ++i) p->outer *= params->shape.dims[i];
  for (int i = axis + 1; i < prank; ++i) p->inner *= params->shape.dims[i];
  for (int i = batch_dims; i < irank; ++i) p->coords *= indices->shape.dims[i];
  p->axis_size = params->shape.dims[axis];
  return ctx.ResizeOutput(0, s);
}

Status GatherEval(OpContext& ctx) {
  const Tensor* params = ctx.input(0);
  const Tensor* indices = ctx.input(1);
  Tensor* out = ctx.output(0);
  const auto& p = *ctx.op_data<ref::GatherParams>();
  int64_t bad = 0;
  const bool ok =
      DispatchIndex(indices->type, indices->data, [&](const auto* idx) {
        return ref::Gather(p, static_cast<const uint8_t*>(params->data), idx,
                           static_cast<uint8_t*>(out->data),
                           DataTypeSize(params->type), &bad);
      });
  if (!ok) {
    return ctx.Error(
        StatusCode::kInvalidArgument, "index %lld is out of range [0, %lld)",
        static_cast<long long>(bad), static_cast<long long>(p.axis_size));
  }
  return Status::Ok();
}

// ---- GATHER_ND -------------------------------------------------------------

Status GatherNdPrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* params = ctx.input(0);
  const Tensor* indices = ctx.input(1);
  Tensor* out = ctx.output(0);
  size_t es;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, params, "params", &es));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, params, out));
  EMBER_RETURN_IF_ERROR(CheckIndexType(ctx, indices));
  const int prank = params->shape.rank, irank = indices->shape.rank;
  if (prank < 1 || irank < 1) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "params and indices must have rank >= 1");
  }
  const int depth = indices->shape.dims[irank - 1];
  if (depth > prank) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "index depth %d exceeds the params rank %d", depth, prank);
  }
  const int out_rank = irank - 1 + prank - depth;
  if (out_rank > kMaxRank) {
    return ctx.Error(StatusCode::kUnsupported, "output rank %d exceeds %d",
                     out_rank, kMaxRank);
  }
  auto* p = ctx.op_data<ref::GatherNdParams>();
  p->depth = depth;
  p->slice = 1;
  for (int i = depth; i < prank; ++i) p->slice *= params->shape.dims[i];
  int64_t stride = 1;
  for (int k = depth - 1; k >= 0; --k) {
    p->dims[k] = params->shape.dims[k];
    p->strides[k] = stride;
    stride *= params->shape.dims[k];
  }
  p->rows = 1;
  Shape s;
  for (int i = 0; i < irank - 1; ++i) {
    p->rows *= indices->shape.dims[i];
    s.dims[s.rank++] = indices->shape.dims[i];
  }
  for (int i = depth; i < prank; ++i) s.dims[s.rank++] = params->shape.dims[i];
  return ctx.ResizeOutput(0, s);
}

Status GatherNdEval(OpContext& ctx) {
  const Tensor* params = ctx.input(0);
  const Tensor* indices = ctx.input(1);
  Tensor* out = ctx.output(0);
  const auto& p = *ctx.op_data<ref::GatherNdParams>();
  int64_t bad = 0;
  const bool ok =
      DispatchIndex(indices->type, indices->data, [&](const auto* idx) {
        return ref::GatherNd(p, static_cast<const uint8_t*>(params->data), idx,
                             static_cast<uint8_t*>(out->data),
                             DataTypeSize(params->type), &bad);
      });
  if (!ok) {
    return ctx.Error(StatusCode::kInvalidArgument, "index %lld is out of range",
                     static_cast<long long>(bad));
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_GATHER() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::GATHER),
      "GATHER",
      sizeof(ref::GatherParams),
      GatherPrepare,
      GatherEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_GATHER_ND() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::GATHER_ND),
      "GATHER_ND",
      sizeof(ref::GatherNdParams),
      GatherNdPrepare,
      GatherNdEval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
