#include "runtime/subgraph.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "kernels/dispatch/cpu_features.h"
#include "kernels/x86/gemm_f32.h"
#include "planner/greedy_planner.h"
#include "runtime/graph_rewriter.h"
#include "runtime/interpreter.h"

namespace ember {
namespace {

size_t AlignUp(size_t n, size_t a) { return (n + a - 1) / a * a; }

bool IsControlFlow(int32_t code) {
  return code == static_cast<int32_t>(fb::BuiltinOperator::WHILE) ||
         code == static_cast<int32_t>(fb::BuiltinOperator::IF) ||
         code == static_cast<int32_t>(fb::BuiltinOperator::CALL_ONCE);
}

}  // namespace

Subgraph::Subgraph(Interpreter* owner, int index)
    : owner_(owner), index_(index),
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
int Subgraph::num_threads() const { return owner_->options().num_threads; }

ThreadPool* Subgraph::thread_pool() { return owner_->thread_pool(); }

bool Subgraph::force_reference_kernels() const {
  return owner_->options().force_reference_kernels ||
         dispatch::EnvForcesReference();
}

Status Subgraph::AllocatePersistent(int node_index, size_t bytes, void** out) {
  *out = nullptr;
  if (node_index < 0 || node_index >= static_cast<int>(nodes_.size())) {
    return error_reporter().Report(StatusCode::kInternal,
                                   "persistent memory for unknown node %d",
                                   node_index);
  }
  auto& list = node_persistent_[node_index];
  list.emplace_back();
  EMBER_RETURN_IF_ERROR(Grow(list.back(), bytes, "persistent op data"));
  *out = list.back().data.get();
  return Status::Ok();
}

void Subgraph::ReleaseNodeState(int node_index) {
  for (AlignedBuffer& b : node_persistent_[node_index])
    allocated_bytes_ -= b.capacity;
  node_persistent_[node_index].clear();
  nodes_[node_index].kernel_variant = "ref";
}

Status Subgraph::EnsureConstantAligned(Tensor& t) {
  const size_t element = std::max<size_t>(DataTypeSize(t.type), 1);
  const size_t want = std::min<size_t>(element, 16);
  if (reinterpret_cast<uintptr_t>(t.data) % want == 0) return Status::Ok();
  // Misaligned weights (hand-made files): copy once, keep kernels simple.
  const int32_t idx = static_cast<int32_t>(&t - tensors_.data());
  EMBER_RETURN_IF_ERROR(Grow(persistent_[idx], t.bytes, "an aligned constant"));
  memcpy(persistent_[idx].data.get(), t.data, t.bytes);
  t.data = persistent_[idx].data.get();
  return Status::Ok();
}

Status Subgraph::Init(const Model& model, const fb::SubGraph* sg,
                      const OpResolver& resolver,
                      std::vector<std::string>* missing) {
  model_ = &model;
  sg_ = sg;
  name_ = sg->name() ? sg->name()->c_str() : "";
  const uint32_t num_tensors = sg->tensors() ? sg->tensors()->size() : 0;
  tensors_.assign(num_tensors, Tensor());
  persistent_.resize(num_tensors);
  dynamic_.resize(num_tensors);
  // Empty (zero-element) tensors with a buffer are constants unless an op
  // produces them or the caller feeds them.
  std::vector<uint8_t> produced(num_tensors, 0), is_input(num_tensors, 0);
  if (sg->operators()) {
    for (const fb::Operator* op : *sg->operators()) {
      if (op->outputs() == nullptr) continue;
      for (int32_t o : *op->outputs()) produced[o] = 1;
    }
  }
  if (sg->inputs())
    for (int32_t in : *sg->inputs()) is_input[in] = 1;
  for (uint32_t i = 0; i < num_tensors; ++i) {
    const fb::Tensor* ft = sg->tensors()->Get(i);
    Tensor& t = tensors_[i];
    t.type = static_cast<DataType>(ft->type());
    t.name = ft->name() ? ft->name()->c_str() : "";
    // Strings and the sub-byte / fp8 types Ember has no kernels for are
    // refused here, once, instead of reaching ops as zero-byte tensors.
    const bool known = static_cast<int>(t.type) <=
                       static_cast<int>(DataType::kBFloat16);
    if (!known || t.type == DataType::kString) {
      return error_reporter().Report(
          StatusCode::kUnsupported,
          "subgraph %d tensor %u '%s': type %s is not supported", index_, i,
          t.name,
          known ? DataTypeName(t.type)
                : fb::EnumNameTensorType(static_cast<fb::TensorType>(t.type)));
    }
    if (ft->shape()) {
      for (int32_t d : *ft->shape()) t.shape.dims[t.shape.rank++] = d;
    }
    if (const auto* q = ft->quantization()) {
      if (q->scale() && q->scale()->size() > 0) {
        t.quant.scale = q->scale()->data();
        t.quant.count = static_cast<int32_t>(q->scale()->size());
        // A lone scale (verified: only then may zero points be absent)
        // has zero point 0.
        static const int64_t kZeroPoint0 = 0;
        t.quant.zero_point = (q->zero_point() && q->zero_point()->size() > 0)
                                 ? q->zero_point()->data()
                                 : &kZeroPoint0;
        // 1-D tensors can only be quantized along dim 0 (see verify.cc).
        t.quant.quantized_dimension =
            t.shape.rank == 1 ? 0 : q->quantized_dimension();
      }
    }
    t.sparsity = ft->sparsity();
    t.is_variable = ft->is_variable();
    const uint8_t* data;
    size_t size;
    model.BufferData(ft->buffer(), &data, &size);
    if (t.is_variable) {
      t.allocation = Allocation::kPersistent;
      t.bytes = BytesFor(t.type, t.NumElements());
      EMBER_RETURN_IF_ERROR(Grow(persistent_[i], t.bytes, "a variable"));
      t.data = persistent_[i].data.get();
    } else if (size > 0 || (model.IsConstant(ft) && !produced[i] &&
                            !is_input[i])) {
      // Empty constants (zero elements) still get a valid, non-null pointer.
      alignas(64) static uint8_t empty_constant[64];
      t.allocation = Allocation::kConstant;
      t.data = data ? const_cast<uint8_t*>(data) : empty_constant;
      t.bytes = size;
      EMBER_RETURN_IF_ERROR(EnsureConstantAligned(t));
    }
  }
  if (sg->inputs()) inputs_.assign(sg->inputs()->begin(), sg->inputs()->end());
  if (sg->outputs())
    outputs_.assign(sg->outputs()->begin(), sg->outputs()->end());

  const uint32_t num_ops = sg->operators() ? sg->operators()->size() : 0;
  nodes_.assign(num_ops, Node());
  node_folded_.assign(num_ops, 0);
  node_shape_folded_.assign(num_ops, 0);
  tensor_shape_derived_.assign(tensors_.size(), 0);
  node_dynamic_.assign(num_ops, 0);
  node_fused_away_.assign(num_ops, 0);
  dynamic_scratch_.resize(num_ops);
  node_persistent_.resize(num_ops);
  size_t op_data_total = 0;
  for (uint32_t i = 0; i < num_ops; ++i) {
    const fb::Operator* op = sg->operators()->Get(i);
    const fb::OperatorCode* code =
        model.fb()->operator_codes()->Get(op->opcode_index());
    Node& node = nodes_[i];
    node.op = op;
    node.builtin_code = Model::BuiltinCode(code);
    node.version = code->version();
    if (op->inputs()) {
      node.inputs = op->inputs()->data();
      node.num_inputs = static_cast<int32_t>(op->inputs()->size());
    }
    if (op->outputs()) {
      node.outputs = op->outputs()->data();
      node.num_outputs = static_cast<int32_t>(op->outputs()->size());
    }
    if (op->intermediates()) {
      node.intermediates = op->intermediates()->data();
      node.num_intermediates = static_cast<int32_t>(op->intermediates()->size());
    }
    if (node.builtin_code == static_cast<int32_t>(fb::BuiltinOperator::CUSTOM)) {
      const char* custom = code->custom_code()->c_str();
      node.reg = resolver.FindCustom(custom);
      if (node.reg == nullptr) missing->push_back(std::string("custom op '") + custom + "'");
    } else {
      node.reg = resolver.FindBuiltin(node.builtin_code);
      if (node.reg == nullptr) {
        const char* name = BuiltinOperatorName(node.builtin_code);
        missing->push_back(strcmp(name, "UNKNOWN") != 0
                               ? std::string(name)
                               : "builtin operator " +
                                     std::to_string(node.builtin_code));
      }
    }
    if (node.reg) op_data_total += AlignUp(node.reg->op_data_size, 64);
  }
  EMBER_RETURN_IF_ERROR(Grow(op_data_, op_data_total, "op data"));
  memset(op_data_.data.get(), 0, op_data_.capacity);
  size_t offset = 0;
  for (Node& node : nodes_) {
    if (node.reg == nullptr) continue;
    node.op_data = op_data_.data.get() + offset;
    offset += AlignUp(node.reg->op_data_size, 64);
  }
  return ResetVariables();
}

Shape Subgraph::ShapeSignature(int32_t tensor) const {
  const fb::Tensor* ft = sg_->tensors()->Get(tensor);
  if (ft->shape_signature() == nullptr) return tensors_[tensor].shape;
  Shape s;
  for (int32_t d : *ft->shape_signature()) s.dims[s.rank++] = d;
  return s;
}

Status Subgraph::ResetVariables() {
  for (Node& node : nodes_) {
    if (node.reg && node.reg->reset && node.op_data) node.reg->reset(node.op_data);
  }
  for (size_t i = 0; i < tensors_.size(); ++i) {
    Tensor& t = tensors_[i];
    if (!t.is_variable || t.data == nullptr) continue;
    const uint8_t* data;
    size_t size;
    model_->BufferData(sg_->tensors()->Get(i)->buffer(), &data, &size);
    if (size == t.bytes && size > 0) {
      memcpy(t.data, data, size);
    } else if (t.bytes > 0) {
      // Quantized variables start at their zero point (the real value 0).
      const int32_t zp = t.quant.zero_point0();
      if (t.type == DataType::kInt8 && zp != 0) {
        memset(t.data, static_cast<int8_t>(zp), t.bytes);
      } else if (t.type == DataType::kInt16 && zp != 0) {
        auto* p = t.data_as<int16_t>();
        for (int64_t k = 0; k < t.NumElements(); ++k) p[k] = static_cast<int16_t>(zp);
      } else {
        memset(t.data, 0, t.bytes);
      }
    }
  }
  return Status::Ok();
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

Status Subgraph::PrepareNodes() {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (node_folded_[i]) continue;
    Node& node = nodes_[i];
    node.num_scratch = 0;
    node.has_dynamic_output = false;
    node_dynamic_[i] = 0;
    bool all_constant = node.num_inputs > 0;
    bool dynamic_input = false;
    bool shape_derived = false;
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
            index_, static_cast<int>(i), node.reg->name, k, in.name);
      }
      if (in.allocation == Allocation::kDynamic) dynamic_input = true;
      if (in.allocation != Allocation::kConstant) all_constant = false;
      if (tensor_shape_derived_[node.inputs[k]]) shape_derived = true;
    }
    // SHAPE reads only its input's shape, known here unless the input is
    // dynamic: folding it turns the shape arithmetic after it (EfficientNet's
    // squeeze-excite blocks: SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE) into
    // constants, so the rest of the graph is planned statically instead of
    // being allocated tensor by tensor at every invoke.
    if (node.builtin_code == static_cast<int32_t>(fb::BuiltinOperator::SHAPE) &&
        node.num_inputs == 1 && node.inputs[0] >= 0 && !dynamic_input) {
      all_constant = true;
      shape_derived = true;
    }
    if (dynamic_input) {
      // Shapes are unknown until the producer runs: prepare at eval time.
      node_dynamic_[i] = 1;
      for (int k = 0; k < node.num_outputs; ++k) {
        // Variables keep their storage; a shape change is refused later.
        Tensor& out = tensors_[node.outputs[k]];
        if (out.allocation != Allocation::kPersistent)
          out.allocation = Allocation::kDynamic;
      }
      continue;
    }
    ReleaseNodeState(static_cast<int>(i));
    OpContext ctx(this, tensors_.data(), &node, static_cast<int>(i), true);
    Status status = node.reg->prepare(ctx);
    if (!status.ok()) {
      error_reporter().Prefix("subgraph %d: ", index_);
      return status;
    }
    EMBER_RETURN_IF_ERROR(CheckOutputShapes(static_cast<int>(i)));
    for (int k = 0; k < node.num_outputs; ++k) {
      Tensor& out = tensors_[node.outputs[k]];
      if (out.allocation != Allocation::kDynamic)
        out.bytes = BytesFor(out.type, out.NumElements());
    }
    const bool foldable = all_constant && node.num_intermediates == 0 &&
                          !IsControlFlow(node.builtin_code) &&
                          !node.has_dynamic_output;
    if (foldable) {
      // Constant subexpressions (fp16 weights behind DEQUANTIZE, DENSIFY)
      // are computed once here and never again.
      for (int k = 0; k < node.num_outputs; ++k) {
        const int32_t o = node.outputs[k];
        Tensor& out = tensors_[o];
        EMBER_RETURN_IF_ERROR(Grow(persistent_[o], out.bytes, "a folded constant"));
        out.data = persistent_[o].data.get();
        out.allocation = Allocation::kConstant;
      }
      size_t scratch_total = 0;
      for (int s = 0; s < node.num_scratch; ++s)
        scratch_total += AlignUp(node.scratch_bytes[s], 64);
      EMBER_RETURN_IF_ERROR(
          Grow(dynamic_scratch_[i], scratch_total, "scratch"));
      size_t off = 0;
      for (int s = 0; s < node.num_scratch; ++s) {
        node.scratch[s] = dynamic_scratch_[i].data.get() + off;
        off += AlignUp(node.scratch_bytes[s], 64);
      }
      OpContext eval_ctx(this, tensors_.data(), &node, static_cast<int>(i),
                         false);
      status = node.reg->eval(eval_ctx);
      if (!status.ok()) {
        error_reporter().Prefix("subgraph %d (folding constants): ", index_);
        return status;
      }
      node_folded_[i] = 1;
      if (shape_derived) {
        node_shape_folded_[i] = 1;
        for (int k = 0; k < node.num_outputs; ++k)
          tensor_shape_derived_[node.outputs[k]] = 1;
      }
    }
  }
  return Status::Ok();
}

Status Subgraph::PlanArena() {
  const int32_t num_nodes = static_cast<int32_t>(nodes_.size());
  const int32_t n = static_cast<int32_t>(tensors_.size());
  std::vector<int32_t> first(n, -1), last(n, -1);
  auto in_arena = [&](int32_t t) {
    return t >= 0 && tensors_[t].allocation == Allocation::kArena;
  };
  for (int32_t t : inputs_) {
    if (in_arena(t)) first[t] = 0;
  }
  for (int32_t i = 0; i < num_nodes; ++i) {
    if (node_folded(i)) continue;
    const Node& node = nodes_[i];
    for (int k = 0; k < node.num_inputs; ++k) {
      const int32_t t = node.inputs[k];
      if (!in_arena(t)) continue;
      if (first[t] < 0) first[t] = i;
      last[t] = std::max(last[t], i);
    }
    for (int k = 0; k < node.num_outputs; ++k) {
      const int32_t t = node.outputs[k];
      if (!in_arena(t)) continue;
      if (first[t] < 0) first[t] = i;
      last[t] = std::max(last[t], i);
    }
    for (int k = 0; k < node.num_intermediates; ++k) {
      const int32_t t = node.intermediates[k];
      if (!in_arena(t)) continue;
      if (first[t] < 0) first[t] = i;
      last[t] = std::max(last[t], i);
    }
  }
  for (int32_t t : outputs_) {
    if (!in_arena(t)) continue;
    if (first[t] < 0) first[t] = 0;
    last[t] = num_nodes;
  }
  for (int32_t t : inputs_) {
    if (in_arena(t)) last[t] = num_nodes;  // callers read inputs back
  }
  const bool preserve_all = owner_->options().preserve_all_tensors;
  if (preserve_all) {
    for (int32_t t = 0; t < n; ++t) {
      if (first[t] < 0) continue;
      first[t] = 0;
      last[t] = num_nodes;
    }
  }
  // Tensors that may share one buffer (reshape aliases, in-place ops).
  std::vector<int32_t> root(n);
  for (int32_t t = 0; t < n; ++t) root[t] = t;
  auto find = [&](int32_t t) {
    while (root[t] != t) t = root[t] = root[root[t]];
    return t;
  };
  auto is_io = [&](int32_t t) {
    return std::find(inputs_.begin(), inputs_.end(), t) != inputs_.end() ||
           std::find(outputs_.begin(), outputs_.end(), t) != outputs_.end();
  };
  for (int32_t i = 0; i < num_nodes; ++i) {
    const Node& node = nodes_[i];
    if (preserve_all || node_folded(i) || node.reg == nullptr ||
        node.num_inputs < 1 || node.num_outputs < 1)
      continue;
    if (!(node.reg->flags &
          (kOpFlagOutputAliasesInput0 | kOpFlagInPlaceInput0)))
      continue;
    const int32_t in = node.inputs[0];
    const int32_t out = node.outputs[0];
    if (!in_arena(in) || !in_arena(out) || is_io(in) || last[in] != i)
      continue;
    if (tensors_[in].bytes != tensors_[out].bytes) continue;
    if (node.reg->flags & kOpFlagInPlaceInput0) {
      if (tensors_[in].type != tensors_[out].type ||
          tensors_[in].shape != tensors_[out].shape)
        continue;
    }
    // Only one alias per buffer chain step: `in` must not be shared with a
    // later reader, which last[in] == i already guarantees.
    root[find(out)] = find(in);
  }
  std::vector<BufferRequest> requests;
  std::vector<int32_t> request_of(n, -1);
  for (int32_t t = 0; t < n; ++t) {
    if (!in_arena(t) || first[t] < 0) continue;
    const int32_t r = find(t);
    if (request_of[r] < 0) {
      request_of[r] = static_cast<int32_t>(requests.size());
      requests.push_back({tensors_[t].bytes, first[t], last[t]});
    } else {
      BufferRequest& req = requests[request_of[r]];
      req.bytes = std::max(req.bytes, tensors_[t].bytes);
      req.first_use = std::min(req.first_use, first[t]);
      req.last_use = std::max(req.last_use, last[t]);
    }
  }
  const size_t tensor_requests = requests.size();
  for (int32_t i = 0; i < num_nodes; ++i) {
    if (node_folded(i) || node_dynamic_[i]) continue;
    for (int s = 0; s < nodes_[i].num_scratch; ++s)
      requests.push_back({nodes_[i].scratch_bytes[s], i, i});
  }
  const ArenaPlan plan = PlanGreedyBySize(requests);
  EMBER_RETURN_IF_ERROR(Grow(arena_, plan.arena_bytes, "the arena"));
  arena_bytes_ = plan.arena_bytes;
  arena_lower_bound_ = plan.lower_bound_bytes;
  uint8_t* base = arena_.data.get();
  for (int32_t t = 0; t < n; ++t) {
    if (!in_arena(t)) continue;
    const int32_t r = find(t);
    tensors_[t].data =
        request_of[r] >= 0 ? base + plan.offsets[request_of[r]] : base;
  }
  size_t next = tensor_requests;
  for (int32_t i = 0; i < num_nodes; ++i) {
    if (node_folded(i) || node_dynamic_[i]) continue;
    for (int s = 0; s < nodes_[i].num_scratch; ++s)
      nodes_[i].scratch[s] = base + plan.offsets[next++];
  }
  return Status::Ok();
}

Status Subgraph::Allocate() {
  // Shapes may have changed since the last plan: shape-dependent folds are
  // computed again (their outputs go back to being ordinary tensors).
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!node_shape_folded_[i]) continue;
    node_shape_folded_[i] = 0;
    node_folded_[i] = 0;
    for (int k = 0; k < nodes_[i].num_outputs; ++k) {
      const int32_t o = nodes_[i].outputs[k];
      tensor_shape_derived_[o] = 0;
      tensors_[o].allocation = Allocation::kArena;
    }
  }
  for (size_t t = 0; t < tensors_.size(); ++t) {
    Tensor& tensor = tensors_[t];
    if (tensor.allocation == Allocation::kConstant ||
        tensor.allocation == Allocation::kPersistent)
      continue;
    tensor.allocation = Allocation::kArena;
    tensor.data = nullptr;
    tensor.bytes = BytesFor(tensor.type, tensor.NumElements());
  }
  // The graph passes start from the model's own graph every time (shapes
  // may have changed since the last plan).
  passes_->Restore(nodes_);
  std::fill(node_fused_away_.begin(), node_fused_away_.end(), 0);
  EMBER_RETURN_IF_ERROR(PrepareNodes());
  EMBER_RETURN_IF_ERROR(RunGraphPasses());
  EMBER_RETURN_IF_ERROR(PlanArena());
  needs_allocation_ = false;
  return Status::Ok();
}

bool Subgraph::graph_passes_enabled() const {
  static const bool env_off = [] {
    const char* v = std::getenv("EMBER_NO_FUSION");
    return v != nullptr && v[0] != '\0' && std::strcmp(v, "0") != 0;
  }();
  const InterpreterOptions& o = owner_->options();
  // Folding drops tensors a caller asking for all of them wants to read.
  return !o.disable_fusion && !o.preserve_all_tensors && !env_off;
}

Status Subgraph::PrepareRewrittenNode(int i) {
  Node& node = nodes_[i];
  node.num_scratch = 0;
  node.has_dynamic_output = false;
  ReleaseNodeState(i);
  OpContext ctx(this, tensors_.data(), &node, i, true);
  EMBER_RETURN_IF_ERROR(node.reg->prepare(ctx));
  EMBER_RETURN_IF_ERROR(CheckOutputShapes(i));
  if (node.has_dynamic_output) {
    return error_reporter().Report(StatusCode::kInternal,
                                   "rewritten node %d has a dynamic output", i);
  }
  for (int k = 0; k < node.num_outputs; ++k) {
    Tensor& out = tensors_[node.outputs[k]];
    out.bytes = BytesFor(out.type, out.NumElements());
  }
  return Status::Ok();
}

Status Subgraph::RunGraphPasses() {
  if (!graph_passes_enabled()) return Status::Ok();
  std::vector<uint8_t> frozen(nodes_.size(), 0);
  for (size_t i = 0; i < nodes_.size(); ++i)
    frozen[i] = node_folded_[i] | node_dynamic_[i] | (nodes_[i].reg == nullptr);
  graph::PassOptions options;
  options.fuse_inverted_residual =
      !force_reference_kernels() && x86::BestFloatIsa() != x86::Isa::kNone;
  graph::GraphRewriter rewriter(nodes_, tensors_, inputs_, outputs_, frozen,
                                node_fused_away_, *passes_);
  graph::RunPasses(rewriter, options);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    // Dropped nodes give back their packed weights.
    if (node_fused_away_[i]) ReleaseNodeState(static_cast<int>(i));
  }
  for (int i : rewriter.changed()) {
    if (node_fused_away_[i]) continue;
    Status status = PrepareRewrittenNode(i);
    if (status.ok()) continue;
    // A rewrite the op refused: plan the model's own graph instead.
    passes_->Restore(nodes_);
    std::fill(node_fused_away_.begin(), node_fused_away_.end(), 0);
    error_reporter().Clear();
    return PrepareNodes();
  }
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
  EMBER_RETURN_IF_ERROR(Grow(dynamic_[tensor_index], bytes, "a dynamic tensor"));
  t.shape = shape;
  t.bytes = bytes;
  t.data = dynamic_[tensor_index].data.get();
  return Status::Ok();
}

Status Subgraph::PrepareDynamicNode(int i) {
  Node& node = nodes_[i];
  node.num_scratch = 0;
  ReleaseNodeState(i);
  OpContext ctx(this, tensors_.data(), &node, i, true);
  Status status = node.reg->prepare(ctx);
  if (!status.ok()) {
    error_reporter().Prefix("subgraph %d: ", index_);
    return status;
  }
  EMBER_RETURN_IF_ERROR(CheckOutputShapes(i));
  for (int k = 0; k < node.num_outputs; ++k) {
    const int32_t o = node.outputs[k];
    Tensor& out = tensors_[o];
    if (out.allocation != Allocation::kDynamic) continue;
    EMBER_RETURN_IF_ERROR(ResizeDynamicTensor(o, out.shape));
  }
  size_t total = 0;
  for (int s = 0; s < node.num_scratch; ++s)
    total += AlignUp(node.scratch_bytes[s], 64);
  EMBER_RETURN_IF_ERROR(Grow(dynamic_scratch_[i], total, "scratch"));
  size_t off = 0;
  for (int s = 0; s < node.num_scratch; ++s) {
    node.scratch[s] = dynamic_scratch_[i].data.get() + off;
    off += AlignUp(node.scratch_bytes[s], 64);
  }
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
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (node_folded(static_cast<int>(i))) continue;
    if (node_dynamic_[i]) {
      EMBER_RETURN_IF_ERROR(PrepareDynamicNode(static_cast<int>(i)));
    }
    Node& node = nodes_[i];
    OpContext ctx(this, tensors_.data(), &node, static_cast<int>(i), false);
    const auto start = profiling_ ? std::chrono::steady_clock::now()
                                  : std::chrono::steady_clock::time_point();
    Status status = node.reg->eval(ctx);
    if (profiling_) {
      node_nanos_[i] += std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
      ++node_calls_[i];
    }
    if (!status.ok()) {
      error_reporter().Prefix("subgraph %d: ", index_);
      return status;
    }
    if (node.has_dynamic_output || node_dynamic_[i]) {
      for (int k = 0; k < node.num_outputs; ++k) {
        const Tensor& out = tensors_[node.outputs[k]];
        if (out.allocation == Allocation::kDynamic && out.data == nullptr) {
          return error_reporter().Report(
              StatusCode::kInternal,
              "subgraph %d: op #%zu %s did not size its dynamic output %d",
              index_, i, node.reg->name, k);
        }
      }
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
    return error_reporter().Report(StatusCode::kInvalidModel,
                                   "no subgraph %d", index);
  }
  if (callee->needs_allocation()) EMBER_RETURN_IF_ERROR(callee->Allocate());
  return callee->Invoke();
}

Status Subgraph::SubgraphIo(int32_t index, Tensor** tensors,
                            const int32_t** inputs, int32_t* num_inputs,
                            const int32_t** outputs, int32_t* num_outputs) {
  Subgraph* callee = owner_->subgraph(index);
  if (callee == nullptr) {
    return error_reporter().Report(StatusCode::kInvalidModel,
                                   "no subgraph %d", index);
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
    return error_reporter().Report(StatusCode::kInvalidModel,
                                   "no subgraph %d", subgraph);
  }
  return callee->ResizeInput(input_pos, shape);
}

Status Subgraph::AllocateSubgraph(int32_t index) {
  Subgraph* callee = owner_->subgraph(index);
  if (callee == nullptr) {
    return error_reporter().Report(StatusCode::kInvalidModel,
                                   "no subgraph %d", index);
  }
  if (callee->needs_allocation()) return callee->Allocate();
  return Status::Ok();
}

}  // namespace ember
