// CONV_2D: NHWC input [N, H, W, C], filter [O, KH, KW, C / groups], optional
// bias [O]. Types: float32; hybrid (float32 input and output, int8
// weights, input quantized per batch on the fly); int8 (per-channel or
// per-tensor weights, int32 bias); uint8 (asymmetric weights, int32 bias);
// int16 activations with int8 weights (int64, int32 or no bias).
#include <algorithm>
#include <cstring>

#include "kernels/ref/conv.h"
#include "ops/conv_util.h"
#include "ops/fast_path.h"
#include "ops/fast_s16_path.h"
#include "ops/folded_pad.h"
#include "ops/sparse_fast_path.h"

namespace ember::ops {
namespace {

enum class ConvKind : int32_t { kFloat, kHybrid, kInt8, kUInt8, kInt16 };

struct ConvData {
  ConvKind kind;
  ref::ConvShape shape;
  float float_lo, float_hi;
  ConvQuantization quant;  // quantized kinds
  bool bias64;             // int16: int64 bias, 64-bit accumulator
  bool hybrid_asymmetric;
  const float* filter_scales;  // hybrid: one per output channel
  int scratch_q_input, scratch_scales, scratch_zps;  // hybrid
  // Optimized float path (x86): weights packed at prepare; `direct` for
  // 1x1 stride-1 convolutions (the input is the GEMM's A matrix), else
  // im2col into per-thread scratch.
  const float* packed;
  x86::GemmF32Kernel gemm;
  bool direct;
  int im2col_slots;
  int scratch_im2col;
  // Optimized int8 / hybrid path (x86): packed weights and, unless the
  // convolution is 1x1 stride 1 (`s8_direct`), an indirection table of
  // input offsets per (output pixel, tap) built here, -1 for padding.
  FastS8 s8;
  bool s8_direct;
  const int32_t* indirection;
  const int8_t* zero_row;  // int8: zero_row_bytes of the input zero point
  // Bytes of a padding row: tap_k4, plus the channel offset of the last
  // group when grouped (every group's row pointers move by its offset).
  int32_t zero_row_bytes;
  // One scratch buffer (nodes have few): the per-worker tile pointers,
  // then for hybrid the -zero point per batch and a zero-point row per
  // batch, at these byte offsets.
  int scratch_s8;
  size_t s8_offsets_at, s8_zero_rows_at;
  SparseFloatPath sparse;  // pruned 1x1 weights (ops/sparse_fast_path.h)
  // Optimized int16x8 path (kernels/drivers/conv_s16.h): weights widened
  // to int16 at prepare; one scratch slot per worker.
  FastS16 s16;
};

// Builds the indirection table: for output pixel p (one batch) and tap
// (ky, kx), the byte offset of the input pixel in its batch, or -1 where
// the tap falls into the padding.
void BuildIndirection(const ref::ConvShape& s, int32_t* table) {
  int32_t* out = table;
  for (int32_t oy = 0; oy < s.out_h; ++oy) {
    for (int32_t ox = 0; ox < s.out_w; ++ox) {
      for (int32_t ky = 0; ky < s.filter_h; ++ky) {
        const int32_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
        for (int32_t kx = 0; kx < s.filter_w; ++kx) {
          const int32_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
          const bool inside = iy >= 0 && iy < s.in_h && ix >= 0 && ix < s.in_w;
          *out++ = inside ? (iy * s.in_w + ix) * s.in_c : -1;
        }
      }
    }
  }
}

Status PrepareFastS8Conv(OpContext& ctx, const Tensor* input,
                         const Tensor* filter, const Tensor* bias,
                         x86::S8Output mode, ConvData* d) {
  const ref::ConvShape& s = d->shape;
  // Grouped convolutions run one GEMM per group over the same rows: group
  // g's A rows are its filter_in_c channels, g * filter_in_c bytes into
  // each input pixel. (A 16-column ymm VNNI tile for narrow groups was
  // measured slower than the zmm one's zero-padded panels on Zen 4.)
  const int32_t groups = s.in_c / s.filter_in_c;
  const x86::S8Kernel* kern = FastS8Kernel(ctx);
  if (kern == nullptr) return Status::Ok();
  const int64_t taps = static_cast<int64_t>(s.filter_h) * s.filter_w;
  const int64_t batch_bytes = static_cast<int64_t>(s.in_h) * s.in_w * s.in_c;
  const int64_t out_pixels =
      static_cast<int64_t>(s.batches) * s.out_h * s.out_w;
  if (out_pixels == 0 || batch_bytes >= (int64_t{1} << 31) ||
      taps * s.filter_in_c > (int64_t{1} << 24))
    return Status::Ok();
  d->s8_direct = s.filter_h == 1 && s.filter_w == 1 && s.stride_h == 1 &&
                 s.stride_w == 1 && s.pad_top == 0 && s.pad_left == 0 &&
                 s.out_h == s.in_h && s.out_w == s.in_w;
  const ref::QuantizedOutput* requant =
      mode == x86::S8Output::kFloat ? nullptr : &d->quant.output;
  EMBER_RETURN_IF_ERROR(PrepareFastS8(ctx, kern, input, filter, bias, requant,
                                      s.out_c, static_cast<int32_t>(taps),
                                      s.filter_in_c, mode, &d->s8, groups));
  if (d->s8.packed == nullptr) return Status::Ok();
  d->zero_row_bytes = (groups - 1) * s.filter_in_c + d->s8.layout.tap_k4;
  if (!d->s8_direct) {
    void* mem = nullptr;
    const int64_t entries = static_cast<int64_t>(s.out_h) * s.out_w * taps;
    EMBER_RETURN_IF_ERROR(
        ctx.AllocatePersistent(sizeof(int32_t) * entries, &mem));
    BuildIndirection(s, static_cast<int32_t*>(mem));
    d->indirection = static_cast<const int32_t*>(mem);
    if (mode != x86::S8Output::kFloat) {
      EMBER_RETURN_IF_ERROR(ctx.AllocatePersistent(d->zero_row_bytes, &mem));
      std::memset(mem, input->quant.zero_point0(), d->zero_row_bytes);
      d->zero_row = static_cast<const int8_t*>(mem);
    }
  }
  auto round64 = [](size_t n) { return (n + 63) / 64 * 64; };
  const size_t ptr_bytes =
      d->s8_direct
          ? 0
          : x86::S8PointerScratchBytes(d->s8.kernel, static_cast<int32_t>(taps),
                                       d->s8.max_slots, groups);
  d->s8_offsets_at = round64(ptr_bytes);
  d->s8_zero_rows_at = d->s8_offsets_at;
  size_t total = d->s8_offsets_at;
  if (mode == x86::S8Output::kFloat) {
    d->s8_zero_rows_at =
        round64(d->s8_offsets_at + sizeof(int32_t) * s.batches);
    total =
        d->s8_zero_rows_at +
        (d->s8_direct ? 0 : static_cast<size_t>(s.batches) * d->zero_row_bytes);
  }
  EMBER_RETURN_IF_ERROR(
      ctx.RequestScratch(total > 0 ? total : 64, &d->scratch_s8));
  ctx.SetKernelVariant(d->s8_direct ? kern->gemm_label : kern->igemm_label);
  return Status::Ok();
}

// Runs the prepared int8 / hybrid fast path. For kFloat, `batch_offset`,
// `batch_scale` and `zero_rows` (one row per batch) describe the input
// quantized in this Eval.
void RunFastS8Conv(OpContext& ctx, const ConvData& d, const int8_t* input,
                   void* output, const int32_t* batch_offset,
                   const float* batch_scale, const int8_t* zero_rows) {
  const ref::ConvShape& s = d.shape;
  x86::S8Problem p;
  p.m = static_cast<int64_t>(s.batches) * s.out_h * s.out_w;
  p.a = input;
  p.lda = s.in_c;
  p.rows_per_batch = static_cast<int64_t>(s.out_h) * s.out_w;
  if (!d.s8_direct) {
    p.indirection = d.indirection;
    p.batch_stride = static_cast<int64_t>(s.in_h) * s.in_w * s.in_c;
    p.taps = s.filter_h * s.filter_w;
    p.zero_rows = zero_rows ? zero_rows : d.zero_row;
    p.zero_row_stride = zero_rows ? d.zero_row_bytes : 0;
  }
  p.tap_k = s.filter_in_c;
  p.groups = d.s8.groups;
  p.group_a_offset = s.filter_in_c;
  p.packed = d.s8.packed;
  p.layout = d.s8.layout;
  p.c = output;
  p.ldc = s.out_c;
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
  auto** ptrs = static_cast<const int8_t**>(ctx.scratch(d.scratch_s8));
  x86::RunS8Gemm(ctx.thread_pool(), d.s8.max_slots, d.s8.kernel, p, ptrs);
}

Status PrepareFastFloat(OpContext& ctx, const Tensor* filter,
                        const Tensor* bias, ConvData* d) {
  const ref::ConvShape& s = d->shape;
  // Grouped convolutions: one panel set per group, always through im2col
  // (which gathers each group's channel slice), on the GEMM whose panels
  // fit the group's channels best.
  const int32_t groups = s.in_c / s.filter_in_c;
  const x86::GemmF32Kernel* kern =
      groups == 1
          ? FastGemmF32(ctx)
          : x86::SelectGemmF32ForColumns(ctx.allowed_isas(), s.out_c / groups);
  if (kern == nullptr) return Status::Ok();
  if (groups == 1) {
    EMBER_RETURN_IF_ERROR(
        PrepareSparseConv1x1(ctx, s, filter, bias, &d->sparse));
    if (d->sparse.active()) return Status::Ok();
  }
  const int64_t k =
      static_cast<int64_t>(s.filter_h) * s.filter_w * s.filter_in_c;
  if (k > (int64_t{1} << 24)) return Status::Ok();
  EMBER_RETURN_IF_ERROR(PackFastGemm(ctx, kern, filter, bias, s.out_c,
                                     static_cast<int32_t>(k), &d->gemm,
                                     &d->packed, groups));
  if (d->packed == nullptr) return Status::Ok();
  d->direct = groups == 1 && s.filter_h == 1 && s.filter_w == 1 &&
              s.stride_h == 1 && s.stride_w == 1 && s.pad_top == 0 &&
              s.pad_left == 0 && s.out_h == s.in_h && s.out_w == s.in_w;
  if (!d->direct) {
    d->im2col_slots = ctx.num_threads() > 1 ? ctx.num_threads() : 1;
    EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
        sizeof(float) *
            static_cast<size_t>(x86::Im2colScratchFloats(s, d->im2col_slots)),
        &d->scratch_im2col));
  }
  ctx.SetKernelVariant(d->direct ? kern->label : kern->im2col_label);
  return Status::Ok();
}

// Shape, window and output size; errors name the inconsistent dimension.
Status PrepareGeometry(OpContext& ctx, const fb::Conv2DOptions* opt,
                       const Tensor* input, const Tensor* filter,
                       ref::ConvShape* shape) {
  ref::ConvShape& s = *shape;
  s.batches = input->shape.dims[0];
  s.in_h = input->shape.dims[1];
  s.in_w = input->shape.dims[2];
  s.in_c = input->shape.dims[3];
  s.out_c = filter->shape.dims[0];
  s.filter_h = filter->shape.dims[1];
  s.filter_w = filter->shape.dims[2];
  s.filter_in_c = filter->shape.dims[3];
  if (s.filter_in_c <= 0 || s.in_c % s.filter_in_c != 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "input has %d channels, not a multiple of the filter's %d",
                     s.in_c, s.filter_in_c);
  }
  const int32_t groups = s.in_c / s.filter_in_c;
  if (s.out_c <= 0 || s.out_c % groups != 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%d output channels cannot be split into %d groups",
                     s.out_c, groups);
  }
  if (s.filter_h <= 0 || s.filter_w <= 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "filter has empty spatial dims");
  }
  EMBER_RETURN_IF_ERROR(ApplyConvWindow(ctx, opt, &s));
  return ctx.ResizeOutput(0, MakeShape({s.batches, s.out_h, s.out_w, s.out_c}));
}

// Hybrid: float input and output, int8 weights; the input is quantized per
// batch in each Eval, into scratch requested here.
Status PrepareHybrid(OpContext& ctx, const Tensor* input, const Tensor* filter,
                     const Tensor* bias, ConvData* d) {
  const ref::ConvShape& s = d->shape;
  EMBER_RETURN_IF_ERROR(CheckWeightQuant(ctx, filter, s.out_c, 0, true));
  d->kind = ConvKind::kHybrid;
  EMBER_RETURN_IF_ERROR(
      PrepareChannelScales(ctx, filter, s.out_c, &d->filter_scales));
  // Distinct per-channel scales select asymmetric input quantization;
  // per-tensor (or all-equal) scales the symmetric one, except in a
  // grouped conv, which LiteRT always runs on its per-channel
  // (asymmetric) path.
  d->hybrid_asymmetric = s.filter_in_c != s.in_c;
  for (int i = 1; i < filter->quant.count; ++i)
    if (filter->quant.scale[i] != filter->quant.scale[0])
      d->hybrid_asymmetric = true;
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      static_cast<size_t>(input->NumElements()), &d->scratch_q_input));
  EMBER_RETURN_IF_ERROR(
      ctx.RequestScratch(sizeof(float) * s.batches, &d->scratch_scales));
  EMBER_RETURN_IF_ERROR(
      ctx.RequestScratch(sizeof(int32_t) * (s.batches + 1), &d->scratch_zps));
  return PrepareFastS8Conv(ctx, input, filter, bias, x86::S8Output::kFloat, d);
}

// float32 input: float weights, or int8 weights (hybrid).
Status PrepareFloatInput(OpContext& ctx, fb::ActivationFunctionType act,
                         const Tensor* input, const Tensor* filter,
                         const Tensor* bias, const Tensor* output,
                         ConvData* d) {
  const int32_t out_c = d->shape.out_c;
  EMBER_RETURN_IF_ERROR(CheckType(ctx, output, "output", DataType::kFloat32));
  EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, out_c, DataType::kFloat32));
  EMBER_RETURN_IF_ERROR(
      FloatActivationRange(ctx, act, &d->float_lo, &d->float_hi));
  if (filter->type == DataType::kFloat32) {
    d->kind = ConvKind::kFloat;
    return PrepareFastFloat(ctx, filter, bias, d);
  }
  if (filter->type != DataType::kInt8) {
    return ctx.Error(StatusCode::kUnsupported,
                     "float input with %s filter is not supported",
                     DataTypeName(filter->type));
  }
  return PrepareHybrid(ctx, input, filter, bias, d);
}

// Which quantized kind the tensors make (uint8, int8, or int16 activations
// with int8 weights), after checking weights and bias for it.
Status ChooseQuantizedKind(OpContext& ctx, const Tensor* input,
                           const Tensor* filter, const Tensor* bias,
                           const Tensor* output, ConvData* d) {
  const int32_t out_c = d->shape.out_c;
  if (input->type == DataType::kUInt8) {
    EMBER_RETURN_IF_ERROR(CheckType(ctx, filter, "filter", DataType::kUInt8));
    EMBER_RETURN_IF_ERROR(CheckWeightQuant(ctx, filter, out_c, 0, false));
    if (filter->quant.count != 1) {
      return ctx.Error(StatusCode::kUnsupported,
                       "uint8 conv needs per-tensor filter quantization");
    }
    EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, out_c, DataType::kInt32));
    d->kind = ConvKind::kUInt8;
    return Status::Ok();
  }
  EMBER_RETURN_IF_ERROR(CheckType(ctx, filter, "filter", DataType::kInt8));
  EMBER_RETURN_IF_ERROR(CheckWeightQuant(ctx, filter, out_c, 0, true));
  if (input->type == DataType::kInt8) {
    EMBER_RETURN_IF_ERROR(CheckBias(ctx, bias, out_c, DataType::kInt32));
    d->kind = ConvKind::kInt8;
    return Status::Ok();
  }
  if (input->quant.zero_point0() != 0 || output->quant.zero_point0() != 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "int16 input/output need zero point 0 (have %d, %d)",
                     input->quant.zero_point0(), output->quant.zero_point0());
  }
  EMBER_RETURN_IF_ERROR(CheckInt16Bias(ctx, bias, out_c, &d->bias64));
  d->kind = ConvKind::kInt16;
  return Status::Ok();
}

// int16 or uint8 activations, groups of 1: weights widened once (uint8
// with their zero point subtracted) for the int16 dot-row kernels (the
// reference otherwise).
Status PrepareFastS16Conv(OpContext& ctx, const Tensor* filter, ConvData* d) {
  return PrepareFastS16(ctx, d->shape, filter, d->kind == ConvKind::kUInt8,
                        d->quant.weights_offset, &d->s16);
}

// int8 / uint8 / int16 input: per-channel multipliers computed once here
// (persistent), then the int8 fast path where one exists.
Status PrepareQuantizedInput(OpContext& ctx, fb::ActivationFunctionType act,
                             const Tensor* input, const Tensor* filter,
                             const Tensor* bias, const Tensor* output,
                             ConvData* d) {
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, input, output));
  EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, input, "input"));
  EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, output, "output"));
  EMBER_RETURN_IF_ERROR(
      ChooseQuantizedKind(ctx, input, filter, bias, output, d));
  EMBER_RETURN_IF_ERROR(
      PrepareConvQuantization(ctx, act, input, filter, output, d->shape.out_c,
                              ref::Rounding::kDouble, &d->quant));
  if (d->kind == ConvKind::kInt16 || d->kind == ConvKind::kUInt8)
    return PrepareFastS16Conv(ctx, filter, d);
  if (d->kind != ConvKind::kInt8) return Status::Ok();
  return PrepareFastS8Conv(ctx, input, filter, bias,
                           x86::S8Output::kInt8DoubleRounding, d);
}

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 3, 1));
  const Tensor* input = ctx.input(0);
  const Tensor* filter = ctx.input(1);
  const Tensor* bias = ctx.input(2);
  Tensor* output = ctx.output(0);
  const auto* opt = ctx.op()->builtin_options_as_Conv2DOptions();
  if (opt == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel, "missing Conv2DOptions");
  }
  EMBER_RETURN_IF_ERROR(CheckRank(ctx, input, "input", 4));
  EMBER_RETURN_IF_ERROR(CheckRank(ctx, filter, "filter", 4));
  auto* d = ctx.op_data<ConvData>();
  *d = ConvData{};
  EMBER_RETURN_IF_ERROR(PrepareGeometry(ctx, opt, input, filter, &d->shape));
  const auto act = opt->fused_activation_function();
  switch (input->type) {
    case DataType::kFloat32:
      return PrepareFloatInput(ctx, act, input, filter, bias, output, d);
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16:
      return PrepareQuantizedInput(ctx, act, input, filter, bias, output, d);
    default:
      return UnsupportedType(ctx, input, "input");
  }
}

void EvalFloat(OpContext& ctx, const ConvData& d, const Tensor* input,
               const Tensor* filter, const Tensor* bias, Tensor* output) {
  const ref::ConvShape& s = d.shape;
  if (d.sparse.active()) {
    RunSparseFloat(ctx, d.sparse, input->data_as<float>(),
                   int64_t{s.batches} * s.out_h * s.out_w,
                   output->data_as<float>(), d.float_lo, d.float_hi);
    return;
  }
  if (d.packed == nullptr) {
    ref::ConvFloat(s, input->data_as<float>(), filter->data_as<float>(),
                   OptionalData<float>(bias), d.float_lo, d.float_hi,
                   output->data_as<float>());
    return;
  }
  if (!d.direct) {
    x86::RunConvIm2colF32(ctx.thread_pool(), d.im2col_slots, d.gemm, s,
                          input->data_as<float>(), d.packed, d.float_lo,
                          d.float_hi,
                          static_cast<float*>(ctx.scratch(d.scratch_im2col)),
                          output->data_as<float>());
    return;
  }
  x86::GemmF32Args g;
  g.m = static_cast<int64_t>(s.batches) * s.out_h * s.out_w;
  g.n = s.out_c;
  g.k = s.in_c;
  g.a = input->data_as<float>();
  g.lda = s.in_c;
  g.packed = d.packed;
  g.c = output->data_as<float>();
  g.ldc = s.out_c;
  g.lo = d.float_lo;
  g.hi = d.float_hi;
  x86::RunGemmF32(ctx.thread_pool(), d.gemm, g);
}

// Quantizes each batch of the float input (the fast path's vector quantizer
// gives the reference's bits), then runs the int8 GEMM with a float
// epilogue, or the reference.
void EvalHybrid(OpContext& ctx, const ConvData& d, const Tensor* input,
                const Tensor* filter, const Tensor* bias, Tensor* output) {
  const ref::ConvShape& s = d.shape;
  auto* q_input = static_cast<int8_t*>(ctx.scratch(d.scratch_q_input));
  auto* scales = static_cast<float*>(ctx.scratch(d.scratch_scales));
  auto* zps = static_cast<int32_t*>(ctx.scratch(d.scratch_zps));
  const int64_t per_batch = static_cast<int64_t>(s.in_h) * s.in_w * s.in_c;
  for (int32_t b = 0; b < s.batches; ++b) {
    const float* x = input->data_as<float>() + b * per_batch;
    if (d.s8.packed != nullptr) {  // vectorized, same bits
      x86::QuantizeS8Input(d.hybrid_asymmetric, x, per_batch,
                           q_input + b * per_batch, &scales[b], &zps[b]);
    } else if (d.hybrid_asymmetric) {
      ref::AsymmetricQuantizeToInt8(x, per_batch, q_input + b * per_batch,
                                    &scales[b], &zps[b]);
    } else {
      ref::SymmetricQuantizeToInt8(x, per_batch, q_input + b * per_batch,
                                   &scales[b]);
      zps[b] = 0;
    }
  }
  if (d.s8.packed == nullptr) {
    ref::ConvHybrid(s, q_input, scales, zps, filter->data_as<int8_t>(),
                    d.filter_scales, OptionalData<float>(bias), d.float_lo,
                    d.float_hi, output->data_as<float>());
    return;
  }
  auto* mem = static_cast<uint8_t*>(ctx.scratch(d.scratch_s8));
  auto* offsets = reinterpret_cast<int32_t*>(mem + d.s8_offsets_at);
  int8_t* zero_rows = nullptr;
  if (!d.s8_direct)
    zero_rows = reinterpret_cast<int8_t*>(mem + d.s8_zero_rows_at);
  for (int32_t b = 0; b < s.batches; ++b) {
    offsets[b] = -zps[b];
    if (zero_rows)
      std::memset(zero_rows + b * d.zero_row_bytes, zps[b], d.zero_row_bytes);
  }
  RunFastS8Conv(ctx, d, q_input, output->data_as<float>(), offsets, scales,
                zero_rows);
}

Status EvalQuantized(OpContext& ctx, const ConvData& d, const Tensor* input,
                     const Tensor* filter, const Tensor* bias, Tensor* output) {
  const ref::ConvShape& s = d.shape;
  if (d.s8.packed != nullptr) {
    RunFastS8Conv(ctx, d, input->data_as<int8_t>(), output->data_as<int8_t>(),
                  nullptr, nullptr, nullptr);
    return Status::Ok();
  }
  const ref::QuantizedOutput& q = d.quant.output;
  switch (d.kind) {
    case ConvKind::kInt8:
      ref::ConvQuantized<int32_t>(
          s, input->data_as<int8_t>(), d.quant.input_offset,
          filter->data_as<int8_t>(), 0, OptionalData<int32_t>(bias), q,
          output->data_as<int8_t>());
      return Status::Ok();
    case ConvKind::kUInt8:
      if (d.s16.packed != nullptr) {
        RunFastS16<int32_t>(ctx, d.s16, input->data_as<uint8_t>(),
                            d.quant.input_offset, OptionalData<int32_t>(bias),
                            q, output->data_as<uint8_t>());
        return Status::Ok();
      }
      ref::ConvQuantized<int32_t>(
          s, input->data_as<uint8_t>(), d.quant.input_offset,
          filter->data_as<uint8_t>(), d.quant.weights_offset,
          OptionalData<int32_t>(bias), q, output->data_as<uint8_t>());
      return Status::Ok();
    case ConvKind::kInt16:
      if (d.s16.packed != nullptr) {
        RunFastS16Int16(ctx, d.s16, d.bias64, input, bias, q, output);
        return Status::Ok();
      }
      if (d.bias64) {
        ref::ConvQuantized<int64_t>(
            s, input->data_as<int16_t>(), 0, filter->data_as<int8_t>(), 0,
            OptionalData<int64_t>(bias), q, output->data_as<int16_t>());
      } else {
        ref::ConvQuantized<int32_t>(
            s, input->data_as<int16_t>(), 0, filter->data_as<int8_t>(), 0,
            OptionalData<int32_t>(bias), q, output->data_as<int16_t>());
      }
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
  const ConvData& d = *ctx.op_data<ConvData>();
  switch (d.kind) {
    case ConvKind::kFloat:
      EvalFloat(ctx, d, input, filter, bias, output);
      return Status::Ok();
    case ConvKind::kHybrid:
      EvalHybrid(ctx, d, input, filter, bias, output);
      return Status::Ok();
    default:
      return EvalQuantized(ctx, d, input, filter, bias, output);
  }
}

}  // namespace

const OpRegistration* Register_CONV_2D() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::CONV_2D),
      "CONV_2D",
      sizeof(ConvData),
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
