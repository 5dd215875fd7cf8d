// Reference BATCH_MATMUL: out[..., m, n] = sum_k lhs[..., m, k] * rhs[..., k,
// n] with optional transposition (adjoint) of either operand's last two dims
// and NumPy broadcasting of the leading (batch) dims.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "base/shape.h"
#include "kernels/ref/conv_common.h"
#include "kernels/ref/quant_util.h"

namespace ember::ref {

struct BatchMatMulParams {
  int32_t batch_rank = 0;                   // number of leading batch dims
  int32_t batch_dims[kMaxRank] = {};        // output batch dims
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
inline void BatchMatMulAccumulate(const BatchMatMulParams& p, const T* lhs,
                                  const T* rhs, Finish&& finish) {
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
          const Acc x = static_cast<Acc>(
                            p.adj_x ? a[static_cast<int64_t>(kk) * p.m + i]
                                    : a[static_cast<int64_t>(i) * p.k + kk]) -
                        p.lhs_zero_point;
          const Acc y = static_cast<Acc>(
                            p.adj_y ? w[static_cast<int64_t>(j) * p.k + kk]
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

inline void BatchMatMulFloat(const BatchMatMulParams& p, const float* lhs,
                             const float* rhs, float* out) {
  BatchMatMulAccumulate<float, float>(
      p, lhs, rhs, [&](float total, int64_t o) { out[o] = total; });
}

// int8 x int8 -> int8 (32-bit accumulator, Q31 requantization).
inline void BatchMatMulInt8(const BatchMatMulParams& p, const int8_t* lhs,
                            const int8_t* rhs, int8_t* out) {
  BatchMatMulAccumulate<int8_t, int32_t>(
      p, lhs, rhs, [&](int32_t total, int64_t o) {
        int32_t v =
            MultiplyByQuantizedMultiplier(total, p.multiplier, p.shift) +
            p.out_zero_point;
        out[o] =
            static_cast<int8_t>(std::min(std::max(v, p.out_min), p.out_max));
      });
}

// int8 x int8 -> int32: the raw accumulator.
inline void BatchMatMulInt8ToInt32(const BatchMatMulParams& p,
                                   const int8_t* lhs, const int8_t* rhs,
                                   int32_t* out) {
  BatchMatMulAccumulate<int8_t, int32_t>(
      p, lhs, rhs, [&](int32_t total, int64_t o) { out[o] = total; });
}

// int16 x int16 -> int16 (64-bit accumulator; the 64-bit requantization
// rounds the multiplier to 16 bits first, as LiteRT's reference does).
inline void BatchMatMulInt16(const BatchMatMulParams& p, const int16_t* lhs,
                             const int16_t* rhs, int16_t* out) {
  BatchMatMulAccumulate<int16_t, int64_t>(
      p, lhs, rhs, [&](int64_t total, int64_t o) {
        int32_t v =
            MultiplyByQuantizedMultiplier(total, p.multiplier, p.shift) +
            p.out_zero_point;
        out[o] =
            static_cast<int16_t>(std::min(std::max(v, p.out_min), p.out_max));
      });
}

// Hybrid (float lhs, int8 rhs -> float): each lhs row of k values is
// quantized to int8 on the fly, symmetric (scale = max|x| / 127) or
// asymmetric (scale = (max - min) / 255 with a nudged zero point), then
// multiplied in integers and scaled back by row_scale * rhs_scale.
inline void QuantizeRowSymmetric(const float* x, int32_t k, int64_t stride,
                                 int8_t* q, float* scale, int32_t* offset) {
  if (k <= 0) {
    *scale = 1.0f;
    *offset = 0;
    return;
  }
  float lo = x[0], hi = x[0];
  for (int32_t i = 1; i < k; ++i) {
    lo = std::min(lo, x[i * stride]);
    hi = std::max(hi, x[i * stride]);
  }
  *offset = 0;
  const float range = std::max(std::fabs(lo), std::fabs(hi));
  if (range == 0.0f) {
    for (int32_t i = 0; i < k; ++i) q[i] = 0;
    *scale = 1.0f;
    return;
  }
  *scale = range / 127.0f;
  const float inv = 127.0f / range;
  for (int32_t i = 0; i < k; ++i) {
    const int32_t v = static_cast<int32_t>(std::round(x[i * stride] * inv));
    q[i] = static_cast<int8_t>(std::min(127, std::max(-127, v)));
  }
}

inline void QuantizeRowAsymmetric(const float* x, int32_t k, int64_t stride,
                                  int8_t* q, float* scale, int32_t* offset) {
  if (k <= 0) {
    *scale = 1.0f;
    *offset = 0;
    return;
  }
  float lo = x[0], hi = x[0];
  for (int32_t i = 1; i < k; ++i) {
    lo = std::min(lo, x[i * stride]);
    hi = std::max(hi, x[i * stride]);
  }
  // LiteRT's arithmetic, shared with the conv family (see
  // ChooseAsymmetricInt8).
  const AsymmetricInt8Params params = ChooseAsymmetricInt8(lo, hi);
  *scale = params.scale;
  *offset = params.zero_point;
  for (int32_t i = 0; i < k; ++i) {
    const int32_t v = params.all_zero
                          ? 0
                          : static_cast<int32_t>(RoundHalfAway(
                                x[i * stride] * params.inverse_scale)) +
                                params.zero_point;
    q[i] = static_cast<int8_t>(std::min(127, std::max(-128, v)));
  }
}

// Scratch: q has lhs_rows * k bytes, row_scale / row_offset lhs_rows entries
// (lhs_rows = number of lhs matrices * m).
inline void BatchMatMulHybrid(const BatchMatMulParams& p, int64_t lhs_matrices,
                              bool asymmetric, const float* lhs,
                              const int8_t* rhs, float rhs_scale, int8_t* q,
                              float* row_scale, int32_t* row_offset,
                              float* out) {
  // Quantize every lhs row (k values; strided when adj_x).
  for (int64_t b = 0; b < lhs_matrices; ++b) {
    const float* a = lhs + b * p.m * p.k;
    for (int32_t i = 0; i < p.m; ++i) {
      const int64_t r = b * p.m + i;
      const float* start = p.adj_x ? a + i : a + static_cast<int64_t>(i) * p.k;
      const int64_t stride = p.adj_x ? p.m : 1;
      if (asymmetric) {
        QuantizeRowAsymmetric(start, p.k, stride, q + r * p.k, &row_scale[r],
                              &row_offset[r]);
      } else {
        QuantizeRowSymmetric(start, p.k, stride, q + r * p.k, &row_scale[r],
                             &row_offset[r]);
      }
    }
  }
  int64_t num_batches = 1;
  for (int d = 0; d < p.batch_rank; ++d) num_batches *= p.batch_dims[d];
  int32_t idx[kMaxRank] = {};
  int64_t o = 0;
  for (int64_t bo = 0; bo < num_batches; ++bo) {
    int64_t lb = 0, rb = 0;
    for (int d = 0; d < p.batch_rank; ++d) {
      lb += idx[d] * p.lhs_batch_stride[d];
      rb += idx[d] * p.rhs_batch_stride[d];
    }
    const int8_t* w = rhs + rb * p.k * p.n;
    for (int32_t i = 0; i < p.m; ++i) {
      const int64_t r = lb * p.m + i;
      const int8_t* x = q + r * p.k;
      const float scale = row_scale[r] * rhs_scale;
      for (int32_t j = 0; j < p.n; ++j) {
        int32_t total = 0, col_sum = 0;
        for (int32_t kk = 0; kk < p.k; ++kk) {
          const int32_t wv = p.adj_y ? w[static_cast<int64_t>(j) * p.k + kk]
                                     : w[static_cast<int64_t>(kk) * p.n + j];
          total += x[kk] * wv;
          col_sum += wv;
        }
        total -= col_sum * row_offset[r];
        out[o++] = scale * static_cast<float>(total);
      }
    }
    for (int d = p.batch_rank - 1; d >= 0; --d) {
      if (++idx[d] < p.batch_dims[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace ember::ref
