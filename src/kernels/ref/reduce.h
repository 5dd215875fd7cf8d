// Reference reductions (MEAN, SUM, PROD, MAX, MIN, ANY, ALL) over any set of
// axes. The input is walked in row-major order, which fixes the order of
// float accumulation and of the per-step rescaling of the quantized product.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "base/shape.h"
#include "kernels/ref/quant_util.h"

namespace ember::ref {

// Which input dims are reduced, and where each input element lands.
struct ReduceGeometry {
  int32_t rank = 0;
  int32_t dims[kMaxRank] = {};
  bool reduced[kMaxRank] = {};
  int64_t out_stride[kMaxRank] = {};  // 0 along reduced dims
  int64_t num_outputs = 1;
  int64_t num_reduced = 1;  // elements folded into each output
  int64_t num_inputs = 1;
};

// `reduced` must already be resolved (no negative or duplicate axes).
inline void MakeReduceGeometry(const Shape& in, const bool* reduced,
                               ReduceGeometry* g) {
  g->rank = in.rank;
  g->num_outputs = 1;
  g->num_reduced = 1;
  g->num_inputs = 1;
  for (int d = 0; d < in.rank; ++d) {
    g->dims[d] = in.dims[d];
    g->reduced[d] = reduced[d];
    g->num_inputs *= in.dims[d];
    if (reduced[d]) g->num_reduced *= in.dims[d];
  }
  int64_t stride = 1;
  for (int d = in.rank - 1; d >= 0; --d) {
    g->out_stride[d] = reduced[d] ? 0 : stride;
    if (!reduced[d]) stride *= in.dims[d];
  }
  g->num_outputs = stride;
}

// Calls f(in_index, out_index, first) for each input element in row-major
// order; `first` is true for the first element folded into that output.
template <typename F>
inline void ForEachReduce(const ReduceGeometry& g, F&& f) {
  if (g.num_inputs == 0) return;
  int32_t idx[kMaxRank] = {};
  int64_t o = 0;
  int nonzero_reduced = 0;  // reduced dims whose index is not 0
  for (int64_t i = 0; i < g.num_inputs; ++i) {
    f(i, o, nonzero_reduced == 0);
    for (int d = g.rank - 1; d >= 0; --d) {
      ++idx[d];
      o += g.out_stride[d];
      if (g.reduced[d] && idx[d] == 1) ++nonzero_reduced;
      if (idx[d] < g.dims[d]) break;
      o -= g.out_stride[d] * idx[d];
      if (g.reduced[d]) --nonzero_reduced;
      idx[d] = 0;
    }
  }
}

// Folds with `op` starting from `init` (SUM/MAX/MIN/PROD/ANY/ALL on plain
// values; quantized MAX/MIN share scale and zero point so work on raw data).
template <typename T, typename Op>
inline void ReduceGeneric(const ReduceGeometry& g, const T* in, T* out, T init,
                          Op op) {
  for (int64_t o = 0; o < g.num_outputs; ++o) out[o] = init;
  ForEachReduce(
      g, [&](int64_t i, int64_t o, bool) { out[o] = op(out[o], in[i]); });
}

// Float / integer mean: sum in the accumulator type, then divide (integer
// division truncates toward zero). `acc` has num_outputs entries.
template <typename T, typename Acc>
inline void MeanPlain(const ReduceGeometry& g, const T* in, T* out, Acc* acc) {
  for (int64_t o = 0; o < g.num_outputs; ++o) acc[o] = Acc(0);
  ForEachReduce(g, [&](int64_t i, int64_t o, bool) {
    acc[o] += static_cast<Acc>(in[i]);
  });
  for (int64_t o = 0; o < g.num_outputs; ++o) {
    out[o] = g.num_reduced > 0
                 ? static_cast<T>(acc[o] / static_cast<Acc>(g.num_reduced))
                 : T(0);
  }
}

// Quantized mean or sum: integer sum of raw values, remove the input zero
// point, rescale by in_scale/out_scale (for the mean, the 1/count factor is
// folded into the multiplier first), add the output zero point, saturate.
template <typename T>
inline void QuantizedMeanOrSum(const ReduceGeometry& g, const T* in, T* out,
                               int32_t* acc, int32_t in_zp, int32_t out_zp,
                               int32_t multiplier, int shift, bool mean) {
  for (int64_t o = 0; o < g.num_outputs; ++o) {
    acc[o] = 0;
    out[o] = T(0);
  }
  if (g.num_inputs == 0 || g.num_reduced == 0) return;
  ForEachReduce(g, [&](int64_t i, int64_t o, bool) {
    acc[o] = static_cast<int32_t>(
        static_cast<uint32_t>(acc[o]) +
        static_cast<uint32_t>(static_cast<int32_t>(in[i])));
  });
  const int64_t n = g.num_reduced;
  if (mean) {
    int log2n = 0;
    while ((static_cast<uint64_t>(n) >> (log2n + 1)) != 0) ++log2n;
    int extra = std::min(log2n, 32);
    extra = std::min(extra, 31 + shift);
    multiplier =
        static_cast<int32_t>((static_cast<int64_t>(multiplier) << extra) / n);
    shift -= extra;
  }
  const int32_t lo = std::numeric_limits<T>::min();
  const int32_t hi = std::numeric_limits<T>::max();
  for (int64_t o = 0; o < g.num_outputs; ++o) {
    const int32_t centered =
        static_cast<int32_t>(acc[o] - static_cast<int64_t>(in_zp) * n);
    int32_t v =
        MultiplyByQuantizedMultiplier(centered, multiplier, shift) + out_zp;
    out[o] = static_cast<T>(std::min(std::max(v, lo), hi));
  }
}

// Quantized product: each multiplication step is rescaled by
// in_scale / out_scale^(1/count) (multiplier/shift) so that the running
// product stays in range; the final value is rescaled once more.
template <typename T>
inline void QuantizedProd(const ReduceGeometry& g, const T* in, T* out,
                          int32_t* acc, int32_t in_zp, int32_t out_zp,
                          int32_t multiplier, int shift) {
  if (g.num_inputs == 0) return;
  ForEachReduce(g, [&](int64_t i, int64_t o, bool first) {
    const int32_t x = static_cast<int32_t>(in[i]) - in_zp;
    if (first) {
      acc[o] = x;
    } else {
      acc[o] = MultiplyByQuantizedMultiplier(static_cast<int64_t>(acc[o]) * x,
                                             multiplier, shift);
    }
  });
  const int32_t lo = std::numeric_limits<T>::min();
  const int32_t hi = std::numeric_limits<T>::max();
  for (int64_t o = 0; o < g.num_outputs; ++o) {
    int32_t v = MultiplyByQuantizedMultiplier(static_cast<int64_t>(acc[o]),
                                              multiplier, shift) +
                out_zp;
    out[o] = static_cast<T>(std::min(std::max(v, lo), hi));
  }
}

}  // namespace ember::ref
