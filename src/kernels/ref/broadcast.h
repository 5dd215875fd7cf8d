// Index arithmetic for NumPy-style broadcasting over up to kMaxRank dims.
#pragma once

#include <cstdint>

#include "base/shape.h"

namespace ember::ref {

// Strides of `in` when viewed in the broadcast output shape `out`
// (0 where `in` has size 1 or is missing).
inline void BroadcastStrides(const Shape& in, const Shape& out,
                             int64_t strides[kMaxRank]) {
  int64_t stride = 1;
  for (int i = out.rank - 1; i >= 0; --i) {
    const int ii = in.rank - out.rank + i;
    const int32_t d = ii >= 0 ? in.dims[ii] : 1;
    strides[i] = (d == 1) ? 0 : stride;
    // Unsigned: an output with a 0 dimension has no elements, yet its other
    // dimensions may be huge (a hostile model's), and their product would
    // overflow int64. The strides are only used when every dimension is at
    // least 1, where they are bounded by the output's element count.
    stride = static_cast<int64_t>(static_cast<uint64_t>(stride) *
                                  static_cast<uint64_t>(d));
  }
}

// Calls f(out_index, a_index, b_index) for every output element.
template <typename F>
inline void ForEachBroadcast(const Shape& a, const Shape& b, const Shape& out,
                             F&& f) {
  int64_t sa[kMaxRank], sb[kMaxRank];
  BroadcastStrides(a, out, sa);
  BroadcastStrides(b, out, sb);
  const int64_t total = out.NumElements();
  int32_t idx[kMaxRank] = {};
  int64_t ia = 0, ib = 0;
  for (int64_t o = 0; o < total; ++o) {
    f(o, ia, ib);
    for (int d = out.rank - 1; d >= 0; --d) {
      ++idx[d];
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < out.dims[d]) break;
      ia -= sa[d] * idx[d];
      ib -= sb[d] * idx[d];
      idx[d] = 0;
    }
  }
}

}  // namespace ember::ref
