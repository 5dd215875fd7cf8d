// Block-sparse fp32 GEMM for 1x1 convolutions and fully connected layers
// whose constant weights are mostly zero (pruned models):
//   C[M, N] = clamp(A[M, K] * W[N, K]^T + bias, lo, hi)
// W is kept as compressed rows of 1 x B blocks (B = 4: four consecutive
// input channels of one output channel; B = 1: single weights, for other
// sparsity patterns): for output channel n, blocks row_start[n] ..
// row_start[n+1]-1, block j starting at input channel block_k[j], values
// values[j * B .. j * B + B - 1].
// The kernels take a tile of A rows (pixels), transpose it so that one
// vector holds one input channel of 16 (AVX-512) / 8 (AVX2) pixels,
// multiply-accumulate with broadcast weights over each channel's blocks,
// and transpose the result tile back (NHWC in and out).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "kernels/dispatch/registry.h"

namespace ember {
class ThreadPool;
}

namespace ember::x86 {

struct SpmmF32Matrix {
  int32_t n = 0, k = 0;
  int32_t block = 1;                   // B: 1 or 4
  const int32_t* row_start = nullptr;  // n + 1 entries
  const int32_t* block_k = nullptr;    // first input channel of each block
  const float* values = nullptr;       // block values, B per block
  const float* bias = nullptr;         // n values (zeros when no bias)
};

// How sparse dense weights W[N, K] are, counted in 1x4 blocks along K
// (K % 4 == 0 only; else 0) and in single weights.
struct SparsityStats {
  double zero_blocks_1x4 = 0.0;  // fraction of all-zero 1x4 blocks
  double zero_weights = 0.0;     // fraction of zero weights
};
SparsityStats MeasureSparsity(const float* w, int32_t n, int32_t k);

// The block width worth using for these weights: 4 when at least
// `min_zero_fraction` of the 1x4 blocks are zero, else 1 when at least that
// fraction of single weights are zero (and the zero blocks are not
// structured as 1x4), else 0: stay dense.
int32_t ChooseSparseBlock(const SparsityStats& stats, double min_zero_fraction);

// Bytes of persistent memory PackSpmmF32 needs.
size_t PackedSpmmF32Bytes(const float* w, int32_t n, int32_t k, int32_t block);

// Packs W[N, K] (row n at w + n * k) and optional bias into `mem`
// (PackedSpmmF32Bytes) and returns the matrix pointing into it.
SpmmF32Matrix PackSpmmF32(const float* w, const float* bias, int32_t n,
                          int32_t k, int32_t block, void* mem);

// Computes rows [m_begin, m_end) of C. `scratch` holds
// SpmmScratchFloats(k, n) floats (one worker's share).
using SpmmF32Fn = void (*)(const SpmmF32Matrix& w, const float* a, int64_t lda,
                           int64_t m_begin, int64_t m_end, float* c,
                           int64_t ldc, float lo, float hi, float* scratch);

// Rows of A every kernel handles at a time (the largest of the ISAs).
constexpr int64_t kSpmmMaxTileRows = 32;

inline int64_t SpmmScratchFloats(int32_t k, int32_t n) {
  return (static_cast<int64_t>(k) + n) * kSpmmMaxTileRows;
}

// One entry of the sparse GEMM list (spmm_f32_kernels.def).
struct SpmmF32Kernel {
  kernels::Isa isa = kernels::Isa::kPortable;
  const char* function = nullptr;   // nullptr: none available
  const char* label_1x4 = nullptr;  // kernel_variant with 1x4 blocks
  const char* label_1x1 = nullptr;  // kernel_variant with single weights
  int64_t tile_rows = 0;
  SpmmF32Fn fn = nullptr;
};

// Every sparse GEMM built for this architecture, best first.
std::span<const SpmmF32Kernel> SpmmF32Kernels();

// The first allowed one (nullptr: dense or reference kernels).
inline const SpmmF32Kernel* SelectSpmmF32(kernels::IsaSet allowed) {
  return kernels::FirstAllowed(SpmmF32Kernels(), allowed);
}

// C = clamp(A * W^T + bias) with M rows split over the pool; `scratch`
// holds max_slots * SpmmScratchFloats(k, n) floats.
void RunSpmmF32(ThreadPool* pool, int max_slots, const SpmmF32Kernel& kernel,
                const SpmmF32Matrix& w, const float* a, int64_t lda, int64_t m,
                float* c, int64_t ldc, float lo, float hi, float* scratch);

void SpmmF32Avx512(const SpmmF32Matrix& w, const float* a, int64_t lda,
                   int64_t m_begin, int64_t m_end, float* c, int64_t ldc,
                   float lo, float hi, float* scratch);
void SpmmF32Avx2(const SpmmF32Matrix& w, const float* a, int64_t lda,
                 int64_t m_begin, int64_t m_end, float* c, int64_t ldc,
                 float lo, float hi, float* scratch);

}  // namespace ember::x86
