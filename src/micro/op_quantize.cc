// QUANTIZE (float32 -> int8/int16, per tensor; requantization between
// int8/int16 and int8/int16/int32) and DEQUANTIZE (int8/int16 -> float32,
// per tensor), with the host's reference arithmetic.
#include "kernels/ref/quantize.h"
#include "micro/micro_op_util.h"
#include "micro/micro_ops.h"

namespace ember::micro {
namespace {

bool IsQuantizedType(fb::TensorType t) {
  return t == fb::TensorType::INT8 || t == fb::TensorType::INT16;
}

MicroStatus CheckUnary(MicroContext& ctx) {
  if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1 || !ctx.has_input(0)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("needs 1 input, 1 output"));
  }
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  if (in.NumElements() != out.NumElements()) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("output must have the input's size"),
                     out.index);
  }
  return MicroStatus::kOk;
}

MicroStatus PerTensor(MicroContext& ctx, const MicroTensor& t) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, t));
  if (t.scale_count() > 1) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("per-channel quantization unsupported "
                                     "here"),
                     t.index);
  }
  return MicroStatus::kOk;
}

MicroStatus PrepareQuantize(MicroContext& ctx) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckUnary(ctx));
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  EMBER_MICRO_RETURN_IF_ERROR(PerTensor(ctx, out));
  if (in.type == fb::TensorType::FLOAT32 && IsQuantizedType(out.type))
    return MicroStatus::kOk;
  if (IsQuantizedType(in.type) &&
      (IsQuantizedType(out.type) || (out.type == fb::TensorType::INT32 &&
                                     in.type == fb::TensorType::INT16))) {
    return PerTensor(ctx, in);
  }
  return ctx.Error(MicroStatus::kUnsupported,
                   EMBER_MICRO_MSG("QUANTIZE types unsupported"), in.index);
}

template <typename In, typename Out>
void RequantizeAll(const ref::RequantParams& p, const In* x, Out* y,
                   int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = ref::Requantize<Out>(p, x[i]);
}

template <typename In>
void RequantizeFrom(const ref::RequantParams& p, const MicroTensor& in,
                    const MicroTensor& out) {
  const int64_t n = in.NumElements();
  switch (out.type) {
    case fb::TensorType::INT8:
      RequantizeAll(p, in.as<In>(), out.as<int8_t>(), n);
      break;
    case fb::TensorType::INT16:
      RequantizeAll(p, in.as<In>(), out.as<int16_t>(), n);
      break;
    default:
      RequantizeAll(p, in.as<In>(), out.as<int32_t>(), n);
      break;
  }
}

MicroStatus EvalQuantize(MicroContext& ctx) {
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  const int64_t n = in.NumElements();
  if (in.type == fb::TensorType::FLOAT32) {
    const float* x = in.as<float>();
    if (out.type == fb::TensorType::INT8) {
      for (int64_t i = 0; i < n; ++i)
        out.as<int8_t>()[i] =
            ref::AffineQuantize<int8_t>(x[i], out.scale, out.zero_point);
    } else {
      for (int64_t i = 0; i < n; ++i)
        out.as<int16_t>()[i] =
            ref::AffineQuantize<int16_t>(x[i], out.scale, out.zero_point);
    }
    return MicroStatus::kOk;
  }
  ref::RequantParams p;
  p.in_zero_point = in.zero_point;
  p.out_zero_point = out.zero_point;
  ref::QuantizeMultiplier(
      static_cast<double>(in.scale) / static_cast<double>(out.scale), &p.mult,
      &p.shift);
  if (in.type == fb::TensorType::INT8) {
    RequantizeFrom<int8_t>(p, in, out);
  } else {
    RequantizeFrom<int16_t>(p, in, out);
  }
  return MicroStatus::kOk;
}

MicroStatus PrepareDequantize(MicroContext& ctx) {
  EMBER_MICRO_RETURN_IF_ERROR(CheckUnary(ctx));
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  if (!IsQuantizedType(in.type) || out.type != fb::TensorType::FLOAT32) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("DEQUANTIZE supports int8/int16 -> "
                                     "float32"),
                     in.index);
  }
  return PerTensor(ctx, in);
}

MicroStatus EvalDequantize(MicroContext& ctx) {
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  const int64_t n = in.NumElements();
  float* y = out.as<float>();
  for (int64_t i = 0; i < n; ++i) {
    const int32_t q = in.type == fb::TensorType::INT8 ? in.as<int8_t>()[i]
                                                      : in.as<int16_t>()[i];
    y[i] = ref::AffineDequantize(q, in.scale, in.zero_point);
  }
  return MicroStatus::kOk;
}

}  // namespace

// Element by element: in place whenever the byte counts agree.
const MicroOpRegistration kMicroQuantize = {
    static_cast<int32_t>(fb::BuiltinOperator::QUANTIZE), "QUANTIZE",
    PrepareQuantize, EvalQuantize, kMicroOpInPlaceInput0};

const MicroOpRegistration kMicroDequantize = {
    static_cast<int32_t>(fb::BuiltinOperator::DEQUANTIZE), "DEQUANTIZE",
    PrepareDequantize, EvalDequantize, kMicroOpInPlaceInput0};

}  // namespace ember::micro
