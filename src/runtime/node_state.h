// What a subgraph keeps about each node and tensor beyond what ops see
// (Node, Tensor): how the node takes part in the current plan, and memory
// that lives outside the arena.
#pragma once

#include <cstdint>
#include <vector>

#include "base/aligned_buffer.h"

namespace ember {

struct NodeState {
  // Evaluated once at allocate time (constant folding); skipped by Invoke.
  bool folded = false;
  // Folded from tensor shapes (SHAPE of a non-constant tensor, and what is
  // computed from it): undone and redone at every plan, because a resized
  // input changes it.
  bool shape_folded = false;
  // An input's shape is only known at run time: prepared again before
  // every eval, its outputs and scratch grown on demand.
  bool dynamic = false;
  // Dropped by a graph pass (folded into another node); skipped by Invoke.
  bool fused_away = false;
  // Scratch of a node prepared outside the arena plan (folded or dynamic).
  AlignedBuffer private_scratch;
  // Memory from OpContext::AllocatePersistent; released when the node is
  // prepared again.
  std::vector<AlignedBuffer> persistent;
  // AllocatePersistentCached calls of the current Prepare (their ordinal
  // in the weight cache) and the key they were recorded under (the node
  // may be rewritten before it is prepared again).
  int32_t cached_allocations = 0;
  uint64_t cache_key = 0;
  // Delegates (subgraph_delegate.cc). A delegate node stands for the
  // `delegate_members` nodes just before it; each member names its
  // delegate node in `delegate_node`. Members are prepared and planned like
  // any node (so they can take over), but Invoke skips them while their
  // delegate node works; once it fails (prepare or eval), `delegate_failed`
  // is set and the members run on the CPU until the next plan prepares the
  // delegate node again (its kernel decides whether it may retry).
  int32_t delegate_node = -1;
  int32_t delegate_members = 0;
  bool delegate_failed = false;

  bool runs() const { return !folded && !fused_away; }
  bool is_delegate() const { return delegate_members > 0; }
  bool delegate_related() const { return is_delegate() || delegate_node >= 0; }
};

struct TensorStorage {
  // Variables, folded constants and aligned copies of misaligned weights.
  AlignedBuffer owned;
  // Dynamic tensors (shape known only during Eval).
  AlignedBuffer dynamic;
  // Output of a shape-dependent fold (see NodeState::shape_folded).
  bool shape_derived = false;
};

}  // namespace ember
