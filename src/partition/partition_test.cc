#include "partition/partition.h"

#include <gtest/gtest.h>

#include <set>

namespace ember::delegate {
namespace {

// Node reading `in`, writing `out`; 'D' supported, 'C' CPU only.
PartitionNode N(std::vector<int32_t> in, std::vector<int32_t> out, char kind) {
  return {std::move(in), std::move(out), kind == 'D'};
}

using Steps = std::vector<std::pair<bool, std::vector<int32_t>>>;

Steps Flatten(const std::vector<PartitionStep>& steps) {
  Steps out;
  for (const PartitionStep& s : steps) out.push_back({s.delegated, s.nodes});
  return out;
}

// Independent check: executing the steps in order (each node after every
// producer of its inputs) is valid and covers each node once.
void ExpectValidOrder(const std::vector<PartitionNode>& g,
                      const std::vector<PartitionStep>& steps) {
  std::set<int32_t> ready = {};
  std::set<int32_t> produced_by_graph;
  for (const PartitionNode& n : g)
    for (int32_t t : n.outputs) produced_by_graph.insert(t);
  std::set<int32_t> seen;
  for (const PartitionStep& s : steps) {
    for (int32_t i : s.nodes) {
      EXPECT_TRUE(seen.insert(i).second) << "node " << i << " twice";
      for (int32_t t : g[i].inputs)
        if (produced_by_graph.count(t))
          EXPECT_TRUE(ready.count(t))
              << "node " << i << " reads " << t << " before it is written";
      for (int32_t t : g[i].outputs) ready.insert(t);
    }
  }
  EXPECT_EQ(seen.size(), g.size());
}

TEST(Partition, ChainOfSupportedNodesIsOnePartition) {
  // t0 -> D -> t1 -> D -> t2 -> D -> t3
  std::vector<PartitionNode> g = {N({0}, {1}, 'D'), N({1}, {2}, 'D'),
                                  N({2}, {3}, 'D')};
  const auto steps = PartitionNodes(g, {});
  EXPECT_EQ(Flatten(steps), (Steps{{true, {0, 1, 2}}}));
  ExpectValidOrder(g, steps);
}

TEST(Partition, UnsupportedNodeInTheMiddleSplitsAChain) {
  std::vector<PartitionNode> g = {N({0}, {1}, 'D'), N({1}, {2}, 'C'),
                                  N({2}, {3}, 'D')};
  const auto steps = PartitionNodes(g, {});
  EXPECT_EQ(Flatten(steps), (Steps{{true, {0}}, {false, {1}}, {true, {2}}}));
  ExpectValidOrder(g, steps);
}

TEST(Partition, IndependentSupportedNodesAroundACpuNodeJoin) {
  // D0: t0->t1, C1: t0->t2 (independent), D2: t1->t3, D3: t2,t3->t4.
  // D0 and D2 can run together; D3 needs C1's output.
  std::vector<PartitionNode> g = {N({0}, {1}, 'D'), N({0}, {2}, 'C'),
                                  N({1}, {3}, 'D'), N({2, 3}, {4}, 'D')};
  const auto steps = PartitionNodes(g, {});
  EXPECT_EQ(Flatten(steps), (Steps{{false, {1}}, {true, {0, 2, 3}}}));
  ExpectValidOrder(g, steps);
}

TEST(Partition, DiamondThroughACpuNodeNeedsTwoPartitions) {
  // D0 -> C1 -> D3 and D0 -> D2 -> D3: merging D0 and D3 would put a
  // cycle through C1.
  std::vector<PartitionNode> g = {N({0}, {1}, 'D'), N({1}, {2}, 'C'),
                                  N({1}, {3}, 'D'), N({2, 3}, {4}, 'D')};
  const auto steps = PartitionNodes(g, {});
  EXPECT_EQ(Flatten(steps), (Steps{{true, {0, 2}}, {false, {1}}, {true, {3}}}));
  ExpectValidOrder(g, steps);
}

TEST(Partition, DiamondOfSupportedNodesIsOnePartition) {
  std::vector<PartitionNode> g = {N({0}, {1}, 'D'), N({1}, {2}, 'D'),
                                  N({1}, {3}, 'D'), N({2, 3}, {4}, 'D')};
  EXPECT_EQ(Flatten(PartitionNodes(g, {})), (Steps{{true, {0, 1, 2, 3}}}));
}

TEST(Partition, InterleavedUnsupportedOpsKeepCpuOrder) {
  // Two CPU nodes with no data edge (a variable write, then a read) keep
  // their order even though the second one could run first.
  std::vector<PartitionNode> g = {N({0}, {1}, 'D'), N({1}, {2}, 'C'),
                                  N({0}, {3}, 'C'), N({3}, {4}, 'D'),
                                  N({2, 4}, {5}, 'D')};
  const auto steps = PartitionNodes(g, {});
  EXPECT_EQ(Flatten(steps),
            (Steps{{true, {0}}, {false, {1, 2}}, {true, {3, 4}}}));
  ExpectValidOrder(g, steps);
}

TEST(Partition, NothingSupportedIsOneCpuStep) {
  std::vector<PartitionNode> g = {N({0}, {1}, 'C'), N({1}, {2}, 'C')};
  EXPECT_EQ(Flatten(PartitionNodes(g, {})), (Steps{{false, {0, 1}}}));
}

TEST(Partition, EmptyGraph) { EXPECT_TRUE(PartitionNodes({}, {}).empty()); }

TEST(Partition, MinNodesPerPartitionLeavesSmallOnesOnTheCpu) {
  // Partitions {0}, {2,3}; min 2 drops {0}, which joins the CPU step.
  std::vector<PartitionNode> g = {N({0}, {1}, 'D'), N({1}, {2}, 'C'),
                                  N({2}, {3}, 'D'), N({3}, {4}, 'D')};
  PartitionLimits limits;
  limits.min_nodes_per_partition = 2;
  const auto steps = PartitionNodes(g, limits);
  EXPECT_EQ(Flatten(steps), (Steps{{false, {0, 1}}, {true, {2, 3}}}));
  ExpectValidOrder(g, steps);
}

TEST(Partition, MaxPartitionsKeepsTheLargest) {
  // Partitions {0}, {2,3}, {5}: with max 1 only {2,3} stays.
  std::vector<PartitionNode> g = {N({0}, {1}, 'D'), N({1}, {2}, 'C'),
                                  N({2}, {3}, 'D'), N({3}, {4}, 'D'),
                                  N({4}, {5}, 'C'), N({5}, {6}, 'D')};
  PartitionLimits limits;
  limits.max_partitions = 1;
  const auto steps = PartitionNodes(g, limits);
  EXPECT_EQ(Flatten(steps),
            (Steps{{false, {0, 1}}, {true, {2, 3}}, {false, {4, 5}}}));
  limits.max_partitions = 2;  // ties go to the earlier one
  EXPECT_EQ(
      Flatten(PartitionNodes(g, limits)),
      (Steps{{true, {0}}, {false, {1}}, {true, {2, 3}}, {false, {4, 5}}}));
}

TEST(Partition, BoundaryNamesInputsOutputsAndInternals) {
  // D0: t0,t9(const)->t1; D1: t1->t2; C2: t1->t3; graph outputs t2, t3.
  std::vector<PartitionNode> g = {N({0, 9}, {1}, 'D'), N({1}, {2}, 'D'),
                                  N({1}, {3}, 'C')};
  const PartitionBoundary b = BoundaryOf(g, {0, 1}, {2, 3});
  EXPECT_EQ(b.inputs, (std::vector<int32_t>{0, 9}));
  EXPECT_EQ(b.outputs, (std::vector<int32_t>{1, 2}));  // t1 read by C2
  EXPECT_TRUE(b.internals.empty());
  const PartitionBoundary only_first = BoundaryOf(g, {1}, {2});
  EXPECT_EQ(only_first.inputs, (std::vector<int32_t>{1}));
  EXPECT_EQ(only_first.outputs, (std::vector<int32_t>{2}));
}

TEST(Partition, RandomGraphsAlwaysGiveAValidOrder) {
  // Random DAGs (each node reads earlier tensors): the schedule is always
  // valid and every delegated step is convex (checked by ExpectValidOrder,
  // which runs steps as units in order).
  uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 1 + next() % 12;
    std::vector<PartitionNode> g;
    for (int i = 0; i < n; ++i) {
      std::vector<int32_t> in;
      const int reads = 1 + next() % 2;
      for (int r = 0; r < reads; ++r) in.push_back(next() % (i + 1));
      g.push_back(N(in, {i + 1}, (next() % 3) ? 'D' : 'C'));
    }
    PartitionLimits limits;
    limits.min_nodes_per_partition = next() % 3;
    limits.max_partitions = next() % 3;
    const auto steps = PartitionNodes(g, limits);
    ExpectValidOrder(g, steps);
    int delegated = 0;
    for (const PartitionStep& s : steps) {
      delegated += s.delegated;
      if (s.delegated && limits.min_nodes_per_partition > 1)
        EXPECT_GE(s.nodes.size(),
                  static_cast<size_t>(limits.min_nodes_per_partition));
      for (int32_t i : s.nodes) EXPECT_EQ(g[i].supported || !s.delegated, true);
    }
    if (limits.max_partitions > 0) EXPECT_LE(delegated, limits.max_partitions);
  }
}

}  // namespace
}  // namespace ember::delegate
