// Peak-probe loops for AArch64 Advanced SIMD (kernels/drivers/peak.h):
// fmla on 4 floats, and int8 the way cores without dotprod do it (smull to
// int16, sadalp into int32). NEON is baseline on AArch64.
#if defined(__aarch64__)
#include <arm_neon.h>

#include <cstdint>

namespace ember::kernels {

int64_t PeakF32Neon(int64_t iterations) {
  float32x4_t a = vdupq_n_f32(1.0f), b = vdupq_n_f32(1.0f);
  float32x4_t c[12];
  for (int j = 0; j < 12; ++j) c[j] = vdupq_n_f32(0.0f);
  for (int64_t i = 0; i < iterations; ++i) {
    asm volatile("" : "+w"(a), "+w"(b));
#pragma GCC unroll 12
    for (int j = 0; j < 12; ++j) c[j] = vfmaq_f32(c[j], a, b);
  }
  float32x4_t s = c[0];
  for (int j = 1; j < 12; ++j) s = vaddq_f32(s, c[j]);
  return static_cast<int64_t>(vaddvq_f32(s));
}

int64_t PeakS8Neon(int64_t iterations) {
  int8x8_t a = vdup_n_s8(1), b = vdup_n_s8(1);
  int32x4_t c[8];
  for (int j = 0; j < 8; ++j) c[j] = vdupq_n_s32(0);
  for (int64_t i = 0; i < iterations; ++i) {
    asm volatile("" : "+w"(b));
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      asm volatile("" : "+w"(a));  // else one product would serve every chain
      c[j] = vpadalq_s16(c[j], vmull_s8(a, b));
    }
  }
  int32x4_t s = c[0];
  for (int j = 1; j < 8; ++j) s = vaddq_s32(s, c[j]);
  return vaddvq_s32(s);
}

}  // namespace ember::kernels
#endif  // __aarch64__
