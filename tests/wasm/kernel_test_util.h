// Helpers of tests/wasm/kernel_test.cc (one translation unit with
// kernel_test_ops.h): the failure counter and EXPECT, the seeded random
// source and the random quantization parameters the checks share.
#pragma once

#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>

#include "kernels/dispatch/isa.h"

// The aliases below need the namespaces declared.
namespace ember::x86 {}
namespace ember::ref {}

namespace {

using ember::kernels::AllowedIsas;
using ember::kernels::Isa;
namespace x86 = ember::x86;
namespace ref = ember::ref;

int g_failures = 0;

#define EXPECT(cond, ...)                                \
  do {                                                   \
    if (!(cond)) {                                       \
      if (++g_failures <= 20) {                          \
        std::printf("FAIL %s:%d: ", __FILE__, __LINE__); \
        std::printf(__VA_ARGS__);                        \
        std::printf("\n");                               \
      }                                                  \
    }                                                    \
  } while (0)

std::mt19937 g_rng(20261207);

int32_t Uniform(int32_t lo, int32_t hi) {
  return std::uniform_int_distribution<int32_t>(lo, hi)(g_rng);
}

int8_t RandomS8() { return static_cast<int8_t>(Uniform(-128, 127)); }

// A multiplier as ref::QuantizeMultiplier makes them: 0 or [2^30, 2^31).
int32_t RandomMultiplier() {
  if (Uniform(0, 15) == 0) return 0;
  if (Uniform(0, 15) == 0) return 1 << 30;
  return Uniform(1 << 30, std::numeric_limits<int32_t>::max());
}

int32_t RandomAccumulator() {
  switch (Uniform(0, 5)) {
    case 0:
      return Uniform(std::numeric_limits<int32_t>::min(),
                     std::numeric_limits<int32_t>::max());
    case 1: {
      const int32_t edges[] = {0,
                               1,
                               -1,
                               std::numeric_limits<int32_t>::min(),
                               std::numeric_limits<int32_t>::max(),
                               1 << 30,
                               -(1 << 30)};
      return edges[Uniform(0, 6)];
    }
    case 2:  // around a power of two, where rounding ties sit
      return (Uniform(0, 1) ? 1 : -1) * (1 << Uniform(0, 30)) + Uniform(-2, 2);
    default:
      return Uniform(-(1 << 20), 1 << 20);
  }
}

}  // namespace
