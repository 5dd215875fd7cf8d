// Producer/consumer fusions: per-channel MUL/ADD into conv/FC weights (what
// a BatchNormalization lowers to) and RELU-family activations into the
// producer's fused-activation field.
#include <algorithm>

#include "convert/passes/pass_util.h"
#include "convert/passes/passes.h"

namespace ember::convert::passes {
namespace {

using Op = fb::BuiltinOperator;

// The single consumer of `tensor`, or -1 (none, several, or a graph output).
int SoleConsumer(const fb::SubGraphT& sg, int tensor) {
  if (IsGraphOutput(sg, tensor)) return -1;
  std::vector<int> c = Consumers(sg, tensor);
  return c.size() == 1 ? c[0] : -1;
}

// Per-output-channel values of a constant operand broadcast against an
// output whose last dimension is `channels`; false if it does not
// broadcast that way.
bool PerChannel(const fb::ModelT& m, const fb::SubGraphT& sg, int t,
                int channels, std::vector<float>* out) {
  std::vector<float> v;
  if (!ConstFloats(m, sg, t, &v)) return false;
  const auto& shape = sg.tensors[t]->shape;
  for (size_t i = 0; i + 1 < shape.size(); ++i)
    if (shape[i] != 1) return false;
  if (v.size() == 1) {
    out->assign(channels, v[0]);
    return true;
  }
  if (static_cast<int>(v.size()) != channels) return false;
  *out = v;
  return true;
}

// Makes the weights/bias tensor `t` of op `op_index` safe to rewrite: gives
// it a private buffer when another tensor shares it.
bool PrivateFloats(fb::ModelT& m, fb::SubGraphT& sg, int t,
                   std::vector<float>* v) {
  if (!ConstFloats(m, sg, t, v)) return false;
  // Another op reading the same tensor must keep the old values.
  if (Consumers(sg, t).size() != 1) return false;
  if (BufferUsers(m, sg.tensors[t]->buffer) != 1) SetConstFloats(m, sg, t, *v);
  return true;
}

}  // namespace

int FoldBatchNorm(fb::ModelT& m) {
  int folded = 0;
  for (auto& sgp : m.subgraphs) {
    fb::SubGraphT& sg = *sgp;
    std::vector<bool> dead(sg.operators.size(), false);
    for (size_t i = 0; i < sg.operators.size(); ++i) {
      if (dead[i]) continue;
      fb::OperatorT& p = *sg.operators[i];
      const Op code = OpCode(m, p);
      if (code != Op::CONV_2D && code != Op::DEPTHWISE_CONV_2D &&
          code != Op::FULLY_CONNECTED)
        continue;
      fb::ActivationFunctionType* act = FusedActivation(p);
      if (!act || *act != fb::ActivationFunctionType::NONE ||
          p.outputs.size() != 1 || p.inputs.size() < 3 || p.inputs[2] < 0)
        continue;
      const int out = p.outputs[0];
      if (sg.tensors[out]->type != fb::TensorType::FLOAT32) continue;
      const int c = SoleConsumer(sg, out);
      if (c < 0 || dead[c]) continue;
      fb::OperatorT& q = *sg.operators[c];
      const Op qcode = OpCode(m, q);
      if ((qcode != Op::MUL && qcode != Op::ADD) || q.inputs.size() != 2)
        continue;
      const int other = q.inputs[0] == out ? q.inputs[1] : q.inputs[0];
      const int channels =
          sg.tensors[out]->shape.empty() ? 0 : sg.tensors[out]->shape.back();
      std::vector<float> k;
      if (channels <= 0 || !PerChannel(m, sg, other, channels, &k)) continue;
      // The result must keep the consumer's shape (no broadcast growth).
      if (sg.tensors[q.outputs[0]]->shape != sg.tensors[out]->shape) continue;
      std::vector<float> w, bias;
      const int wt = p.inputs[1], bt = p.inputs[2];
      if (!PrivateFloats(m, sg, bt, &bias) ||
          static_cast<int>(bias.size()) != channels)
        continue;
      if (qcode == Op::MUL) {
        if (!PrivateFloats(m, sg, wt, &w)) continue;
        // Output channel of each weight: CONV_2D [O,H,W,I] and FC [O,I]
        // lead with it; DEPTHWISE [1,H,W,O] ends with it.
        const size_t per = w.size() / channels;
        for (size_t e = 0; e < w.size(); ++e)
          w[e] *= code == Op::DEPTHWISE_CONV_2D ? k[e % channels] : k[e / per];
        for (int ch = 0; ch < channels; ++ch) bias[ch] *= k[ch];
        SetConstFloats(m, sg, wt, w);
      } else {
        for (int ch = 0; ch < channels; ++ch) bias[ch] += k[ch];
      }
      SetConstFloats(m, sg, bt, bias);
      fb::ActivationFunctionType* qact = FusedActivation(q);
      *act = qact ? *qact : fb::ActivationFunctionType::NONE;
      p.outputs[0] = q.outputs[0];
      dead[c] = true;
      ++folded;
      --i;  // the same producer may absorb the next MUL/ADD too
    }
    EraseOps(sg, dead);
  }
  return folded;
}

int FuseActivations(fb::ModelT& m) {
  int fused = 0;
  for (auto& sgp : m.subgraphs) {
    fb::SubGraphT& sg = *sgp;
    std::vector<bool> dead(sg.operators.size(), false);
    for (size_t i = 0; i < sg.operators.size(); ++i) {
      fb::OperatorT& p = *sg.operators[i];
      fb::ActivationFunctionType* act = FusedActivation(p);
      if (!act || *act != fb::ActivationFunctionType::NONE ||
          p.outputs.size() != 1)
        continue;
      if (OpCode(m, p) == Op::CONCATENATION)
        continue;  // no fused act in many runtimes
      const int out = p.outputs[0];
      if (sg.tensors[out]->type != fb::TensorType::FLOAT32) continue;
      const int c = SoleConsumer(sg, out);
      if (c < 0 || dead[c]) continue;
      fb::ActivationFunctionType kind;
      switch (OpCode(m, *sg.operators[c])) {
        case Op::RELU:
          kind = fb::ActivationFunctionType::RELU;
          break;
        case Op::RELU6:
          kind = fb::ActivationFunctionType::RELU6;
          break;
        case Op::RELU_N1_TO_1:
          kind = fb::ActivationFunctionType::RELU_N1_TO_1;
          break;
        default:
          continue;
      }
      *act = kind;
      p.outputs[0] = sg.operators[c]->outputs[0];
      dead[c] = true;
      ++fused;
    }
    EraseOps(sg, dead);
  }
  return fused;
}

}  // namespace ember::convert::passes
