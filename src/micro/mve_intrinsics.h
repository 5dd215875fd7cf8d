// The few Helium (M-profile Vector Extension, Cortex-M55) operations the
// micro int8 kernels of mve_kernels.h use, as inline functions over two
// vector types: S8x16 (16 int8 lanes) and S32x4 (4 int32 lanes).
//   LoadS8x16(p, n)     the first min(n, 16) bytes, other lanes 0 (a
//                       tail-predicated VLDRB: lanes off are not read)
//   DotAcc(acc, a, b)   acc + sum a[i] * b[i] (VMLADAVA.S8, 32-bit wrap)
//   SumAcc(acc, a)      acc + sum a[i] (VADDVA.S8)
//   LoadS8x4(p, n)      min(n, 4) int8 widened to int32 lanes, others 0
//   Dup32, AddN32, Add32, Mul32 (low 32 bits), Store32
// With __ARM_FEATURE_MVE they are the <arm_mve.h> intrinsics (one
// instruction each, plus VCTP for the predicate). EMBER_MICRO_EMULATE_MVE
// (host tests only) gives portable C versions with the same results, so
// the host runs the loops the Cortex-M55 runs. EMBER_MICRO_NO_MVE turns
// the Helium kernels off (then the DSP kernels, or the reference, run).
#pragma once

#include <cstdint>

#if !defined(EMBER_MICRO_NO_MVE) && defined(__ARM_FEATURE_MVE) && \
    (__ARM_FEATURE_MVE & 1)
#include <arm_mve.h>
#define EMBER_MICRO_HAS_MVE 1
#elif !defined(EMBER_MICRO_NO_MVE) && defined(EMBER_MICRO_EMULATE_MVE)
#define EMBER_MICRO_HAS_MVE 1
#else
#define EMBER_MICRO_HAS_MVE 0
#endif

#if EMBER_MICRO_HAS_MVE
namespace ember::micro::mve {

#if defined(__ARM_FEATURE_MVE) && !defined(EMBER_MICRO_EMULATE_MVE)

using S8x16 = int8x16_t;
using S32x4 = int32x4_t;

inline S8x16 LoadS8x16(const int8_t* p, int32_t n) {
  return vldrbq_z_s8(p, vctp8q(static_cast<uint32_t>(n)));
}
inline int32_t DotAcc(int32_t acc, S8x16 a, S8x16 b) {
  return vmladavaq_s8(acc, a, b);
}
inline int32_t SumAcc(int32_t acc, S8x16 a) { return vaddvaq_s8(acc, a); }
inline S32x4 LoadS8x4(const int8_t* p, int32_t n) {
  return vldrbq_z_s32(p, vctp32q(static_cast<uint32_t>(n)));
}
inline S32x4 Dup32(int32_t v) { return vdupq_n_s32(v); }
inline S32x4 AddN32(S32x4 a, int32_t v) { return vaddq_n_s32(a, v); }
inline S32x4 Add32(S32x4 a, S32x4 b) { return vaddq_s32(a, b); }
inline S32x4 Mul32(S32x4 a, S32x4 b) { return vmulq_s32(a, b); }
inline void Store32(int32_t* p, S32x4 v) { vst1q_s32(p, v); }

#else  // portable emulation (host tests)

// Its own inline namespace: never the same symbols as a Helium build's.
inline namespace emulated {

struct S8x16 {
  int8_t v[16];
};
struct S32x4 {
  uint32_t v[4];  // wrapping arithmetic, as the vector unit's
};

inline S8x16 LoadS8x16(const int8_t* p, int32_t n) {
  S8x16 r{};
  for (int32_t i = 0; i < 16 && i < n; ++i) r.v[i] = p[i];
  return r;
}
inline int32_t DotAcc(int32_t acc, S8x16 a, S8x16 b) {
  uint32_t s = static_cast<uint32_t>(acc);
  for (int i = 0; i < 16; ++i)
    s += static_cast<uint32_t>(static_cast<int32_t>(a.v[i]) * b.v[i]);
  return static_cast<int32_t>(s);
}
inline int32_t SumAcc(int32_t acc, S8x16 a) {
  uint32_t s = static_cast<uint32_t>(acc);
  for (int i = 0; i < 16; ++i) s += static_cast<uint32_t>(a.v[i]);
  return static_cast<int32_t>(s);
}
inline S32x4 LoadS8x4(const int8_t* p, int32_t n) {
  S32x4 r{};
  for (int32_t i = 0; i < 4 && i < n; ++i)
    r.v[i] = static_cast<uint32_t>(static_cast<int32_t>(p[i]));
  return r;
}
inline S32x4 Dup32(int32_t x) {
  const uint32_t u = static_cast<uint32_t>(x);
  return {{u, u, u, u}};
}
inline S32x4 AddN32(S32x4 a, int32_t x) {
  for (auto& l : a.v) l += static_cast<uint32_t>(x);
  return a;
}
inline S32x4 Add32(S32x4 a, S32x4 b) {
  for (int i = 0; i < 4; ++i) a.v[i] += b.v[i];
  return a;
}
inline S32x4 Mul32(S32x4 a, S32x4 b) {
  for (int i = 0; i < 4; ++i) a.v[i] *= b.v[i];
  return a;
}
inline void Store32(int32_t* p, S32x4 a) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<int32_t>(a.v[i]);
}

}  // namespace emulated

#endif

}  // namespace ember::micro::mve
#endif  // EMBER_MICRO_HAS_MVE
