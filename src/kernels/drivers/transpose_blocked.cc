#include "kernels/drivers/transpose_blocked.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace ember::x86 {
namespace {

constexpr int64_t kTile = 16;

// Output-order dims with their input strides, simplified.
struct Plan {
  int rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t src[kMaxRank] = {};
  int64_t dst[kMaxRank] = {};  // row-major output strides
};

Plan Simplify(const ref::StridedCopyParams& p) {
  Plan q;
  for (int d = 0; d < p.rank; ++d) {
    if (p.dims[d] == 1) continue;
    if (q.rank > 0 && q.src[q.rank - 1] == p.src_strides[d] * p.dims[d]) {
      q.dims[q.rank - 1] *= p.dims[d];  // still adjacent in the input: merge
      q.src[q.rank - 1] = p.src_strides[d];
      continue;
    }
    q.dims[q.rank] = p.dims[d];
    q.src[q.rank] = p.src_strides[d];
    ++q.rank;
  }
  int64_t s = 1;
  for (int d = q.rank - 1; d >= 0; --d) {
    q.dst[d] = s;
    s *= q.dims[d];
  }
  return q;
}

// Calls f(src_offset, dst_offset) for every index of the dims in `outer`.
template <typename F>
void ForEachOuter(const Plan& q, const bool* outer, F&& f) {
  int64_t idx[kMaxRank] = {};
  int64_t s = 0, o = 0;
  for (;;) {
    f(s, o);
    int d = q.rank - 1;
    for (; d >= 0; --d) {
      if (!outer[d]) continue;
      ++idx[d];
      s += q.src[d];
      o += q.dst[d];
      if (idx[d] < q.dims[d]) break;
      s -= q.src[d] * idx[d];
      o -= q.dst[d] * idx[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

template <typename T>
void Tiled(const T* src, T* dst, const Plan& q, int j) {
  // j: the dim that is contiguous in the input; last: the output's
  // innermost dim (strided in the input).
  const int last = q.rank - 1;
  bool outer[kMaxRank] = {};
  for (int d = 0; d < q.rank; ++d) outer[d] = d != j && d != last;
  const int64_t nj = q.dims[j], ni = q.dims[last];
  const int64_t src_i = q.src[last], dst_j = q.dst[j];
  ForEachOuter(q, outer, [&](int64_t s, int64_t o) {
    for (int64_t j0 = 0; j0 < nj; j0 += kTile) {
      const int64_t j1 = std::min(nj, j0 + kTile);
      for (int64_t i0 = 0; i0 < ni; i0 += kTile) {
        const int64_t i1 = std::min(ni, i0 + kTile);
        for (int64_t jj = j0; jj < j1; ++jj) {
          T* out = dst + o + jj * dst_j;
          const T* in = src + s + jj;
          for (int64_t ii = i0; ii < i1; ++ii) out[ii] = in[ii * src_i];
        }
      }
    }
  });
}

template <typename T>
void Run(const void* src_v, void* dst_v, const Plan& q) {
  const T* src = static_cast<const T*>(src_v);
  T* dst = static_cast<T*>(dst_v);
  const int last = q.rank - 1;
  if (q.src[last] == 1) {  // contiguous runs
    bool outer[kMaxRank] = {};
    for (int d = 0; d < last; ++d) outer[d] = true;
    const size_t run = static_cast<size_t>(q.dims[last]) * sizeof(T);
    ForEachOuter(q, outer, [&](int64_t s, int64_t o) {
      std::memcpy(dst + o, src + s, run);
    });
    return;
  }
  int j = 0;
  for (int d = 0; d < q.rank; ++d)
    if (q.src[d] == 1) j = d;
  Tiled(src, dst, q, j);
}

}  // namespace

bool TransposeBlocked(const void* src, void* dst, size_t elem_size,
                      const ref::StridedCopyParams& p) {
  if (p.src_offset != 0 || p.dst_offset != 0) return false;
  for (int d = 0; d < p.rank; ++d)
    if (p.dims[d] == 0) return true;  // empty: nothing to copy
  const Plan q = Simplify(p);
  if (q.rank == 0) {
    std::memcpy(dst, src, elem_size);
    return true;
  }
  // Some dim must be contiguous in the input (its innermost non-1 dim).
  bool has_unit = false;
  for (int d = 0; d < q.rank; ++d) has_unit |= q.src[d] == 1;
  if (!has_unit) return false;
  switch (elem_size) {
    case 1:
      Run<uint8_t>(src, dst, q);
      return true;
    case 2:
      Run<uint16_t>(src, dst, q);
      return true;
    case 4:
      Run<uint32_t>(src, dst, q);
      return true;
    case 8:
      Run<uint64_t>(src, dst, q);
      return true;
    default:
      return false;
  }
}

}  // namespace ember::x86
