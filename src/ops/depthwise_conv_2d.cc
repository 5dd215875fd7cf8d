// DEPTHWISE_CONV_2D: NHWC input [N, H, W, C], filter [1, KH, KW, C * M],
// optional bias [C * M]; the depth multiplier M is derived from the shapes
// (the option is redundant and not always consistent in older models).
// Types: float32; hybrid (float input/output, int8 per-channel weights,
// input quantized per batch); int8 (per-channel weights, int32 bias);
// uint8 (per-tensor asymmetric weights); int16 activations with int8
// weights and int64 bias (64-bit accumulator).
#include <algorithm>

#include "kernels/drivers/dwconv_geometry.h"
#include "kernels/drivers/dwconv_s16.h"
#include "kernels/drivers/dwconv_s8.h"
#include "kernels/ref/depthwise_conv.h"
#include "ops/conv_util.h"
#include "ops/fast_path.h"
#include "ops/folded_pad.h"

namespace ember::ops {
namespace {

enum class DwKind : int32_t { kFloat, kHybrid, kInt8, kUInt8, kInt16 };

struct DepthwiseData {
  DwKind kind;
  ref::DepthwiseShape shape;
  float float_lo, float_hi;
  ConvQuantization quant;      // quantized kinds
  const float* filter_scales;  // hybrid: one per output channel
  int scratch_q_input, scratch_scales, scratch_zps;
  // Optimized float path (x86, depth multiplier 1): the kernel, a zero row
  // standing in for padding rows and the bias (zeros when absent), both in
  // persistent memory.
  x86::DwConvF32Fn fast;
  const char* fast_hybrid_label;  // its kernel_variant for int8 weights
  const float* zero_row;
  const float* fast_bias;
  // Hybrid on the float kernel: the int8 weights times their scales,
  // unpacked once here, and scratch for the input after the reference's
  // per-batch int8 quantization, dequantized again (so the products are the
  // reference's integer products times the same scales, in fp32).
  const float* fast_filter;
  int scratch_fake_quant;
  // Optimized int8 path (x86, depth multiplier 1, constant weights): the
  // kernel, the packed weights / folded bias / requantization constants,
  // and a row of the input zero point standing in for padding.
  x86::DwConvS8Fn fast_s8;
  const int32_t* s8_packed;
  const int8_t* s8_zero_row;
  // int16x8 path (kernels/drivers/dwconv_s16.h): one scratch slot per
  // worker; off when reference kernels are forced or taps exceed the
  // exact int32 range.
  bool fast_s16 = false;
  int s16_slots = 1;
  int scratch_s16 = -1;
};

Status PrepareFastFloat(OpContext& ctx, const Tensor* bias, DepthwiseData* d) {
  const ref::DepthwiseShape& s = d->shape;
  const x86::DwConvF32Kernel* kern = x86::SelectDwConvF32(ctx.allowed_isas());
  if (kern == nullptr || s.depth_multiplier != 1 || s.filter_h > 64)
    return Status::Ok();
  // Bias values are read at prepare only when constant; otherwise keep the
  // reference kernel.
  if (bias != nullptr && !bias->is_constant()) return Status::Ok();
  const size_t row = static_cast<size_t>(s.in_w) * s.in_c;
  void* mem = nullptr;
  EMBER_RETURN_IF_ERROR(
      ctx.AllocatePersistent(sizeof(float) * (row + s.in_c), &mem));
  float* zeros = static_cast<float*>(mem);
  for (size_t i = 0; i < row; ++i) zeros[i] = 0.0f;
  float* b = zeros + row;
  for (int32_t c = 0; c < s.in_c; ++c)
    b[c] = bias ? bias->data_as<float>()[c] : 0.0f;
  d->fast = kern->fn;
  d->fast_hybrid_label = kern->hybrid_label;
  d->zero_row = zeros;
  d->fast_bias = b;
  ctx.SetKernelVariant(kern->label);
  return Status::Ok();
}

// Hybrid (float input, constant int8 weights): the weights are dequantized
// once into persistent memory and the float kernel runs on the input after
// the reference's per-batch quantization round trip (see DepthwiseData).
Status PrepareFastHybrid(OpContext& ctx, const Tensor* input,
                         const Tensor* filter, const Tensor* bias,
                         DepthwiseData* d) {
  d->fast_filter = nullptr;
  if (!filter->is_constant()) return Status::Ok();
  EMBER_RETURN_IF_ERROR(PrepareFastFloat(ctx, bias, d));
  if (d->fast == nullptr) return Status::Ok();
  const int32_t out_c = d->shape.in_c * d->shape.depth_multiplier;
  const int64_t count = filter->NumElements();
  void* mem = nullptr;
  EMBER_RETURN_IF_ERROR(ctx.AllocatePersistent(sizeof(float) * count, &mem));
  float* weights = static_cast<float*>(mem);
  const int8_t* q = filter->data_as<int8_t>();
  for (int64_t i = 0; i < count; ++i) {
    const int32_t c = static_cast<int32_t>(i % out_c);  // [1, H, W, C]
    weights[i] = static_cast<float>(q[i]) * WeightScale(filter, c);
  }
  d->fast_filter = weights;
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      sizeof(float) * static_cast<size_t>(input->NumElements()),
      &d->scratch_fake_quant));
  ctx.SetKernelVariant(d->fast_hybrid_label);
  return Status::Ok();
}

// int8 activations with int8 weights (per-channel or per-tensor): packs the
// weights with the prepared requantization once, when the weights and bias
// are constants; otherwise the reference kernel stays.
Status PrepareFastInt8(OpContext& ctx, const Tensor* input,
                       const Tensor* filter, const Tensor* bias,
                       DepthwiseData* d) {
  const ref::DepthwiseShape& s = d->shape;
  const x86::DwConvS8Kernel* kern = x86::SelectDwConvS8(ctx.allowed_isas());
  if (kern == nullptr || s.depth_multiplier != 1 || s.filter_h > 64)
    return Status::Ok();
  if (!filter->is_constant() || (bias != nullptr && !bias->is_constant()))
    return Status::Ok();
  const int32_t C = s.in_c;
  const int32_t taps = s.filter_h * s.filter_w;
  const size_t zero_bytes = static_cast<size_t>(s.in_w) * C;
  void* packed_mem = nullptr;
  EMBER_RETURN_IF_ERROR(
      ctx.AllocatePersistent(x86::PackedDwS8Bytes(taps, C), &packed_mem));
  void* zero_mem = nullptr;
  EMBER_RETURN_IF_ERROR(ctx.AllocatePersistent(zero_bytes, &zero_mem));
  auto* packed = static_cast<int32_t*>(packed_mem);
  x86::PackDwConvS8(filter->data_as<int8_t>(), OptionalData<int32_t>(bias),
                    d->quant.output.multiplier, d->quant.output.shift, taps, C,
                    input->quant.zero_point0(), packed);
  auto* zeros = static_cast<int8_t*>(zero_mem);
  for (size_t i = 0; i < zero_bytes; ++i)
    zeros[i] = static_cast<int8_t>(input->quant.zero_point0());
  d->fast_s8 = kern->fn;
  d->s8_packed = packed;
  d->s8_zero_row = zeros;
  ctx.SetKernelVariant(kern->label);
  return Status::Ok();
}

// Shape, window and output size; errors name the inconsistent dimension.
Status PrepareGeometry(OpContext& ctx, const fb::DepthwiseConv2DOptions* opt,
                       const Tensor* input, const Tensor* filter,
                       ref::DepthwiseShape* shape, int32_t* out_channels) {
  ref::DepthwiseShape& s = *shape;
  s.batches = input->shape.dims[0];
  s.in_h = input->shape.dims[1];
  s.in_w = input->shape.dims[2];
  s.in_c = input->shape.dims[3];
  s.filter_h = filter->shape.dims[1];
  s.filter_w = filter->shape.dims[2];
  const int32_t out_c = filter->shape.dims[3];
  if (filter->shape.dims[0] != 1) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "filter must have shape [1, KH, KW, C], dim 0 is %d",
                     filter->shape.dims[0]);
  }
  if (s.in_c <= 0 || out_c <= 0 || out_c % s.in_c != 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "filter has %d channels, not a multiple of the input's %d",
                     out_c, s.in_c);
  }
  if (s.filter_h <= 0 || s.filter_w <= 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "filter has empty spatial dims");
  }
  s.depth_multiplier = out_c / s.in_c;
  EMBER_RETURN_IF_ERROR(ApplyConvWindow(ctx, opt, &s));
  *out_channels = out_c;
  return ctx.ResizeOutput(0, MakeShape({s.batches, s.out_h, s.out_w, out_c}));
}

// float32 input: float weights, or int8 weights (hybrid: the input is
// quantized per batch in each Eval, into scratch requested here).
Status PrepareFloatInput(OpContext& ctx, fb::ActivationFunctionType act,
                         int32_t out_c, const Tensor* input,
                         const Tensor* filter, const Tensor* bias,
                         const Tensor* output, DepthwiseData* d) {
  EMBER_RETURN_IF_ERROR(CheckType(ctx, output, "output", DataType::kFloat32));
  EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, out_c, DataType::kFloat32));
  EMBER_RETURN_IF_ERROR(
      FloatActivationRange(ctx, act, &d->float_lo, &d->float_hi));
  if (filter->type == DataType::kFloat32) {
    d->kind = DwKind::kFloat;
    return PrepareFastFloat(ctx, bias, d);
  }
  if (filter->type != DataType::kInt8) {
    return ctx.Error(StatusCode::kUnsupported,
                     "float input with %s filter is not supported",
                     DataTypeName(filter->type));
  }
  EMBER_RETURN_IF_ERROR(CheckWeightQuant(ctx, filter, out_c, 3, true));
  d->kind = DwKind::kHybrid;
  EMBER_RETURN_IF_ERROR(
      PrepareChannelScales(ctx, filter, out_c, &d->filter_scales));
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      static_cast<size_t>(input->NumElements()), &d->scratch_q_input));
  EMBER_RETURN_IF_ERROR(
      ctx.RequestScratch(sizeof(float) * d->shape.batches, &d->scratch_scales));
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      sizeof(int32_t) * (d->shape.batches + 1), &d->scratch_zps));
  return PrepareFastHybrid(ctx, input, filter, bias, d);
}

// Which quantized kind the tensors make (uint8, int8, or int16 activations
// with int8 weights and an int64 bias), after checking weights and bias.
Status ChooseQuantizedKind(OpContext& ctx, int32_t out_c, const Tensor* input,
                           const Tensor* filter, const Tensor* bias,
                           const Tensor* output, DepthwiseData* d) {
  if (input->type == DataType::kUInt8) {
    EMBER_RETURN_IF_ERROR(CheckType(ctx, filter, "filter", DataType::kUInt8));
    EMBER_RETURN_IF_ERROR(CheckWeightQuant(ctx, filter, out_c, 3, false));
    if (filter->quant.count != 1) {
      return ctx.Error(StatusCode::kUnsupported,
                       "uint8 depthwise conv needs per-tensor filter "
                       "quantization");
    }
    EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, out_c, DataType::kInt32));
    d->kind = DwKind::kUInt8;
    return Status::Ok();
  }
  EMBER_RETURN_IF_ERROR(CheckType(ctx, filter, "filter", DataType::kInt8));
  EMBER_RETURN_IF_ERROR(CheckWeightQuant(ctx, filter, out_c, 3, true));
  if (input->type == DataType::kInt8) {
    EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, out_c, DataType::kInt32));
    d->kind = DwKind::kInt8;
    return Status::Ok();
  }
  if (input->quant.zero_point0() != 0 || output->quant.zero_point0() != 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "int16 input/output need zero point 0 (have %d, %d)",
                     input->quant.zero_point0(), output->quant.zero_point0());
  }
  EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, out_c, DataType::kInt64));
  d->kind = DwKind::kInt16;
  return Status::Ok();
}

// int16 activations: per-worker channel sums, unless reference kernels are
// forced or the taps could overflow the int32 sums.
Status PrepareFastInt16(OpContext& ctx, DepthwiseData* d) {
  const ref::DepthwiseShape& s = d->shape;
  if (!ctx.optimized_kernels_allowed() ||
      static_cast<int64_t>(s.filter_h) * s.filter_w > x86::kDwS16MaxTaps) {
    return Status::Ok();
  }
  d->s16_slots = std::max(1, ctx.num_threads());
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      x86::DwConvS16SlotBytes(s) * d->s16_slots, &d->scratch_s16));
  d->fast_s16 = true;
  ctx.SetKernelVariant(x86::DwConvS16Label());
  return Status::Ok();
}

// int8 / uint8 / int16 input: per-channel multipliers computed once here
// (persistent), then the int8 fast path where one exists.
Status PrepareQuantizedInput(OpContext& ctx, fb::ActivationFunctionType act,
                             int32_t out_c, const Tensor* input,
                             const Tensor* filter, const Tensor* bias,
                             const Tensor* output, DepthwiseData* d) {
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, input, output));
  EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, input, "input"));
  EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, output, "output"));
  EMBER_RETURN_IF_ERROR(
      ChooseQuantizedKind(ctx, out_c, input, filter, bias, output, d));
  EMBER_RETURN_IF_ERROR(PrepareConvQuantization(ctx, act, input, filter, output,
                                                out_c, ref::Rounding::kDouble,
                                                &d->quant));
  if (d->kind == DwKind::kInt16) return PrepareFastInt16(ctx, d);
  if (d->kind != DwKind::kInt8) return Status::Ok();
  return PrepareFastInt8(ctx, input, filter, bias, d);
}

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 3, 1));
  const Tensor* input = ctx.input(0);
  const Tensor* filter = ctx.input(1);
  const Tensor* bias = ctx.input(2);
  Tensor* output = ctx.output(0);
  const auto* opt = ctx.op()->builtin_options_as_DepthwiseConv2DOptions();
  if (opt == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "missing DepthwiseConv2DOptions");
  }
  EMBER_RETURN_IF_ERROR(CheckRank(ctx, input, "input", 4));
  EMBER_RETURN_IF_ERROR(CheckRank(ctx, filter, "filter", 4));
  auto* d = ctx.op_data<DepthwiseData>();
  *d = DepthwiseData{};
  int32_t out_c = 0;
  EMBER_RETURN_IF_ERROR(
      PrepareGeometry(ctx, opt, input, filter, &d->shape, &out_c));
  const auto act = opt->fused_activation_function();
  switch (input->type) {
    case DataType::kFloat32:
      return PrepareFloatInput(ctx, act, out_c, input, filter, bias, output, d);
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16:
      return PrepareQuantizedInput(ctx, act, out_c, input, filter, bias, output,
                                   d);
    default:
      return UnsupportedType(ctx, input, "input");
  }
}

// Runs the optimized float kernel (float models, and hybrid ones on their
// dequantized weights).
void RunFastFloat(OpContext& ctx, const DepthwiseData& d, const float* input,
                  const float* filter, float* output) {
  const ref::DepthwiseShape& s = d.shape;
  x86::DwConvF32Args a;
  x86::CopyDwGeometry(s, &a);
  a.input = input;
  a.filter = filter;
  a.bias = d.fast_bias;
  a.zero_row = d.zero_row;
  a.output = output;
  a.lo = d.float_lo;
  a.hi = d.float_hi;
  x86::RunDwConvF32(ctx.thread_pool(), d.fast, a);
}

// Hybrid: quantizes the input per batch as the reference does, then either
// runs the float kernel on the input's quantize/dequantize round trip with
// the weights dequantized at prepare (float rounding differs from the
// reference's integer sums, within the hybrid tests' tolerance), or the
// reference itself.
void EvalHybrid(OpContext& ctx, const DepthwiseData& d, const Tensor* input,
                const Tensor* filter, const Tensor* bias, Tensor* output) {
  const ref::DepthwiseShape& s = d.shape;
  auto* q_input = static_cast<int8_t*>(ctx.scratch(d.scratch_q_input));
  auto* scales = static_cast<float*>(ctx.scratch(d.scratch_scales));
  auto* zps = static_cast<int32_t*>(ctx.scratch(d.scratch_zps));
  const int64_t per_batch = static_cast<int64_t>(s.in_h) * s.in_w * s.in_c;
  for (int32_t b = 0; b < s.batches; ++b) {
    x86::QuantizeS8Input(true, input->data_as<float>() + b * per_batch,
                         per_batch, q_input + b * per_batch, &scales[b],
                         &zps[b]);
  }
  if (d.fast_filter == nullptr) {
    ref::DepthwiseConvHybrid(s, q_input, scales, zps, filter->data_as<int8_t>(),
                             d.filter_scales, OptionalData<float>(bias),
                             d.float_lo, d.float_hi, output->data_as<float>());
    return;
  }
  auto* x = static_cast<float*>(ctx.scratch(d.scratch_fake_quant));
  for (int32_t b = 0; b < s.batches; ++b) {
    const int8_t* qb = q_input + b * per_batch;
    float* xb = x + b * per_batch;
    const float scale = scales[b];
    const int32_t zp = zps[b];
    for (int64_t i = 0; i < per_batch; ++i)
      xb[i] = static_cast<float>(qb[i] - zp) * scale;
  }
  RunFastFloat(ctx, d, x, d.fast_filter, output->data_as<float>());
}

void RunFastInt8(OpContext& ctx, const DepthwiseData& d, const Tensor* input,
                 Tensor* output) {
  x86::DwConvS8Args a;
  x86::CopyDwGeometry(d.shape, &a);
  a.input = input->data_as<int8_t>();
  a.packed = d.s8_packed;
  a.zero_row = d.s8_zero_row;
  a.output = output->data_as<int8_t>();
  a.output_offset = d.quant.output.output_offset;
  a.act_lo = d.quant.output.act_lo;
  a.act_hi = d.quant.output.act_hi;
  x86::RunDwConvS8(ctx.thread_pool(), d.fast_s8, a);
}

Status EvalQuantized(OpContext& ctx, const DepthwiseData& d,
                     const Tensor* input, const Tensor* filter,
                     const Tensor* bias, Tensor* output) {
  const ref::DepthwiseShape& s = d.shape;
  const ref::QuantizedOutput& q = d.quant.output;
  switch (d.kind) {
    case DwKind::kInt8:
      if (d.fast_s8 != nullptr) {
        RunFastInt8(ctx, d, input, output);
        return Status::Ok();
      }
      ref::DepthwiseConvQuantized<int32_t>(
          s, input->data_as<int8_t>(), d.quant.input_offset,
          filter->data_as<int8_t>(), 0, OptionalData<int32_t>(bias), q,
          output->data_as<int8_t>());
      return Status::Ok();
    case DwKind::kUInt8:
      ref::DepthwiseConvQuantized<int32_t>(
          s, input->data_as<uint8_t>(), d.quant.input_offset,
          filter->data_as<uint8_t>(), d.quant.weights_offset,
          OptionalData<int32_t>(bias), q, output->data_as<uint8_t>());
      return Status::Ok();
    case DwKind::kInt16:
      if (d.fast_s16) {
        x86::RunDwConvS16(ctx.thread_pool(), d.s16_slots, s,
                          input->data_as<int16_t>(), filter->data_as<int8_t>(),
                          OptionalData<int64_t>(bias), q,
                          output->data_as<int16_t>(),
                          static_cast<uint8_t*>(ctx.scratch(d.scratch_s16)));
        return Status::Ok();
      }
      ref::DepthwiseConvQuantized<int64_t>(
          s, input->data_as<int16_t>(), 0, filter->data_as<int8_t>(), 0,
          OptionalData<int64_t>(bias), q, output->data_as<int16_t>());
      return Status::Ok();
    default:
      return UnsupportedType(ctx, input, "input");
  }
}

Status Eval(OpContext& ctx) {
  const Tensor* input = ctx.input(0);
  const Tensor* filter = ctx.input(1);
  const Tensor* bias = ctx.input(2);
  Tensor* output = ctx.output(0);
  const DepthwiseData& d = *ctx.op_data<DepthwiseData>();
  switch (d.kind) {
    case DwKind::kFloat:
      if (d.fast != nullptr) {
        RunFastFloat(ctx, d, input->data_as<float>(), filter->data_as<float>(),
                     output->data_as<float>());
      } else {
        ref::DepthwiseConvFloat(d.shape, input->data_as<float>(),
                                filter->data_as<float>(),
                                OptionalData<float>(bias), d.float_lo,
                                d.float_hi, output->data_as<float>());
      }
      return Status::Ok();
    case DwKind::kHybrid:
      EvalHybrid(ctx, d, input, filter, bias, output);
      return Status::Ok();
    default:
      return EvalQuantized(ctx, d, input, filter, bias, output);
  }
}

}  // namespace

const OpRegistration* Register_DEPTHWISE_CONV_2D() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::DEPTHWISE_CONV_2D),
      "DEPTHWISE_CONV_2D",
      sizeof(DepthwiseData),
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
