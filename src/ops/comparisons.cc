// Comparisons (EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL)
// with broadcasting and a bool output; logical ops (LOGICAL_AND, LOGICAL_OR,
// LOGICAL_NOT); SELECT and SELECT_V2.
#include "kernels/ref/binary.h"
#include "kernels/ref/compare_select.h"
#include "ops/elementwise_util.h"

namespace ember::ops {
namespace {

enum class Cmp { kEq, kNe, kLt, kLe, kGt, kGe };

template <Cmp kCmp, typename T>
bool Compare(T a, T b) {
  if constexpr (kCmp == Cmp::kEq) return a == b;
  if constexpr (kCmp == Cmp::kNe) return a != b;
  if constexpr (kCmp == Cmp::kLt) return a < b;
  if constexpr (kCmp == Cmp::kLe) return a <= b;
  if constexpr (kCmp == Cmp::kGt) return a > b;
  if constexpr (kCmp == Cmp::kGe) return a >= b;
  return false;
}

struct CompareData {
  bool quantized;
  ref::QuantCompareParams q;
};

template <Cmp kCmp>
Status PrepareCompare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(PrepareBinaryShape(ctx));
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  const Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, a, b));
  EMBER_RETURN_IF_ERROR(CheckType(ctx, out, "output", DataType::kBool));
  switch (a->type) {
    case DataType::kFloat32:
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kInt16:
    case DataType::kInt8:
    case DataType::kUInt8:
      break;
    case DataType::kBool:
      if (kCmp == Cmp::kEq || kCmp == Cmp::kNe) break;
      return UnsupportedType(ctx, a, "input");
    default:
      return UnsupportedType(ctx, a, "input");
  }
  auto* d = ctx.op_data<CompareData>();
  // 8-bit inputs compare real values: each side is rescaled by its own
  // quantization (the two may differ).
  d->quantized = (a->type == DataType::kInt8 || a->type == DataType::kUInt8) &&
                 (a->quant.quantized() || b->quant.quantized());
  if (!d->quantized) return Status::Ok();
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, a, "input 0"));
  EMBER_RETURN_IF_ERROR(CheckPerTensorQuant(ctx, b, "input 1"));
  d->q.in1_offset = -a->quant.zero_point0();
  d->q.in2_offset = -b->quant.zero_point0();
  ref::QuantizeMultiplier(a->quant.scale0(), &d->q.in1_mult, &d->q.in1_shift);
  ref::QuantizeMultiplier(b->quant.scale0(), &d->q.in2_mult, &d->q.in2_shift);
  return Status::Ok();
}

template <Cmp kCmp, typename T>
void RunCompare(const CompareData& d, const Tensor* a, const Tensor* b,
                Tensor* out) {
  if (d.quantized) {
    if constexpr (sizeof(T) == 1 && std::is_integral_v<T> &&
                  !std::is_same_v<T, bool>) {
      ref::BroadcastBinary(
          a->shape, a->data_as<T>(), b->shape, b->data_as<T>(), out->shape,
          out->data_as<bool>(), [&](T x, T y) {
            const int32_t qx = ref::QuantCompareValue(
                x, d.q.in1_offset, d.q.in1_mult, d.q.in1_shift);
            const int32_t qy = ref::QuantCompareValue(
                y, d.q.in2_offset, d.q.in2_mult, d.q.in2_shift);
            return Compare<kCmp>(qx, qy);
          });
      return;
    }
  }
  ref::BroadcastBinary(a->shape, a->data_as<T>(), b->shape, b->data_as<T>(),
                       out->shape, out->data_as<bool>(),
                       [](T x, T y) { return Compare<kCmp>(x, y); });
}

template <Cmp kCmp>
Status EvalCompare(OpContext& ctx) {
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  Tensor* out = ctx.output(0);
  const auto& d = *ctx.op_data<CompareData>();
  switch (a->type) {
    case DataType::kFloat32:
      RunCompare<kCmp, float>(d, a, b, out);
      break;
    case DataType::kInt32:
      RunCompare<kCmp, int32_t>(d, a, b, out);
      break;
    case DataType::kInt64:
      RunCompare<kCmp, int64_t>(d, a, b, out);
      break;
    case DataType::kInt16:
      RunCompare<kCmp, int16_t>(d, a, b, out);
      break;
    case DataType::kInt8:
      RunCompare<kCmp, int8_t>(d, a, b, out);
      break;
    case DataType::kUInt8:
      RunCompare<kCmp, uint8_t>(d, a, b, out);
      break;
    case DataType::kBool:
      RunCompare<kCmp, bool>(d, a, b, out);
      break;
    default:
      return UnsupportedType(ctx, a, "input");
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// LOGICAL_AND / LOGICAL_OR / LOGICAL_NOT

template <bool kAnd>
Status PrepareLogical(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(PrepareBinaryShape(ctx));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.input(0), "input 0", DataType::kBool));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.input(1), "input 1", DataType::kBool));
  return CheckType(ctx, ctx.output(0), "output", DataType::kBool);
}

template <bool kAnd>
Status EvalLogical(OpContext& ctx) {
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  Tensor* out = ctx.output(0);
  ref::BroadcastBinary(
      a->shape, a->data_as<bool>(), b->shape, b->data_as<bool>(), out->shape,
      out->data_as<bool>(),
      [](bool x, bool y) { return kAnd ? (x && y) : (x || y); });
  return Status::Ok();
}

Status PrepareNot(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  EMBER_RETURN_IF_ERROR(CheckType(ctx, ctx.input(0), "input", DataType::kBool));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.output(0), "output", DataType::kBool));
  return ctx.ResizeOutput(0, ctx.input(0)->shape);
}

Status EvalNot(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const bool* x = in->data_as<bool>();
  bool* y = out->data_as<bool>();
  for (int64_t i = 0, n = in->NumElements(); i < n; ++i) y[i] = !x[i];
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// SELECT (v1: condition of x's shape, a scalar, or a vector over x's first
// dimension) and SELECT_V2 (condition, x, y broadcast together).

enum class SelectMode : int32_t { kBroadcast, kRows, kScalar };

struct SelectData {
  SelectMode mode;
  int64_t row_size;  // kRows: elements per entry of the condition
};

bool Selectable(DataType t) {
  switch (t) {
    case DataType::kFloat32:
    case DataType::kInt64:
    case DataType::kInt32:
    case DataType::kInt16:
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kUInt32:
    case DataType::kBool:
      return true;
    default:
      return false;
  }
}

template <bool kV2>
Status PrepareSelect(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 3, 3, 1));
  const Tensor* cond = ctx.input(0);
  const Tensor* x = ctx.input(1);
  const Tensor* y = ctx.input(2);
  const Tensor* out = ctx.output(0);
  EMBER_RETURN_IF_ERROR(CheckType(ctx, cond, "condition", DataType::kBool));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, x, y));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, x, out));
  if (!Selectable(x->type)) return UnsupportedType(ctx, x, "input");
  auto* d = ctx.op_data<SelectData>();
  d->mode = SelectMode::kBroadcast;
  if constexpr (kV2) {
    Shape xy, all;
    EMBER_RETURN_IF_ERROR(BroadcastShapes(ctx, x->shape, y->shape, &xy));
    EMBER_RETURN_IF_ERROR(BroadcastShapes(ctx, cond->shape, xy, &all));
    return ctx.ResizeOutput(0, all);
  }
  if (x->shape != y->shape) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "x and y must have the same shape");
  }
  if (cond->shape != x->shape) {
    if (cond->shape.rank == 0) {
      d->mode = SelectMode::kScalar;
    } else if (cond->shape.rank == 1 && x->shape.rank >= 1 &&
               cond->shape.dims[0] == x->shape.dims[0]) {
      d->mode = SelectMode::kRows;
      d->row_size =
          x->shape.dims[0] > 0 ? x->NumElements() / x->shape.dims[0] : 0;
    } else {
      return ctx.Error(StatusCode::kInvalidModel,
                       "condition must match x's shape, be a scalar, or a "
                       "vector over x's first dimension (rank %d vs %d)",
                       cond->shape.rank, x->shape.rank);
    }
  }
  return ctx.ResizeOutput(0, x->shape);
}

template <typename T>
void RunSelect(const SelectData& d, const Tensor* cond, const Tensor* x,
               const Tensor* y, Tensor* out) {
  const bool* c = cond->data_as<bool>();
  const T* px = x->data_as<T>();
  const T* py = y->data_as<T>();
  T* po = out->data_as<T>();
  const int64_t n = out->NumElements();
  switch (d.mode) {
    case SelectMode::kScalar:
      for (int64_t i = 0; i < n; ++i) po[i] = c[0] ? px[i] : py[i];
      return;
    case SelectMode::kRows:
      for (int64_t i = 0; i < n; ++i) po[i] = c[i / d.row_size] ? px[i] : py[i];
      return;
    case SelectMode::kBroadcast:
      ref::ForEachBroadcast3(
          cond->shape, x->shape, y->shape, out->shape,
          [&](int64_t o, int64_t ic, int64_t ix, int64_t iy) {
            po[o] = c[ic] ? px[ix] : py[iy];
          });
      return;
  }
}

Status EvalSelect(OpContext& ctx) {
  const Tensor* cond = ctx.input(0);
  const Tensor* x = ctx.input(1);
  const Tensor* y = ctx.input(2);
  Tensor* out = ctx.output(0);
  const auto& d = *ctx.op_data<SelectData>();
  switch (x->type) {
    case DataType::kFloat32:
      RunSelect<float>(d, cond, x, y, out);
      break;
    case DataType::kInt64:
      RunSelect<int64_t>(d, cond, x, y, out);
      break;
    case DataType::kInt32:
      RunSelect<int32_t>(d, cond, x, y, out);
      break;
    case DataType::kUInt32:
      RunSelect<uint32_t>(d, cond, x, y, out);
      break;
    case DataType::kInt16:
      RunSelect<int16_t>(d, cond, x, y, out);
      break;
    case DataType::kInt8:
      RunSelect<int8_t>(d, cond, x, y, out);
      break;
    case DataType::kUInt8:
      RunSelect<uint8_t>(d, cond, x, y, out);
      break;
    case DataType::kBool:
      RunSelect<bool>(d, cond, x, y, out);
      break;
    default:
      return UnsupportedType(ctx, x, "input");
  }
  return Status::Ok();
}

template <Cmp kCmp>
const OpRegistration* MakeCompare(fb::BuiltinOperator op, const char* name) {
  static const OpRegistration reg = {
      static_cast<int32_t>(op), name,
      sizeof(CompareData),      PrepareCompare<kCmp>,
      EvalCompare<kCmp>,        kOpFlagNone};
  return &reg;
}

}  // namespace

const OpRegistration* Register_EQUAL() {
  return MakeCompare<Cmp::kEq>(fb::BuiltinOperator::EQUAL, "EQUAL");
}
const OpRegistration* Register_NOT_EQUAL() {
  return MakeCompare<Cmp::kNe>(fb::BuiltinOperator::NOT_EQUAL, "NOT_EQUAL");
}
const OpRegistration* Register_LESS() {
  return MakeCompare<Cmp::kLt>(fb::BuiltinOperator::LESS, "LESS");
}
const OpRegistration* Register_LESS_EQUAL() {
  return MakeCompare<Cmp::kLe>(fb::BuiltinOperator::LESS_EQUAL, "LESS_EQUAL");
}
const OpRegistration* Register_GREATER() {
  return MakeCompare<Cmp::kGt>(fb::BuiltinOperator::GREATER, "GREATER");
}
const OpRegistration* Register_GREATER_EQUAL() {
  return MakeCompare<Cmp::kGe>(fb::BuiltinOperator::GREATER_EQUAL,
                               "GREATER_EQUAL");
}

const OpRegistration* Register_LOGICAL_AND() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::LOGICAL_AND),
      "LOGICAL_AND",
      0,
      PrepareLogical<true>,
      EvalLogical<true>,
      kOpFlagInPlaceInput0};
  return &reg;
}
const OpRegistration* Register_LOGICAL_OR() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::LOGICAL_OR),
      "LOGICAL_OR",
      0,
      PrepareLogical<false>,
      EvalLogical<false>,
      kOpFlagInPlaceInput0};
  return &reg;
}
const OpRegistration* Register_LOGICAL_NOT() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::LOGICAL_NOT),
      "LOGICAL_NOT",
      0,
      PrepareNot,
      EvalNot,
      kOpFlagInPlaceInput0};
  return &reg;
}
const OpRegistration* Register_SELECT() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::SELECT),
      "SELECT",
      sizeof(SelectData),
      PrepareSelect<false>,
      EvalSelect,
      kOpFlagNone};
  return &reg;
}
const OpRegistration* Register_SELECT_V2() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::SELECT_V2),
      "SELECT_V2",
      sizeof(SelectData),
      PrepareSelect<true>,
      EvalSelect,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
