// Rewrites of ONNX subgraphs before conversion, where exporters decompose
// an op TFLite has as a builtin.
#pragma once

#include "onnx.pb.h"

namespace ember::convert::onnx {

// PyTorch's exact GELU, x * 0.5 * (1 + erf(x / sqrt(2))), exported as
// Div/Erf/Add/Mul/Mul, becomes one Gelu node. Returns how many were fused.
int FuseGelu(GraphProto* graph);

}  // namespace ember::convert::onnx
