// Between the AArch64 int8 tiles (arm-internal): the SDOT and SMMLA
// accumulations the NEON tile file calls when the CPU has dotprod / i8mm. The
// tiles' entry points are declared in kernels/drivers/arm_kernels.h.
#pragma once

#include <cstdint>

#include "kernels/drivers/arm_kernels.h"

namespace ember::arm {

// The raw int32 sums acc[r * 8 + j] = sum over taps, k of A * W (no header
// values), for all 4 rows. Defined in gemm_s8_dotprod.cc (built with
// +dotprod); call it only when the CPU has dotprod.
void AccumulateS8Dotprod(const x86::S8TileArgs& t, int32_t* acc);

// The same sums with SMMLA. Defined in gemm_s8_i8mm.cc (built with +i8mm);
// call it only when the CPU has i8mm.
void AccumulateS8I8mm(const x86::S8TileArgs& t, int32_t* acc);

}  // namespace ember::arm
