#include "convert/quantize/weight_only.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "convert/quantize/model_edit.h"
#include "kernels/ref/quantize.h"

namespace ember::quantize {

// Each float constant an op reads becomes an fp16 constant plus one
// DEQUANTIZE (version 3: fp16 -> fp32) at the start of its subgraph, whose
// output keeps the original name, as LiteRT's converter does.
void QuantizeFloat16(fb::ModelT* model, QuantizeReport* report) {
  for (auto& sg_ptr : model->subgraphs) {
    fb::SubGraphT& sg = *sg_ptr;
    std::map<int32_t, int32_t> replaced;  // float constant -> dequantized
    std::vector<std::unique_ptr<fb::OperatorT>> prologue;
    for (auto& op : sg.operators) {
      for (int32_t& t : op->inputs) {
        if (t < 0 || t >= static_cast<int32_t>(sg.tensors.size())) continue;
        const fb::TensorT& tensor = *sg.tensors[t];
        if (tensor.type != fb::TensorType::FLOAT32 ||
            !IsConstant(*model, tensor))
          continue;
        auto it = replaced.find(t);
        if (it == replaced.end()) {
          const std::vector<float> values = FloatValues(*model, tensor);
          std::vector<uint16_t> halves(values.size());
          for (size_t i = 0; i < values.size(); ++i)
            halves[i] = ref::FloatToHalf(values[i]);
          const std::string name = tensor.name;
          const std::vector<int32_t> shape = tensor.shape;
          const int32_t half =
              AddTensor(model, &sg, name + "_fp16", fb::TensorType::FLOAT16,
                        shape, Bytes(halves));
          const int32_t dequantized =
              AddTensor(model, &sg, name, fb::TensorType::FLOAT32, shape);
          auto dq = std::make_unique<fb::OperatorT>();
          dq->opcode_index =
              OpCodeIndex(model, fb::BuiltinOperator::DEQUANTIZE, 3);
          dq->inputs = {half};
          dq->outputs = {dequantized};
          dq->builtin_options.Set(fb::DequantizeOptionsT());
          prologue.push_back(std::move(dq));
          it = replaced.emplace(t, dequantized).first;
          ++report->ops_quantized;
        }
        t = it->second;
      }
    }
    for (auto& op : sg.operators) prologue.push_back(std::move(op));
    sg.operators = std::move(prologue);
  }
}

namespace {

struct HybridRule {
  int channel_dim;
  int version;
  bool force_per_channel;  // LiteRT's hybrid depthwise is per-channel only
};

const HybridRule* FindHybridRule(fb::BuiltinOperator op) {
  static const HybridRule kConv{0, 5, false}, kDepthwise{3, 6, true},
      kFullyConnected{0, 3, false};
  switch (op) {
    case fb::BuiltinOperator::CONV_2D:
      return &kConv;
    case fb::BuiltinOperator::DEPTHWISE_CONV_2D:
      return &kDepthwise;
    case fb::BuiltinOperator::FULLY_CONNECTED:
      return &kFullyConnected;
    default:
      return nullptr;
  }
}

}  // namespace

void QuantizeDynamic(fb::ModelT* model, const QuantizeOptions& options,
                     QuantizeReport* report) {
  for (auto& sg_ptr : model->subgraphs) {
    fb::SubGraphT& sg = *sg_ptr;
    for (auto& op : sg.operators) {
      const fb::BuiltinOperator code = OpOf(*model, *op);
      const HybridRule* rule = FindHybridRule(code);
      if (rule == nullptr || op->inputs.size() < 2 || op->inputs[1] < 0 ||
          op->inputs[0] < 0) {
        ++report->ops_float;
        continue;
      }
      const fb::TensorT& input = *sg.tensors[op->inputs[0]];
      const fb::TensorT& filter = *sg.tensors[op->inputs[1]];
      if (input.type != fb::TensorType::FLOAT32 ||
          filter.type != fb::TensorType::FLOAT32 ||
          !IsConstant(*model, filter)) {
        ++report->ops_float;
        continue;
      }
      const std::vector<float> w = FloatValues(*model, filter);
      if (static_cast<int64_t>(w.size()) < options.min_weight_elements) {
        report->float_ops.push_back(
            std::string(fb::EnumNameBuiltinOperator(code)) + " (" +
            filter.name + "): fewer than " +
            std::to_string(options.min_weight_elements) + " weights");
        ++report->ops_float;
        continue;
      }
      const std::vector<int32_t>& shape = filter.shape;
      const int dim =
          std::min<int>(rule->channel_dim, static_cast<int>(shape.size()) - 1);
      const bool per_channel = options.per_channel || rule->force_per_channel;
      const int64_t channels = per_channel ? shape[dim] : 1;
      int64_t inner = 1;
      for (size_t d = dim + 1; d < shape.size(); ++d) inner *= shape[d];
      auto channel_of = [&](int64_t i) {
        return channels == 1 ? 0 : (i / inner) % channels;
      };
      std::vector<float> scales(channels, 0.0f);
      for (int64_t i = 0; i < static_cast<int64_t>(w.size()); ++i)
        scales[channel_of(i)] =
            std::max(scales[channel_of(i)], std::fabs(w[i]));
      for (float& s : scales) s = s > 0 ? s / 127.0f : 1.0f;
      std::vector<int8_t> q(w.size());
      for (int64_t i = 0; i < static_cast<int64_t>(w.size()); ++i)
        q[i] = static_cast<int8_t>(std::clamp(
            std::round(w[i] / scales[channel_of(i)]), -127.0f, 127.0f));
      const int32_t qf = AddTensor(model, &sg, filter.name + "_int8",
                                   fb::TensorType::INT8, shape, Bytes(q));
      SetQuant(sg.tensors[qf].get(), scales, std::vector<int64_t>(channels, 0),
               channels == 1 ? 0 : dim);
      op->inputs[1] = qf;
      SetOpVersion(model, op.get(), rule->version);
      ++report->ops_quantized;
    }
  }
}

}  // namespace ember::quantize
