// Activation fusion: a standalone RELU / RELU6 / RELU_N1_TO_1 that is the
// only reader of the output of a CONV_2D, DEPTHWISE_CONV_2D,
// FULLY_CONNECTED, ADD or MUL without a fused activation becomes that op's
// fused activation (Node::folded_activation, read by the ops' activation-
// range helpers); the producer writes the activation's output directly.
// Quantized activations fold only when input and output share scale and
// zero point (the standalone op is then a pure clamp).
#include "graph/passes.h"
#include "graph/pattern_util.h"

namespace ember::graph {
namespace {

int32_t ActivationOf(int32_t code) {
  using A = fb::ActivationFunctionType;
  if (code == Op(fb::BuiltinOperator::RELU))
    return static_cast<int32_t>(A::RELU);
  if (code == Op(fb::BuiltinOperator::RELU6))
    return static_cast<int32_t>(A::RELU6);
  if (code == Op(fb::BuiltinOperator::RELU_N1_TO_1))
    return static_cast<int32_t>(A::RELU_N1_TO_1);
  return -1;
}

// The fused activation in the producer's options (NONE when the op has
// no options table); -1 for ops this pass does not fold into.
int32_t OwnActivation(const Node& n) {
  using A = fb::ActivationFunctionType;
  const fb::Operator* op = n.op;
  if (op == nullptr) return -1;
  A act = A::NONE;
  switch (static_cast<fb::BuiltinOperator>(n.builtin_code)) {
    case fb::BuiltinOperator::CONV_2D: {
      const auto* o = op->builtin_options_as_Conv2DOptions();
      if (o == nullptr) return -1;
      act = o->fused_activation_function();
      break;
    }
    case fb::BuiltinOperator::DEPTHWISE_CONV_2D: {
      const auto* o = op->builtin_options_as_DepthwiseConv2DOptions();
      if (o == nullptr) return -1;
      act = o->fused_activation_function();
      break;
    }
    case fb::BuiltinOperator::FULLY_CONNECTED:
      if (const auto* o = op->builtin_options_as_FullyConnectedOptions())
        act = o->fused_activation_function();
      break;
    case fb::BuiltinOperator::ADD:
      if (const auto* o = op->builtin_options_as_AddOptions())
        act = o->fused_activation_function();
      break;
    case fb::BuiltinOperator::MUL:
      if (const auto* o = op->builtin_options_as_MulOptions())
        act = o->fused_activation_function();
      break;
    default:
      return -1;
  }
  return static_cast<int32_t>(act);
}

bool FusableType(DataType t) {
  return t == DataType::kFloat32 || t == DataType::kInt8 ||
         t == DataType::kUInt8;
}

}  // namespace

int FuseActivations(GraphRewriter& g) {
  int fused = 0;
  for (int a = 0; a < g.num_nodes(); ++a) {
    const int32_t act = ActivationOf(g.Code(a));
    if (act < 0) continue;
    const Node& an = g.node(a);
    if (an.num_inputs != 1 || an.num_outputs != 1 || an.inputs[0] < 0) continue;
    const int32_t x = an.inputs[0];
    const int32_t y = an.outputs[0];
    const Tensor& in = g.tensor(x);
    const Tensor& out = g.tensor(y);
    if (!FusableType(in.type) || in.type != out.type || in.shape != out.shape ||
        !SameQuantization(in, out) || !g.Internal(x) || out.is_variable ||
        out.allocation != Allocation::kArena)
      continue;
    if (in.type != DataType::kFloat32 && !in.quant.quantized()) continue;
    int reader = -1;
    if (g.Readers(x, &reader) != 1 || reader != a) continue;
    const int p = g.Producer(x);
    if (p < 0 || !g.Live(p)) continue;
    Node& producer = g.node(p);
    if (producer.num_outputs != 1 || producer.outputs[0] != x) continue;
    const int32_t own = OwnActivation(producer);
    if (own != static_cast<int32_t>(fb::ActivationFunctionType::NONE) ||
        producer.folded_activation >= 0)
      continue;
    producer.folded_activation = static_cast<int8_t>(act);
    g.SetOutput(p, 0, y);
    g.Remove(a);
    ++fused;
  }
  return fused;
}

}  // namespace ember::graph
