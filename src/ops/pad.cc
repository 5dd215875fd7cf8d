// PAD (zero / output zero point), PADV2 (given constant) and MIRROR_PAD
// (REFLECT / SYMMETRIC). paddings is an int32/int64 [rank, 2] tensor.
#include "kernels/ref/pad.h"

#include "ops/shape_util.h"

namespace ember::ops {
namespace {

struct PadData {
  ref::PadParams pad;
  uint8_t value[8];       // the pad element, raw bytes
  int32_t mirror_offset;  // MIRROR_PAD: 1 reflect, 0 symmetric
};

enum class Kind { kPad, kPadV2, kMirror };

Status ComputePadding(OpContext& ctx, Kind kind, Shape* out) {
  const Tensor* in = ctx.input(0);
  auto& p = ctx.op_data<PadData>()->pad;
  const int rank = in->shape.rank;
  int64_t v[2 * kMaxRank];
  int n = 0;
  EMBER_RETURN_IF_ERROR(
      ReadInts(ctx, ctx.input(1), "paddings", v, 2 * kMaxRank, &n));
  p.rank = rank;
  Shape s = in->shape;
  for (int d = 0; d < rank; ++d) {
    const int64_t b = v[2 * d], a = v[2 * d + 1];
    if (b < 0 || a < 0 || b > INT32_MAX / 2 || a > INT32_MAX / 2) {
      return ctx.Error(StatusCode::kInvalidArgument,
                       "paddings of dim %d (%lld, %lld) are invalid", d,
                       static_cast<long long>(b), static_cast<long long>(a));
    }
    if (kind == Kind::kMirror) {
      const int32_t limit =
          in->shape.dims[d] - ctx.op_data<PadData>()->mirror_offset;
      if (b > limit || a > limit) {
        return ctx.Error(StatusCode::kInvalidArgument,
                         "mirror paddings of dim %d (%lld, %lld) exceed %d", d,
                         static_cast<long long>(b), static_cast<long long>(a),
                         limit);
      }
    }
    p.before[d] = static_cast<int32_t>(b);
    p.after[d] = static_cast<int32_t>(a);
    const int64_t size = in->shape.dims[d] + b + a;
    if (size > INT32_MAX) {
      return ctx.Error(StatusCode::kInvalidArgument, "padded dim %d too large",
                       d);
    }
    s.dims[d] = static_cast<int32_t>(size);
  }
  int64_t total = 1;
  for (int d = 0; d < rank; ++d) {
    total *= s.dims[d] == 0 ? 1 : s.dims[d];
    if (total > kMaxShapeElements)
      return ctx.Error(StatusCode::kInvalidArgument,
                       "padded output is too large");
  }
  *out = s;
  return Status::Ok();
}

Status PrepareCommon(OpContext& ctx, Kind kind) {
  if (kind == Kind::kPadV2) {
    EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 3, 1));
  } else {
    EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  }
  const Tensor* in = ctx.input(0);
  const Tensor* paddings = ctx.input(1);
  Tensor* out = ctx.output(0);
  size_t es;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, in, "input", &es));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, out));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, paddings, "paddings", DataType::kInt32, DataType::kInt64));
  const int rank = in->shape.rank;
  if (paddings->shape.rank != 2 || paddings->shape.dims[0] != rank ||
      paddings->shape.dims[1] != 2) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "paddings must have shape [%d, 2]", rank);
  }
  auto* d = ctx.op_data<PadData>();
  memset(d->value, 0, sizeof(d->value));
  if (kind == Kind::kMirror) {
    const auto* o = ctx.op()->builtin_options_as_MirrorPadOptions();
    const auto mode = o ? o->mode() : fb::MirrorPadMode::REFLECT;
    if (mode != fb::MirrorPadMode::REFLECT &&
        mode != fb::MirrorPadMode::SYMMETRIC) {
      return ctx.Error(StatusCode::kInvalidModel, "unknown mirror pad mode %d",
                       static_cast<int>(mode));
    }
    d->mirror_offset = mode == fb::MirrorPadMode::REFLECT ? 1 : 0;
  } else {
    const Tensor* cv = ctx.num_inputs() > 2 ? ctx.input(2) : nullptr;
    if (cv != nullptr) {
      EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, cv));
      if (cv->NumElements() != 1) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "constant_values must have one element");
      }
      if (!cv->is_constant()) {
        return ctx.Error(StatusCode::kUnsupported,
                         "constant_values must be a constant");
      }
      memcpy(d->value, cv->data, es);
    } else if (out->quant.quantized()) {
      const int32_t zp = out->quant.zero_point0();
      switch (out->type) {
        case DataType::kInt8: {
          const int8_t z = static_cast<int8_t>(zp);
          memcpy(d->value, &z, 1);
          break;
        }
        case DataType::kUInt8: {
          const uint8_t z = static_cast<uint8_t>(zp);
          memcpy(d->value, &z, 1);
          break;
        }
        case DataType::kInt16: {
          const int16_t z = static_cast<int16_t>(zp);
          memcpy(d->value, &z, 2);
          break;
        }
        default:
          break;
      }
    }
  }
  if (kind != Kind::kMirror && ctx.optimized_kernels_allowed())
    ctx.SetKernelVariant("pad_rows");
  if (!paddings->is_constant()) {
    ctx.SetOutputDynamic(0);
    return Status::Ok();
  }
  Shape s;
  EMBER_RETURN_IF_ERROR(ComputePadding(ctx, kind, &s));
  return ctx.ResizeOutput(0, s);
}

Status EvalCommon(OpContext& ctx, Kind kind) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  if (out->allocation == Allocation::kDynamic) {
    Shape s;
    EMBER_RETURN_IF_ERROR(ComputePadding(ctx, kind, &s));
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, s));
  }
  const auto& d = *ctx.op_data<PadData>();
  const size_t es = DataTypeSize(in->type);
  if (kind == Kind::kMirror) {
    ref::MirrorPad(d.pad, in->shape, in->data, out->shape, out->data, es,
                   d.mirror_offset);
  } else if (ctx.optimized_kernels_allowed()) {
    ref::ConstantPadRows(d.pad, in->shape, in->data, out->shape, out->data, es,
                         d.value);
  } else {
    ref::ConstantPad(d.pad, in->shape, in->data, out->shape, out->data, es,
                     d.value);
  }
  return Status::Ok();
}

Status PadPrepare(OpContext& ctx) { return PrepareCommon(ctx, Kind::kPad); }
Status PadEval(OpContext& ctx) { return EvalCommon(ctx, Kind::kPad); }
Status PadV2Prepare(OpContext& ctx) { return PrepareCommon(ctx, Kind::kPadV2); }
Status PadV2Eval(OpContext& ctx) { return EvalCommon(ctx, Kind::kPadV2); }
Status MirrorPrepare(OpContext& ctx) {
  return PrepareCommon(ctx, Kind::kMirror);
}
Status MirrorEval(OpContext& ctx) { return EvalCommon(ctx, Kind::kMirror); }

}  // namespace

const OpRegistration* Register_PAD() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::PAD),
      "PAD",
      sizeof(PadData),
      PadPrepare,
      PadEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_PADV2() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::PADV2),
      "PADV2",
      sizeof(PadData),
      PadV2Prepare,
      PadV2Eval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_MIRROR_PAD() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::MIRROR_PAD),
      "MIRROR_PAD",
      sizeof(PadData),
      MirrorPrepare,
      MirrorEval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
