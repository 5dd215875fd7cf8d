#include "util/model_builder.h"

#include <memory>

namespace ember::testing {

ModelBuilder::ModelBuilder() {
  model_.version = 3;
  model_.description = "ember test model";
  // Buffer 0 is the conventional empty buffer.
  model_.buffers.push_back(std::make_unique<fb::BufferT>());
  model_.subgraphs.push_back(std::make_unique<fb::SubGraphT>());
  model_.subgraphs[0]->name = "main";
}

int ModelBuilder::AddTensor(fb::TensorType type, std::vector<int32_t> shape,
                            const std::string& name, const QuantSpec& quant) {
  auto t = std::make_unique<fb::TensorT>();
  t->type = type;
  t->shape = std::move(shape);
  t->name =
      name.empty() ? "t" + std::to_string(current().tensors.size()) : name;
  t->buffer = 0;
  if (!quant.scales.empty()) {
    t->quantization = std::make_unique<fb::QuantizationParametersT>();
    t->quantization->scale = quant.scales;
    t->quantization->zero_point =
        quant.zero_points.empty() ? std::vector<int64_t>(quant.scales.size(), 0)
                                  : quant.zero_points;
    t->quantization->quantized_dimension = quant.dim;
  }
  current().tensors.push_back(std::move(t));
  return static_cast<int>(current().tensors.size()) - 1;
}

int ModelBuilder::AddConstant(fb::TensorType type, std::vector<int32_t> shape,
                              const void* data, size_t bytes,
                              const std::string& name, const QuantSpec& quant) {
  const int t = AddTensor(type, std::move(shape), name, quant);
  auto buffer = std::make_unique<fb::BufferT>();
  buffer->data.resize(bytes);
  if (bytes) memcpy(buffer->data.data(), data, bytes);
  model_.buffers.push_back(std::move(buffer));
  current().tensors[t]->buffer =
      static_cast<uint32_t>(model_.buffers.size() - 1);
  return t;
}

void ModelBuilder::SetShapeSignature(int t, std::vector<int32_t> signature) {
  current().tensors[t]->shape_signature = std::move(signature);
}

void ModelBuilder::SetVariable(int t) {
  current().tensors[t]->is_variable = true;
}

fb::TensorT& ModelBuilder::tensor(int t) { return *current().tensors[t]; }

int ModelBuilder::OperatorCodeIndex(fb::BuiltinOperator op,
                                    const std::string& custom, int version) {
  for (size_t i = 0; i < model_.operator_codes.size(); ++i) {
    const auto& c = *model_.operator_codes[i];
    if (c.builtin_code == op && c.custom_code == custom && c.version == version)
      return static_cast<int>(i);
  }
  auto code = std::make_unique<fb::OperatorCodeT>();
  code->builtin_code = op;
  code->deprecated_builtin_code =
      static_cast<int8_t>(std::min<int32_t>(static_cast<int32_t>(op), 127));
  code->custom_code = custom;
  code->version = version;
  model_.operator_codes.push_back(std::move(code));
  return static_cast<int>(model_.operator_codes.size()) - 1;
}

int ModelBuilder::AddOp(fb::BuiltinOperator op, std::vector<int32_t> inputs,
                        std::vector<int32_t> outputs,
                        fb::BuiltinOptionsUnion options, int version) {
  auto o = std::make_unique<fb::OperatorT>();
  o->opcode_index = static_cast<uint32_t>(OperatorCodeIndex(op, "", version));
  o->inputs = std::move(inputs);
  o->outputs = std::move(outputs);
  o->builtin_options = std::move(options);
  current().operators.push_back(std::move(o));
  return static_cast<int>(current().operators.size()) - 1;
}

int ModelBuilder::AddCustomOp(const std::string& code,
                              std::vector<int32_t> inputs,
                              std::vector<int32_t> outputs,
                              std::vector<uint8_t> custom_options) {
  auto o = std::make_unique<fb::OperatorT>();
  o->opcode_index = static_cast<uint32_t>(
      OperatorCodeIndex(fb::BuiltinOperator::CUSTOM, code, 1));
  o->inputs = std::move(inputs);
  o->outputs = std::move(outputs);
  o->custom_options = std::move(custom_options);
  current().operators.push_back(std::move(o));
  return static_cast<int>(current().operators.size()) - 1;
}

fb::OperatorT& ModelBuilder::op(int index) {
  return *current().operators[index];
}

void ModelBuilder::SetInputs(std::vector<int32_t> inputs) {
  current().inputs = std::move(inputs);
}
void ModelBuilder::SetOutputs(std::vector<int32_t> outputs) {
  current().outputs = std::move(outputs);
}

int ModelBuilder::AddSubgraph(const std::string& name) {
  model_.subgraphs.push_back(std::make_unique<fb::SubGraphT>());
  current_ = static_cast<int>(model_.subgraphs.size()) - 1;
  current().name = name;
  return current_;
}

void ModelBuilder::SelectSubgraph(int index) { current_ = index; }

void ModelBuilder::AddSignature(
    const std::string& key, int subgraph,
    std::vector<std::pair<std::string, int32_t>> inputs,
    std::vector<std::pair<std::string, int32_t>> outputs) {
  auto sig = std::make_unique<fb::SignatureDefT>();
  sig->signature_key = key;
  sig->subgraph_index = static_cast<uint32_t>(subgraph);
  for (auto& [name, index] : inputs) {
    auto m = std::make_unique<fb::TensorMapT>();
    m->name = name;
    m->tensor_index = static_cast<uint32_t>(index);
    sig->inputs.push_back(std::move(m));
  }
  for (auto& [name, index] : outputs) {
    auto m = std::make_unique<fb::TensorMapT>();
    m->name = name;
    m->tensor_index = static_cast<uint32_t>(index);
    sig->outputs.push_back(std::move(m));
  }
  model_.signature_defs.push_back(std::move(sig));
}

std::vector<uint8_t> ModelBuilder::Build() {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(fb::Model::Pack(fbb, &model_), fb::ModelIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(),
                              fbb.GetBufferPointer() + fbb.GetSize());
}

}  // namespace ember::testing
