// Packing and kernel choice for the AArch64 int8 GEMM (ISA-neutral code:
// builds everywhere, so the packed layout is one definition).
#include "kernels/arm/gemm_s8.h"

#include <cstring>

namespace ember::arm {

void PackGemmWeightsS8(const int8_t* w, const int32_t* bias, int32_t n,
                       int32_t k, int8_t* packed) {
  const int32_t panels = GemmS8Panels(n);
  const int32_t groups = (k + 3) / 4;
  int8_t* p = packed;
  for (int32_t panel = 0; panel < panels; ++panel) {
    const int32_t n0 = panel * kGemmS8Nr;
    const int32_t cols = n - n0 < kGemmS8Nr ? n - n0 : kGemmS8Nr;
    int32_t b[kGemmS8Nr];
    for (int32_t j = 0; j < kGemmS8Nr; ++j)
      b[j] = (bias != nullptr && j < cols) ? bias[n0 + j] : 0;
    std::memcpy(p, b, sizeof(b));
    p += sizeof(b);
    for (int32_t g = 0; g < groups; ++g) {
      for (int32_t j = 0; j < kGemmS8Nr; ++j) {
        for (int32_t t = 0; t < 4; ++t) {
          const int32_t kk = 4 * g + t;
          *p++ = (j < cols && kk < k) ? w[static_cast<int64_t>(n0 + j) * k + kk]
                                      : int8_t{0};
        }
      }
    }
  }
}

std::span<const GemmS8Kernel> GemmS8Kernels() {
  static const GemmS8Kernel kList[] = {
#if defined(__aarch64__)
    {kernels::Isa::kNeonI8mm, "arm_i8mm_gemm_s8_4x8", 4, kGemmS8Nr, GemmS8I8mm},
    {kernels::Isa::kNeonDotprod, "arm_dotprod_gemm_s8_4x8", 4, kGemmS8Nr,
     GemmS8Dotprod},
    {kernels::Isa::kNeon, "arm_neon_gemm_s8_4x8", 4, kGemmS8Nr, GemmS8Neon},
#endif
    {}
  };
  return kernels::ListWithoutEnd(kList);
}

}  // namespace ember::arm
