// AVX2 + FMA instantiation of the fast-op kernels. Built with that ISA's
// flags only; reached through FastOpsList() after CPU detection.
#if defined(__x86_64__)
#include "kernels/x86/fast_ops_kernels.h"

namespace ember::x86 {

const FastOpsKernels* FastOpsAvx2() {
  static constexpr FastOpsKernels kKernels = MakeFastOps<Avx2>("avx2");
  return &kKernels;
}

}  // namespace ember::x86
#endif
