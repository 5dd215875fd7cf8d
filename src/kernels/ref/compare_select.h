// Reference math for comparisons on quantized data and for SELECT_V2's
// three-way broadcast. Heap-free.
#pragma once

#include <cstdint>

#include "kernels/ref/broadcast.h"
#include "kernels/ref/quant_util.h"

namespace ember::ref {

// Quantized comparison: both inputs are moved to a common fixed-point
// representation (x - zp) * 2^8 * scale (scale as a Q31 multiplier) and the
// resulting integers are compared.
struct QuantCompareParams {
  int32_t in1_offset, in2_offset;  // -zero_point
  int32_t in1_mult, in2_mult;
  int in1_shift, in2_shift;
};

constexpr int kQuantCompareLeftShift = 8;

inline int32_t QuantCompareValue(int32_t x, int32_t offset, int32_t mult,
                                 int shift) {
  return MultiplyByQuantizedMultiplier(
      (x + offset) * (1 << kQuantCompareLeftShift), mult, shift);
}

// Calls f(out_index, a_index, b_index, c_index) over the broadcast of three
// shapes into `out`.
template <typename F>
inline void ForEachBroadcast3(const Shape& a, const Shape& b, const Shape& c,
                              const Shape& out, F&& f) {
  int64_t sa[kMaxRank], sb[kMaxRank], sc[kMaxRank];
  BroadcastStrides(a, out, sa);
  BroadcastStrides(b, out, sb);
  BroadcastStrides(c, out, sc);
  const int64_t total = out.NumElements();
  int32_t idx[kMaxRank] = {};
  int64_t ia = 0, ib = 0, ic = 0;
  for (int64_t o = 0; o < total; ++o) {
    f(o, ia, ib, ic);
    for (int d = out.rank - 1; d >= 0; --d) {
      ++idx[d];
      ia += sa[d];
      ib += sb[d];
      ic += sc[d];
      if (idx[d] < out.dims[d]) break;
      ia -= sa[d] * idx[d];
      ib -= sb[d] * idx[d];
      ic -= sc[d] * idx[d];
      idx[d] = 0;
    }
  }
}

}  // namespace ember::ref
