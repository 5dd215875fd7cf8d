// QUANTIZE (float -> int8/uint8/int16, per tensor or per channel; and
// requantization between int8/uint8/int16 -> int8/uint8/int16/int32, and
// int32 -> int8/int16),
// DEQUANTIZE (int8/uint8/int16 -> float, per tensor or per channel;
// float16 -> float, as used for fp16 weights folded at prepare time) and
// CAST between float32, float16, int64, int32, uint32, int16, int8, uint8 and
// bool.
#include "kernels/ref/quantize.h"

#include "ops/elementwise_util.h"

namespace ember::ops {
namespace {

// Slice length and channel count for per-channel quantization of `t`.
Status ChannelLayout(OpContext& ctx, const Tensor* t, const char* what,
                     int64_t* inner, int32_t* channels) {
  *inner = 1;
  *channels = 1;
  if (t->quant.count <= 1) return Status::Ok();
  const int32_t axis = t->quant.quantized_dimension;
  if (axis < 0 || axis >= t->shape.rank) {
    return ctx.Error(
        StatusCode::kInvalidModel,
        "%s '%s' quantized_dimension %d is out of range for rank %d", what,
        t->name, axis, t->shape.rank);
  }
  if (t->shape.dims[axis] != t->quant.count) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s '%s' has %d scales but dimension %d has size %d", what,
                     t->name, t->quant.count, axis, t->shape.dims[axis]);
  }
  // Absent zero points mean 0 (symmetric weights).
  for (int d = axis + 1; d < t->shape.rank; ++d) *inner *= t->shape.dims[d];
  *channels = t->quant.count;
  for (int32_t c = 0; c < t->quant.count; ++c) {
    if (!(t->quant.scale[c] > 0.0f)) {
      return ctx.Error(StatusCode::kInvalidModel, "%s '%s' scale %d is %g",
                       what, t->name, c,
                       static_cast<double>(t->quant.scale[c]));
    }
  }
  return Status::Ok();
}

Status CheckQuantParams(OpContext& ctx, const Tensor* t, const char* what) {
  if (!t->quant.quantized()) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s '%s' (%s) has no quantization parameters", what,
                     t->name, DataTypeName(t->type));
  }
  if (t->quant.count == 1) return CheckPerTensorQuant(ctx, t, what);
  int64_t inner;
  int32_t channels;
  return ChannelLayout(ctx, t, what, &inner, &channels);
}

// ---------------------------------------------------------------------------
// QUANTIZE

struct QuantizeData {
  bool requantize;
  int64_t inner;  // per-channel slice length (float input)
  int32_t channels;
  ref::RequantParams requant;
};

Status PrepareQuantize(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  const Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, in->shape));
  auto* d = ctx.op_data<QuantizeData>();
  if (in->type == DataType::kFloat32) {
    if (!IsQuantizedType(out->type)) return UnsupportedType(ctx, out, "output");
    d->requantize = false;
    EMBER_RETURN_IF_ERROR(CheckQuantParams(ctx, out, "output"));
    return ChannelLayout(ctx, out, "output", &d->inner, &d->channels);
  }
  // int32 input (an accumulator-like tensor, as in TFLM's seanet models)
  // requantizes to int8 or int16 only, as LiteRT and TFLM.
  if (in->type == DataType::kInt32) {
    if (out->type != DataType::kInt8 && out->type != DataType::kInt16)
      return UnsupportedType(ctx, out, "output");
  } else if (!IsQuantizedType(in->type)) {
    return UnsupportedType(ctx, in, "input");
  }
  // int32 output only from int16 (as LiteRT).
  if (!IsQuantizedType(out->type) &&
      !(out->type == DataType::kInt32 && in->type == DataType::kInt16))
    return UnsupportedType(ctx, out, "output");
  d->requantize = true;
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, in, "input"));
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, out, "output"));
  ref::RequantParams& p = d->requant;
  p.in_zero_point = in->quant.zero_point0();
  p.out_zero_point = out->quant.zero_point0();
  ref::QuantizeMultiplier(static_cast<double>(in->quant.scale0()) /
                              static_cast<double>(out->quant.scale0()),
                          &p.mult, &p.shift);
  return Status::Ok();
}

template <typename Out>
void QuantizeFloat(const QuantizeData& d, const Tensor* in, Tensor* out) {
  const float* x = in->data_as<float>();
  Out* y = out->data_as<Out>();
  const int64_t n = in->NumElements();
  const QuantParams& q = out->quant;
  for (int64_t i = 0; i < n; ++i) {
    const int32_t c =
        d.channels > 1 ? static_cast<int32_t>((i / d.inner) % d.channels) : 0;
    const int32_t zp = q.zero_point ? static_cast<int32_t>(q.zero_point[c]) : 0;
    y[i] = ref::AffineQuantize<Out>(x[i], q.scale[c], zp);
  }
}

template <typename In, typename Out>
void RequantizeAll(const ref::RequantParams& p, const Tensor* in, Tensor* out) {
  const In* x = in->data_as<In>();
  Out* y = out->data_as<Out>();
  for (int64_t i = 0, n = in->NumElements(); i < n; ++i)
    y[i] = ref::Requantize<Out>(p, x[i]);
}

template <typename In>
Status RequantizeFrom(OpContext& ctx, const ref::RequantParams& p,
                      const Tensor* in, Tensor* out) {
  switch (out->type) {
    case DataType::kInt8:
      RequantizeAll<In, int8_t>(p, in, out);
      return Status::Ok();
    case DataType::kUInt8:
      RequantizeAll<In, uint8_t>(p, in, out);
      return Status::Ok();
    case DataType::kInt16:
      RequantizeAll<In, int16_t>(p, in, out);
      return Status::Ok();
    case DataType::kInt32:
      RequantizeAll<In, int32_t>(p, in, out);
      return Status::Ok();
    default:
      return UnsupportedType(ctx, out, "output");
  }
}

Status EvalQuantize(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const auto& d = *ctx.op_data<QuantizeData>();
  if (!d.requantize) {
    switch (out->type) {
      case DataType::kInt8:
        QuantizeFloat<int8_t>(d, in, out);
        return Status::Ok();
      case DataType::kUInt8:
        QuantizeFloat<uint8_t>(d, in, out);
        return Status::Ok();
      case DataType::kInt16:
        QuantizeFloat<int16_t>(d, in, out);
        return Status::Ok();
      default:
        return UnsupportedType(ctx, out, "output");
    }
  }
  switch (in->type) {
    case DataType::kInt8:
      return RequantizeFrom<int8_t>(ctx, d.requant, in, out);
    case DataType::kUInt8:
      return RequantizeFrom<uint8_t>(ctx, d.requant, in, out);
    case DataType::kInt16:
      return RequantizeFrom<int16_t>(ctx, d.requant, in, out);
    case DataType::kInt32:
      return RequantizeFrom<int32_t>(ctx, d.requant, in, out);
    default:
      return UnsupportedType(ctx, in, "input");
  }
}

// ---------------------------------------------------------------------------
// DEQUANTIZE

struct DequantizeData {
  int64_t inner;
  int32_t channels;
};

Status PrepareDequantize(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  const Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(CheckType(ctx, out, "output", DataType::kFloat32));
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, in->shape));
  auto* d = ctx.op_data<DequantizeData>();
  d->inner = 1;
  d->channels = 1;
  if (in->type == DataType::kFloat16) return Status::Ok();
  if (!IsQuantizedType(in->type)) return UnsupportedType(ctx, in, "input");
  EMBER_RETURN_IF_ERROR(CheckQuantParams(ctx, in, "input"));
  return ChannelLayout(ctx, in, "input", &d->inner, &d->channels);
}

template <typename In>
void DequantizeAll(const DequantizeData& d, const Tensor* in, Tensor* out) {
  const In* x = in->data_as<In>();
  float* y = out->data_as<float>();
  const QuantParams& q = in->quant;
  for (int64_t i = 0, n = in->NumElements(); i < n; ++i) {
    const int32_t c =
        d.channels > 1 ? static_cast<int32_t>((i / d.inner) % d.channels) : 0;
    const int32_t zp = q.zero_point ? static_cast<int32_t>(q.zero_point[c]) : 0;
    y[i] = ref::AffineDequantize(x[i], q.scale[c], zp);
  }
}

Status EvalDequantize(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const auto& d = *ctx.op_data<DequantizeData>();
  switch (in->type) {
    case DataType::kInt8:
      DequantizeAll<int8_t>(d, in, out);
      return Status::Ok();
    case DataType::kUInt8:
      DequantizeAll<uint8_t>(d, in, out);
      return Status::Ok();
    case DataType::kInt16:
      DequantizeAll<int16_t>(d, in, out);
      return Status::Ok();
    case DataType::kFloat16: {
      const uint16_t* x = in->data_as<uint16_t>();
      float* y = out->data_as<float>();
      for (int64_t i = 0, n = in->NumElements(); i < n; ++i)
        y[i] = ref::HalfToFloat(x[i]);
      return Status::Ok();
    }
    default:
      return UnsupportedType(ctx, in, "input");
  }
}

// ---------------------------------------------------------------------------
// CAST

bool Castable(DataType t) {
  switch (t) {
    case DataType::kFloat32:
    case DataType::kFloat16:
    case DataType::kInt64:
    case DataType::kInt32:
    case DataType::kUInt32:
    case DataType::kInt16:
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kBool:
      return true;
    default:
      return false;
  }
}

Status PrepareCast(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  const Tensor* out = ctx.output(0);
  if (!Castable(in->type)) return UnsupportedType(ctx, in, "input");
  if (!Castable(out->type)) return UnsupportedType(ctx, out, "output");
  return ctx.ResizeOutput(0, in->shape);
}

// Half floats travel as float through the conversion.
template <typename T>
struct Storage {
  using type = T;
};
struct Half {};
template <>
struct Storage<Half> {
  using type = uint16_t;
};

template <typename To, typename From>
typename Storage<To>::type Convert(typename Storage<From>::type v) {
  if constexpr (std::is_same_v<From, Half>) {
    return Convert<To, float>(ref::HalfToFloat(v));
  } else if constexpr (std::is_same_v<To, Half>) {
    return ref::FloatToHalf(ref::CastValue<float>(v));
  } else {
    return ref::CastValue<To>(v);
  }
}

template <typename From, typename To>
void CastAll(const Tensor* in, Tensor* out) {
  using S = typename Storage<From>::type;
  using D = typename Storage<To>::type;
  const S* x = in->data_as<S>();
  D* y = out->data_as<D>();
  for (int64_t i = 0, n = in->NumElements(); i < n; ++i)
    y[i] = Convert<To, From>(x[i]);
}

template <typename From>
Status CastFrom(OpContext& ctx, const Tensor* in, Tensor* out) {
  switch (out->type) {
    case DataType::kFloat32:
      CastAll<From, float>(in, out);
      break;
    case DataType::kFloat16:
      CastAll<From, Half>(in, out);
      break;
    case DataType::kInt64:
      CastAll<From, int64_t>(in, out);
      break;
    case DataType::kInt32:
      CastAll<From, int32_t>(in, out);
      break;
    case DataType::kUInt32:
      CastAll<From, uint32_t>(in, out);
      break;
    case DataType::kInt16:
      CastAll<From, int16_t>(in, out);
      break;
    case DataType::kInt8:
      CastAll<From, int8_t>(in, out);
      break;
    case DataType::kUInt8:
      CastAll<From, uint8_t>(in, out);
      break;
    case DataType::kBool:
      CastAll<From, bool>(in, out);
      break;
    default:
      return UnsupportedType(ctx, out, "output");
  }
  return Status::Ok();
}

Status EvalCast(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  switch (in->type) {
    case DataType::kFloat32:
      return CastFrom<float>(ctx, in, out);
    case DataType::kFloat16:
      return CastFrom<Half>(ctx, in, out);
    case DataType::kInt64:
      return CastFrom<int64_t>(ctx, in, out);
    case DataType::kInt32:
      return CastFrom<int32_t>(ctx, in, out);
    case DataType::kUInt32:
      return CastFrom<uint32_t>(ctx, in, out);
    case DataType::kInt16:
      return CastFrom<int16_t>(ctx, in, out);
    case DataType::kInt8:
      return CastFrom<int8_t>(ctx, in, out);
    case DataType::kUInt8:
      return CastFrom<uint8_t>(ctx, in, out);
    case DataType::kBool:
      return CastFrom<bool>(ctx, in, out);
    default:
      return UnsupportedType(ctx, in, "input");
  }
}

}  // namespace

const OpRegistration* Register_QUANTIZE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::QUANTIZE),
      "QUANTIZE",
      sizeof(QuantizeData),
      PrepareQuantize,
      EvalQuantize,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_DEQUANTIZE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::DEQUANTIZE),
      "DEQUANTIZE",
      sizeof(DequantizeData),
      PrepareDequantize,
      EvalDequantize,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_CAST() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::CAST),
      "CAST",
      0,
      PrepareCast,
      EvalCast,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
