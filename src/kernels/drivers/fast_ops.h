// Optimized x86 and WebAssembly SIMD128 kernels for the light-weight hot ops
// (element-wise binary arithmetic, activations, pooling, spatial mean,
// bilinear resize, 8-bit lookup tables). The per-ISA bodies live in
// fast_ops_<isa>.cc (kernels/x86, compiled with that ISA's flags only) and
// kernels/wasm/fast_ops_*simd128.cc, and are reached through the table
// returned by FastOpsList() (fast_ops_kernels.def); fast_ops.cc holds the
// ISA-neutral threaded drivers. Every kernel here is checked against the
// reference kernels in fast_ops_test.cc (the SIMD128 ones in
// tests/wasm/kernel_test.cc; integers bit-exact, floats within stated
// tolerances).
#pragma once

#include <cstdint>
#include <span>

#include "kernels/dispatch/registry.h"
#include "kernels/drivers/gemm_f32.h"
#include "kernels/ref/pooling.h"
#include "kernels/ref/resize.h"

namespace ember {
class ThreadPool;
}

namespace ember::x86 {

// ---------------------------------------------------------------------------
// Element-wise binary ops. Each operand is either the full output shape, a
// single element, or one row of `row` elements repeated along the output
// (the per-channel / last-dim broadcast). Flat output range [begin, end).
enum class BinaryOp : int32_t { kAdd, kSub, kMul, kMax, kMin, kPrelu };
enum class Operand : int32_t { kFull, kScalar, kRow };

struct BinaryArgs {
  const void* a = nullptr;
  const void* b = nullptr;
  void* out = nullptr;
  int64_t n = 0;    // output elements
  int64_t row = 1;  // length of a kRow operand
  Operand a_kind = Operand::kFull, b_kind = Operand::kFull;
  float lo = 0.0f, hi = 0.0f;  // fp32 fused activation clamp
};

// Quantized 8-bit ADD / SUB (the reference's fixed-point path, SUB already
// folded into a negative second multiplier) and MUL.
struct QuantAddArgs {
  int32_t left_shift;
  int32_t in1_offset, in2_offset, out_offset;
  int32_t in1_mult, in2_mult, out_mult;
  int32_t in1_shift, in2_shift, out_shift;
  int32_t act_lo, act_hi;
};
struct QuantMulArgs {
  int32_t in1_offset, in2_offset, out_offset;
  int32_t mult, shift;
  int32_t act_lo, act_hi;
};

using BinaryF32Fn = void (*)(BinaryOp op, const BinaryArgs& args, int64_t begin,
                             int64_t end);
using QuantAddS8Fn = void (*)(const QuantAddArgs& q, const BinaryArgs& args,
                              int64_t begin, int64_t end);
using QuantMulS8Fn = void (*)(const QuantMulArgs& q, const BinaryArgs& args,
                              int64_t begin, int64_t end);

// ---------------------------------------------------------------------------
// fp32 unary activations. LOGISTIC / TANH use a polynomial exp (see
// fast_ops_simd.h): absolute error below 2e-6 against std::exp / std::tanh.
// GELU (erf form) uses Abramowitz & Stegun 7.1.26 for erfc (absolute error
// 1.5e-7) and GELU_APPROX the tanh form through the logistic; both within
// 1e-6 x max(1, |x|) of ref::GeluF / ref::GeluApproxF.
enum class UnaryOp : int32_t {
  kClamp,
  kLeakyRelu,
  kHardSwish,
  kLogistic,
  kTanh,
  kGelu,
  kGeluApprox
};
struct UnaryArgs {
  const float* in = nullptr;
  float* out = nullptr;
  float lo = 0.0f, hi = 0.0f;  // kClamp
  float alpha = 0.0f;          // kLeakyRelu
};
using UnaryF32Fn = void (*)(UnaryOp op, const UnaryArgs& args, int64_t begin,
                            int64_t end);

// 8-bit table lookup: out[i] = table[in[i]] (bytes).
using Lut8Fn = void (*)(const uint8_t* table, const uint8_t* in, uint8_t* out,
                        int64_t begin, int64_t end);

// ---------------------------------------------------------------------------
// Pooling over NHWC, channels vectorized: rows [row_begin, row_end) of the
// flattened (batch, out_y) range.
using PoolF32Fn = void (*)(bool max, const ref::PoolParams& p, const float* in,
                           float* out, int64_t row_begin, int64_t row_end);
using PoolS8Fn = void (*)(bool max, const ref::PoolParams& p, const int8_t* in,
                          int8_t* out, int64_t row_begin, int64_t row_end);
using PoolS16Fn = void (*)(bool max, const ref::PoolParams& p,
                           const int16_t* in, int16_t* out, int64_t row_begin,
                           int64_t row_end);

// Sum over the spatial axis of one batch [spatial, channels] into fp32
// (channels [c_begin, c_end)), divided by `divisor` (1 for SUM).
using SpatialSumF32Fn = void (*)(const float* in, int64_t spatial,
                                 int64_t channels, int64_t c_begin,
                                 int64_t c_end, float divisor, float* out);
// Same for int8 data: exact int32 sums (the caller requantizes).
using SpatialSumS8Fn = void (*)(const int8_t* in, int64_t spatial,
                                int64_t channels, int64_t c_begin,
                                int64_t c_end, int32_t* out);
// And int16 data (the int32 sums wrap, as the reference's do).
using SpatialSumS16Fn = void (*)(const int16_t* in, int64_t spatial,
                                 int64_t channels, int64_t c_begin,
                                 int64_t c_end, int32_t* out);

// Bilinear resize (fp32) of output rows [row_begin, row_end) of the
// flattened (batch, out_y) range, same arithmetic as the reference.
using ResizeBilinearF32Fn = void (*)(const ref::ResizeParams& p,
                                     const float* in, float* out,
                                     int64_t row_begin, int64_t row_end);

// SOFTMAX (fp32) over rows [row_begin, row_end) of `depth` elements:
// exp((x - max) * beta) with the polynomial exp, normalised by the sum.
// Within 1e-6 of the reference (relative to 1, the output range).
using SoftmaxF32Fn = void (*)(const float* in, float* out, int32_t depth,
                              float beta, int64_t row_begin, int64_t row_end);

struct FastOpsKernels {
  const char* isa_name = nullptr;  // "avx512" / "avx2"
  BinaryF32Fn binary_f32 = nullptr;
  QuantAddS8Fn add_s8 = nullptr;
  QuantAddS8Fn add_s16 = nullptr;  // int16 data, same arithmetic
  QuantMulS8Fn mul_s8 = nullptr;
  QuantMulS8Fn mul_s16 = nullptr;  // int16 data, same arithmetic
  UnaryF32Fn unary_f32 = nullptr;
  Lut8Fn lut8 = nullptr;
  PoolF32Fn pool_f32 = nullptr;
  PoolS8Fn pool_s8 = nullptr;
  PoolS16Fn pool_s16 = nullptr;  // null: int16 pooling stays on the reference
  SpatialSumF32Fn spatial_sum_f32 = nullptr;
  SpatialSumS8Fn spatial_sum_s8 = nullptr;
  SpatialSumS16Fn spatial_sum_s16 = nullptr;  // null: likewise for MEAN/SUM
  ResizeBilinearF32Fn resize_bilinear_f32 = nullptr;
  SoftmaxF32Fn softmax_f32 = nullptr;
};

// What the fast-op tables serve, for the kernel_variant labels.
enum class FastFamily : int32_t {
  kEltwise,
  kEltwiseS8,
  kEltwiseS16,
  kActivation,
  kLut8,
  kPool,
  kPoolS8,
  kMean,
  kMeanS8,
  kResizeBilinear,
  kSoftmax,
  kPoolS16,
  kMeanS16,
  kCount
};

// One entry of the fast-op list (fast_ops_kernels.def): a per-ISA table
// and the label of each family it serves.
struct FastOpsEntry {
  kernels::Isa isa = kernels::Isa::kPortable;
  const char* function = nullptr;  // the table's getter
  const FastOpsKernels* (*kernels)() = nullptr;
  const char* labels[static_cast<int32_t>(FastFamily::kCount)] = {};
};

// Every fast-op table built for this architecture, best first.
std::span<const FastOpsEntry> FastOpsList();

// The first allowed one (nullptr: reference kernels).
inline const FastOpsEntry* SelectFastOpsEntry(kernels::IsaSet allowed) {
  return kernels::FirstAllowed(FastOpsList(), allowed);
}

// The label of `family` for a table from FastOpsList ("?" otherwise).
const char* FastOpsLabel(const FastOpsKernels* table, FastFamily family);

// Defined in the per-ISA files (x86 builds only; the SIMD128 one in
// kernels/wasm, WebAssembly builds with -msimd128 only).
const FastOpsKernels* FastOpsAvx512();
const FastOpsKernels* FastOpsAvx2();
const FastOpsKernels* FastOpsWasmSimd128();

// One entry of the 8-bit table-lookup list (lut8_kernels.def).
struct Lut8Kernel {
  kernels::Isa isa = kernels::Isa::kPortable;
  const char* function = nullptr;
  const char* label = nullptr;  // kernel_variant
  Lut8Fn fn = nullptr;
};

// Every table lookup built for this architecture, best first (the last is
// portable, so one is always there unless reference kernels are forced).
std::span<const Lut8Kernel> Lut8Kernels();

inline const Lut8Kernel* SelectLut8(kernels::IsaSet allowed) {
  return kernels::FirstAllowed(Lut8Kernels(), allowed);
}

// The list's functions (Lut8Fn) are declared by the list itself
// (fast_ops.cc), so a new one is its file plus one line there.

// ---------------------------------------------------------------------------
// Threaded drivers (ISA-neutral): split the work over the pool when it is
// large enough to pay for the wake-up, else run on the caller.
void RunBinaryF32(ThreadPool* pool, BinaryF32Fn fn, BinaryOp op,
                  const BinaryArgs& args);
void RunQuantAddS8(ThreadPool* pool, QuantAddS8Fn fn, const QuantAddArgs& q,
                   const BinaryArgs& args);
void RunQuantMulS8(ThreadPool* pool, QuantMulS8Fn fn, const QuantMulArgs& q,
                   const BinaryArgs& args);
void RunUnaryF32(ThreadPool* pool, UnaryF32Fn fn, UnaryOp op,
                 const UnaryArgs& args, int64_t n);
void RunLut8(ThreadPool* pool, Lut8Fn fn, const uint8_t* table,
             const uint8_t* in, uint8_t* out, int64_t n);
void RunPoolF32(ThreadPool* pool, PoolF32Fn fn, bool max,
                const ref::PoolParams& p, const float* in, float* out);
void RunPoolS8(ThreadPool* pool, PoolS8Fn fn, bool max,
               const ref::PoolParams& p, const int8_t* in, int8_t* out);
void RunPoolS16(ThreadPool* pool, PoolS16Fn fn, bool max,
                const ref::PoolParams& p, const int16_t* in, int16_t* out);
void RunResizeBilinearF32(ThreadPool* pool, ResizeBilinearF32Fn fn,
                          const ref::ResizeParams& p, const float* in,
                          float* out);

void RunSoftmaxF32(ThreadPool* pool, SoftmaxF32Fn fn, const float* in,
                   float* out, int32_t depth, float beta, int64_t rows);

// Whether the average-pool int8 kernel is exact for these params: it
// divides in float, exact while |window sum| < 2^23.
inline bool PoolS8Exact(const ref::PoolParams& p) {
  return static_cast<int64_t>(p.filter_h) * p.filter_w * 256 < (1 << 23);
}
inline bool PoolS16Exact(const ref::PoolParams& p) {
  return static_cast<int64_t>(p.filter_h) * p.filter_w * 32768 < (1 << 23);
}

}  // namespace ember::x86
