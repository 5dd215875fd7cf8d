// SPACE_TO_DEPTH / DEPTH_TO_SPACE (NHWC, block_size, depth-column-row order)
// and BATCH_TO_SPACE_ND / SPACE_TO_BATCH_ND (3-D or 4-D inputs).
#include <cstring>

#include "kernels/ref/space_batch.h"
#include "kernels/ref/strided_copy.h"
#include "ops/shape_util.h"

namespace ember::ops {
namespace {

// ---- SPACE_TO_DEPTH / DEPTH_TO_SPACE ---------------------------------------

Status CheckCommon(OpContext& ctx, int* block) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  size_t es;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, in, "input", &es));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, ctx.output(0)));
  if (in->shape.rank != 4) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "input must be 4-D (NHWC), has rank %d", in->shape.rank);
  }
  if (*block <= 0 || *block > 4096) {
    return ctx.Error(StatusCode::kInvalidModel, "block_size %d is invalid",
                     *block);
  }
  return Status::Ok();
}

Status SpaceToDepthPrepare(OpContext& ctx) {
  const auto* o = ctx.op()->builtin_options_as_SpaceToDepthOptions();
  int bs = o ? o->block_size() : 0;
  EMBER_RETURN_IF_ERROR(CheckCommon(ctx, &bs));
  const Shape& s = ctx.input(0)->shape;
  if (s.dims[1] % bs != 0 || s.dims[2] % bs != 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "height %d and width %d must be multiples of block %d",
                     s.dims[1], s.dims[2], bs);
  }
  const int64_t depth = static_cast<int64_t>(s.dims[3]) * bs * bs;
  if (depth > INT32_MAX)
    return ctx.Error(StatusCode::kInvalidModel, "depth too large");
  // Output order (n, oh, ow, by, bx, c) read from the input.
  auto* p = ctx.op_data<ref::StridedCopyParams>();
  const int64_t C = s.dims[3], W = s.dims[2], H = s.dims[1];
  p->rank = 6;
  const int32_t dims[6] = {s.dims[0], s.dims[1] / bs, s.dims[2] / bs, bs,
                           bs,        s.dims[3]};
  const int64_t src[6] = {H * W * C, bs * W * C, bs * C, W * C, C, 1};
  for (int i = 0; i < 6; ++i) {
    p->dims[i] = dims[i];
    p->src_strides[i] = src[i];
  }
  Shape os;
  os.rank = 6;
  for (int i = 0; i < 6; ++i) os.dims[i] = dims[i];
  ref::RowMajorStrides(os, p->dst_strides);
  return ctx.ResizeOutput(0,
                          MakeShape({s.dims[0], s.dims[1] / bs, s.dims[2] / bs,
                                     static_cast<int32_t>(depth)}));
}

Status DepthToSpacePrepare(OpContext& ctx) {
  const auto* o = ctx.op()->builtin_options_as_DepthToSpaceOptions();
  int bs = o ? o->block_size() : 0;
  EMBER_RETURN_IF_ERROR(CheckCommon(ctx, &bs));
  const Shape& s = ctx.input(0)->shape;
  if (s.dims[3] % (bs * bs) != 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "depth %d must be a multiple of block %d squared",
                     s.dims[3], bs);
  }
  const int64_t oh = static_cast<int64_t>(s.dims[1]) * bs;
  const int64_t ow = static_cast<int64_t>(s.dims[2]) * bs;
  if (oh > INT32_MAX || ow > INT32_MAX)
    return ctx.Error(StatusCode::kInvalidModel, "output too large");
  const int32_t c = s.dims[3] / (bs * bs);
  // Output order (n, h, by, w, bx, c) read from the input.
  auto* p = ctx.op_data<ref::StridedCopyParams>();
  const int64_t Cin = s.dims[3], W = s.dims[2];
  p->rank = 6;
  const int32_t dims[6] = {s.dims[0], s.dims[1], bs, s.dims[2], bs, c};
  const int64_t src[6] = {
      s.dims[1] * W * Cin, W * Cin, static_cast<int64_t>(bs) * c, Cin, c, 1};
  for (int i = 0; i < 6; ++i) {
    p->dims[i] = dims[i];
    p->src_strides[i] = src[i];
  }
  Shape os;
  os.rank = 6;
  for (int i = 0; i < 6; ++i) os.dims[i] = dims[i];
  ref::RowMajorStrides(os, p->dst_strides);
  return ctx.ResizeOutput(0, MakeShape({s.dims[0], static_cast<int32_t>(oh),
                                        static_cast<int32_t>(ow), c}));
}

Status RearrangeEval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  ref::StridedCopy(in->data, ctx.output(0)->data, DataTypeSize(in->type),
                   *ctx.op_data<ref::StridedCopyParams>());
  return Status::Ok();
}

// ---- BATCH_TO_SPACE_ND / SPACE_TO_BATCH_ND ----------------------------------

struct SpaceBatchData {
  ref::SpaceBatchParams p;
  uint8_t pad_value[8];
};

// Reads block_shape and crops/paddings, validates, fills params, computes
// the output shape. to_space: BATCH_TO_SPACE_ND.
Status ComputeSpaceBatch(OpContext& ctx, bool to_space, Shape* out) {
  const Tensor* in = ctx.input(0);
  const int rank = in->shape.rank;
  const int m = rank - 2;  // spatial dims: 1 or 2
  int64_t block[2] = {1, 1}, pads[4] = {0, 0, 0, 0};
  int nb = 0, np = 0;
  EMBER_RETURN_IF_ERROR(
      ReadInts(ctx, ctx.input(1), "block_shape", block, 2, &nb));
  EMBER_RETURN_IF_ERROR(ReadInts(
      ctx, ctx.input(2), to_space ? "crops" : "paddings", pads, 4, &np));
  if (nb != m || np != 2 * m) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "block_shape must have %d entries and %s %d", m,
                     to_space ? "crops" : "paddings", 2 * m);
  }
  auto& p = ctx.op_data<SpaceBatchData>()->p;
  p.in_b = in->shape.dims[0];
  p.in_h = in->shape.dims[1];
  p.in_w = m == 2 ? in->shape.dims[2] : 1;
  p.depth = in->shape.dims[rank - 1];
  int64_t bh = block[0], bw = m == 2 ? block[1] : 1;
  int64_t pt = pads[0], pb = pads[1];
  int64_t pl = m == 2 ? pads[2] : 0, pr = m == 2 ? pads[3] : 0;
  if (bh < 1 || bw < 1 || bh > 4096 || bw > 4096) {
    return ctx.Error(StatusCode::kInvalidArgument,
                     "block_shape must be positive");
  }
  if (pt < 0 || pb < 0 || pl < 0 || pr < 0 || pt > INT32_MAX / 2 ||
      pb > INT32_MAX / 2 || pl > INT32_MAX / 2 || pr > INT32_MAX / 2) {
    return ctx.Error(StatusCode::kInvalidArgument, "%s must be non-negative",
                     to_space ? "crops" : "paddings");
  }
  p.block_h = static_cast<int32_t>(bh);
  p.block_w = static_cast<int32_t>(bw);
  p.pad_top = static_cast<int32_t>(pt);
  p.pad_left = static_cast<int32_t>(pl);
  int64_t ob, oh, ow;
  if (to_space) {
    if (p.in_b % (bh * bw) != 0) {
      return ctx.Error(StatusCode::kInvalidArgument,
                       "batch %d is not divisible by the block size %lld",
                       p.in_b, static_cast<long long>(bh * bw));
    }
    ob = p.in_b / (bh * bw);
    oh = p.in_h * bh - pt - pb;
    ow = p.in_w * bw - pl - pr;
    if (oh < 0 || ow < 0) {
      return ctx.Error(StatusCode::kInvalidArgument, "crops exceed the output");
    }
  } else {
    const int64_t ph = p.in_h + pt + pb, pw = p.in_w + pl + pr;
    if (ph % bh != 0 || pw % bw != 0) {
      return ctx.Error(StatusCode::kInvalidArgument,
                       "padded size %lldx%lld is not divisible by the block",
                       static_cast<long long>(ph), static_cast<long long>(pw));
    }
    ob = p.in_b * bh * bw;
    oh = ph / bh;
    ow = pw / bw;
  }
  if (ob > INT32_MAX || oh > INT32_MAX || ow > INT32_MAX ||
      static_cast<double>(ob) * oh * ow * p.depth >
          static_cast<double>(kMaxShapeElements)) {
    return ctx.Error(StatusCode::kInvalidArgument, "output is too large");
  }
  p.out_b = static_cast<int32_t>(ob);
  p.out_h = static_cast<int32_t>(oh);
  p.out_w = static_cast<int32_t>(ow);
  Shape s = in->shape;
  s.dims[0] = p.out_b;
  s.dims[1] = p.out_h;
  if (m == 2) s.dims[2] = p.out_w;
  *out = s;
  return Status::Ok();
}

Status SpaceBatchPrepare(OpContext& ctx, bool to_space) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 3, 3, 1));
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  size_t es;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, in, "input", &es));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, out));
  if (in->shape.rank != 3 && in->shape.rank != 4) {
    return ctx.Error(StatusCode::kInvalidModel, "input must be 3-D or 4-D");
  }
  EMBER_RETURN_IF_ERROR(CheckType(ctx, ctx.input(1), "block_shape",
                                  DataType::kInt32, DataType::kInt64));
  EMBER_RETURN_IF_ERROR(CheckType(ctx, ctx.input(2),
                                  to_space ? "crops" : "paddings",
                                  DataType::kInt32, DataType::kInt64));
  auto* d = ctx.op_data<SpaceBatchData>();
  memset(d->pad_value, 0, sizeof(d->pad_value));
  if (!to_space && out->quant.quantized()) {
    const int32_t zp = out->quant.zero_point0();
    if (out->type == DataType::kInt8) {
      const int8_t z = static_cast<int8_t>(zp);
      memcpy(d->pad_value, &z, 1);
    }
    if (out->type == DataType::kUInt8) {
      const uint8_t z = static_cast<uint8_t>(zp);
      memcpy(d->pad_value, &z, 1);
    }
    if (out->type == DataType::kInt16) {
      const int16_t z = static_cast<int16_t>(zp);
      memcpy(d->pad_value, &z, 2);
    }
  }
  if (!ctx.input(1)->is_constant() || !ctx.input(2)->is_constant()) {
    ctx.SetOutputDynamic(0);
    return Status::Ok();
  }
  Shape s;
  EMBER_RETURN_IF_ERROR(ComputeSpaceBatch(ctx, to_space, &s));
  return ctx.ResizeOutput(0, s);
}

Status SpaceBatchEval(OpContext& ctx, bool to_space) {
  Tensor* out = ctx.output(0);
  if (out->allocation == Allocation::kDynamic) {
    Shape s;
    EMBER_RETURN_IF_ERROR(ComputeSpaceBatch(ctx, to_space, &s));
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, s));
  }
  const Tensor* in = ctx.input(0);
  const auto& d = *ctx.op_data<SpaceBatchData>();
  const size_t es = DataTypeSize(in->type);
  if (to_space) {
    ref::BatchToSpace(d.p, static_cast<const uint8_t*>(in->data),
                      static_cast<uint8_t*>(out->data), es);
  } else {
    ref::SpaceToBatch(d.p, static_cast<const uint8_t*>(in->data),
                      static_cast<uint8_t*>(out->data), es, d.pad_value);
  }
  return Status::Ok();
}

Status B2SPrepare(OpContext& ctx) { return SpaceBatchPrepare(ctx, true); }
Status B2SEval(OpContext& ctx) { return SpaceBatchEval(ctx, true); }
Status S2BPrepare(OpContext& ctx) { return SpaceBatchPrepare(ctx, false); }
Status S2BEval(OpContext& ctx) { return SpaceBatchEval(ctx, false); }

}  // namespace

const OpRegistration* Register_SPACE_TO_DEPTH() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::SPACE_TO_DEPTH),
      "SPACE_TO_DEPTH",
      sizeof(ref::StridedCopyParams),
      SpaceToDepthPrepare,
      RearrangeEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_DEPTH_TO_SPACE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::DEPTH_TO_SPACE),
      "DEPTH_TO_SPACE",
      sizeof(ref::StridedCopyParams),
      DepthToSpacePrepare,
      RearrangeEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_BATCH_TO_SPACE_ND() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::BATCH_TO_SPACE_ND),
      "BATCH_TO_SPACE_ND",
      sizeof(SpaceBatchData),
      B2SPrepare,
      B2SEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_SPACE_TO_BATCH_ND() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::SPACE_TO_BATCH_ND),
      "SPACE_TO_BATCH_ND",
      sizeof(SpaceBatchData),
      S2BPrepare,
      S2BEval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
