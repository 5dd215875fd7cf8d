// TRANSPOSE: output dim i is input dim perm[i]; any type, up to kMaxRank.
#include "kernels/drivers/transpose_blocked.h"
#include "kernels/ref/strided_copy.h"
#include "ops/shape_util.h"

namespace ember::ops {
namespace {

Status ComputeTranspose(OpContext& ctx, ref::StridedCopyParams* p,
                        Shape* out_shape) {
  const Tensor* in = ctx.input(0);
  int64_t perm[kMaxRank];
  int n = 0;
  EMBER_RETURN_IF_ERROR(
      ReadInts(ctx, ctx.input(1), "perm", perm, kMaxRank, &n));
  const int rank = in->shape.rank;
  if (n != rank) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "perm has %d entries but the input has rank %d", n, rank);
  }
  bool seen[kMaxRank] = {};
  int64_t in_strides[kMaxRank];
  ref::RowMajorStrides(in->shape, in_strides);
  Shape s;
  s.rank = rank;
  for (int i = 0; i < rank; ++i) {
    int axis = 0;
    EMBER_RETURN_IF_ERROR(
        NormalizeAxis(ctx, perm[i], rank, "perm entry", &axis));
    if (seen[axis]) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "perm is not a permutation (%d repeats)", axis);
    }
    seen[axis] = true;
    s.dims[i] = in->shape.dims[axis];
    p->dims[i] = s.dims[i];
    p->src_strides[i] = in_strides[axis];
  }
  p->rank = rank;
  ref::RowMajorStrides(s, p->dst_strides);
  *out_shape = s;
  return Status::Ok();
}

Status Prepare(OpContext& ctx) {
  // The blocked copy is plain C++ (no ISA needed) but still an optimized
  // kernel: EMBER_FORCE_REF turns it off.
  ctx.SetKernelVariant(ctx.optimized_kernels_allowed() ? "x86_blocked_transpose"
                                                       : "ref");
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* in = ctx.input(0);
  size_t size;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, in, "input", &size));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, ctx.output(0)));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.input(1), "perm", DataType::kInt32, DataType::kInt64));
  if (ctx.input(1)->shape.rank != 1) {
    return ctx.Error(StatusCode::kInvalidModel, "perm must be 1-D");
  }
  if (!ctx.input(1)->is_constant()) {
    ctx.SetOutputDynamic(0);
    return Status::Ok();
  }
  Shape s;
  EMBER_RETURN_IF_ERROR(
      ComputeTranspose(ctx, ctx.op_data<ref::StridedCopyParams>(), &s));
  return ctx.ResizeOutput(0, s);
}

Status Eval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  auto* p = ctx.op_data<ref::StridedCopyParams>();
  if (out->allocation == Allocation::kDynamic) {
    // perm is only known now.
    Shape s;
    EMBER_RETURN_IF_ERROR(ComputeTranspose(ctx, p, &s));
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, s));
  }
  if (ctx.optimized_kernels_allowed() &&
      x86::TransposeBlocked(in->data, out->data, DataTypeSize(in->type), *p)) {
    return Status::Ok();
  }
  ref::StridedCopy(in->data, out->data, DataTypeSize(in->type), *p);
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_TRANSPOSE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::TRANSPOSE),
      "TRANSPOSE",
      sizeof(ref::StridedCopyParams),
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
