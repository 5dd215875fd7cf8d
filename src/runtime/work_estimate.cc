#include "runtime/work_estimate.h"

#include <algorithm>
#include <cstring>

#include "runtime/subgraph.h"
#include "schema/schema_generated.h"

namespace ember {
namespace {

const Shape* InputShape(const Subgraph& sg, const Node& node, int i) {
  if (i >= node.num_inputs || node.inputs[i] < 0) return nullptr;
  return &sg.tensors()[node.inputs[i]].shape;
}

}  // namespace

int64_t EstimateNodeMacs(const Subgraph& sg, const Node& node,
                         bool matrix_ops_only) {
  if (node.num_outputs < 1 || node.outputs[0] < 0) return 0;
  const Shape& out = sg.tensors()[node.outputs[0]].shape;
  const int64_t out_elems = out.NumElements();
  const Shape* in = InputShape(sg, node, 0);
  const Shape* w = InputShape(sg, node, 1);
  if (node.reg != nullptr && node.reg->name != nullptr &&
      std::strcmp(node.reg->name, "FUSED_INVERTED_RESIDUAL") == 0 &&
      node.num_inputs == 7 && in != nullptr && w != nullptr) {
    // The graph pass's fused block (src/graph/inverted_residual.cc): x,
    // expand weights [mid, (1, 1,) in], bias, depthwise 3x3 [1, 3, 3, mid],
    // bias, project weights [out, (1, 1,) mid], bias.
    const Shape* project = InputShape(sg, node, 5);
    if (w->rank >= 2 && project != nullptr && project->rank >= 2 &&
        project->dim(0) > 0) {
      const int64_t mid = w->dim(0);
      const int64_t out_pixels = out_elems / project->dim(0);
      return in->NumElements() * mid + out_pixels * mid * 9 + out_elems * mid;
    }
  }
  using Op = fb::BuiltinOperator;
  switch (static_cast<Op>(node.builtin_code)) {
    case Op::CONV_2D:  // filter [O, H, W, I / groups]
      if (w != nullptr && w->rank == 4 && w->dim(0) > 0)
        return out_elems * (w->NumElements() / w->dim(0));
      break;
    case Op::DEPTHWISE_CONV_2D:  // filter [1, H, W, C]
      if (w != nullptr && w->rank == 4)
        return out_elems * w->dim(1) * w->dim(2);
      break;
    case Op::FULLY_CONNECTED:  // weights [O, K]
      if (w != nullptr && w->rank == 2) return out_elems * w->dim(1);
      break;
    case Op::TRANSPOSE_CONV: {  // inputs: output shape, filter [O,H,W,I], x
      const Shape* filter = w;
      const Shape* x = InputShape(sg, node, 2);
      if (filter != nullptr && x != nullptr && filter->rank == 4 &&
          filter->dim(3) > 0)
        return x->NumElements() * (filter->NumElements() / filter->dim(3));
      break;
    }
    case Op::BATCH_MATMUL:  // out [.., M, N]; lhs [.., M, K] or [.., K, M]
      if (in != nullptr && out.rank >= 2 && out_elems > 0)
        return in->NumElements() * out.dim(out.rank - 1);
      break;
    default:
      break;
  }
  return matrix_ops_only ? 0 : out_elems;
}

int64_t EstimateSubgraphMacs(const Subgraph& sg, bool matrix_ops_only) {
  int64_t total = 0;
  for (size_t i = 0; i < sg.nodes().size(); ++i) {
    if (!sg.node_evaluated(static_cast<int>(i))) continue;
    total += std::max<int64_t>(
        0, EstimateNodeMacs(sg, sg.nodes()[i], matrix_ops_only));
  }
  return total;
}

}  // namespace ember
