// The AArch64 entry points the kernel lists name (gemm_f32_kernels.def,
// dwconv_f32_kernels.def, gemm_s8_kernels.def), declared here so that the
// drivers reach the NEON microkernels the way they reach the x86 ones:
// through the lists, without including kernels/arm. The definitions live
// in src/kernels/arm and exist only in aarch64 builds.
//  - GemmF32Neon reads the same packed weight panels as the x86 GEMMs
//    (PackGemmWeightsF32 with nr = kGemmF32NeonNr); DwConvF32Neon takes the
//    x86 depthwise kernels' arguments.
//  - The int8 tiles (4 rows x 8 columns) use the x86 tiles' packed panels,
//    pointer arrays and epilogues, but multiply signed activations directly
//    (SDOT / SMULL are signed x signed), so their packed bias carries no +128
//    correction (their list entries have input_shift 0).
#pragma once

#include <cstdint>

#include "kernels/drivers/dwconv_f32.h"
#include "kernels/drivers/gemm_f32.h"
#include "kernels/drivers/gemm_s8.h"

namespace ember::arm {

constexpr int32_t kGemmF32NeonMr = 4;
constexpr int32_t kGemmF32NeonNr = 16;

void GemmF32Neon(const x86::GemmF32Args& args, int64_t m_begin, int64_t m_end,
                 int32_t p_begin, int32_t p_end);

void DwConvF32Neon(const x86::DwConvF32Args& args, int64_t row_begin,
                   int64_t row_end);

constexpr int32_t kS8TileMr = 4;
constexpr int32_t kS8TileNr = 8;

// Full int8 tiles: accumulate, then the epilogue t.mode asks for. The
// dotprod one runs only when the CPU reports FEAT_DotProd, the i8mm one
// only with FEAT_I8MM.
void S8TileNeon(const x86::S8TileArgs& t);
void S8TileDotprod(const x86::S8TileArgs& t);
void S8TileI8mm(const x86::S8TileArgs& t);

}  // namespace ember::arm
