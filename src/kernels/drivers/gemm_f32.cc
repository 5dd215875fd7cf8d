#include "kernels/drivers/gemm_f32.h"

#include <cstring>

#include "kernels/drivers/arm_kernels.h"

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

void PackGemmWeightsF32(const float* w, const float* bias, int32_t n, int32_t k,
                        int32_t nr, float* packed) {
  const int32_t panels = GemmPanels(n, nr);
  float* p = packed;
  for (int32_t panel = 0; panel < panels; ++panel) {
    const int32_t n0 = panel * nr;
    const int32_t cols = n - n0 < nr ? n - n0 : nr;
    for (int32_t j = 0; j < nr; ++j)
      p[j] = (bias && j < cols) ? bias[n0 + j] : 0.0f;
    p += nr;
    for (int32_t kk = 0; kk < k; ++kk) {
      for (int32_t j = 0; j < nr; ++j) {
        p[j] = j < cols ? w[static_cast<int64_t>(n0 + j) * k + kk] : 0.0f;
      }
      p += nr;
    }
  }
}

}  // namespace ember::x86
