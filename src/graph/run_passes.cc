// The graph passes in the order Subgraph::Allocate runs them. Declared in
// runtime/graph_rewriter.h (the runtime calls it without including this
// layer) and defined here, above the ops the passes rewrite into.
#include "graph/passes.h"

namespace ember::graph {

void RunPasses(GraphRewriter& g, const PassOptions& options) {
  FoldPads(g);
  FuseActivations(g);
  if (options.fuse_inverted_residual) FuseInvertedResiduals(g);
}

}  // namespace ember::graph
