// When each arena tensor is needed, in execution steps: the input the arena
// planner (greedy_planner.h) needs to let tensors share memory. Knows nothing
// of ops or the runtime: a step is just the tensor indices it touches.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace ember {

// The tensors one step (one node in execution order) touches. Negative
// indices (absent optional inputs) are ignored.
struct StepTensors {
  std::span<const int32_t> inputs;
  std::span<const int32_t> outputs;
  std::span<const int32_t> intermediates;
  // A step that does not run (folded into a constant or into another
  // step) keeps no tensor alive.
  bool skipped = false;
};

struct LifetimeGraph {
  // Per tensor: planned in the arena. Constants, variables and dynamic
  // tensors have storage of their own and get no lifetime.
  std::vector<bool> in_arena;
  std::vector<StepTensors> steps;
  // Pinned: inputs live from before the first step (the caller writes them)
  // to after the last (callers read inputs back); outputs until after the
  // last step.
  std::span<const int32_t> graph_inputs;
  std::span<const int32_t> graph_outputs;
  // Every used tensor lives for the whole run (callers may read any of
  // them afterwards), so no two share memory.
  bool preserve_all_tensors = false;
};

// First and last step (inclusive) a tensor is alive; steps.size() stands
// for "after the last step". Both -1 for a tensor that needs no memory.
struct TensorLifetime {
  int32_t first_use = -1;
  int32_t last_use = -1;
  bool used() const { return first_use >= 0; }
};

// One entry per tensor of graph.in_arena.
std::vector<TensorLifetime> ComputeTensorLifetimes(const LifetimeGraph& graph);

}  // namespace ember
