// Pipeline step 1: tensors and nodes from the flatbuffer (Subgraph::Init),
// and what puts them back to the model's state (ResetVariables).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "runtime/interpreter.h"
#include "runtime/subgraph.h"

namespace ember {

Status Subgraph::Init(const Model& model, const fb::SubGraph* sg,
                      const OpResolver& resolver,
                      std::vector<std::string>* missing) {
  model_ = &model;
  sg_ = sg;
  name_ = sg->name() ? sg->name()->c_str() : "";
  EMBER_RETURN_IF_ERROR(BuildTensors(model, sg));
  if (sg->inputs()) inputs_.assign(sg->inputs()->begin(), sg->inputs()->end());
  if (sg->outputs())
    outputs_.assign(sg->outputs()->begin(), sg->outputs()->end());
  EMBER_RETURN_IF_ERROR(BuildNodes(model, sg, resolver, missing));
  EMBER_RETURN_IF_ERROR(AssignOpData());
  return ResetVariables();
}

Status Subgraph::BuildTensors(const Model& model, const fb::SubGraph* sg) {
  const uint32_t num_tensors = sg->tensors() ? sg->tensors()->size() : 0;
  tensors_.assign(num_tensors, Tensor());
  tensor_storage_.resize(num_tensors);
  // Empty (zero-element) tensors with a buffer are constants unless an op
  // produces them or the caller feeds them.
  std::vector<uint8_t> written(num_tensors, 0);
  if (sg->operators()) {
    for (const fb::Operator* op : *sg->operators()) {
      if (op->outputs() == nullptr) continue;
      for (int32_t o : *op->outputs()) written[o] = 1;
    }
  }
  if (sg->inputs())
    for (int32_t in : *sg->inputs()) written[in] = 1;
  for (uint32_t i = 0; i < num_tensors; ++i) {
    const fb::Tensor* ft = sg->tensors()->Get(i);
    Tensor& t = tensors_[i];
    t.type = static_cast<DataType>(ft->type());
    t.name = ft->name() ? ft->name()->c_str() : "";
    // Strings and the sub-byte / fp8 types Ember has no kernels for are
    // refused here, once, instead of reaching ops as zero-byte tensors.
    const bool known =
        static_cast<int>(t.type) <= static_cast<int>(DataType::kBFloat16);
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
      AlignedBuffer& storage = tensor_storage_[i].owned;
      EMBER_RETURN_IF_ERROR(Grow(storage, t.bytes, "a variable"));
      t.data = storage.data.get();
    } else if (size > 0 || (model.IsConstant(ft) && !written[i])) {
      // Empty constants (zero elements) still get a valid, non-null pointer.
      alignas(64) static uint8_t empty_constant[64];
      t.allocation = Allocation::kConstant;
      t.data = data ? const_cast<uint8_t*>(data) : empty_constant;
      t.bytes = size;
      EMBER_RETURN_IF_ERROR(EnsureConstantAligned(t));
    }
  }
  return Status::Ok();
}

Status Subgraph::EnsureConstantAligned(Tensor& t) {
  const size_t element = std::max<size_t>(DataTypeSize(t.type), 1);
  const size_t want = std::min<size_t>(element, 16);
  if (reinterpret_cast<uintptr_t>(t.data) % want == 0) return Status::Ok();
  // Misaligned weights (hand-made files): copy once, keep kernels simple.
  const int32_t idx = static_cast<int32_t>(&t - tensors_.data());
  AlignedBuffer& copy = tensor_storage_[idx].owned;
  EMBER_RETURN_IF_ERROR(Grow(copy, t.bytes, "an aligned constant"));
  memcpy(copy.data.get(), t.data, t.bytes);
  t.data = copy.data.get();
  return Status::Ok();
}

Status Subgraph::BuildNodes(const Model& model, const fb::SubGraph* sg,
                            const OpResolver& resolver,
                            std::vector<std::string>* missing) {
  const uint32_t num_ops = sg->operators() ? sg->operators()->size() : 0;
  nodes_.assign(num_ops, Node());
  node_state_.resize(num_ops);
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
      node.num_intermediates =
          static_cast<int32_t>(op->intermediates()->size());
    }
    if (node.builtin_code ==
        static_cast<int32_t>(fb::BuiltinOperator::CUSTOM)) {
      const char* custom = code->custom_code()->c_str();
      node.reg = resolver.FindCustom(custom);
      if (node.reg == nullptr)
        missing->push_back(std::string("custom op '") + custom + "'");
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
  }
  return Status::Ok();
}

// One zeroed block holds every node's op data, 64-byte aligned each.
Status Subgraph::AssignOpData() {
  size_t total = 0;
  for (const Node& node : nodes_)
    if (node.reg) total += AlignUp(node.reg->op_data_size, 64);
  EMBER_RETURN_IF_ERROR(Grow(op_data_, total, "op data"));
  memset(op_data_.data.get(), 0, op_data_.capacity);
  size_t offset = 0;
  for (Node& node : nodes_) {
    if (node.reg == nullptr) continue;
    node.op_data = op_data_.data.get() + offset;
    offset += AlignUp(node.reg->op_data_size, 64);
  }
  return Status::Ok();
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
    if (node.reg && node.reg->reset && node.op_data)
      node.reg->reset(node.op_data);
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
        for (int64_t k = 0; k < t.NumElements(); ++k)
          p[k] = static_cast<int16_t>(zp);
      } else {
        memset(t.data, 0, t.bytes);
      }
    }
  }
  return Status::Ok();
}

}  // namespace ember
