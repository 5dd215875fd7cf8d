// ADD and SUB: element-wise sum / difference with broadcasting and a fused
// activation. float32, int32, int64 (plain, wrapping), int8/uint8/int16
// (quantized, general scales), and int16 with power-of-two scales when the
// pot_scale_int16 option asks for it.
#include "kernels/ref/binary.h"
#include "ops/elementwise_util.h"
#include "ops/fast_ops_select.h"

namespace ember::ops {
namespace {

enum class AddPath : int32_t { kFloat, kInt32, kInt64, kQuantized, kPotInt16 };

struct AddSubData {
  AddPath path;
  float float_lo, float_hi;
  int32_t i32_lo, i32_hi;
  int64_t i64_lo, i64_hi;
  ref::AddSubParams q;
  ref::PotAddSubParams pot;
  // x86 fast path (nullptr: reference): fp32 and int8 same-shape, scalar
  // and last-dim-row broadcasts.
  const x86::FastOpsKernels* fast;
  x86::BinaryArgs fast_args;
  x86::QuantAddArgs fast_q;
  x86::QuantAddS8Fn fast_qadd;  // int8 or int16 data
};

// Picks the fast kernels when the types and broadcast pattern allow.
void ChooseFastAdd(OpContext& ctx, AddSubData* d) {
  d->fast = nullptr;
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  const Tensor* out = ctx.output(0);
  const bool f32 = d->path == AddPath::kFloat;
  const bool s8 = d->path == AddPath::kQuantized && a->type == DataType::kInt8;
  const bool s16 =
      d->path == AddPath::kQuantized && a->type == DataType::kInt16;
  if (!f32 && !s8 && !s16) return;
  const x86::FastOpsKernels* k = SelectFastOps(ctx);
  if (k == nullptr || out->shape.NumElements() == 0) return;
  if (!ClassifyBinaryOperands(a->shape, b->shape, out->shape, &d->fast_args))
    return;
  d->fast_args.lo = d->float_lo;
  d->fast_args.hi = d->float_hi;
  if (s8 || s16) {
    const ref::AddSubParams& p = d->q;
    d->fast_q = {p.left_shift, p.in1_offset, p.in2_offset, p.out_offset,
                 p.in1_mult,   p.in2_mult,   p.out_mult,   p.in1_shift,
                 p.in2_shift,  p.out_shift,  p.act_lo,     p.act_hi};
  }
  d->fast = k;
  d->fast_qadd = s16 ? k->add_s16 : k->add_s8;
  ctx.SetKernelVariant(FastVariantName(k, f32   ? FastFamily::kEltwise
                                          : s16 ? FastFamily::kEltwiseS16
                                                : FastFamily::kEltwiseS8));
}

template <bool kSub>
Status PrepareRef(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(PrepareBinaryShape(ctx));
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  const Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, a, b));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, a, out));
  fb::ActivationFunctionType act = fb::ActivationFunctionType::NONE;
  bool pot_option = true;  // the schema default
  if constexpr (kSub) {
    if (const auto* o = ctx.op()->builtin_options_as_SubOptions()) {
      act = o->fused_activation_function();
      pot_option = o->pot_scale_int16();
    }
  } else {
    if (const auto* o = ctx.op()->builtin_options_as_AddOptions()) {
      act = o->fused_activation_function();
      pot_option = o->pot_scale_int16();
    }
  }
  auto* d = ctx.op_data<AddSubData>();
  switch (a->type) {
    case DataType::kFloat32:
      d->path = AddPath::kFloat;
      return FloatActivationRange(ctx, act, &d->float_lo, &d->float_hi);
    case DataType::kInt32:
      d->path = AddPath::kInt32;
      return IntActivationRange(ctx, act, &d->i32_lo, &d->i32_hi);
    case DataType::kInt64:
      d->path = AddPath::kInt64;
      return IntActivationRange(ctx, act, &d->i64_lo, &d->i64_hi);
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16:
      break;
    default:
      return UnsupportedType(ctx, a, "input");
  }
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, a, "input 0"));
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, b, "input 1"));
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, out, "output"));
  int32_t lo, hi;
  EMBER_RETURN_IF_ERROR(QuantizedActivationRange(ctx, act, out, &lo, &hi));
  const float sa = a->quant.scale0(), sb = b->quant.scale0();
  const float so = out->quant.scale0();
  const bool is16 = a->type == DataType::kInt16;
  if (is16) {
    EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, a, "input 0"));
    EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, b, "input 1"));
    EMBER_RETURN_IF_ERROR(CheckZeroPoint0(ctx, out, "output"));
    int la, lb, lo2;
    const bool pot = pot_option && CheckedLog2(sa, &la) &&
                     CheckedLog2(sb, &lb) && CheckedLog2(so, &lo2);
    if (pot) {
      // Power-of-two path: the input on the output's scale is used as is,
      // the other one is shifted right onto it.
      d->path = AddPath::kPotInt16;
      d->pot.in1_shift = la - lo2;
      d->pot.in2_shift = lb - lo2;
      d->pot.subtract = kSub;
      d->pot.act_lo = lo;
      d->pot.act_hi = hi;
      if (!(d->pot.in1_shift == 0 || d->pot.in2_shift == 0) ||
          d->pot.in1_shift > 0 || d->pot.in2_shift > 0) {
        return ctx.Error(StatusCode::kUnsupported,
                         "int16 with power-of-two scales needs one input on "
                         "the output scale and the other at a finer scale "
                         "(input scale exponents %d, %d vs output %d); set "
                         "pot_scale_int16=false for general scales",
                         la, lb, lo2);
      }
      return Status::Ok();
    }
  }
  d->path = AddPath::kQuantized;
  ref::AddSubParams& p = d->q;
  p.left_shift = is16 ? 15 : 20;
  p.in1_offset = -a->quant.zero_point0();
  p.in2_offset = -b->quant.zero_point0();
  p.out_offset = out->quant.zero_point0();
  const double twice_max = 2.0 * static_cast<double>(std::max(sa, sb));
  ref::QuantizeMultiplier(sa / twice_max, &p.in1_mult, &p.in1_shift);
  ref::QuantizeMultiplier(sb / twice_max, &p.in2_mult, &p.in2_shift);
  if (kSub) p.in2_mult = -p.in2_mult;
  ref::QuantizeMultiplier(
      twice_max / (static_cast<double>(1 << p.left_shift) * so), &p.out_mult,
      &p.out_shift);
  p.act_lo = lo;
  p.act_hi = hi;
  return Status::Ok();
}

template <bool kSub>
Status Prepare(OpContext& ctx) {
  ctx.SetKernelVariant("ref");
  EMBER_RETURN_IF_ERROR(PrepareRef<kSub>(ctx));
  ChooseFastAdd(ctx, ctx.op_data<AddSubData>());
  return Status::Ok();
}

template <typename T, typename F>
void Run(const Tensor* a, const Tensor* b, Tensor* out, F&& f) {
  ref::BroadcastBinary(a->shape, a->data_as<T>(), b->shape, b->data_as<T>(),
                       out->shape, out->data_as<T>(), f);
}

template <bool kSub>
Status Eval(OpContext& ctx) {
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  Tensor* out = ctx.output(0);
  const auto& d = *ctx.op_data<AddSubData>();
  if (d.fast != nullptr) {
    x86::BinaryArgs args = d.fast_args;
    args.a = a->data;
    args.b = b->data;
    args.out = out->data;
    if (d.path == AddPath::kFloat) {
      x86::RunBinaryF32(ctx.thread_pool(), d.fast->binary_f32,
                        kSub ? x86::BinaryOp::kSub : x86::BinaryOp::kAdd, args);
    } else {
      x86::RunQuantAddS8(ctx.thread_pool(), d.fast_qadd, d.fast_q, args);
    }
    return Status::Ok();
  }
  switch (d.path) {
    case AddPath::kFloat:
      Run<float>(a, b, out, [&](float x, float y) {
        const float r = kSub ? x - y : x + y;
        return std::min(std::max(r, d.float_lo), d.float_hi);
      });
      return Status::Ok();
    case AddPath::kInt32:
      Run<int32_t>(a, b, out, [&](int32_t x, int32_t y) {
        const int32_t r = kSub ? ref::WrapSub(x, y) : ref::WrapAdd(x, y);
        return std::min(std::max(r, d.i32_lo), d.i32_hi);
      });
      return Status::Ok();
    case AddPath::kInt64:
      Run<int64_t>(a, b, out, [&](int64_t x, int64_t y) {
        const int64_t r = kSub ? ref::WrapSub(x, y) : ref::WrapAdd(x, y);
        return std::min(std::max(r, d.i64_lo), d.i64_hi);
      });
      return Status::Ok();
    case AddPath::kPotInt16:
      Run<int16_t>(a, b, out, [&](int16_t x, int16_t y) {
        return ref::PotAddSub(d.pot, x, y);
      });
      return Status::Ok();
    case AddPath::kQuantized:
      switch (a->type) {
        case DataType::kInt8:
          Run<int8_t>(a, b, out, [&](int8_t x, int8_t y) {
            return static_cast<int8_t>(ref::QuantizedAddSub(d.q, x, y));
          });
          return Status::Ok();
        case DataType::kUInt8:
          Run<uint8_t>(a, b, out, [&](uint8_t x, uint8_t y) {
            return static_cast<uint8_t>(ref::QuantizedAddSub(d.q, x, y));
          });
          return Status::Ok();
        case DataType::kInt16:
          Run<int16_t>(a, b, out, [&](int16_t x, int16_t y) {
            return static_cast<int16_t>(ref::QuantizedAddSub(d.q, x, y));
          });
          return Status::Ok();
        default:
          break;
      }
      break;
  }
  return UnsupportedType(ctx, a, "input");
}

}  // namespace

const OpRegistration* Register_ADD() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::ADD),
      "ADD",
      sizeof(AddSubData),
      Prepare<false>,
      Eval<false>,
      kOpFlagInPlaceInput0};
  return &reg;
}

const OpRegistration* Register_SUB() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::SUB),
      "SUB",
      sizeof(AddSubData),
      Prepare<true>,
      Eval<true>,
      kOpFlagInPlaceInput0};
  return &reg;
}

}  // namespace ember::ops
