// Which nodes the GPU delegate takes, and how each becomes compute
// dispatches (shader, bound tensors, push constants, thread count).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ember/delegate.h"
#include "gpu/half.h"
#include "gpu/vulkan_device.h"

namespace ember::gpu {

// One shader launch. Bindings name tensors of the graph (-1: unused);
// binding 3 is the output.
struct Dispatch {
  std::string shader;
  int32_t bind[kBindings] = {-1, -1, -1, -1};
  int32_t push[kPushWords] = {};
  int64_t threads = 0;
};

// What one node becomes.
struct NodePlan {
  std::vector<Dispatch> dispatches;
  // RESHAPE-like nodes: the output shares the input's buffer.
  int32_t alias_of = -1;
  // DEQUANTIZE of constant fp16 weights: the output is filled at upload.
  bool fp16_constant = false;
};

// True when the delegate can run node `node` of `graph` (float32 data,
// constant or fp16-dequantized weights, options it implements).
bool SupportsNode(const EmberDelegateGraph* graph, int32_t node);

// Plans node `node` with the graph's current shapes; false with *error
// naming why when a shape or option is outside what the shaders do.
bool PlanNode(const EmberDelegateGraph* graph, int32_t node, NodePlan* plan,
              std::string* error);

}  // namespace ember::gpu
