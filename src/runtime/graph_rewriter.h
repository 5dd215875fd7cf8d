// What the graph passes see of a subgraph and how they change it. The
// passes run inside Subgraph::Allocate, after every node was prepared once
// (so shapes are known) and before the arena is planned: a pass may drop
// nodes (they are skipped at run time and their output tensors get no
// memory), point a node at other tensors, or turn a node into a fused op.
// Every change is undone by PassState::Restore before the next planning,
// so a resize sees the model's own graph again.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "runtime/op_context.h"
#include "runtime/tensor.h"

namespace ember::graph {

// The fields of a node the passes may change, as the model had them.
struct NodeSnapshot {
  const OpRegistration* reg = nullptr;
  const int32_t* inputs = nullptr;
  int32_t num_inputs = 0;
  const int32_t* outputs = nullptr;
  int32_t num_outputs = 0;
  void* op_data = nullptr;
};

// Storage owned by the subgraph for rewritten nodes: input/output lists and
// op data of fused nodes live here (nodes point into it).
class PassState {
 public:
  PassState();
  ~PassState();
  // First call: remembers the nodes as the model has them. Later calls:
  // puts them back and forgets every rewrite.
  void Restore(std::vector<Node>& nodes);
  std::vector<int32_t>& NewList(const int32_t* values, int32_t count);
  // Zero-initialised, 64-byte aligned op data for a fused node.
  void* NewOpData(size_t bytes);

 private:
  struct Free {
    void operator()(uint8_t* p) const;
  };
  bool snapshot_taken_ = false;
  std::vector<NodeSnapshot> original_;
  std::deque<std::vector<int32_t>> lists_;
  std::vector<std::unique_ptr<uint8_t[], Free>> op_data_;
};

struct PassOptions {
  // The fused fp32 inverted-residual block needs the optimized x86 kernels
  // (off when reference kernels are forced or the CPU has no AVX2).
  bool fuse_inverted_residual = true;
};

class GraphRewriter {
 public:
  // `frozen` marks nodes the passes must not touch (folded constants,
  // nodes prepared at run time); `removed` receives dropped nodes.
  GraphRewriter(std::vector<Node>& nodes, std::vector<Tensor>& tensors,
                const std::vector<int32_t>& inputs,
                const std::vector<int32_t>& outputs,
                const std::vector<uint8_t>& frozen,
                std::vector<uint8_t>& removed, PassState& state);

  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  Node& node(int i) { return nodes_[i]; }
  Tensor& tensor(int32_t t) { return tensors_[t]; }
  // Live: neither frozen nor removed.
  bool Live(int i) const { return !frozen_[i] && !removed_[i]; }
  bool Removed(int i) const { return removed_[i] != 0; }
  // The builtin code of a live node with a registration, else -1.
  int32_t Code(int i) const;
  bool IsGraphInput(int32_t t) const;
  bool IsGraphOutput(int32_t t) const;
  // The node that writes tensor t (not removed), or -1.
  int Producer(int32_t t) const;
  // How many input slots of non-removed nodes read tensor t; *only gets
  // the reading node when there is exactly one.
  int Readers(int32_t t, int* only) const;
  // A tensor a pass may make disappear: planned in the arena, produced and
  // read inside the graph only (no caller sees it).
  bool Internal(int32_t t) const;

  void SetInput(int i, int k, int32_t t);
  void SetOutput(int i, int k, int32_t t);
  // Replaces node i's input list.
  void SetInputs(int i, const std::vector<int32_t>& inputs);
  void Remove(int i);
  // Node i must be prepared again (its inputs, outputs or fields changed).
  void Changed(int i);
  const std::vector<int>& changed() const { return changed_; }
  PassState& state() { return state_; }

 private:
  std::vector<Node>& nodes_;
  std::vector<Tensor>& tensors_;
  const std::vector<int32_t>& inputs_;
  const std::vector<int32_t>& outputs_;
  const std::vector<uint8_t>& frozen_;
  std::vector<uint8_t>& removed_;
  PassState& state_;
  std::vector<int> changed_;
};

// Runs every pass (the fused block only when options allow it). Declared
// here so that Subgraph can run the passes without including src/graph (a
// layer above the runtime); defined in src/graph/run_passes.cc and resolved
// at link time inside ember_core.
void RunPasses(GraphRewriter& g, const PassOptions& options);

}  // namespace ember::graph
