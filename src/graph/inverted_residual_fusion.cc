// Finds fp32 inverted-residual blocks and turns each into one
// FUSED_INVERTED_RESIDUAL node (see graph/inverted_residual.h):
//   E: CONV_2D 1x1 stride 1 (expand)       X  -> T1
//   D: DEPTHWISE_CONV_2D 3x3, multiplier 1, stride 1 or 2, no dilation
//                                          T1 -> T2
//   P: CONV_2D 1x1 stride 1 (project)      T2 -> Y
//   R: optional ADD(X, Y) in either order, same shapes   -> Z
// T1, T2 (and Y when R is taken) must be read by the next op only and be
// invisible to the caller; filters and biases must be constant float32.
// Anything else is left to the ordinary ops.
#include "graph/inverted_residual.h"
#include "graph/passes.h"
#include "graph/pattern_util.h"

namespace ember::graph {
namespace {

bool IsConstFloat(GraphRewriter& g, int32_t t) {
  return t >= 0 && g.tensor(t).is_constant() &&
         g.tensor(t).type == DataType::kFloat32;
}

bool OptionalBias(GraphRewriter& g, const Node& n, int32_t count) {
  if (n.num_inputs < 3 || n.inputs[2] < 0) return true;
  return IsConstFloat(g, n.inputs[2]) &&
         g.tensor(n.inputs[2]).NumElements() == count;
}

// The activation a node applies: its options' or one folded into it.
int32_t EffectiveActivation(const Node& n, fb::ActivationFunctionType own) {
  if (own == fb::ActivationFunctionType::NONE && n.folded_activation >= 0)
    return n.folded_activation;
  return static_cast<int32_t>(own);
}

bool NoFoldedPad(const Node& n) {
  for (int32_t e : n.folded_pad)
    if (e != 0) return false;
  return true;
}

// A 1x1, stride-1 float CONV_2D reading `in`; fills its filter dims.
bool PointwiseConv(GraphRewriter& g, int i, int32_t in, int32_t* act) {
  if (g.Code(i) != Op(fb::BuiltinOperator::CONV_2D)) return false;
  const Node& n = g.node(i);
  if (n.num_inputs < 2 || n.num_outputs != 1 || n.inputs[0] != in ||
      n.op == nullptr || !NoFoldedPad(n))
    return false;
  const auto* o = n.op->builtin_options_as_Conv2DOptions();
  if (o == nullptr || o->stride_h() != 1 || o->stride_w() != 1) return false;
  const Tensor& x = g.tensor(in);
  if (x.type != DataType::kFloat32 || x.shape.rank != 4) return false;
  if (!IsConstFloat(g, n.inputs[1])) return false;
  const Shape& f = g.tensor(n.inputs[1]).shape;
  if (f.rank != 4 || f.dims[1] != 1 || f.dims[2] != 1 ||
      f.dims[3] != x.shape.dims[3] || !OptionalBias(g, n, f.dims[0]))
    return false;
  if (g.tensor(n.outputs[0]).type != DataType::kFloat32) return false;
  *act = EffectiveActivation(n, o->fused_activation_function());
  return IsClampActivation(*act);
}

// The single reader of an internal tensor, or -1.
int OnlyReader(GraphRewriter& g, int32_t t) {
  int reader = -1;
  if (!g.Internal(t) || g.Readers(t, &reader) != 1) return -1;
  return reader;
}

bool MatchDepthwise(GraphRewriter& g, int i, int32_t in,
                    InvertedResidualParams* p) {
  if (g.Code(i) != Op(fb::BuiltinOperator::DEPTHWISE_CONV_2D)) return false;
  const Node& n = g.node(i);
  if (n.num_inputs < 2 || n.num_outputs != 1 || n.inputs[0] != in ||
      n.op == nullptr)
    return false;
  const auto* o = n.op->builtin_options_as_DepthwiseConv2DOptions();
  if (o == nullptr || o->stride_h() != o->stride_w() ||
      (o->stride_h() != 1 && o->stride_h() != 2) ||
      o->dilation_h_factor() != 1 || o->dilation_w_factor() != 1)
    return false;
  const int32_t channels = g.tensor(in).shape.dims[3];
  if (!IsConstFloat(g, n.inputs[1])) return false;
  const Shape& f = g.tensor(n.inputs[1]).shape;
  if (f.rank != 4 || f.dims[0] != 1 || f.dims[1] != 3 || f.dims[2] != 3 ||
      f.dims[3] != channels || !OptionalBias(g, n, channels))
    return false;
  if (g.tensor(n.outputs[0]).type != DataType::kFloat32) return false;
  p->dw_act = EffectiveActivation(n, o->fused_activation_function());
  p->dw_stride = o->stride_h();
  p->dw_padding = o->padding();
  for (int k = 0; k < 4; ++k) p->dw_folded_pad[k] = n.folded_pad[k];
  return IsClampActivation(p->dw_act);
}

// ADD(x, y) or ADD(y, x), float, same shapes, no broadcasting.
bool MatchResidual(GraphRewriter& g, int i, int32_t x, int32_t y,
                   int32_t* act) {
  if (g.Code(i) != Op(fb::BuiltinOperator::ADD)) return false;
  const Node& n = g.node(i);
  if (n.num_inputs != 2 || n.num_outputs != 1) return false;
  const bool pair = (n.inputs[0] == x && n.inputs[1] == y) ||
                    (n.inputs[0] == y && n.inputs[1] == x);
  if (!pair) return false;
  const Tensor& tx = g.tensor(x);
  const Tensor& ty = g.tensor(y);
  const Tensor& tz = g.tensor(n.outputs[0]);
  if (tx.shape != ty.shape || tz.shape != ty.shape ||
      tz.type != DataType::kFloat32 || tz.is_variable ||
      tz.allocation != Allocation::kArena)
    return false;
  fb::ActivationFunctionType own = fb::ActivationFunctionType::NONE;
  if (n.op != nullptr) {
    if (const auto* o = n.op->builtin_options_as_AddOptions())
      own = o->fused_activation_function();
  }
  *act = EffectiveActivation(n, own);
  return IsClampActivation(*act);
}

}  // namespace

int FuseInvertedResiduals(GraphRewriter& g) {
  int fused = 0;
  for (int e = 0; e < g.num_nodes(); ++e) {
    if (g.Code(e) != Op(fb::BuiltinOperator::CONV_2D)) continue;
    const int32_t x = g.node(e).inputs[0];
    if (x < 0 || g.tensor(x).is_constant()) continue;
    InvertedResidualParams p;
    if (!PointwiseConv(g, e, x, &p.expand_act)) continue;
    const int32_t t1 = g.node(e).outputs[0];
    const int d = OnlyReader(g, t1);
    if (d < 0 || !MatchDepthwise(g, d, t1, &p)) continue;
    const int32_t t2 = g.node(d).outputs[0];
    const int pj = OnlyReader(g, t2);
    if (pj < 0 || !PointwiseConv(g, pj, t2, &p.project_act)) continue;
    const int32_t y = g.node(pj).outputs[0];
    int32_t result = y;
    const int r = OnlyReader(g, y);
    if (r >= 0 && MatchResidual(g, r, x, y, &p.add_act)) {
      p.residual = true;
      result = g.node(r).outputs[0];
    }
    // The fused node takes the expand conv's place (its input X is ready
    // there; everything it produces is read only after the block's end).
    const Node& en = g.node(e);
    const Node& dn = g.node(d);
    const Node& pn = g.node(pj);
    auto input_or_absent = [](const Node& n, int k) {
      return k < n.num_inputs ? n.inputs[k] : -1;
    };
    const std::vector<int32_t> inputs = {x,
                                         en.inputs[1],
                                         input_or_absent(en, 2),
                                         dn.inputs[1],
                                         input_or_absent(dn, 2),
                                         pn.inputs[1],
                                         input_or_absent(pn, 2)};
    Node& fused_node = g.node(e);
    g.SetInputs(e, inputs);
    g.SetOutput(e, 0, result);
    fused_node.reg = InvertedResidualRegistration();
    fused_node.op_data = g.state().NewOpData(InvertedResidualOpDataBytes());
    fused_node.folded_activation = -1;
    SetInvertedResidualParams(fused_node.op_data, p);
    g.Remove(d);
    g.Remove(pj);
    if (p.residual) g.Remove(r);
    ++fused;
  }
  return fused;
}

}  // namespace ember::graph
