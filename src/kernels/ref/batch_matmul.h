// Reference BATCH_MATMUL: out[..., m, n] = sum_k lhs[..., m, k] * rhs[..., k, n]
// with optional transposition (adjoint) of either operand's last two dims
// and NumPy broadcasting of the leading (batch) dims.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/ref/quant_util.h"
#include "runtime/tensor.h"

namespace ember::ref {

struct BatchMatMulParams {
  int32_t batch_rank = 0;                // number of leading batch dims
  int32_t batch_dims[kMaxRank] = {};     // output batch dims
  int64_t lhs_batch_stride[kMaxRank] = {};  // element strides, 0 = broadcast
  int64_t rhs_batch_stride[kMaxRank] = {};
  int32_t m = 0, n = 0, k = 0;
  bool adj_x = false, adj_y = false;
  // Quantized: operand zero points are subtracted, the int accumulator is
  // rescaled by (lhs_scale * rhs_scale / out_scale) and offset.
  int32_t lhs_zero_point = 0, rhs_zero_point = 0, out_zero_point = 0;
  int32_t multiplier = 0;
  int shift = 0;
  int32_t out_min = 0, out_max = 0;
};

// Calls finish(total, out_index) with the dot-product accumulator (type Acc)
// of every output element. Elements are combined as (lhs - zp) * (rhs - zp).
template <typename T, typename Acc, typename Finish>
inline void BatchMatMulAccumulate(const BatchMatMulParams& p, const T* lhs, const T* rhs,
                                  Finish&& finish) {
  int64_t num_batches = 1;
  for (int d = 0; d < p.batch_rank; ++d) num_batches *= p.batch_dims[d];
  const int64_t lhs_mat = static_cast<int64_t>(p.m) * p.k;
  const int64_t rhs_mat = static_cast<int64_t>(p.k) * p.n;
  int32_t idx[kMaxRank] = {};
  int64_t out_index = 0;
  for (int64_t b = 0; b < num_batches; ++b) {
    int64_t lhs_base = 0, rhs_base = 0;
    for (int d = 0; d < p.batch_rank; ++d) {
      lhs_base += idx[d] * p.lhs_batch_stride[d];
      rhs_base += idx[d] * p.rhs_batch_stride[d];
    }
    const T* a = lhs + lhs_base * lhs_mat;
    const T* w = rhs + rhs_base * rhs_mat;
    for (int32_t i = 0; i < p.m; ++i) {
      for (int32_t j = 0; j < p.n; ++j) {
        Acc total = 0;
        for (int32_t kk = 0; kk < p.k; ++kk) {
          const Acc x = static_cast<Acc>(p.adj_x ? a[static_cast<int64_t>(kk) * p.m + i]
                                                 : a[static_cast<int64_t>(i) * p.k + kk]) -
                        p.lhs_zero_point;
          const Acc y = static_cast<Acc>(p.adj_y ? w[static_cast<int64_t>(j) * p.k + kk]
                                                 : w[static_cast<int64_t>(kk) * p.n + j]) -
                        p.rhs_zero_point;
          total += x * y;
        }
        finish(total, out_index++);
      }
    }
    for (int d = p.batch_rank - 1; d >= 0; --d) {
      if (++idx[d] < p.batch_dims[d]) break;
      idx[d] = 0;
    }
  }
}

inline void BatchMatMulFloat(const BatchMatMulParams& p, const float* lhs, const float* rhs,
                             float* out) {
  BatchMatMulAccumulate<float, float>(p, lhs, rhs,
                                      [&](float total, int64_t o) { out[o] = total; });
}

// int8 x int8 -> int8 (32-bit accumulator, Q31 requantization).
inline void BatchMatMulInt8(const BatchMatMulParams& p, const int8_t* lhs, const int8_t* rhs,
                            int8_t* out) {
  BatchMatMulAccumulate<int8_t, int32_t>(p, lhs, rhs, [&](int32_t total, int64_t o) {
    int32_t v = MultiplyByQuantizedMultiplier(total, p.multiplier, p.shift) + p.out_zero_point;
    out[o] = static_cast<int8_t>(std::min(std::max(v, p.out_min), p.out_max));
  });
}

// int8 x int8 -> int32: the raw accumulator.
inline void BatchMatMulInt8ToInt32(const BatchMatMulParams& p, const int8_t* lhs,
                                   const int8_t* rhs, int32_t* out) {
  BatchMatMulAccumulate<int8_t, int32_t>(p, lhs, rhs,
                                         [&](int32_t total, int64_t o) { out[o] = total; });
}

// int16 x int16 -> int16 (64-bit accumulator; the 64-bit requantization
// rounds the multiplier to 16 bits first, as LiteRT's reference does).
inline void BatchMatMulInt16(const BatchMatMulParams& p, const int16_t* lhs, const int16_t* rhs,
                             int16_t* out) {
  BatchMatMulAccumulate<int16_t, int64_t>(p, lhs, rhs, [&](int64_t total, int64_t o) {
    int32_t v = MultiplyByQuantizedMultiplier(total, p.multiplier, p.shift) + p.out_zero_point;
    out[o] = static_cast<int16_t>(std::min(std::max(v, p.out_min), p.out_max));
  });
}

}  // namespace ember::ref
