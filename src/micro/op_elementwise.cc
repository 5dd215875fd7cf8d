// ADD and MUL on int8 tensors of the same shape, or with one side a single
// element (broadcast), with the host's quantized arithmetic
// (kernels/ref/binary_quant.h). Parameters are derived at every Eval. The
// int32 path (wrapping, as the host) is in op_int32.cc.
#include "kernels/ref/binary_quant.h"
#include "micro/micro_op_util.h"
#include "micro/micro_ops.h"

namespace ember::micro {

MicroStatus Int32BinaryPrepare(MicroContext& ctx, int32_t builtin);
MicroStatus Int32BinaryEval(MicroContext& ctx, int32_t builtin);

namespace {

enum class Kind { kAdd, kMul };

constexpr int32_t Code(Kind kind) {
  return static_cast<int32_t>(kind == Kind::kAdd ? fb::BuiltinOperator::ADD
                                                 : fb::BuiltinOperator::MUL);
}

bool IsInt32(MicroContext& ctx) {
  return ctx.num_inputs() >= 1 && ctx.input(0).type == fb::TensorType::INT32;
}

struct Params {
  ref::AddSubParams add;
  ref::MulParams mul;
};

template <Kind kind>
MicroStatus Compute(MicroContext& ctx, Params* p) {
  if (ctx.num_inputs() != 2 || ctx.num_outputs() != 1 || !ctx.has_input(0) ||
      !ctx.has_input(1)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("needs 2 inputs, 1 output"));
  }
  const MicroTensor a = ctx.input(0);
  const MicroTensor b = ctx.input(1);
  const MicroTensor out = ctx.output(0);
  if (a.type != fb::TensorType::INT8 || b.type != fb::TensorType::INT8 ||
      out.type != fb::TensorType::INT8) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("ADD / MUL support int8 only"), a.index);
  }
  const int64_t n = out.NumElements();
  const bool shapes_ok = (a.NumElements() == n || a.NumElements() == 1) &&
                         (b.NumElements() == n || b.NumElements() == 1) &&
                         (SameShape(a, out) || SameShape(b, out));
  if (!shapes_ok) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("ADD / MUL need equal shapes or a "
                                     "one-element input"),
                     out.index);
  }
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, a));
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, b));
  EMBER_MICRO_RETURN_IF_ERROR(CheckQuantized(ctx, out));
  fb::ActivationFunctionType act = fb::ActivationFunctionType::NONE;
  if (kind == Kind::kAdd) {
    if (const auto* o = ctx.op()->builtin_options_as_AddOptions())
      act = o->fused_activation_function();
  } else if (const auto* o = ctx.op()->builtin_options_as_MulOptions()) {
    act = o->fused_activation_function();
  }
  int32_t lo = 0, hi = 0;
  EMBER_MICRO_RETURN_IF_ERROR(
      QuantizedActivationRange(ctx, act, out, &lo, &hi));
  const float sa = a.scale, sb = b.scale, so = out.scale;
  if (kind == Kind::kAdd) {
    ref::AddSubParams& q = p->add;
    q.left_shift = 20;
    q.in1_offset = -a.zero_point;
    q.in2_offset = -b.zero_point;
    q.out_offset = out.zero_point;
    const double twice_max = 2.0 * static_cast<double>(std::max(sa, sb));
    ref::QuantizeMultiplier(sa / twice_max, &q.in1_mult, &q.in1_shift);
    ref::QuantizeMultiplier(sb / twice_max, &q.in2_mult, &q.in2_shift);
    ref::QuantizeMultiplier(
        twice_max / (static_cast<double>(1 << q.left_shift) * so), &q.out_mult,
        &q.out_shift);
    q.act_lo = lo;
    q.act_hi = hi;
  } else {
    ref::MulParams& q = p->mul;
    q.in1_offset = -a.zero_point;
    q.in2_offset = -b.zero_point;
    q.out_offset = out.zero_point;
    // The product of scales is formed in float, as the reference does.
    const float real = sa * sb / so;
    ref::QuantizeMultiplier(real, &q.mult, &q.shift);
    q.act_lo = lo;
    q.act_hi = hi;
  }
  return MicroStatus::kOk;
}

template <Kind kind>
MicroStatus Prepare(MicroContext& ctx) {
  if (IsInt32(ctx)) return Int32BinaryPrepare(ctx, Code(kind));
  Params p;
  return Compute<kind>(ctx, &p);
}

template <Kind kind>
MicroStatus Eval(MicroContext& ctx) {
  if (IsInt32(ctx)) return Int32BinaryEval(ctx, Code(kind));
  Params p;
  EMBER_MICRO_RETURN_IF_ERROR(Compute<kind>(ctx, &p));
  const MicroTensor a = ctx.input(0);
  const MicroTensor b = ctx.input(1);
  const MicroTensor out = ctx.output(0);
  const int8_t* x = a.as<int8_t>();
  const int8_t* y = b.as<int8_t>();
  const int64_t step_x = a.NumElements() == 1 ? 0 : 1;
  const int64_t step_y = b.NumElements() == 1 ? 0 : 1;
  int8_t* z = out.as<int8_t>();
  for (int64_t i = 0, n = out.NumElements(); i < n; ++i) {
    const int32_t r =
        kind == Kind::kAdd
            ? ref::QuantizedAddSub(p.add, x[i * step_x], y[i * step_y])
            : ref::QuantizedMul(p.mul, x[i * step_x], y[i * step_y]);
    z[i] = static_cast<int8_t>(r);
  }
  return MicroStatus::kOk;
}

}  // namespace

const MicroOpRegistration kMicroAdd = {
    static_cast<int32_t>(fb::BuiltinOperator::ADD), "ADD", Prepare<Kind::kAdd>,
    Eval<Kind::kAdd>, kMicroOpNone};

const MicroOpRegistration kMicroMul = {
    static_cast<int32_t>(fb::BuiltinOperator::MUL), "MUL", Prepare<Kind::kMul>,
    Eval<Kind::kMul>, kMicroOpNone};

}  // namespace ember::micro
