// Element-wise unary math: ABS, NEG, SQUARE, SQRT, RSQRT, EXP, LOG, SIN,
// COS, FLOOR, CEIL, ROUND, SIGN. float32 everywhere; integer and quantized
// variants where models use them (ABS int8/int16 with rescaling, ABS/NEG/
// SIGN int32, NEG int64; EXP, LOG, SQRT, RSQRT int8 through a lookup table;
// EXP int16 through an interpolated table; SQRT int16 directly).
#include "kernels/ref/activations.h"
#include "kernels/ref/binary.h"
#include "ops/elementwise_util.h"

namespace ember::ops {
namespace {

enum class Fn {
  kAbs,
  kNeg,
  kSquare,
  kSqrt,
  kRsqrt,
  kExp,
  kLog,
  kSin,
  kCos,
  kFloor,
  kCeil,
  kRound,
  kSign
};

struct UnaryData {
  // Quantized ABS: |x - zi| rescaled (when the quantization differs).
  bool rescale;
  bool use_table;
  int32_t in_zero_point, out_zero_point;
  int32_t mult;
  int shift;
  uint8_t table[256];                // EXP / LOG / SQRT / RSQRT int8
  int16_t table16[ref::kLut16Size];  // EXP int16
  float in_scale, out_scale;         // SQRT int16
};

bool Supports(Fn fn, DataType t) {
  if (t == DataType::kFloat32) return true;
  switch (fn) {
    case Fn::kAbs:
      return t == DataType::kInt8 || t == DataType::kInt16 ||
             t == DataType::kInt32;
    case Fn::kNeg:
      return t == DataType::kInt32 || t == DataType::kInt64;
    case Fn::kSign:
      return t == DataType::kInt32;
    case Fn::kExp:
    case Fn::kSqrt:
      return t == DataType::kInt8 || t == DataType::kInt16;
    case Fn::kLog:
    case Fn::kRsqrt:
      return t == DataType::kInt8;
    default:
      return false;
  }
}

template <Fn kFn>
Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  const Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, out));
  if (!Supports(kFn, in->type)) return UnsupportedType(ctx, in, "input");
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, in->shape));
  auto* d = ctx.op_data<UnaryData>();
  d->use_table = false;
  if (!IsQuantizedType(in->type)) return Status::Ok();
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, in, "input"));
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, out, "output"));
  const float si = in->quant.scale0(), so = out->quant.scale0();
  d->in_zero_point = in->quant.zero_point0();
  d->out_zero_point = out->quant.zero_point0();
  if (kFn == Fn::kExp || kFn == Fn::kLog || kFn == Fn::kSqrt ||
      kFn == Fn::kRsqrt) {
    float (*f)(float) = kFn == Fn::kExp    ? ref::ExpF
                        : kFn == Fn::kLog  ? ref::LogF
                        : kFn == Fn::kSqrt ? ref::SqrtF
                                           : ref::RsqrtF;
    d->use_table = true;
    if (in->type == DataType::kInt16) {
      EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, in, "input"));
      EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, out, "output"));
      if (kFn == Fn::kSqrt) {  // computed directly (truncating), no table
        d->use_table = false;
        d->in_scale = si;
        d->out_scale = so;
        return Status::Ok();
      }
      ref::PopulateLut16(si, 0, so, 0, f, d->table16);
      return Status::Ok();
    }
    if (kFn == Fn::kSqrt) {  // the reference truncates instead of rounding
      ref::PopulateSqrtLutInt8(si, d->in_zero_point, so, d->out_zero_point,
                               d->table);
    } else {
      ref::PopulateLut8<int8_t>(si, d->in_zero_point, so, d->out_zero_point, f,
                                d->table);
    }
    return Status::Ok();
  }
  // ABS
  if (in->type == DataType::kInt16) {
    EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, in, "input"));
    EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, out, "output"));
  }
  d->rescale = si != so || d->in_zero_point != d->out_zero_point;
  if (d->rescale) ref::QuantizeMultiplier(si / so, &d->mult, &d->shift);
  return Status::Ok();
}

template <Fn kFn>
float ApplyFloat(float x) {
  switch (kFn) {
    case Fn::kAbs:
      return std::fabs(x);
    case Fn::kNeg:
      return -x;
    case Fn::kSquare:
      return x * x;
    case Fn::kSqrt:
      return std::sqrt(x);
    case Fn::kRsqrt:
      return 1.0f / std::sqrt(x);
    case Fn::kExp:
      return std::exp(x);
    case Fn::kLog:
      return std::log(x);
    case Fn::kSin:
      return std::sin(x);
    case Fn::kCos:
      return std::cos(x);
    case Fn::kFloor:
      return std::floor(x);
    case Fn::kCeil:
      return std::ceil(x);
    case Fn::kRound:
      return std::nearbyint(x);  // half to even
    case Fn::kSign:
      return static_cast<float>((x > 0.0f) - (x < 0.0f));
  }
  return x;
}

template <Fn kFn, typename T>
T ApplyInt(T x) {
  if constexpr (kFn == Fn::kAbs) return x < 0 ? ref::WrapSub(T(0), x) : x;
  if constexpr (kFn == Fn::kNeg) return ref::WrapSub(T(0), x);
  if constexpr (kFn == Fn::kSign) return static_cast<T>((x > 0) - (x < 0));
  return x;
}

template <typename T>
T QuantAbs(const UnaryData& d, T x) {
  constexpr int32_t kMin = std::numeric_limits<T>::min();
  constexpr int32_t kMax = std::numeric_limits<T>::max();
  const int32_t v = std::abs(static_cast<int32_t>(x) - d.in_zero_point);
  const int32_t r =
      d.rescale ? ref::MultiplyByQuantizedMultiplier(v, d.mult, d.shift) +
                      d.out_zero_point
                : v + d.out_zero_point;
  return static_cast<T>(std::min(std::max(r, kMin), kMax));
}

template <typename T, typename F>
void Map(const Tensor* in, Tensor* out, F&& f) {
  const T* pi = in->data_as<T>();
  T* po = out->data_as<T>();
  for (int64_t i = 0, n = in->NumElements(); i < n; ++i) po[i] = f(pi[i]);
}

template <Fn kFn>
Status Eval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const auto& d = *ctx.op_data<UnaryData>();
  switch (in->type) {
    case DataType::kFloat32:
      Map<float>(in, out, [](float x) { return ApplyFloat<kFn>(x); });
      return Status::Ok();
    case DataType::kInt32:
      Map<int32_t>(in, out, [](int32_t x) { return ApplyInt<kFn>(x); });
      return Status::Ok();
    case DataType::kInt64:
      Map<int64_t>(in, out, [](int64_t x) { return ApplyInt<kFn>(x); });
      return Status::Ok();
    case DataType::kInt8:
      if (d.use_table) {
        Map<int8_t>(in, out,
                    [&](int8_t x) { return ref::LookupLut8(d.table, x); });
      } else {
        Map<int8_t>(in, out, [&](int8_t x) { return QuantAbs(d, x); });
      }
      return Status::Ok();
    case DataType::kInt16:
      if (kFn == Fn::kSqrt) {
        Map<int16_t>(in, out, [&](int16_t x) {
          return ref::QuantSqrtTrunc<int16_t>(d.in_scale, 0, d.out_scale, 0, x);
        });
      } else if (d.use_table) {
        Map<int16_t>(in, out,
                     [&](int16_t x) { return ref::LookupLut16(d.table16, x); });
      } else {
        Map<int16_t>(in, out, [&](int16_t x) { return QuantAbs(d, x); });
      }
      return Status::Ok();
    default:
      return UnsupportedType(ctx, in, "input");
  }
}

template <Fn kFn>
const OpRegistration* Make(fb::BuiltinOperator op, const char* name) {
  static const OpRegistration reg = {static_cast<int32_t>(op),
                                     name,
                                     sizeof(UnaryData),
                                     Prepare<kFn>,
                                     Eval<kFn>,
                                     kOpFlagInPlaceInput0};
  return &reg;
}

}  // namespace

#define EMBER_UNARY(NAME, FN)                              \
  const OpRegistration* Register_##NAME() {                \
    return Make<Fn::FN>(fb::BuiltinOperator::NAME, #NAME); \
  }
EMBER_UNARY(ABS, kAbs)
EMBER_UNARY(NEG, kNeg)
EMBER_UNARY(SQUARE, kSquare)
EMBER_UNARY(SQRT, kSqrt)
EMBER_UNARY(RSQRT, kRsqrt)
EMBER_UNARY(EXP, kExp)
EMBER_UNARY(LOG, kLog)
EMBER_UNARY(SIN, kSin)
EMBER_UNARY(COS, kCos)
EMBER_UNARY(FLOOR, kFloor)
EMBER_UNARY(CEIL, kCeil)
EMBER_UNARY(ROUND, kRound)
EMBER_UNARY(SIGN, kSign)
#undef EMBER_UNARY

}  // namespace ember::ops
