// Elementwise ops and activations. They are layout-agnostic: the output is
// stored in the order of the (first non-constant) input, constants are
// permuted on the host to match.
#include <cmath>

#include "convert/onnx/ops.h"

namespace ember::convert::onnx {
namespace {

std::vector<int64_t> Broadcast(const std::vector<int64_t>& a,
                               const std::vector<int64_t>& b, bool* ok) {
  const size_t r = std::max(a.size(), b.size());
  std::vector<int64_t> out(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1) *ok = false;
    out[i] = std::max(da, db);
  }
  return out;
}

// Tensor for operand `name` of an elementwise op whose output has rank
// `rank` and is stored in `order`.
int Operand(Converter& c, const std::string& name, int rank,
            const std::vector<int>& order, const std::string& out) {
  Value& v = c.Get(name);
  if (v.constant) {
    HostTensor t = *v.constant;
    if (t.size() == 1) {
      t.shape = {};
      return c.AddConst(t, out + "/" + name);
    }
    t.shape.insert(t.shape.begin(), rank - t.shape.size(), 1);
    return c.AddConst(PermuteHost(t, order), out + "/" + name);
  }
  if (v.rank() == rank) return c.TensorIn(name, order);
  return c.TensorIn(name, Identity(v.rank()));  // order is identity then
}

// The storage order for an elementwise op's output.
std::vector<int> ChooseOrder(Converter& c, const std::vector<std::string>& ins,
                             int rank) {
  std::vector<int> order;
  for (const auto& in : ins) {
    const Value& v = c.Get(in);
    if (v.constant) continue;
    if (v.rank() != rank) return Identity(rank);
    if (order.empty() || order == Identity(rank)) order = c.PermOf(in);
  }
  return order.empty() ? Identity(rank) : order;
}

fb::BuiltinOperator BinaryOp(const std::string& op) {
  if (op == "Add") return fb::BuiltinOperator::ADD;
  if (op == "Sub") return fb::BuiltinOperator::SUB;
  if (op == "Mul") return fb::BuiltinOperator::MUL;
  if (op == "Div") return fb::BuiltinOperator::DIV;
  if (op == "Pow") return fb::BuiltinOperator::POW;
  if (op == "Max") return fb::BuiltinOperator::MAXIMUM;
  if (op == "Min") return fb::BuiltinOperator::MINIMUM;
  if (op == "Equal") return fb::BuiltinOperator::EQUAL;
  if (op == "Less") return fb::BuiltinOperator::LESS;
  return fb::BuiltinOperator::GREATER;
}

// Int8 ADD/MUL between two dequantized activations (TFLite rescales).
bool BinaryQuantized(Converter& c, const NodeProto& node) {
  const std::string& op = node.op_type();
  if (op != "Add" && op != "Mul" && op != "Sub") return false;
  std::string q_out;
  QuantParams qp;
  const std::string a = node.input(0), b = node.input(1);
  if (!c.Has(a) || !c.Has(b) || c.Get(a).dequant_of.empty() ||
      c.Get(b).dequant_of.empty() || c.Get(a).shape != c.Get(b).shape)
    return false;
  if (!c.MatchQuantized(node, {a, b}, &q_out, &qp)) return false;
  const std::string qa = c.Get(a).dequant_of, qb = c.Get(b).dequant_of;
  const std::vector<int> order = c.PermOf(qa);
  const int ta = c.TensorIn(qa, order), tb = c.TensorIn(qb, order);
  const std::vector<int64_t> shape = c.Get(a).shape;
  const int t = c.NewTensor(q_out, kOnnxInt8, shape, order, &qp);
  c.AddOp(BinaryOp(op), {ta, tb}, {t});
  c.Define(q_out, kOnnxInt8, shape, order, t).quant = qp;
  return true;
}

bool Binary(Converter& c, const NodeProto& node) {
  if (node.input_size() > 2) {
    c.Error(node, "more than two inputs are not supported");
    return false;
  }
  if (BinaryQuantized(c, node)) return true;
  const std::string a = node.input(0), b = node.input(1);
  const std::string& op = node.op_type();
  const std::string out = node.output(0);
  // x^2 and x^0.5 (decomposed LayerNorm / RMSNorm) as MUL and SQRT.
  if (op == "Pow" && c.ConstInput(node, 1) &&
      c.ConstInput(node, 1)->size() == 1) {
    const double e = c.ConstInput(node, 1)->AsDouble(0);
    if (e == 2.0 || e == 0.5 || e == 1.0) {
      const std::vector<int> order = c.PermOf(a);
      const int x = c.TensorAsStored(a);
      const Value& v = c.Get(a);
      const int t = c.NewTensor(out, v.type, v.shape, order);
      if (e == 2.0)
        c.AddOp(fb::BuiltinOperator::MUL, {x, x}, {t});
      else if (e == 0.5)
        c.AddOp(fb::BuiltinOperator::SQRT, {x}, {t});
      else
        c.AddOp(fb::BuiltinOperator::RESHAPE,
                {x, c.AddInt32Const(ToI32(Permuted(v.shape, order)),
                                    out + "/shape")},
                {t});
      c.Define(out, c.Get(a).type, c.Get(a).shape, order, t);
      return true;
    }
  }
  bool ok = true;
  const std::vector<int64_t> shape =
      Broadcast(c.Get(a).shape, c.Get(b).shape, &ok);
  if (!ok) {
    c.Error(node, "operand shapes do not broadcast");
    return false;
  }
  const int rank = static_cast<int>(shape.size());
  const std::vector<int> order = ChooseOrder(c, {a, b}, rank);
  const int ta = Operand(c, a, rank, order, out);
  const int tb = Operand(c, b, rank, order, out);
  const bool compare = op == "Equal" || op == "Less" || op == "Greater";
  const int type =
      compare ? kOnnxBool : (c.Get(a).constant ? c.Get(b).type : c.Get(a).type);
  const int t = c.NewTensor(out, type, shape, order);
  c.AddOp(BinaryOp(op), {ta, tb}, {t});
  c.Define(out, type, shape, order, t);
  return true;
}

// PRelu with a constant slope broadcast like an elementwise operand.
bool PRelu(Converter& c, const NodeProto& node) {
  const std::string x = node.input(0), slope = node.input(1),
                    out = node.output(0);
  if (!c.Get(slope).constant) {
    c.Error(node, "the slope must be a constant");
    return false;
  }
  bool ok = true;
  const std::vector<int64_t> shape =
      Broadcast(c.Get(x).shape, c.Get(slope).shape, &ok);
  if (!ok || shape != c.Get(x).shape) {
    c.Error(node, "slope does not broadcast to the input");
    return false;
  }
  const int rank = static_cast<int>(shape.size());
  const std::vector<int> order = c.PermOf(x);
  const int tx = c.TensorAsStored(x);
  // TFLite PRELU broadcasts alpha like an elementwise operand too, but
  // needs the full rank for a non-scalar slope.
  Value& sv = c.Get(slope);
  HostTensor alpha = *sv.constant;
  alpha.shape.insert(alpha.shape.begin(), rank - alpha.shape.size(), 1);
  const int ta = c.AddConst(PermuteHost(alpha, order), out + "/alpha");
  const int t = c.NewTensor(out, kOnnxFloat, shape, order);
  c.AddOp(fb::BuiltinOperator::PRELU, {tx, ta}, {t});
  c.Define(out, kOnnxFloat, shape, order, t);
  return true;
}

// A unary TFLite op in the input's order.
int EmitUnary(Converter& c, const std::string& in, const std::string& out,
              fb::BuiltinOperator op, fb::BuiltinOptionsUnion options = {}) {
  const std::vector<int> order = c.PermOf(in);
  const int x = c.TensorAsStored(in);
  const int type = c.Get(in).type;
  const std::vector<int64_t> shape = c.Get(in).shape;
  const int t = c.NewTensor(out, type, shape, order);
  c.AddOp(op, {x}, {t}, std::move(options));
  c.Define(out, type, shape, order, t);
  return t;
}

// Int8 activations TFLite computes with any input/output params.
bool UnaryQuantized(Converter& c, const NodeProto& node,
                    fb::BuiltinOperator op) {
  std::string q_out;
  QuantParams qp;
  const std::string in = node.input(0);
  if (!c.MatchQuantized(node, {in}, &q_out, &qp)) return false;
  const std::string src = c.Get(in).dequant_of;
  const std::vector<int> order = c.PermOf(src);
  const int x = c.TensorAsStored(src);
  const std::vector<int64_t> shape = c.Get(src).shape;
  const int t = c.NewTensor(q_out, kOnnxInt8, shape, order, &qp);
  c.AddOp(op, {x}, {t});
  c.Define(q_out, kOnnxInt8, shape, order, t).quant = qp;
  return true;
}

bool Unary(Converter& c, const NodeProto& node) {
  const std::string& op = node.op_type();
  fb::BuiltinOperator code = fb::BuiltinOperator::RELU;
  fb::BuiltinOptionsUnion options;
  if (op == "Relu")
    code = fb::BuiltinOperator::RELU;
  else if (op == "Sigmoid")
    code = fb::BuiltinOperator::LOGISTIC;
  else if (op == "Tanh")
    code = fb::BuiltinOperator::TANH;
  else if (op == "Exp")
    code = fb::BuiltinOperator::EXP;
  else if (op == "Sqrt")
    code = fb::BuiltinOperator::SQRT;
  else if (op == "Abs")
    code = fb::BuiltinOperator::ABS;
  else if (op == "Neg")
    code = fb::BuiltinOperator::NEG;
  else if (op == "Log")
    code = fb::BuiltinOperator::LOG;
  else if (op == "Floor")
    code = fb::BuiltinOperator::FLOOR;
  else if (op == "HardSwish")
    code = fb::BuiltinOperator::HARD_SWISH;
  else if (op == "Elu")
    code = fb::BuiltinOperator::ELU;
  else if (op == "LeakyRelu") {
    code = fb::BuiltinOperator::LEAKY_RELU;
    auto o = fb::LeakyReluOptionsT();
    o.alpha = AttrFloat(node, "alpha", 0.01f);
    options.Set(o);
  } else if (op == "Gelu") {
    code = fb::BuiltinOperator::GELU;
    auto o = fb::GeluOptionsT();
    o.approximate = AttrString(node, "approximate", "none") == "tanh";
    options.Set(o);
  }
  if (op == "Relu" && UnaryQuantized(c, node, code)) return true;
  EmitUnary(c, node.input(0), node.output(0), code, std::move(options));
  return true;
}

bool Clip(Converter& c, const NodeProto& node) {
  float lo = AttrFloat(node, "min", -INFINITY),
        hi = AttrFloat(node, "max", INFINITY);
  for (int i = 1; i <= 2; ++i) {
    if (Converter::Input(node, i).empty()) continue;
    const HostTensor* t = c.ConstInput(node, i);
    if (!t || t->size() != 1) {
      c.Error(node, "min/max must be scalar constants");
      return false;
    }
    (i == 1 ? lo : hi) = static_cast<float>(t->AsDouble(0));
  }
  fb::BuiltinOperator code;
  bool fused = true;
  if (lo == 0 && hi == 6)
    code = fb::BuiltinOperator::RELU6;
  else if (lo == 0 && std::isinf(hi))
    code = fb::BuiltinOperator::RELU;
  else if (lo == -1 && hi == 1)
    code = fb::BuiltinOperator::RELU_N1_TO_1;
  else if (lo == 0 && hi == 1)
    code = fb::BuiltinOperator::RELU_0_TO_1;
  else
    fused = false;
  if (fused) {
    if (UnaryQuantized(c, node, code)) return true;
    EmitUnary(c, node.input(0), node.output(0), code);
    return true;
  }
  // General bounds: MAXIMUM then MINIMUM with scalar constants.
  const std::string in = node.input(0), out = node.output(0);
  const std::vector<int> order = c.PermOf(in);
  const int type = c.Get(in).type;
  const std::vector<int64_t> shape = c.Get(in).shape;
  int x = c.TensorAsStored(in);
  if (!std::isinf(lo)) {
    const int t = c.Scratch(out + "/max", Permuted(shape, order), type);
    c.AddOp(fb::BuiltinOperator::MAXIMUM,
            {x, c.AddFloatConst({lo}, out + "/lo", std::vector<int32_t>{})},
            {t});
    x = t;
  }
  const int t = c.NewTensor(out, type, shape, order);
  c.AddOp(fb::BuiltinOperator::MINIMUM,
          {x, c.AddFloatConst({std::isinf(hi) ? 3.4e38f : hi}, out + "/hi",
                              std::vector<int32_t>{})},
          {t});
  c.Define(out, type, shape, order, t);
  return true;
}

// HardSigmoid(x) = clamp(alpha * x + beta, 0, 1).
bool HardSigmoid(Converter& c, const NodeProto& node) {
  const float alpha = AttrFloat(node, "alpha", 0.2f),
              beta = AttrFloat(node, "beta", 0.5f);
  const std::string in = node.input(0), out = node.output(0);
  const std::vector<int> order = c.PermOf(in);
  const std::vector<int64_t> stored = Permuted(c.Get(in).shape, order);
  const int x = c.TensorAsStored(in);
  const int scaled = c.Scratch(out + "/scaled", stored);
  c.AddOp(fb::BuiltinOperator::MUL,
          {x, c.AddFloatConst({alpha}, out + "/alpha", std::vector<int32_t>{})},
          {scaled});
  const int shifted = c.Scratch(out + "/shifted", stored);
  c.AddOp(
      fb::BuiltinOperator::ADD,
      {scaled, c.AddFloatConst({beta}, out + "/beta", std::vector<int32_t>{})},
      {shifted});
  const int t = c.NewTensor(out, kOnnxFloat, c.Get(in).shape, order);
  c.AddOp(fb::BuiltinOperator::RELU_0_TO_1, {shifted}, {t});
  c.Define(out, kOnnxFloat, c.Get(in).shape, order, t);
  return true;
}

// Erf has no TFLite builtin. The usual PyTorch GELU pattern around it is
// fused before conversion (patterns.cc); a lone Erf is computed with the
// Abramowitz-Stegun 7.1.26 approximation (|error| < 1.5e-7):
//   erf(x) = sign(x) * (1 - poly(t) * exp(-x^2)),  t = 1 / (1 + p|x|).
bool Erf(Converter& c, const NodeProto& node) {
  const std::string in = node.input(0), out = node.output(0);
  const std::vector<int> order = c.PermOf(in);
  const std::vector<int64_t> stored = Permuted(c.Get(in).shape, order);
  const int x = c.TensorAsStored(in);
  int counter = 0;
  auto scalar = [&](float v) {
    return c.AddFloatConst({v}, out + "/k", std::vector<int32_t>{});
  };
  auto op = [&](fb::BuiltinOperator code, std::vector<int32_t> ins) {
    const int t = c.Scratch(out + "/t" + std::to_string(counter++), stored);
    c.AddOp(code, std::move(ins), {t});
    return t;
  };
  const int ax = op(fb::BuiltinOperator::ABS, {x});
  const int den = op(
      fb::BuiltinOperator::ADD,
      {op(fb::BuiltinOperator::MUL, {ax, scalar(0.3275911f)}), scalar(1.0f)});
  const int t = op(fb::BuiltinOperator::DIV, {scalar(1.0f), den});
  const float a[5] = {0.254829592f, -0.284496736f, 1.421413741f, -1.453152027f,
                      1.061405429f};
  int poly = op(fb::BuiltinOperator::MUL, {t, scalar(a[4])});
  for (int i = 3; i >= 0; --i) {
    poly = op(fb::BuiltinOperator::MUL,
              {op(fb::BuiltinOperator::ADD, {poly, scalar(a[i])}), t});
  }
  const int e = op(
      fb::BuiltinOperator::EXP,
      {op(fb::BuiltinOperator::NEG, {op(fb::BuiltinOperator::MUL, {x, x})})});
  const int y = op(fb::BuiltinOperator::SUB,
                   {scalar(1.0f), op(fb::BuiltinOperator::MUL, {poly, e})});
  const int result = c.NewTensor(out, kOnnxFloat, c.Get(in).shape, order);
  c.AddOp(fb::BuiltinOperator::MUL, {y, op(fb::BuiltinOperator::SIGN, {x})},
          {result});
  c.Define(out, kOnnxFloat, c.Get(in).shape, order, result);
  return true;
}

}  // namespace

OpConverter FindElementwiseOp(const std::string& op) {
  static const char* kBinary[] = {"Add", "Sub", "Mul",   "Div",  "Pow",
                                  "Max", "Min", "Equal", "Less", "Greater"};
  for (const char* b : kBinary)
    if (op == b) return Binary;
  static const char* kUnary[] = {
      "Relu", "Sigmoid", "Tanh",      "Exp", "Sqrt",      "Abs", "Neg",
      "Log",  "Floor",   "HardSwish", "Elu", "LeakyRelu", "Gelu"};
  for (const char* u : kUnary)
    if (op == u) return Unary;
  if (op == "Clip") return Clip;
  if (op == "HardSigmoid") return HardSigmoid;
  if (op == "Erf") return Erf;
  if (op == "PRelu") return PRelu;
  return nullptr;
}

}  // namespace ember::convert::onnx
