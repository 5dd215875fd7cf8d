// Delegates, the runtime side: a new node order in which partitions taken
// by a delegate become one node each (the partitioning itself lives in
// src/delegate/), and the CPU fallback of such a node.
//
// A delegate node keeps its members in the node list, right before it:
// they are prepared and planned like every node, so every tensor of the
// partition has arena memory (shared with the delegate: no copies at
// partition boundaries) and the members can take over on the CPU whenever
// the delegate fails. Invoke skips them while the delegate works.
#include <cstdint>
#include <vector>

#include "runtime/interpreter.h"
#include "runtime/subgraph.h"

namespace ember {

namespace {

// Members of delegate node i: the delegate_members nodes before it.
int32_t FirstMember(const std::vector<NodeState>& state, int32_t i) {
  return i - state[i].delegate_members;
}

}  // namespace

Status Subgraph::ApplySchedule(const std::vector<ScheduleItem>& schedule) {
  if (allocated_once_) {
    return error_reporter().Report(StatusCode::kFailedPrecondition,
                                   "subgraph %d: delegates must be applied "
                                   "before tensors are allocated",
                                   index_);
  }
  const int32_t old_count = static_cast<int32_t>(nodes_.size());
  std::vector<uint8_t> placed(old_count, 0);
  std::vector<Node> nodes;
  std::vector<NodeState> states;
  nodes.reserve(old_count + schedule.size());
  states.reserve(old_count + schedule.size());
  auto bad = [&](const char* why, int32_t node) {
    return error_reporter().Report(StatusCode::kInternal,
                                   "subgraph %d: invalid delegate schedule: "
                                   "%s (node %d)",
                                   index_, why, node);
  };
  // Moves node `old` (and, for a delegate node, its members) over.
  auto move_node = [&](int32_t old, int32_t delegate_node) {
    placed[old] = 1;
    nodes.push_back(std::move(nodes_[old]));
    states.push_back(std::move(node_state_[old]));
    states.back().delegate_node = delegate_node;
  };
  for (const ScheduleItem& item : schedule) {
    if (item.kernel == nullptr) {
      const int32_t n = item.node;
      if (n < 0 || n >= old_count || placed[n] ||
          node_state_[n].delegate_node >= 0)
        return bad("unknown, repeated or member node", n);
      const int32_t members = node_state_[n].delegate_members;
      const int32_t self = static_cast<int32_t>(nodes.size()) + members;
      for (int32_t m = FirstMember(node_state_, n); m < n; ++m)
        move_node(m, self);
      move_node(n, -1);
      continue;
    }
    const DelegateKernelSpec& spec = *item.kernel;
    const int32_t self =
        static_cast<int32_t>(nodes.size() + spec.members.size());
    for (int32_t m : spec.members) {
      if (m < 0 || m >= old_count || placed[m] ||
          node_state_[m].delegate_related())
        return bad("delegate member taken twice or already delegated", m);
      move_node(m, self);
    }
    if (spec.members.empty() || spec.reg == nullptr)
      return bad("empty delegate kernel", self);
    // The node points into a copy this subgraph owns.
    delegate_lists_.push_back(std::make_unique<DelegateKernelSpec>(spec));
    const DelegateKernelSpec& lists = *delegate_lists_.back();
    Node node;
    node.reg = spec.reg;
    node.op_data = spec.op_data;
    node.inputs = lists.inputs.data();
    node.num_inputs = static_cast<int32_t>(lists.inputs.size());
    node.outputs = lists.outputs.data();
    node.num_outputs = static_cast<int32_t>(lists.outputs.size());
    node.intermediates = lists.internals.data();
    node.num_intermediates = static_cast<int32_t>(lists.internals.size());
    nodes.push_back(std::move(node));
    states.emplace_back();
    states.back().delegate_members = static_cast<int32_t>(spec.members.size());
  }
  for (int32_t n = 0; n < old_count; ++n) {
    if (!placed[n]) return bad("node left out", n);
  }
  nodes_ = std::move(nodes);
  node_state_ = std::move(states);
  needs_allocation_ = true;
  return Status::Ok();
}

Status Subgraph::RunDelegateMembers(int delegate_node) {
  for (int32_t m = FirstMember(node_state_, delegate_node); m < delegate_node;
       ++m) {
    if (!node_state_[m].runs()) continue;
    if (node_state_[m].dynamic) EMBER_RETURN_IF_ERROR(PrepareDynamicNode(m));
    OpContext ctx(this, tensors_.data(), &nodes_[m], m, /*preparing=*/false);
    const Status status = nodes_[m].reg->eval(ctx);
    if (!status.ok()) {
      error_reporter().Prefix("subgraph %d: ", index_);
      return status;
    }
    if (nodes_[m].has_dynamic_output || node_state_[m].dynamic)
      EMBER_RETURN_IF_ERROR(CheckDynamicOutputsSized(m));
  }
  return Status::Ok();
}

}  // namespace ember
