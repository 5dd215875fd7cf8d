// One subgraph of a model at run time: its tensors, nodes (ops in execution
// order), the activation arena, and the plan that places tensors in it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/aligned_buffer.h"
#include "model/model.h"
#include "runtime/op_context.h"
#include "runtime/op_resolver.h"
#include "runtime/tensor.h"

namespace ember {

class Interpreter;
namespace graph {
class PassState;
}

class Subgraph : public OpHost {
 public:
  Subgraph(Interpreter* owner, int index);
  ~Subgraph() override;

  // Builds tensors and nodes from the flatbuffer; resolves every op.
  // Appends the names of ops the resolver lacks to `missing`.
  Status Init(const Model& model, const fb::SubGraph* sg,
              const OpResolver& resolver, std::vector<std::string>* missing);

  Status ResizeInput(int position, const Shape& shape);
  Status Allocate();
  Status Invoke();
  Status ResetVariables();

  int index() const { return index_; }
  const char* name() const { return name_; }
  std::vector<Tensor>& tensors() { return tensors_; }
  const std::vector<Tensor>& tensors() const { return tensors_; }
  const std::vector<int32_t>& inputs() const { return inputs_; }
  const std::vector<int32_t>& outputs() const { return outputs_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  bool needs_allocation() const { return needs_allocation_; }
  size_t arena_bytes() const { return arena_bytes_; }
  size_t arena_lower_bound() const { return arena_lower_bound_; }
  // Shape signature (-1 for dynamic dims) of a tensor, or its shape.
  Shape ShapeSignature(int32_t tensor) const;

  // Per-node timing of Invoke (ember bench --profile). Off by default; when
  // on, each node's wall time accumulates into node_nanos()[i].
  void EnableProfiling(bool on);
  const std::vector<int64_t>& node_nanos() const { return node_nanos_; }
  const std::vector<int64_t>& node_calls() const { return node_calls_; }
  // True for nodes that do not run: evaluated once at allocate time
  // (constant folding) or folded into another node by a graph pass.
  bool node_folded(int i) const {
    return node_folded_[i] != 0 || node_fused_away_[i] != 0;
  }
  // False when the graph passes are off (InterpreterOptions::disable_fusion,
  // EMBER_NO_FUSION=1, or preserve_all_tensors).
  bool graph_passes_enabled() const;

  // OpHost
  ErrorReporter& error_reporter() override;
  Status ResizeDynamicTensor(int32_t tensor_index, const Shape& shape) override;
  Status InvokeSubgraph(int32_t index) override;
  Status SubgraphIo(int32_t index, Tensor** tensors, const int32_t** inputs,
                    int32_t* num_inputs, const int32_t** outputs,
                    int32_t* num_outputs) override;
  Status ResizeSubgraphInput(int32_t subgraph, int32_t input_pos,
                             const Shape& shape) override;
  Status AllocateSubgraph(int32_t index) override;
  int num_threads() const override;
  ThreadPool* thread_pool() override;
  bool force_reference_kernels() const override;
  Status AllocatePersistent(int node_index, size_t bytes, void** out) override;

 private:
  Status PrepareNodes();
  // Graph passes (src/graph/): rewrite the prepared graph, then prepare the
  // rewritten nodes again. Falls back to the model's own graph when a
  // rewritten node fails to prepare.
  Status RunGraphPasses();
  Status PrepareRewrittenNode(int node_index);
  Status PlanArena();
  Status FoldConstantNodes();
  Status PrepareDynamicNode(int node_index);
  Status EnsureConstantAligned(Tensor& t);
  // Reserves through Grow() so that every tensor allocation is counted
  // against InterpreterOptions::max_tensor_bytes; kOutOfMemory on failure.
  Status Grow(AlignedBuffer& buffer, size_t bytes, const char* what);
  // Fails unless output k of node i has a shape with a sane element count.
  Status CheckOutputShapes(int node_index);
  // Frees the persistent buffers of node i and resets its kernel variant
  // (before the node is prepared again).
  void ReleaseNodeState(int node_index);

  Interpreter* owner_;
  int index_;
  const char* name_ = "";
  const Model* model_ = nullptr;
  const fb::SubGraph* sg_ = nullptr;
  std::vector<Tensor> tensors_;
  std::vector<Node> nodes_;
  std::vector<uint8_t> node_folded_;   // evaluated once at allocate time
  // Folds that depend on tensor shapes (SHAPE of a non-constant tensor, and
  // what is computed from it): undone and redone at every plan, because a
  // resized input changes them. Per node / per tensor.
  std::vector<uint8_t> node_shape_folded_;
  std::vector<uint8_t> tensor_shape_derived_;
  std::vector<uint8_t> node_dynamic_;  // re-prepared on every invoke
  std::vector<uint8_t> node_fused_away_;  // dropped by a graph pass
  std::unique_ptr<graph::PassState> passes_;
  std::vector<int32_t> inputs_;
  std::vector<int32_t> outputs_;
  AlignedBuffer arena_;
  AlignedBuffer op_data_;
  std::vector<AlignedBuffer> persistent_;  // per tensor; variables, folded
  std::vector<AlignedBuffer> dynamic_;     // per tensor; dynamic tensors
  std::vector<AlignedBuffer> dynamic_scratch_;  // per node
  std::vector<std::vector<AlignedBuffer>> node_persistent_;  // per node
  bool profiling_ = false;
  std::vector<int64_t> node_nanos_;
  std::vector<int64_t> node_calls_;
  size_t arena_bytes_ = 0;
  size_t arena_lower_bound_ = 0;
  size_t allocated_bytes_ = 0;  // capacity of every buffer above
  bool needs_allocation_ = true;
};

}  // namespace ember
