// Small predicates the graph passes share.
#pragma once

#include <cstdint>

#include "runtime/tensor.h"
#include "schema/schema_generated.h"

namespace ember::graph {

inline constexpr int32_t Op(fb::BuiltinOperator op) {
  return static_cast<int32_t>(op);
}

// Same per-tensor quantization (or both unquantized).
inline bool SameQuantization(const Tensor& a, const Tensor& b) {
  if (a.quant.quantized() != b.quant.quantized()) return false;
  if (!a.quant.quantized()) return true;
  return a.quant.count == 1 && b.quant.count == 1 &&
         a.quant.scale0() == b.quant.scale0() &&
         a.quant.zero_point0() == b.quant.zero_point0();
}

// An activation a fused_activation_function field can express and every
// op's activation-range helper understands.
inline bool IsClampActivation(int32_t act) {
  return act == static_cast<int32_t>(fb::ActivationFunctionType::NONE) ||
         act == static_cast<int32_t>(fb::ActivationFunctionType::RELU) ||
         act == static_cast<int32_t>(fb::ActivationFunctionType::RELU6) ||
         act == static_cast<int32_t>(fb::ActivationFunctionType::RELU_N1_TO_1);
}

}  // namespace ember::graph
