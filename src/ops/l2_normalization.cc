// L2_NORMALIZATION over the last dimension (float, int8, uint8).
#include "kernels/ref/l2_normalization.h"

#include <cmath>

#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct L2NormData {
  int64_t outer;
  int32_t depth;
  int32_t zero_point;
};

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  if (in->shape.rank < 1 || in->shape.rank > 4) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "input rank must be 1..4, is %d", in->shape.rank);
  }
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, out));
  auto* d = ctx.op_data<L2NormData>();
  d->depth = in->shape.dims[in->shape.rank - 1];
  d->outer = d->depth > 0 ? in->NumElements() / d->depth : 0;
  switch (in->type) {
    case DataType::kFloat32:
      break;
    case DataType::kInt8:
    case DataType::kUInt8: {
      if (!in->quant.quantized() || !out->quant.quantized()) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "%s input and output need quantization parameters",
                         DataTypeName(in->type));
      }
      const int32_t want_zp = in->type == DataType::kInt8 ? 0 : 128;
      if (out->quant.scale0() != 1.0f / 128 ||
          out->quant.zero_point0() != want_zp) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "output quantization must be scale 1/128 zero point "
                         "%d (has %g, %d)",
                         want_zp, out->quant.scale0(),
                         out->quant.zero_point0());
      }
      d->zero_point = in->quant.zero_point0();
      break;
    }
    default:
      return UnsupportedType(ctx, in, "input");
  }
  return ctx.ResizeOutput(0, in->shape);
}

Status Eval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const auto& d = *ctx.op_data<L2NormData>();
  switch (in->type) {
    case DataType::kFloat32:
      ref::L2NormalizeFloat(d.outer, d.depth, in->data_as<float>(),
                            out->data_as<float>());
      return Status::Ok();
    case DataType::kInt8:
      ref::L2NormalizeInt8(d.outer, d.depth, d.zero_point,
                           in->data_as<int8_t>(), out->data_as<int8_t>());
      return Status::Ok();
    case DataType::kUInt8:
      ref::L2NormalizeUInt8(d.outer, d.depth, d.zero_point,
                            in->data_as<uint8_t>(), out->data_as<uint8_t>());
      return Status::Ok();
    default:
      return UnsupportedType(ctx, in, "input");
  }
}

}  // namespace

const OpRegistration* Register_L2_NORMALIZATION() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::L2_NORMALIZATION),
      "L2_NORMALIZATION",
      sizeof(L2NormData),
      Prepare,
      Eval,
      kOpFlagInPlaceInput0};
  return &reg;
}

}  // namespace ember::ops
