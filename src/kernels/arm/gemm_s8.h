// AArch64 int8 GEMM: C[M, N] (int32) = bias + A[M, K] (int8) * B[K, N]
// (int8), with B given as N rows of K (OHWI filters flattened, FC weights)
// packed once into panels of 8 columns:
//   panel p = [8 x int32 bias][ceil(K / 4) groups x 8 columns x 4 int8]
// i.e. weight (k, j) at byte 32 * (k / 4) + 4 * j + k % 4 after the bias,
// zero-padded past K and N. Four consecutive depth values of one column
// are one 32-bit word, which is what SDOT multiplies with four depth values
// of an A row. Callers fold zero points into the bias
// (bias_j - a_zero_point * sum_k B[k, j]) and requantize the int32 output.
// Three kernels: SMMLA (FEAT_I8MM, gemm_s8_i8mm.cc), SDOT (FEAT_DotProd,
// gemm_s8_dotprod.cc), each built with its feature and used only when the
// CPU reports it, and a baseline NEON fallback (SMULL + SADALP). All are
// exact, so they agree bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "kernels/dispatch/registry.h"

namespace ember::arm {

constexpr int32_t kGemmS8Nr = 8;

struct GemmS8Args {
  int64_t m = 0;  // rows of A and C
  int32_t n = 0;  // output columns
  int32_t k = 0;  // depth
  const int8_t* a = nullptr;
  int64_t lda = 0;
  const int8_t* packed = nullptr;  // from PackGemmWeightsS8
  int32_t* c = nullptr;
  int64_t ldc = 0;
};

// Computes rows [m_begin, m_end) x panels [p_begin, p_end) of C.
using GemmS8Fn = void (*)(const GemmS8Args& args, int64_t m_begin,
                          int64_t m_end, int32_t p_begin, int32_t p_end);

struct GemmS8Kernel {
  kernels::Isa isa = kernels::Isa::kPortable;
  const char* name = nullptr;
  int32_t mr = 0;
  int32_t nr = 0;
  GemmS8Fn fn = nullptr;
};

inline int32_t GemmS8Panels(int32_t n) {
  return (n + kGemmS8Nr - 1) / kGemmS8Nr;
}

inline size_t GemmS8PanelBytes(int32_t k) {
  return sizeof(int32_t) * kGemmS8Nr +
         static_cast<size_t>((k + 3) / 4) * 4 * kGemmS8Nr;
}

inline size_t PackedGemmWeightsS8Bytes(int32_t n, int32_t k) {
  return static_cast<size_t>(GemmS8Panels(n)) * GemmS8PanelBytes(k);
}

// Packs w[N][K] (row n at w + n * k) and optional int32 bias[N]. `packed`
// must be 4-byte aligned (the bias words are stored as int32).
void PackGemmWeightsS8(const int8_t* w, const int32_t* bias, int32_t n,
                       int32_t k, int8_t* packed);

// Every kernel built for this architecture, best first (none off AArch64).
std::span<const GemmS8Kernel> GemmS8Kernels();

// The first allowed one (nullptr: none).
inline const GemmS8Kernel* SelectGemmS8(kernels::IsaSet allowed) {
  return kernels::FirstAllowed(GemmS8Kernels(), allowed);
}

// Defined only in aarch64 builds.
void GemmS8Neon(const GemmS8Args& args, int64_t m_begin, int64_t m_end,
                int32_t p_begin, int32_t p_end);
void GemmS8Dotprod(const GemmS8Args& args, int64_t m_begin, int64_t m_end,
                   int32_t p_begin, int32_t p_end);
void GemmS8I8mm(const GemmS8Args& args, int64_t m_begin, int64_t m_end,
                int32_t p_begin, int32_t p_end);

}  // namespace ember::arm
