// The GPU delegate's float <-> IEEE half conversions (precision=fp16
// converts every value crossing a partition boundary with them).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "gpu/half.h"

namespace ember::gpu {
namespace {

TEST(GpuHalfConversion, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 0x10000u; ++h) {
    const bool nan = (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0;
    const uint16_t back = FloatToHalf(HalfToFloat(static_cast<uint16_t>(h)));
    if (nan) {
      EXPECT_TRUE(std::isnan(HalfToFloat(static_cast<uint16_t>(h)))) << h;
      EXPECT_GT(back & 0x7fffu, 0x7c00u) << h;  // still a NaN
    } else {
      EXPECT_EQ(back, h) << std::hex << h;
    }
  }
}

TEST(GpuHalfConversion, RoundsToNearestEven) {
  EXPECT_EQ(FloatToHalf(1.0f), 0x3c00u);
  EXPECT_EQ(FloatToHalf(-2.0f), 0xc000u);
  EXPECT_EQ(FloatToHalf(0.0f), 0x0000u);
  EXPECT_EQ(FloatToHalf(-0.0f), 0x8000u);
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: to the even one, 1.
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00u);
  // 1 + 3 * 2^-11 is halfway between 0x3c01 and 0x3c02: to 0x3c02.
  EXPECT_EQ(FloatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02u);
  // Just above halfway rounds up.
  EXPECT_EQ(FloatToHalf(std::nextafter(1.0f + std::ldexp(1.0f, -11), 2.0f)),
            0x3c01u);
  // Largest half, the overflow threshold (65520 is halfway to 2^16).
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7bffu);
  EXPECT_EQ(FloatToHalf(65519.996f), 0x7bffu);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00u);
  EXPECT_EQ(FloatToHalf(-1e9f), 0xfc00u);
  EXPECT_EQ(FloatToHalf(std::numeric_limits<float>::infinity()), 0x7c00u);
  EXPECT_GT(FloatToHalf(std::numeric_limits<float>::quiet_NaN()) & 0x7fffu,
            0x7c00u);
  // Subnormals: 2^-24 is the smallest; 2^-25 ties to zero (even).
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -24)), 0x0001u);
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -25)), 0x0000u);
  EXPECT_EQ(FloatToHalf(1.5f * std::ldexp(1.0f, -25)), 0x0001u);
  EXPECT_EQ(FloatToHalf(3 * std::ldexp(1.0f, -25)), 0x0002u);  // tie to even
  // The largest subnormal rounding up into the smallest normal.
  EXPECT_EQ(FloatToHalf(std::nextafter(std::ldexp(1.0f, -14), 0.0f)), 0x0400u);
}

// g++ 12 has C++ _Float16 on x86 only (AArch64 defines __FLT16_MAX__ but
// spells the type __fp16 there).
#if defined(__FLT16_MAX__) && (defined(__x86_64__) || defined(__i386__))
// The compiler's _Float16 conversion (round to nearest even) as the
// oracle, over a stride through all float bit patterns.
float FromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

TEST(GpuHalfConversion, MatchesTheCompilersFloat16) {
  for (uint64_t i = 0; i < (1ull << 32); i += 4099) {
    const float f = FromBits(static_cast<uint32_t>(i));
    if (std::isnan(f)) continue;
    const _Float16 ref = static_cast<_Float16>(f);
    uint16_t bits;
    std::memcpy(&bits, &ref, sizeof(bits));
    ASSERT_EQ(FloatToHalf(f), bits) << std::hex << i;
  }
}
#endif

}  // namespace
}  // namespace ember::gpu
