// The slim core of the pipeline (subgraph.h lists the steps): Allocate runs
// them in order, Invoke evaluates the nodes that run; plus the services ops
// and control flow call through OpHost.
#include "runtime/subgraph.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "base/work_split.h"
#include "runtime/graph_rewriter.h"
#include "runtime/interpreter.h"
#include "runtime/work_estimate.h"

namespace ember {

Subgraph::Subgraph(Interpreter* owner, int index)
    : owner_(owner),
      index_(index),
      passes_(std::make_unique<graph::PassState>()) {}
Subgraph::~Subgraph() = default;

ErrorReporter& Subgraph::error_reporter() { return owner_->errors(); }

Status Subgraph::Grow(AlignedBuffer& buffer, size_t bytes, const char* what) {
  if (bytes <= buffer.capacity && buffer.data) return Status::Ok();
  const size_t limit = owner_->options().max_tensor_bytes;
  const size_t rounded = std::max<size_t>(AlignUp(bytes, 64), 64);
  const size_t total = allocated_bytes_ - buffer.capacity + rounded;
  if (bytes > (SIZE_MAX >> 2) || (limit != 0 && total > limit)) {
    return error_reporter().Report(
        StatusCode::kOutOfMemory,
        "subgraph %d: %s needs %zu bytes, over the limit of %zu bytes for "
        "tensors",
        index_, what, bytes, limit);
  }
  const size_t old_capacity = buffer.capacity;
  if (!buffer.Reserve(bytes)) {
    return error_reporter().Report(StatusCode::kOutOfMemory,
                                   "subgraph %d: cannot allocate %zu bytes "
                                   "for %s",
                                   index_, bytes, what);
  }
  allocated_bytes_ = allocated_bytes_ - old_capacity + buffer.capacity;
  return Status::Ok();
}

int Subgraph::num_threads() const { return owner_->options().num_threads; }

ThreadPool* Subgraph::thread_pool() {
  ThreadPool* pool = owner_->thread_pool();
  // The cost model's whole-model rule (base/work_split.h): a subgraph with
  // tiny work runs every node on the caller.
  if (pool != nullptr && pool->num_threads() > 1 &&
      work_macs_ < kTinyModelMacs && !pool->split_small_work())
    return nullptr;
  return pool;
}

kernels::IsaSet Subgraph::allowed_isas() const {
  return owner_->allowed_isas();
}

Status Subgraph::ResizeInput(int position, const Shape& shape) {
  if (position < 0 || position >= static_cast<int>(inputs_.size())) {
    return error_reporter().Report(StatusCode::kInvalidArgument,
                                   "input %d out of range (subgraph has %zu)",
                                   position, inputs_.size());
  }
  if (shape.rank < 0 || shape.rank > kMaxRank) {
    return error_reporter().Report(StatusCode::kInvalidArgument,
                                   "new shape has rank %d (must be 0..%d)",
                                   shape.rank, kMaxRank);
  }
  for (int d = 0; d < shape.rank; ++d) {
    if (shape.dims[d] < 0) {
      return error_reporter().Report(StatusCode::kInvalidArgument,
                                     "dimension %d of the new shape is %d", d,
                                     shape.dims[d]);
    }
  }
  int64_t count;
  if (!CheckedNumElements(shape, &count)) {
    return error_reporter().Report(StatusCode::kInvalidArgument,
                                   "new shape of input %d has more than 2^40 "
                                   "elements",
                                   position);
  }
  Tensor& t = tensors_[inputs_[position]];
  if (t.is_constant()) {
    return error_reporter().Report(StatusCode::kInvalidArgument,
                                   "input %d ('%s') is a constant", position,
                                   t.name);
  }
  if (t.shape != shape) {
    t.shape = shape;
    needs_allocation_ = true;
  }
  return Status::Ok();
}

// The pipeline: every node prepared (folding what can be folded), the
// graph passes, then the arena plan.
void Subgraph::ResetTensorsForPlan() {
  UndoShapeFolds();
  for (Tensor& tensor : tensors_) {
    if (tensor.allocation == Allocation::kConstant ||
        tensor.allocation == Allocation::kPersistent)
      continue;
    tensor.allocation = Allocation::kArena;
    tensor.data = nullptr;
    tensor.bytes = BytesFor(tensor.type, tensor.NumElements());
  }
}

Status Subgraph::PrepareShapes() {
  if (allocated_once_) {
    return error_reporter().Report(StatusCode::kFailedPrecondition,
                                   "subgraph %d: shapes are prepared for "
                                   "delegates only before tensors are "
                                   "allocated",
                                   index_);
  }
  // No graph pass has run yet (they run in Allocate), and none may be
  // forgotten here: the passes' first Restore takes its snapshot of the
  // nodes by position, which must be the order delegates leave.
  ResetTensorsForPlan();
  needs_allocation_ = true;
  return PrepareAllNodes();
}

Status Subgraph::Allocate() {
  ResetTensorsForPlan();
  ForgetGraphPasses();
  allocated_once_ = true;
  EMBER_RETURN_IF_ERROR(PrepareAllNodes());
  EMBER_RETURN_IF_ERROR(RunGraphPasses());
  EMBER_RETURN_IF_ERROR(PlanArena());
  work_macs_ = EstimateSubgraphMacs(*this);
  needs_allocation_ = false;
  return Status::Ok();
}

Status Subgraph::ResizeDynamicTensor(int32_t tensor_index, const Shape& shape) {
  Tensor& t = tensors_[tensor_index];
  int64_t count;
  if (!CheckedNumElements(shape, &count)) {
    return error_reporter().Report(StatusCode::kInvalidArgument,
                                   "subgraph %d: dynamic tensor %d ('%s') "
                                   "would have more than 2^40 elements",
                                   index_, tensor_index, t.name);
  }
  const size_t bytes = BytesFor(t.type, count);
  AlignedBuffer& storage = tensor_storage_[tensor_index].dynamic;
  EMBER_RETURN_IF_ERROR(Grow(storage, bytes, "a dynamic tensor"));
  t.shape = shape;
  t.bytes = bytes;
  t.data = storage.data.get();
  return Status::Ok();
}

Status Subgraph::Invoke() {
  if (needs_allocation_) {
    return error_reporter().Report(
        StatusCode::kFailedPrecondition,
        "subgraph %d: tensors are not allocated (call AllocateTensors after "
        "creating the interpreter or resizing an input)",
        index_);
  }
  for (size_t n = 0; n < nodes_.size(); ++n) {
    const int i = static_cast<int>(n);
    NodeState& state = node_state_[i];
    if (!state.runs()) continue;
    // A delegate node computes its members (just before it).
    if (state.delegate_node >= 0 &&
        !node_state_[state.delegate_node].delegate_failed)
      continue;
    if (state.is_delegate() && state.delegate_failed) continue;
    Status status = state.dynamic ? PrepareDynamicNode(i) : Status::Ok();
    if (!status.ok() && !state.is_delegate()) return status;
    Node& node = nodes_[i];
    OpContext ctx(this, tensors_.data(), &node, i, /*preparing=*/false);
    const auto start = profiling_ ? std::chrono::steady_clock::now()
                                  : std::chrono::steady_clock::time_point();
    if (status.ok()) status = node.reg->eval(ctx);
    if (profiling_) {
      node_nanos_[i] += std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
      ++node_calls_[i];
    }
    if (!status.ok() && state.is_delegate()) {
      // The delegate gave up (its kernel keeps the reason): its members
      // run on the CPU now and from now on.
      error_reporter().Clear();
      state.delegate_failed = true;
      EMBER_RETURN_IF_ERROR(RunDelegateMembers(i));
      continue;
    }
    if (!status.ok()) {
      error_reporter().Prefix("subgraph %d: ", index_);
      return status;
    }
    if (node.has_dynamic_output || state.dynamic)
      EMBER_RETURN_IF_ERROR(CheckDynamicOutputsSized(i));
  }
  return Status::Ok();
}

Status Subgraph::CheckDynamicOutputsSized(int i) {
  const Node& node = nodes_[i];
  for (int k = 0; k < node.num_outputs; ++k) {
    const Tensor& out = tensors_[node.outputs[k]];
    if (out.allocation == Allocation::kDynamic && out.data == nullptr) {
      return error_reporter().Report(
          StatusCode::kInternal,
          "subgraph %d: op #%d %s did not size its dynamic output %d", index_,
          i, node.reg->name, k);
    }
  }
  return Status::Ok();
}

void Subgraph::EnableProfiling(bool on) {
  profiling_ = on;
  node_nanos_.assign(nodes_.size(), 0);
  node_calls_.assign(nodes_.size(), 0);
}

Status Subgraph::InvokeSubgraph(int32_t index) {
  Subgraph* callee = owner_->subgraph(index);
  if (callee == nullptr) {
    return error_reporter().Report(StatusCode::kInvalidModel, "no subgraph %d",
                                   index);
  }
  if (callee->needs_allocation()) EMBER_RETURN_IF_ERROR(callee->Allocate());
  return callee->Invoke();
}

Status Subgraph::SubgraphIo(int32_t index, Tensor** tensors,
                            const int32_t** inputs, int32_t* num_inputs,
                            const int32_t** outputs, int32_t* num_outputs) {
  Subgraph* callee = owner_->subgraph(index);
  if (callee == nullptr) {
    return error_reporter().Report(StatusCode::kInvalidModel, "no subgraph %d",
                                   index);
  }
  *tensors = callee->tensors_.data();
  *inputs = callee->inputs_.data();
  *num_inputs = static_cast<int32_t>(callee->inputs_.size());
  *outputs = callee->outputs_.data();
  *num_outputs = static_cast<int32_t>(callee->outputs_.size());
  return Status::Ok();
}

Status Subgraph::ResizeSubgraphInput(int32_t subgraph, int32_t input_pos,
                                     const Shape& shape) {
  Subgraph* callee = owner_->subgraph(subgraph);
  if (callee == nullptr) {
    return error_reporter().Report(StatusCode::kInvalidModel, "no subgraph %d",
                                   subgraph);
  }
  return callee->ResizeInput(input_pos, shape);
}

Status Subgraph::AllocateSubgraph(int32_t index) {
  Subgraph* callee = owner_->subgraph(index);
  if (callee == nullptr) {
    return error_reporter().Report(StatusCode::kInvalidModel, "no subgraph %d",
                                   index);
  }
  if (callee->needs_allocation()) return callee->Allocate();
  return Status::Ok();
}

}  // namespace ember
