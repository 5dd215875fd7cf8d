// PAD folding: PAD / PADV2 with zero padding on H and W only, read by one
// VALID CONV_2D or DEPTHWISE_CONV_2D as its input, is dropped; the conv
// reads the PAD's input and pads by itself (Node::folded_pad, applied in
// the ops' Prepare through ops/folded_pad.h). The padded tensor is then
// never written and takes no arena memory.
#include <cstring>

#include "graph/passes.h"
#include "graph/pattern_util.h"

namespace ember::graph {
namespace {

// The 4x2 paddings of a constant int32/int64 tensor.
bool ReadPaddings(const Tensor& t, int64_t out[8]) {
  if (!t.is_constant() || t.shape.rank != 2 || t.shape.dims[0] != 4 ||
      t.shape.dims[1] != 2 || t.data == nullptr)
    return false;
  for (int i = 0; i < 8; ++i) {
    if (t.type == DataType::kInt32) {
      out[i] = t.data_as<int32_t>()[i];
    } else if (t.type == DataType::kInt64) {
      out[i] = t.data_as<int64_t>()[i];
    } else {
      return false;
    }
    if (out[i] < 0 || out[i] > (1 << 20)) return false;
  }
  return true;
}

// True when the PAD fills with what the conv's own padding means: 0.0 for
// float, the zero point for quantized types.
bool PadsWithZero(GraphRewriter& g, const Node& pad, const Tensor& out) {
  if (pad.builtin_code == Op(fb::BuiltinOperator::PAD)) return true;
  if (pad.num_inputs < 3 || pad.inputs[2] < 0) return true;  // PADV2 default
  const Tensor& v = g.tensor(pad.inputs[2]);
  if (!v.is_constant() || v.NumElements() != 1 || v.type != out.type)
    return false;
  switch (v.type) {
    case DataType::kFloat32:
      return v.data_as<float>()[0] == 0.0f;
    case DataType::kInt8:
      return v.data_as<int8_t>()[0] == out.quant.zero_point0();
    case DataType::kUInt8:
      return v.data_as<uint8_t>()[0] == out.quant.zero_point0();
    case DataType::kInt16:
      return v.data_as<int16_t>()[0] == out.quant.zero_point0();
    default:
      return false;
  }
}

fb::Padding ConvPadding(const Node& conv) {
  if (conv.builtin_code == Op(fb::BuiltinOperator::CONV_2D)) {
    const auto* o = conv.op->builtin_options_as_Conv2DOptions();
    return o ? o->padding() : fb::Padding::SAME;
  }
  const auto* o = conv.op->builtin_options_as_DepthwiseConv2DOptions();
  return o ? o->padding() : fb::Padding::SAME;
}

// Input and filter types whose kernels pad with zeros / the zero point.
// (Hybrid float-input int8-filter convs quantize the whole input on the
// fly: not folded.)
bool FoldableTypes(const Tensor& in, const Tensor& filter) {
  switch (in.type) {
    case DataType::kFloat32:
      return filter.type == DataType::kFloat32;
    case DataType::kInt8:
    case DataType::kUInt8:
    case DataType::kInt16:
      return true;
    default:
      return false;
  }
}

}  // namespace

int FoldPads(GraphRewriter& g) {
  int folded = 0;
  for (int p = 0; p < g.num_nodes(); ++p) {
    const int32_t code = g.Code(p);
    if (code != Op(fb::BuiltinOperator::PAD) &&
        code != Op(fb::BuiltinOperator::PADV2))
      continue;
    const Node& pad = g.node(p);
    if (pad.num_inputs < 2 || pad.num_outputs != 1 || pad.inputs[0] < 0 ||
        pad.inputs[1] < 0)
      continue;
    const int32_t x = pad.inputs[0];
    const int32_t y = pad.outputs[0];
    const Tensor& in = g.tensor(x);
    const Tensor& out = g.tensor(y);
    if (in.shape.rank != 4 || in.type != out.type ||
        !SameQuantization(in, out) || !g.Internal(y))
      continue;
    int64_t v[8];
    if (!ReadPaddings(g.tensor(pad.inputs[1]), v)) continue;
    // Only H and W: padding batches or channels changes what the conv sees.
    if (v[0] != 0 || v[1] != 0 || v[6] != 0 || v[7] != 0) continue;
    if (!PadsWithZero(g, pad, out)) continue;
    int conv = -1;
    if (g.Readers(y, &conv) != 1 || conv < 0) continue;
    const int32_t cc = g.Code(conv);
    if (cc != Op(fb::BuiltinOperator::CONV_2D) &&
        cc != Op(fb::BuiltinOperator::DEPTHWISE_CONV_2D))
      continue;
    Node& c = g.node(conv);
    if (c.num_inputs < 2 || c.inputs[0] != y || c.inputs[1] < 0 ||
        c.op == nullptr || ConvPadding(c) != fb::Padding::VALID)
      continue;
    if (!FoldableTypes(in, g.tensor(c.inputs[1]))) continue;
    bool already = false;
    for (int32_t e : c.folded_pad) already |= e != 0;
    if (already) continue;
    c.folded_pad[0] = static_cast<int32_t>(v[2]);
    c.folded_pad[1] = static_cast<int32_t>(v[3]);
    c.folded_pad[2] = static_cast<int32_t>(v[4]);
    c.folded_pad[3] = static_cast<int32_t>(v[5]);
    g.SetInput(conv, 0, x);
    g.Remove(p);
    ++folded;
  }
  return folded;
}

}  // namespace ember::graph
