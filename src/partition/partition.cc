#include "partition/partition.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace ember::delegate {

namespace {

// Per node, the nodes it must wait for: the producers of its inputs, and
// for a CPU node the CPU node before it.
std::vector<std::vector<int32_t>> Dependencies(
    const std::vector<PartitionNode>& nodes) {
  std::unordered_map<int32_t, int32_t> producer;
  for (int32_t i = 0; i < static_cast<int32_t>(nodes.size()); ++i)
    for (int32_t t : nodes[i].outputs) producer[t] = i;
  std::vector<std::vector<int32_t>> deps(nodes.size());
  int32_t last_cpu = -1;
  for (int32_t i = 0; i < static_cast<int32_t>(nodes.size()); ++i) {
    for (int32_t t : nodes[i].inputs) {
      auto it = producer.find(t);
      if (t >= 0 && it != producer.end() && it->second != i)
        deps[i].push_back(it->second);
    }
    if (!nodes[i].supported) {
      if (last_cpu >= 0) deps[i].push_back(last_cpu);
      last_cpu = i;
    }
  }
  return deps;
}

// Steps of a delegated kind that the limits reject go back to the CPU.
void ApplyLimits(const PartitionLimits& limits,
                 std::vector<PartitionStep>& steps) {
  const size_t min_nodes =
      static_cast<size_t>(std::max(limits.min_nodes_per_partition, 1));
  std::vector<size_t> kept;
  for (size_t s = 0; s < steps.size(); ++s) {
    if (!steps[s].delegated) continue;
    if (steps[s].nodes.size() < min_nodes) {
      steps[s].delegated = false;
    } else {
      kept.push_back(s);
    }
  }
  if (limits.max_partitions > 0 &&
      kept.size() > static_cast<size_t>(limits.max_partitions)) {
    std::stable_sort(kept.begin(), kept.end(), [&](size_t a, size_t b) {
      return steps[a].nodes.size() > steps[b].nodes.size();
    });
    for (size_t k = static_cast<size_t>(limits.max_partitions); k < kept.size();
         ++k)
      steps[kept[k]].delegated = false;
  }
  // Neighbouring CPU steps become one.
  std::vector<PartitionStep> merged;
  for (PartitionStep& step : steps) {
    if (!merged.empty() && !merged.back().delegated && !step.delegated) {
      merged.back().nodes.insert(merged.back().nodes.end(), step.nodes.begin(),
                                 step.nodes.end());
    } else {
      merged.push_back(std::move(step));
    }
  }
  steps = std::move(merged);
}

}  // namespace

std::vector<PartitionStep> PartitionNodes(
    const std::vector<PartitionNode>& nodes, const PartitionLimits& limits) {
  const int32_t n = static_cast<int32_t>(nodes.size());
  const std::vector<std::vector<int32_t>> deps = Dependencies(nodes);
  std::vector<uint8_t> done(n, 0);
  std::vector<PartitionStep> steps;
  int32_t remaining = n;
  // CPU first: a partition then finds as many of its inputs ready as can be.
  bool delegated = false;
  int empty_in_a_row = 0;
  while (remaining > 0 && empty_in_a_row < 2) {
    PartitionStep step;
    step.delegated = delegated;
    for (bool progress = true; progress;) {
      progress = false;
      for (int32_t i = 0; i < n; ++i) {
        if (done[i] || nodes[i].supported != delegated) continue;
        bool ready = true;
        for (int32_t d : deps[i]) ready = ready && done[d];
        if (!ready) continue;
        done[i] = 1;
        --remaining;
        step.nodes.push_back(i);
        progress = true;
      }
    }
    empty_in_a_row = step.nodes.empty() ? empty_in_a_row + 1 : 0;
    if (!step.nodes.empty()) steps.push_back(std::move(step));
    delegated = !delegated;
  }
  if (remaining > 0) {
    // Only a cyclic graph gets here (loaded models are verified acyclic):
    // leave everything on the CPU in the order given.
    PartitionStep all;
    for (int32_t i = 0; i < n; ++i) all.nodes.push_back(i);
    return {all};
  }
  ApplyLimits(limits, steps);
  return steps;
}

PartitionBoundary BoundaryOf(const std::vector<PartitionNode>& nodes,
                             const std::vector<int32_t>& members,
                             const std::vector<int32_t>& graph_outputs) {
  std::unordered_set<int32_t> inside(members.begin(), members.end());
  std::unordered_set<int32_t> produced, read_outside, seen_input;
  for (int32_t m : members)
    for (int32_t t : nodes[m].outputs) produced.insert(t);
  for (int32_t i = 0; i < static_cast<int32_t>(nodes.size()); ++i) {
    if (inside.count(i)) continue;
    for (int32_t t : nodes[i].inputs) read_outside.insert(t);
  }
  for (int32_t t : graph_outputs) read_outside.insert(t);
  PartitionBoundary b;
  for (int32_t m : members) {
    for (int32_t t : nodes[m].inputs) {
      if (t < 0 || produced.count(t) || !seen_input.insert(t).second) continue;
      b.inputs.push_back(t);
    }
    for (int32_t t : nodes[m].outputs) {
      (read_outside.count(t) ? b.outputs : b.internals).push_back(t);
    }
  }
  return b;
}

}  // namespace ember::delegate
