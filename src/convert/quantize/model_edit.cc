#include "convert/quantize/model_edit.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace ember::quantize {

fb::BuiltinOperator OpOf(const fb::ModelT& model, const fb::OperatorT& op) {
  if (op.opcode_index >= model.operator_codes.size())
    return fb::BuiltinOperator::CUSTOM;
  const fb::OperatorCodeT& code = *model.operator_codes[op.opcode_index];
  // Old writers only fill the byte-sized field.
  return static_cast<fb::BuiltinOperator>(std::max<int32_t>(
      code.deprecated_builtin_code, static_cast<int32_t>(code.builtin_code)));
}

uint32_t OpCodeIndex(fb::ModelT* model, fb::BuiltinOperator op, int version) {
  for (size_t i = 0; i < model->operator_codes.size(); ++i) {
    const fb::OperatorCodeT& code = *model->operator_codes[i];
    const int32_t builtin = std::max<int32_t>(
        code.deprecated_builtin_code, static_cast<int32_t>(code.builtin_code));
    if (builtin == static_cast<int32_t>(op) && code.version == version &&
        code.custom_code.empty())
      return static_cast<uint32_t>(i);
  }
  auto code = std::make_unique<fb::OperatorCodeT>();
  code->builtin_code = op;
  code->deprecated_builtin_code =
      static_cast<int8_t>(std::min<int32_t>(static_cast<int32_t>(op), 127));
  code->version = version;
  model->operator_codes.push_back(std::move(code));
  return static_cast<uint32_t>(model->operator_codes.size() - 1);
}

void SetOpVersion(fb::ModelT* model, fb::OperatorT* op, int version) {
  op->opcode_index = OpCodeIndex(model, OpOf(*model, *op), version);
}

const std::vector<uint8_t>& ConstantData(const fb::ModelT& model,
                                         const fb::TensorT& tensor) {
  static const std::vector<uint8_t> kEmpty;
  if (tensor.buffer == 0 || tensor.buffer >= model.buffers.size())
    return kEmpty;
  return model.buffers[tensor.buffer]->data;
}

bool IsConstant(const fb::ModelT& model, const fb::TensorT& tensor) {
  return !tensor.is_variable && !ConstantData(model, tensor).empty();
}

std::vector<float> FloatValues(const fb::ModelT& model,
                               const fb::TensorT& tensor) {
  const std::vector<uint8_t>& data = ConstantData(model, tensor);
  std::vector<float> values(data.size() / sizeof(float));
  if (!values.empty()) memcpy(values.data(), data.data(), values.size() * 4);
  return values;
}

int32_t AddTensor(fb::ModelT* model, fb::SubGraphT* sg, const std::string& name,
                  fb::TensorType type, const std::vector<int32_t>& shape,
                  std::vector<uint8_t> data) {
  auto tensor = std::make_unique<fb::TensorT>();
  tensor->name = name;
  tensor->type = type;
  tensor->shape = shape;
  if (!data.empty()) {
    auto buffer = std::make_unique<fb::BufferT>();
    buffer->data = std::move(data);
    model->buffers.push_back(std::move(buffer));
    tensor->buffer = static_cast<uint32_t>(model->buffers.size() - 1);
  }
  sg->tensors.push_back(std::move(tensor));
  return static_cast<int32_t>(sg->tensors.size() - 1);
}

void SetQuant(fb::TensorT* tensor, std::vector<float> scales,
              std::vector<int64_t> zero_points, int32_t dim) {
  auto q = std::make_unique<fb::QuantizationParametersT>();
  q->scale = std::move(scales);
  q->zero_point = std::move(zero_points);
  q->quantized_dimension = dim;
  tensor->quantization = std::move(q);
}

namespace {

std::vector<int32_t> CompactTensors(fb::ModelT* model, int sg_index) {
  fb::SubGraphT& sg = *model->subgraphs[sg_index];
  std::vector<uint8_t> used(sg.tensors.size(), 0);
  auto mark = [&](int32_t t) {
    if (t >= 0 && t < static_cast<int32_t>(used.size())) used[t] = 1;
  };
  for (const auto& op : sg.operators) {
    for (int32_t t : op->inputs) mark(t);
    for (int32_t t : op->outputs) mark(t);
    for (int32_t t : op->intermediates) mark(t);
  }
  for (int32_t t : sg.inputs) mark(t);
  for (int32_t t : sg.outputs) mark(t);
  for (const auto& sig : model->signature_defs) {
    if (static_cast<int>(sig->subgraph_index) != sg_index) continue;
    for (const auto& m : sig->inputs)
      mark(static_cast<int32_t>(m->tensor_index));
    for (const auto& m : sig->outputs)
      mark(static_cast<int32_t>(m->tensor_index));
  }
  std::vector<int32_t> remap(sg.tensors.size(), -1);
  std::vector<std::unique_ptr<fb::TensorT>> kept;
  for (size_t i = 0; i < sg.tensors.size(); ++i) {
    if (!used[i]) continue;
    remap[i] = static_cast<int32_t>(kept.size());
    kept.push_back(std::move(sg.tensors[i]));
  }
  sg.tensors = std::move(kept);
  auto apply = [&](int32_t& t) {
    if (t >= 0 && t < static_cast<int32_t>(remap.size())) t = remap[t];
  };
  for (auto& op : sg.operators) {
    for (int32_t& t : op->inputs) apply(t);
    for (int32_t& t : op->outputs) apply(t);
    for (int32_t& t : op->intermediates) apply(t);
  }
  for (int32_t& t : sg.inputs) apply(t);
  for (int32_t& t : sg.outputs) apply(t);
  for (auto& sig : model->signature_defs) {
    if (static_cast<int>(sig->subgraph_index) != sg_index) continue;
    for (auto& m : sig->inputs) m->tensor_index = remap[m->tensor_index];
    for (auto& m : sig->outputs) m->tensor_index = remap[m->tensor_index];
  }
  return remap;
}

void CompactBuffers(fb::ModelT* model) {
  std::vector<uint8_t> used(model->buffers.size(), 0);
  if (!used.empty()) used[0] = 1;  // the empty sentinel stays first
  for (const auto& sg : model->subgraphs)
    for (const auto& t : sg->tensors)
      if (t->buffer < used.size()) used[t->buffer] = 1;
  for (const auto& m : model->metadata)
    if (m->buffer < used.size()) used[m->buffer] = 1;
  for (int32_t b : model->metadata_buffer)
    if (b >= 0 && static_cast<size_t>(b) < used.size()) used[b] = 1;
  std::vector<uint32_t> remap(model->buffers.size(), 0);
  std::vector<std::unique_ptr<fb::BufferT>> kept;
  for (size_t i = 0; i < model->buffers.size(); ++i) {
    if (!used[i]) continue;
    remap[i] = static_cast<uint32_t>(kept.size());
    kept.push_back(std::move(model->buffers[i]));
  }
  model->buffers = std::move(kept);
  for (auto& sg : model->subgraphs)
    for (auto& t : sg->tensors)
      if (t->buffer < remap.size()) t->buffer = remap[t->buffer];
  for (auto& m : model->metadata)
    if (m->buffer < remap.size()) m->buffer = remap[m->buffer];
  for (int32_t& b : model->metadata_buffer)
    if (b >= 0 && static_cast<size_t>(b) < remap.size())
      b = static_cast<int32_t>(remap[b]);
}

}  // namespace

std::vector<int32_t> RemoveUnused(fb::ModelT* model) {
  std::vector<int32_t> first;
  for (size_t s = 0; s < model->subgraphs.size(); ++s) {
    // Control-flow subgraphs keep their tensors: only subgraph 0 is edited.
    if (s != 0) continue;
    first = CompactTensors(model, static_cast<int>(s));
  }
  CompactBuffers(model);
  return first;
}

}  // namespace ember::quantize

#include "kernels/ref/quantize.h"

namespace ember::quantize {

int FoldConstantDequantize(fb::ModelT* model) {
  int folded = 0;
  for (auto& sg : model->subgraphs) {
    std::vector<std::unique_ptr<fb::OperatorT>> kept;
    for (auto& op : sg->operators) {
      if (OpOf(*model, *op) != fb::BuiltinOperator::DEQUANTIZE ||
          op->inputs.size() != 1 || op->outputs.size() != 1 ||
          op->inputs[0] < 0 || op->outputs[0] < 0) {
        kept.push_back(std::move(op));
        continue;
      }
      const fb::TensorT& in = *sg->tensors[op->inputs[0]];
      fb::TensorT& out = *sg->tensors[op->outputs[0]];
      const std::vector<uint8_t>& data = ConstantData(*model, in);
      const bool fp16 =
          in.type == fb::TensorType::FLOAT16 && in.sparsity == nullptr;
      const bool int8 = in.type == fb::TensorType::INT8 && in.quantization &&
                        in.quantization->scale.size() == 1 &&
                        in.sparsity == nullptr;
      if (data.empty() || (!fp16 && !int8) ||
          out.type != fb::TensorType::FLOAT32) {
        kept.push_back(std::move(op));
        continue;
      }
      const size_t n = fp16 ? data.size() / 2 : data.size();
      std::vector<float> values(n);
      for (size_t i = 0; i < n; ++i) {
        if (fp16) {
          uint16_t h;
          memcpy(&h, data.data() + 2 * i, 2);
          values[i] = ref::HalfToFloat(h);
        } else {
          values[i] =
              in.quantization->scale[0] *
              (static_cast<int8_t>(data[i]) - in.quantization->zero_point[0]);
        }
      }
      auto buffer = std::make_unique<fb::BufferT>();
      buffer->data = Bytes(values);
      model->buffers.push_back(std::move(buffer));
      out.buffer = static_cast<uint32_t>(model->buffers.size() - 1);
      ++folded;
    }
    sg->operators = std::move(kept);
  }
  return folded;
}

}  // namespace ember::quantize
