// Block-sparse fast path for fp32 1x1 CONV_2D and FULLY_CONNECTED: when the
// constant weights are mostly zero (pruned models; DENSIFY is folded before
// Prepare, so pruned .tflite files arrive here as dense constants), Prepare
// packs them into compressed 1x4 (or 1x1) blocks and Eval runs the sparse
// GEMM (src/kernels/drivers/spmm_f32*). Kept apart from the ops' own files so
// that their hooks are two calls each.
#pragma once

#include <cstdint>

#include "kernels/drivers/spmm_f32.h"
#include "kernels/ref/conv.h"
#include "ops/fast_path.h"

namespace ember::ops {

// Fraction of zero blocks (1x4) from which the sparse kernel is used. At
// 75% it runs MobileNet V1/V2's 1x1 convolutions 1.3-1.7x faster than the
// dense GEMM (src/kernels/drivers/spmm_f32_benchmark.cc); at 50% it roughly
// breaks even, so weights any denser stay on the dense path.
constexpr double kSparseMinZeroFraction = 0.5;

struct SparseFloatPath {
  x86::SpmmF32Kernel kernel;  // kernel.fn == nullptr: not in use
  x86::SpmmF32Matrix matrix;
  int slots = 1;
  int scratch = -1;
  bool active() const { return kernel.fn != nullptr; }
};

// Weights [n][k] (+ optional bias [n]) for `rows` rows of A per Eval
// (fewer than 4 rows, e.g. a batch-1 fully connected layer, run as sparse
// dot products). Leaves `sp` inactive (dense path) unless the ISA,
// constness and sparsity make the sparse kernel the better choice.
inline Status PrepareSparseFloat(OpContext& ctx, const Tensor* weights,
                                 const Tensor* bias, int32_t n, int32_t k,
                                 int64_t rows, SparseFloatPath* sp) {
  *sp = SparseFloatPath{};
  const x86::SpmmF32Kernel* kernel = x86::SelectSpmmF32(ctx.allowed_isas());
  if (kernel == nullptr || n <= 0 || k <= 0 || rows <= 0) return Status::Ok();
  if (!weights->is_constant() || (bias != nullptr && !bias->is_constant()))
    return Status::Ok();
  const float* w = weights->data_as<float>();
  const int32_t block = x86::ChooseSparseBlock(x86::MeasureSparsity(w, n, k),
                                               kSparseMinZeroFraction);
  if (block == 0) return Status::Ok();
  void* mem = nullptr;
  EMBER_RETURN_IF_ERROR(
      ctx.AllocatePersistent(x86::PackedSpmmF32Bytes(w, n, k, block), &mem));
  sp->matrix = x86::PackSpmmF32(w, bias ? bias->data_as<float>() : nullptr, n,
                                k, block, mem);
  sp->slots = ctx.num_threads() > 1 ? ctx.num_threads() : 1;
  EMBER_RETURN_IF_ERROR(
      ctx.RequestScratch(sizeof(float) * static_cast<size_t>(sp->slots) *
                             static_cast<size_t>(x86::SpmmScratchFloats(k, n)),
                         &sp->scratch));
  sp->kernel = *kernel;
  ctx.SetKernelVariant(block == 4 ? kernel->label_1x4 : kernel->label_1x1);
  return Status::Ok();
}

// The 1x1 stride-1 unpadded convolutions (the input is the A matrix).
inline Status PrepareSparseConv1x1(OpContext& ctx, const ref::ConvShape& s,
                                   const Tensor* filter, const Tensor* bias,
                                   SparseFloatPath* sp) {
  *sp = SparseFloatPath{};
  const bool direct = s.filter_h == 1 && s.filter_w == 1 && s.stride_h == 1 &&
                      s.stride_w == 1 && s.pad_top == 0 && s.pad_left == 0 &&
                      s.out_h == s.in_h && s.out_w == s.in_w &&
                      s.filter_in_c == s.in_c;
  if (!direct) return Status::Ok();
  return PrepareSparseFloat(ctx, filter, bias, s.out_c, s.in_c,
                            static_cast<int64_t>(s.batches) * s.out_h * s.out_w,
                            sp);
}

// output[rows][n] = clamp(input[rows][k] * W^T + bias, lo, hi).
inline void RunSparseFloat(OpContext& ctx, const SparseFloatPath& sp,
                           const float* input, int64_t rows, float* output,
                           float lo, float hi) {
  x86::RunSpmmF32(ctx.thread_pool(), sp.slots, sp.kernel, sp.matrix, input,
                  sp.matrix.k, rows, output, sp.matrix.n, lo, hi,
                  static_cast<float*>(ctx.scratch(sp.scratch)));
}

}  // namespace ember::ops
