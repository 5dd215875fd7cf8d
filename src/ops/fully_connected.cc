// FULLY_CONNECTED: out[b, u] = sum_i in[b, i] * weights[u, i] + bias[u].
// The input is flattened to [batches, depth] with depth = weights dim 1;
// the output is [batches, units], or with keep_num_dims the input shape
// with the last dim replaced by units. Types: float32; hybrid (float input,
// int8 weights, input quantized per batch row, symmetric or asymmetric per
// asymmetric_quantize_inputs); int8 (per-tensor or per-channel weights);
// uint8; int16 activations with int8 weights (int64 or int32 bias). The
// int8 and hybrid kinds have packed-GEMM fast paths; int16 and uint8 the
// widened 1x1-convolution one (kernels/drivers/conv_s16.h).
#include "kernels/ref/fully_connected.h"

#include "ops/conv_util.h"
#include "ops/fast_path.h"
#include "ops/fast_s16_path.h"
#include "ops/sparse_fast_path.h"

namespace ember::ops {
namespace {

enum class FcKind : int32_t { kFloat, kHybrid, kInt8, kUInt8, kInt16 };

struct FcData {
  FcKind kind;
  ref::FullyConnectedShape shape;
  float float_lo, float_hi;
  ConvQuantization quant;  // quantized kinds
  bool bias64;
  bool hybrid_asymmetric;
  bool per_channel;
  int scratch_q_input, scratch_scales, scratch_zps;
  // Optimized float path (x86): weights packed at prepare.
  const float* packed;
  SparseFloatPath sparse;  // pruned weights (ops/sparse_fast_path.h)
  x86::GemmF32Kernel gemm;
  // Optimized int8 / hybrid path (x86): weights packed at prepare.
  FastS8 s8;
  int scratch_batch_offsets;  // hybrid: -zero point per batch row
  // Optimized int16x8 / uint8 path: a 1x1 convolution over the batch rows
  // (kernels/drivers/conv_s16.h), weights widened at prepare.
  FastS16 s16;
};

// int16 or uint8 activations: FULLY_CONNECTED as a 1x1 convolution over
// the batch rows on the widened-weight path (the reference otherwise).
Status PrepareFastS16Fc(OpContext& ctx, const Tensor* weights, FcData* d) {
  const ref::FullyConnectedShape& fc = d->shape;
  ref::ConvShape s;
  s.batches = fc.batches;
  s.in_h = s.in_w = s.out_h = s.out_w = 1;
  s.filter_h = s.filter_w = 1;
  s.in_c = s.filter_in_c = fc.depth;
  s.out_c = fc.units;
  return PrepareFastS16(ctx, s, weights, d->kind == FcKind::kUInt8,
                        d->quant.weights_offset, &d->s16);
}

// The int8 fast path needs symmetric weights (the reference's weight
// offset is not folded into the packed sums).
Status PrepareFastS8Fc(OpContext& ctx, const Tensor* input,
                       const Tensor* weights, const Tensor* bias,
                       x86::S8Output mode, FcData* d) {
  if (d->quant.weights_offset != 0) return Status::Ok();
  const x86::S8Kernel* kern = FastS8Kernel(ctx);
  const ref::QuantizedOutput* requant =
      mode == x86::S8Output::kFloat ? nullptr : &d->quant.output;
  EMBER_RETURN_IF_ERROR(PrepareFastS8(ctx, kern, input, weights, bias, requant,
                                      d->shape.units, 1, d->shape.depth, mode,
                                      &d->s8));
  if (d->s8.packed == nullptr) return Status::Ok();
  if (mode == x86::S8Output::kFloat) {
    EMBER_RETURN_IF_ERROR(ctx.RequestScratch(sizeof(int32_t) * d->shape.batches,
                                             &d->scratch_batch_offsets));
  }
  ctx.SetKernelVariant(kern->gemm_label);
  return Status::Ok();
}

void RunFastS8Fc(OpContext& ctx, const FcData& d, const int8_t* input,
                 void* output, const int32_t* batch_offset,
                 const float* batch_scale) {
  x86::S8Problem p;
  p.m = d.shape.batches;
  p.a = input;
  p.lda = d.shape.depth;
  p.tap_k = d.shape.depth;
  p.packed = d.s8.packed;
  p.layout = d.s8.layout;
  p.c = output;
  p.ldc = d.shape.units;
  p.mode = d.s8.mode;
  p.out_zp = d.quant.output.output_offset;
  p.lo = d.quant.output.act_lo;
  p.hi = d.quant.output.act_hi;
  p.batch_offset = batch_offset;
  p.batch_scale = batch_scale;
  p.col_scale = d.s8.col_scale;
  p.col_bias = d.s8.col_bias;
  p.flo = d.float_lo;
  p.fhi = d.float_hi;
  x86::RunS8Gemm(ctx.thread_pool(), d.s8.max_slots, d.s8.kernel, p, nullptr);
}

// [batches, depth] from the input and weights, and the output's shape.
Status PrepareShape(OpContext& ctx, bool keep_num_dims, const Tensor* input,
                    const Tensor* weights, ref::FullyConnectedShape* shape) {
  ref::FullyConnectedShape& s = *shape;
  s.units = weights->shape.dims[0];
  s.depth = weights->shape.dims[1];
  if (s.depth <= 0 || s.units <= 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "weights shape [%d, %d] is empty", s.units, s.depth);
  }
  if (input->shape.rank < 1) {
    return ctx.Error(StatusCode::kInvalidModel, "input must have rank >= 1");
  }
  const int64_t total = input->NumElements();
  if (total % s.depth != 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "input has %lld elements, not a multiple of depth %d",
                     static_cast<long long>(total), s.depth);
  }
  s.batches = static_cast<int32_t>(total / s.depth);
  if (!keep_num_dims)
    return ctx.ResizeOutput(0, MakeShape({s.batches, s.units}));
  if (input->shape.dims[input->shape.rank - 1] != s.depth) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "keep_num_dims needs the input's last dim (%d) to equal "
                     "depth %d",
                     input->shape.dims[input->shape.rank - 1], s.depth);
  }
  Shape out_shape = input->shape;
  out_shape.dims[out_shape.rank - 1] = s.units;
  return ctx.ResizeOutput(0, out_shape);
}

// float32 input: float weights (sparse, packed GEMM or reference), or int8
// weights (hybrid: the input is quantized per batch row in each Eval).
Status PrepareFloatInput(OpContext& ctx, const fb::FullyConnectedOptions* opt,
                         fb::ActivationFunctionType act, const Tensor* input,
                         const Tensor* weights, const Tensor* bias,
                         const Tensor* output, FcData* d) {
  const ref::FullyConnectedShape& s = d->shape;
  EMBER_RETURN_IF_ERROR(CheckType(ctx, output, "output", DataType::kFloat32));
  EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, s.units, DataType::kFloat32));
  EMBER_RETURN_IF_ERROR(
      FloatActivationRange(ctx, act, &d->float_lo, &d->float_hi));
  if (weights->type == DataType::kFloat32) {
    d->kind = FcKind::kFloat;
    EMBER_RETURN_IF_ERROR(PrepareSparseFloat(ctx, weights, bias, s.units,
                                             s.depth, s.batches, &d->sparse));
    if (d->sparse.active()) return Status::Ok();
    const x86::GemmF32Kernel* kern = FastGemmF32(ctx);
    EMBER_RETURN_IF_ERROR(PackFastGemm(ctx, kern, weights, bias, s.units,
                                       s.depth, &d->gemm, &d->packed));
    if (d->packed != nullptr) ctx.SetKernelVariant(kern->label);
    return Status::Ok();
  }
  if (weights->type != DataType::kInt8) {
    return ctx.Error(StatusCode::kUnsupported,
                     "float input with %s weights is not supported",
                     DataTypeName(weights->type));
  }
  EMBER_RETURN_IF_ERROR(CheckWeightQuant(ctx, weights, s.units, 0, true));
  d->kind = FcKind::kHybrid;
  d->per_channel = weights->quant.count > 1;
  d->hybrid_asymmetric = opt ? opt->asymmetric_quantize_inputs() : false;
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      static_cast<size_t>(input->NumElements()), &d->scratch_q_input));
  EMBER_RETURN_IF_ERROR(
      ctx.RequestScratch(sizeof(float) * s.batches, &d->scratch_scales));
  EMBER_RETURN_IF_ERROR(
      ctx.RequestScratch(sizeof(int32_t) * s.batches, &d->scratch_zps));
  return PrepareFastS8Fc(ctx, input, weights, bias, x86::S8Output::kFloat, d);
}

// Which quantized kind the tensors make (uint8, int8, or int16 activations
// with int8 weights), after checking weights and bias for it.
Status ChooseQuantizedKind(OpContext& ctx, const Tensor* input,
                           const Tensor* weights, const Tensor* bias,
                           const Tensor* output, FcData* d) {
  const int32_t units = d->shape.units;
  if (input->type == DataType::kUInt8) {
    EMBER_RETURN_IF_ERROR(CheckType(ctx, weights, "weights", DataType::kUInt8));
    EMBER_RETURN_IF_ERROR(CheckWeightQuant(ctx, weights, units, 0, false));
    if (weights->quant.count != 1) {
      return ctx.Error(StatusCode::kUnsupported,
                       "uint8 fully connected needs per-tensor weights");
    }
    EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, units, DataType::kInt32));
    d->kind = FcKind::kUInt8;
    return Status::Ok();
  }
  EMBER_RETURN_IF_ERROR(CheckType(ctx, weights, "weights", DataType::kInt8));
  EMBER_RETURN_IF_ERROR(
      CheckWeightQuant(ctx, weights, units, 0, weights->quant.count > 1));
  if (input->type == DataType::kInt8) {
    EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, units, DataType::kInt32));
    d->kind = FcKind::kInt8;
    return Status::Ok();
  }
  if (input->quant.zero_point0() != 0 || output->quant.zero_point0() != 0 ||
      weights->quant.zero_point0() != 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "int16 fully connected needs zero points 0");
  }
  EMBER_RETURN_IF_ERROR(CheckInt16Bias(ctx, bias, units, &d->bias64));
  d->kind = FcKind::kInt16;
  return Status::Ok();
}

// int8 / uint8 / int16 input: multipliers computed once here (persistent),
// then the int8 fast path where one exists.
Status PrepareQuantizedInput(OpContext& ctx, fb::ActivationFunctionType act,
                             const Tensor* input, const Tensor* weights,
                             const Tensor* bias, const Tensor* output,
                             FcData* d) {
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, input, output));
  EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, input, "input"));
  EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, output, "output"));
  EMBER_RETURN_IF_ERROR(
      ChooseQuantizedKind(ctx, input, weights, bias, output, d));
  // LiteRT's FULLY_CONNECTED rounds once (verified bit-exact against
  // BUILTIN_REF for int8, uint8 and int16); the conv ops round twice.
  EMBER_RETURN_IF_ERROR(
      PrepareConvQuantization(ctx, act, input, weights, output, d->shape.units,
                              ref::Rounding::kSingle, &d->quant));
  if (d->kind != FcKind::kInt8) return PrepareFastS16Fc(ctx, weights, d);
  return PrepareFastS8Fc(ctx, input, weights, bias,
                         x86::S8Output::kInt8SingleRounding, d);
}

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 3, 1));
  const Tensor* input = ctx.input(0);
  const Tensor* weights = ctx.input(1);
  const Tensor* bias = ctx.input(2);
  Tensor* output = ctx.output(0);
  const auto* opt = ctx.op()->builtin_options_as_FullyConnectedOptions();
  const auto act =
      opt ? opt->fused_activation_function() : fb::ActivationFunctionType::NONE;
  const bool keep_num_dims = opt ? opt->keep_num_dims() : false;
  if (opt && opt->weights_format() !=
                 fb::FullyConnectedOptionsWeightsFormat::DEFAULT) {
    return ctx.Error(StatusCode::kUnsupported,
                     "shuffled weights format is not supported");
  }
  EMBER_RETURN_IF_ERROR(CheckRank(ctx, weights, "weights", 2));
  if (weights->sparsity != nullptr) {
    return ctx.Error(StatusCode::kUnsupported,
                     "sparse weights are not supported");
  }
  auto* d = ctx.op_data<FcData>();
  *d = FcData{};
  EMBER_RETURN_IF_ERROR(
      PrepareShape(ctx, keep_num_dims, input, weights, &d->shape));
  switch (input->type) {
    case DataType::kFloat32:
      return PrepareFloatInput(ctx, opt, act, input, weights, bias, output, d);
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16:
      return PrepareQuantizedInput(ctx, act, input, weights, bias, output, d);
    default:
      return UnsupportedType(ctx, input, "input");
  }
}

void EvalFloat(OpContext& ctx, const FcData& d, const Tensor* input,
               const Tensor* weights, const Tensor* bias, Tensor* output) {
  const ref::FullyConnectedShape& s = d.shape;
  if (d.sparse.active()) {
    RunSparseFloat(ctx, d.sparse, input->data_as<float>(), s.batches,
                   output->data_as<float>(), d.float_lo, d.float_hi);
    return;
  }
  if (d.packed == nullptr) {
    ref::FullyConnectedFloat(s, input->data_as<float>(),
                             weights->data_as<float>(),
                             OptionalData<float>(bias), d.float_lo, d.float_hi,
                             output->data_as<float>());
    return;
  }
  x86::GemmF32Args g;
  g.m = s.batches;
  g.n = s.units;
  g.k = s.depth;
  g.a = input->data_as<float>();
  g.lda = s.depth;
  g.packed = d.packed;
  g.c = output->data_as<float>();
  g.ldc = s.units;
  g.lo = d.float_lo;
  g.hi = d.float_hi;
  x86::RunGemmF32(ctx.thread_pool(), d.gemm, g);
}

// Quantizes each batch row of the float input (the fast path's vector
// quantizer gives the reference's bits), then runs the int8 GEMM with a
// float epilogue, or the reference.
void EvalHybrid(OpContext& ctx, const FcData& d, const Tensor* input,
                const Tensor* weights, const Tensor* bias, Tensor* output) {
  const ref::FullyConnectedShape& s = d.shape;
  auto* q_input = static_cast<int8_t*>(ctx.scratch(d.scratch_q_input));
  auto* scales = static_cast<float*>(ctx.scratch(d.scratch_scales));
  auto* zps = static_cast<int32_t*>(ctx.scratch(d.scratch_zps));
  for (int32_t b = 0; b < s.batches; ++b) {
    const float* x =
        input->data_as<float>() + static_cast<int64_t>(b) * s.depth;
    int8_t* q = q_input + static_cast<int64_t>(b) * s.depth;
    if (d.s8.packed != nullptr) {  // vectorized, same bits
      x86::QuantizeS8Input(d.hybrid_asymmetric, x, s.depth, q, &scales[b],
                           &zps[b]);
    } else if (d.hybrid_asymmetric) {
      ref::AsymmetricQuantizeToInt8(x, s.depth, q, &scales[b], &zps[b]);
    } else {
      ref::SymmetricQuantizeToInt8(x, s.depth, q, &scales[b]);
      zps[b] = 0;
    }
  }
  if (d.s8.packed == nullptr) {
    ref::FullyConnectedHybrid(s, q_input, scales, zps,
                              weights->data_as<int8_t>(), weights->quant.scale,
                              d.per_channel, OptionalData<float>(bias),
                              d.float_lo, d.float_hi, output->data_as<float>());
    return;
  }
  auto* offsets = static_cast<int32_t*>(ctx.scratch(d.scratch_batch_offsets));
  for (int32_t b = 0; b < s.batches; ++b) offsets[b] = -zps[b];
  RunFastS8Fc(ctx, d, q_input, output->data_as<float>(), offsets, scales);
}

Status EvalQuantized(OpContext& ctx, const FcData& d, const Tensor* input,
                     const Tensor* weights, const Tensor* bias,
                     Tensor* output) {
  const ref::FullyConnectedShape& s = d.shape;
  if (d.s8.packed != nullptr) {
    RunFastS8Fc(ctx, d, input->data_as<int8_t>(), output->data_as<int8_t>(),
                nullptr, nullptr);
    return Status::Ok();
  }
  const ref::QuantizedOutput& q = d.quant.output;
  switch (d.kind) {
    case FcKind::kInt8:
      ref::FullyConnectedQuantized<int32_t>(
          s, input->data_as<int8_t>(), d.quant.input_offset,
          weights->data_as<int8_t>(), d.quant.weights_offset,
          OptionalData<int32_t>(bias), q, output->data_as<int8_t>());
      return Status::Ok();
    case FcKind::kUInt8:
      if (d.s16.packed != nullptr) {
        RunFastS16<int32_t>(ctx, d.s16, input->data_as<uint8_t>(),
                            d.quant.input_offset, OptionalData<int32_t>(bias),
                            q, output->data_as<uint8_t>());
        return Status::Ok();
      }
      ref::FullyConnectedQuantized<int32_t>(
          s, input->data_as<uint8_t>(), d.quant.input_offset,
          weights->data_as<uint8_t>(), d.quant.weights_offset,
          OptionalData<int32_t>(bias), q, output->data_as<uint8_t>());
      return Status::Ok();
    case FcKind::kInt16:
      if (d.s16.packed != nullptr) {
        RunFastS16Int16(ctx, d.s16, d.bias64, input, bias, q, output);
        return Status::Ok();
      }
      if (d.bias64) {
        ref::FullyConnectedQuantized<int64_t>(
            s, input->data_as<int16_t>(), 0, weights->data_as<int8_t>(), 0,
            OptionalData<int64_t>(bias), q, output->data_as<int16_t>());
      } else {
        ref::FullyConnectedQuantized<int32_t>(
            s, input->data_as<int16_t>(), 0, weights->data_as<int8_t>(), 0,
            OptionalData<int32_t>(bias), q, output->data_as<int16_t>());
      }
      return Status::Ok();
    default:
      return UnsupportedType(ctx, input, "input");
  }
}

Status Eval(OpContext& ctx) {
  const Tensor* input = ctx.input(0);
  const Tensor* weights = ctx.input(1);
  const Tensor* bias = ctx.input(2);
  Tensor* output = ctx.output(0);
  const FcData& d = *ctx.op_data<FcData>();
  switch (d.kind) {
    case FcKind::kFloat:
      EvalFloat(ctx, d, input, weights, bias, output);
      return Status::Ok();
    case FcKind::kHybrid:
      EvalHybrid(ctx, d, input, weights, bias, output);
      return Status::Ok();
    default:
      return EvalQuantized(ctx, d, input, weights, bias, output);
  }
}

}  // namespace

const OpRegistration* Register_FULLY_CONNECTED() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::FULLY_CONNECTED),
      "FULLY_CONNECTED",
      sizeof(FcData),
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
