// Choosing and preparing the optimized (x86 AVX2/AVX-512, AArch64 NEON)
// float kernels of the conv family. Used from Prepare; heap-free (packed
// weights go to the host's persistent per-node memory).
#pragma once

#include <cstdint>

#include "kernels/drivers/conv_f32.h"
#include "kernels/drivers/gemm_s8.h"
#include "kernels/ref/quant_util.h"
#include "ops/conv_util.h"
#include "ops/op_util.h"

namespace ember::ops {

// The fp32 GEMM this op may use: nullptr when the reference kernels are
// forced or no allowed ISA has one.
inline const x86::GemmF32Kernel* FastGemmF32(const OpContext& ctx) {
  return x86::SelectGemmF32(ctx.allowed_isas());
}

// Packs constant float weights [n][k] (+ optional constant bias [n]) for
// `kern` (nullptr: none) into persistent memory. *packed stays nullptr (and the
// op keeps its reference kernel) when the weights or bias are not constant.
// With `groups` > 1 (grouped convolution) the n rows are `groups` blocks of
// n / groups, each packed as its own panel set of
// PackedGemmWeightsBytes(n / groups, k, nr) bytes, one after the other.
inline Status PackFastGemm(OpContext& ctx, const x86::GemmF32Kernel* kern,
                           const Tensor* weights, const Tensor* bias, int32_t n,
                           int32_t k, x86::GemmF32Kernel* kernel,
                           const float** packed, int32_t groups = 1) {
  *packed = nullptr;
  if (kern == nullptr) return Status::Ok();
  if (!weights->is_constant() || (bias != nullptr && !bias->is_constant()))
    return Status::Ok();
  const int32_t group_n = n / groups;
  const size_t group_bytes = x86::PackedGemmWeightsBytes(group_n, k, kern->nr);
  void* mem = nullptr;
  bool cached = false;  // a weight cache hit holds the panels already
  EMBER_RETURN_IF_ERROR(
      ctx.AllocatePersistentCached(group_bytes * groups, &mem, &cached));
  for (int32_t g = 0; g < groups && !cached; ++g) {
    const int64_t row0 = static_cast<int64_t>(g) * group_n;
    x86::PackGemmWeightsF32(
        weights->data_as<float>() + row0 * k,
        bias ? bias->data_as<float>() + row0 : nullptr, group_n, k, kern->nr,
        static_cast<float*>(mem) + g * group_bytes / sizeof(float),
        ctx.thread_pool());
  }
  *kernel = *kern;
  *packed = static_cast<const float*>(mem);
  return Status::Ok();
}

// ---- int8 (and hybrid) CONV_2D / FULLY_CONNECTED ----

// The int8 tile this op may use: nullptr when the reference kernels are
// forced or no allowed ISA has one.
inline const x86::S8Kernel* FastS8Kernel(const OpContext& ctx) {
  return x86::SelectS8Kernel(ctx.allowed_isas());
}

// Prepared state of the int8 fast path (part of an op's data).
struct FastS8 {
  const uint8_t* packed = nullptr;  // nullptr: the op runs its reference kernel
  x86::S8Kernel kernel;
  x86::S8PackLayout layout;
  x86::S8Output mode = x86::S8Output::kInt8DoubleRounding;
  int max_slots = 1;
  int32_t groups = 1;  // grouped convolution: panel sets, one per group
  // Hybrid (kFloat): weight scale and float bias per column, padded to
  // whole panels (persistent).
  const float* col_scale = nullptr;
  const float* col_bias = nullptr;
};

// Packs constant int8 weights [n][taps * tap_k] for `isa` and fills the
// per-column header: for int8 outputs the bias with the input-shift and
// input zero-point corrections folded in (bias - (shift + input_zp) * sum w,
// shift = kern->input_shift: 128 on x86, 0 on ARM) and the requantization
// multiplier/shifts; for kFloat the -shift * sum w correction and sum w
// (the per-batch zero point is applied in Eval). `requant` holds the
// multipliers/shifts the op's Prepare already derived (PrepareConvQuantization;
// nullptr for kFloat): the header copies them instead of computing them again.
// With `groups` > 1 (grouped convolution: n / groups columns per group, each
// reading its own tap_k channels) each group is packed as its own panel set
// (f->layout describes one group; see S8Problem::groups), and the per-column
// float scale / bias are padded per group.
// f->packed stays nullptr when weights or bias are not constant.
inline Status PrepareFastS8(OpContext& ctx, const x86::S8Kernel* kern,
                            const Tensor* input, const Tensor* weights,
                            const Tensor* bias,
                            const ref::QuantizedOutput* requant, int32_t n,
                            int32_t taps, int32_t tap_k, x86::S8Output mode,
                            FastS8* f, int32_t groups = 1) {
  f->packed = nullptr;
  if (kern == nullptr) return Status::Ok();
  if (!weights->is_constant() || (bias != nullptr && !bias->is_constant()))
    return Status::Ok();
  // The padding row holds the input zero point as an int8 byte.
  if (mode != x86::S8Output::kFloat &&
      (input->quant.zero_point0() < -128 || input->quant.zero_point0() > 127))
    return Status::Ok();
  const int32_t group_n = n / groups;
  f->kernel = *kern;
  f->layout = x86::MakeS8Layout(group_n, taps, tap_k, f->kernel.nr);
  f->mode = mode;
  f->groups = groups;
  f->max_slots = ctx.num_threads() > 1 ? ctx.num_threads() : 1;
  const x86::S8PackLayout& l = f->layout;
  void* mem = nullptr;
  // The panels and their headers depend on constants only: a weight cache
  // hit (`cached`) already holds all of them.
  bool cached = false;
  EMBER_RETURN_IF_ERROR(
      ctx.AllocatePersistentCached(l.total_bytes * groups, &mem, &cached));
  auto* packed = static_cast<uint8_t*>(mem);
  const int8_t* w = weights->data_as<int8_t>();
  const int64_t k = static_cast<int64_t>(taps) * tap_k;
  for (int32_t g = 0; g < groups && !cached; ++g)
    x86::PackS8Weights(l, w + static_cast<int64_t>(g) * group_n * k,
                       packed + g * l.total_bytes, ctx.thread_pool());
  // Global column c is column c % group_n of group c / group_n.
  auto header = [&](int32_t slot, int32_t c) {
    return x86::S8Header(l, packed + (c / group_n) * l.total_bytes, slot,
                         c % group_n);
  };
  if (mode == x86::S8Output::kFloat) {
    const size_t padded = static_cast<size_t>(l.panels) * l.nr;
    void* fmem = nullptr;
    EMBER_RETURN_IF_ERROR(
        ctx.AllocatePersistent(2 * sizeof(float) * padded * groups, &fmem));
    auto* scale = static_cast<float*>(fmem);
    float* fbias = scale + padded * groups;
    for (int32_t g = 0; g < groups; ++g) {
      for (size_t j = 0; j < padded; ++j) {
        const bool real = j < static_cast<size_t>(group_n);
        const int32_t c = g * group_n + static_cast<int32_t>(j);
        scale[g * padded + j] = real ? WeightScale(weights, c) : 0.0f;
        fbias[g * padded + j] = real && bias ? bias->data_as<float>()[c] : 0.0f;
      }
    }
    f->col_scale = scale;
    f->col_bias = bias ? fbias : nullptr;
    for (int32_t c = 0; c < n && !cached; ++c) {
      const int32_t sum = x86::S8WeightSum(w, c, k);
      *header(0, c) = -kern->input_shift * sum;
      *header(1, c) = sum;
    }
  } else {
    const int32_t input_zp = input->quant.zero_point0();
    for (int32_t c = 0; c < n && !cached; ++c) {
      const int32_t sum = x86::S8WeightSum(w, c, k);
      const int32_t b = bias ? bias->data_as<int32_t>()[c] : 0;
      // Wrapping arithmetic, as the int32 accumulator itself.
      *header(0, c) = static_cast<int32_t>(
          static_cast<uint32_t>(b) -
          static_cast<uint32_t>(kern->input_shift + input_zp) *
              static_cast<uint32_t>(sum));
      const int32_t shift = requant->shift[c];
      *header(1, c) = requant->multiplier[c];
      if (mode == x86::S8Output::kInt8DoubleRounding) {
        *header(2, c) = shift > 0 ? shift : 0;
        *header(3, c) = shift > 0 ? 0 : -shift;
      } else {
        *header(3, c) = 31 - shift;
      }
    }
  }
  f->packed = packed;
  return Status::Ok();
}

}  // namespace ember::ops
