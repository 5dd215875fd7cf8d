// The few Arm DSP-extension instructions (Cortex-M4/M7/M33) the micro int8
// kernels of dsp_kernels.h use, as inline functions over 32-bit words that
// hold two int16 halves or four int8 lanes:
//   Sxtb16(x)        int8 lanes 0 and 2 sign-extended to the two halves
//   Sxtab16(a, x)    the same, each half added to a's half (16-bit wrap)
//   Smlad(a, b, c)   c + a.lo * b.lo + a.hi * b.hi (32-bit wrap)
//   Smlabb(a, b, c)  c + a.lo * b.lo;  Smlatt: c + a.hi * b.hi
//   Sxtab16Ror8(a, x) Sxtab16(a, Ror(x, 8)): lanes 1 and 3 (one instruction)
//   Ror(x, n)        rotate right
// With __ARM_FEATURE_DSP they are the ACLE intrinsics of <arm_acle.h> (one
// instruction each). EMBER_MICRO_EMULATE_DSP (host tests only) gives
// portable C versions with the same bits, so the host runs the very loops
// the microcontroller runs. EMBER_MICRO_NO_DSP turns the DSP kernels off
// (the plain C reference kernels run instead), to measure against them.
// EMBER_MICRO_HAS_DSP tells the ops whether dsp_kernels.h has kernels.
#pragma once

#include <cstdint>

#if !defined(EMBER_MICRO_NO_DSP) && defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#define EMBER_MICRO_HAS_DSP 1
#elif !defined(EMBER_MICRO_NO_DSP) && defined(EMBER_MICRO_EMULATE_DSP)
#define EMBER_MICRO_HAS_DSP 1
#else
#define EMBER_MICRO_HAS_DSP 0
#endif

#if EMBER_MICRO_HAS_DSP
namespace ember::micro::dsp {

inline uint32_t Ror(uint32_t x, unsigned n) {
  return (x >> n) | (x << ((32u - n) & 31u));
}

#if defined(__ARM_FEATURE_DSP) && !defined(EMBER_MICRO_EMULATE_DSP)

inline uint32_t Sxtb16(uint32_t x) {
  return static_cast<uint32_t>(__sxtb16(static_cast<int32_t>(x)));
}
inline uint32_t Sxtab16(uint32_t a, uint32_t x) {
  return static_cast<uint32_t>(
      __sxtab16(static_cast<int32_t>(a), static_cast<int32_t>(x)));
}
// GCC does not fold a rotate into SXTAB16's operand by itself.
inline uint32_t Sxtab16Ror8(uint32_t a, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
  return r;
}
inline int32_t Smlad(uint32_t a, uint32_t b, int32_t c) {
  return __smlad(static_cast<int32_t>(a), static_cast<int32_t>(b), c);
}
inline int32_t Smlabb(uint32_t a, uint32_t b, int32_t c) {
  return __smlabb(static_cast<int32_t>(a), static_cast<int32_t>(b), c);
}
inline int32_t Smlatt(uint32_t a, uint32_t b, int32_t c) {
  return __smlatt(static_cast<int32_t>(a), static_cast<int32_t>(b), c);
}

#else  // portable emulation, bit for bit (host tests)

// Its own inline namespace: never the same symbols as a DSP build's.
inline namespace emulated {

inline int32_t Lo16(uint32_t x) { return static_cast<int16_t>(x & 0xFFFFu); }
inline int32_t Hi16(uint32_t x) { return static_cast<int16_t>(x >> 16); }
inline uint32_t Pack16(int32_t lo, int32_t hi) {
  return (static_cast<uint32_t>(lo) & 0xFFFFu) |
         (static_cast<uint32_t>(hi) << 16);
}

inline uint32_t Sxtb16(uint32_t x) {
  return Pack16(static_cast<int8_t>(x & 0xFFu),
                static_cast<int8_t>((x >> 16) & 0xFFu));
}
inline uint32_t Sxtab16(uint32_t a, uint32_t x) {
  return Pack16(Lo16(a) + static_cast<int8_t>(x & 0xFFu),
                Hi16(a) + static_cast<int8_t>((x >> 16) & 0xFFu));
}
inline uint32_t Sxtab16Ror8(uint32_t a, uint32_t x) {
  return Sxtab16(a, Ror(x, 8));
}
inline int32_t Smlad(uint32_t a, uint32_t b, int32_t c) {
  const uint32_t p0 = static_cast<uint32_t>(Lo16(a) * Lo16(b));
  const uint32_t p1 = static_cast<uint32_t>(Hi16(a) * Hi16(b));
  return static_cast<int32_t>(static_cast<uint32_t>(c) + p0 + p1);
}
inline int32_t Smlabb(uint32_t a, uint32_t b, int32_t c) {
  return static_cast<int32_t>(static_cast<uint32_t>(c) +
                              static_cast<uint32_t>(Lo16(a) * Lo16(b)));
}
inline int32_t Smlatt(uint32_t a, uint32_t b, int32_t c) {
  return static_cast<int32_t>(static_cast<uint32_t>(c) +
                              static_cast<uint32_t>(Hi16(a) * Hi16(b)));
}

}  // namespace emulated

#endif

}  // namespace ember::micro::dsp
#endif  // EMBER_MICRO_HAS_DSP
