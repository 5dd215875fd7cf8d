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

// Binding ids of the C4 layout (docs/gpu_layout.md): C4Id(t) is tensor t
// stored as C4 (NHWC, channels padded to a multiple of 4, padding zero);
// PackedId(t, kind) is constant t packed at prepare for a C4 shader.
// Graph tensor ids stay below kIdSpace.
constexpr int32_t kIdSpace = 1 << 24;
enum class PackKind : int32_t { kConvFilter = 0, kDepthwiseFilter, kBias };
inline int32_t C4Id(int32_t t) { return t + kIdSpace; }
inline int32_t PackedId(int32_t t, PackKind kind) {
  return t + kIdSpace * (2 + static_cast<int32_t>(kind));
}
inline bool IsC4Id(int32_t id) { return id >= kIdSpace && id < 2 * kIdSpace; }
inline bool IsPackedId(int32_t id) { return id >= 2 * kIdSpace; }
inline int32_t TensorOfId(int32_t id) { return id % kIdSpace; }
inline PackKind PackKindOfId(int32_t id) {
  return static_cast<PackKind>(id / kIdSpace - 2);
}
inline int32_t Pad4(int32_t c) { return (c + 3) / 4 * 4; }

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

// Plans node `node` on C4 tensors (its activations bound as C4Id, its
// weights as PackedId) where the node is one the C4 shaders cover
// (CONV_2D with one group, DEPTHWISE_CONV_2D with multiplier 1, the
// activations, same-shape binary ops, pools, all 4-D); false otherwise,
// and the node is planned by PlanNode on NHWC tensors.
bool PlanNodeC4(const EmberDelegateGraph* graph, int32_t node, NodePlan* plan);

}  // namespace ember::gpu
