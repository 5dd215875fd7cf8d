// ADD: element-wise sum with broadcasting and a fused activation.
#include "kernels/ref/broadcast.h"
#include "kernels/ref/quant_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct AddData {
  float float_lo, float_hi;
  int32_t act_lo, act_hi;
  // Quantized: both inputs rescaled to a common scale with left_shift bits
  // of headroom, summed, then rescaled to the output.
  int32_t left_shift;
  int32_t in1_offset, in2_offset, out_offset;
  int32_t in1_mult, in2_mult, out_mult;
  int in1_shift, in2_shift, out_shift;
};

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, a, b));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, a, out));
  Shape shape;
  EMBER_RETURN_IF_ERROR(BroadcastShapes(ctx, a->shape, b->shape, &shape));
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, shape));
  const auto* options = ctx.op()->builtin_options_as_AddOptions();
  const auto act = options ? options->fused_activation_function()
                           : fb::ActivationFunctionType::NONE;
  auto* d = ctx.op_data<AddData>();
  switch (a->type) {
    case DataType::kFloat32:
      return FloatActivationRange(ctx, act, &d->float_lo, &d->float_hi);
    case DataType::kInt32:
    case DataType::kInt64:
      return Status::Ok();
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16: {
      for (const Tensor* t : {a, b, static_cast<const Tensor*>(out)}) {
        if (!t->quant.quantized()) {
          return ctx.Error(StatusCode::kInvalidModel,
                           "%s tensor '%s' has no quantization parameters",
                           DataTypeName(t->type), t->name);
        }
      }
      EMBER_RETURN_IF_ERROR(
          QuantizedActivationRange(ctx, act, out, &d->act_lo, &d->act_hi));
      const bool is16 = a->type == DataType::kInt16;
      d->left_shift = is16 ? 15 : 20;
      d->in1_offset = -a->quant.zero_point0();
      d->in2_offset = -b->quant.zero_point0();
      d->out_offset = out->quant.zero_point0();
      const double twice_max = 2.0 * std::max(a->quant.scale0(), b->quant.scale0());
      const double s1 = a->quant.scale0() / twice_max;
      const double s2 = b->quant.scale0() / twice_max;
      const double so =
          twice_max / ((1 << d->left_shift) * static_cast<double>(out->quant.scale0()));
      ref::QuantizeMultiplier(s1, &d->in1_mult, &d->in1_shift);
      ref::QuantizeMultiplier(s2, &d->in2_mult, &d->in2_shift);
      ref::QuantizeMultiplier(so, &d->out_mult, &d->out_shift);
      return Status::Ok();
    }
    default:
      return UnsupportedType(ctx, a, "input");
  }
}

template <typename T>
void AddQuantized(const AddData& d, const Tensor* a, const Tensor* b,
                  Tensor* out) {
  const T* pa = a->data_as<T>();
  const T* pb = b->data_as<T>();
  T* po = out->data_as<T>();
  ref::ForEachBroadcast(a->shape, b->shape, out->shape,
                        [&](int64_t o, int64_t ia, int64_t ib) {
    const int32_t x = (d.in1_offset + pa[ia]) * (1 << d.left_shift);
    const int32_t y = (d.in2_offset + pb[ib]) * (1 << d.left_shift);
    const int32_t sx = ref::MultiplyByQuantizedMultiplier(x, d.in1_mult, d.in1_shift);
    const int32_t sy = ref::MultiplyByQuantizedMultiplier(y, d.in2_mult, d.in2_shift);
    int32_t r = ref::MultiplyByQuantizedMultiplier(sx + sy, d.out_mult, d.out_shift) +
                d.out_offset;
    r = std::min(std::max(r, d.act_lo), d.act_hi);
    po[o] = static_cast<T>(r);
  });
}

Status Eval(OpContext& ctx) {
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  Tensor* out = ctx.output(0);
  const auto& d = *ctx.op_data<AddData>();
  switch (a->type) {
    case DataType::kFloat32: {
      const float* pa = a->data_as<float>();
      const float* pb = b->data_as<float>();
      float* po = out->data_as<float>();
      ref::ForEachBroadcast(a->shape, b->shape, out->shape,
                            [&](int64_t o, int64_t ia, int64_t ib) {
        po[o] = std::min(std::max(pa[ia] + pb[ib], d.float_lo), d.float_hi);
      });
      return Status::Ok();
    }
    case DataType::kInt32: {
      const int32_t* pa = a->data_as<int32_t>();
      const int32_t* pb = b->data_as<int32_t>();
      int32_t* po = out->data_as<int32_t>();
      ref::ForEachBroadcast(a->shape, b->shape, out->shape,
                            [&](int64_t o, int64_t ia, int64_t ib) {
        po[o] = static_cast<int32_t>(static_cast<uint32_t>(pa[ia]) +
                                     static_cast<uint32_t>(pb[ib]));
      });
      return Status::Ok();
    }
    case DataType::kInt64: {
      const int64_t* pa = a->data_as<int64_t>();
      const int64_t* pb = b->data_as<int64_t>();
      int64_t* po = out->data_as<int64_t>();
      ref::ForEachBroadcast(a->shape, b->shape, out->shape,
                            [&](int64_t o, int64_t ia, int64_t ib) {
        po[o] = static_cast<int64_t>(static_cast<uint64_t>(pa[ia]) +
                                     static_cast<uint64_t>(pb[ib]));
      });
      return Status::Ok();
    }
    case DataType::kInt8: AddQuantized<int8_t>(d, a, b, out); return Status::Ok();
    case DataType::kUInt8: AddQuantized<uint8_t>(d, a, b, out); return Status::Ok();
    case DataType::kInt16: AddQuantized<int16_t>(d, a, b, out); return Status::Ok();
    default:
      return UnsupportedType(ctx, a, "input");
  }
}

}  // namespace

const OpRegistration* Register_ADD() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::ADD), "ADD", sizeof(AddData),
      Prepare, Eval, kOpFlagInPlaceInput0};
  return &reg;
}

}  // namespace ember::ops
