// Constant folding: nodes whose inputs are all constants (shape arithmetic
// after Shape, weight transposes, ...) are computed here on the host and
// never reach the .tflite file.
#include <cmath>
#include <numeric>

#include "convert/onnx/ops.h"

namespace ember::convert::onnx {
namespace {

std::vector<int64_t> BroadcastShape(const std::vector<int64_t>& a,
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

// Index into `t` (broadcast to `shape`) for flat output index `o`.
int64_t BroadcastIndex(const HostTensor& t, const std::vector<int64_t>& shape,
                       int64_t o) {
  int64_t index = 0, stride = 1;
  const int r = static_cast<int>(shape.size());
  const int off = r - static_cast<int>(t.shape.size());
  for (int i = r - 1; i >= 0; --i) {
    const int64_t coord = o % shape[i];
    o /= shape[i];
    if (i >= off) {
      const int64_t d = t.shape[i - off];
      if (d != 1) index += coord * stride;
      stride *= d;
    }
  }
  return index;
}

bool FoldBinary(Converter& c, const NodeProto& node, const HostTensor& a,
                const HostTensor& b) {
  bool ok = true;
  const std::vector<int64_t> shape = BroadcastShape(a.shape, b.shape, &ok);
  if (!ok) {
    c.Error(node, "operand shapes do not broadcast");
    return false;
  }
  const std::string& op = node.op_type();
  const bool is_int = a.type != kOnnxFloat;
  std::vector<double> out(ElementCount(shape));
  for (int64_t i = 0; i < static_cast<int64_t>(out.size()); ++i) {
    const double x = a.AsDouble(BroadcastIndex(a, shape, i));
    const double y = b.AsDouble(BroadcastIndex(b, shape, i));
    double r = 0;
    if (op == "Add")
      r = x + y;
    else if (op == "Sub")
      r = x - y;
    else if (op == "Mul")
      r = x * y;
    else if (op == "Div")
      r = is_int ? (y == 0 ? 0 : std::trunc(x / y)) : x / y;
    else if (op == "Pow")
      r = std::pow(x, y);
    else if (op == "Equal")
      r = x == y;
    else if (op == "Less")
      r = x < y;
    else if (op == "Greater")
      r = x > y;
    else if (op == "Max")
      r = std::max(x, y);
    else if (op == "Min")
      r = std::min(x, y);
    out[i] = r;
  }
  const bool is_compare = op == "Equal" || op == "Less" || op == "Greater";
  c.DefineConst(
      node.output(0),
      HostTensor::FromDoubles(is_compare ? kOnnxBool : a.type, shape, out));
  return true;
}

bool FoldUnary(Converter& c, const NodeProto& node, const HostTensor& a) {
  const std::string& op = node.op_type();
  std::vector<double> out(a.size());
  for (int64_t i = 0; i < a.size(); ++i) {
    const double x = a.AsDouble(i);
    if (op == "Sqrt")
      out[i] = std::sqrt(x);
    else if (op == "Neg")
      out[i] = -x;
    else if (op == "Floor")
      out[i] = std::floor(x);
    else if (op == "Ceil")
      out[i] = std::ceil(x);
    else if (op == "Relu")
      out[i] = std::max(x, 0.0);
    else if (op == "Exp")
      out[i] = std::exp(x);
    else if (op == "Reciprocal")
      out[i] = 1.0 / x;
    else if (op == "Not")
      out[i] = x == 0;
    else
      out[i] = x;  // Identity, Dropout
  }
  c.DefineConst(node.output(0), HostTensor::FromDoubles(a.type, a.shape, out));
  return true;
}

}  // namespace

bool IsFoldable(const std::string& op) {
  static const char* kOps[] = {
      "Add",      "Sub",     "Mul",     "Div",    "Pow",        "Equal",
      "Less",     "Greater", "Max",     "Min",    "Sqrt",       "Neg",
      "Floor",    "Ceil",    "Relu",    "Exp",    "Reciprocal", "Not",
      "Identity", "Dropout", "Cast",    "Gather", "Concat",     "Unsqueeze",
      "Squeeze",  "Reshape", "Flatten", "Slice",  "Transpose",  "Range",
      "Where",    "Expand"};
  for (const char* k : kOps)
    if (op == k) return true;
  return false;
}

bool FoldNode(Converter& c, const NodeProto& node) {
  const std::string& op = node.op_type();
  const HostTensor* a = c.ConstInput(node, 0);
  const HostTensor* b = c.ConstInput(node, 1);
  if (b && node.input_size() >= 2 &&
      (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" ||
       op == "Pow" || op == "Equal" || op == "Less" || op == "Greater" ||
       op == "Max" || op == "Min"))
    return FoldBinary(c, node, *a, *b);
  if (op == "Cast") {
    const int to = static_cast<int>(AttrInt(node, "to", kOnnxFloat));
    std::vector<double> v(a->size());
    for (int64_t i = 0; i < a->size(); ++i) v[i] = a->AsDouble(i);
    c.DefineConst(node.output(0), HostTensor::FromDoubles(to, a->shape, v));
    return true;
  }
  if (op == "Range") {
    const HostTensor* d = c.ConstInput(node, 2);
    const double start = a->AsDouble(0), limit = b->AsDouble(0),
                 delta = d->AsDouble(0);
    if (delta == 0) {
      c.Error(node, "Range with delta 0");
      return false;
    }
    std::vector<double> v;
    for (double x = start; delta > 0 ? x < limit : x > limit; x += delta) {
      v.push_back(x);
      if (v.size() > (1u << 24)) break;
    }
    c.DefineConst(
        node.output(0),
        HostTensor::FromDoubles(a->type, {static_cast<int64_t>(v.size())}, v));
    return true;
  }
  if (op == "Where") {
    const HostTensor* y = c.ConstInput(node, 2);
    bool ok = true;
    std::vector<int64_t> shape =
        BroadcastShape(BroadcastShape(a->shape, b->shape, &ok), y->shape, &ok);
    if (!ok) {
      c.Error(node, "operand shapes do not broadcast");
      return false;
    }
    std::vector<double> v(ElementCount(shape));
    for (int64_t i = 0; i < static_cast<int64_t>(v.size()); ++i)
      v[i] = a->AsDouble(BroadcastIndex(*a, shape, i)) != 0
                 ? b->AsDouble(BroadcastIndex(*b, shape, i))
                 : y->AsDouble(BroadcastIndex(*y, shape, i));
    c.DefineConst(node.output(0), HostTensor::FromDoubles(b->type, shape, v));
    return true;
  }
  if (op == "Expand") {
    bool ok = true;
    const std::vector<int64_t> shape = BroadcastShape(a->shape, b->Ints(), &ok);
    if (!ok || !ValidShape(shape) || ElementCount(shape) > (int64_t{1} << 28)) {
      c.Error(node, "Expand shape does not broadcast");
      return false;
    }
    std::vector<double> v(ElementCount(shape));
    for (int64_t i = 0; i < static_cast<int64_t>(v.size()); ++i)
      v[i] = a->AsDouble(BroadcastIndex(*a, shape, i));
    c.DefineConst(node.output(0), HostTensor::FromDoubles(a->type, shape, v));
    return true;
  }
  if (op == "Concat" || op == "Gather" || op == "Unsqueeze" ||
      op == "Squeeze" || op == "Reshape" || op == "Flatten" || op == "Slice" ||
      op == "Transpose")
    return ConvertLayoutOp(c,
                           node);  // these handle constant inputs on the host
  return FoldUnary(c, node, *a);
}

}  // namespace ember::convert::onnx
