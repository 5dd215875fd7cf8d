// A faster walk for broadcasting binary ops than ref::BroadcastBinary's
// general case (which computes every element's operand indices): the output
// is viewed as rows of its last dimension, each operand steps along a row
// by 1 or (broadcast) 0, and only the row starts are computed from the
// index. Every element is still f(a[ia], b[ib]) with the same indices, so
// the results are identical to the reference's; the inner loops are plain
// enough for the compiler to vectorize. Used for LayerNorm-style operands
// such as [1, T, 1] x [1, 1, C] or [1, T, 1] x [1, T, C].
#pragma once

#include <cstdint>

#include "base/shape.h"

namespace ember::ops {

// Calls row(r, offset_a, offset_b, step_a, step_b) for every row r of the
// output viewed as [outer, inner = last dim]: the operands' element offsets
// at the row's start and whether each steps along the row (else it is
// broadcast: one value for the whole row). Returns inner (0: empty output).
template <typename Row>
int64_t ForEachBroadcastRow(const Shape& sa, const Shape& sb, const Shape& so,
                            Row&& row) {
  const int rank = so.rank;
  const int64_t n = so.NumElements();
  if (n == 0) return 0;
  if (rank == 0) {
    row(int64_t{0}, int64_t{0}, int64_t{0}, false, false);
    return 1;
  }
  // Element strides of each operand along every output dim (0: broadcast).
  int64_t stride_a[kMaxRank] = {}, stride_b[kMaxRank] = {};
  int64_t acc_a = 1, acc_b = 1;
  for (int d = rank - 1; d >= 0; --d) {
    const int ia = d - (rank - sa.rank), ib = d - (rank - sb.rank);
    const int64_t da = ia >= 0 ? sa.dims[ia] : 1;
    const int64_t db = ib >= 0 ? sb.dims[ib] : 1;
    stride_a[d] = da == 1 ? 0 : acc_a;
    stride_b[d] = db == 1 ? 0 : acc_b;
    acc_a *= da;
    acc_b *= db;
  }
  const int64_t inner = so.dims[rank - 1];
  const int64_t outer = n / inner;
  const bool step_a = stride_a[rank - 1] != 0, step_b = stride_b[rank - 1] != 0;
  int32_t idx[kMaxRank] = {};
  int64_t oa = 0, ob = 0;
  for (int64_t r = 0; r < outer; ++r) {
    row(r, oa, ob, step_a, step_b);
    // Next row: advance the index over the leading dims.
    for (int d = rank - 2; d >= 0; --d) {
      oa += stride_a[d];
      ob += stride_b[d];
      if (++idx[d] < so.dims[d]) break;
      oa -= stride_a[d] * so.dims[d];
      ob -= stride_b[d] * so.dims[d];
      idx[d] = 0;
    }
  }
  return inner;
}

template <typename A, typename B, typename O, typename F>
void BroadcastRows(const Shape& sa, const A* a, const Shape& sb, const B* b,
                   const Shape& so, O* out, F&& f) {
  const int64_t inner = so.rank > 0 ? so.dims[so.rank - 1] : 1;
  ForEachBroadcastRow(
      sa, sb, so,
      [&](int64_t r, int64_t oa, int64_t ob, bool step_a, bool step_b) {
        const A* pa = a + oa;
        const B* pb = b + ob;
        O* po = out + r * inner;
        if (step_a && step_b) {
          for (int64_t i = 0; i < inner; ++i) po[i] = f(pa[i], pb[i]);
        } else if (step_a) {
          const B y = pb[0];
          for (int64_t i = 0; i < inner; ++i) po[i] = f(pa[i], y);
        } else if (step_b) {
          const A x = pa[0];
          for (int64_t i = 0; i < inner; ++i) po[i] = f(x, pb[i]);
        } else {
          const O v = f(pa[0], pb[0]);
          for (int64_t i = 0; i < inner; ++i) po[i] = v;
        }
      });
}

}  // namespace ember::ops
