// The one hook CONV_2D and DEPTHWISE_CONV_2D need for PAD folding
// (src/graph/pad_folding.cc): the zero padding of a PAD op the pass folded
// into this convolution. The pass only folds into VALID convolutions, so
// the op computes its geometry on the padded size and shifts its leading
// padding; the kernels already treat taps outside the input as zeros (the
// input zero point for quantized types).
#pragma once

#include <cstdint>

#include "runtime/op_context.h"

namespace ember::graph {

struct FoldedPad {
  int32_t top = 0, bottom = 0, left = 0, right = 0;
};

inline FoldedPad FoldedPadding(const OpContext& ctx) {
  const Node* node = ctx.node();
  FoldedPad p;
  if (node == nullptr) return p;
  p.top = node->folded_pad[0];
  p.bottom = node->folded_pad[1];
  p.left = node->folded_pad[2];
  p.right = node->folded_pad[3];
  return p;
}

}  // namespace ember::graph
