#include "kernels/drivers/batch_matmul_s8.h"

#include <algorithm>
#include <type_traits>

#include "base/work_split.h"
#include "kernels/ref/quant_util.h"

namespace ember::x86 {

// Declares every function of the list.
#define EMBER_S8_MATMUL(isa, fn, requant, label) \
  std::remove_pointer_t<S8DotRowsFn> fn;         \
  std::remove_pointer_t<S8RequantRowFn> requant;
#include "kernels/drivers/batch_matmul_s8_kernels.def"
#undef EMBER_S8_MATMUL

std::span<const S8MatMulKernel> S8MatMulKernels() {
  static const S8MatMulKernel kList[] = {
#define EMBER_S8_MATMUL(isa, fn, requant, label) \
  {kernels::Isa::isa, #fn, label, fn, requant},
#include "kernels/drivers/batch_matmul_s8_kernels.def"
#undef EMBER_S8_MATMUL
      {}};
  return kernels::ListWithoutEnd(kList);
}

namespace {

// Widens matrix rows: dst[r][t] = src(r, t) - zp for t < k, 0 up to kp.
// src(r, t) is at src[r * k + t], or src[t * rows + r] when transposed.
void WidenRows(const int8_t* src, bool transposed, int32_t rows, int32_t k,
               int32_t kp, int32_t zp, int16_t* dst) {
  for (int32_t r = 0; r < rows; ++r) {
    int16_t* d = dst + static_cast<int64_t>(r) * kp;
    if (!transposed) {
      const int8_t* s = src + static_cast<int64_t>(r) * k;
      for (int32_t t = 0; t < k; ++t) d[t] = static_cast<int16_t>(s[t] - zp);
    } else {
      for (int32_t t = 0; t < k; ++t)
        d[t] =
            static_cast<int16_t>(src[static_cast<int64_t>(t) * rows + r] - zp);
    }
    for (int32_t t = k; t < kp; ++t) d[t] = 0;
  }
}

// Sum of a[t] * b[t] over kp (a multiple of kS8MatMulKStep) in wrapping
// int32 arithmetic, written so the compiler vectorizes it.
inline int32_t Dot16(const int16_t* __restrict a, const int16_t* __restrict b,
                     int32_t kp) {
  uint32_t acc = 0;
  for (int32_t t = 0; t < kp; ++t)
    acc += static_cast<uint32_t>(static_cast<int32_t>(a[t]) * b[t]);
  return static_cast<int32_t>(acc);
}

}  // namespace

void S8DotRowsPortable(const int16_t* a, const int16_t* w, int32_t n,
                       int32_t kp, int32_t* out) {
  for (int32_t j = 0; j < n; ++j)
    out[j] = Dot16(a, w + static_cast<int64_t>(j) * kp, kp);
}

void S8RequantRowPortable(const int32_t* acc, int32_t n, const S8Requant& q,
                          int8_t* out) {
  for (int32_t j = 0; j < n; ++j) {
    const int32_t v =
        ref::MultiplyByQuantizedMultiplier(acc[j], q.mult, q.shift) + q.zp;
    out[j] = static_cast<int8_t>(std::min(std::max(v, q.lo), q.hi));
  }
}

namespace {

// Sets *lb / *rb to output batch b's lhs / rhs matrix index.
void BatchBases(const ref::BatchMatMulParams& p, int64_t b, int64_t* lb,
                int64_t* rb) {
  *lb = 0;
  *rb = 0;
  for (int i = p.batch_rank - 1; i >= 0; --i) {
    const int64_t idx = b % p.batch_dims[i];
    b /= p.batch_dims[i];
    *lb += idx * p.lhs_batch_stride[i];
    *rb += idx * p.rhs_batch_stride[i];
  }
}

// Splits `total` items of `work_per_item` units over the pool only when
// every task gets the cost model's minimum (base/work_split.h): attention's
// matrices are small, and handing a few microseconds to a worker costs more
// than it saves (vit_tiny_int8 ran 14% slower on 2 threads than on 1).
template <typename F>
void Parallel(ThreadPool* pool, int64_t total, int64_t work_per_item,
              int64_t min_work_per_task, F&& f) {
  const int tasks =
      pool == nullptr ? 1
                      : SplitCount(total * std::max<int64_t>(1, work_per_item),
                                   min_work_per_task, pool->num_threads(),
                                   total, pool->split_small_work());
  if (tasks <= 1) {
    f(int64_t{0}, total);
    return;
  }
  pool->ParallelFor(total, (total + tasks - 1) / tasks, f);
}

}  // namespace

void RunS8BatchMatMul(ThreadPool* pool, const S8MatMulKernel& kernel,
                      const ref::BatchMatMulParams& p, const S8MatMulShape& s,
                      const int8_t* lhs, const int8_t* rhs, int16_t* scratch,
                      int8_t* out8, int32_t* out32) {
  const int32_t kp = S8MatMulPaddedK(p.k);
  const S8DotRowsFn dot = kernel.fn;
  S8Requant q;
  q.mult = p.multiplier;
  q.shift = p.shift;
  q.zp = p.out_zero_point;
  q.lo = p.out_min;
  q.hi = p.out_max;
  int16_t* lhs16 = scratch;
  int16_t* rhs16 = scratch + s.lhs_matrices * p.m * kp;
  const int64_t lhs_mat = static_cast<int64_t>(p.m) * p.k;
  const int64_t rhs_mat = static_cast<int64_t>(p.k) * p.n;
  // Widening is a few operations per element: split by elements touched,
  // with a larger minimum than the products' MACs.
  const int64_t mats = s.lhs_matrices + s.rhs_matrices;
  const int64_t per_mat = std::max<int64_t>(1, std::max(lhs_mat, rhs_mat));
  Parallel(pool, mats, per_mat, 4 * kMinMacsPerTask,
           [&](int64_t i0, int64_t i1) {
             for (int64_t i = i0; i < i1; ++i) {
               if (i < s.lhs_matrices) {
                 WidenRows(lhs + i * lhs_mat, p.adj_x, p.m, p.k, kp,
                           p.lhs_zero_point, lhs16 + i * p.m * kp);
               } else {
                 const int64_t r = i - s.lhs_matrices;
                 // rhs is [k][n]: column j is row j of its transpose.
                 WidenRows(rhs + r * rhs_mat, !p.adj_y, p.n, p.k, kp,
                           p.rhs_zero_point, rhs16 + r * p.n * kp);
               }
             }
           });
  int64_t batches = 1;
  for (int i = 0; i < p.batch_rank; ++i) batches *= p.batch_dims[i];
  const int64_t rows = batches * p.m;
  const int64_t row_cost = static_cast<int64_t>(p.n) * kp;
  Parallel(pool, rows, row_cost, kMinMacsPerTask, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / p.m;
      const int32_t i = static_cast<int32_t>(r % p.m);
      int64_t lb = 0, rb = 0;
      BatchBases(p, b, &lb, &rb);
      const int16_t* a = lhs16 + (lb * p.m + i) * kp;
      const int16_t* w = rhs16 + rb * p.n * kp;
      const int64_t o = r * p.n;
      if (out8 == nullptr) {
        dot(a, w, p.n, kp, out32 + o);
        continue;
      }
      // Accumulators of a chunk of the row, then requantized.
      constexpr int32_t kChunk = 256;
      int32_t acc[kChunk];
      for (int32_t j0 = 0; j0 < p.n; j0 += kChunk) {
        const int32_t cols = std::min(kChunk, p.n - j0);
        dot(a, w + static_cast<int64_t>(j0) * kp, cols, kp, acc);
        kernel.requant(acc, cols, q, out8 + o + j0);
      }
    }
  });
}

}  // namespace ember::x86
