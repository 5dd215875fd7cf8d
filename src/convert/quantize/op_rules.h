// How each op is quantized (TFLite's quantization spec): which input holds
// weights, how its output parameters are chosen, and the op version that
// LiteRT expects for the int8 and int16x8 kernels.
#pragma once

#include "schema/schema_generated.h"

namespace ember::quantize {

enum class OutputRule {
  kCalibrated,   // the kernel rescales: output uses its own calibrated range
  kSameAsInput,  // data movement (pool, reshape, pad...): output = input 0
  kFixed,        // softmax, logistic, tanh: the spec fixes the output params
  kSharedWithInputs,  // concatenation: every input requantized to the output
};

struct OpRule {
  OutputRule output = OutputRule::kCalibrated;
  bool weighted = false;       // inputs 1 (filter) and 2 (bias) are weights
  int weight_channel_dim = 0;  // per-channel axis of the filter
  int version_int8 = 1;
  int version_int16 = 0;  // 0: no int16x8 kernel in LiteRT
  // Fixed output params (kFixed) for int8 and int16.
  float fixed_scale8 = 0, fixed_scale16 = 0;
  int fixed_zero8 = 0;
};

// nullptr when the op has no integer kernel (it stays float).
const OpRule* FindOpRule(fb::BuiltinOperator op);

}  // namespace ember::quantize
