// TRANSPOSE_CONV: inputs output_shape (int32 [4]), weights [O, KH, KW, I],
// input [N, H, W, I], optional bias [O]. Padding follows TFLite: it is the
// padding a forward convolution from the requested output size back to
// the input would use. Types: float32; hybrid (float32 input, output and
// bias, symmetric int8 weights: the input is quantized per batch in each
// Eval, asymmetrically, as LiteRT's dynamic-range kernel); int8 with
// per-channel (or per-tensor) int8 weights and int32 bias; int16 activations
// with int8 weights and int64 bias; uint8 (legacy, asymmetric per-tensor
// weights, int32 bias). output_shape may be non-constant for every type: the
// output is then sized in Eval (the integer kernels accumulate one output pixel
// at a time, so their scratch does not depend on the output size).
#include "kernels/ref/transpose_conv.h"

#include "ops/conv_util.h"
#include "ops/transpose_conv_fast.h"

namespace ember::ops {
namespace {

enum class TcKind : int32_t { kFloat, kHybrid, kInt8, kUInt8, kInt16 };

struct TransposeConvData {
  TcKind kind;
  ref::TransposeConvShape shape;  // out_h/out_w/pads final when !dynamic
  fb::Padding padding;
  bool dynamic;
  float float_lo, float_hi;
  ConvQuantization quant;  // quantized kinds
  int scratch_acc;         // integer kinds: out_c accumulators
  // Hybrid: weight scale per output channel (persistent), the quantized
  // input and its per-batch scales and zero points (scratch).
  const float* filter_scales;
  int scratch_q_input, scratch_scales, scratch_zps;
  // Optimized int8 / hybrid path (ops/transpose_conv_fast.h); static
  // output shapes only.
  TconvFast fast;
  TconvF32Fast f32;  // fp32, static output shapes
};

// Reads output_shape, checks it against the other tensors and fills the
// output size and padding of `s`.
Status ResolveOutputShape(OpContext& ctx, const Tensor* output_shape,
                          fb::Padding padding, ref::TransposeConvShape* s,
                          Shape* out) {
  int32_t dims[4];
  int count = 0;
  EMBER_RETURN_IF_ERROR(
      ReadIntVector(ctx, output_shape, "output_shape", dims, 4, &count));
  if (count != 4) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "output_shape must have 4 entries, has %d", count);
  }
  if (dims[0] != s->batches || dims[3] != s->out_c) {
    return ctx.Error(StatusCode::kInvalidArgument,
                     "output_shape [%d, %d, %d, %d] must have batch %d and %d "
                     "channels",
                     dims[0], dims[1], dims[2], dims[3], s->batches, s->out_c);
  }
  if (dims[1] < 0 || dims[2] < 0) {
    return ctx.Error(StatusCode::kInvalidArgument,
                     "output_shape has negative spatial dims");
  }
  s->out_h = dims[1];
  s->out_w = dims[2];
  // The padding of the forward convolution from the output back to the
  // input: the same window geometry, with the output as its input.
  const WindowOptions window{padding, s->stride_h, s->stride_w, 1, 1};
  WindowGeometry g;
  EMBER_RETURN_IF_ERROR(ComputeWindowGeometry(ctx, window, s->out_h, s->out_w,
                                              s->filter_h, s->filter_w, &g));
  s->pad_top = g.pad_top;
  s->pad_left = g.pad_left;
  *out = MakeShape({dims[0], dims[1], dims[2], dims[3]});
  return Status::Ok();
}

// Shape fields known from the input and weights (the output's spatial size
// comes from output_shape, ResolveOutputShape).
Status PrepareShape(OpContext& ctx, const fb::TransposeConvOptions* opt,
                    const Tensor* input, const Tensor* weights,
                    TransposeConvData* d) {
  ref::TransposeConvShape& s = d->shape;
  s.batches = input->shape.dims[0];
  s.in_h = input->shape.dims[1];
  s.in_w = input->shape.dims[2];
  s.in_c = input->shape.dims[3];
  s.out_c = weights->shape.dims[0];
  s.filter_h = weights->shape.dims[1];
  s.filter_w = weights->shape.dims[2];
  if (weights->shape.dims[3] != s.in_c) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "weights have %d input channels, input has %d",
                     weights->shape.dims[3], s.in_c);
  }
  if (s.filter_h <= 0 || s.filter_w <= 0 || s.out_c <= 0) {
    return ctx.Error(StatusCode::kInvalidModel, "weights shape is empty");
  }
  s.stride_h = opt->stride_h();
  s.stride_w = opt->stride_w();
  if (s.stride_h <= 0 || s.stride_w <= 0) {
    return ctx.Error(StatusCode::kInvalidModel, "strides must be positive");
  }
  d->padding = opt->padding();
  if (d->padding != fb::Padding::SAME && d->padding != fb::Padding::VALID) {
    return ctx.Error(StatusCode::kInvalidModel, "unknown padding %d",
                     static_cast<int>(d->padding));
  }
  return Status::Ok();
}

// Quantized input: checks weights and bias for the input type, picks the
// kind and computes the per-channel multipliers once.
Status PrepareQuantized(OpContext& ctx, fb::ActivationFunctionType act,
                        const Tensor* input, const Tensor* weights,
                        const Tensor* bias, const Tensor* output,
                        TransposeConvData* d) {
  const int32_t out_c = d->shape.out_c;
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, input, output));
  EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, input, "input"));
  EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, output, "output"));
  if (input->type == DataType::kUInt8) {
    EMBER_RETURN_IF_ERROR(CheckType(ctx, weights, "weights", DataType::kUInt8));
    EMBER_RETURN_IF_ERROR(CheckWeightQuant(ctx, weights, out_c, 0, false));
    if (weights->quant.count != 1) {
      return ctx.Error(StatusCode::kUnsupported,
                       "uint8 TRANSPOSE_CONV needs per-tensor weights");
    }
    EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, out_c, DataType::kInt32));
    d->kind = TcKind::kUInt8;
  } else {
    EMBER_RETURN_IF_ERROR(CheckType(ctx, weights, "weights", DataType::kInt8));
    EMBER_RETURN_IF_ERROR(CheckWeightQuant(ctx, weights, out_c, 0, true));
    if (input->type == DataType::kInt8) {
      EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, out_c, DataType::kInt32));
      d->kind = TcKind::kInt8;
    } else {
      if (input->quant.zero_point0() != 0 || output->quant.zero_point0() != 0) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "int16 input/output need zero point 0");
      }
      EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, out_c, DataType::kInt64));
      d->kind = TcKind::kInt16;
    }
  }
  return PrepareConvQuantization(ctx, act, input, weights, output, out_c,
                                 ref::Rounding::kDouble, &d->quant);
}

// Hybrid: float input, output and bias with symmetric int8 weights.
Status PrepareHybrid(OpContext& ctx, const Tensor* input, const Tensor* weights,
                     const Tensor* bias, TransposeConvData* d) {
  const int32_t out_c = d->shape.out_c;
  EMBER_RETURN_IF_ERROR(CheckWeightQuant(ctx, weights, out_c, 0, true));
  EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, out_c, DataType::kFloat32));
  EMBER_RETURN_IF_ERROR(
      PrepareChannelScales(ctx, weights, out_c, &d->filter_scales));
  d->kind = TcKind::kHybrid;
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      static_cast<size_t>(input->NumElements()), &d->scratch_q_input));
  EMBER_RETURN_IF_ERROR(
      ctx.RequestScratch(sizeof(float) * static_cast<size_t>(d->shape.batches),
                         &d->scratch_scales));
  return ctx.RequestScratch(
      sizeof(int32_t) * static_cast<size_t>(d->shape.batches), &d->scratch_zps);
}

// The output's size from output_shape (constant: now; otherwise at every
// Eval) and the integer kinds' accumulator scratch (one output pixel).
Status PrepareOutput(OpContext& ctx, const Tensor* output_shape,
                     TransposeConvData* d) {
  if (d->kind != TcKind::kFloat) {
    const size_t acc_size =
        d->kind == TcKind::kInt16 ? sizeof(int64_t) : sizeof(int32_t);
    EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
        acc_size * static_cast<size_t>(d->shape.out_c), &d->scratch_acc));
  }
  if (!output_shape->is_constant()) {
    d->dynamic = true;
    ctx.SetOutputDynamic(0);
    return Status::Ok();
  }
  Shape out;
  EMBER_RETURN_IF_ERROR(
      ResolveOutputShape(ctx, output_shape, d->padding, &d->shape, &out));
  return ctx.ResizeOutput(0, out);
}

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 3, 4, 1));
  const Tensor* output_shape = ctx.input(0);
  const Tensor* weights = ctx.input(1);
  const Tensor* input = ctx.input(2);
  const Tensor* bias = ctx.input(3);
  Tensor* output = ctx.output(0);
  const auto* opt = ctx.op()->builtin_options_as_TransposeConvOptions();
  if (opt == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel, "missing TransposeConvOptions");
  }
  EMBER_RETURN_IF_ERROR(CheckRank(ctx, input, "input", 4));
  EMBER_RETURN_IF_ERROR(CheckRank(ctx, weights, "weights", 4));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, output_shape, "output_shape", DataType::kInt32));
  if (output_shape->shape.rank != 1 || output_shape->NumElements() != 4) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "output_shape must be a 1-D tensor of 4 entries");
  }
  auto* d = ctx.op_data<TransposeConvData>();
  *d = TransposeConvData{};
  EMBER_RETURN_IF_ERROR(PrepareShape(ctx, opt, input, weights, d));
  const auto act = opt->fused_activation_function();
  switch (input->type) {
    case DataType::kFloat32:
      EMBER_RETURN_IF_ERROR(
          CheckType(ctx, output, "output", DataType::kFloat32));
      EMBER_RETURN_IF_ERROR(
          FloatActivationRange(ctx, act, &d->float_lo, &d->float_hi));
      if (weights->type == DataType::kInt8) {
        EMBER_RETURN_IF_ERROR(PrepareHybrid(ctx, input, weights, bias, d));
        break;
      }
      EMBER_RETURN_IF_ERROR(
          CheckType(ctx, weights, "weights", DataType::kFloat32));
      EMBER_RETURN_IF_ERROR(
          CheckBias(ctx, bias, d->shape.out_c, DataType::kFloat32));
      d->kind = TcKind::kFloat;
      break;
    case DataType::kUInt8:
    case DataType::kInt8:
    case DataType::kInt16:
      EMBER_RETURN_IF_ERROR(
          PrepareQuantized(ctx, act, input, weights, bias, output, d));
      break;
    default:
      return UnsupportedType(ctx, input, "input");
  }
  EMBER_RETURN_IF_ERROR(PrepareOutput(ctx, output_shape, d));
  if (d->dynamic) return Status::Ok();
  if (d->kind == TcKind::kInt8)
    return PrepareTconvFast(ctx, d->shape, input, weights, bias,
                            &d->quant.output, &d->fast);
  if (d->kind == TcKind::kHybrid)
    return PrepareTconvFast(ctx, d->shape, input, weights, bias, nullptr,
                            &d->fast);
  if (d->kind == TcKind::kFloat)
    return PrepareTconvF32Fast(ctx, d->shape, weights, &d->f32);
  return Status::Ok();
}

Status Eval(OpContext& ctx) {
  const Tensor* output_shape = ctx.input(0);
  const Tensor* weights = ctx.input(1);
  const Tensor* input = ctx.input(2);
  const Tensor* bias = ctx.input(3);
  Tensor* output = ctx.output(0);
  const TransposeConvData& d = *ctx.op_data<TransposeConvData>();
  ref::TransposeConvShape s = d.shape;
  if (d.dynamic) {
    // The requested size is data: validated here, then the output sized.
    Shape out;
    EMBER_RETURN_IF_ERROR(
        ResolveOutputShape(ctx, output_shape, d.padding, &s, &out));
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, out));
  }
  if (d.kind == TcKind::kFloat && !d.dynamic && d.f32.packed != nullptr) {
    RunTconvF32Fast(ctx, d.f32, s, input->data_as<float>(),
                    bias ? bias->data_as<float>() : nullptr, d.float_lo,
                    d.float_hi, output->data_as<float>());
    return Status::Ok();
  }
  if (d.kind == TcKind::kFloat) {
    ref::TransposeConvFloat(s, input->data_as<float>(),
                            weights->data_as<float>(),
                            bias ? bias->data_as<float>() : nullptr, d.float_lo,
                            d.float_hi, output->data_as<float>());
    return Status::Ok();
  }
  if (d.kind == TcKind::kHybrid) {
    auto* q_input = static_cast<int8_t*>(ctx.scratch(d.scratch_q_input));
    auto* scales = static_cast<float*>(ctx.scratch(d.scratch_scales));
    auto* zps = static_cast<int32_t*>(ctx.scratch(d.scratch_zps));
    const int64_t per_batch = static_cast<int64_t>(s.in_h) * s.in_w * s.in_c;
    // LiteRT quantizes the input asymmetrically here, whatever the weights'
    // scales (unlike its hybrid CONV_2D).
    for (int32_t b = 0; b < s.batches; ++b) {
      const float* x = input->data_as<float>() + b * per_batch;
      if (d.fast.phases != nullptr) {  // vectorized, same bits
        x86::QuantizeS8Input(true, x, per_batch, q_input + b * per_batch,
                             &scales[b], &zps[b]);
      } else {
        ref::AsymmetricQuantizeToInt8(x, per_batch, q_input + b * per_batch,
                                      &scales[b], &zps[b]);
      }
    }
    if (d.fast.phases != nullptr) {
      auto* mem = static_cast<uint8_t*>(ctx.scratch(d.fast.scratch));
      auto* offsets = reinterpret_cast<int32_t*>(mem + d.fast.offsets_at);
      auto* zero_rows = reinterpret_cast<int8_t*>(mem + d.fast.zero_rows_at);
      const int32_t tap_k4 = d.fast.phases[0].s8.layout.tap_k4;
      for (int32_t b = 0; b < s.batches; ++b) {
        offsets[b] = -zps[b];
        std::memset(zero_rows + static_cast<int64_t>(b) * tap_k4, zps[b],
                    tap_k4);
      }
      RunTconvFast(ctx, d.fast, s, q_input, output->data_as<float>(),
                   d.quant.output, d.float_lo, d.float_hi, offsets, scales,
                   zero_rows);
      return Status::Ok();
    }
    ref::TransposeConvHybrid(
        s, q_input, scales, zps, weights->data_as<int8_t>(), d.filter_scales,
        bias ? bias->data_as<float>() : nullptr, d.float_lo, d.float_hi,
        static_cast<int32_t*>(ctx.scratch(d.scratch_acc)),
        output->data_as<float>());
    return Status::Ok();
  }
  const ref::QuantizedOutput& q = d.quant.output;
  if (d.kind == TcKind::kInt8 && d.fast.phases != nullptr) {
    RunTconvFast(ctx, d.fast, s, input->data_as<int8_t>(),
                 output->data_as<int8_t>(), q, 0.0f, 0.0f, nullptr, nullptr,
                 nullptr);
    return Status::Ok();
  }
  if (d.kind == TcKind::kInt8) {
    ref::TransposeConvQuantized<int32_t>(
        s, input->data_as<int8_t>(), d.quant.input_offset,
        weights->data_as<int8_t>(), 0,
        bias ? bias->data_as<int32_t>() : nullptr, q,
        static_cast<int32_t*>(ctx.scratch(d.scratch_acc)),
        output->data_as<int8_t>());
  } else if (d.kind == TcKind::kUInt8) {
    ref::TransposeConvQuantized<int32_t>(
        s, input->data_as<uint8_t>(), d.quant.input_offset,
        weights->data_as<uint8_t>(), d.quant.weights_offset,
        bias ? bias->data_as<int32_t>() : nullptr, q,
        static_cast<int32_t*>(ctx.scratch(d.scratch_acc)),
        output->data_as<uint8_t>());
  } else {
    ref::TransposeConvQuantized<int64_t>(
        s, input->data_as<int16_t>(), 0, weights->data_as<int8_t>(), 0,
        bias ? bias->data_as<int64_t>() : nullptr, q,
        static_cast<int64_t*>(ctx.scratch(d.scratch_acc)),
        output->data_as<int16_t>());
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_TRANSPOSE_CONV() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::TRANSPOSE_CONV),
      "TRANSPOSE_CONV",
      sizeof(TransposeConvData),
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
