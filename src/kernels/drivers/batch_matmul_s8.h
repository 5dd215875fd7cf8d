// int8 BATCH_MATMUL with both operands at run time (attention's Q*K^T and
// P*V), bit-exact with ref::BatchMatMulInt8 / BatchMatMulInt8ToInt32.
// Every distinct lhs and rhs matrix is first widened to int16 with its zero
// point subtracted, lhs as rows of k and rhs transposed to rows of k (both
// zero-padded to kS8MatMulKStep), so each output element is one contiguous
// int16 dot product that the compiler turns into multiply-add vector code
// (pmaddwd / smlal) on every target; the int32 accumulators equal the
// reference's. Packing is split over matrices, the products over
// (batch, row) pairs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/thread_pool.h"
#include "kernels/dispatch/registry.h"
#include "kernels/ref/batch_matmul.h"

namespace ember::x86 {

constexpr int32_t kS8MatMulKStep = 16;

inline int32_t S8MatMulPaddedK(int32_t k) {
  return (k + kS8MatMulKStep - 1) / kS8MatMulKStep * kS8MatMulKStep;
}

// Distinct lhs / rhs matrices of a problem (the operands' own batch counts,
// before broadcasting).
struct S8MatMulShape {
  int64_t lhs_matrices = 1;
  int64_t rhs_matrices = 1;
};

// Bytes of scratch RunS8BatchMatMul needs.
inline size_t S8BatchMatMulScratchBytes(const ref::BatchMatMulParams& p,
                                        const S8MatMulShape& s) {
  const size_t kp = static_cast<size_t>(S8MatMulPaddedK(p.k));
  return sizeof(int16_t) * kp *
         (static_cast<size_t>(s.lhs_matrices) * static_cast<size_t>(p.m) +
          static_cast<size_t>(s.rhs_matrices) * static_cast<size_t>(p.n));
}

// out[j] = sum over t < kp of a[t] * w[j * kp + t] for j < n, in wrapping
// int32 arithmetic (kp a multiple of kS8MatMulKStep; a and w rows 32-byte
// aligned is not required).
using S8DotRowsFn = void (*)(const int16_t* a, const int16_t* w, int32_t n,
                             int32_t kp, int32_t* out);

// out[j] = clamp(MultiplyByQuantizedMultiplier(acc[j], mult, shift) + zp,
// lo, hi) for j < n, exactly as the reference.
struct S8Requant {
  int32_t mult = 0;
  int shift = 0;
  int32_t zp = 0, lo = -128, hi = 127;
};
using S8RequantRowFn = void (*)(const int32_t* acc, int32_t n,
                                const S8Requant& q, int8_t* out);

// One entry of the list (batch_matmul_s8_kernels.def).
struct S8MatMulKernel {
  kernels::Isa isa = kernels::Isa::kPortable;
  const char* function = nullptr;
  const char* label = nullptr;  // kernel_variant
  S8DotRowsFn fn = nullptr;
  S8RequantRowFn requant = nullptr;
};

// Every entry built for this architecture, best first (the last is
// portable, so one is always there unless reference kernels are forced).
std::span<const S8MatMulKernel> S8MatMulKernels();

inline const S8MatMulKernel* SelectS8MatMul(kernels::IsaSet allowed) {
  return kernels::FirstAllowed(S8MatMulKernels(), allowed);
}

// int8 output (requantized with p's multiplier) when out8 != nullptr, else
// the raw int32 accumulators into out32.
void RunS8BatchMatMul(ThreadPool* pool, const S8MatMulKernel& kernel,
                      const ref::BatchMatMulParams& p, const S8MatMulShape& s,
                      const int8_t* lhs, const int8_t* rhs, int16_t* scratch,
                      int8_t* out8, int32_t* out32);

}  // namespace ember::x86
