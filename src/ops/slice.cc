// SLICE (begin + size, size -1 = to the end) and STRIDED_SLICE (begin / end
// / strides with begin, end, ellipsis, new_axis and shrink_axis masks,
// negative strides, and the offset option where end is relative to begin).
// Both reduce to one strided copy; Prepare precomputes it when the index
// inputs are constant, otherwise the output is dynamic.
#include <algorithm>

#include "kernels/ref/strided_copy.h"
#include "ops/shape_util.h"

namespace ember::ops {
namespace {

constexpr int kMaxSpec = 2 * kMaxRank;

// ---- SLICE -----------------------------------------------------------------

Status ComputeSlice(OpContext& ctx, ref::StridedCopyParams* p, Shape* out) {
  const Tensor* in = ctx.input(0);
  const int rank = in->shape.rank;
  int64_t begin[kMaxRank], size[kMaxRank];
  int nb = 0, ns = 0;
  EMBER_RETURN_IF_ERROR(
      ReadInts(ctx, ctx.input(1), "begin", begin, kMaxRank, &nb));
  EMBER_RETURN_IF_ERROR(
      ReadInts(ctx, ctx.input(2), "size", size, kMaxRank, &ns));
  if (nb != rank || ns != rank) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "begin (%d) and size (%d) must have one entry per input "
                     "dim (%d)",
                     nb, ns, rank);
  }
  int64_t in_strides[kMaxRank];
  ref::RowMajorStrides(in->shape, in_strides);
  *p = ref::StridedCopyParams();
  p->rank = rank;
  Shape s;
  s.rank = rank;
  for (int d = 0; d < rank; ++d) {
    const int64_t dim = in->shape.dims[d];
    const int64_t b = begin[d];
    const int64_t n = size[d] == -1 ? dim - b : size[d];
    if (b < 0 || b > dim || n < 0 || n > dim - b) {
      return ctx.Error(StatusCode::kInvalidArgument,
                       "slice [%lld, +%lld) is outside dim %d of size %lld",
                       static_cast<long long>(b),
                       static_cast<long long>(size[d]), d,
                       static_cast<long long>(dim));
    }
    s.dims[d] = static_cast<int32_t>(n);
    p->dims[d] = s.dims[d];
    p->src_strides[d] = in_strides[d];
    p->src_offset += b * in_strides[d];
  }
  ref::RowMajorStrides(s, p->dst_strides);
  *out = s;
  return Status::Ok();
}

Status SlicePrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 3, 3, 1));
  const Tensor* in = ctx.input(0);
  size_t es;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, in, "input", &es));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, ctx.output(0)));
  EMBER_RETURN_IF_ERROR(CheckType(ctx, ctx.input(1), "begin", DataType::kInt32,
                                  DataType::kInt64));
  EMBER_RETURN_IF_ERROR(
      CheckType(ctx, ctx.input(2), "size", DataType::kInt32, DataType::kInt64));
  if (ctx.input(1)->shape.rank != 1 || ctx.input(2)->shape.rank != 1) {
    return ctx.Error(StatusCode::kInvalidModel, "begin and size must be 1-D");
  }
  if (!ctx.input(1)->is_constant() || !ctx.input(2)->is_constant()) {
    ctx.SetOutputDynamic(0);
    return Status::Ok();
  }
  Shape s;
  EMBER_RETURN_IF_ERROR(
      ComputeSlice(ctx, ctx.op_data<ref::StridedCopyParams>(), &s));
  return ctx.ResizeOutput(0, s);
}

Status SliceEval(OpContext& ctx) {
  auto* p = ctx.op_data<ref::StridedCopyParams>();
  if (ctx.output(0)->allocation == Allocation::kDynamic) {
    Shape s;
    EMBER_RETURN_IF_ERROR(ComputeSlice(ctx, p, &s));
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, s));
  }
  const Tensor* in = ctx.input(0);
  ref::StridedCopy(in->data, ctx.output(0)->data, DataTypeSize(in->type), *p);
  return Status::Ok();
}

// ---- STRIDED_SLICE ---------------------------------------------------------

int64_t CeilDiv(int64_t a, int64_t b) {  // b > 0, a >= 0
  return (a + b - 1) / b;
}

Status ComputeStridedSlice(OpContext& ctx, ref::StridedCopyParams* p,
                           Shape* out) {
  const Tensor* in = ctx.input(0);
  const auto* o = ctx.op()->builtin_options_as_StridedSliceOptions();
  const uint32_t begin_mask = o ? o->begin_mask() : 0;
  const uint32_t end_mask = o ? o->end_mask() : 0;
  const uint32_t ellipsis_mask = o ? o->ellipsis_mask() : 0;
  const uint32_t new_axis_mask = o ? o->new_axis_mask() : 0;
  const uint32_t shrink_mask = o ? o->shrink_axis_mask() : 0;
  const bool offset = o ? o->offset() : false;
  const int rank = in->shape.rank;
  int64_t begin[kMaxSpec], end[kMaxSpec], strides[kMaxSpec];
  int nb = 0, ne = 0, ns = 0;
  EMBER_RETURN_IF_ERROR(
      ReadInts(ctx, ctx.input(1), "begin", begin, kMaxSpec, &nb));
  EMBER_RETURN_IF_ERROR(ReadInts(ctx, ctx.input(2), "end", end, kMaxSpec, &ne));
  EMBER_RETURN_IF_ERROR(
      ReadInts(ctx, ctx.input(3), "strides", strides, kMaxSpec, &ns));
  if (nb != ne || nb != ns) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "begin, end and strides have %d, %d and %d entries", nb,
                     ne, ns);
  }
  const int n = nb;
  // Dims are below 2^31: clamping keeps every later sum in range without
  // changing any result.
  constexpr int64_t kBound = int64_t{1} << 40;
  for (int i = 0; i < n; ++i) {
    begin[i] = std::clamp(begin[i], -kBound, kBound);
    end[i] = std::clamp(end[i], -kBound, kBound);
    strides[i] = std::clamp(strides[i], -kBound, kBound);
  }
  // Spec entries after the ellipsis that consume an input dim.
  int consuming = 0, ellipsis_at = -1;
  for (int i = 0; i < n; ++i) {
    const uint32_t bit = 1u << i;
    if (ellipsis_mask & bit) {
      if (ellipsis_at >= 0) {
        return ctx.Error(StatusCode::kInvalidModel, "more than one ellipsis");
      }
      ellipsis_at = i;
    } else if (!(new_axis_mask & bit)) {
      ++consuming;
    }
  }
  if (consuming > rank) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "slice spec indexes %d dims of a rank-%d input", consuming,
                     rank);
  }
  int64_t in_strides[kMaxRank];
  ref::RowMajorStrides(in->shape, in_strides);
  *p = ref::StridedCopyParams();
  Shape s;
  int d = 0;  // next input dim
  auto full_dim = [&](int dim) -> Status {
    if (s.rank >= kMaxRank) {
      return ctx.Error(StatusCode::kUnsupported, "output rank exceeds %d",
                       kMaxRank);
    }
    p->dims[p->rank] = in->shape.dims[dim];
    p->src_strides[p->rank] = in_strides[dim];
    ++p->rank;
    s.dims[s.rank++] = in->shape.dims[dim];
    return Status::Ok();
  };
  auto add_out = [&](int32_t size) -> Status {
    if (s.rank >= kMaxRank) {
      return ctx.Error(StatusCode::kUnsupported, "output rank exceeds %d",
                       kMaxRank);
    }
    s.dims[s.rank++] = size;
    return Status::Ok();
  };
  for (int i = 0; i < n; ++i) {
    const uint32_t bit = 1u << i;
    if (ellipsis_mask & bit) {
      const int covered = rank - consuming;
      for (int k = 0; k < covered; ++k) EMBER_RETURN_IF_ERROR(full_dim(d++));
      continue;
    }
    if (new_axis_mask & bit) {
      EMBER_RETURN_IF_ERROR(add_out(1));
      continue;
    }
    const int64_t size = in->shape.dims[d];
    const int64_t stride = strides[i];
    if (stride == 0) {
      return ctx.Error(StatusCode::kInvalidArgument, "stride %d is zero", i);
    }
    int64_t start = 0, stop = 0;
    if (size > 0) {
      start = begin[i];
      if (begin_mask & bit) start = stride > 0 ? 0 : size - 1;
      if (start < 0) start += size;
      start = stride > 0 ? std::clamp<int64_t>(start, 0, size)
                         : std::clamp<int64_t>(start, -1, size - 1);
      if (shrink_mask & bit) {
        stop = start + 1;
      } else {
        stop = end[i];
        if (offset) {
          stop += start;
        } else if (end_mask & bit) {
          stop = stride > 0 ? size : -1;
        } else if (stop < 0) {
          stop += size;
        }
        stop = stride > 0 ? std::clamp<int64_t>(stop, 0, size)
                          : std::clamp<int64_t>(stop, -1, size - 1);
      }
    }
    int64_t count = 0;
    if (shrink_mask & bit) {
      if (start < 0 || start >= size) {
        return ctx.Error(StatusCode::kInvalidArgument,
                         "shrunk index %lld is outside dim %d of size %lld",
                         static_cast<long long>(begin[i]), d,
                         static_cast<long long>(size));
      }
      count = 1;
    } else if (stride > 0) {
      count = stop > start ? CeilDiv(stop - start, stride) : 0;
    } else {
      count = start > stop ? CeilDiv(start - stop, -stride) : 0;
    }
    p->dims[p->rank] = static_cast<int32_t>(count);
    // A single step never uses its stride (and it may be huge).
    p->src_strides[p->rank] = count > 1 ? stride * in_strides[d] : 0;
    p->src_offset += (count > 0 ? start : 0) * in_strides[d];
    ++p->rank;
    if (!(shrink_mask & bit))
      EMBER_RETURN_IF_ERROR(add_out(static_cast<int32_t>(count)));
    ++d;
  }
  while (d < rank) EMBER_RETURN_IF_ERROR(full_dim(d++));
  // Destination strides: the copy dims are written densely in order.
  int64_t stride = 1;
  for (int k = p->rank - 1; k >= 0; --k) {
    p->dst_strides[k] = stride;
    stride *= p->dims[k];
  }
  *out = s;
  return Status::Ok();
}

Status StridedSlicePrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 4, 4, 1));
  const Tensor* in = ctx.input(0);
  size_t es;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, in, "input", &es));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, ctx.output(0)));
  const char* names[3] = {"begin", "end", "strides"};
  bool constant = true;
  for (int k = 1; k <= 3; ++k) {
    EMBER_RETURN_IF_ERROR(CheckType(ctx, ctx.input(k), names[k - 1],
                                    DataType::kInt32, DataType::kInt64));
    if (ctx.input(k)->shape.rank != 1) {
      return ctx.Error(StatusCode::kInvalidModel, "%s must be 1-D",
                       names[k - 1]);
    }
    constant = constant && ctx.input(k)->is_constant();
  }
  if (!constant) {
    ctx.SetOutputDynamic(0);
    return Status::Ok();
  }
  Shape s;
  EMBER_RETURN_IF_ERROR(
      ComputeStridedSlice(ctx, ctx.op_data<ref::StridedCopyParams>(), &s));
  return ctx.ResizeOutput(0, s);
}

Status StridedSliceEval(OpContext& ctx) {
  auto* p = ctx.op_data<ref::StridedCopyParams>();
  if (ctx.output(0)->allocation == Allocation::kDynamic) {
    Shape s;
    EMBER_RETURN_IF_ERROR(ComputeStridedSlice(ctx, p, &s));
    EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, s));
  }
  const Tensor* in = ctx.input(0);
  ref::StridedCopy(in->data, ctx.output(0)->data, DataTypeSize(in->type), *p);
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_SLICE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::SLICE),
      "SLICE",
      sizeof(ref::StridedCopyParams),
      SlicePrepare,
      SliceEval,
      kOpFlagNone};
  return &reg;
}

const OpRegistration* Register_STRIDED_SLICE() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::STRIDED_SLICE),
      "STRIDED_SLICE",
      sizeof(ref::StridedCopyParams),
      StridedSlicePrepare,
      StridedSliceEval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
