// Activation functions: RELU, RELU6, RELU_N1_TO_1, RELU_0_TO_1, LEAKY_RELU,
// PRELU, LOGISTIC, TANH, HARD_SWISH, GELU, ELU.
//
// Quantized paths follow TFLite's reference kernels: the RELU family and
// LEAKY_RELU / PRELU rescale with fixed-point multipliers; LOGISTIC, TANH,
// GELU and ELU on 8-bit data use a 256-entry table built in Prepare; int16
// LOGISTIC / TANH interpolate a sigmoid table; HARD_SWISH has its own 16-bit
// fixed-point formula.
#include "kernels/ref/activations.h"

#include "kernels/ref/binary.h"
#include "ops/elementwise_util.h"
#include "ops/fast_ops_select.h"

namespace ember::ops {
namespace {

enum class Act {
  kRelu,
  kRelu6,
  kReluN1To1,
  kRelu0To1,
  kLeakyRelu,
  kLogistic,
  kTanh,
  kHardSwish,
  kGelu,
  kElu
};

struct ActData {
  float float_lo, float_hi;  // RELU family (float)
  float alpha;               // LEAKY_RELU (float)
  bool approximate;          // GELU
  bool use_table;            // 8-bit table lookup
  uint8_t table[256];
  int16_t table16[ref::kLut16Size];  // GELU int16
  ref::QuantReluParams relu;
  ref::LeakyReluParams leaky;
  ref::Int16SigmoidParams sigmoid16;
  ref::HardSwishParams hard_swish;
  // fp32 fast path (nullptr: reference): the x86 vector kernels.
  const x86::FastOpsKernels* fast;
  // 8-bit types on every architecture (nullptr: reference): a 256-entry
  // table of the reference's own outputs (bit-exact), looked up by the best
  // kernel of lut8_kernels.def.
  x86::Lut8Fn fast_lut;
  uint8_t fast_table[256];
  // int16 tensors of at least 65536 elements, on every architecture
  // (nullptr: reference): the reference's output for each of the 65536
  // inputs (128 KiB, persistent), indexed by the input's bits; one load per
  // element instead of the reference's interpolation arithmetic.
  const int16_t* table16_full;
};

void ReluBounds(Act act, float* lo, float* hi) {
  switch (act) {
    case Act::kRelu:
      *lo = 0.0f;
      *hi = INFINITY;
      break;
    case Act::kRelu6:
      *lo = 0.0f;
      *hi = 6.0f;
      break;
    case Act::kReluN1To1:
      *lo = -1.0f;
      *hi = 1.0f;
      break;
    default:
      *lo = 0.0f;
      *hi = 1.0f;
      break;
  }
}

constexpr bool IsReluFamily(Act act) {
  return act == Act::kRelu || act == Act::kRelu6 || act == Act::kReluN1To1 ||
         act == Act::kRelu0To1;
}

void QuantRange(DataType t, int32_t* lo, int32_t* hi) {
  switch (t) {
    case DataType::kInt8:
      *lo = -128;
      *hi = 127;
      break;
    case DataType::kUInt8:
      *lo = 0;
      *hi = 255;
      break;
    default:
      *lo = -32768;
      *hi = 32767;
      break;
  }
}

float (*TableTransform(Act act, bool approximate))(float) {
  switch (act) {
    case Act::kLogistic:
      return ref::LogisticF;
    case Act::kTanh:
      return ref::TanhF;
    case Act::kElu:
      return ref::EluF;
    case Act::kGelu:
      return approximate ? ref::GeluApproxF : ref::GeluF;
    default:
      return nullptr;
  }
}

// Which quantized types each activation supports.
bool SupportsQuantized(Act act, DataType t) {
  switch (act) {
    case Act::kElu:
      return t == DataType::kInt8;
    case Act::kReluN1To1:
    case Act::kRelu0To1:  // LiteRT has no int16 variant of these two
      return t == DataType::kInt8 || t == DataType::kUInt8;
    case Act::kGelu:
      return IsQuantizedType(t);
    case Act::kHardSwish:
      return t == DataType::kInt8 || t == DataType::kUInt8;
    default:
      return IsQuantizedType(t);
  }
}

template <Act kAct>
Status PrepareRef(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  const Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, out));
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, in->shape));
  auto* d = ctx.op_data<ActData>();
  d->use_table = false;
  if constexpr (kAct == Act::kLeakyRelu) {
    const auto* o = ctx.op()->builtin_options_as_LeakyReluOptions();
    d->alpha = o ? o->alpha() : 0.0f;
  }
  if constexpr (kAct == Act::kGelu) {
    const auto* o = ctx.op()->builtin_options_as_GeluOptions();
    d->approximate = o ? o->approximate() : false;
  }
  if (in->type == DataType::kFloat32) {
    if (IsReluFamily(kAct)) ReluBounds(kAct, &d->float_lo, &d->float_hi);
    return Status::Ok();
  }
  if (!IsQuantizedType(in->type) || !SupportsQuantized(kAct, in->type))
    return UnsupportedType(ctx, in, "input");
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, in, "input"));
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, out, "output"));
  const float si = in->quant.scale0(), so = out->quant.scale0();
  const int32_t zi = in->quant.zero_point0(), zo = out->quant.zero_point0();
  int32_t qmin, qmax;
  QuantRange(in->type, &qmin, &qmax);
  const bool is16 = in->type == DataType::kInt16;

  if constexpr (IsReluFamily(kAct)) {
    if (is16) {
      EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, in, "input"));
      EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, out, "output"));
    }
    ref::QuantReluParams& p = d->relu;
    p.in_zero_point = zi;
    p.out_zero_point = zo;
    ref::QuantizeMultiplier(static_cast<float>(si / so), &p.mult, &p.shift);
    float lo, hi;
    ReluBounds(kAct, &lo, &hi);
    p.lo = std::max(qmin, zo + static_cast<int32_t>(std::round(lo / so)));
    p.hi = std::isinf(hi)
               ? qmax
               : std::min(qmax, zo + static_cast<int32_t>(std::round(hi / so)));
    return Status::Ok();
  }
  if constexpr (kAct == Act::kLeakyRelu) {
    if (is16) {
      EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, in, "input"));
      EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, out, "output"));
    }
    ref::LeakyReluParams& p = d->leaky;
    p.in_zero_point = zi;
    p.out_zero_point = zo;
    p.qmin = qmin;
    p.qmax = qmax;
    // Both ratios are formed in float, as the reference does.
    ref::QuantizeMultiplier(static_cast<float>(si * d->alpha / so),
                            &p.alpha_mult, &p.alpha_shift);
    ref::QuantizeMultiplier(static_cast<float>(si / so), &p.identity_mult,
                            &p.identity_shift);
    return Status::Ok();
  }
  if constexpr (kAct == Act::kHardSwish) {
    ref::HardSwishParams& p = d->hard_swish;
    p.in_zero_point = zi;
    p.out_zero_point = zo;
    const float hires_scale = (1.0f / 128.0f) * si;
    const float reluish_scale = 3.0f / 32768.0f;
    int32_t m32;
    ref::QuantizeMultiplier(hires_scale / so, &m32, &p.out_shift);
    p.out_mult = ref::Q31ToQ15(m32);
    if (p.out_shift > 0) {
      return ctx.Error(StatusCode::kUnsupported,
                       "input scale %g / output scale %g is too large for "
                       "quantized HARD_SWISH (needs input/128 <= output)",
                       static_cast<double>(si), static_cast<double>(so));
    }
    ref::QuantizeMultiplier(hires_scale / reluish_scale, &m32,
                            &p.reluish_shift);
    p.reluish_mult = ref::Q31ToQ15(m32);
    return Status::Ok();
  }
  if constexpr (kAct == Act::kLogistic || kAct == Act::kTanh) {
    if (is16) {
      // Symmetric int16; output is Q0.15 (scale 2^-15).
      EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, in, "input"));
      EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, out, "output"));
      int out_log2;
      if (!CheckedLog2(so, &out_log2) || out_log2 != -15) {
        return ctx.Error(StatusCode::kUnsupported,
                         "int16 output scale must be 2^-15 (is %g)",
                         static_cast<double>(so));
      }
      // Input: 3 integer bits. A power-of-two input scale is used as a
      // shift; otherwise the input is rescaled to 1/(3*4096) with an
      // integer multiplier.
      constexpr int kInputIntegerBits = 3;
      int in_log2;
      bool pot = CheckedLog2(si, &in_log2);
      ref::Int16SigmoidParams& p = d->sigmoid16;
      p.input_multiplier = 0;
      p.input_left_shift = (15 - kInputIntegerBits) + in_log2;
      pot = pot && (p.input_left_shift == 0 ||
                    (kAct == Act::kTanh && p.input_left_shift == 1));
      if (!pot) {
        double multiplier = static_cast<double>(si) * 4096.0 * 3.0;
        p.input_left_shift = 0;
        while (multiplier <= 32767.0 / 2.0 && p.input_left_shift <= 30) {
          ++p.input_left_shift;
          multiplier *= 2.0;
        }
        p.input_multiplier = static_cast<int32_t>(multiplier);
      }
      return Status::Ok();
    }
  }
  d->use_table = true;
  auto* f = TableTransform(kAct, d->approximate);
  if (is16) {  // GELU int16: interpolated 513-entry table
    EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, in, "input"));
    EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, out, "output"));
    ref::PopulateLut16(si, 0, so, 0, f, d->table16);
    return Status::Ok();
  }
  // 8-bit table.
  if (in->type == DataType::kInt8) {
    ref::PopulateLut8<int8_t>(si, zi, so, zo, f, d->table);
  } else {
    ref::PopulateLut8<uint8_t>(si, zi, so, zo, f, d->table);
  }
  return Status::Ok();
}

template <Act kAct>
float ApplyFloat(const ActData& d, float x) {
  if constexpr (IsReluFamily(kAct))
    return std::min(std::max(x, d.float_lo), d.float_hi);
  if constexpr (kAct == Act::kLeakyRelu) return x > 0.0f ? x : x * d.alpha;
  if constexpr (kAct == Act::kLogistic) return ref::LogisticF(x);
  if constexpr (kAct == Act::kTanh) return std::tanh(x);
  if constexpr (kAct == Act::kHardSwish)
    return x * std::min(6.0f, std::max(0.0f, x + 3.0f)) / 6.0f;
  if constexpr (kAct == Act::kGelu)
    return d.approximate ? ref::GeluApproxF(x) : ref::GeluF(x);
  if constexpr (kAct == Act::kElu) return ref::EluF(x);
  return x;
}

template <Act kAct, typename T>
T ApplyQuantized(const ActData& d, T x) {
  if (d.use_table) {
    if constexpr (sizeof(T) == 1) return ref::LookupLut8(d.table, x);
    if constexpr (std::is_same_v<T, int16_t>)
      return ref::LookupLut16(d.table16, x);
  }
  if constexpr (IsReluFamily(kAct))
    return static_cast<T>(ref::QuantRelu(d.relu, x));
  if constexpr (kAct == Act::kLeakyRelu)
    return static_cast<T>(ref::QuantLeakyRelu(d.leaky, x));
  if constexpr (kAct == Act::kHardSwish) {
    if constexpr (sizeof(T) == 1)
      return ref::QuantHardSwish<T>(d.hard_swish, x);
  }
  if constexpr (std::is_same_v<T, int16_t>) {
    if constexpr (kAct == Act::kLogistic)
      return ref::LogisticInt16(d.sigmoid16, x);
    if constexpr (kAct == Act::kTanh) return ref::TanhInt16(d.sigmoid16, x);
  }
  return x;
}

// The fp32 fast kernel for an activation, if there is one.
template <Act kAct>
bool FastUnaryOp(x86::UnaryOp* op, bool approximate) {
  if constexpr (IsReluFamily(kAct)) {
    *op = x86::UnaryOp::kClamp;
    return true;
  }
  if constexpr (kAct == Act::kLeakyRelu) {
    *op = x86::UnaryOp::kLeakyRelu;
    return true;
  }
  if constexpr (kAct == Act::kHardSwish) {
    *op = x86::UnaryOp::kHardSwish;
    return true;
  }
  if constexpr (kAct == Act::kLogistic) {
    *op = x86::UnaryOp::kLogistic;
    return true;
  }
  if constexpr (kAct == Act::kTanh) {
    *op = x86::UnaryOp::kTanh;
    return true;
  }
  if constexpr (kAct == Act::kGelu) {
    *op = approximate ? x86::UnaryOp::kGeluApprox : x86::UnaryOp::kGelu;
    return true;
  }
  return false;
}

// Tabulates the reference's quantized activation over all 256 inputs.
template <Act kAct, typename T>
void BuildTable(ActData* d) {
  for (int v = 0; v < 256; ++v) {
    const T x = static_cast<T>(static_cast<uint8_t>(v));
    d->fast_table[v] = static_cast<uint8_t>(ApplyQuantized<kAct, T>(*d, x));
  }
}

template <Act kAct>
Status Prepare(OpContext& ctx) {
  ctx.SetKernelVariant("ref");
  EMBER_RETURN_IF_ERROR(PrepareRef<kAct>(ctx));
  auto* d = ctx.op_data<ActData>();
  d->fast = nullptr;
  d->fast_lut = nullptr;
  d->table16_full = nullptr;
  const Tensor* in = ctx.input(0);
  if (in->NumElements() == 0) return Status::Ok();
  if (in->type == DataType::kInt16) {
    // The table is 128 KiB: only where the tensor is at least as large, so
    // that it never more than doubles the node's memory (efficientnet_b0's
    // 65 int16 LOGISTICs would otherwise add 8 MiB).
    if (!ctx.optimized_kernels_allowed() || in->NumElements() < (1 << 16))
      return Status::Ok();
    void* mem = nullptr;
    EMBER_RETURN_IF_ERROR(ctx.AllocatePersistent(sizeof(int16_t) << 16, &mem));
    auto* table = static_cast<int16_t*>(mem);
    for (int v = 0; v < (1 << 16); ++v) {
      table[v] = ApplyQuantized<kAct, int16_t>(
          *d, static_cast<int16_t>(static_cast<uint16_t>(v)));
    }
    d->table16_full = table;
    ctx.SetKernelVariant("portable_lut16");
    return Status::Ok();
  }
  if (in->type == DataType::kFloat32) {
    const x86::FastOpsKernels* k = SelectFastOps(ctx);
    x86::UnaryOp op;
    if (k != nullptr && FastUnaryOp<kAct>(&op, d->approximate)) {
      d->fast = k;
      ctx.SetKernelVariant(FastVariantName(k, FastFamily::kActivation));
    }
    return Status::Ok();
  }
  if (in->type != DataType::kInt8 && in->type != DataType::kUInt8)
    return Status::Ok();
  // Empty only when reference kernels are forced (the list ends with a
  // portable entry).
  const x86::Lut8Kernel* lut = x86::SelectLut8(ctx.allowed_isas());
  if (lut == nullptr) return Status::Ok();
  if (in->type == DataType::kInt8)
    BuildTable<kAct, int8_t>(d);
  else
    BuildTable<kAct, uint8_t>(d);
  d->fast_lut = lut->fn;
  ctx.SetKernelVariant(lut->label);
  return Status::Ok();
}

template <typename T, typename F>
void Map(const Tensor* in, Tensor* out, F&& f) {
  const T* pi = in->data_as<T>();
  T* po = out->data_as<T>();
  for (int64_t i = 0, n = in->NumElements(); i < n; ++i) po[i] = f(pi[i]);
}

template <Act kAct>
Status Eval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const auto& d = *ctx.op_data<ActData>();
  if (d.fast != nullptr) {
    x86::UnaryOp op = x86::UnaryOp::kClamp;
    FastUnaryOp<kAct>(&op, d.approximate);
    x86::UnaryArgs u;
    u.in = in->data_as<float>();
    u.out = out->data_as<float>();
    u.lo = d.float_lo;
    u.hi = d.float_hi;
    u.alpha = d.alpha;
    x86::RunUnaryF32(ctx.thread_pool(), d.fast->unary_f32, op, u,
                     in->NumElements());
    return Status::Ok();
  }
  if (d.table16_full != nullptr) {
    const auto* pi = static_cast<const uint16_t*>(in->data);
    int16_t* po = out->data_as<int16_t>();
    for (int64_t i = 0, n = in->NumElements(); i < n; ++i)
      po[i] = d.table16_full[pi[i]];
    return Status::Ok();
  }
  if (d.fast_lut != nullptr) {
    x86::RunLut8(ctx.thread_pool(), d.fast_lut, d.fast_table,
                 static_cast<const uint8_t*>(in->data),
                 static_cast<uint8_t*>(out->data), in->NumElements());
    return Status::Ok();
  }
  switch (in->type) {
    case DataType::kFloat32:
      Map<float>(in, out, [&](float x) { return ApplyFloat<kAct>(d, x); });
      return Status::Ok();
    case DataType::kInt8:
      Map<int8_t>(in, out,
                  [&](int8_t x) { return ApplyQuantized<kAct>(d, x); });
      return Status::Ok();
    case DataType::kUInt8:
      Map<uint8_t>(in, out,
                   [&](uint8_t x) { return ApplyQuantized<kAct>(d, x); });
      return Status::Ok();
    case DataType::kInt16:
      Map<int16_t>(in, out,
                   [&](int16_t x) { return ApplyQuantized<kAct>(d, x); });
      return Status::Ok();
    default:
      return UnsupportedType(ctx, in, "input");
  }
}

// ---------------------------------------------------------------------------
// PRELU: alpha broadcasts against the input (typically per channel).
struct PreluData {
  ref::PreluParams q;
  const x86::FastOpsKernels* fast;  // fp32 only; nullptr: reference
  x86::BinaryArgs fast_args;
};

Status PreparePreluRef(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(PrepareBinaryShape(ctx));
  const Tensor* in = ctx.input(0);
  const Tensor* alpha = ctx.input(1);
  const Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, alpha));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, out));
  if (in->type == DataType::kFloat32) return Status::Ok();
  if (in->type != DataType::kInt8 && in->type != DataType::kUInt8)
    return UnsupportedType(ctx, in, "input");
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, in, "input"));
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, alpha, "alpha"));
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, out, "output"));
  ref::PreluParams& p = ctx.op_data<PreluData>()->q;
  const float si = in->quant.scale0(), sa = alpha->quant.scale0();
  const float so = out->quant.scale0();
  p.in_offset = -in->quant.zero_point0();
  p.alpha_offset = -alpha->quant.zero_point0();
  p.out_offset = out->quant.zero_point0();
  QuantRange(in->type, &p.qmin, &p.qmax);
  // Ratios formed in float, as the reference does.
  ref::QuantizeMultiplier(static_cast<float>(si / so), &p.pos_mult,
                          &p.pos_shift);
  ref::QuantizeMultiplier(static_cast<float>(si * sa / so), &p.neg_mult,
                          &p.neg_shift);
  return Status::Ok();
}

Status PreparePrelu(OpContext& ctx) {
  ctx.SetKernelVariant("ref");
  EMBER_RETURN_IF_ERROR(PreparePreluRef(ctx));
  auto* d = ctx.op_data<PreluData>();
  d->fast = nullptr;
  const Tensor* in = ctx.input(0);
  const Tensor* out = ctx.output(0);
  if (in->type != DataType::kFloat32 || out->shape.NumElements() == 0)
    return Status::Ok();
  const x86::FastOpsKernels* k = SelectFastOps(ctx);
  if (k == nullptr || !ClassifyBinaryOperands(in->shape, ctx.input(1)->shape,
                                              out->shape, &d->fast_args))
    return Status::Ok();
  d->fast_args.lo = -INFINITY;
  d->fast_args.hi = INFINITY;
  d->fast = k;
  ctx.SetKernelVariant(FastVariantName(k, FastFamily::kEltwise));
  return Status::Ok();
}

Status EvalPrelu(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  const Tensor* alpha = ctx.input(1);
  Tensor* out = ctx.output(0);
  const auto& p = ctx.op_data<PreluData>()->q;
  if (const auto* d = ctx.op_data<PreluData>(); d->fast != nullptr) {
    x86::BinaryArgs args = d->fast_args;
    args.a = in->data;
    args.b = alpha->data;
    args.out = out->data;
    x86::RunBinaryF32(ctx.thread_pool(), d->fast->binary_f32,
                      x86::BinaryOp::kPrelu, args);
    return Status::Ok();
  }
  switch (in->type) {
    case DataType::kFloat32:
      ref::BroadcastBinary(
          in->shape, in->data_as<float>(), alpha->shape,
          alpha->data_as<float>(), out->shape, out->data_as<float>(),
          [](float x, float a) { return x >= 0.0f ? x : x * a; });
      return Status::Ok();
    case DataType::kInt8:
      ref::BroadcastBinary(
          in->shape, in->data_as<int8_t>(), alpha->shape,
          alpha->data_as<int8_t>(), out->shape, out->data_as<int8_t>(),
          [&](int8_t x, int8_t a) {
            return static_cast<int8_t>(ref::QuantPrelu(p, x, a));
          });
      return Status::Ok();
    case DataType::kUInt8:
      ref::BroadcastBinary(
          in->shape, in->data_as<uint8_t>(), alpha->shape,
          alpha->data_as<uint8_t>(), out->shape, out->data_as<uint8_t>(),
          [&](uint8_t x, uint8_t a) {
            return static_cast<uint8_t>(ref::QuantPrelu(p, x, a));
          });
      return Status::Ok();
    default:
      return UnsupportedType(ctx, in, "input");
  }
}

template <Act kAct>
const OpRegistration* Make(fb::BuiltinOperator op, const char* name) {
  static const OpRegistration reg = {static_cast<int32_t>(op),
                                     name,
                                     sizeof(ActData),
                                     Prepare<kAct>,
                                     Eval<kAct>,
                                     kOpFlagInPlaceInput0};
  return &reg;
}

}  // namespace

const OpRegistration* Register_RELU() {
  return Make<Act::kRelu>(fb::BuiltinOperator::RELU, "RELU");
}
const OpRegistration* Register_RELU6() {
  return Make<Act::kRelu6>(fb::BuiltinOperator::RELU6, "RELU6");
}
const OpRegistration* Register_RELU_N1_TO_1() {
  return Make<Act::kReluN1To1>(fb::BuiltinOperator::RELU_N1_TO_1,
                               "RELU_N1_TO_1");
}
const OpRegistration* Register_RELU_0_TO_1() {
  return Make<Act::kRelu0To1>(fb::BuiltinOperator::RELU_0_TO_1, "RELU_0_TO_1");
}
const OpRegistration* Register_LEAKY_RELU() {
  return Make<Act::kLeakyRelu>(fb::BuiltinOperator::LEAKY_RELU, "LEAKY_RELU");
}
const OpRegistration* Register_LOGISTIC() {
  return Make<Act::kLogistic>(fb::BuiltinOperator::LOGISTIC, "LOGISTIC");
}
const OpRegistration* Register_TANH() {
  return Make<Act::kTanh>(fb::BuiltinOperator::TANH, "TANH");
}
const OpRegistration* Register_HARD_SWISH() {
  return Make<Act::kHardSwish>(fb::BuiltinOperator::HARD_SWISH, "HARD_SWISH");
}
const OpRegistration* Register_GELU() {
  return Make<Act::kGelu>(fb::BuiltinOperator::GELU, "GELU");
}
const OpRegistration* Register_ELU() {
  return Make<Act::kElu>(fb::BuiltinOperator::ELU, "ELU");
}
const OpRegistration* Register_PRELU() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::PRELU),
      "PRELU",
      sizeof(PreluData),
      PreparePrelu,
      EvalPrelu,
      kOpFlagInPlaceInput0};
  return &reg;
}

}  // namespace ember::ops
