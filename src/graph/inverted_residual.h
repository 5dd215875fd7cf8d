// The fused fp32 inverted-residual block (MobileNetV2 style):
//   CONV_2D 1x1 (expand) -> DEPTHWISE_CONV_2D 3x3 (stride 1 or 2)
//   -> CONV_2D 1x1 (project) [-> ADD with the block input]
// run as one node that walks output row groups: the expanded rows a group
// needs (with the depthwise halo) are computed into a small per-thread
// window, the depthwise runs on them, then the projection (and the
// residual add) writes the output rows. The expanded and depthwise tensors
// never reach the arena. Uses the x86 fp32 kernels (packed-weight GEMM,
// depthwise rows); each output value is computed with the same kernel and
// operation order as the unfused ops.
//
// Inputs: 0 block input [N, H, W, Cin], 1 expand filter [Ce, 1, 1, Cin],
// 2 expand bias [Ce] or -1, 3 depthwise filter [1, 3, 3, Ce], 4 depthwise
// bias or -1, 5 project filter [Co, 1, 1, Ce], 6 project bias or -1.
// Output 0: [N, Ho, Wo, Co].
#pragma once

#include <cstdint>

#include "runtime/registration.h"
#include "schema/schema_generated.h"

namespace ember::graph {

// What the pattern contributes beyond the tensors (set by the pass).
struct InvertedResidualParams {
  int32_t expand_act = 0, dw_act = 0, project_act = 0, add_act = 0;
  int32_t dw_stride = 1;
  fb::Padding dw_padding = fb::Padding::SAME;
  int32_t dw_folded_pad[4] = {0, 0, 0, 0};  // top, bottom, left, right
  bool residual = false;  // output += block input (shapes equal)
};

const OpRegistration* InvertedResidualRegistration();

// Bytes of op data the node needs; the pass allocates them and calls
// SetInvertedResidualParams before Prepare.
size_t InvertedResidualOpDataBytes();
void SetInvertedResidualParams(void* op_data, const InvertedResidualParams& p);

}  // namespace ember::graph
