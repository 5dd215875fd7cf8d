// Choosing and preparing the optimized (x86 AVX2/AVX-512, AArch64 NEON)
// float kernels of the conv family. Used from Prepare; heap-free (packed
// weights go to the host's persistent per-node memory).
#pragma once

#include <cstdint>

#include "kernels/x86/conv_f32.h"
#include "ops/op_util.h"

namespace ember::ops {

// The fp32 ISA the optimized kernels may use for this op: kNone when the
// reference kernels are forced or the CPU has no supported ISA.
inline x86::Isa FastFloatIsa(const OpContext& ctx) {
  if (!ctx.optimized_kernels_allowed()) return x86::Isa::kNone;
  return x86::BestFloatIsa();
}

// Kernel-variant labels (static strings for Node::kernel_variant).
inline const char* GemmVariantName(x86::Isa isa, bool im2col) {
  if (isa == x86::Isa::kNeon)
    return im2col ? "arm_neon_im2col_gemm_4x16" : "arm_neon_gemm_4x16";
  if (isa == x86::Isa::kAvx512)
    return im2col ? "x86_avx512_im2col_gemm_8x32" : "x86_avx512_gemm_8x32";
  return im2col ? "x86_avx2_im2col_gemm_6x16" : "x86_avx2_gemm_6x16";
}

// Packs constant float weights [n][k] (+ optional constant bias [n]) for
// the ISA's GEMM into persistent memory. *packed stays nullptr (and the op
// keeps its reference kernel) when the weights or bias are not constant.
inline Status PackFastGemm(OpContext& ctx, x86::Isa isa, const Tensor* weights,
                           const Tensor* bias, int32_t n, int32_t k,
                           x86::GemmF32Kernel* kernel, const float** packed) {
  *packed = nullptr;
  if (isa == x86::Isa::kNone) return Status::Ok();
  if (!weights->is_constant() || (bias != nullptr && !bias->is_constant()))
    return Status::Ok();
  const x86::GemmF32Kernel kern = x86::GetGemmF32(isa);
  if (kern.fn == nullptr) return Status::Ok();
  void* mem = nullptr;
  EMBER_RETURN_IF_ERROR(
      ctx.AllocatePersistent(x86::PackedGemmWeightsBytes(n, k, kern.nr), &mem));
  x86::PackGemmWeightsF32(weights->data_as<float>(),
                          bias ? bias->data_as<float>() : nullptr, n, k, kern.nr,
                          static_cast<float*>(mem));
  *kernel = kern;
  *packed = static_cast<const float*>(mem);
  return Status::Ok();
}

}  // namespace ember::ops
