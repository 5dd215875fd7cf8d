// Pipeline step 5: the arena plan. Tensor lifetimes come from the planner
// (src/planner/tensor_lifetimes.h); tensors an op may alias or overwrite in
// place share one buffer; every node that runs gets its scratch in the
// arena too (alive during that node only).
#include <algorithm>
#include <vector>

#include "planner/greedy_planner.h"
#include "planner/tensor_lifetimes.h"
#include "runtime/interpreter.h"
#include "runtime/subgraph.h"

namespace ember {

std::vector<int32_t> Subgraph::BufferGroups(
    const std::vector<TensorLifetime>& life) const {
  const int32_t n = static_cast<int32_t>(tensors_.size());
  std::vector<int32_t> root(n);
  for (int32_t t = 0; t < n; ++t) root[t] = t;
  auto find = [&](int32_t t) {
    while (root[t] != t) t = root[t] = root[root[t]];
    return t;
  };
  auto in_arena = [&](int32_t t) {
    return t >= 0 && tensors_[t].allocation == Allocation::kArena;
  };
  auto is_io = [&](int32_t t) {
    return std::find(inputs_.begin(), inputs_.end(), t) != inputs_.end() ||
           std::find(outputs_.begin(), outputs_.end(), t) != outputs_.end();
  };
  const bool preserve_all = owner_->options().preserve_all_tensors;
  for (int32_t i = 0; i < static_cast<int32_t>(nodes_.size()); ++i) {
    const Node& node = nodes_[i];
    // Delegate nodes and their members write the same tensors: no
    // sharing there.
    if (preserve_all || !node_state_[i].runs() || node.reg == nullptr ||
        node_state_[i].delegate_related() || node.num_inputs < 1 ||
        node.num_outputs < 1)
      continue;
    if (!(node.reg->flags &
          (kOpFlagOutputAliasesInput0 | kOpFlagInPlaceInput0)))
      continue;
    const int32_t in = node.inputs[0];
    const int32_t out = node.outputs[0];
    if (!in_arena(in) || !in_arena(out) || is_io(in) || life[in].last_use != i)
      continue;
    if (tensors_[in].bytes != tensors_[out].bytes) continue;
    if (node.reg->flags & kOpFlagInPlaceInput0) {
      if (tensors_[in].type != tensors_[out].type ||
          tensors_[in].shape != tensors_[out].shape)
        continue;
    }
    // Only one alias per buffer chain step: `in` must not be shared with a
    // later reader, which last_use == i already guarantees.
    root[find(out)] = find(in);
  }
  for (int32_t t = 0; t < n; ++t) root[t] = find(t);
  return root;
}

Status Subgraph::PlanArena() {
  const int32_t num_nodes = static_cast<int32_t>(nodes_.size());
  const int32_t n = static_cast<int32_t>(tensors_.size());
  LifetimeGraph graph;
  graph.in_arena.resize(n);
  for (int32_t t = 0; t < n; ++t)
    graph.in_arena[t] = tensors_[t].allocation == Allocation::kArena;
  graph.steps.resize(num_nodes);
  for (int32_t i = 0; i < num_nodes; ++i) {
    const Node& node = nodes_[i];
    graph.steps[i] = {
        {node.inputs, static_cast<size_t>(node.num_inputs)},
        {node.outputs, static_cast<size_t>(node.num_outputs)},
        {node.intermediates, static_cast<size_t>(node.num_intermediates)},
        !node_state_[i].runs()};
  }
  graph.graph_inputs = inputs_;
  graph.graph_outputs = outputs_;
  graph.preserve_all_tensors = owner_->options().preserve_all_tensors;
  const std::vector<TensorLifetime> life = ComputeTensorLifetimes(graph);
  const std::vector<int32_t> group = BufferGroups(life);

  // One request per buffer group (tensors in index order), then the
  // scratch of every node that runs from the plan (nodes in order).
  std::vector<BufferRequest> requests;
  std::vector<int32_t> request_of(n, -1);  // per group root
  for (int32_t t = 0; t < n; ++t) {
    if (!graph.in_arena[t] || !life[t].used()) continue;
    const int32_t r = group[t];
    if (request_of[r] < 0) {
      request_of[r] = static_cast<int32_t>(requests.size());
      requests.push_back(
          {tensors_[t].bytes, life[t].first_use, life[t].last_use});
    } else {
      BufferRequest& req = requests[request_of[r]];
      req.bytes = std::max(req.bytes, tensors_[t].bytes);
      req.first_use = std::min(req.first_use, life[t].first_use);
      req.last_use = std::max(req.last_use, life[t].last_use);
    }
  }
  auto planned_scratch = [&](int32_t i) {
    return node_state_[i].runs() && !node_state_[i].dynamic;
  };
  const size_t tensor_requests = requests.size();
  for (int32_t i = 0; i < num_nodes; ++i) {
    if (!planned_scratch(i)) continue;
    for (const ScratchBuffer& s : nodes_[i].scratch)
      requests.push_back({s.bytes, i, i});
  }

  const ArenaPlan plan = PlanGreedyBySize(requests);
  EMBER_RETURN_IF_ERROR(Grow(arena_, plan.arena_bytes, "the arena"));
  arena_bytes_ = plan.arena_bytes;
  arena_lower_bound_ = plan.lower_bound_bytes;
  uint8_t* base = arena_.data.get();
  arena_placements_.clear();
  for (int32_t t = 0; t < n; ++t) {
    if (!graph.in_arena[t]) continue;
    const int32_t r = request_of[group[t]];
    // A tensor nobody uses still gets a valid pointer.
    tensors_[t].data = r >= 0 ? base + plan.offsets[r] : base;
    if (r >= 0 && life[t].used()) {
      arena_placements_.push_back({t, -1, plan.offsets[r], tensors_[t].bytes,
                                   life[t].first_use, life[t].last_use});
    }
  }
  size_t next = tensor_requests;
  for (int32_t i = 0; i < num_nodes; ++i) {
    if (!planned_scratch(i)) continue;
    for (ScratchBuffer& s : nodes_[i].scratch) {
      arena_placements_.push_back({-1, i, plan.offsets[next], s.bytes, i, i});
      s.data = base + plan.offsets[next++];
    }
  }
  return Status::Ok();
}

}  // namespace ember
