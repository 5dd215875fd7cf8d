// Ops that move data without computing on it: Reshape, Flatten, Squeeze,
// Unsqueeze, Transpose, Concat, Split, Slice, Gather, Pad, plus Shape,
// Constant, ConstantOfShape, Identity and Cast. They work in whatever order
// their input is stored in, remapping axes, and emit a TRANSPOSE only where
// the element order must change (a Reshape mixing permuted axes).
#include <algorithm>
#include <cstring>
#include <limits>

#include "convert/onnx/ops.h"

namespace ember::convert::onnx {

bool SameMemoryOrder(const std::vector<int64_t>& shape,
                     const std::vector<int>& perm) {
  int last = -1;
  for (int axis : perm) {
    if (shape[axis] == 1) continue;
    if (axis < last) return false;
    last = axis;
  }
  return true;
}

int EmitReshape(Converter& c, int tensor, const std::vector<int64_t>& shape,
                const std::string& name, int type, const QuantParams* quant) {
  const int out = c.Scratch(name, shape, type, quant);
  const int shape_t = c.AddInt32Const(ToI32(shape), name + "/shape");
  auto options = fb::ReshapeOptionsT();
  options.new_shape = ToI32(shape);
  fb::BuiltinOptionsUnion u;
  u.Set(options);
  c.AddOp(fb::BuiltinOperator::RESHAPE, {tensor, shape_t}, {out}, std::move(u));
  return out;
}

namespace {

const QuantParams* QuantOf(Converter& c, const std::string& name) {
  const Value& v = c.Get(name);
  return v.quant ? &*v.quant : nullptr;
}

Value& DefineLike(Converter& c, const std::string& out, const std::string& src,
                  std::vector<int64_t> shape, std::vector<int> perm,
                  int tensor) {
  const int type = c.Get(src).type;
  std::optional<QuantParams> quant = c.Get(src).quant;
  Value& v = c.Define(out, type, std::move(shape), std::move(perm), tensor);
  v.quant = quant;
  return v;
}

// ---- pure reshapes ----------------------------------------------------------

// Reshape of `src` into logical `shape` (output stored in identity order).
bool ReshapeTo(Converter& c, const std::string& src, const std::string& out,
               const std::vector<int64_t>& shape) {
  Value& v = c.Get(src);
  if (v.constant) {
    HostTensor t = *v.constant;
    t.shape = shape;
    c.DefineConst(out, std::move(t));
    return true;
  }
  const std::vector<int> perm = c.PermOf(src);
  const int in = SameMemoryOrder(v.shape, perm)
                     ? c.TensorAsStored(src)
                     : c.TensorIn(src, Identity(v.rank()));
  const int t =
      EmitReshape(c, in, shape, out, c.Get(src).type, QuantOf(c, src));
  DefineLike(c, out, src, shape, {}, t);
  return true;
}

// Squeeze/Unsqueeze: only size-1 axes come or go, so the stored order keeps
// its element order; `new_perm` is the stored order of the result.
bool ReshapeKeepingOrder(Converter& c, const std::string& src,
                         const std::string& out,
                         const std::vector<int64_t>& shape,
                         const std::vector<int>& new_perm) {
  Value& v = c.Get(src);
  if (v.constant) return ReshapeTo(c, src, out, shape);
  const int in = c.TensorAsStored(src);
  const int t = EmitReshape(c, in, Permuted(shape, new_perm), out,
                            c.Get(src).type, QuantOf(c, src));
  DefineLike(c, out, src, shape, new_perm, t);
  return true;
}

bool ReadAxes(Converter& c, const NodeProto& node, int input,
              std::vector<int64_t>* axes) {
  if (FindAttr(node, "axes")) {
    *axes = AttrInts(node, "axes");
    return true;
  }
  if (Converter::Input(node, input).empty()) return true;
  const HostTensor* t = c.ConstInput(node, input);
  if (!t) {
    c.Error(node, "axes must be a constant");
    return false;
  }
  *axes = t->Ints();
  return true;
}

// True if every path from `name` reaches Gemm/MatMul (as A, with constant
// 2-D B) through at most a few QuantizeLinear/DequantizeLinear nodes.
bool FeedsOnlyDense(Converter& c, const std::string& name, int depth) {
  const auto& users = c.Consumers(name);
  if (users.empty() || c.IsGraphOutput(name)) return false;
  for (const NodeProto* user : users) {
    if (user->input_size() < 1 || user->input(0) != name ||
        user->output_size() < 1)
      return false;
    const std::string& op = user->op_type();
    if ((op == "QuantizeLinear" || op == "DequantizeLinear") && depth < 4) {
      if (!FeedsOnlyDense(c, user->output(0), depth + 1)) return false;
      continue;
    }
    const bool dense =
        (op == "Gemm" && AttrInt(*user, "transA", 0) == 0) || op == "MatMul";
    if (!dense || user->input_size() < 2 || user->input(1) == name ||
        !c.Has(user->input(1)) || !c.Get(user->input(1)).constant ||
        c.Get(user->input(1)).rank() != 2)
      return false;
  }
  return true;
}

// A CNN head flattening a channels-last feature map into Gemm/MatMul
// (LeNet style): instead of a TRANSPOSE back to NCHW, the stored tensor is
// flattened as is and the dense layers' weight columns are permuted.
bool FlattenIntoDense(Converter& c, const NodeProto& node,
                      const std::string& src, const std::string& out,
                      const std::vector<int64_t>& shape) {
  const Value& v = c.Get(src);
  const std::vector<int> perm = c.PermOf(src);
  if (v.constant || shape.size() != 2 || v.rank() < 2 || perm[0] != 0 ||
      shape[0] != v.shape[0] || SameMemoryOrder(v.shape, perm) ||
      c.IsGraphOutput(node.output(0)))
    return false;
  if (!FeedsOnlyDense(c, node.output(0), 0)) return false;
  // Logical flat index of each stored position after the batch axis.
  const std::vector<int64_t> stored = Permuted(v.shape, perm);
  std::vector<int64_t> strides(v.rank(), 1);
  for (int a = v.rank() - 2; a >= 0; --a)
    strides[a] = strides[a + 1] * v.shape[a + 1];
  std::vector<int64_t> order;
  std::vector<int64_t> index(v.rank(), 0);
  for (int64_t j = 0; j < shape[1]; ++j) {
    int64_t logical = 0;
    for (int i = 1; i < v.rank(); ++i) logical += index[i] * strides[perm[i]];
    order.push_back(logical);
    for (int i = v.rank() - 1; i >= 1; --i) {
      if (++index[i] < stored[i]) break;
      index[i] = 0;
    }
  }
  const int t = EmitReshape(c, c.TensorAsStored(src), shape, out,
                            c.Get(src).type, QuantOf(c, src));
  DefineLike(c, out, src, shape, {}, t).feature_order = order;
  return true;
}

bool Reshape(Converter& c, const NodeProto& node, const std::string& src,
             const std::string& out) {
  const Value& v = c.Get(src);
  std::vector<int64_t> shape;
  if (node.op_type() == "Flatten") {
    int64_t axis = AttrInt(node, "axis", 1);
    if (axis < 0) axis += v.rank();
    if (axis < 0 || axis > v.rank()) {
      c.Error(node, "axis out of range");
      return false;
    }
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < v.rank(); ++i) (i < axis ? outer : inner) *= v.shape[i];
    shape = {outer, inner};
  } else {
    const HostTensor* target = c.ConstInput(node, 1);
    if (!target) {
      c.Error(node, "the target shape must be a constant (static shapes only)");
      return false;
    }
    shape = target->Ints();
    const bool allow_zero = AttrInt(node, "allowzero", 0) != 0;
    int64_t known = 1, infer = -1;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 0 && !allow_zero) {
        if (i >= v.shape.size()) {
          c.Error(node, "0 in the target shape beyond the input's rank");
          return false;
        }
        shape[i] = v.shape[i];
      }
      if (shape[i] == -1) {
        if (infer >= 0) {
          c.Error(node, "more than one -1 in the target shape");
          return false;
        }
        infer = static_cast<int64_t>(i);
      } else if (shape[i] < 0 ||
                 __builtin_mul_overflow(known, shape[i], &known) ||
                 known > (int64_t{1} << 40)) {
        // Hostile targets: a negative size other than -1, or a product
        // past any tensor the runtime accepts (and past int64).
        c.Error(node, "target shape dimension " + std::to_string(shape[i]) +
                          " is out of range");
        return false;
      }
    }
    const int64_t total = ElementCount(v.shape);
    if (infer >= 0) shape[infer] = known ? total / known : 0;
    if (!ValidShape(shape) || ElementCount(shape) != total) {
      c.Error(node, "target shape does not hold the input's " +
                        std::to_string(total) + " elements");
      return false;
    }
  }
  if (FlattenIntoDense(c, node, src, out, shape)) return true;
  return ReshapeTo(c, src, out, shape);
}

bool Squeeze(Converter& c, const NodeProto& node, const std::string& src,
             const std::string& out) {
  const Value& v = c.Get(src);
  std::vector<int64_t> axes;
  if (!ReadAxes(c, node, 1, &axes)) return false;
  std::vector<bool> drop(v.rank(), false);
  if (axes.empty()) {
    for (int i = 0; i < v.rank(); ++i) drop[i] = v.shape[i] == 1;
  }
  for (int64_t a : axes) {
    if (!NormalizeAxis(&a, v.rank()) || v.shape[a] != 1) {
      c.Error(node, "cannot squeeze axis " + std::to_string(a));
      return false;
    }
    drop[a] = true;
  }
  std::vector<int> renumber(v.rank(), -1);
  std::vector<int64_t> shape;
  for (int i = 0; i < v.rank(); ++i) {
    if (drop[i]) continue;
    renumber[i] = static_cast<int>(shape.size());
    shape.push_back(v.shape[i]);
  }
  std::vector<int> perm;
  for (int axis : c.PermOf(src))
    if (renumber[axis] >= 0) perm.push_back(renumber[axis]);
  return ReshapeKeepingOrder(c, src, out, shape, perm);
}

bool Unsqueeze(Converter& c, const NodeProto& node, const std::string& src,
               const std::string& out) {
  const Value& v = c.Get(src);
  std::vector<int64_t> axes;
  if (!ReadAxes(c, node, 1, &axes)) return false;
  const int rank = v.rank() + static_cast<int>(axes.size());
  std::vector<bool> is_new(rank, false);
  for (int64_t a : axes) {
    if (!NormalizeAxis(&a, rank) || is_new[a]) {
      c.Error(node, "invalid unsqueeze axis");
      return false;
    }
    is_new[a] = true;
  }
  std::vector<int> renumber;  // old logical axis -> new logical axis
  std::vector<int64_t> shape(rank, 1);
  for (int i = 0, old = 0; i < rank; ++i) {
    if (is_new[i]) continue;
    renumber.push_back(i);
    shape[i] = v.shape[old++];
  }
  // New axes go just before the stored position of the axis that follows
  // them (or last), so an identity order stays identity.
  std::vector<int> perm;
  std::vector<bool> placed(rank, false);
  for (int axis : c.PermOf(src)) {
    const int mapped = renumber[axis];
    int first = mapped;
    while (first > 0 && is_new[first - 1]) --first;
    for (int n = first; n < mapped; ++n) {
      if (!placed[n]) perm.push_back(n);
      placed[n] = true;
    }
    perm.push_back(mapped);
    placed[mapped] = true;
  }
  for (int n = 0; n < rank; ++n)
    if (!placed[n]) perm.push_back(n);
  return ReshapeKeepingOrder(c, src, out, shape, perm);
}

bool Transpose(Converter& c, const NodeProto& node, const std::string& src,
               const std::string& out) {
  Value& v = c.Get(src);
  std::vector<int64_t> tp = AttrInts(node, "perm");
  if (tp.empty())
    for (int i = v.rank() - 1; i >= 0; --i) tp.push_back(i);
  if (static_cast<int>(tp.size()) != v.rank()) {
    c.Error(node, "perm has the wrong length");
    return false;
  }
  std::vector<int> perm(tp.begin(), tp.end());
  std::vector<bool> seen(v.rank(), false);
  for (int p : perm) {
    if (p < 0 || p >= v.rank() || seen[p]) {
      c.Error(node, "perm is not a permutation");
      return false;
    }
    seen[p] = true;
  }
  if (v.constant) {
    c.DefineConst(out, PermuteHost(*v.constant, perm));
    return true;
  }
  std::vector<int64_t> shape = Permuted(v.shape, perm);
  const std::vector<int> inv = Inverse(perm);
  std::vector<int> stored;
  for (int axis : c.PermOf(src)) stored.push_back(inv[axis]);
  const int tensor = c.TensorAsStored(src);
  DefineLike(c, out, src, shape, stored, tensor);
  return true;
}

// ---- axis-carrying ops
// ----------------------------------------------------------

bool Concat(Converter& c, const NodeProto& node, const std::string&,
            const std::string& out) {
  const int n = node.input_size();
  const Value& first = c.Get(node.input(0));
  const int rank = first.rank();
  int64_t axis = AttrInt(node, "axis", 0);
  if (!NormalizeAxis(&axis, rank)) {
    c.Error(node, "axis out of range");
    return false;
  }
  std::vector<int64_t> shape = first.shape;
  shape[axis] = 0;
  bool all_const = true;
  for (int i = 0; i < n; ++i) {
    const Value& v = c.Get(node.input(i));
    if (v.rank() != rank) {
      c.Error(node, "inputs differ in rank");
      return false;
    }
    for (int a = 0; a < rank; ++a) {
      if (a != axis && v.shape[a] != first.shape[a]) {
        c.Error(node, "inputs differ in shape off the concat axis");
        return false;
      }
    }
    shape[axis] += v.shape[axis];
    if (!v.constant) all_const = false;
  }
  if (all_const) {
    std::vector<double> values;
    int64_t outer = 1;
    for (int i = 0; i < axis; ++i) outer *= shape[i];
    for (int64_t o = 0; o < outer; ++o) {
      for (int i = 0; i < n; ++i) {
        const HostTensor& t = *c.Get(node.input(i)).constant;
        const int64_t block = t.size() / std::max<int64_t>(outer, 1);
        for (int64_t k = 0; k < block; ++k)
          values.push_back(t.AsDouble(o * block + k));
      }
    }
    c.DefineConst(out,
                  HostTensor::FromDoubles(first.constant->type, shape, values));
    return true;
  }
  // The first non-constant input's order wins; others follow it.
  std::vector<int> order;
  for (int i = 0; i < n && order.empty(); ++i)
    if (!c.Get(node.input(i)).constant) order = c.PermOf(node.input(i));
  std::vector<int32_t> inputs;
  for (int i = 0; i < n; ++i) {
    if (c.Get(node.input(i)).shape[axis] == 0) continue;
    inputs.push_back(c.TensorIn(node.input(i), order));
  }
  const int t = c.NewTensor(out, c.Get(node.input(0)).type, shape, order);
  auto options = fb::ConcatenationOptionsT();
  options.axis = Inverse(order)[axis];
  fb::BuiltinOptionsUnion u;
  u.Set(options);
  c.AddOp(fb::BuiltinOperator::CONCATENATION, inputs, {t}, std::move(u));
  c.Define(out, c.Get(node.input(0)).type, shape, order, t);
  return true;
}

// Int8 Concat: every input is a dequantized activation with the output's
// params (TFLite int8 CONCATENATION does not rescale).
bool ConcatQuantized(Converter& c, const NodeProto& node) {
  std::vector<std::string> ins(node.input().begin(), node.input().end());
  std::string q_out;
  QuantParams qp;
  for (const auto& in : ins)
    if (!c.Has(in) || c.Get(in).dequant_of.empty()) return false;
  {
    // Shapes are validated by the float path (which reports errors).
    const Value& first = c.Get(ins[0]);
    int64_t axis = AttrInt(node, "axis", 0);
    if (!NormalizeAxis(&axis, first.rank())) return false;
    for (const auto& in : ins) {
      const Value& v = c.Get(in);
      if (v.rank() != first.rank()) return false;
      for (int a = 0; a < v.rank(); ++a)
        if (a != axis && v.shape[a] != first.shape[a]) return false;
    }
  }
  for (const auto& in : ins) {
    const QuantParams& p = *c.QuantSource(in).quant;
    if (p.scale != c.QuantSource(ins[0]).quant->scale ||
        p.zero_point != c.QuantSource(ins[0]).quant->zero_point)
      return false;
  }
  if (!c.MatchQuantized(node, ins, &q_out, &qp)) return false;
  if (qp.scale != c.QuantSource(ins[0]).quant->scale ||
      qp.zero_point != c.QuantSource(ins[0]).quant->zero_point) {
    // Params differ: concatenate the int8 inputs, then requantize.
  }
  const Value& first = c.Get(ins[0]);
  int64_t axis = AttrInt(node, "axis", 0);
  NormalizeAxis(&axis, first.rank());
  std::vector<int64_t> shape = first.shape;
  shape[axis] = 0;
  for (const auto& in : ins) shape[axis] += c.Get(in).shape[axis];
  const std::vector<int> order = c.PermOf(first.dequant_of);
  std::vector<int32_t> inputs;
  for (const auto& in : ins)
    inputs.push_back(c.TensorIn(c.Get(in).dequant_of, order));
  const QuantParams src_q = *c.QuantSource(ins[0]).quant;
  const int t = c.NewTensor(q_out + "/concat", kOnnxInt8, shape, order, &src_q);
  auto options = fb::ConcatenationOptionsT();
  options.axis = Inverse(order)[axis];
  fb::BuiltinOptionsUnion u;
  u.Set(options);
  c.AddOp(fb::BuiltinOperator::CONCATENATION, inputs, {t}, std::move(u));
  int result = t;
  if (qp.scale != src_q.scale || qp.zero_point != src_q.zero_point) {
    result = c.NewTensor(q_out, kOnnxInt8, shape, order, &qp);
    c.AddOp(fb::BuiltinOperator::QUANTIZE, {t}, {result});
  }
  c.Define(q_out, kOnnxInt8, shape, order, result).quant = qp;
  return true;
}

bool Split(Converter& c, const NodeProto& node, const std::string& src,
           const std::string&) {
  const Value& v = c.Get(src);
  int64_t axis = AttrInt(node, "axis", 0);
  if (!NormalizeAxis(&axis, v.rank())) {
    c.Error(node, "axis out of range");
    return false;
  }
  std::vector<int64_t> sizes = AttrInts(node, "split");
  if (sizes.empty() && !Converter::Input(node, 1).empty()) {
    const HostTensor* s = c.ConstInput(node, 1);
    if (!s) {
      c.Error(node, "split sizes must be constant");
      return false;
    }
    sizes = s->Ints();
  }
  const int outputs = node.output_size();
  if (sizes.empty()) {
    const int64_t chunk = (v.shape[axis] + outputs - 1) / outputs;
    for (int i = 0; i < outputs; ++i)
      sizes.push_back(std::min(chunk, v.shape[axis] - chunk * i));
  }
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0 || s > v.shape[axis]) {
      c.Error(node, "invalid split size " + std::to_string(s));
      return false;
    }
    total += s;
  }
  if (static_cast<int>(sizes.size()) != outputs || total != v.shape[axis]) {
    c.Error(node, "split sizes do not add up to the axis length");
    return false;
  }
  const std::vector<int> order = c.PermOf(src);
  const int in = c.TensorAsStored(src);
  const Value& w = c.Get(src);
  const int type = w.type;
  const std::optional<QuantParams> quant = w.quant;
  const std::vector<int64_t> in_shape = w.shape;
  std::vector<int32_t> outs;
  for (int i = 0; i < outputs; ++i) {
    std::vector<int64_t> shape = in_shape;
    shape[axis] = sizes[i];
    outs.push_back(c.NewTensor(node.output(i), type, shape, order,
                               quant ? &*quant : nullptr));
  }
  auto options = fb::SplitVOptionsT();
  options.num_splits = outputs;
  fb::BuiltinOptionsUnion u;
  u.Set(options);
  c.AddOp(fb::BuiltinOperator::SPLIT_V,
          {in,
           c.AddInt32Const(std::vector<int32_t>(sizes.begin(), sizes.end()),
                           node.name() + "/sizes"),
           c.AddInt32Const({Inverse(order)[axis]}, node.name() + "/axis",
                           std::vector<int32_t>{})},
          outs, std::move(u));
  for (int i = 0; i < outputs; ++i) {
    std::vector<int64_t> shape = in_shape;
    shape[axis] = sizes[i];
    c.Define(node.output(i), type, shape, order, outs[i]).quant = quant;
  }
  return true;
}

bool Slice(Converter& c, const NodeProto& node, const std::string& src,
           const std::string& out) {
  const Value& v = c.Get(src);
  std::vector<int64_t> starts, ends, axes, steps;
  if (c.opset() < 10) {
    starts = AttrInts(node, "starts");
    ends = AttrInts(node, "ends");
    axes = AttrInts(node, "axes");
  } else {
    const HostTensor* s = c.ConstInput(node, 1);
    const HostTensor* e = c.ConstInput(node, 2);
    if (!s || !e ||
        (!Converter::Input(node, 3).empty() && !c.ConstInput(node, 3)) ||
        (!Converter::Input(node, 4).empty() && !c.ConstInput(node, 4))) {
      c.Error(node, "starts/ends/axes/steps must be constants");
      return false;
    }
    starts = s->Ints();
    ends = e->Ints();
    if (c.ConstInput(node, 3)) axes = c.ConstInput(node, 3)->Ints();
    if (c.ConstInput(node, 4)) steps = c.ConstInput(node, 4)->Ints();
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  const int rank = v.rank();
  std::vector<int64_t> begin(rank, 0), end(v.shape), step(rank, 1);
  std::vector<bool> to_front(rank, false);  // negative step running past 0
  if (starts.size() != ends.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    c.Error(node, "starts/ends/axes/steps differ in length");
    return false;
  }
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = axes[i];
    if (!NormalizeAxis(&a, rank) || steps[i] == 0) {
      c.Error(node, "invalid axis or zero step");
      return false;
    }
    const int64_t d = v.shape[a];
    int64_t s = starts[i] < 0 ? starts[i] + d : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + d : ends[i];
    if (steps[i] > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      to_front[a] = e < 0;
    }
    begin[a] = s;
    end[a] = e;
    step[a] = steps[i];
  }
  std::vector<int64_t> shape(rank);
  for (int a = 0; a < rank; ++a) {
    const int64_t span = step[a] > 0 ? end[a] - begin[a] : begin[a] - end[a];
    const int64_t st = step[a] > 0 ? step[a] : -step[a];
    shape[a] = span <= 0 ? 0 : (span + st - 1) / st;
  }
  if (v.constant) {
    std::vector<double> values;
    std::vector<int64_t> idx(rank, 0), strides(rank, 1);
    for (int a = rank - 2; a >= 0; --a)
      strides[a] = strides[a + 1] * v.shape[a + 1];
    const int64_t count = ElementCount(shape);
    for (int64_t o = 0; o < count; ++o) {
      int64_t src_index = 0;
      for (int a = 0; a < rank; ++a)
        src_index += (begin[a] + idx[a] * step[a]) * strides[a];
      values.push_back(v.constant->AsDouble(src_index));
      for (int a = rank - 1; a >= 0; --a) {
        if (++idx[a] < shape[a]) break;
        idx[a] = 0;
      }
    }
    c.DefineConst(out,
                  HostTensor::FromDoubles(v.constant->type, shape, values));
    return true;
  }
  const std::vector<int> order = c.PermOf(src);
  std::vector<int32_t> b(rank), e(rank), s(rank);
  int end_mask = 0;
  for (int i = 0; i < rank; ++i) {
    b[i] = static_cast<int32_t>(begin[order[i]]);
    e[i] = static_cast<int32_t>(end[order[i]]);
    s[i] = static_cast<int32_t>(step[order[i]]);
    if (to_front[order[i]]) end_mask |= 1 << i;
  }
  const int in = c.TensorAsStored(src);
  const int t =
      c.NewTensor(out, c.Get(src).type, shape, order, QuantOf(c, src));
  auto options = fb::StridedSliceOptionsT();
  options.end_mask = end_mask;
  fb::BuiltinOptionsUnion u;
  u.Set(options);
  c.AddOp(
      fb::BuiltinOperator::STRIDED_SLICE,
      {in, c.AddInt32Const(b, out + "/begin"), c.AddInt32Const(e, out + "/end"),
       c.AddInt32Const(s, out + "/strides")},
      {t}, std::move(u));
  DefineLike(c, out, src, shape, order, t);
  return true;
}

bool Gather(Converter& c, const NodeProto& node, const std::string& src,
            const std::string& out) {
  const Value& v = c.Get(src);
  const std::string indices_name = node.input(1);
  const Value& ind = c.Get(indices_name);
  int64_t axis = AttrInt(node, "axis", 0);
  if (!NormalizeAxis(&axis, v.rank())) {
    c.Error(node, "axis out of range");
    return false;
  }
  std::vector<int64_t> shape(v.shape.begin(), v.shape.begin() + axis);
  shape.insert(shape.end(), ind.shape.begin(), ind.shape.end());
  shape.insert(shape.end(), v.shape.begin() + axis + 1, v.shape.end());
  std::vector<int64_t> index_values;
  if (ind.constant) {
    index_values = ind.constant->Ints();
    for (int64_t& i : index_values) {
      if (i < 0) i += v.shape[axis];
      if (i < 0 || i >= v.shape[axis]) {
        c.Error(node, "index " + std::to_string(i) + " out of range");
        return false;
      }
    }
  }
  if (v.constant && ind.constant) {
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < axis; ++i) outer *= v.shape[i];
    for (int i = static_cast<int>(axis) + 1; i < v.rank(); ++i)
      inner *= v.shape[i];
    std::vector<double> values;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t idx : index_values)
        for (int64_t k = 0; k < inner; ++k)
          values.push_back(
              v.constant->AsDouble((o * v.shape[axis] + idx) * inner + k));
    c.DefineConst(out,
                  HostTensor::FromDoubles(v.constant->type, shape, values));
    return true;
  }
  int indices;
  std::vector<int> order;  // of the output
  int data;
  int stored_axis;
  if (ind.constant && ind.rank() <= 1) {
    // Works in the data's stored order: the gathered axis keeps its place
    // (rank-1 indices) or disappears (scalar index).
    const std::vector<int> perm = c.PermOf(src);
    data = c.TensorAsStored(src);
    stored_axis = Inverse(perm)[axis];
    for (int p : perm) {
      if (ind.rank() == 0 && p == axis) continue;
      order.push_back(ind.rank() == 0 && p > axis ? p - 1 : p);
    }
    indices = c.AddInt32Const(
        std::vector<int32_t>(index_values.begin(), index_values.end()),
        out + "/indices", ToI32(ind.shape));
  } else {
    data = c.TensorIn(src, Identity(v.rank()));
    stored_axis = static_cast<int>(axis);
    order = Identity(static_cast<int>(shape.size()));
    indices = ind.constant
                  ? c.AddInt32Const(std::vector<int32_t>(index_values.begin(),
                                                         index_values.end()),
                                    out + "/indices", ToI32(ind.shape))
                  : c.TensorIn(indices_name, Identity(ind.rank()));
  }
  const int t =
      c.NewTensor(out, c.Get(src).type, shape, order, QuantOf(c, src));
  auto options = fb::GatherOptionsT();
  options.axis = stored_axis;
  fb::BuiltinOptionsUnion u;
  u.Set(options);
  c.AddOp(fb::BuiltinOperator::GATHER, {data, indices}, {t}, std::move(u));
  DefineLike(c, out, src, shape, order, t);
  return true;
}

bool Pad(Converter& c, const NodeProto& node, const std::string& src,
         const std::string& out) {
  const Value& v = c.Get(src);
  std::vector<int64_t> pads = AttrInts(node, "pads");
  float value = AttrFloat(node, "value", 0.0f);
  if (c.opset() >= 11) {
    const HostTensor* p = c.ConstInput(node, 1);
    if (!p) {
      c.Error(node, "pads must be a constant");
      return false;
    }
    pads = p->Ints();
    if (const HostTensor* cv = c.ConstInput(node, 2); cv && cv->size() > 0)
      value = static_cast<float>(cv->AsDouble(0));
    if (!Converter::Input(node, 3).empty()) {
      c.Error(node, "the axes input of Pad is not supported");
      return false;
    }
  }
  const int rank = v.rank();
  if (static_cast<int>(pads.size()) != 2 * rank) {
    c.Error(node, "pads needs 2 x rank entries");
    return false;
  }
  const std::string mode = AttrString(node, "mode", "constant");
  std::vector<int64_t> shape = v.shape;
  for (int a = 0; a < rank; ++a) {
    if (pads[a] < 0 || pads[a + rank] < 0) {
      c.Error(node, "negative pads (cropping) are not supported");
      return false;
    }
    // Each pad must fit the int32 paddings tensor (which also keeps the sum
    // below from overflowing).
    constexpr int64_t kMaxPad = std::numeric_limits<int32_t>::max();
    if (pads[a] > kMaxPad || pads[a + rank] > kMaxPad) {
      c.Error(node, "pads " + std::to_string(pads[a]) + " and " +
                        std::to_string(pads[a + rank]) + " on axis " +
                        std::to_string(a) + " are out of range (at most " +
                        std::to_string(kMaxPad) + ")");
      return false;
    }
    shape[a] += pads[a] + pads[a + rank];
  }
  const std::vector<int> order = c.PermOf(src);
  std::vector<int32_t> paddings;
  for (int i = 0; i < rank; ++i) {
    paddings.push_back(static_cast<int32_t>(pads[order[i]]));
    paddings.push_back(static_cast<int32_t>(pads[order[i] + rank]));
  }
  const int in = c.TensorAsStored(src);
  const int pad_t = c.AddInt32Const(paddings, out + "/paddings",
                                    std::vector<int32_t>{rank, 2});
  const int t =
      c.NewTensor(out, c.Get(src).type, shape, order, QuantOf(c, src));
  if (mode == "constant") {
    if (value == 0.0f) {
      c.AddOp(fb::BuiltinOperator::PAD, {in, pad_t}, {t});
    } else {
      c.AddOp(
          fb::BuiltinOperator::PADV2,
          {in, pad_t,
           c.AddFloatConst({value}, out + "/value", std::vector<int32_t>{})},
          {t});
    }
  } else if (mode == "reflect") {
    auto options = fb::MirrorPadOptionsT();
    options.mode = fb::MirrorPadMode::REFLECT;
    fb::BuiltinOptionsUnion u;
    u.Set(options);
    c.AddOp(fb::BuiltinOperator::MIRROR_PAD, {in, pad_t}, {t}, std::move(u));
  } else {
    c.Error(node, "pad mode '" + mode + "' is not supported");
    return false;
  }
  DefineLike(c, out, src, shape, order, t);
  return true;
}

using LayoutFn = bool (*)(Converter&, const NodeProto&, const std::string&,
                          const std::string&);

LayoutFn FindLayoutFn(const std::string& op) {
  if (op == "Reshape" || op == "Flatten") return Reshape;
  if (op == "Squeeze") return Squeeze;
  if (op == "Unsqueeze") return Unsqueeze;
  if (op == "Transpose") return Transpose;
  if (op == "Concat") return Concat;
  if (op == "Split") return Split;
  if (op == "Slice") return Slice;
  if (op == "Gather") return Gather;
  if (op == "Pad") return Pad;
  return nullptr;
}

// ---- shape & constants
// ---------------------------------------------------------

bool ShapeOp(Converter& c, const NodeProto& node) {
  const Value& v = c.Get(node.input(0));
  int64_t start = AttrInt(node, "start", 0),
          end = AttrInt(node, "end", v.rank());
  if (start < 0) start += v.rank();
  if (end < 0) end += v.rank();
  start = std::clamp<int64_t>(start, 0, v.rank());
  end = std::clamp<int64_t>(end, start, v.rank());
  std::vector<int64_t> dims(v.shape.begin() + start, v.shape.begin() + end);
  c.DefineConst(node.output(0), HostTensor::FromInts(
                                    {static_cast<int64_t>(dims.size())}, dims));
  return true;
}

bool SizeOp(Converter& c, const NodeProto& node) {
  c.DefineConst(
      node.output(0),
      HostTensor::FromInts({}, {ElementCount(c.Get(node.input(0)).shape)}));
  return true;
}

bool ConstantOp(Converter& c, const NodeProto& node) {
  for (const auto& a : node.attribute()) {
    HostTensor t;
    if (a.name() == "value") {
      std::string error;
      if (!c.DecodeAttrTensor(a.t(), &t, &error)) {
        c.Error(node, "value: " + error);
        return false;
      }
    } else if (a.name() == "value_float") {
      t = HostTensor::FromFloats({}, {a.f()});
    } else if (a.name() == "value_floats") {
      t = HostTensor::FromFloats({a.floats_size()},
                                 {a.floats().begin(), a.floats().end()});
    } else if (a.name() == "value_int") {
      t = HostTensor::FromInts({}, {a.i()});
    } else if (a.name() == "value_ints") {
      t = HostTensor::FromInts({a.ints_size()},
                               {a.ints().begin(), a.ints().end()});
    } else {
      continue;
    }
    c.DefineConst(node.output(0), std::move(t));
    return true;
  }
  c.Error(node, "Constant without a supported value attribute");
  return false;
}

bool ConstantOfShapeOp(Converter& c, const NodeProto& node) {
  const HostTensor* shape_t = c.ConstInput(node, 0);
  if (!shape_t) {
    c.Error(node, "the shape must be a constant");
    return false;
  }
  HostTensor fill = HostTensor::FromFloats({1}, {0.0f});
  if (const AttributeProto* a = FindAttr(node, "value")) {
    std::string error;
    if (!c.DecodeAttrTensor(a->t(), &fill, &error) || fill.size() != 1) {
      c.Error(node, "value: " + (error.empty() ? "needs one element" : error));
      return false;
    }
  }
  const std::vector<int64_t> shape = shape_t->Ints();
  if (!ValidShape(shape) || ElementCount(shape) > (int64_t{1} << 28)) {
    c.Error(node, "shape too large");
    return false;
  }
  c.DefineConst(node.output(0),
                HostTensor::FromDoubles(fill.type, shape,
                                        std::vector<double>(ElementCount(shape),
                                                            fill.AsDouble(0))));
  return true;
}

bool IdentityOp(Converter& c, const NodeProto& node) {
  // The output shares the input's tensor (and cached reorderings).
  const Value copy = c.Get(node.input(0));
  c.Define(node.output(0), copy.type, copy.shape, copy.perm, -1) = copy;
  // Dropout's optional mask output is never used at inference.
  return true;
}

bool CastOp(Converter& c, const NodeProto& node) {
  const std::string in = node.input(0);
  const int to = static_cast<int>(AttrInt(node, "to", kOnnxFloat));
  if (OnnxTypeSize(to) == 0 || to == kOnnxFloat16 || to == kOnnxDouble) {
    if (to != kOnnxFloat16 && to != kOnnxDouble) {
      c.Error(node,
              std::string("cast to ") + OnnxTypeName(to) + " is not supported");
      return false;
    }
  }
  const int target =
      (to == kOnnxFloat16 || to == kOnnxDouble) ? kOnnxFloat : to;
  const Value& v = c.Get(in);
  if (v.type == target) return IdentityOp(c, node);
  const std::vector<int> order = c.PermOf(in);
  const int src = c.TensorAsStored(in);
  const std::vector<int64_t> shape = c.Get(in).shape;
  const int t = c.NewTensor(node.output(0), target, shape, order);
  auto options = fb::CastOptionsT();
  options.in_data_type = TfliteType(c.Get(in).type);
  options.out_data_type = TfliteType(target);
  fb::BuiltinOptionsUnion u;
  u.Set(options);
  c.AddOp(fb::BuiltinOperator::CAST, {src}, {t}, std::move(u));
  c.Define(node.output(0), target, shape, order, t);
  return true;
}

// Layout ops on a dequantized int8 activation run on the int8 tensor and
// give another dequantized view: no DEQUANTIZE/QUANTIZE around them.
bool LayoutOp(Converter& c, const NodeProto& node) {
  LayoutFn fn = FindLayoutFn(node.op_type());
  const std::string src = node.input(0);
  const Value& v = c.Get(src);
  if (node.op_type() == "Concat") {
    if (ConcatQuantized(c, node)) return true;
    return Concat(c, node, src, node.output(0));
  }
  // Int8 PAD fills with the zero point, i.e. real 0: fine unless Pad asks
  // for another constant value.
  bool int8_ok = true;
  if (node.op_type() == "Pad") {
    const HostTensor* value = c.ConstInput(node, 2);
    int8_ok = AttrFloat(node, "value", 0.0f) == 0.0f &&
              (!value || value->size() == 0 || value->AsDouble(0) == 0.0);
  }
  if (!v.dequant_of.empty() && int8_ok && node.output_size() == 1) {
    const std::string int8_out = node.output(0) + "/int8";
    if (!fn(c, node, v.dequant_of, int8_out)) return false;
    Value& q = c.Get(int8_out);
    Value& alias = c.Define(node.output(0), kOnnxFloat, q.shape, q.perm, -1);
    alias.dequant_of = int8_out;
    alias.feature_order = c.Get(int8_out).feature_order;
    return true;
  }
  return fn(c, node, src, node.output(0));
}

}  // namespace

bool ConvertLayoutOp(Converter& c, const NodeProto& node) {
  return LayoutOp(c, node);
}

OpConverter FindLayoutOp(const std::string& op) {
  if (FindLayoutFn(op)) return LayoutOp;
  if (op == "Shape") return ShapeOp;
  if (op == "Size") return SizeOp;
  if (op == "Constant") return ConstantOp;
  if (op == "ConstantOfShape") return ConstantOfShapeOp;
  if (op == "Identity" || op == "Dropout") return IdentityOp;
  if (op == "Cast") return CastOp;
  return nullptr;
}

}  // namespace ember::convert::onnx
