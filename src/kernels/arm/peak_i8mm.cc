// Peak-probe loop for AArch64 i8mm (kernels/drivers/peak.h): smmla, a 2 x 8
// by 8 x 2 int8 block product, 32 multiply-accumulates per instruction.
// Built with +i8mm (the *_i8mm.cc glob) and run only when the CPU reports it.
#if defined(__aarch64__)
#include <arm_neon.h>

#include <cstdint>

namespace ember::kernels {

int64_t PeakS8I8mm(int64_t iterations) {
  int8x16_t a = vdupq_n_s8(1), b = vdupq_n_s8(1);
  int32x4_t c[12];
  for (int j = 0; j < 12; ++j) c[j] = vdupq_n_s32(0);
  for (int64_t i = 0; i < iterations; ++i) {
    asm volatile("" : "+w"(a), "+w"(b));
#pragma GCC unroll 12
    for (int j = 0; j < 12; ++j) c[j] = vmmlaq_s32(c[j], a, b);
  }
  int32x4_t s = c[0];
  for (int j = 1; j < 12; ++j) s = vaddq_s32(s, c[j]);
  return vaddvq_s32(s);
}

}  // namespace ember::kernels
#endif  // __aarch64__
