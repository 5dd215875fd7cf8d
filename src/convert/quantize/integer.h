// Full-integer quantization (int8, int16x8) of subgraph 0 given calibration
// statistics.
#pragma once

#include <set>
#include <vector>

#include "convert/quantize/calibration.h"
#include "convert/quantize/quantize.h"

namespace ember::quantize {

struct IntegerResult {
  // Per original tensor of subgraph 0: the integer tensor holding its value
  // in the rewritten model (before unused tensors are removed), or -1.
  std::vector<int32_t> integer_tensor;
  // Per original op index: whether it was quantized.
  std::vector<bool> op_quantized;
};

// Rewrites `model` in place. Ops in `force_float` (original op indices) stay
// float.
bool RewriteInteger(fb::ModelT* model, const std::vector<TensorStats>& stats,
                    const QuantizeOptions& options,
                    const std::set<int>& force_float, IntegerResult* result,
                    QuantizeReport* report, convert::Diagnostics* diag);

}  // namespace ember::quantize
