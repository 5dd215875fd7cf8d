// SOFTMAX and LOG_SOFTMAX over the last dimension.
#include "kernels/ref/softmax.h"

#include <cmath>

#include "kernels/drivers/softmax_s8.h"
#include "ops/fast_ops_select.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct SoftmaxData {
  ref::SoftmaxParams params;
  int16_t exp_lut[513];
  int16_t one_over_one_plus_x_lut[513];
  ref::LogSoftmaxQuantParams log_params;
  const x86::FastOpsKernels*
      fast;  // fp32 SOFTMAX fast path; nullptr: reference
  // 8-bit inputs: the exp of every possible difference, tabulated at Prepare
  // (bit-exact with the reference). use_table false: reference.
  bool use_table;
  x86::Softmax8OutRowFn table_out;  // int8 -> int8 output step
  x86::Softmax8Table table;
};

Status CheckQuantized(OpContext& ctx, const Tensor* t, const char* what) {
  if (!t->quant.quantized() || t->quant.count != 1) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s (%s) needs per-tensor quantization parameters", what,
                     DataTypeName(t->type));
  }
  return Status::Ok();
}

Status CheckOutputQuant(OpContext& ctx, const Tensor* out, float scale,
                        int32_t zero_point) {
  if (out->quant.zero_point0() != zero_point ||
      std::fabs(out->quant.scale0() - scale) > 0.001f * scale) {
    return ctx.Error(
        StatusCode::kInvalidModel,
        "output quantization must be scale %g zero point %d (has %g, %d)",
        scale, zero_point, out->quant.scale0(), out->quant.zero_point0());
  }
  return Status::Ok();
}

void SetRows(const Tensor* in, ref::SoftmaxParams* p) {
  p->depth = in->shape.dims[in->shape.rank - 1];
  p->outer = p->depth > 0 ? in->NumElements() / p->depth : 0;
}

Status PrepareSoftmaxRef(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  if (in->shape.rank < 1) {
    return ctx.Error(StatusCode::kInvalidModel, "input must have rank >= 1");
  }
  const auto* opt = ctx.op()->builtin_options_as_SoftmaxOptions();
  if (opt == nullptr)
    return ctx.Error(StatusCode::kInvalidModel, "missing SoftmaxOptions");
  auto* d = ctx.op_data<SoftmaxData>();
  auto& p = d->params;
  SetRows(in, &p);
  p.beta = opt->beta();
  switch (in->type) {
    case DataType::kFloat32:
      EMBER_RETURN_IF_ERROR(CheckType(ctx, out, "output", DataType::kFloat32));
      break;
    case DataType::kInt8:
    case DataType::kUInt8: {
      const DataType same = in->type;
      EMBER_RETURN_IF_ERROR(
          CheckType(ctx, out, "output", same, DataType::kInt16));
      EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, in, "input"));
      EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, out, "output"));
      if (in->type == DataType::kInt8 && out->type == DataType::kInt8) {
        EMBER_RETURN_IF_ERROR(CheckOutputQuant(ctx, out, 1.0f / 256, -128));
      }
      ref::PrepareSoftmax8Bit(p.beta, in->quant.scale0(), &p);
      break;
    }
    case DataType::kInt16: {
      EMBER_RETURN_IF_ERROR(CheckType(ctx, out, "output", DataType::kInt16));
      EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, in, "input"));
      EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, out, "output"));
      if (in->quant.zero_point0() != 0) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "int16 input zero point must be 0, is %d",
                         in->quant.zero_point0());
      }
      EMBER_RETURN_IF_ERROR(CheckOutputQuant(ctx, out, 1.0f / 32768, 0));
      // exp over [-10, 0] and 1/(1+x) over [0, 1], both to [-1, 1].
      const int32_t range = 65535;
      ref::PopulateInt16Lut(
          10.0 / range, 32767, 2.0 / range, 0,
          [](double v) { return std::exp(v); }, d->exp_lut);
      ref::PopulateInt16Lut(
          1.0 / range, -32768, 2.0 / range, 0,
          [](double v) { return 1.0 / (1.0 + v); }, d->one_over_one_plus_x_lut);
      // Input differences scaled so that [-65535, 0] covers [-10, 0].
      ref::QuantizeMultiplier(
          in->quant.scale0() * static_cast<double>(p.beta) / (10.0 / 65535.0),
          &p.input_multiplier, &p.input_left_shift);
      break;
    }
    default:
      return UnsupportedType(ctx, in, "input");
  }
  return ctx.ResizeOutput(0, in->shape);
}

Status PrepareSoftmax(OpContext& ctx) {
  ctx.SetKernelVariant("ref");
  EMBER_RETURN_IF_ERROR(PrepareSoftmaxRef(ctx));
  auto* d = ctx.op_data<SoftmaxData>();
  d->fast = nullptr;
  d->use_table = false;
  if (ctx.input(0)->type == DataType::kFloat32 && d->params.outer > 0 &&
      d->params.depth > 0)
    d->fast = SelectFastOps(ctx);
  if (d->fast != nullptr)
    ctx.SetKernelVariant(FastVariantName(d->fast, FastFamily::kSoftmax));
  const DataType in_t = ctx.input(0)->type;
  const x86::Softmax8Kernel* kern = x86::SelectSoftmax8(ctx.allowed_isas());
  if ((in_t == DataType::kInt8 || in_t == DataType::kUInt8) &&
      kern != nullptr) {
    x86::PrepareSoftmax8Table(d->params, &d->table);
    d->use_table = true;
    d->table_out = kern->fn;
    const bool int8_out =
        in_t == DataType::kInt8 && ctx.output(0)->type == DataType::kInt8;
    ctx.SetKernelVariant(int8_out ? kern->label : "portable_softmax_s8_table");
  }
  return Status::Ok();
}

Status EvalSoftmax(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  auto* d = ctx.op_data<SoftmaxData>();
  ref::SoftmaxParams p = d->params;
  p.exp_lut = d->exp_lut;
  p.one_over_one_plus_x_lut = d->one_over_one_plus_x_lut;
  if (d->fast != nullptr) {
    x86::RunSoftmaxF32(ctx.thread_pool(), d->fast->softmax_f32,
                       in->data_as<float>(), out->data_as<float>(), p.depth,
                       p.beta, p.outer);
    return Status::Ok();
  }
  if (d->use_table) {
    ThreadPool* pool = ctx.thread_pool();
    const bool wide = out->type == DataType::kInt16;
    if (in->type == DataType::kInt8 && !wide) {
      x86::RunSoftmax8Table(pool, d->table, d->table_out, in->data_as<int8_t>(),
                            out->data_as<int8_t>(), p.depth, p.outer);
    } else if (in->type == DataType::kInt8) {
      x86::RunSoftmax8Table(pool, d->table, d->table_out, in->data_as<int8_t>(),
                            out->data_as<int16_t>(), p.depth, p.outer);
    } else if (!wide) {
      x86::RunSoftmax8Table(pool, d->table, d->table_out,
                            in->data_as<uint8_t>(), out->data_as<uint8_t>(),
                            p.depth, p.outer);
    } else {
      x86::RunSoftmax8Table(pool, d->table, d->table_out,
                            in->data_as<uint8_t>(), out->data_as<int16_t>(),
                            p.depth, p.outer);
    }
    return Status::Ok();
  }
  switch (in->type) {
    case DataType::kFloat32:
      ref::SoftmaxFloat(p, in->data_as<float>(), out->data_as<float>());
      return Status::Ok();
    case DataType::kInt8:
      if (out->type == DataType::kInt8) {
        ref::SoftmaxQuantized8(p, in->data_as<int8_t>(),
                               out->data_as<int8_t>());
      } else {
        ref::SoftmaxQuantized8(p, in->data_as<int8_t>(),
                               out->data_as<int16_t>());
      }
      return Status::Ok();
    case DataType::kUInt8:
      if (out->type == DataType::kUInt8) {
        ref::SoftmaxQuantized8(p, in->data_as<uint8_t>(),
                               out->data_as<uint8_t>());
      } else {
        ref::SoftmaxQuantized8(p, in->data_as<uint8_t>(),
                               out->data_as<int16_t>());
      }
      return Status::Ok();
    case DataType::kInt16:
      ref::SoftmaxInt16(p, in->data_as<int16_t>(), out->data_as<int16_t>());
      return Status::Ok();
    default:
      return UnsupportedType(ctx, in, "input");
  }
}

Status PrepareLogSoftmax(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  if (in->shape.rank < 1) {
    return ctx.Error(StatusCode::kInvalidModel, "input must have rank >= 1");
  }
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, out));
  auto* d = ctx.op_data<SoftmaxData>();
  SetRows(in, &d->params);
  switch (in->type) {
    case DataType::kFloat32:
      break;
    case DataType::kInt8:
    case DataType::kUInt8: {
      EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, in, "input"));
      EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, out, "output"));
      const int32_t zp = in->type == DataType::kInt8 ? 127 : 255;
      if (out->quant.scale0() != 16.0f / 256 ||
          out->quant.zero_point0() != zp) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "output quantization must be scale 16/256 zero point "
                         "%d (has %g, %d)",
                         zp, out->quant.scale0(), out->quant.zero_point0());
      }
      ref::PrepareLogSoftmax8Bit(in->quant.scale0(), &d->log_params);
      break;
    }
    default:
      return UnsupportedType(ctx, in, "input");
  }
  return ctx.ResizeOutput(0, in->shape);
}

Status EvalLogSoftmax(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const auto* d = ctx.op_data<SoftmaxData>();
  const auto& p = d->params;
  switch (in->type) {
    case DataType::kFloat32:
      ref::LogSoftmaxFloat(p, in->data_as<float>(), out->data_as<float>());
      return Status::Ok();
    case DataType::kInt8:
      ref::LogSoftmaxQuantized8(d->log_params, p.outer, p.depth,
                                in->data_as<int8_t>(), out->data_as<int8_t>());
      return Status::Ok();
    case DataType::kUInt8:
      ref::LogSoftmaxQuantized8(d->log_params, p.outer, p.depth,
                                in->data_as<uint8_t>(),
                                out->data_as<uint8_t>());
      return Status::Ok();
    default:
      return UnsupportedType(ctx, in, "input");
  }
}

}  // namespace

const OpRegistration* Register_SOFTMAX() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::SOFTMAX),
      "SOFTMAX",
      sizeof(SoftmaxData),
      PrepareSoftmax,
      EvalSoftmax,
      kOpFlagInPlaceInput0};
  return &reg;
}

const OpRegistration* Register_LOG_SOFTMAX() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::LOG_SOFTMAX),
      "LOG_SOFTMAX",
      sizeof(SoftmaxData),
      PrepareLogSoftmax,
      EvalLogSoftmax,
      kOpFlagInPlaceInput0};
  return &reg;
}

}  // namespace ember::ops
