// Pipeline step 4: the run-time graph passes (src/graph/) over the prepared
// graph: PAD folding, activation fusion, fused inverted-residual blocks.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/graph_rewriter.h"
#include "runtime/interpreter.h"
#include "runtime/subgraph.h"

namespace ember {

bool Subgraph::graph_passes_enabled() const {
  static const bool env_off = [] {
    const char* v = std::getenv("EMBER_NO_FUSION");
    return v != nullptr && v[0] != '\0' && std::strcmp(v, "0") != 0;
  }();
  const InterpreterOptions& o = owner_->options();
  // Folding drops tensors a caller asking for all of them wants to read.
  return !o.disable_fusion && !o.preserve_all_tensors && !env_off;
}

// The graph passes start from the model's own graph at every plan (shapes
// may have changed since the last one).
void Subgraph::ForgetGraphPasses() {
  passes_->Restore(nodes_);
  for (NodeState& state : node_state_) state.fused_away = false;
}

Status Subgraph::PrepareRewrittenNode(int i) {
  EMBER_RETURN_IF_ERROR(PrepareNode(i));
  if (nodes_[i].has_dynamic_output) {
    return error_reporter().Report(StatusCode::kInternal,
                                   "rewritten node %d has a dynamic output", i);
  }
  return Status::Ok();
}

Status Subgraph::RunGraphPasses() {
  if (!graph_passes_enabled()) return Status::Ok();
  const size_t num_nodes = nodes_.size();
  // Folded constants and nodes prepared at run time stay as they are.
  std::vector<uint8_t> frozen(num_nodes, 0), removed(num_nodes, 0);
  for (size_t i = 0; i < num_nodes; ++i) {
    const NodeState& state = node_state_[i];
    frozen[i] = state.folded || state.dynamic || nodes_[i].reg == nullptr;
  }
  graph::PassOptions options;
  options.fuse_inverted_residual = allowed_isas().any_float();
  graph::GraphRewriter rewriter(nodes_, tensors_, inputs_, outputs_, frozen,
                                removed, *passes_);
  graph::RunPasses(rewriter, options);
  for (size_t i = 0; i < num_nodes; ++i) {
    node_state_[i].fused_away = removed[i] != 0;
    // Dropped nodes give back their packed weights.
    if (removed[i]) ReleaseNodeState(static_cast<int>(i));
  }
  for (int i : rewriter.changed()) {
    if (node_state_[i].fused_away) continue;
    if (PrepareRewrittenNode(i).ok()) continue;
    // A rewrite the op refused: plan the model's own graph instead.
    ForgetGraphPasses();
    error_reporter().Clear();
    return PrepareAllNodes();
  }
  return Status::Ok();
}

}  // namespace ember
