// Work per inference, for the threading cost model (base/work_split.h): a
// subgraph whose total is below kTinyModelMacs runs every node on the
// caller. Multiply-accumulates of the convolution / matrix ops from their
// tensors' shapes, one unit per output element for every other op.
#pragma once

#include <cstdint>

namespace ember {

class Subgraph;
struct Node;

// `matrix_ops_only`: 0 for every op but the convolution / matrix ones
// (the MACs a fraction-of-peak figure divides by).
int64_t EstimateNodeMacs(const Subgraph& sg, const Node& node,
                         bool matrix_ops_only = false);

// Sum over the nodes the subgraph evaluates (after graph passes).
int64_t EstimateSubgraphMacs(const Subgraph& sg, bool matrix_ops_only = false);

}  // namespace ember
