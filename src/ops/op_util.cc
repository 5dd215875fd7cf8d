#include "ops/op_util.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ember::ops {

Status CheckArity(OpContext& ctx, int min_inputs, int max_inputs,
                  int num_outputs) {
  if (ctx.num_inputs() < min_inputs || ctx.num_inputs() > max_inputs) {
    return ctx.Error(StatusCode::kInvalidModel, "expects %d..%d inputs, has %d",
                     min_inputs, max_inputs, ctx.num_inputs());
  }
  if (ctx.num_outputs() != num_outputs) {
    return ctx.Error(StatusCode::kInvalidModel, "expects %d outputs, has %d",
                     num_outputs, ctx.num_outputs());
  }
  for (int i = 0; i < min_inputs; ++i) {
    if (ctx.input(i) == nullptr) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "required input %d is missing", i);
    }
  }
  for (int i = 0; i < num_outputs; ++i) {
    if (ctx.output(i) == nullptr) {
      return ctx.Error(StatusCode::kInvalidModel, "output %d is missing", i);
    }
  }
  return Status::Ok();
}

Status UnsupportedType(OpContext& ctx, const Tensor* t, const char* what) {
  return ctx.Error(StatusCode::kUnsupported, "%s type %s is not supported",
                   what, DataTypeName(t->type));
}

Status CheckType(OpContext& ctx, const Tensor* t, const char* what,
                 DataType a) {
  if (t->type == a) return Status::Ok();
  return ctx.Error(StatusCode::kInvalidModel, "%s has type %s, expected %s",
                   what, DataTypeName(t->type), DataTypeName(a));
}

Status CheckType(OpContext& ctx, const Tensor* t, const char* what, DataType a,
                 DataType b) {
  if (t->type == a || t->type == b) return Status::Ok();
  return ctx.Error(StatusCode::kInvalidModel,
                   "%s has type %s, expected %s or %s", what,
                   DataTypeName(t->type), DataTypeName(a), DataTypeName(b));
}

Status CheckSameType(OpContext& ctx, const Tensor* a, const Tensor* b) {
  if (a->type == b->type) return Status::Ok();
  return ctx.Error(StatusCode::kInvalidModel,
                   "tensors '%s' (%s) and '%s' (%s) must have the same type",
                   a->name, DataTypeName(a->type), b->name,
                   DataTypeName(b->type));
}

Status BroadcastShapes(OpContext& ctx, const Shape& a, const Shape& b,
                       Shape* out) {
  const int rank = std::max(a.rank, b.rank);
  Shape result;
  result.rank = rank;
  for (int i = 0; i < rank; ++i) {
    const int ai = a.rank - rank + i;
    const int bi = b.rank - rank + i;
    const int32_t da = ai >= 0 ? a.dims[ai] : 1;
    const int32_t db = bi >= 0 ? b.dims[bi] : 1;
    if (da != db && da != 1 && db != 1) {
      return ctx.Error(StatusCode::kInvalidArgument,
                       "shapes cannot broadcast: dim %d is %d vs %d", i, da,
                       db);
    }
    result.dims[i] = (da == 1) ? db : da;
  }
  *out = result;
  return Status::Ok();
}

// A standalone activation that a graph pass folded into this op (see
// Node::folded_activation) stands in for "no fused activation".
namespace {
fb::ActivationFunctionType WithFoldedActivation(
    const OpContext& ctx, fb::ActivationFunctionType act) {
  const Node* node = ctx.node();
  if (node == nullptr || node->folded_activation < 0 ||
      act != fb::ActivationFunctionType::NONE)
    return act;
  return static_cast<fb::ActivationFunctionType>(node->folded_activation);
}
}  // namespace

Status FloatActivationRange(OpContext& ctx, fb::ActivationFunctionType act,
                            float* lo, float* hi) {
  act = WithFoldedActivation(ctx, act);
  switch (act) {
    // Like LiteRT, "no activation" still clamps to the finite float range
    // (an infinite result becomes +-FLT_MAX).
    case fb::ActivationFunctionType::NONE:
      *lo = std::numeric_limits<float>::lowest();
      *hi = std::numeric_limits<float>::max();
      return Status::Ok();
    case fb::ActivationFunctionType::RELU:
      *lo = 0.0f;
      *hi = std::numeric_limits<float>::max();
      return Status::Ok();
    case fb::ActivationFunctionType::RELU_N1_TO_1:
      *lo = -1.0f;
      *hi = 1.0f;
      return Status::Ok();
    case fb::ActivationFunctionType::RELU6:
      *lo = 0.0f;
      *hi = 6.0f;
      return Status::Ok();
    default:
      return ctx.Error(StatusCode::kUnsupported,
                       "fused activation %d is not supported",
                       static_cast<int>(act));
  }
}

Status QuantizedActivationRange(OpContext& ctx, fb::ActivationFunctionType act,
                                const Tensor* output, int32_t* lo,
                                int32_t* hi) {
  act = WithFoldedActivation(ctx, act);
  int32_t qmin = 0, qmax = 0;
  switch (output->type) {
    case DataType::kInt8:
      qmin = -128;
      qmax = 127;
      break;
    case DataType::kUInt8:
      qmin = 0;
      qmax = 255;
      break;
    case DataType::kInt16:
      qmin = -32768;
      qmax = 32767;
      break;
    default:
      return UnsupportedType(ctx, output, "quantized output");
  }
  const float scale = output->quant.scale0();
  const int32_t zp = output->quant.zero_point0();
  // Saturated before the cast: a tiny (valid) scale must not overflow the
  // float -> int conversion; values in range are unchanged.
  auto quantize = [&](float v) {
    const double q = static_cast<double>(zp) + std::round(v / scale);
    return static_cast<int32_t>(std::clamp(q, -2147483648.0, 2147483647.0));
  };
  switch (act) {
    case fb::ActivationFunctionType::NONE:
      *lo = qmin;
      *hi = qmax;
      return Status::Ok();
    case fb::ActivationFunctionType::RELU:
      *lo = std::max(qmin, quantize(0.0f));
      *hi = qmax;
      return Status::Ok();
    case fb::ActivationFunctionType::RELU6:
      *lo = std::max(qmin, quantize(0.0f));
      *hi = std::min(qmax, quantize(6.0f));
      return Status::Ok();
    case fb::ActivationFunctionType::RELU_N1_TO_1:
      *lo = std::max(qmin, quantize(-1.0f));
      *hi = std::min(qmax, quantize(1.0f));
      return Status::Ok();
    default:
      return ctx.Error(StatusCode::kUnsupported,
                       "fused activation %d is not supported",
                       static_cast<int>(act));
  }
}

Status ReadIntVector(OpContext& ctx, const Tensor* t, const char* what,
                     int32_t* values, int capacity, int* count) {
  if (t->data == nullptr) {
    return ctx.Error(StatusCode::kInternal, "%s has no data at prepare", what);
  }
  if (t->shape.rank > 1) {
    return ctx.Error(StatusCode::kInvalidModel, "%s must be 1-D", what);
  }
  const int64_t n = t->NumElements();
  if (n > capacity) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s has %lld entries, at most %d supported", what,
                     static_cast<long long>(n), capacity);
  }
  if (t->type == DataType::kInt32) {
    for (int64_t i = 0; i < n; ++i) values[i] = t->data_as<int32_t>()[i];
  } else if (t->type == DataType::kInt64) {
    for (int64_t i = 0; i < n; ++i)
      values[i] = static_cast<int32_t>(t->data_as<int64_t>()[i]);
  } else {
    return ctx.Error(StatusCode::kInvalidModel, "%s must be int32 or int64",
                     what);
  }
  *count = static_cast<int>(n);
  return Status::Ok();
}

Status ComputePaddedDim(OpContext& ctx, fb::Padding padding, int32_t in,
                        int32_t filter, int32_t stride, int32_t dilation,
                        PaddedDim* dim) {
  if (stride <= 0 || dilation <= 0) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "stride %d / dilation %d must be positive", stride,
                     dilation);
  }
  const int32_t effective = (filter - 1) * dilation + 1;
  int32_t out = 0;
  if (padding == fb::Padding::SAME) {
    out = (in + stride - 1) / stride;
  } else if (padding == fb::Padding::VALID) {
    out = (in - effective + stride) / stride;
  } else {
    return ctx.Error(StatusCode::kInvalidModel, "unknown padding %d",
                     static_cast<int>(padding));
  }
  if (out < 0) out = 0;
  const int32_t total = std::max(0, (out - 1) * stride + effective - in);
  dim->out = out;
  dim->pad_before = total / 2;
  dim->pad_extra = total % 2;
  return Status::Ok();
}

}  // namespace ember::ops
