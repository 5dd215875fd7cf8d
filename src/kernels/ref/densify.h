// DENSIFY: expands a sparse constant (TFLite sparsity format: a traversal
// order over the original dims followed by block dims, each level DENSE or
// SPARSE_CSR) into a dense row-major tensor. The params must have been
// validated (see ops/densify.cc): every index and segment is in range and
// the number of leaves equals the number of stored values.
#pragma once

#include <cstdint>
#include <cstring>

#include "base/shape.h"

namespace ember::ref {

constexpr int kMaxSparseLevels = 2 * kMaxRank;

// Element type of a segments / indices array.
enum class SparseIndexType : int8_t { kInt32, kUInt16, kUInt8 };

inline int64_t SparseIndexAt(const void* data, SparseIndexType type,
                             int64_t i) {
  switch (type) {
    case SparseIndexType::kInt32:
      return static_cast<const int32_t*>(data)[i];
    case SparseIndexType::kUInt16:
      return static_cast<const uint16_t*>(data)[i];
    case SparseIndexType::kUInt8:
      return static_cast<const uint8_t*>(data)[i];
  }
  return 0;
}

struct DensifyLevel {
  bool sparse = false;
  int32_t size = 0;       // extent of this level's expanded dim
  int32_t orig_dim = 0;   // original dim this level indexes
  bool is_block = false;  // inner (block) index rather than block number
  const void* segments = nullptr;
  const void* indices = nullptr;
  SparseIndexType segments_type = SparseIndexType::kInt32;
  SparseIndexType indices_type = SparseIndexType::kInt32;
};

struct DensifyParams {
  int32_t rank = 0;  // original (dense) rank
  int32_t dense_dims[kMaxRank] = {};
  int32_t block_size[kMaxRank] = {};  // per original dim; 1 if unblocked
  int32_t num_levels = 0;
  DensifyLevel level[kMaxSparseLevels];
};

namespace densify_detail {

struct Walk {
  const DensifyParams* p;
  const uint8_t* src;
  uint8_t* dst;
  size_t elem_size;
  int64_t next_value;       // next stored value to place
  int32_t outer[kMaxRank];  // block number per original dim
  int32_t inner[kMaxRank];  // index inside the block
};

inline void Place(Walk& w) {
  const DensifyParams& p = *w.p;
  int64_t flat = 0;
  for (int d = 0; d < p.rank; ++d) {
    const int64_t idx =
        static_cast<int64_t>(w.outer[d]) * p.block_size[d] + w.inner[d];
    flat = flat * p.dense_dims[d] + idx;
  }
  memcpy(w.dst + flat * w.elem_size, w.src + w.next_value * w.elem_size,
         w.elem_size);
  ++w.next_value;
}

inline void SetIndex(Walk& w, const DensifyLevel& l, int32_t value) {
  if (l.is_block) {
    w.inner[l.orig_dim] = value;
  } else {
    w.outer[l.orig_dim] = value;
  }
}

// `parent` is the position of the enclosing node within its level.
inline void Visit(Walk& w, int level, int64_t parent) {
  const DensifyParams& p = *w.p;
  if (level == p.num_levels) {
    Place(w);
    return;
  }
  const DensifyLevel& l = p.level[level];
  if (!l.sparse) {
    for (int32_t i = 0; i < l.size; ++i) {
      SetIndex(w, l, i);
      Visit(w, level + 1, parent * l.size + i);
    }
    return;
  }
  const int64_t begin = SparseIndexAt(l.segments, l.segments_type, parent);
  const int64_t end = SparseIndexAt(l.segments, l.segments_type, parent + 1);
  for (int64_t k = begin; k < end; ++k) {
    SetIndex(w, l,
             static_cast<int32_t>(SparseIndexAt(l.indices, l.indices_type, k)));
    Visit(w, level + 1, k);
  }
}

}  // namespace densify_detail

// dst must hold the dense tensor (product of dense_dims elements).
inline void Densify(const DensifyParams& p, const void* src, void* dst,
                    size_t elem_size) {
  int64_t total = 1;
  for (int d = 0; d < p.rank; ++d) total *= p.dense_dims[d];
  memset(dst, 0, static_cast<size_t>(total) * elem_size);
  densify_detail::Walk w{&p,
                         static_cast<const uint8_t*>(src),
                         static_cast<uint8_t*>(dst),
                         elem_size,
                         0,
                         {},
                         {}};
  densify_detail::Visit(w, 0, 0);
}

}  // namespace ember::ref
