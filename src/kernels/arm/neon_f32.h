// AArch64 NEON fp32 kernels behind the ISA-neutral drivers of
// src/kernels/drivers (conv_f32.h): the GEMM microkernel reads the same packed
// weight panels (PackGemmWeightsF32 with nr = kGemmF32NeonNr) and the
// depthwise kernel takes the same arguments as the x86 ones. Reached
// through the kernel lists (kernels/drivers/*_kernels.def); the
// definitions exist only in aarch64 builds.
#pragma once

#include <cstdint>

#include "kernels/drivers/dwconv_f32.h"
#include "kernels/drivers/gemm_f32.h"

namespace ember::arm {

// 4 rows x 16 columns: 16 q-register accumulators, 4 registers of A
// (4 depth steps each, used lane by lane) and 4 of weights.
constexpr int32_t kGemmF32NeonMr = 4;
constexpr int32_t kGemmF32NeonNr = 16;

void GemmF32Neon(const x86::GemmF32Args& args, int64_t m_begin, int64_t m_end,
                 int32_t p_begin, int32_t p_end);

// Depthwise (multiplier 1), 4 channels per register, any filter size up to
// 64 rows; 3x3 keeps its nine weight vectors in registers.
void DwConvF32Neon(const x86::DwConvF32Args& args, int64_t row_begin,
                   int64_t row_end);

}  // namespace ember::arm
