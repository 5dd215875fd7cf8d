#include "convert/keras/tflite_builder.h"

#include <cstring>

namespace ember::convert::keras {

TfliteBuilder::TfliteBuilder(fb::ModelT* model) : model_(model) {
  model_->version = 3;
  model_->buffers.push_back(std::make_unique<fb::BufferT>());
  model_->subgraphs.push_back(std::make_unique<fb::SubGraphT>());
  sg_ = model_->subgraphs.back().get();
  sg_->name = "main";
}

int TfliteBuilder::Tensor(const std::string& name, const Dims& shape,
                          fb::TensorType type) {
  auto t = std::make_unique<fb::TensorT>();
  t->name = name;
  t->shape = shape;
  t->type = type;
  sg_->tensors.push_back(std::move(t));
  return static_cast<int>(sg_->tensors.size()) - 1;
}

int TfliteBuilder::ConstF(const std::string& name, const Dims& shape,
                          const std::vector<float>& values) {
  int t = Tensor(name, shape);
  auto buffer = std::make_unique<fb::BufferT>();
  buffer->data.resize(values.size() * sizeof(float));
  if (!values.empty())
    std::memcpy(buffer->data.data(), values.data(), buffer->data.size());
  model_->buffers.push_back(std::move(buffer));
  sg_->tensors[t]->buffer = static_cast<uint32_t>(model_->buffers.size() - 1);
  return t;
}

int TfliteBuilder::ConstI32(const std::string& name, const Dims& shape,
                            const std::vector<int32_t>& values) {
  int t = Tensor(name, shape, fb::TensorType::INT32);
  auto buffer = std::make_unique<fb::BufferT>();
  buffer->data.resize(values.size() * sizeof(int32_t));
  if (!values.empty())
    std::memcpy(buffer->data.data(), values.data(), buffer->data.size());
  model_->buffers.push_back(std::move(buffer));
  sg_->tensors[t]->buffer = static_cast<uint32_t>(model_->buffers.size() - 1);
  return t;
}

uint32_t TfliteBuilder::OpcodeIndex(fb::BuiltinOperator code) {
  for (size_t i = 0; i < model_->operator_codes.size(); ++i)
    if (model_->operator_codes[i]->builtin_code == code)
      return static_cast<uint32_t>(i);
  auto oc = std::make_unique<fb::OperatorCodeT>();
  oc->builtin_code = code;
  // Codes above 127 keep 127 (PLACEHOLDER_FOR_GREATER_OP_CODES) in the old
  // int8 field, as readers of old models expect.
  oc->deprecated_builtin_code =
      static_cast<int8_t>(std::min<int32_t>(static_cast<int32_t>(code), 127));
  oc->version = 1;
  model_->operator_codes.push_back(std::move(oc));
  return static_cast<uint32_t>(model_->operator_codes.size() - 1);
}

int TfliteBuilder::Op(fb::BuiltinOperator code,
                      const std::vector<int32_t>& inputs,
                      const std::vector<int32_t>& outputs,
                      fb::BuiltinOptionsUnion options) {
  auto op = std::make_unique<fb::OperatorT>();
  op->opcode_index = OpcodeIndex(code);
  op->inputs = inputs;
  op->outputs = outputs;
  op->builtin_options = std::move(options);
  sg_->operators.push_back(std::move(op));
  return static_cast<int>(sg_->operators.size()) - 1;
}

int TfliteBuilder::Unary(fb::BuiltinOperator code, int input,
                         const std::string& name, const Dims& shape,
                         fb::BuiltinOptionsUnion options) {
  int out = Tensor(name, shape);
  Op(code, {input}, {out}, std::move(options));
  return out;
}

}  // namespace ember::convert::keras
