// AArch64 tiles for the int8 CONV_2D / FULLY_CONNECTED fast path
// (x86::S8TileFn, see kernels/drivers/gemm_s8.h: same packed panels, pointer
// arrays and epilogues as the x86 tiles). 4 rows x 8 columns. Unlike the
// x86 tiles they multiply signed activations directly (SDOT / SMULL are
// signed x signed), so the packed bias carries no +128 correction
// (their list entries have input_shift 0).
#pragma once

#include <cstdint>

#include "kernels/drivers/gemm_s8.h"

namespace ember::arm {

constexpr int32_t kS8TileMr = 4;
constexpr int32_t kS8TileNr = 8;

// Full tiles: accumulate, then the epilogue t.mode asks for.
void S8TileNeon(const x86::S8TileArgs& t);
void S8TileDotprod(const x86::S8TileArgs& t);

// The raw int32 sums acc[r * 8 + j] = sum over taps, k of A * W (no header
// values), for all 4 rows. The SDOT one is in gemm_s8_dotprod.cc (built
// with +dotprod); call it only when the CPU has dotprod.
void AccumulateS8Dotprod(const x86::S8TileArgs& t, int32_t* acc);

}  // namespace ember::arm
