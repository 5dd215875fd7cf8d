#include "kernels/drivers/gemm_f32.h"

#include <cstring>

#include "kernels/arm/neon_f32.h"
#include "kernels/dispatch/cpu_features.h"

namespace ember::x86 {

Isa BestFloatIsa() {
#if defined(__x86_64__)
  const dispatch::CpuFeatures& f = dispatch::GetCpuFeatures();
  if (f.has_avx512()) return Isa::kAvx512;
  if (f.has_avx2_fma()) return Isa::kAvx2;
#elif defined(__aarch64__)
  if (dispatch::GetCpuFeatures().neon) return Isa::kNeon;
#endif
  return Isa::kNone;
}

GemmF32Kernel GetGemmF32(Isa isa) {
  GemmF32Kernel k;
#if defined(__x86_64__)
  switch (isa) {
    case Isa::kAvx512:
      k = {"x86_avx512_gemm_8x32", 8, 32, GemmF32Avx512};
      break;
    case Isa::kAvx2:
      k = {"x86_avx2_gemm_6x16", 6, 16, GemmF32Avx2};
      break;
    default:
      break;
  }
#elif defined(__aarch64__)
  if (isa == Isa::kNeon)
    k = {"arm_neon_gemm_4x16", arm::kGemmF32NeonMr, arm::kGemmF32NeonNr,
         arm::GemmF32Neon};
#endif
  return k;
}

void PackGemmWeightsF32(const float* w, const float* bias, int32_t n, int32_t k,
                        int32_t nr, float* packed) {
  const int32_t panels = GemmPanels(n, nr);
  float* p = packed;
  for (int32_t panel = 0; panel < panels; ++panel) {
    const int32_t n0 = panel * nr;
    const int32_t cols = n - n0 < nr ? n - n0 : nr;
    for (int32_t j = 0; j < nr; ++j) p[j] = (bias && j < cols) ? bias[n0 + j] : 0.0f;
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
