// DENSIFY: turns a sparse constant (Tensor::sparsity) into a dense tensor.
// The verifier does not size-check sparse buffers, so Prepare validates the
// whole sparse structure here: a hostile file must not cause out-of-bounds
// reads or writes in Eval.
#include "kernels/ref/densify.h"

#include "ops/shape_util.h"

namespace ember::ops {
namespace {

using ref::DensifyLevel;
using ref::DensifyParams;
using ref::SparseIndexType;

// Extracts the data pointer, element type and length of one index vector.
Status ReadIndexVector(OpContext& ctx, fb::SparseIndexVector type,
                       const void* table, const char* what, int level,
                       const void** data, SparseIndexType* out_type,
                       int64_t* count) {
  const void* values = nullptr;
  int64_t n = 0;
  switch (type) {
    case fb::SparseIndexVector::Int32Vector: {
      const auto* v = static_cast<const fb::Int32Vector*>(table)->values();
      if (v) {
        values = v->data();
        n = v->size();
      }
      *out_type = SparseIndexType::kInt32;
      break;
    }
    case fb::SparseIndexVector::Uint16Vector: {
      const auto* v = static_cast<const fb::Uint16Vector*>(table)->values();
      if (v) {
        values = v->data();
        n = v->size();
      }
      *out_type = SparseIndexType::kUInt16;
      break;
    }
    case fb::SparseIndexVector::Uint8Vector: {
      const auto* v = static_cast<const fb::Uint8Vector*>(table)->values();
      if (v) {
        values = v->data();
        n = v->size();
      }
      *out_type = SparseIndexType::kUInt8;
      break;
    }
    default:
      return ctx.Error(StatusCode::kInvalidModel,
                       "sparse level %d: %s has no or an unknown vector type",
                       level, what);
  }
  if (table == nullptr || values == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "sparse level %d: %s is missing", level, what);
  }
  *data = values;
  *count = n;
  return Status::Ok();
}

Status BuildParams(OpContext& ctx, const Tensor* in, DensifyParams* p) {
  const auto* sp = static_cast<const fb::SparsityParameters*>(in->sparsity);
  const int rank = in->shape.rank;
  const auto* order = sp->traversal_order();
  const auto* block_map = sp->block_map();
  const auto* meta = sp->dim_metadata();
  if (order == nullptr || meta == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "sparsity lacks traversal_order or dim_metadata");
  }
  const int n = static_cast<int>(order->size());
  const int num_blocks = block_map ? static_cast<int>(block_map->size()) : 0;
  if (rank < 1 || n != rank + num_blocks || num_blocks > rank ||
      static_cast<int>(meta->size()) != n) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "sparsity sizes are inconsistent: rank %d, traversal "
                     "order %d, block map %d, dim metadata %u",
                     rank, n, num_blocks, meta->size());
  }
  p->rank = rank;
  p->num_levels = n;
  for (int d = 0; d < rank; ++d) {
    p->dense_dims[d] = in->shape.dims[d];
    p->block_size[d] = 1;
  }
  // Original dims come first (any order), then the block dims in order.
  bool seen[ref::kMaxSparseLevels] = {};
  for (int i = 0; i < n; ++i) {
    const int32_t e = order->Get(i);
    const bool ok = i < rank ? (e >= 0 && e < rank) : (e == i);
    if (!ok || seen[e]) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "traversal_order entry %d (%d) is invalid", i, e);
    }
    seen[e] = true;
  }
  bool blocked[kMaxRank] = {};
  for (int b = 0; b < num_blocks; ++b) {
    const int32_t d = block_map->Get(b);
    if (d < 0 || d >= rank || blocked[d]) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "block_map entry %d (%d) is invalid", b, d);
    }
    blocked[d] = true;
    const auto* m = meta->Get(rank + b);
    if (m == nullptr || m->format() != fb::DimensionType::DENSE ||
        m->dense_size() <= 0 || p->dense_dims[d] % m->dense_size() != 0) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "block dim %d must be dense with a size dividing dim "
                       "%d (%d)",
                       b, d, p->dense_dims[d]);
    }
    p->block_size[d] = m->dense_size();
  }
  int64_t parents = 1;  // nodes in the level above
  for (int i = 0; i < n; ++i) {
    const auto* m = meta->Get(i);
    if (m == nullptr) {
      return ctx.Error(StatusCode::kInvalidModel, "dim_metadata %d missing", i);
    }
    DensifyLevel& l = p->level[i];
    const int32_t e = order->Get(i);
    l.is_block = e >= rank;
    l.orig_dim = l.is_block ? block_map->Get(e - rank) : e;
    l.size = l.is_block ? p->block_size[l.orig_dim]
                        : p->dense_dims[e] / p->block_size[e];
    if (m->format() == fb::DimensionType::DENSE) {
      if (m->dense_size() != l.size) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "sparse level %d: dense_size %d, expected %d", i,
                         m->dense_size(), l.size);
      }
      l.sparse = false;
      parents *= l.size;
    } else if (m->format() == fb::DimensionType::SPARSE_CSR) {
      l.sparse = true;
      int64_t num_segments = 0, num_indices = 0;
      EMBER_RETURN_IF_ERROR(ReadIndexVector(
          ctx, m->array_segments_type(), m->array_segments(), "array_segments",
          i, &l.segments, &l.segments_type, &num_segments));
      EMBER_RETURN_IF_ERROR(ReadIndexVector(
          ctx, m->array_indices_type(), m->array_indices(), "array_indices", i,
          &l.indices, &l.indices_type, &num_indices));
      if (num_segments != parents + 1) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "sparse level %d: %lld segments for %lld parents", i,
                         static_cast<long long>(num_segments),
                         static_cast<long long>(parents));
      }
      int64_t prev = ref::SparseIndexAt(l.segments, l.segments_type, 0);
      if (prev != 0) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "sparse level %d: segments must start at 0", i);
      }
      for (int64_t k = 1; k < num_segments; ++k) {
        const int64_t s = ref::SparseIndexAt(l.segments, l.segments_type, k);
        if (s < prev) {
          return ctx.Error(StatusCode::kInvalidModel,
                           "sparse level %d: segments decrease at %lld", i,
                           static_cast<long long>(k));
        }
        prev = s;
      }
      if (prev != num_indices) {
        return ctx.Error(StatusCode::kInvalidModel,
                         "sparse level %d: segments end at %lld but there are "
                         "%lld indices",
                         i, static_cast<long long>(prev),
                         static_cast<long long>(num_indices));
      }
      for (int64_t k = 0; k < num_indices; ++k) {
        const int64_t idx = ref::SparseIndexAt(l.indices, l.indices_type, k);
        if (idx < 0 || idx >= l.size) {
          return ctx.Error(StatusCode::kInvalidModel,
                           "sparse level %d: index %lld at %lld is outside "
                           "[0, %d)",
                           i, static_cast<long long>(idx),
                           static_cast<long long>(k), l.size);
        }
      }
      parents = num_indices;
    } else {
      return ctx.Error(StatusCode::kInvalidModel,
                       "sparse level %d: unknown format %d", i,
                       static_cast<int>(m->format()));
    }
    if (parents > kMaxShapeElements) {
      return ctx.Error(StatusCode::kInvalidModel, "sparse tensor is too large");
    }
  }
  const size_t es = DataTypeSize(in->type);
  if (in->bytes != static_cast<size_t>(parents) * es) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "sparse tensor stores %zu bytes but its structure has "
                     "%lld values of %zu bytes",
                     in->bytes, static_cast<long long>(parents), es);
  }
  return Status::Ok();
}

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  size_t es;
  EMBER_RETURN_IF_ERROR(CopyElementSize(ctx, in, "input", &es));
  EMBER_RETURN_IF_ERROR(CheckSameType(ctx, in, out));
  if (!in->is_constant() || in->sparsity == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "input '%s' must be a sparse constant", in->name);
  }
  EMBER_RETURN_IF_ERROR(BuildParams(ctx, in, ctx.op_data<DensifyParams>()));
  return ctx.ResizeOutput(0, in->shape);
}

Status Eval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  ref::Densify(*ctx.op_data<DensifyParams>(), in->data, out->data,
               DataTypeSize(in->type));
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_DENSIFY() {
  static const OpRegistration reg = {
      static_cast<int32_t>(fb::BuiltinOperator::DENSIFY),
      "DENSIFY",
      sizeof(DensifyParams),
      Prepare,
      Eval,
      kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
