#include "planner/tensor_lifetimes.h"

#include <algorithm>

namespace ember {

std::vector<TensorLifetime> ComputeTensorLifetimes(const LifetimeGraph& graph) {
  const int32_t num_tensors = static_cast<int32_t>(graph.in_arena.size());
  const int32_t end = static_cast<int32_t>(graph.steps.size());
  std::vector<TensorLifetime> life(num_tensors);
  auto planned = [&](int32_t t) {
    return t >= 0 && t < num_tensors && graph.in_arena[t];
  };
  auto touch = [&](std::span<const int32_t> tensors, int32_t step) {
    for (int32_t t : tensors) {
      if (!planned(t)) continue;
      if (life[t].first_use < 0) life[t].first_use = step;
      life[t].last_use = std::max(life[t].last_use, step);
    }
  };
  for (int32_t t : graph.graph_inputs) {
    if (planned(t)) life[t].first_use = 0;
  }
  for (int32_t i = 0; i < end; ++i) {
    const StepTensors& step = graph.steps[i];
    if (step.skipped) continue;
    touch(step.inputs, i);
    touch(step.outputs, i);
    touch(step.intermediates, i);
  }
  for (int32_t t : graph.graph_outputs) {
    if (!planned(t)) continue;
    if (life[t].first_use < 0) life[t].first_use = 0;
    life[t].last_use = end;
  }
  for (int32_t t : graph.graph_inputs) {
    if (planned(t)) life[t].last_use = end;
  }
  if (graph.preserve_all_tensors) {
    for (TensorLifetime& l : life) {
      if (!l.used()) continue;
      l.first_use = 0;
      l.last_use = end;
    }
  }
  return life;
}

}  // namespace ember
