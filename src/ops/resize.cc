// RESIZE_BILINEAR (float32, uint8, int8, int16) and RESIZE_NEAREST_NEIGHBOR
// (any fixed-size type) over NHWC inputs; the size input is [new_h, new_w].
#include "kernels/ref/resize.h"

#include "ops/fast_ops_select.h"
#include "ops/shape_util.h"

namespace ember::ops {
namespace {

struct ResizeData {
  ref::ResizeParams params;
  // x86 fast path for fp32 bilinear (nullptr: reference).
  const x86::FastOpsKernels* fast;
};

Status ComputeOutput(OpContext& ctx, Shape* out) {
  const Tensor* in = ctx.input(0);
  int64_t size[2] = {0, 0};
  int n = 0;
  EMBER_RETURN_IF_ERROR(ReadInts(ctx, ctx.input(1), "size", size, 2, &n));
  if (size[0] <= 0 || size[1] <= 0 || size[0] > (1 << 20) ||
      size[1] > (1 << 20)) {
    return ctx.Error(
        StatusCode::kInvalidArgument, "output size %lldx%lld is invalid",
        static_cast<long long>(size[0]), static_cast<long long>(size[1]));
  }
  Shape s = in->shape;
  s.dims[1] = static_cast<int32_t>(size[0]);
  s.dims[2] = static_cast<int32_t>(size[1]);
  int64_t total = 1;
  for (int i = 0; i < 4; ++i) total *= s.dims[i];
  if (total > kMaxShapeElements) {
    return ctx.Error(StatusCode::kInvalidArgument, "output is too large");
  }
  auto& p = ctx.op_data<ResizeData>()->params;
  p.batches = s.dims[0];
  p.in_h = in->shape.dims[1];
  p.in_w = in->shape.dims[2];
  p.depth = s.dims[3];
  p.out_h = s.dims[1];
  p.out_w = s.dims[2];
  *out = s;
  return Status::Ok();
}

Status PrepareCommon(OpContext& ctx, bool bilinear) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const Tensor* size = ctx.input(1);
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, out));
  if (bilinear) {
    switch (in->type) {
      case DataType::kFloat32:
      case DataType::kUInt8:
      case DataType::kInt8:
      case DataType::kInt16:
        break;
      default:
        return UnsupportedType(ctx, in, "input");
    }
  } else {
    size_t es;
    EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, in, "input", &es));
  }
  if (in->shape.rank != 4) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "input must be 4-D (NHWC), has rank %d", in->shape.rank);
  }
  EMBER_RETURN_IF_ERROR(CheckType(ctx, size, "size", DataType::kInt32));
  if (size->shape.rank != 1 || size->shape.dims[0] != 2) {
    return ctx.Error(StatusCode::kInvalidModel, "size must have shape [2]");
  }
  bool align = false, half = false;
  if (bilinear) {
    const auto* o = ctx.op()->builtin_options_as_ResizeBilinearOptions();
    if (o) {
      align = o->align_corners();
      half = o->half_pixel_centers();
    }
  } else {
    const auto* o = ctx.op()->builtin_options_as_ResizeNearestNeighborOptions();
    if (o) {
      align = o->align_corners();
      half = o->half_pixel_centers();
    }
  }
  if (align && half) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "align_corners and half_pixel_centers are exclusive");
  }
  if (in->shape.dims[1] == 0 || in->shape.dims[2] == 0) {
    return ctx.Error(StatusCode::kInvalidModel, "input has an empty image");
  }
  if (in->shape.dims[1] > (1 << 20) || in->shape.dims[2] > (1 << 20)) {
    return ctx.Error(StatusCode::kUnsupported, "input image is too large");
  }
  auto& p = ctx.op_data<ResizeData>()->params;
  p.align_corners = align;
  p.half_pixel_centers = half;
  if (!size->is_constant()) {
    ctx.SetOutputDynamic(0);
    return Status::Ok();
  }
  Shape s;
  EMBER_RETURN_IF_ERROR(ComputeOutput(ctx, &s));
  return ctx.ResizeOutput(0, s);
}

Status ResizeDynamic(OpContext& ctx) {
  if (ctx.output(0)->allocation != Allocation::kDynamic) return Status::Ok();
  Shape s;
  EMBER_RETURN_IF_ERROR(ComputeOutput(ctx, &s));
  return ctx.ResizeOutput(0, s);
}

Status BilinearPrepare(OpContext& ctx) {
  ctx.SetKernelVariant("ref");
  auto* d = ctx.op_data<ResizeData>();
  d->fast = nullptr;
  EMBER_RETURN_IF_ERROR(PrepareCommon(ctx, true));
  if (ctx.input(0)->type == DataType::kFloat32) d->fast = SelectFastOps(ctx);
  if (d->fast != nullptr)
    ctx.SetKernelVariant(FastVariantName(d->fast, FastFamily::kResizeBilinear));
  return Status::Ok();
}
Status NearestPrepare(OpContext& ctx) { return PrepareCommon(ctx, false); }

Status BilinearEval(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(ResizeDynamic(ctx));
  const auto& p = ctx.op_data<ResizeData>()->params;
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  if (const auto* fast = ctx.op_data<ResizeData>()->fast; fast != nullptr) {
    if (out->NumElements() > 0) {
      x86::RunResizeBilinearF32(ctx.thread_pool(), fast->resize_bilinear_f32, p,
                                in->data_as<float>(), out->data_as<float>());
    }
    return Status::Ok();
  }
  switch (in->type) {
    case DataType::kFloat32:
      ref::ResizeBilinearFloatMath(p, in->data_as<float>(),
                                   out->data_as<float>());
      return Status::Ok();
    case DataType::kUInt8:
      ref::ResizeBilinearFloatMath(p, in->data_as<uint8_t>(),
                                   out->data_as<uint8_t>());
      return Status::Ok();
    case DataType::kInt8:
      ref::ResizeBilinearInteger(p, in->data_as<int8_t>(),
                                 out->data_as<int8_t>());
      return Status::Ok();
    case DataType::kInt16:
      ref::ResizeBilinearInteger(p, in->data_as<int16_t>(),
                                 out->data_as<int16_t>());
      return Status::Ok();
    default:
      return UnsupportedType(ctx, in, "input");
  }
}

Status NearestEval(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(ResizeDynamic(ctx));
  const Tensor* in = ctx.input(0);
  ref::ResizeNearest(
      ctx.op_data<ResizeData>()->params, static_cast<const uint8_t*>(in->data),
      static_cast<uint8_t*>(ctx.output(0)->data), DataTypeSize(in->type));
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_RESIZE_BILINEAR() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::RESIZE_BILINEAR),
      "RESIZE_BILINEAR",
      sizeof(ResizeData),
      BilinearPrepare,
      BilinearEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_RESIZE_NEAREST_NEIGHBOR() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::RESIZE_NEAREST_NEIGHBOR),
      "RESIZE_NEAREST_NEIGHBOR",
      sizeof(ResizeData),
      NearestPrepare,
      NearestEval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
