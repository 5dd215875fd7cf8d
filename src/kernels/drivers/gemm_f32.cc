#include "kernels/drivers/gemm_f32.h"

#include <algorithm>
#include <cstring>

#include "kernels/drivers/arm_kernels.h"
#include "kernels/drivers/conv_f32.h"  // ParallelTasks

namespace ember::x86 {

std::span<const GemmF32Kernel> GemmF32Kernels() {
  static const GemmF32Kernel kList[] = {
#define EMBER_GEMM_F32(isa, fn, label, im2col_label, fused_label, mr, nr) \
  {kernels::Isa::isa, #fn, label, im2col_label, fused_label, mr, nr, fn},
#include "kernels/drivers/gemm_f32_kernels.def"
#undef EMBER_GEMM_F32
      {}};
  return kernels::ListWithoutEnd(kList);
}

std::span<const GemmF32Kernel> NarrowGemmF32Kernels() {
  static const GemmF32Kernel kList[] = {
#if defined(__x86_64__)
    {kernels::Isa::kAvx2, "GemmF32Avx2Nr8", "x86_avx2_gemm_8x8",
     "x86_avx2_im2col_gemm_8x8", "x86_avx2_fused_gemm_dw_gemm", 8, 8,
     GemmF32Avx2Nr8},
#endif
    {}
  };
  return kernels::ListWithoutEnd(kList);
}

namespace {

// One panel: bias row, then k rows of nr weights. Padding columns are
// cleared apart instead of testing every element.
void PackGemmPanelF32(const float* w, const float* bias, int32_t n, int32_t k,
                      int32_t nr, int32_t panel, float* packed) {
  const int32_t n0 = panel * nr;
  const int32_t cols = n - n0 < nr ? n - n0 : nr;
  float* p = packed + static_cast<size_t>(panel) *
                          (static_cast<size_t>(k) + 1) *
                          static_cast<size_t>(nr);
  for (int32_t j = 0; j < nr; ++j)
    p[j] = (bias && j < cols) ? bias[n0 + j] : 0.0f;
  p += nr;
  // Blocks of 8 depths: each column's 8 reads are contiguous and the 8
  // rows written stay in L1 while all columns fill them.
  constexpr int32_t kBlock = 8;
  int32_t kk = 0;
  for (; kk + kBlock <= k; kk += kBlock) {
    for (int32_t j = 0; j < cols; ++j) {
      const float* src = w + static_cast<int64_t>(n0 + j) * k + kk;
      float* d = p + static_cast<size_t>(kk) * nr + j;
      for (int32_t q = 0; q < kBlock; ++q)
        d[static_cast<size_t>(q) * nr] = src[q];
    }
  }
  for (; kk < k; ++kk) {
    float* d = p + static_cast<size_t>(kk) * nr;
    for (int32_t j = 0; j < cols; ++j)
      d[j] = w[static_cast<int64_t>(n0 + j) * k + kk];
  }
  if (cols < nr) {
    for (int32_t kk = 0; kk < k; ++kk) {
      std::memset(p + static_cast<size_t>(kk) * nr + cols, 0,
                  sizeof(float) * static_cast<size_t>(nr - cols));
    }
  }
}

}  // namespace

void PackGemmWeightsF32(const float* w, const float* bias, int32_t n, int32_t k,
                        int32_t nr, float* packed, ThreadPool* pool) {
  const int32_t panels = GemmPanels(n, nr);
  // Workers only pay off for big matrices (see PackS8Weights).
  const size_t bytes = PackedGemmWeightsBytes(n, k, nr);
  const int slots = static_cast<int>(std::clamp<size_t>(
      bytes / (size_t{1} << 19), 1, static_cast<size_t>(panels)));
  ParallelTasks(pool, panels, slots, [&](int64_t p0, int64_t p1, int) {
    for (int64_t p = p0; p < p1; ++p) {
      PackGemmPanelF32(w, bias, n, k, nr, static_cast<int32_t>(p), packed);
    }
  });
}

}  // namespace ember::x86
