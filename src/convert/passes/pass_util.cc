#include "convert/passes/pass_util.h"

#include <algorithm>
#include <cstring>

namespace ember::convert::passes {

fb::BuiltinOperator OpCode(const fb::ModelT& m, const fb::OperatorT& op) {
  if (op.opcode_index >= m.operator_codes.size())
    return fb::BuiltinOperator::CUSTOM;
  const fb::OperatorCodeT& c = *m.operator_codes[op.opcode_index];
  // Old files only fill the int8 field.
  const int32_t code =
      std::max<int32_t>(static_cast<int32_t>(c.builtin_code),
                        static_cast<int32_t>(c.deprecated_builtin_code));
  return static_cast<fb::BuiltinOperator>(code);
}

bool IsConstant(const fb::ModelT& m, const fb::SubGraphT& sg, int tensor) {
  if (tensor < 0 || tensor >= static_cast<int>(sg.tensors.size())) return false;
  const fb::TensorT& t = *sg.tensors[tensor];
  if (t.is_variable || t.buffer == 0 || t.buffer >= m.buffers.size())
    return false;
  return !m.buffers[t.buffer]->data.empty() || NumElements(t.shape) == 0;
}

bool ConstFloats(const fb::ModelT& m, const fb::SubGraphT& sg, int tensor,
                 std::vector<float>* out) {
  if (!IsConstant(m, sg, tensor)) return false;
  const fb::TensorT& t = *sg.tensors[tensor];
  if (t.type != fb::TensorType::FLOAT32 || t.quantization || t.sparsity)
    return false;
  const auto& data = m.buffers[t.buffer]->data;
  if (data.size() != static_cast<size_t>(NumElements(t.shape)) * sizeof(float))
    return false;
  out->resize(data.size() / sizeof(float));
  if (!data.empty()) std::memcpy(out->data(), data.data(), data.size());
  return true;
}

void SetConstFloats(fb::ModelT& m, fb::SubGraphT& sg, int tensor,
                    const std::vector<float>& values) {
  auto buffer = std::make_unique<fb::BufferT>();
  buffer->data.resize(values.size() * sizeof(float));
  if (!values.empty())
    std::memcpy(buffer->data.data(), values.data(), buffer->data.size());
  m.buffers.push_back(std::move(buffer));
  sg.tensors[tensor]->buffer = static_cast<uint32_t>(m.buffers.size() - 1);
}

std::vector<int> Consumers(const fb::SubGraphT& sg, int tensor) {
  std::vector<int> r;
  for (size_t i = 0; i < sg.operators.size(); ++i) {
    const auto& in = sg.operators[i]->inputs;
    if (std::find(in.begin(), in.end(), tensor) != in.end())
      r.push_back(static_cast<int>(i));
  }
  return r;
}

bool IsGraphOutput(const fb::SubGraphT& sg, int tensor) {
  return std::find(sg.outputs.begin(), sg.outputs.end(), tensor) !=
         sg.outputs.end();
}

bool IsGraphInput(const fb::SubGraphT& sg, int tensor) {
  return std::find(sg.inputs.begin(), sg.inputs.end(), tensor) !=
         sg.inputs.end();
}

int BufferUsers(const fb::ModelT& m, uint32_t buffer) {
  int n = 0;
  for (const auto& sg : m.subgraphs)
    for (const auto& t : sg->tensors) n += t->buffer == buffer;
  return n;
}

void ReplaceUses(fb::SubGraphT& sg, int from, int to) {
  for (auto& op : sg.operators)
    for (int32_t& i : op->inputs)
      if (i == from) i = to;
}

fb::ActivationFunctionType* FusedActivation(fb::OperatorT& op) {
  auto& u = op.builtin_options;
  switch (u.type) {
    case fb::BuiltinOptions::Conv2DOptions:
      return &u.AsConv2DOptions()->fused_activation_function;
    case fb::BuiltinOptions::DepthwiseConv2DOptions:
      return &u.AsDepthwiseConv2DOptions()->fused_activation_function;
    case fb::BuiltinOptions::FullyConnectedOptions:
      return &u.AsFullyConnectedOptions()->fused_activation_function;
    case fb::BuiltinOptions::AddOptions:
      return &u.AsAddOptions()->fused_activation_function;
    case fb::BuiltinOptions::SubOptions:
      return &u.AsSubOptions()->fused_activation_function;
    case fb::BuiltinOptions::MulOptions:
      return &u.AsMulOptions()->fused_activation_function;
    case fb::BuiltinOptions::Pool2DOptions:
      return &u.AsPool2DOptions()->fused_activation_function;
    case fb::BuiltinOptions::ConcatenationOptions:
      return &u.AsConcatenationOptions()->fused_activation_function;
    case fb::BuiltinOptions::TransposeConvOptions:
      return &u.AsTransposeConvOptions()->fused_activation_function;
    default:
      return nullptr;
  }
}

int64_t NumElements(const std::vector<int32_t>& shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

void EraseOps(fb::SubGraphT& sg, const std::vector<bool>& dead) {
  size_t w = 0;
  for (size_t i = 0; i < sg.operators.size(); ++i)
    if (!dead[i]) sg.operators[w++] = std::move(sg.operators[i]);
  sg.operators.resize(w);
}

}  // namespace ember::convert::passes
