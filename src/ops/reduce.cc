// MEAN, SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN, REDUCE_ANY, REDUCE_ALL.
// Input 1 holds the axes (int32; negative values count from the back,
// duplicates are ignored). A constant axes tensor fixes the output shape in
// Prepare; otherwise the output is dynamic and resized in Eval.
#include "kernels/ref/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/fast_ops_select.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

enum class ReduceKind { kMean, kSum, kProd, kMax, kMin, kAny, kAll };

struct ReduceData {
  ref::ReduceGeometry geo;
  bool keep_dims;
  bool quantized;  // int8/uint8/int16 with affine parameters
  int32_t in_zp, out_zp;
  int32_t multiplier;
  int shift;
  double in_scale, out_scale;  // for the product multiplier in Eval
  int scratch;  // accumulator, one 8-byte slot per output (or input)
  // x86 fast path for MEAN / SUM over one contiguous block of axes that
  // leaves the last dim alone (the global-average-pool pattern): the input
  // is viewed as [outer, reduced, inner]. nullptr: reference.
  const x86::FastOpsKernels* fast;
  int64_t fast_outer, fast_reduced, fast_inner;
  // MEAN / SUM over the trailing dims (LayerNorm's mean and variance): the
  // input is viewed as [fast_outer, fast_reduced] rows, each summed on its
  // own (portable). false: reference.
  bool rows;
};

// Fills the [outer, reduced] view when the reduced dims are the trailing
// ones.
bool TrailingReduceView(const ref::ReduceGeometry& g, ReduceData* d) {
  int first = g.rank;
  while (first > 0 && g.reduced[first - 1]) --first;
  if (first == g.rank) return false;
  for (int i = 0; i < first; ++i)
    if (g.reduced[i]) return false;
  int64_t outer = 1, reduced = 1;
  for (int i = 0; i < g.rank; ++i) (i < first ? outer : reduced) *= g.dims[i];
  if (reduced == 0 || outer == 0) return false;
  d->fast_outer = outer;
  d->fast_reduced = reduced;
  d->fast_inner = 1;
  return true;
}

// Row sums in float with eight interleaved partial sums (the reference adds
// in order: results differ by rounding only).
void SumRowsF32(const float* in, int64_t rows, int64_t n, float divisor,
                float* out) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = in + r * n;
    float acc[8] = {};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) acc[j] += x[i + j];
    float sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) +
                ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; i < n; ++i) sum += x[i];
    out[r] = sum / divisor;
  }
}

// Exact int32 row sums of int8 data.
// int8 / int16 rows: int32 sums that wrap like the reference's.
template <typename T>
void SumRowsQ(const T* in, int64_t rows, int64_t n, int32_t* out) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* x = in + r * n;
    uint32_t sum = 0;
    for (int64_t i = 0; i < n; ++i)
      sum += static_cast<uint32_t>(static_cast<int32_t>(x[i]));
    out[r] = static_cast<int32_t>(sum);
  }
}

// Fills the [outer, reduced, inner] view when the reduced dims are one
// contiguous block and at least 4 trailing elements stay per position.
bool ContiguousReduceView(const ref::ReduceGeometry& g, ReduceData* d) {
  int first = -1, last = -1;
  for (int i = 0; i < g.rank; ++i) {
    if (!g.reduced[i]) continue;
    if (first < 0) first = i;
    if (last >= 0 && last != i - 1) return false;
    last = i;
  }
  if (first < 0 || last == g.rank - 1) return false;
  int64_t outer = 1, reduced = 1, inner = 1;
  for (int i = 0; i < g.rank; ++i) {
    if (i < first)
      outer *= g.dims[i];
    else if (i <= last)
      reduced *= g.dims[i];
    else
      inner *= g.dims[i];
  }
  if (inner < 4 || reduced == 0 || outer == 0) return false;
  d->fast_outer = outer;
  d->fast_reduced = reduced;
  d->fast_inner = inner;
  return true;
}

// Resolves axes into a per-dim mask and computes the output shape.
Status ResolveAxes(OpContext& ctx, const Tensor* axis, const Shape& in,
                   bool keep_dims, bool* reduced, Shape* out) {
  for (int d = 0; d < kMaxRank; ++d) reduced[d] = false;
  const int64_t n = axis->NumElements();
  const int32_t* values = axis->data_as<int32_t>();
  for (int64_t i = 0; i < n; ++i) {
    int32_t a = values[i];
    if (in.rank == 0) {
      // A scalar reduces to itself; LiteRT ignores the axes then.
      continue;
    }
    if (a < 0) a += in.rank;
    if (a < 0 || a >= in.rank) {
      return ctx.Error(StatusCode::kInvalidArgument,
                       "axis %d is out of range for rank %d", values[i],
                       in.rank);
    }
    reduced[a] = true;
  }
  Shape s;
  for (int d = 0; d < in.rank; ++d) {
    if (!reduced[d]) {
      s.dims[s.rank++] = in.dims[d];
    } else if (keep_dims) {
      s.dims[s.rank++] = 1;
    }
  }
  *out = s;
  return Status::Ok();
}

bool IsQuantizedType(DataType t) {
  return t == DataType::kInt8 || t == DataType::kUInt8 || t == DataType::kInt16;
}

// Which input types each reduction accepts.
bool Supports(ReduceKind kind, DataType t) {
  switch (kind) {
    case ReduceKind::kAny:
    case ReduceKind::kAll:
      return t == DataType::kBool;
    case ReduceKind::kProd:
      return t == DataType::kFloat32 || t == DataType::kInt32 ||
             t == DataType::kInt64 || t == DataType::kInt8 ||
             t == DataType::kInt16;
    default:
      return t == DataType::kFloat32 || t == DataType::kInt32 ||
             t == DataType::kInt64 || IsQuantizedType(t);
  }
}

// Prod multiplier: each step scales by in_scale / out_scale^(1/count).
void ProdMultiplier(ReduceData* d) {
  if (d->geo.num_outputs == 0 || d->geo.num_inputs == 0) return;
  const int count = static_cast<int>(d->geo.num_inputs / d->geo.num_outputs);
  const double scaling = d->in_scale / std::pow(d->out_scale, 1.0 / count);
  ref::QuantizeMultiplier(scaling, &d->multiplier, &d->shift);
}

template <ReduceKind kind>
Status PrepareRef(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
  const Tensor* in = ctx.input(0);
  const Tensor* axis = ctx.input(1);
  Tensor* out = ctx.output(0);
  auto* d = ctx.op_data<ReduceData>();
  const auto* opt = ctx.op()->builtin_options_as_ReducerOptions();
  d->keep_dims = opt != nullptr && opt->keep_dims();
  EMBER_RETURN_IF_ERROR(CheckType(ctx, axis, "axis", DataType::kInt32));
  if (axis->shape.rank > 1) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "axis must be 0-D or 1-D, has rank %d", axis->shape.rank);
  }
  if (!Supports(kind, in->type)) return UnsupportedType(ctx, in, "input");
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, out));
  d->quantized = false;
  if (IsQuantizedType(in->type)) {
    const bool needs_quant = kind == ReduceKind::kMean ||
                             kind == ReduceKind::kSum ||
                             kind == ReduceKind::kProd;
    const bool has_quant = in->quant.quantized() && out->quant.quantized();
    if (needs_quant && !has_quant) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "%s input and output need quantization parameters",
                       DataTypeName(in->type));
    }
    if (has_quant) {
      if (in->quant.count != 1 || out->quant.count != 1) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "reductions need per-tensor quantization");
      }
      d->quantized = true;
      d->in_zp = in->quant.zero_point0();
      d->out_zp = out->quant.zero_point0();
      d->in_scale = in->quant.scale0();
      d->out_scale = out->quant.scale0();
      if (in->type == DataType::kInt16 && (d->in_zp != 0 || d->out_zp != 0)) {
        return ctx.Error(
            StatusCode::kInvalidModel,
            "int16 input and output zero points must be 0 (have %d, %d)",
            d->in_zp, d->out_zp);
      }
      if ((kind == ReduceKind::kMax || kind == ReduceKind::kMin) &&
          (in->quant.scale0() != out->quant.scale0() ||
           d->in_zp != d->out_zp)) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "input and output quantization must match");
      }
      if (kind == ReduceKind::kMean || kind == ReduceKind::kSum) {
        ref::QuantizeMultiplier(d->in_scale / d->out_scale, &d->multiplier,
                                &d->shift);
      }
    }
  }
  // Accumulators: one 8-byte slot per output; with unknown axes the output
  // can be as large as the input.
  const bool need_acc =
      kind == ReduceKind::kMean ||
      (d->quantized && (kind == ReduceKind::kSum || kind == ReduceKind::kProd));
  if (!axis->is_constant()) {
    ctx.SetOutputDynamic(0);
    if (need_acc) {
      EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
          static_cast<size_t>(std::max<int64_t>(1, in->NumElements())) * 8,
          &d->scratch));
    }
    return Status::Ok();
  }
  bool reduced[kMaxRank];
  Shape out_shape;
  EMBER_RETURN_IF_ERROR(
      ResolveAxes(ctx, axis, in->shape, d->keep_dims, reduced, &out_shape));
  ref::MakeReduceGeometry(in->shape, reduced, &d->geo);
  if (d->quantized && kind == ReduceKind::kProd) ProdMultiplier(d);
  if (need_acc) {
    EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
        static_cast<size_t>(std::max<int64_t>(1, d->geo.num_outputs)) * 8,
        &d->scratch));
  }
  return ctx.ResizeOutput(0, out_shape);
}

template <ReduceKind kind>
Status Prepare(OpContext& ctx) {
  ctx.SetKernelVariant("ref");
  EMBER_RETURN_IF_ERROR(PrepareRef<kind>(ctx));
  auto* d = ctx.op_data<ReduceData>();
  d->fast = nullptr;
  d->rows = false;
  if (kind != ReduceKind::kMean && kind != ReduceKind::kSum)
    return Status::Ok();
  if (ctx.node()->has_dynamic_output) return Status::Ok();
  const DataType t = ctx.input(0)->type;
  const bool s8 = t == DataType::kInt8 && d->quantized;
  const bool s16 = t == DataType::kInt16 && d->quantized;
  if (t != DataType::kFloat32 && !s8 && !s16) return Status::Ok();
  if (ctx.optimized_kernels_allowed() && TrailingReduceView(d->geo, d)) {
    // Integer sums go through the int32 scratch of one slot per output.
    d->rows = true;
    ctx.SetKernelVariant(s16  ? "portable_mean_rows_s16"
                         : s8 ? "portable_mean_rows_s8"
                              : "portable_mean_rows");
    return Status::Ok();
  }
  if (!ContiguousReduceView(d->geo, d)) return Status::Ok();
  d->fast = SelectFastOps(ctx);
  if (s16 && d->fast != nullptr && d->fast->spatial_sum_s16 == nullptr)
    d->fast = nullptr;  // this ISA's table has no int16 sums
  if (d->fast != nullptr)
    ctx.SetKernelVariant(FastVariantName(d->fast, s16  ? FastFamily::kMeanS16
                                                  : s8 ? FastFamily::kMeanS8
                                                       : FastFamily::kMean));
  return Status::Ok();
}

// The quantized tail of ref::QuantizedMeanOrSum (same multiplier folding
// and rounding) applied to exact int32 sums.
template <typename T>
void RequantizeSums(const ReduceData& d, bool mean, const int32_t* acc, T* out,
                    int64_t count) {
  const int64_t n = d.fast_reduced;
  int32_t multiplier = d.multiplier;
  int shift = d.shift;
  if (mean) {
    int log2n = 0;
    while ((static_cast<uint64_t>(n) >> (log2n + 1)) != 0) ++log2n;
    int extra = std::min(log2n, 32);
    extra = std::min(extra, 31 + shift);
    multiplier =
        static_cast<int32_t>((static_cast<int64_t>(multiplier) << extra) / n);
    shift -= extra;
  }
  for (int64_t o = 0; o < count; ++o) {
    const int32_t centered =
        static_cast<int32_t>(acc[o] - static_cast<int64_t>(d.in_zp) * n);
    const int32_t v =
        ref::MultiplyByQuantizedMultiplier(centered, multiplier, shift) +
        d.out_zp;
    out[o] = static_cast<T>(
        std::min<int32_t>(std::max<int32_t>(v, std::numeric_limits<T>::min()),
                          std::numeric_limits<T>::max()));
  }
}

Status EvalFast(ReduceKind kind, OpContext& ctx, const ReduceData& d) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const int64_t s = d.fast_reduced, c = d.fast_inner;
  const bool mean = kind == ReduceKind::kMean;
  for (int64_t b = 0; b < d.fast_outer; ++b) {
    if (in->type == DataType::kFloat32) {
      d.fast->spatial_sum_f32(in->data_as<float>() + b * s * c, s, c, 0, c,
                              mean ? static_cast<float>(s) : 1.0f,
                              out->data_as<float>() + b * c);
    } else if (in->type == DataType::kInt16) {
      int32_t* acc = static_cast<int32_t*>(ctx.scratch(d.scratch));
      d.fast->spatial_sum_s16(in->data_as<int16_t>() + b * s * c, s, c, 0, c,
                              acc);
      RequantizeSums(d, mean, acc, out->data_as<int16_t>() + b * c, c);
    } else {
      // Only MEAN and SUM reserve an accumulator row (MAX/MIN have none).
      int32_t* acc = static_cast<int32_t*>(ctx.scratch(d.scratch));
      d.fast->spatial_sum_s8(in->data_as<int8_t>() + b * s * c, s, c, 0, c,
                             acc);
      RequantizeSums(d, mean, acc, out->data_as<int8_t>() + b * c, c);
    }
  }
  return Status::Ok();
}

Status EvalRows(ReduceKind kind, OpContext& ctx, const ReduceData& d) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  const bool mean = kind == ReduceKind::kMean;
  const int64_t rows = d.fast_outer, n = d.fast_reduced;
  if (in->type == DataType::kFloat32) {
    SumRowsF32(in->data_as<float>(), rows, n,
               mean ? static_cast<float>(n) : 1.0f, out->data_as<float>());
    return Status::Ok();
  }
  // Only MEAN and SUM reserve an accumulator row (MAX/MIN have none).
  int32_t* acc = static_cast<int32_t*>(ctx.scratch(d.scratch));
  if (in->type == DataType::kInt16) {
    SumRowsQ(in->data_as<int16_t>(), rows, n, acc);
    RequantizeSums(d, mean, acc, out->data_as<int16_t>(), rows);
  } else {
    SumRowsQ(in->data_as<int8_t>(), rows, n, acc);
    RequantizeSums(d, mean, acc, out->data_as<int8_t>(), rows);
  }
  return Status::Ok();
}

template <typename T>
Status EvalTyped(ReduceKind kind, OpContext& ctx, const ReduceData& d) {
  const ref::ReduceGeometry& g = d.geo;
  const T* in = ctx.input(0)->data_as<T>();
  T* out = ctx.output(0)->data_as<T>();
  switch (kind) {
    case ReduceKind::kSum:
      if constexpr (std::is_integral_v<T>) {
        using U = std::make_unsigned_t<T>;  // wrap on overflow
        ref::ReduceGeneric<T>(g, in, out, T(0), [](T a, T b) {
          return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
        });
      } else {
        ref::ReduceGeneric<T>(g, in, out, T(0), [](T a, T b) { return a + b; });
      }
      return Status::Ok();
    case ReduceKind::kProd:
      if constexpr (std::is_integral_v<T>) {
        using U = std::make_unsigned_t<T>;
        ref::ReduceGeneric<T>(g, in, out, T(1), [](T a, T b) {
          return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
        });
      } else {
        ref::ReduceGeneric<T>(g, in, out, T(1), [](T a, T b) { return a * b; });
      }
      return Status::Ok();
    case ReduceKind::kMax:
      ref::ReduceGeneric<T>(g, in, out, std::numeric_limits<T>::lowest(),
                            [](T a, T b) { return b > a ? b : a; });
      return Status::Ok();
    case ReduceKind::kMin:
      ref::ReduceGeneric<T>(g, in, out, std::numeric_limits<T>::max(),
                            [](T a, T b) { return b < a ? b : a; });
      return Status::Ok();
    case ReduceKind::kMean:
      if constexpr (std::is_same_v<T, float>) {
        if (g.num_inputs == 0) {
          for (int64_t o = 0; o < g.num_outputs; ++o) out[o] = NAN;
          return Status::Ok();
        }
        ref::MeanPlain<float, float>(
            g, in, out, static_cast<float*>(ctx.scratch(d.scratch)));
      } else {
        ref::MeanPlain<T, int64_t>(
            g, in, out, static_cast<int64_t*>(ctx.scratch(d.scratch)));
      }
      return Status::Ok();
    default:
      return ctx.Error(StatusCode::kInternal, "bad reduction");
  }
}

template <typename T>
Status EvalQuantized(ReduceKind kind, OpContext& ctx, const ReduceData& d) {
  const T* in = ctx.input(0)->data_as<T>();
  T* out = ctx.output(0)->data_as<T>();
  // Only MEAN and SUM reserve an accumulator row (MAX/MIN have none).
  int32_t* acc = static_cast<int32_t*>(ctx.scratch(d.scratch));
  switch (kind) {
    case ReduceKind::kMean:
    case ReduceKind::kSum:
      ref::QuantizedMeanOrSum<T>(d.geo, in, out, acc, d.in_zp, d.out_zp,
                                 d.multiplier, d.shift,
                                 kind == ReduceKind::kMean);
      return Status::Ok();
    case ReduceKind::kProd:
      ref::QuantizedProd<T>(d.geo, in, out, acc, d.in_zp, d.out_zp,
                            d.multiplier, d.shift);
      return Status::Ok();
    default:
      return EvalTyped<T>(kind, ctx, d);
  }
}

template <ReduceKind kind>
Status Eval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  auto* d = ctx.op_data<ReduceData>();
  if (ctx.node()->has_dynamic_output) {
    bool reduced[kMaxRank];
    Shape out_shape;
    EMBER_RETURN_IF_ERROR(ResolveAxes(ctx, ctx.input(1), in->shape,
                                      d->keep_dims, reduced, &out_shape));
    ref::MakeReduceGeometry(in->shape, reduced, &d->geo);
    if (d->quantized && kind == ReduceKind::kProd) ProdMultiplier(d);
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, out_shape));
  }
  if (d->fast != nullptr) return EvalFast(kind, ctx, *d);
  if (d->rows) return EvalRows(kind, ctx, *d);
  switch (in->type) {
    case DataType::kFloat32:
      return EvalTyped<float>(kind, ctx, *d);
    case DataType::kInt32:
      return EvalTyped<int32_t>(kind, ctx, *d);
    case DataType::kInt64:
      return EvalTyped<int64_t>(kind, ctx, *d);
    case DataType::kInt8:
      return d->quantized ? EvalQuantized<int8_t>(kind, ctx, *d)
                          : EvalTyped<int8_t>(kind, ctx, *d);
    case DataType::kUInt8:
      return d->quantized ? EvalQuantized<uint8_t>(kind, ctx, *d)
                          : EvalTyped<uint8_t>(kind, ctx, *d);
    case DataType::kInt16:
      return d->quantized ? EvalQuantized<int16_t>(kind, ctx, *d)
                          : EvalTyped<int16_t>(kind, ctx, *d);
    case DataType::kBool: {
      const bool* pin = in->data_as<bool>();
      bool* pout = ctx.output(0)->data_as<bool>();
      if (kind == ReduceKind::kAny) {
        ref::ReduceGeneric<bool>(d->geo, pin, pout, false,
                                 [](bool a, bool b) { return a || b; });
      } else {
        ref::ReduceGeneric<bool>(d->geo, pin, pout, true,
                                 [](bool a, bool b) { return a && b; });
      }
      return Status::Ok();
    }
    default:
      return UnsupportedType(ctx, in, "input");
  }
}

template <ReduceKind kind>
const OpRegistration* MakeReg(fb::BuiltinOperator op, const char* name) {
  static const OpRegistration reg = {static_cast<int32_t>(op),
                                     name,
                                     sizeof(ReduceData),
                                     Prepare<kind>,
                                     Eval<kind>,
                                     kOpFlagNone};
  return &reg;
}

}  // namespace

const OpRegistration* Register_MEAN() {
  return MakeReg<ReduceKind::kMean>(fb::BuiltinOperator::MEAN, "MEAN");
}
const OpRegistration* Register_SUM() {
  return MakeReg<ReduceKind::kSum>(fb::BuiltinOperator::SUM, "SUM");
}
const OpRegistration* Register_REDUCE_PROD() {
  return MakeReg<ReduceKind::kProd>(fb::BuiltinOperator::REDUCE_PROD,
                                    "REDUCE_PROD");
}
const OpRegistration* Register_REDUCE_MAX() {
  return MakeReg<ReduceKind::kMax>(fb::BuiltinOperator::REDUCE_MAX,
                                   "REDUCE_MAX");
}
const OpRegistration* Register_REDUCE_MIN() {
  return MakeReg<ReduceKind::kMin>(fb::BuiltinOperator::REDUCE_MIN,
                                   "REDUCE_MIN");
}
const OpRegistration* Register_REDUCE_ANY() {
  return MakeReg<ReduceKind::kAny>(fb::BuiltinOperator::REDUCE_ANY,
                                   "REDUCE_ANY");
}
const OpRegistration* Register_REDUCE_ALL() {
  return MakeReg<ReduceKind::kAll>(fb::BuiltinOperator::REDUCE_ALL,
                                   "REDUCE_ALL");
}

}  // namespace ember::ops
