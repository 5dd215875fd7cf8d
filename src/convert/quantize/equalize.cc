#include "convert/quantize/equalize.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "convert/quantize/model_edit.h"

namespace ember::quantize {
namespace {

struct Layer {
  fb::OperatorT* op = nullptr;
  bool depthwise = false;
  int32_t filter = -1, bias = -1;
};

// A conv or depthwise (multiplier 1) with constant float weights.
bool AsLayer(const fb::ModelT& model, fb::OperatorT* op, Layer* layer) {
  const fb::BuiltinOperator code = OpOf(model, *op);
  const fb::SubGraphT& sg = *model.subgraphs[0];
  if (code == fb::BuiltinOperator::DEPTHWISE_CONV_2D) {
    const auto* o = op->builtin_options.AsDepthwiseConv2DOptions();
    if (o == nullptr || o->depth_multiplier != 1) return false;
    layer->depthwise = true;
  } else if (code != fb::BuiltinOperator::CONV_2D) {
    return false;
  }
  if (op->inputs.size() < 2 || op->inputs[1] < 0 || op->outputs.size() != 1)
    return false;
  layer->op = op;
  layer->filter = op->inputs[1];
  layer->bias = op->inputs.size() > 2 ? op->inputs[2] : -1;
  for (int32_t t : {layer->filter, layer->bias}) {
    if (t < 0) continue;
    const fb::TensorT& tensor = *sg.tensors[t];
    if (tensor.type != fb::TensorType::FLOAT32 || !IsConstant(model, tensor))
      return false;
  }
  return sg.tensors[layer->filter]->shape.size() == 4;
}

fb::ActivationFunctionType Activation(const fb::OperatorT& op) {
  if (const auto* o = op.builtin_options.AsConv2DOptions())
    return o->fused_activation_function;
  if (const auto* o = op.builtin_options.AsDepthwiseConv2DOptions())
    return o->fused_activation_function;
  return fb::ActivationFunctionType::RELU6;  // treated as not homogeneous
}

// Gives `op` its own copy of input `slot` when other ops share the tensor
// (converters dedupe equal constants, e.g. zero biases), so rescaling it
// does not change them.
int32_t Own(fb::ModelT* model, fb::OperatorT* op, size_t slot,
            std::vector<int>* uses) {
  const int32_t t = op->inputs[slot];
  if (t < 0 || (*uses)[t] <= 1) return t;
  fb::SubGraphT& sg = *model->subgraphs[0];
  const fb::TensorT& src = *sg.tensors[t];
  const int32_t copy = AddTensor(model, &sg, src.name + "_equalized", src.type,
                                 src.shape, ConstantData(*model, src));
  --(*uses)[t];
  uses->push_back(1);
  op->inputs[slot] = copy;
  return copy;
}

void Store(fb::ModelT* model, int32_t tensor,
           const std::vector<float>& values) {
  fb::TensorT& t = *model->subgraphs[0]->tensors[tensor];
  model->buffers[t.buffer]->data = Bytes(values);
}

}  // namespace

int EqualizeCrossLayer(fb::ModelT* model, int rounds) {
  if (model->subgraphs.empty()) return 0;
  fb::SubGraphT& sg = *model->subgraphs[0];
  std::vector<int> uses(sg.tensors.size(), 0);
  std::vector<std::vector<fb::OperatorT*>> consumers(sg.tensors.size());
  for (auto& op : sg.operators)
    for (int32_t t : op->inputs)
      if (t >= 0 && t < static_cast<int32_t>(uses.size())) {
        ++uses[t];
        consumers[t].push_back(op.get());
      }
  std::vector<bool> is_output(sg.tensors.size(), false);
  for (int32_t t : sg.outputs)
    if (t >= 0) is_output[t] = true;
  int pairs = 0;
  for (int round = 0; round < rounds; ++round) {
    for (auto& op_ptr : sg.operators) {
      Layer first, second;
      if (!AsLayer(*model, op_ptr.get(), &first)) continue;
      const fb::ActivationFunctionType act = Activation(*op_ptr);
      if (act != fb::ActivationFunctionType::NONE &&
          act != fb::ActivationFunctionType::RELU)
        continue;
      const int32_t mid = op_ptr->outputs[0];
      if (mid < 0 || is_output[mid] || consumers[mid].size() != 1) continue;
      fb::OperatorT* next = consumers[mid][0];
      if (next->inputs.empty() || next->inputs[0] != mid ||
          !AsLayer(*model, next, &second))
        continue;
      first.filter = Own(model, first.op, 1, &uses);
      if (first.bias >= 0) first.bias = Own(model, first.op, 2, &uses);
      second.filter = Own(model, second.op, 1, &uses);
      std::vector<float> w1 = FloatValues(*model, *sg.tensors[first.filter]);
      std::vector<float> w2 = FloatValues(*model, *sg.tensors[second.filter]);
      const std::vector<int32_t>& s1 = sg.tensors[first.filter]->shape;
      const std::vector<int32_t>& s2 = sg.tensors[second.filter]->shape;
      const int64_t channels = first.depthwise ? s1[3] : s1[0];
      if (s2[3] != channels) continue;  // second layer's input channels
      // Channel of element i in each filter.
      auto c1 = [&](size_t i) {
        return first.depthwise
                   ? static_cast<int64_t>(i % channels)
                   : static_cast<int64_t>(i / (w1.size() / channels));
      };
      auto c2 = [&](size_t i) { return static_cast<int64_t>(i % channels); };
      std::vector<float> r1(channels, 0.0f), r2(channels, 0.0f);
      for (size_t i = 0; i < w1.size(); ++i)
        r1[c1(i)] = std::max(r1[c1(i)], std::fabs(w1[i]));
      for (size_t i = 0; i < w2.size(); ++i)
        r2[c2(i)] = std::max(r2[c2(i)], std::fabs(w2[i]));
      std::vector<float> scale(channels, 1.0f);
      for (int64_t c = 0; c < channels; ++c)
        if (r1[c] > 0 && r2[c] > 0) scale[c] = std::sqrt(r1[c] * r2[c]) / r2[c];
      for (size_t i = 0; i < w1.size(); ++i) w1[i] /= scale[c1(i)];
      for (size_t i = 0; i < w2.size(); ++i) w2[i] *= scale[c2(i)];
      Store(model, first.filter, w1);
      Store(model, second.filter, w2);
      if (first.bias >= 0) {
        std::vector<float> b = FloatValues(*model, *sg.tensors[first.bias]);
        if (static_cast<int64_t>(b.size()) == channels) {
          for (int64_t c = 0; c < channels; ++c) b[c] /= scale[c];
          Store(model, first.bias, b);
        }
      }
      if (round == 0) ++pairs;
    }
  }
  return pairs;
}

}  // namespace ember::quantize
