// The graph passes (runtime/graph_rewriter.h says what they may change).
// Each returns how many patterns it rewrote; RunPasses runs them in order.
#pragma once

#include "runtime/graph_rewriter.h"

namespace ember::graph {

int FoldPads(GraphRewriter& g);
int FuseActivations(GraphRewriter& g);
int FuseInvertedResiduals(GraphRewriter& g);

}  // namespace ember::graph
