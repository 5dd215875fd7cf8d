// Plain integer ops of the audio front end's graph (TFLM's
// audio_preprocessor_int8 scales its int16 log energies in int32): ADD /
// MUL (the int32 path; int8 lives in op_elementwise.cc), DIV, MINIMUM and
// MAXIMUM on int32 with equal shapes or a one-element operand, CAST between
// integer types (kernels/ref/quantize.h's CastValue), CONCATENATION of
// same-typed, same-quantization inputs, and STRIDED_SLICE with constant
// begin / end / strides and begin / end masks.
#include <cstring>

#include "kernels/ref/quantize.h"
#include "micro/micro_op_util.h"
#include "micro/micro_ops.h"

namespace ember::micro {

// The int32 path of ADD / MUL (called by op_elementwise.cc).
MicroStatus Int32BinaryPrepare(MicroContext& ctx, int32_t builtin);
MicroStatus Int32BinaryEval(MicroContext& ctx, int32_t builtin);

namespace {

using fb::BuiltinOperator;
using fb::TensorType;

// ------------------------------------------------------------ arithmetic

MicroStatus IntActivation(MicroContext& ctx, fb::ActivationFunctionType act,
                          int32_t* lo, int32_t* hi) {
  return ActivationBounds<int32_t>(ctx, act, INT32_MIN, INT32_MAX, lo, hi);
}

fb::ActivationFunctionType FusedActivation(MicroContext& ctx, int32_t builtin) {
  const fb::Operator* op = ctx.op();
  switch (static_cast<BuiltinOperator>(builtin)) {
    case BuiltinOperator::ADD:
      if (const auto* o = op->builtin_options_as_AddOptions())
        return o->fused_activation_function();
      break;
    case BuiltinOperator::MUL:
      if (const auto* o = op->builtin_options_as_MulOptions())
        return o->fused_activation_function();
      break;
    case BuiltinOperator::DIV:
      if (const auto* o = op->builtin_options_as_DivOptions())
        return o->fused_activation_function();
      break;
    default:
      break;
  }
  return fb::ActivationFunctionType::NONE;
}

MicroStatus BinaryCheck(MicroContext& ctx, int32_t builtin, int32_t* lo,
                        int32_t* hi) {
  if (ctx.num_inputs() != 2 || ctx.num_outputs() != 1 || !ctx.has_input(0) ||
      !ctx.has_input(1)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("needs 2 inputs, 1 output"));
  }
  const MicroTensor a = ctx.input(0);
  const MicroTensor b = ctx.input(1);
  const MicroTensor out = ctx.output(0);
  if (a.type != TensorType::INT32 || b.type != TensorType::INT32 ||
      out.type != TensorType::INT32) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("this op supports int32 only here"),
                     a.index);
  }
  const int64_t n = out.NumElements();
  const bool shapes_ok = (a.NumElements() == n || a.NumElements() == 1) &&
                         (b.NumElements() == n || b.NumElements() == 1) &&
                         (SameShape(a, out) || SameShape(b, out));
  if (!shapes_ok) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("int32 binary ops need equal shapes or a "
                                     "one-element input"),
                     out.index);
  }
  return IntActivation(ctx, FusedActivation(ctx, builtin), lo, hi);
}

int32_t Apply(BuiltinOperator op, int32_t x, int32_t y) {
  const uint32_t ux = static_cast<uint32_t>(x), uy = static_cast<uint32_t>(y);
  switch (op) {
    case BuiltinOperator::ADD:
      return static_cast<int32_t>(ux + uy);  // wraps, as the host does
    case BuiltinOperator::MUL:
      return static_cast<int32_t>(ux * uy);
    case BuiltinOperator::DIV:
      // INT_MIN / -1 overflows; wrap like the host.
      return y == -1 ? static_cast<int32_t>(0u - ux) : x / y;
    case BuiltinOperator::MINIMUM:
      return x < y ? x : y;
    default:
      return x > y ? x : y;
  }
}

}  // namespace

MicroStatus Int32BinaryPrepare(MicroContext& ctx, int32_t builtin) {
  int32_t lo = 0, hi = 0;
  return BinaryCheck(ctx, builtin, &lo, &hi);
}

MicroStatus Int32BinaryEval(MicroContext& ctx, int32_t builtin) {
  int32_t lo = 0, hi = 0;
  EMBER_MICRO_RETURN_IF_ERROR(BinaryCheck(ctx, builtin, &lo, &hi));
  const MicroTensor a = ctx.input(0);
  const MicroTensor b = ctx.input(1);
  const MicroTensor out = ctx.output(0);
  const auto op = static_cast<BuiltinOperator>(builtin);
  const int32_t* x = a.as<int32_t>();
  const int32_t* y = b.as<int32_t>();
  const int64_t sx = a.NumElements() == 1 ? 0 : 1;
  const int64_t sy = b.NumElements() == 1 ? 0 : 1;
  const int64_t n = out.NumElements();
  if (op == BuiltinOperator::DIV) {
    for (int64_t i = 0; i < b.NumElements(); ++i) {
      if (y[i] == 0) {
        return ctx.Error(MicroStatus::kInvalidArgument,
                         EMBER_MICRO_MSG("division by zero"), b.index);
      }
    }
  }
  const bool clamps = op == BuiltinOperator::ADD ||
                      op == BuiltinOperator::MUL || op == BuiltinOperator::DIV;
  int32_t* z = out.as<int32_t>();
  for (int64_t i = 0; i < n; ++i) {
    int32_t r = Apply(op, x[i * sx], y[i * sy]);
    if (clamps) r = r < lo ? lo : (r > hi ? hi : r);
    z[i] = r;
  }
  return MicroStatus::kOk;
}

namespace {

template <BuiltinOperator kOp>
MicroStatus BinaryPrepare(MicroContext& ctx) {
  return Int32BinaryPrepare(ctx, static_cast<int32_t>(kOp));
}
template <BuiltinOperator kOp>
MicroStatus BinaryEval(MicroContext& ctx) {
  return Int32BinaryEval(ctx, static_cast<int32_t>(kOp));
}

// ------------------------------------------------------------------ CAST

bool Castable(TensorType t) {
  return t == TensorType::INT8 || t == TensorType::UINT8 ||
         t == TensorType::INT16 || t == TensorType::INT32 ||
         t == TensorType::UINT32;
}

MicroStatus CastPrepare(MicroContext& ctx) {
  if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1 || !ctx.has_input(0)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("needs 1 input, 1 output"));
  }
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  if (!Castable(in.type) || !Castable(out.type)) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("CAST supports int8, uint8, int16, int32 "
                                     "and uint32"),
                     in.index);
  }
  if (in.NumElements() != out.NumElements()) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("output must have the input's size"),
                     out.index);
  }
  return MicroStatus::kOk;
}

template <typename From, typename To>
void CastAll(const MicroTensor& in, const MicroTensor& out) {
  const From* x = in.as<From>();
  To* y = out.as<To>();
  for (int64_t i = 0, n = in.NumElements(); i < n; ++i)
    y[i] = ref::CastValue<To>(x[i]);
}

template <typename From>
void CastFrom(const MicroTensor& in, const MicroTensor& out) {
  switch (out.type) {
    case TensorType::INT8:
      return CastAll<From, int8_t>(in, out);
    case TensorType::UINT8:
      return CastAll<From, uint8_t>(in, out);
    case TensorType::INT16:
      return CastAll<From, int16_t>(in, out);
    case TensorType::INT32:
      return CastAll<From, int32_t>(in, out);
    default:
      return CastAll<From, uint32_t>(in, out);
  }
}

MicroStatus CastEval(MicroContext& ctx) {
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  switch (in.type) {
    case TensorType::INT8:
      CastFrom<int8_t>(in, out);
      break;
    case TensorType::UINT8:
      CastFrom<uint8_t>(in, out);
      break;
    case TensorType::INT16:
      CastFrom<int16_t>(in, out);
      break;
    case TensorType::INT32:
      CastFrom<int32_t>(in, out);
      break;
    default:
      CastFrom<uint32_t>(in, out);
      break;
  }
  return MicroStatus::kOk;
}

// --------------------------------------------------------- CONCATENATION

struct ConcatGeometry {
  int32_t axis = 0;
  int64_t outer = 1;  // product of the dims before the axis
  int64_t inner = 1;  // bytes of one step along the axis (dims after it)
};

MicroStatus ConcatCheck(MicroContext& ctx, ConcatGeometry* g) {
  const MicroTensor out = ctx.output(0);
  const auto* opt = ctx.op()->builtin_options_as_ConcatenationOptions();
  if (ctx.num_inputs() < 1 || ctx.num_outputs() != 1 || opt == nullptr) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("CONCATENATION needs inputs, 1 output "
                                     "and its options"));
  }
  if (opt->fused_activation_function() != fb::ActivationFunctionType::NONE) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("CONCATENATION with a fused activation "
                                     "unsupported"));
  }
  int32_t axis = opt->axis();
  if (axis < 0) axis += out.rank;
  if (axis < 0 || axis >= out.rank) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("CONCATENATION axis out of range"));
  }
  int64_t along = 0;
  for (int32_t k = 0; k < ctx.num_inputs(); ++k) {
    const MicroTensor in = ctx.input(k);
    bool ok = ctx.has_input(k) && in.type == out.type && in.rank == out.rank &&
              in.scale == out.scale && in.zero_point == out.zero_point;
    for (int32_t d = 0; ok && d < out.rank; ++d)
      if (d != axis && in.dim(d) != out.dim(d)) ok = false;
    if (!ok) {
      return ctx.Error(MicroStatus::kUnsupported,
                       EMBER_MICRO_MSG("CONCATENATION inputs must match the "
                                       "output's type, quantization and "
                                       "other dims"),
                       in.index);
    }
    along += in.dim(axis);
  }
  if (along != out.dim(axis)) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("CONCATENATION output size differs from "
                                     "the inputs'"),
                     out.index);
  }
  g->axis = axis;
  g->outer = 1;
  for (int32_t d = 0; d < axis; ++d) g->outer *= out.dim(d);
  g->inner = static_cast<int64_t>(MicroTypeSize(out.type));
  for (int32_t d = axis + 1; d < out.rank; ++d) g->inner *= out.dim(d);
  return MicroStatus::kOk;
}

MicroStatus ConcatPrepare(MicroContext& ctx) {
  ConcatGeometry g;
  return ConcatCheck(ctx, &g);
}

MicroStatus ConcatEval(MicroContext& ctx) {
  ConcatGeometry g;
  EMBER_MICRO_RETURN_IF_ERROR(ConcatCheck(ctx, &g));
  auto* dst = ctx.output(0).as<uint8_t>();
  for (int64_t o = 0; o < g.outer; ++o) {
    for (int32_t k = 0; k < ctx.num_inputs(); ++k) {
      const MicroTensor in = ctx.input(k);
      const size_t bytes = static_cast<size_t>(in.dim(g.axis) * g.inner);
      std::memcpy(dst, in.as<uint8_t>() + o * bytes, bytes);
      dst += bytes;
    }
  }
  return MicroStatus::kOk;
}

// --------------------------------------------------------- STRIDED_SLICE

constexpr int32_t kMaxSliceRank = 6;

struct SliceGeometry {
  int32_t rank = 0;
  int32_t begin[kMaxSliceRank] = {};
  int32_t count[kMaxSliceRank] = {};
  int32_t stride[kMaxSliceRank] = {};
};

MicroStatus SliceCheck(MicroContext& ctx, SliceGeometry* g) {
  const auto* opt = ctx.op()->builtin_options_as_StridedSliceOptions();
  if (ctx.num_inputs() != 4 || ctx.num_outputs() != 1 || opt == nullptr) {
    return ctx.Error(MicroStatus::kInvalidModel,
                     EMBER_MICRO_MSG("STRIDED_SLICE needs 4 inputs, 1 output "
                                     "and its options"));
  }
  const MicroTensor in = ctx.input(0);
  const MicroTensor out = ctx.output(0);
  const MicroTensor b = ctx.input(1), e = ctx.input(2), s = ctx.input(3);
  if (opt->ellipsis_mask() != 0 || opt->new_axis_mask() != 0 ||
      opt->shrink_axis_mask() != 0 || opt->offset()) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("STRIDED_SLICE with ellipsis, new-axis, "
                                     "shrink masks or offset unsupported"));
  }
  const int32_t rank = in.rank;
  if (rank < 1 || rank > kMaxSliceRank || out.rank != rank ||
      out.type != in.type) {
    return ctx.Error(MicroStatus::kUnsupported,
                     EMBER_MICRO_MSG("STRIDED_SLICE needs rank 1..6 and an "
                                     "output of the input's type and rank"));
  }
  for (const MicroTensor* t : {&b, &e, &s}) {
    if (t->type != TensorType::INT32 || t->NumElements() != rank ||
        t->data == nullptr) {
      return ctx.Error(MicroStatus::kUnsupported,
                       EMBER_MICRO_MSG("STRIDED_SLICE needs constant int32 "
                                       "begin / end / strides, one per dim"),
                       t->index);
    }
  }
  g->rank = rank;
  for (int32_t d = 0; d < rank; ++d) {
    const int32_t dim = in.dim(d);
    const int32_t st = s.as<int32_t>()[d];
    if (st == 0) {
      return ctx.Error(MicroStatus::kInvalidModel,
                       EMBER_MICRO_MSG("STRIDED_SLICE stride is 0"), s.index);
    }
    // Python slice semantics, clamped to the dim.
    const int32_t lo = st > 0 ? 0 : -1, hi = st > 0 ? dim : dim - 1;
    int64_t first = b.as<int32_t>()[d], last = e.as<int32_t>()[d];
    if (opt->begin_mask() & (1 << d)) {
      first = st > 0 ? 0 : dim - 1;
    } else {
      if (first < 0) first += dim;
      first = first < lo ? lo : (first > hi ? hi : first);
    }
    if (opt->end_mask() & (1 << d)) {
      last = st > 0 ? dim : -1;
    } else {
      if (last < 0) last += dim;
      last = last < lo ? lo : (last > hi ? hi : last);
    }
    int64_t n = st > 0 ? (last - first + st - 1) / st
                       : (first - last + (-st) - 1) / (-st);
    if (n < 0) n = 0;
    if (n != out.dim(d)) {
      return ctx.Error(MicroStatus::kInvalidModel,
                       EMBER_MICRO_MSG("STRIDED_SLICE output shape differs "
                                       "from the slice"),
                       out.index);
    }
    g->begin[d] = static_cast<int32_t>(first);
    g->count[d] = static_cast<int32_t>(n);
    g->stride[d] = st;
  }
  return MicroStatus::kOk;
}

MicroStatus SlicePrepare(MicroContext& ctx) {
  SliceGeometry g;
  return SliceCheck(ctx, &g);
}

MicroStatus SliceEval(MicroContext& ctx) {
  SliceGeometry g;
  EMBER_MICRO_RETURN_IF_ERROR(SliceCheck(ctx, &g));
  const MicroTensor in = ctx.input(0);
  const size_t elem = MicroTypeSize(in.type);
  int64_t in_stride[kMaxSliceRank];
  int64_t acc = 1;
  for (int32_t d = g.rank - 1; d >= 0; --d) {
    in_stride[d] = acc;
    acc *= in.dim(d);
  }
  for (int32_t d = 0; d < g.rank; ++d)
    if (g.count[d] == 0) return MicroStatus::kOk;
  const auto* src = in.as<uint8_t>();
  auto* dst = ctx.output(0).as<uint8_t>();
  int32_t idx[kMaxSliceRank] = {};
  for (;;) {
    int64_t at = 0;
    for (int32_t d = 0; d < g.rank; ++d)
      at += (g.begin[d] + static_cast<int64_t>(idx[d]) * g.stride[d]) *
            in_stride[d];
    std::memcpy(dst, src + at * static_cast<int64_t>(elem), elem);
    dst += elem;
    int32_t d = g.rank - 1;
    while (d >= 0 && ++idx[d] == g.count[d]) idx[d--] = 0;
    if (d < 0) break;
  }
  return MicroStatus::kOk;
}

}  // namespace

const MicroOpRegistration kMicroDiv = {
    static_cast<int32_t>(BuiltinOperator::DIV), "DIV",
    BinaryPrepare<BuiltinOperator::DIV>, BinaryEval<BuiltinOperator::DIV>,
    kMicroOpNone};
const MicroOpRegistration kMicroMinimum = {
    static_cast<int32_t>(BuiltinOperator::MINIMUM), "MINIMUM",
    BinaryPrepare<BuiltinOperator::MINIMUM>,
    BinaryEval<BuiltinOperator::MINIMUM>, kMicroOpNone};
const MicroOpRegistration kMicroMaximum = {
    static_cast<int32_t>(BuiltinOperator::MAXIMUM), "MAXIMUM",
    BinaryPrepare<BuiltinOperator::MAXIMUM>,
    BinaryEval<BuiltinOperator::MAXIMUM>, kMicroOpNone};
const MicroOpRegistration kMicroCast = {
    static_cast<int32_t>(BuiltinOperator::CAST), "CAST", CastPrepare, CastEval,
    kMicroOpNone};
const MicroOpRegistration kMicroConcatenation = {
    static_cast<int32_t>(BuiltinOperator::CONCATENATION), "CONCATENATION",
    ConcatPrepare, ConcatEval, kMicroOpNone};
const MicroOpRegistration kMicroStridedSlice = {
    static_cast<int32_t>(BuiltinOperator::STRIDED_SLICE), "STRIDED_SLICE",
    SlicePrepare, SliceEval, kMicroOpNone};

}  // namespace ember::micro
