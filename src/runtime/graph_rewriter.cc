#include "runtime/graph_rewriter.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "runtime/registration.h"

namespace ember::graph {

PassState::PassState() = default;
PassState::~PassState() = default;

void PassState::Free::operator()(uint8_t* p) const {
  ::operator delete[](p, std::align_val_t(64));
}

void PassState::Restore(std::vector<Node>& nodes) {
  if (!snapshot_taken_) {
    original_.resize(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
      const Node& n = nodes[i];
      original_[i] = {n.reg,     n.inputs,      n.num_inputs,
                      n.outputs, n.num_outputs, n.op_data};
    }
    snapshot_taken_ = true;
  } else {
    for (size_t i = 0; i < nodes.size(); ++i) {
      Node& n = nodes[i];
      const NodeSnapshot& o = original_[i];
      n.reg = o.reg;
      n.inputs = o.inputs;
      n.num_inputs = o.num_inputs;
      n.outputs = o.outputs;
      n.num_outputs = o.num_outputs;
      n.op_data = o.op_data;
    }
  }
  for (Node& n : nodes) {
    std::fill(std::begin(n.folded_pad), std::end(n.folded_pad), 0);
    n.folded_activation = -1;
  }
  lists_.clear();
  op_data_.clear();
}

std::vector<int32_t>& PassState::NewList(const int32_t* values, int32_t count) {
  lists_.emplace_back(values, values + count);
  return lists_.back();
}

void* PassState::NewOpData(size_t bytes) {
  const size_t size = std::max<size_t>((bytes + 63) / 64 * 64, 64);
  auto* p = static_cast<uint8_t*>(::operator new[](size, std::align_val_t(64)));
  std::memset(p, 0, size);
  op_data_.emplace_back(p);
  return p;
}

GraphRewriter::GraphRewriter(std::vector<Node>& nodes,
                             std::vector<Tensor>& tensors,
                             const std::vector<int32_t>& inputs,
                             const std::vector<int32_t>& outputs,
                             const std::vector<uint8_t>& frozen,
                             std::vector<uint8_t>& removed, PassState& state)
    : nodes_(nodes),
      tensors_(tensors),
      inputs_(inputs),
      outputs_(outputs),
      frozen_(frozen),
      removed_(removed),
      state_(state) {}

int32_t GraphRewriter::Code(int i) const {
  if (!Live(i) || nodes_[i].reg == nullptr) return -1;
  return nodes_[i].builtin_code;
}

bool GraphRewriter::IsGraphInput(int32_t t) const {
  return std::find(inputs_.begin(), inputs_.end(), t) != inputs_.end();
}

bool GraphRewriter::IsGraphOutput(int32_t t) const {
  return std::find(outputs_.begin(), outputs_.end(), t) != outputs_.end();
}

int GraphRewriter::Producer(int32_t t) const {
  for (int i = 0; i < num_nodes(); ++i) {
    if (removed_[i]) continue;
    const Node& n = nodes_[i];
    for (int k = 0; k < n.num_outputs; ++k)
      if (n.outputs[k] == t) return i;
  }
  return -1;
}

int GraphRewriter::Readers(int32_t t, int* only) const {
  int count = 0;
  *only = -1;
  for (int i = 0; i < num_nodes(); ++i) {
    if (removed_[i]) continue;
    const Node& n = nodes_[i];
    for (int k = 0; k < n.num_inputs; ++k) {
      if (n.inputs[k] == t) {
        ++count;
        *only = i;
      }
    }
    // Intermediates (LSTM) count as readers: such tensors are never fused.
    for (int k = 0; k < n.num_intermediates; ++k) {
      if (n.intermediates[k] == t) {
        ++count;
        *only = i;
      }
    }
  }
  if (count != 1) *only = -1;
  return count;
}

bool GraphRewriter::Internal(int32_t t) const {
  if (t < 0) return false;
  const Tensor& x = tensors_[t];
  return x.allocation == Allocation::kArena && !x.is_variable &&
         !IsGraphInput(t) && !IsGraphOutput(t);
}

void GraphRewriter::SetInput(int i, int k, int32_t t) {
  Node& n = nodes_[i];
  std::vector<int32_t>& list = state_.NewList(n.inputs, n.num_inputs);
  list[k] = t;
  n.inputs = list.data();
  Changed(i);
}

void GraphRewriter::SetOutput(int i, int k, int32_t t) {
  Node& n = nodes_[i];
  std::vector<int32_t>& list = state_.NewList(n.outputs, n.num_outputs);
  list[k] = t;
  n.outputs = list.data();
  Changed(i);
}

void GraphRewriter::SetInputs(int i, const std::vector<int32_t>& inputs) {
  Node& n = nodes_[i];
  std::vector<int32_t>& list =
      state_.NewList(inputs.data(), static_cast<int32_t>(inputs.size()));
  n.inputs = list.data();
  n.num_inputs = static_cast<int32_t>(list.size());
  Changed(i);
}

void GraphRewriter::Remove(int i) { removed_[i] = 1; }

void GraphRewriter::Changed(int i) {
  if (std::find(changed_.begin(), changed_.end(), i) == changed_.end())
    changed_.push_back(i);
}

}  // namespace ember::graph
