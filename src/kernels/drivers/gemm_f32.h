// fp32 GEMM for the x86 fast path: C[M, N] = clamp(A[M, K] * B[K, N] + bias,
// lo, hi), with B (the weights, given as N rows of K, i.e. OHWI filters
// flattened or FC weights) packed once into panels of NR columns:
//   panel p = [NR bias values][K x NR weights], weight (k, j) at k * NR + j
// zero-padded past N. A rows are read with stride lda, C rows written with
// stride ldc. Per-ISA microkernels live in gemm_f32_<isa>.cc (compiled with
// that ISA's flags only); callers reach them through SelectGemmF32().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/thread_pool.h"
#include "kernels/dispatch/registry.h"

namespace ember::x86 {

struct GemmF32Args {
  int64_t m = 0;  // rows of A and C
  int32_t n = 0;  // output columns (channels)
  int32_t k = 0;  // depth
  const float* a = nullptr;
  int64_t lda = 0;
  const float* packed = nullptr;  // from PackGemmWeightsF32
  float* c = nullptr;
  int64_t ldc = 0;
  float lo = 0.0f, hi = 0.0f;  // output clamp
};

// Computes rows [m_begin, m_end) x panels [p_begin, p_end) of C.
using GemmF32Fn = void (*)(const GemmF32Args& args, int64_t m_begin,
                           int64_t m_end, int32_t p_begin, int32_t p_end);

// One entry of the fp32 GEMM list (gemm_f32_kernels.def).
struct GemmF32Kernel {
  kernels::Isa isa = kernels::Isa::kPortable;
  const char* function = nullptr;      // the microkernel's name
  const char* label = nullptr;         // kernel_variant: rows read directly
  const char* im2col_label = nullptr;  // kernel_variant: KxK convolution
  const char* fused_label = nullptr;   // kernel_variant: fused MBConv block
  int32_t mr = 0;                      // rows per microkernel tile
  int32_t nr = 0;                      // columns per panel
  GemmF32Fn fn = nullptr;
};

// Every fp32 GEMM built for this architecture, best first.
std::span<const GemmF32Kernel> GemmF32Kernels();

// The first allowed one (nullptr: reference kernels).
inline const GemmF32Kernel* SelectGemmF32(kernels::IsaSet allowed) {
  return kernels::FirstAllowed(GemmF32Kernels(), allowed);
}

inline int32_t GemmPanels(int32_t n, int32_t nr) { return (n + nr - 1) / nr; }

// Narrower GEMMs than the list's, for few columns (grouped convolutions
// with 8 or fewer channels per group). Not in the list: FirstAllowed must
// keep picking the widest.
std::span<const GemmF32Kernel> NarrowGemmF32Kernels();

// The GEMM for `n` columns (a grouped convolution's channels per group):
// of the allowed entries of the list and then the narrow ones, the one
// whose panels pad n to the fewest columns, the earlier (better) one on
// ties (nullptr: reference kernels). With n = 16 on an AVX-512 CPU that is
// the 16-column AVX2 kernel (the 32-column one would spend half its FMAs
// on zero columns); with n <= 8 the 8-column one.
inline const GemmF32Kernel* SelectGemmF32ForColumns(kernels::IsaSet allowed,
                                                    int32_t n) {
  const GemmF32Kernel* best = nullptr;
  auto consider = [&](const GemmF32Kernel& k) {
    if (!allowed.contains(k.isa)) return;
    if (best == nullptr ||
        GemmPanels(n, k.nr) * k.nr < GemmPanels(n, best->nr) * best->nr)
      best = &k;
  };
  for (const GemmF32Kernel& k : GemmF32Kernels()) consider(k);
  if (best == nullptr) return nullptr;  // no list entry: reference kernels
  for (const GemmF32Kernel& k : NarrowGemmF32Kernels()) consider(k);
  return best;
}

inline size_t PackedGemmWeightsBytes(int32_t n, int32_t k, int32_t nr) {
  return sizeof(float) * static_cast<size_t>(GemmPanels(n, nr)) *
         (static_cast<size_t>(k) + 1) * static_cast<size_t>(nr);
}

// Packs weights w[N][K] (row n at w + n * k) and optional bias[N]; big
// matrices are split by panels over `pool` (nullptr: the calling thread).
void PackGemmWeightsF32(const float* w, const float* bias, int32_t n, int32_t k,
                        int32_t nr, float* packed, ThreadPool* pool = nullptr);

// Defined in the per-ISA files (x86 builds only).
void GemmF32Avx512(const GemmF32Args& args, int64_t m_begin, int64_t m_end,
                   int32_t p_begin, int32_t p_end);
void GemmF32Avx2(const GemmF32Args& args, int64_t m_begin, int64_t m_end,
                 int32_t p_begin, int32_t p_end);
void GemmF32Avx2Nr8(const GemmF32Args& args, int64_t m_begin, int64_t m_end,
                    int32_t p_begin, int32_t p_end);
// WebAssembly SIMD128 builds only (kernels/wasm/gemm_f32_simd128.cc).
void GemmF32WasmSimd128(const GemmF32Args& args, int64_t m_begin, int64_t m_end,
                        int32_t p_begin, int32_t p_end);

}  // namespace ember::x86
