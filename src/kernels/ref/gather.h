// GATHER (along one axis, with leading batch dims) and GATHER_ND. Indices
// are data: every one is bounds-checked, and on the first bad index the
// kernels stop and report it (the op turns that into an error).
#pragma once

#include <cstdint>
#include <cstring>

namespace ember::ref {

struct GatherParams {
  int64_t batches;    // product of the leading batch dims
  int64_t outer;      // product of params dims between batch dims and axis
  int64_t axis_size;  // params.dims[axis]
  int64_t inner;      // product of params dims after axis (elements)
  int64_t coords;     // indices per batch
};

// Returns true, or false with *bad set to the offending index.
template <typename Index>
inline bool Gather(const GatherParams& p, const uint8_t* params,
                   const Index* indices, uint8_t* out, size_t elem_size,
                   int64_t* bad) {
  const size_t slice = static_cast<size_t>(p.inner) * elem_size;
  for (int64_t b = 0; b < p.batches; ++b) {
    for (int64_t o = 0; o < p.outer; ++o) {
      const uint8_t* src = params + (b * p.outer + o) * p.axis_size * slice;
      for (int64_t i = 0; i < p.coords; ++i) {
        const int64_t idx = static_cast<int64_t>(indices[b * p.coords + i]);
        if (idx < 0 || idx >= p.axis_size) {
          *bad = idx;
          return false;
        }
        if (slice > 0) memcpy(out, src + idx * slice, slice);
        out += slice;
      }
    }
  }
  return true;
}

struct GatherNdParams {
  int32_t depth;       // K: index components per row
  int32_t dims[8];     // params dims 0..K-1
  int64_t strides[8];  // params strides (in slices) for those dims
  int64_t rows;        // product of indices dims but the last
  int64_t slice;       // elements per gathered slice
};

template <typename Index>
inline bool GatherNd(const GatherNdParams& p, const uint8_t* params,
                     const Index* indices, uint8_t* out, size_t elem_size,
                     int64_t* bad) {
  const size_t slice = static_cast<size_t>(p.slice) * elem_size;
  for (int64_t r = 0; r < p.rows; ++r) {
    int64_t offset = 0;
    for (int32_t k = 0; k < p.depth; ++k) {
      const int64_t idx = static_cast<int64_t>(indices[r * p.depth + k]);
      if (idx < 0 || idx >= p.dims[k]) {
        *bad = idx;
        return false;
      }
      offset += idx * p.strides[k];
    }
    if (slice > 0) memcpy(out, params + offset * slice, slice);
    out += slice;
  }
  return true;
}

}  // namespace ember::ref
