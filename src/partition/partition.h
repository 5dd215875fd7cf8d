// Graph partitioning for delegates: which nodes a delegate takes, grouped
// into partitions that can each run as one node without breaking a data
// dependency. Pure graph code over a plain description (tested on built
// graphs in partition_test.cc).
#pragma once

#include <cstdint>
#include <vector>

namespace ember::delegate {

struct PartitionNode {
  std::vector<int32_t> inputs;   // tensor indices; -1 = absent input
  std::vector<int32_t> outputs;  // tensor indices
  bool supported = false;        // the delegate takes it
};

struct PartitionLimits {
  // Smaller partitions stay on the CPU (0 or 1: no minimum).
  int32_t min_nodes_per_partition = 1;
  // Only the largest this many partitions are delegated (0: no limit);
  // ties go to the earlier partition.
  int32_t max_partitions = 0;
};

// A run of nodes executed together: on the delegate (one partition) or on
// the CPU. Executing the steps in order, each step's nodes in order,
// respects every data dependency of the graph.
struct PartitionStep {
  bool delegated = false;
  std::vector<int32_t> nodes;
};

// Splits `nodes` (in a valid execution order) into alternating CPU and
// delegated steps. Greedy and maximal: a delegated step takes every
// supported node whose inputs are ready, repeatedly, before the CPU gets
// its turn, so no node that could join a partition is left out of it. CPU
// nodes keep their relative order (stateful ops such as variable reads
// and writes have no data edge between them).
std::vector<PartitionStep> PartitionNodes(
    const std::vector<PartitionNode>& nodes, const PartitionLimits& limits);

// Tensors a set of nodes reads from outside (constants and graph inputs
// included), and the tensors it produces that something outside reads or
// that are graph outputs; the rest it produces are internal.
struct PartitionBoundary {
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  std::vector<int32_t> internals;
};
PartitionBoundary BoundaryOf(const std::vector<PartitionNode>& nodes,
                             const std::vector<int32_t>& members,
                             const std::vector<int32_t>& graph_outputs);

}  // namespace ember::delegate
