// Pipeline step 3: constant and SHAPE folding. A node whose inputs are all
// constant (or, for SHAPE, whose input's shape is known) is evaluated once
// at allocate time; its outputs become constants and it never runs again.
#include "runtime/interpreter.h"
#include "runtime/subgraph.h"

namespace ember {
namespace {

bool IsControlFlow(int32_t code) {
  return code == static_cast<int32_t>(fb::BuiltinOperator::WHILE) ||
         code == static_cast<int32_t>(fb::BuiltinOperator::IF) ||
         code == static_cast<int32_t>(fb::BuiltinOperator::CALL_ONCE);
}

}  // namespace

Status Subgraph::ClassifyInputs(int i, InputKinds* kinds) {
  const Node& node = nodes_[i];
  kinds->all_constant = node.num_inputs > 0;
  kinds->dynamic = false;
  kinds->shape_derived = false;
  for (int k = 0; k < node.num_inputs; ++k) {
    if (node.inputs[k] < 0) continue;
    const Tensor& in = tensors_[node.inputs[k]];
    // Sparse constants hold fewer bytes than their shape: only DENSIFY
    // may read them.
    if (in.sparsity != nullptr &&
        node.builtin_code !=
            static_cast<int32_t>(fb::BuiltinOperator::DENSIFY)) {
      return error_reporter().Report(
          StatusCode::kUnsupported,
          "subgraph %d: op #%d %s: input %d ('%s') is stored sparse; only "
          "DENSIFY can read sparse tensors",
          index_, i, node.reg->name, k, in.name);
    }
    if (in.allocation == Allocation::kDynamic) kinds->dynamic = true;
    if (in.allocation != Allocation::kConstant) kinds->all_constant = false;
    if (tensor_storage_[node.inputs[k]].shape_derived)
      kinds->shape_derived = true;
  }
  // SHAPE reads only its input's shape, known here unless the input is
  // dynamic: folding it turns the shape arithmetic after it (EfficientNet's
  // squeeze-excite blocks: SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE) into
  // constants, so the rest of the graph is planned statically instead of
  // being allocated tensor by tensor at every invoke.
  if (node.builtin_code == static_cast<int32_t>(fb::BuiltinOperator::SHAPE) &&
      node.num_inputs == 1 && node.inputs[0] >= 0 && !kinds->dynamic) {
    kinds->all_constant = true;
    kinds->shape_derived = true;
  }
  return Status::Ok();
}

bool Subgraph::Foldable(int i, const InputKinds& kinds) const {
  const Node& node = nodes_[i];
  return kinds.all_constant && node.num_intermediates == 0 &&
         !IsControlFlow(node.builtin_code) && !node.has_dynamic_output;
}

Status Subgraph::FoldNode(int i, bool shape_derived) {
  Node& node = nodes_[i];
  // Constant subexpressions (fp16 weights behind DEQUANTIZE, DENSIFY) are
  // computed once here and never again.
  for (int k = 0; k < node.num_outputs; ++k) {
    const int32_t o = node.outputs[k];
    Tensor& out = tensors_[o];
    AlignedBuffer& storage = tensor_storage_[o].owned;
    EMBER_RETURN_IF_ERROR(Grow(storage, out.bytes, "a folded constant"));
    out.data = storage.data.get();
    out.allocation = Allocation::kConstant;
  }
  EMBER_RETURN_IF_ERROR(BindPrivateScratch(i));
  OpContext ctx(this, tensors_.data(), &node, i, /*preparing=*/false);
  const Status status = node.reg->eval(ctx);
  if (!status.ok()) {
    error_reporter().Prefix("subgraph %d (folding constants): ", index_);
    return status;
  }
  NodeState& state = node_state_[i];
  state.folded = true;
  if (shape_derived) {
    state.shape_folded = true;
    for (int k = 0; k < node.num_outputs; ++k)
      tensor_storage_[node.outputs[k]].shape_derived = true;
  }
  return Status::Ok();
}

void Subgraph::UndoShapeFolds() {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    NodeState& state = node_state_[i];
    if (!state.shape_folded) continue;
    state.shape_folded = false;
    state.folded = false;
    for (int k = 0; k < nodes_[i].num_outputs; ++k) {
      const int32_t o = nodes_[i].outputs[k];
      tensor_storage_[o].shape_derived = false;
      tensors_[o].allocation = Allocation::kArena;
    }
  }
}

void Subgraph::MarkDynamic(int i) {
  Node& node = nodes_[i];
  // Nothing from an earlier plan carries over: Invoke prepares it afresh.
  node.scratch.clear();
  node.has_dynamic_output = false;
  node_state_[i].dynamic = true;
  for (int k = 0; k < node.num_outputs; ++k) {
    // Variables keep their storage; a shape change is refused later.
    Tensor& out = tensors_[node.outputs[k]];
    if (out.allocation != Allocation::kPersistent)
      out.allocation = Allocation::kDynamic;
  }
}

}  // namespace ember
