// CONCATENATION (any axis, fused activation for float, requantization of
// quantized inputs whose parameters differ from the output's) and PACK
// (stack equal-shaped inputs along a new axis).
#include <algorithm>
#include <limits>

#include "kernels/ref/concat_split.h"
#include "ops/shape_util.h"

namespace ember::ops {
namespace {

struct ConcatData {
  int64_t outer;  // product of output dims before the axis
  int64_t inner;  // product of output dims after the axis
  int32_t axis;
  bool clamp;       // float fused activation present
  bool requantize;  // some quantized input differs from the output params
  float lo, hi;
};

bool IsQuantizedType(DataType t) {
  return t == DataType::kInt8 || t == DataType::kUInt8 || t == DataType::kInt16;
}

Status CheckQuantized(OpContext& ctx, const Tensor* t, const char* what) {
  if (!IsQuantizedType(t->type) || t->quant.quantized()) return Status::Ok();
  return ctx.Error(StatusCode::kInvalidModel,
                   "%s '%s' of type %s has no quantization parameters", what,
                   t->name, DataTypeName(t->type));
}

void OuterInner(const Shape& s, int axis, int64_t* outer, int64_t* inner) {
  *outer = 1;
  *inner = 1;
  for (int i = 0; i < axis; ++i) *outer *= s.dims[i];
  for (int i = axis + 1; i < s.rank; ++i) *inner *= s.dims[i];
}

Status ConcatPrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1 << 20, 1));
  const auto* options = ctx.op()->builtin_options_as_ConcatenationOptions();
  const Tensor* in0 = ctx.input(0);
  Tensor* out = ctx.output(0);
  size_t size;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, in0, "input", &size));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in0, out));
  const int rank = in0->shape.rank;
  int axis = 0;
  EMBER_RETURN_IF_ERROR(
      NormalizeAxis(ctx, options ? options->axis() : 0, rank, "axis", &axis));
  auto* d = ctx.op_data<ConcatData>();
  d->axis = axis;
  d->requantize = false;
  EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, out, "output"));
  Shape shape = in0->shape;
  int64_t total = 0;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor* in = ctx.input(i);
    if (in == nullptr) {
      return ctx.Error(StatusCode::kInvalidModel, "input %d is missing", i);
    }
    EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, out));
    if (in->shape.rank != rank) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "input %d has rank %d, input 0 has rank %d", i,
                       in->shape.rank, rank);
    }
    for (int k = 0; k < rank; ++k) {
      if (k != axis && in->shape.dims[k] != in0->shape.dims[k]) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "input %d has dim %d of size %d, input 0 has %d", i, k,
                         in->shape.dims[k], in0->shape.dims[k]);
      }
    }
    total += in->shape.dims[axis];
    EMBER_RETURN_IF_ERROR(CheckQuantized(ctx, in, "input"));
    if (IsQuantizedType(in->type) && !SameQuantization(in, out)) {
      d->requantize = true;
    }
  }
  if (total > INT32_MAX) {
    return ctx.Error(StatusCode::kInvalidModel, "output axis is too large");
  }
  shape.dims[axis] = static_cast<int32_t>(total);
  OuterInner(shape, axis, &d->outer, &d->inner);
  const auto act = options ? options->fused_activation_function()
                           : fb::ActivationFunctionType::NONE;
  d->clamp = false;
  if (act != fb::ActivationFunctionType::NONE) {
    if (out->type != DataType::kFloat32) {
      return ctx.Error(StatusCode::kUnsupported,
                       "fused activation is only supported for float32");
    }
    EMBER_RETURN_IF_ERROR(FloatActivationRange(ctx, act, &d->lo, &d->hi));
    d->clamp = true;
  }
  return ctx.ResizeOutput(0, shape);
}

template <typename T>
void ConcatRequantized(OpContext& ctx, const ConcatData& d) {
  Tensor* out = ctx.output(0);
  const int32_t qmin = std::numeric_limits<T>::min();
  const int32_t qmax = std::numeric_limits<T>::max();
  const int64_t out_row = out->shape.dims[d.axis] * d.inner;
  const float inv_out_scale = 1.0f / out->quant.scale0();
  int64_t col = 0;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor* in = ctx.input(i);
    const int64_t in_row = in->shape.dims[d.axis] * d.inner;
    if (SameQuantization(in, out)) {
      ref::CopyRowsInto(static_cast<const uint8_t*>(in->data),
                        in_row * sizeof(T), static_cast<uint8_t*>(out->data),
                        out_row * sizeof(T), col * sizeof(T), d.outer);
    } else {
      const float ratio = in->quant.scale0() * inv_out_scale;
      const float bias = -static_cast<float>(in->quant.zero_point0()) * ratio;
      ref::RequantizeRowsInto(in->data_as<T>(), in_row, out->data_as<T>(),
                              out_row, col, d.outer, ratio, bias,
                              out->quant.zero_point0(), qmin, qmax);
    }
    col += in_row;
  }
}

Status ConcatEval(OpContext& ctx) {
  const auto& d = *ctx.op_data<ConcatData>();
  Tensor* out = ctx.output(0);
  if (d.requantize) {
    switch (out->type) {
      case DataType::kInt8:
        ConcatRequantized<int8_t>(ctx, d);
        return Status::Ok();
      case DataType::kUInt8:
        ConcatRequantized<uint8_t>(ctx, d);
        return Status::Ok();
      case DataType::kInt16:
        ConcatRequantized<int16_t>(ctx, d);
        return Status::Ok();
      default:
        return UnsupportedType(ctx, out, "output");
    }
  }
  const size_t es = DataTypeSize(out->type);
  const size_t out_row = out->shape.dims[d.axis] * d.inner * es;
  size_t col = 0;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor* in = ctx.input(i);
    const size_t in_row = in->shape.dims[d.axis] * d.inner * es;
    ref::CopyRowsInto(static_cast<const uint8_t*>(in->data), in_row,
                      static_cast<uint8_t*>(out->data), out_row, col, d.outer);
    col += in_row;
  }
  if (d.clamp)
    ref::ClampFloat(out->data_as<float>(), out->NumElements(), d.lo, d.hi);
  return Status::Ok();
}

// ---- PACK ------------------------------------------------------------------

Status PackPrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1 << 20, 1));
  const auto* options = ctx.op()->builtin_options_as_PackOptions();
  if (options == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel, "missing PackOptions");
  }
  if (options->values_count() != ctx.num_inputs()) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "values_count %d differs from the %d inputs",
                     options->values_count(), ctx.num_inputs());
  }
  const Tensor* in0 = ctx.input(0);
  Tensor* out = ctx.output(0);
  size_t size;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, in0, "input", &size));
  const int rank = in0->shape.rank;
  if (rank + 1 > kMaxRank) {
    return ctx.Error(StatusCode::kUnsupported, "output rank exceeds %d",
                     kMaxRank);
  }
  int axis = 0;
  EMBER_RETURN_IF_ERROR(
      NormalizeAxis(ctx, options->axis(), rank + 1, "axis", &axis));
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor* in = ctx.input(i);
    if (in == nullptr) {
      return ctx.Error(StatusCode::kInvalidModel, "input %d is missing", i);
    }
    EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, out));
    if (in->shape != in0->shape) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "input %d has a different shape from input 0", i);
    }
    if (IsQuantizedType(in->type) && in->quant.quantized() &&
        !SameQuantization(in, out)) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "input %d quantization differs from the output's", i);
    }
  }
  Shape shape;
  shape.rank = rank + 1;
  for (int i = 0, j = 0; i < shape.rank; ++i)
    shape.dims[i] = (i == axis) ? ctx.num_inputs() : in0->shape.dims[j++];
  auto* d = ctx.op_data<ConcatData>();
  d->axis = axis;
  OuterInner(shape, axis, &d->outer, &d->inner);
  return ctx.ResizeOutput(0, shape);
}

Status PackEval(OpContext& ctx) {
  const auto& d = *ctx.op_data<ConcatData>();
  Tensor* out = ctx.output(0);
  const size_t es = DataTypeSize(out->type);
  const size_t row = d.inner * es;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    ref::CopyRowsInto(static_cast<const uint8_t*>(ctx.input(i)->data), row,
                      static_cast<uint8_t*>(out->data), row * ctx.num_inputs(),
                      row * i, d.outer);
  }
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_CONCATENATION() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::CONCATENATION),
      "CONCATENATION",
      sizeof(ConcatData),
      ConcatPrepare,
      ConcatEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_PACK() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::PACK),
      "PACK",
      sizeof(ConcatData),
      PackPrepare,
      PackEval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
