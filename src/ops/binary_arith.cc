// Broadcasting binary arithmetic: MUL, DIV (incl. quantized 8/16-bit),
// SQUARED_DIFFERENCE, MAXIMUM, MINIMUM, POW, FLOOR_DIV, FLOOR_MOD, ATAN2.
// (ADD and SUB live in add.cc.)
#include <cmath>

#include "kernels/ref/binary.h"
#include "ops/broadcast_rows.h"
#include "ops/elementwise_util.h"
#include "ops/fast_ops_select.h"

namespace ember::ops {
namespace {

enum class Kind {
  kMul,
  kDiv,
  kSquaredDiff,
  kMax,
  kMin,
  kPow,
  kFloorDiv,
  kFloorMod,
  kAtan2  // atan2(input 0, input 1): input 0 is y, input 1 is x
};

struct BinaryData {
  float float_lo, float_hi;
  int32_t i32_lo, i32_hi;
  int64_t i64_lo, i64_hi;
  bool quantized;
  ref::MulParams mul;
  ref::SquaredDiffParams sqd;
  ref::DivParams div;
  // x86 fast path for MUL / MAXIMUM / MINIMUM (fp32; MUL also int8):
  // nullptr selects the reference.
  const x86::FastOpsKernels* fast;
  x86::BinaryArgs fast_args;
  x86::QuantMulArgs fast_q;
  x86::QuantMulS8Fn fast_qmul;  // int8 or int16 data
  size_t fast_elem;             // bytes per element of the fast path
  bool fast_by_rows;            // see EvalFastRows
  // Other shapes and ops: walk broadcasts row by row (ops/broadcast_rows.h,
  // same per-element arithmetic as the reference) unless reference kernels
  // are forced.
  bool rows;
  // 8-bit SQUARED_DIFFERENCE with rows: each input's rescaled value
  // (offset, left shift, multiplier) depends on the byte alone, so both are
  // tabulated at Prepare (indexed by the raw byte), leaving one rescale per
  // element; the same integers as ref::QuantizedSquaredDiff.
  bool sqd_table;
  int32_t sqd_a[256], sqd_b[256];
};

template <Kind kKind>
void ChooseFastBinary(OpContext& ctx, BinaryData* d) {
  d->fast = nullptr;
  if constexpr (kKind != Kind::kMul && kKind != Kind::kMax &&
                kKind != Kind::kMin)
    return;
  const Tensor* a = ctx.input(0);
  const Tensor* out = ctx.output(0);
  const bool f32 = a->type == DataType::kFloat32;
  const bool s8 =
      kKind == Kind::kMul && a->type == DataType::kInt8 && d->quantized;
  const bool s16 =
      kKind == Kind::kMul && a->type == DataType::kInt16 && d->quantized;
  if (!f32 && !s8 && !s16) return;
  const x86::FastOpsKernels* k = SelectFastOps(ctx);
  if (k == nullptr || out->shape.NumElements() == 0) return;
  // Other broadcasts (a [.., T, 1] column against [.., T, C] or [1, 1, C],
  // as in LayerNorm) run the same kernels one output row at a time.
  d->fast_by_rows = !ClassifyBinaryOperands(a->shape, ctx.input(1)->shape,
                                            out->shape, &d->fast_args);
  // Short rows cost a kernel call each: leave them to the plain row walk.
  const int64_t inner =
      out->shape.rank > 0 ? out->shape.dims[out->shape.rank - 1] : 1;
  if (d->fast_by_rows && inner < 8) return;
  // MAXIMUM / MINIMUM have no fused activation: an infinite clamp.
  const bool clamp = kKind == Kind::kMul;
  d->fast_args.lo = clamp ? d->float_lo : -INFINITY;
  d->fast_args.hi = clamp ? d->float_hi : INFINITY;
  if (s8 || s16) {
    const ref::MulParams& p = d->mul;
    d->fast_q = {p.in1_offset, p.in2_offset, p.out_offset, p.mult,
                 p.shift,      p.act_lo,     p.act_hi};
  }
  d->fast = k;
  d->fast_qmul = s16 ? k->mul_s16 : k->mul_s8;
  d->fast_elem = f32 ? sizeof(float) : s16 ? sizeof(int16_t) : 1;
  ctx.SetKernelVariant(FastVariantName(k, f32   ? FastFamily::kEltwise
                                          : s16 ? FastFamily::kEltwiseS16
                                                : FastFamily::kEltwiseS8));
}

fb::ActivationFunctionType FusedActivation(OpContext& ctx, Kind kind) {
  if (kind == Kind::kMul) {
    if (const auto* o = ctx.op()->builtin_options_as_MulOptions())
      return o->fused_activation_function();
  } else if (kind == Kind::kDiv) {
    if (const auto* o = ctx.op()->builtin_options_as_DivOptions())
      return o->fused_activation_function();
  }
  return fb::ActivationFunctionType::NONE;
}

// Which input types each op accepts.
bool Supports(Kind kind, DataType t) {
  switch (kind) {
    case Kind::kMul:
      return t == DataType::kFloat32 || t == DataType::kInt32 ||
             t == DataType::kInt64 || IsQuantizedType(t);
    case Kind::kDiv:
      return t == DataType::kFloat32 || t == DataType::kInt32 ||
             IsQuantizedType(t);
    case Kind::kSquaredDiff:
      return t == DataType::kFloat32 || t == DataType::kInt32 ||
             t == DataType::kInt8;
    case Kind::kMax:
    case Kind::kMin:
      return t == DataType::kFloat32 || t == DataType::kInt32 ||
             t == DataType::kInt64 || IsQuantizedType(t);
    case Kind::kPow:
      return t == DataType::kFloat32 || t == DataType::kInt32;
    case Kind::kFloorDiv:
      return t == DataType::kFloat32 || t == DataType::kInt32 ||
             t == DataType::kInt16 || t == DataType::kInt8;
    case Kind::kFloorMod:
      return t == DataType::kFloat32 || t == DataType::kInt32 ||
             t == DataType::kInt64 || t == DataType::kInt16 ||
             t == DataType::kInt8;
    case Kind::kAtan2:  // float only, as LiteRT (which adds float64)
      return t == DataType::kFloat32;
  }
  return false;
}

template <Kind kKind>
Status PrepareRef(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(PrepareBinaryShape(ctx));
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  const Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, a, b));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, a, out));
  if (!Supports(kKind, a->type)) return UnsupportedType(ctx, a, "input");
  const fb::ActivationFunctionType act = FusedActivation(ctx, kKind);
  auto* d = ctx.op_data<BinaryData>();
  d->quantized = false;
  switch (a->type) {
    case DataType::kFloat32:
      return FloatActivationRange(ctx, act, &d->float_lo, &d->float_hi);
    case DataType::kInt32:
      return IntActivationRange(ctx, act, &d->i32_lo, &d->i32_hi);
    case DataType::kInt64:
      return IntActivationRange(ctx, act, &d->i64_lo, &d->i64_hi);
    default:
      break;
  }
  // 8/16-bit integers: quantized arithmetic for MUL, DIV and
  // SQUARED_DIFFERENCE; MAXIMUM / MINIMUM / FLOOR_* work on the raw values.
  if (kKind != Kind::kMul && kKind != Kind::kSquaredDiff && kKind != Kind::kDiv)
    return Status::Ok();
  d->quantized = true;
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, a, "input 0"));
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, b, "input 1"));
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, out, "output"));
  const float sa = a->quant.scale0(), sb = b->quant.scale0();
  const float so = out->quant.scale0();
  if (kKind == Kind::kMul) {
    ref::MulParams& p = d->mul;
    EMBER_RETURN_IF_ERROR(
        QuantizedActivationRange(ctx, act, out, &p.act_lo, &p.act_hi));
    p.in1_offset = -a->quant.zero_point0();
    p.in2_offset = -b->quant.zero_point0();
    p.out_offset = out->quant.zero_point0();
    // The product of scales is formed in float, as the reference does.
    const float real = sa * sb / so;
    ref::QuantizeMultiplier(real, &p.mult, &p.shift);
    return Status::Ok();
  }
  if (kKind == Kind::kDiv) {
    ref::DivParams& p = d->div;
    EMBER_RETURN_IF_ERROR(
        QuantizedActivationRange(ctx, act, out, &p.act_lo, &p.act_hi));
    p.in1_offset = -a->quant.zero_point0();
    p.in2_offset = -b->quant.zero_point0();
    p.out_offset = out->quant.zero_point0();
    const float real = sa / (sb * so);  // float, as the reference
    ref::QuantizeMultiplier(real, &p.mult, &p.shift);
    return Status::Ok();
  }
  ref::SquaredDiffParams& p = d->sqd;
  EMBER_RETURN_IF_ERROR(QuantizedActivationRange(
      ctx, fb::ActivationFunctionType::NONE, out, &p.act_lo, &p.act_hi));
  p.left_shift = 7;
  p.in1_offset = -a->quant.zero_point0();
  p.in2_offset = -b->quant.zero_point0();
  p.out_offset = out->quant.zero_point0();
  const double twice_max = 2.0 * static_cast<double>(std::max(sa, sb));
  ref::QuantizeMultiplier(sa / twice_max, &p.in1_mult, &p.in1_shift);
  ref::QuantizeMultiplier(sb / twice_max, &p.in2_mult, &p.in2_shift);
  ref::QuantizeMultiplier(
      twice_max * twice_max /
          (static_cast<double>(1 << (2 * p.left_shift)) * so),
      &p.out_mult, &p.out_shift);
  return Status::Ok();
}

template <Kind kKind>
Status Prepare(OpContext& ctx) {
  ctx.SetKernelVariant("ref");
  EMBER_RETURN_IF_ERROR(PrepareRef<kKind>(ctx));
  auto* d = ctx.op_data<BinaryData>();
  ChooseFastBinary<kKind>(ctx, d);
  d->rows = d->fast == nullptr && ctx.optimized_kernels_allowed();
  if (d->rows) ctx.SetKernelVariant("portable_broadcast_rows");
  const DataType t = ctx.input(0)->type;
  d->sqd_table = kKind == Kind::kSquaredDiff && d->rows && d->quantized &&
                 (t == DataType::kInt8 || t == DataType::kUInt8);
  if (d->sqd_table) {
    const ref::SquaredDiffParams& p = d->sqd;
    for (int32_t i = 0; i < 256; ++i) {
      const int32_t v = t == DataType::kInt8
                            ? static_cast<int32_t>(static_cast<int8_t>(i))
                            : i;
      d->sqd_a[i] = ref::MultiplyByQuantizedMultiplier(
          (p.in1_offset + v) * (1 << p.left_shift), p.in1_mult, p.in1_shift);
      d->sqd_b[i] = ref::MultiplyByQuantizedMultiplier(
          (p.in2_offset + v) * (1 << p.left_shift), p.in2_mult, p.in2_shift);
    }
  }
  return Status::Ok();
}

constexpr x86::BinaryOp FastOp(Kind kind) {
  return kind == Kind::kMul   ? x86::BinaryOp::kMul
         : kind == Kind::kMax ? x86::BinaryOp::kMax
                              : x86::BinaryOp::kMin;
}

// The fast kernels over one output row (last dim) at a time: each operand
// is the row's own elements or (broadcast along the row) one scalar.
template <Kind kKind>
void EvalFastRows(OpContext& ctx, const BinaryData& d) {
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  Tensor* out = ctx.output(0);
  const size_t elem = d.fast_elem;
  const auto* pa = static_cast<const uint8_t*>(a->data);
  const auto* pb = static_cast<const uint8_t*>(b->data);
  auto* po = static_cast<uint8_t*>(out->data);
  const int64_t inner =
      out->shape.rank > 0 ? out->shape.dims[out->shape.rank - 1] : 1;
  ForEachBroadcastRow(
      a->shape, b->shape, out->shape,
      [&](int64_t r, int64_t oa, int64_t ob, bool step_a, bool step_b) {
        x86::BinaryArgs args = d.fast_args;
        args.a = pa + oa * elem;
        args.b = pb + ob * elem;
        args.out = po + r * inner * elem;
        args.n = inner;
        args.row = inner;
        args.a_kind = step_a ? x86::Operand::kFull : x86::Operand::kScalar;
        args.b_kind = step_b ? x86::Operand::kFull : x86::Operand::kScalar;
        if (d.quantized)
          d.fast_qmul(d.fast_q, args, 0, inner);
        else
          d.fast->binary_f32(FastOp(kKind), args, 0, inner);
      });
}

// Runs the fast kernels chosen in Prepare.
template <Kind kKind>
void EvalFast(OpContext& ctx, const BinaryData& d) {
  if (d.fast_by_rows) {
    EvalFastRows<kKind>(ctx, d);
    return;
  }
  x86::BinaryArgs args = d.fast_args;
  args.a = ctx.input(0)->data;
  args.b = ctx.input(1)->data;
  args.out = ctx.output(0)->data;
  if (d.quantized) {
    x86::RunQuantMulS8(ctx.thread_pool(), d.fast_qmul, d.fast_q, args);
    return;
  }
  x86::RunBinaryF32(ctx.thread_pool(), d.fast->binary_f32, FastOp(kKind), args);
}

template <typename T, typename F>
void Run(const BinaryData& d, const Tensor* a, const Tensor* b, Tensor* out,
         F&& f) {
  if (d.rows) {
    BroadcastRows(a->shape, a->data_as<T>(), b->shape, b->data_as<T>(),
                  out->shape, out->data_as<T>(), f);
    return;
  }
  ref::BroadcastBinary(a->shape, a->data_as<T>(), b->shape, b->data_as<T>(),
                       out->shape, out->data_as<T>(), f);
}

template <typename T>
bool AnyZero(const Tensor* t) {
  const T* p = t->data_as<T>();
  for (int64_t i = 0, n = t->NumElements(); i < n; ++i)
    if (p[i] == 0) return true;
  return false;
}

template <typename T>
bool AnyNegative(const Tensor* t) {
  const T* p = t->data_as<T>();
  for (int64_t i = 0, n = t->NumElements(); i < n; ++i)
    if (p[i] < 0) return true;
  return false;
}

// Plain (non-quantized) evaluation for one integer type.
template <Kind kKind, typename T>
Status EvalInt(OpContext& ctx, const BinaryData& d, T lo, T hi) {
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  Tensor* out = ctx.output(0);
  auto clamp = [&](T v) { return std::min(std::max(v, lo), hi); };
  if constexpr (kKind == Kind::kDiv || kKind == Kind::kFloorDiv ||
                kKind == Kind::kFloorMod) {
    if (AnyZero<T>(b))
      return ctx.Error(StatusCode::kInvalidArgument, "division by zero");
  }
  if constexpr (kKind == Kind::kPow) {
    if (AnyNegative<T>(b))
      return ctx.Error(StatusCode::kInvalidArgument,
                       "integer power with a negative exponent");
  }
  Run<T>(d, a, b, out, [&](T x, T y) -> T {
    if constexpr (kKind == Kind::kMul) return clamp(ref::WrapMul(x, y));
    if constexpr (kKind == Kind::kDiv) {
      // INT_MIN / -1 overflows; wrap like the hardware-free definition.
      if (y == -1) return clamp(ref::WrapSub(T(0), x));
      return clamp(static_cast<T>(x / y));
    }
    if constexpr (kKind == Kind::kSquaredDiff) {
      const T diff = ref::WrapSub(x, y);
      return ref::WrapMul(diff, diff);
    }
    if constexpr (kKind == Kind::kMax) return std::max(x, y);
    if constexpr (kKind == Kind::kMin) return std::min(x, y);
    if constexpr (kKind == Kind::kPow) return ref::IntegerPow(x, y);
    if constexpr (kKind == Kind::kFloorDiv) return ref::FloorDiv(x, y);
    if constexpr (kKind == Kind::kFloorMod) return ref::FloorMod(x, y);
    return T(0);
  });
  return Status::Ok();
}

template <Kind kKind>
Status EvalFloat(OpContext& ctx, const BinaryData& d) {
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  Tensor* out = ctx.output(0);
  Run<float>(d, a, b, out, [&](float x, float y) -> float {
    float r = 0.0f;
    if constexpr (kKind == Kind::kMul) r = x * y;
    if constexpr (kKind == Kind::kDiv) r = x / y;
    if constexpr (kKind == Kind::kSquaredDiff) r = (x - y) * (x - y);
    if constexpr (kKind == Kind::kMax) r = x > y ? x : y;
    if constexpr (kKind == Kind::kMin) r = x < y ? x : y;
    if constexpr (kKind == Kind::kPow) r = std::pow(x, y);
    if constexpr (kKind == Kind::kFloorDiv) r = ref::FloorDiv(x, y);
    if constexpr (kKind == Kind::kFloorMod) r = ref::FloorMod(x, y);
    if constexpr (kKind == Kind::kAtan2) r = std::atan2(x, y);
    // Only ops with a fused activation clamp (NONE clamps to +-FLT_MAX).
    if constexpr (kKind == Kind::kMul || kKind == Kind::kDiv)
      r = std::min(std::max(r, d.float_lo), d.float_hi);
    return r;
  });
  return Status::Ok();
}

template <Kind kKind, typename T>
Status EvalQuantized(OpContext& ctx, const BinaryData& d) {
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  Tensor* out = ctx.output(0);
  if constexpr (kKind == Kind::kMul) {
    Run<T>(d, a, b, out, [&](T x, T y) {
      return static_cast<T>(ref::QuantizedMul(d.mul, x, y));
    });
  } else if constexpr (kKind == Kind::kDiv) {
    const T* pb = b->data_as<T>();
    for (int64_t i = 0, n = b->NumElements(); i < n; ++i) {
      if (pb[i] + d.div.in2_offset == 0)
        return ctx.Error(StatusCode::kInvalidArgument, "division by zero");
    }
    Run<T>(d, a, b, out, [&](T x, T y) {
      return static_cast<T>(ref::QuantizedDiv(d.div, x, y));
    });
  } else if (sizeof(T) == 1 && d.sqd_table) {
    const ref::SquaredDiffParams& p = d.sqd;
    Run<T>(d, a, b, out, [&](T x, T y) {
      const int32_t diff =
          d.sqd_a[static_cast<uint8_t>(x)] - d.sqd_b[static_cast<uint8_t>(y)];
      const int32_t r = ref::MultiplyByQuantizedMultiplier(
                            diff * diff, p.out_mult, p.out_shift) +
                        p.out_offset;
      return static_cast<T>(std::min(std::max(r, p.act_lo), p.act_hi));
    });
  } else {
    Run<T>(d, a, b, out, [&](T x, T y) {
      return static_cast<T>(ref::QuantizedSquaredDiff(d.sqd, x, y));
    });
  }
  return Status::Ok();
}

template <Kind kKind>
Status Eval(OpContext& ctx) {
  const auto& d = *ctx.op_data<BinaryData>();
  const Tensor* a = ctx.input(0);
  if (d.fast != nullptr) {
    EvalFast<kKind>(ctx, d);
    return Status::Ok();
  }
  if (d.quantized) {
    if constexpr (kKind == Kind::kMul || kKind == Kind::kSquaredDiff ||
                  kKind == Kind::kDiv) {
      switch (a->type) {
        case DataType::kInt8:
          return EvalQuantized<kKind, int8_t>(ctx, d);
        case DataType::kUInt8:
          return EvalQuantized<kKind, uint8_t>(ctx, d);
        case DataType::kInt16:
          return EvalQuantized<kKind, int16_t>(ctx, d);
        default:
          break;
      }
    }
    return UnsupportedType(ctx, a, "input");
  }
  switch (a->type) {
    case DataType::kFloat32:
      return EvalFloat<kKind>(ctx, d);
    case DataType::kInt32:
      return EvalInt<kKind, int32_t>(ctx, d, d.i32_lo, d.i32_hi);
    case DataType::kInt64:
      return EvalInt<kKind, int64_t>(ctx, d, d.i64_lo, d.i64_hi);
    case DataType::kInt16:
      return EvalInt<kKind, int16_t>(ctx, d, INT16_MIN, INT16_MAX);
    case DataType::kInt8:
      return EvalInt<kKind, int8_t>(ctx, d, INT8_MIN, INT8_MAX);
    case DataType::kUInt8:
      return EvalInt<kKind, uint8_t>(ctx, d, 0, UINT8_MAX);
    default:
      return UnsupportedType(ctx, a, "input");
  }
}

template <Kind kKind>
const OpRegistration* Make(fb::BuiltinOperator op, const char* name) {
  static const OpRegistration reg = {
      static_cast<int32_t>(op), name,        sizeof(BinaryData),
      Prepare<kKind>,           Eval<kKind>, kOpFlagInPlaceInput0};
  return &reg;
}

}  // namespace

const OpRegistration* Register_MUL() {
  return Make<Kind::kMul>(fb::BuiltinOperator::MUL, "MUL");
}
const OpRegistration* Register_DIV() {
  return Make<Kind::kDiv>(fb::BuiltinOperator::DIV, "DIV");
}
const OpRegistration* Register_SQUARED_DIFFERENCE() {
  return Make<Kind::kSquaredDiff>(fb::BuiltinOperator::SQUARED_DIFFERENCE,
                                  "SQUARED_DIFFERENCE");
}
const OpRegistration* Register_MAXIMUM() {
  return Make<Kind::kMax>(fb::BuiltinOperator::MAXIMUM, "MAXIMUM");
}
const OpRegistration* Register_MINIMUM() {
  return Make<Kind::kMin>(fb::BuiltinOperator::MINIMUM, "MINIMUM");
}
const OpRegistration* Register_POW() {
  return Make<Kind::kPow>(fb::BuiltinOperator::POW, "POW");
}
const OpRegistration* Register_FLOOR_DIV() {
  return Make<Kind::kFloorDiv>(fb::BuiltinOperator::FLOOR_DIV, "FLOOR_DIV");
}
const OpRegistration* Register_FLOOR_MOD() {
  return Make<Kind::kFloorMod>(fb::BuiltinOperator::FLOOR_MOD, "FLOOR_MOD");
}

const OpRegistration* Register_ATAN2() {
  return Make<Kind::kAtan2>(fb::BuiltinOperator::ATAN2, "ATAN2");
}

}  // namespace ember::ops
