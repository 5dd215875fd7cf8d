// The WebAssembly SIMD128 fast-op table (kernels/drivers/fast_ops.h), listed
// in fast_ops_kernels.def under __wasm_simd128__. Every family has a SIMD128
// kernel (the ops call the table's entries without a null check), except
// the 8-bit table lookup, which is the same unrolled scalar loop as on x86
// (its label is "portable_lut8" in every table).
#if defined(__wasm_simd128__)
#include "kernels/wasm/fast_ops_simd128.h"

namespace ember::x86 {
namespace {

void Lut8Unrolled(const uint8_t* table, const uint8_t* in, uint8_t* out,
                  int64_t begin, int64_t end) {
  int64_t i = begin;
  for (; i + 8 <= end; i += 8) {
    out[i] = table[in[i]];
    out[i + 1] = table[in[i + 1]];
    out[i + 2] = table[in[i + 2]];
    out[i + 3] = table[in[i + 3]];
    out[i + 4] = table[in[i + 4]];
    out[i + 5] = table[in[i + 5]];
    out[i + 6] = table[in[i + 6]];
    out[i + 7] = table[in[i + 7]];
  }
  for (; i < end; ++i) out[i] = table[in[i]];
}

constexpr FastOpsKernels MakeTable() {
  FastOpsKernels k;
  k.isa_name = "simd128";
  k.binary_f32 = BinaryF32WasmSimd128;
  k.add_s8 = AddS8WasmSimd128;
  k.add_s16 = AddS16WasmSimd128;
  k.mul_s8 = MulS8WasmSimd128;
  k.mul_s16 = MulS16WasmSimd128;
  k.unary_f32 = UnaryF32WasmSimd128;
  k.lut8 = Lut8Unrolled;
  k.pool_f32 = PoolF32WasmSimd128;
  k.pool_s8 = PoolS8WasmSimd128;
  k.spatial_sum_f32 = SpatialSumF32WasmSimd128;
  k.spatial_sum_s8 = SpatialSumS8WasmSimd128;
  k.resize_bilinear_f32 = ResizeBilinearF32WasmSimd128;
  k.softmax_f32 = SoftmaxF32WasmSimd128;
  return k;
}

}  // namespace

const FastOpsKernels* FastOpsWasmSimd128() {
  static constexpr FastOpsKernels kKernels = MakeTable();
  return &kKernels;
}

}  // namespace ember::x86
#endif  // __wasm_simd128__
