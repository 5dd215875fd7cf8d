// Pipeline step 2: preparing nodes. PrepareNode is the one sequence every
// path uses (the initial plan, a node rewritten by a graph pass, a node
// prepared at run time); the callers add only what differs.
#include "base/hash64.h"
#include "runtime/interpreter.h"
#include "runtime/subgraph.h"
#include "runtime/weight_cache.h"

namespace ember {
namespace {

// Names a node in the weight cache by what it computes (op, inputs,
// outputs, folded pad and activation) rather than by its position alone,
// so a reordered graph (delegates) can never pick another node's weights.
uint64_t NodeCacheKey(const Node& node, int index) {
  uint64_t h = Hash64(&index, sizeof(index));
  h = Hash64(&node.builtin_code, sizeof(node.builtin_code), h);
  h = Hash64(node.inputs, sizeof(int32_t) * node.num_inputs, h);
  h = Hash64(node.outputs, sizeof(int32_t) * node.num_outputs, h);
  h = Hash64(node.folded_pad, sizeof(node.folded_pad), h);
  return Hash64(&node.folded_activation, sizeof(node.folded_activation), h);
}

}  // namespace

Status Subgraph::PrepareNode(int i) {
  Node& node = nodes_[i];
  node.scratch.clear();
  node.has_dynamic_output = false;
  ReleaseNodeState(i);
  OpContext ctx(this, tensors_.data(), &node, i, /*preparing=*/true);
  const Status status = node.reg->prepare(ctx);
  if (!status.ok()) {
    error_reporter().Prefix("subgraph %d: ", index_);
    return status;
  }
  EMBER_RETURN_IF_ERROR(CheckOutputShapes(i));
  for (int k = 0; k < node.num_outputs; ++k) {
    const int32_t o = node.outputs[k];
    Tensor& out = tensors_[o];
    if (out.allocation != Allocation::kDynamic) {
      out.bytes = BytesFor(out.type, out.NumElements());
    } else if (node_state_[i].dynamic) {
      // Prepared at run time: the shape is known now, so is the memory.
      EMBER_RETURN_IF_ERROR(ResizeDynamicTensor(o, out.shape));
    }
  }
  return Status::Ok();
}

Status Subgraph::PrepareAllNodes() {
  for (size_t n = 0; n < nodes_.size(); ++n) {
    const int i = static_cast<int>(n);
    if (node_state_[i].folded) continue;
    node_state_[i].dynamic = false;
    InputKinds inputs;
    EMBER_RETURN_IF_ERROR(ClassifyInputs(i, &inputs));
    if (node_state_[i].is_delegate()) {
      // Prepared again at every plan, so a resized input reaches the
      // delegate with its new shapes. One that cannot take this plan (its
      // tensors sized only at run time, shapes it declines, or an earlier
      // failure its kernel keeps) leaves its members, prepared above, to
      // the CPU for this plan; the kernel keeps the reason.
      const bool ok = !inputs.dynamic && PrepareNode(i).ok();
      if (!ok) error_reporter().Clear();
      node_state_[i].delegate_failed = !ok;
      continue;
    }
    if (inputs.dynamic) {
      MarkDynamic(i);
      continue;
    }
    EMBER_RETURN_IF_ERROR(PrepareNode(i));
    if (node_state_[i].delegate_node < 0 && Foldable(i, inputs))
      EMBER_RETURN_IF_ERROR(FoldNode(i, inputs.shape_derived));
  }
  return Status::Ok();
}

Status Subgraph::PrepareDynamicNode(int i) {
  EMBER_RETURN_IF_ERROR(PrepareNode(i));
  return BindPrivateScratch(i);
}

Status Subgraph::BindPrivateScratch(int i) {
  std::vector<ScratchBuffer>& scratch = nodes_[i].scratch;
  AlignedBuffer& buffer = node_state_[i].private_scratch;
  size_t total = 0;
  for (const ScratchBuffer& s : scratch) total += AlignUp(s.bytes, 64);
  EMBER_RETURN_IF_ERROR(Grow(buffer, total, "scratch"));
  size_t offset = 0;
  for (ScratchBuffer& s : scratch) {
    s.data = buffer.data.get() + offset;
    offset += AlignUp(s.bytes, 64);
  }
  return Status::Ok();
}

Status Subgraph::CheckOutputShapes(int node_index) {
  const Node& node = nodes_[node_index];
  for (int k = 0; k < node.num_outputs; ++k) {
    const Tensor& out = tensors_[node.outputs[k]];
    int64_t count;
    if (!CheckedNumElements(out.shape, &count)) {
      return error_reporter().Report(
          StatusCode::kInvalidArgument,
          "subgraph %d: op #%d %s: output %d ('%s') would have more than "
          "2^40 elements or an invalid shape",
          index_, node_index, node.reg ? node.reg->name : "?", k, out.name);
    }
    // A variable written by an op keeps its own fixed-size storage.
    if (out.allocation == Allocation::kPersistent &&
        BytesFor(out.type, count) != out.bytes) {
      return error_reporter().Report(
          StatusCode::kInvalidModel,
          "subgraph %d: op #%d %s: output %d is variable '%s' of %zu bytes "
          "but the op produces %zu bytes",
          index_, node_index, node.reg ? node.reg->name : "?", k, out.name,
          out.bytes, BytesFor(out.type, count));
    }
  }
  return Status::Ok();
}

void Subgraph::ReleaseNodeState(int node_index) {
  std::vector<AlignedBuffer>& persistent = node_state_[node_index].persistent;
  for (AlignedBuffer& b : persistent) allocated_bytes_ -= b.capacity;
  persistent.clear();
  if (node_state_[node_index].cached_allocations > 0) {
    // The cache must not copy from the buffers just released.
    if (WeightCache* cache = owner_->weight_cache())
      cache->Forget(index_, node_state_[node_index].cache_key);
  }
  node_state_[node_index].cached_allocations = 0;
  nodes_[node_index].kernel_variant = "ref";
}

Status Subgraph::AllocatePersistent(int node_index, size_t bytes, void** out) {
  *out = nullptr;
  if (node_index < 0 || node_index >= static_cast<int>(nodes_.size())) {
    return error_reporter().Report(StatusCode::kInternal,
                                   "persistent memory for unknown node %d",
                                   node_index);
  }
  std::vector<AlignedBuffer>& list = node_state_[node_index].persistent;
  list.emplace_back();
  EMBER_RETURN_IF_ERROR(Grow(list.back(), bytes, "persistent op data"));
  *out = list.back().data.get();
  return Status::Ok();
}

Status Subgraph::AllocatePersistentCached(int node_index, size_t bytes,
                                          void** out, bool* filled) {
  *filled = false;
  WeightCache* cache = owner_->weight_cache();
  if (cache == nullptr || node_index < 0 ||
      node_index >= static_cast<int>(nodes_.size())) {
    return AllocatePersistent(node_index, bytes, out);
  }
  NodeState& state = node_state_[node_index];
  if (state.cached_allocations == 0)
    state.cache_key = NodeCacheKey(nodes_[node_index], node_index);
  const uint64_t key = state.cache_key;
  const int ordinal = state.cached_allocations++;
  if (void* hit = cache->Find(index_, key, ordinal, bytes)) {
    *out = hit;
    *filled = true;
    cache->Record(index_, key, ordinal, hit, bytes, /*from_cache=*/true);
    return Status::Ok();
  }
  EMBER_RETURN_IF_ERROR(AllocatePersistent(node_index, bytes, out));
  cache->Record(index_, key, ordinal, *out, bytes, /*from_cache=*/false);
  return Status::Ok();
}

}  // namespace ember
