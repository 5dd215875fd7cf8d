// One subgraph of a model at run time: its tensors, nodes (ops in execution
// order), the activation arena, and the plan that places tensors in it.
// Allocate runs a pipeline of steps, each in its own file:
//   subgraph_build.cc    tensors and nodes from the flatbuffer (Init)
//   subgraph_prepare.cc  PrepareNode, the one way any node is prepared
//   subgraph_fold.cc     constant and SHAPE folding
//   subgraph_passes.cc   the graph passes (src/graph) over the prepared graph
//   subgraph_plan.cc     tensor lifetimes (src/planner) and the arena plan
//   subgraph.cc          Allocate, Invoke and the services ops call
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/aligned_buffer.h"
#include "model/model.h"
#include "runtime/node_state.h"
#include "runtime/op_context.h"
#include "runtime/op_resolver.h"
#include "runtime/tensor.h"

namespace ember {

class Interpreter;
struct TensorLifetime;
namespace graph {
class PassState;
}

// A partition of nodes taken over by a delegate (src/delegate/): one new
// node, run by `reg` with `op_data` (owned by the caller, alive as long as
// the subgraph), standing for `members` (node indices, in execution order).
struct DelegateKernelSpec {
  const OpRegistration* reg = nullptr;
  void* op_data = nullptr;
  std::vector<int32_t> members;
  std::vector<int32_t> inputs;     // read from outside (constants too)
  std::vector<int32_t> outputs;    // read outside it, or graph outputs
  std::vector<int32_t> internals;  // produced and consumed inside only
};

// One step of a new node order: an existing node (with its members when it
// is a delegate node), or a new delegate kernel.
struct ScheduleItem {
  int32_t node = -1;
  const DelegateKernelSpec* kernel = nullptr;  // outlives the subgraph
};

// Where the last arena plan put one buffer (ember report, Ember Studio):
// a tensor, or the scratch of one node. Tensors that share a buffer (an op
// that aliases or overwrites its input) have the same offset.
struct ArenaPlacement {
  int32_t tensor = -1;  // -1: scratch of `node`
  int32_t node = -1;
  size_t offset = 0;
  size_t bytes = 0;
  int32_t first_use = 0;  // node steps, inclusive (nodes().size(): after
  int32_t last_use = 0;   // the last node, for graph outputs)
};

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
  // Delegates: prepares every node at the current input shapes (shapes
  // propagated, constant subgraphs folded, run-time-sized tensors marked
  // kDynamic) without planning memory, so the delegate host sees what
  // Allocate will see. Tensors stay unallocated; Allocate prepares again.
  Status PrepareShapes();
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
  // Every buffer of the last arena plan (empty before Allocate).
  const std::vector<ArenaPlacement>& arena_placements() const {
    return arena_placements_;
  }
  // Shape signature (-1 for dynamic dims) of a tensor, or its shape.
  Shape ShapeSignature(int32_t tensor) const;

  // Per-node timing of Invoke (ember bench --profile). Off by default; when
  // on, each node's wall time accumulates into node_nanos()[i].
  void EnableProfiling(bool on);
  const std::vector<int64_t>& node_nanos() const { return node_nanos_; }
  const std::vector<int64_t>& node_calls() const { return node_calls_; }
  // True for nodes that do not run: evaluated once at allocate time
  // (constant folding) or folded into another node by a graph pass.
  bool node_folded(int i) const { return !node_state_[i].runs(); }
  // Delegates: puts the nodes in the order of `schedule`, which must list
  // every node that is not a delegate member exactly once, in an order
  // that respects data dependencies (src/delegate/ computes it). Only
  // before the first Allocate.
  Status ApplySchedule(const std::vector<ScheduleItem>& schedule);
  const NodeState& node_state(int i) const { return node_state_[i]; }
  // Whether Invoke evaluates node i now (not folded or fused away, not a
  // member of a working delegate node, not a failed delegate node).
  bool node_evaluated(int i) const {
    const NodeState& s = node_state_[i];
    if (!s.runs() || (s.is_delegate() && s.delegate_failed)) return false;
    return s.delegate_node < 0 || node_state_[s.delegate_node].delegate_failed;
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
  kernels::IsaSet allowed_isas() const override;
  Status AllocatePersistent(int node_index, size_t bytes, void** out) override;
  Status AllocatePersistentCached(int node_index, size_t bytes, void** out,
                                  bool* filled) override;

 private:
  // Inputs of a node, as the folding step sees them.
  struct InputKinds {
    bool all_constant = false;
    bool dynamic = false;        // some input is only sized at run time
    bool shape_derived = false;  // some input comes from a SHAPE fold
  };

  // subgraph_build.cc
  Status BuildTensors(const Model& model, const fb::SubGraph* sg);
  Status BuildNodes(const Model& model, const fb::SubGraph* sg,
                    const OpResolver& resolver,
                    std::vector<std::string>* missing);
  Status AssignOpData();
  Status EnsureConstantAligned(Tensor& t);

  // subgraph_prepare.cc
  // Prepares node i (initial plan, rewritten by a pass, or at run time):
  // releases what its last Prepare left, runs the op's Prepare, checks and
  // sizes its outputs.
  Status PrepareNode(int node_index);
  // Every node of the model's own graph, folding what can be folded.
  Status PrepareAllNodes();
  // Undoes the last plan's shape folds and tensor memory.
  void ResetTensorsForPlan();
  // A node whose input shapes are only known now (Invoke).
  Status PrepareDynamicNode(int node_index);
  // Places the scratch of a node prepared outside the arena plan.
  Status BindPrivateScratch(int node_index);
  // Fails unless output k of node i has a shape with a sane element count.
  Status CheckOutputShapes(int node_index);
  // Frees the persistent buffers of node i and resets its kernel variant
  // (before the node is prepared again).
  void ReleaseNodeState(int node_index);

  // subgraph_fold.cc
  Status ClassifyInputs(int node_index, InputKinds* kinds);
  bool Foldable(int node_index, const InputKinds& kinds) const;
  // Evaluates a prepared node once; its outputs become constants.
  Status FoldNode(int node_index, bool shape_derived);
  // Shapes may have changed since the last plan: shape-dependent folds go
  // back to being ordinary nodes.
  void UndoShapeFolds();
  // Node i is prepared at run time; its outputs become dynamic tensors.
  void MarkDynamic(int node_index);

  // subgraph_passes.cc: rewrite the prepared graph, then prepare the
  // rewritten nodes again. Falls back to the model's own graph when a
  // rewritten node fails to prepare.
  Status RunGraphPasses();
  Status PrepareRewrittenNode(int node_index);
  void ForgetGraphPasses();

  // subgraph_plan.cc
  Status PlanArena();
  // Per tensor, the tensor whose arena buffer it shares (itself unless an
  // op aliases or overwrites its input in place).
  std::vector<int32_t> BufferGroups(
      const std::vector<TensorLifetime>& life) const;

  // subgraph_delegate.cc
  // Evaluates the members of delegate node i on the CPU (its fallback).
  Status RunDelegateMembers(int delegate_node);

  // subgraph.cc
  // Fails when a node that sizes outputs at run time left one unsized.
  Status CheckDynamicOutputsSized(int node_index);
  // Reserves through Grow() so that every tensor allocation is counted
  // against InterpreterOptions::max_tensor_bytes; kOutOfMemory on failure.
  Status Grow(AlignedBuffer& buffer, size_t bytes, const char* what);

  Interpreter* owner_;
  int index_;
  const char* name_ = "";
  const Model* model_ = nullptr;
  const fb::SubGraph* sg_ = nullptr;
  std::vector<Tensor> tensors_;
  std::vector<TensorStorage> tensor_storage_;  // per tensor
  std::vector<Node> nodes_;
  std::vector<NodeState> node_state_;  // per node
  std::unique_ptr<graph::PassState> passes_;
  std::vector<int32_t> inputs_;
  std::vector<int32_t> outputs_;
  AlignedBuffer arena_;
  AlignedBuffer op_data_;
  bool profiling_ = false;
  std::vector<int64_t> node_nanos_;
  std::vector<int64_t> node_calls_;
  size_t arena_bytes_ = 0;
  // Multiply-accumulates per invoke (runtime/work_estimate.h), set when
  // the subgraph is planned; below kTinyModelMacs its ops get no pool.
  int64_t work_macs_ = INT64_MAX;
  size_t arena_lower_bound_ = 0;
  std::vector<ArenaPlacement> arena_placements_;
  size_t allocated_bytes_ = 0;  // capacity of every buffer above
  bool allocated_once_ = false;
  // Input/output lists of delegate nodes (nodes point into them).
  std::vector<std::unique_ptr<DelegateKernelSpec>> delegate_lists_;
  bool needs_allocation_ = true;
};

}  // namespace ember
