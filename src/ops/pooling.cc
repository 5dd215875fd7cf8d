// AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D over NHWC tensors.
#include "kernels/ref/pooling.h"

#include <cmath>

#include "ops/fast_ops_select.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

enum class PoolKind { kAverage, kMax, kL2 };

struct PoolData {
  ref::PoolParams params;
  // x86 fast path for fp32 / int8 average and max pooling (nullptr:
  // reference).
  const x86::FastOpsKernels* fast;
};

Status CheckQuantMatches(OpContext& ctx, const Tensor* in, const Tensor* out) {
  if (!in->quant.quantized() || !out->quant.quantized()) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s input and output need quantization parameters",
                     DataTypeName(in->type));
  }
  if (in->quant.count != 1 || out->quant.count != 1) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "pooling needs per-tensor quantization");
  }
  if (std::fabs(in->quant.scale0() - out->quant.scale0()) > 1e-6f ||
      in->quant.zero_point0() != out->quant.zero_point0()) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "input (scale %g, zero point %d) and output (scale %g, "
                     "zero point %d) quantization must match",
                     in->quant.scale0(), in->quant.zero_point0(),
                     out->quant.scale0(), out->quant.zero_point0());
  }
  return Status::Ok();
}

template <PoolKind kind>
Status PrepareRef(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const auto* opt = ctx.op()->builtin_options_as_Pool2DOptions();
  if (opt == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel, "missing Pool2DOptions");
  }
  if (in->shape.rank != 4) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "input must be 4-D (NHWC), has rank %d", in->shape.rank);
  }
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, out));
  switch (in->type) {
    case DataType::kFloat32:
      break;
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16:
      if (kind == PoolKind::kL2)
        return UnsupportedType(ctx, in, "L2 pool input");
      EMBER_RETURN_IF_ERROR(CheckQuantMatches(ctx, in, out));
      break;
    default:
      return UnsupportedType(ctx, in, "input");
  }
  if (opt->filter_height() <= 0 || opt->filter_width() <= 0) {
    return ctx.Error(StatusCode::kInvalidModel, "filter %dx%d must be positive",
                     opt->filter_height(), opt->filter_width());
  }
  auto& p = ctx.op_data<PoolData>()->params;
  p.batches = in->shape.dims[0];
  p.in_h = in->shape.dims[1];
  p.in_w = in->shape.dims[2];
  p.channels = in->shape.dims[3];
  p.filter_h = opt->filter_height();
  p.filter_w = opt->filter_width();
  p.stride_h = opt->stride_h();
  p.stride_w = opt->stride_w();
  PaddedDim ph, pw;
  EMBER_RETURN_IF_ERROR(ComputePaddedDim(ctx, opt->padding(), p.in_h,
                                         p.filter_h, p.stride_h, 1, &ph));
  EMBER_RETURN_IF_ERROR(ComputePaddedDim(ctx, opt->padding(), p.in_w,
                                         p.filter_w, p.stride_w, 1, &pw));
  p.out_h = ph.out;
  p.out_w = pw.out;
  p.pad_h = ph.pad_before;
  p.pad_w = pw.pad_before;
  const auto act = opt->fused_activation_function();
  if (in->type == DataType::kFloat32) {
    EMBER_RETURN_IF_ERROR(
        FloatActivationRange(ctx, act, &p.float_lo, &p.float_hi));
  } else {
    EMBER_RETURN_IF_ERROR(
        QuantizedActivationRange(ctx, act, out, &p.quant_lo, &p.quant_hi));
  }
  return ctx.ResizeOutput(0,
                          MakeShape({p.batches, p.out_h, p.out_w, p.channels}));
}

template <PoolKind kind>
Status Prepare(OpContext& ctx) {
  ctx.SetKernelVariant("ref");
  EMBER_RETURN_IF_ERROR(PrepareRef<kind>(ctx));
  auto* d = ctx.op_data<PoolData>();
  d->fast = nullptr;
  if (kind == PoolKind::kL2) return Status::Ok();
  const DataType t = ctx.input(0)->type;
  const bool s8 = t == DataType::kInt8 && x86::PoolS8Exact(d->params);
  const bool s16 = t == DataType::kInt16 && x86::PoolS16Exact(d->params);
  if (t != DataType::kFloat32 && !s8 && !s16) return Status::Ok();
  if (ctx.output(0)->shape.NumElements() == 0) return Status::Ok();
  d->fast = SelectFastOps(ctx);
  if (s16 && d->fast != nullptr && d->fast->pool_s16 == nullptr)
    d->fast = nullptr;  // this ISA's table has no int16 pooling
  if (d->fast != nullptr) {
    ctx.SetKernelVariant(FastVariantName(d->fast, s16  ? FastFamily::kPoolS16
                                                  : s8 ? FastFamily::kPoolS8
                                                       : FastFamily::kPool));
  }
  return Status::Ok();
}

template <PoolKind kind, typename T>
void PoolQuantized(const ref::PoolParams& p, const Tensor* in, Tensor* out) {
  if (kind == PoolKind::kAverage) {
    ref::AveragePoolQuantized<T>(p, in->data_as<T>(), out->data_as<T>());
  } else {
    ref::MaxPoolQuantized<T>(p, in->data_as<T>(), out->data_as<T>());
  }
}

template <PoolKind kind>
Status Eval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const auto& p = ctx.op_data<PoolData>()->params;
  if (const auto* fast = ctx.op_data<PoolData>()->fast; fast != nullptr) {
    const bool max = kind == PoolKind::kMax;
    if (in->type == DataType::kFloat32) {
      x86::RunPoolF32(ctx.thread_pool(), fast->pool_f32, max, p,
                      in->data_as<float>(), out->data_as<float>());
    } else if (in->type == DataType::kInt16) {
      x86::RunPoolS16(ctx.thread_pool(), fast->pool_s16, max, p,
                      in->data_as<int16_t>(), out->data_as<int16_t>());
    } else {
      x86::RunPoolS8(ctx.thread_pool(), fast->pool_s8, max, p,
                     in->data_as<int8_t>(), out->data_as<int8_t>());
    }
    return Status::Ok();
  }
  switch (in->type) {
    case DataType::kFloat32:
      if (kind == PoolKind::kAverage) {
        ref::AveragePoolFloat(p, in->data_as<float>(), out->data_as<float>());
      } else if (kind == PoolKind::kMax) {
        ref::MaxPoolFloat(p, in->data_as<float>(), out->data_as<float>());
      } else {
        ref::L2PoolFloat(p, in->data_as<float>(), out->data_as<float>());
      }
      return Status::Ok();
    case DataType::kInt8:
      PoolQuantized<kind, int8_t>(p, in, out);
      return Status::Ok();
    case DataType::kUInt8:
      PoolQuantized<kind, uint8_t>(p, in, out);
      return Status::Ok();
    case DataType::kInt16:
      PoolQuantized<kind, int16_t>(p, in, out);
      return Status::Ok();
    default:
      return UnsupportedType(ctx, in, "input");
  }
}

}  // namespace

const OpRegistration* Register_AVERAGE_POOL_2D() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::AVERAGE_POOL_2D),
      "AVERAGE_POOL_2D",
      sizeof(PoolData),
      Prepare<PoolKind::kAverage>,
      Eval<PoolKind::kAverage>,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_MAX_POOL_2D() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::MAX_POOL_2D),
      "MAX_POOL_2D",
      sizeof(PoolData),
      Prepare<PoolKind::kMax>,
      Eval<PoolKind::kMax>,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_L2_POOL_2D() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::L2_POOL_2D),
      "L2_POOL_2D",
      sizeof(PoolData),
      Prepare<PoolKind::kL2>,
      Eval<PoolKind::kL2>,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
