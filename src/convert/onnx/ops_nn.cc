// Gemm/MatMul (FULLY_CONNECTED with constant weights, BATCH_MATMUL
// otherwise), normalization, softmax, reductions and resizing.
#include <cmath>
#include <cstring>

#include "convert/onnx/ops.h"

namespace ember::convert::onnx {

HostTensor QuantizedBiasFor(const HostTensor* bias_float,
                            const QuantConst* bias_q, float input_scale,
                            const std::vector<float>& w_scales,
                            int64_t channels);

namespace {

// out[:, j] = in[:, order[j]] for a [N, K] matrix.
HostTensor PermuteColumns(const HostTensor& in,
                          const std::vector<int64_t>& order) {
  HostTensor out = in;
  const int64_t rows = in.shape[0], cols = in.shape[1];
  const int elem = OnnxTypeSize(in.type);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < cols; ++j)
      std::memcpy(&out.bytes[(r * cols + j) * elem],
                  &in.bytes[(r * cols + order[j]) * elem], elem);
  return out;
}

// FULLY_CONNECTED of `a` (last axis = K) with weights [N, K] (float or the
// int8 QuantConst), optional bias [N]; keeps leading dims.
bool EmitFullyConnected(Converter& c, const NodeProto& node,
                        const std::string& a, const HostTensor& weights_nk,
                        const QuantConst* wq_nk, const HostTensor* bias,
                        const QuantConst* bias_q, const std::string& out,
                        bool allow_quant) {
  const int64_t n = weights_nk.shape[0];
  std::string q_out;
  QuantParams qp;
  bool quantized = allow_quant && wq_nk && wq_nk->data.type == kOnnxInt8 &&
                   (wq_nk->params.scale.size() == 1 ||
                    static_cast<int64_t>(wq_nk->params.scale.size()) == n);
  if (quantized)
    for (int64_t z : wq_nk->params.zero_point) quantized &= z == 0;
  if (quantized) quantized = c.MatchQuantized(node, {a}, &q_out, &qp);
  const std::string src = quantized ? c.Get(a).dequant_of : a;
  const std::string result_name = quantized ? q_out : out;
  // A flattened NHWC input (see FlattenIntoDense): permute the columns.
  const std::vector<int64_t>& feature_order = c.Get(a).feature_order;
  HostTensor permuted_w;
  std::optional<QuantConst> permuted_q;
  if (!feature_order.empty()) {
    permuted_w = PermuteColumns(weights_nk, feature_order);
    if (wq_nk) {
      permuted_q = *wq_nk;
      permuted_q->data = PermuteColumns(wq_nk->data, feature_order);
      wq_nk = &*permuted_q;
    }
  }
  const HostTensor& weights = feature_order.empty() ? weights_nk : permuted_w;
  std::vector<int64_t> shape = c.Get(src).shape;
  shape.back() = n;
  // FC flattens all but the last axis: the input must be in logical order.
  const int input = c.TensorIn(src, Identity(c.Get(src).rank()));
  const int result =
      c.NewTensor(result_name, quantized ? kOnnxInt8 : kOnnxFloat, shape, {},
                  quantized ? &qp : nullptr);
  int wt, bt;
  if (quantized) {
    const float in_scale = c.Get(src).quant->scale[0];
    wt = c.AddConst(wq_nk->data, result_name + "/weights", fb::TensorType::INT8,
                    &wq_nk->params, 0);
    QuantParams bq;
    for (float s : wq_nk->params.scale) bq.scale.push_back(s * in_scale);
    bq.zero_point.assign(bq.scale.size(), 0);
    bt = c.AddConst(
        QuantizedBiasFor(bias, bias_q, in_scale, wq_nk->params.scale, n),
        result_name + "/bias", fb::TensorType::INT32, &bq, 0);
  } else {
    wt = c.AddConst(weights, result_name + "/weights");
    std::vector<float> b(n, 0.0f);
    for (int64_t i = 0; i < n && bias; ++i)
      b[i] = static_cast<float>(bias->AsDouble(i));
    bt = c.AddFloatConst(b, result_name + "/bias");
  }
  auto options = fb::FullyConnectedOptionsT();
  options.keep_num_dims = shape.size() != 2;
  fb::BuiltinOptionsUnion u;
  u.Set(options);
  c.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {input, wt, bt}, {result},
          std::move(u));
  Value& v = c.Define(result_name, quantized ? kOnnxInt8 : kOnnxFloat, shape,
                      {}, result);
  if (quantized) v.quant = qp;
  return true;
}

QuantConst TransposedQuant(const QuantConst& q) {
  QuantConst t = q;
  t.data = PermuteHost(q.data, {1, 0});
  return t;
}

// Stored tensor and adjoint flag for a BATCH_MATMUL operand: a value stored
// with its last two axes swapped is read with adj_x/adj_y, no TRANSPOSE.
int MatmulOperand(Converter& c, const std::string& name, bool* adjoint) {
  const std::vector<int> perm = c.PermOf(name);
  const int r = static_cast<int>(perm.size());
  *adjoint = false;
  if (r >= 2 && !c.Get(name).constant) {
    bool leading_identity = true;
    for (int i = 0; i < r - 2; ++i) leading_identity &= perm[i] == i;
    if (leading_identity && perm[r - 2] == r - 1 && perm[r - 1] == r - 2) {
      *adjoint = true;
      return c.TensorAsStored(name);
    }
  }
  return c.TensorIn(name, Identity(r));
}

bool BatchMatMul(Converter& c, const std::string& a, const std::string& b,
                 const std::string& out, bool transpose_b) {
  const Value& av = c.Get(a);
  const Value& bv = c.Get(b);
  std::vector<int64_t> as = av.shape, bs = bv.shape;
  if (transpose_b) std::swap(bs[bs.size() - 1], bs[bs.size() - 2]);
  const size_t r = std::max(as.size(), bs.size());
  std::vector<int64_t> shape(r);
  for (size_t i = 0; i + 2 < r; ++i) {
    const int64_t da = i + as.size() < r ? 1 : as[i - (r - as.size())];
    const int64_t db = i + bs.size() < r ? 1 : bs[i - (r - bs.size())];
    shape[i] = std::max(da, db);
  }
  shape[r - 2] = as[as.size() - 2];
  shape[r - 1] = bs.back();
  bool adj_x, adj_y;
  const int ta = MatmulOperand(c, a, &adj_x);
  const int tb = MatmulOperand(c, b, &adj_y);
  if (transpose_b) adj_y = !adj_y;
  const int result = c.NewTensor(out, kOnnxFloat, shape, {});
  auto options = fb::BatchMatMulOptionsT();
  options.adj_x = adj_x;
  options.adj_y = adj_y;
  fb::BuiltinOptionsUnion u;
  u.Set(options);
  c.AddOp(fb::BuiltinOperator::BATCH_MATMUL, {ta, tb}, {result}, std::move(u));
  c.Define(out, kOnnxFloat, shape, {}, result);
  return true;
}

bool MatMul(Converter& c, const NodeProto& node) {
  const std::string a = node.input(0), b = node.input(1);
  const Value& av = c.Get(a);
  const Value& bv = c.Get(b);
  if (av.rank() < 2 || bv.rank() < 2) {
    c.Error(node, "1-D MatMul operands are not supported");
    return false;
  }
  if (av.shape.back() != bv.shape[bv.rank() - 2]) {
    c.Error(node, "inner dimensions differ");
    return false;
  }
  if (bv.constant && bv.rank() == 2) {
    const HostTensor weights =
        PermuteHost(*bv.constant, {1, 0});  // [K,N] -> [N,K]
    std::optional<QuantConst> wq;
    if (bv.qconst && bv.qconst->params.scale.size() == 1)
      wq = TransposedQuant(*bv.qconst);
    if (bv.qconst && bv.qconst->params.scale.size() > 1 &&
        bv.qconst->params.axis == 1) {
      wq = TransposedQuant(*bv.qconst);
      wq->params.axis = 0;
    }
    // PyTorch's Linear on 3-D inputs exports MatMul + Add(bias): one
    // FULLY_CONNECTED with the bias.
    std::string out = node.output(0);
    const HostTensor* bias = nullptr;
    const auto& users = c.Consumers(out);
    if (!wq && users.size() == 1 && users[0]->op_type() == "Add" &&
        users[0]->input_size() == 2 && !c.IsGraphOutput(out)) {
      const NodeProto& add = *users[0];
      const std::string other =
          add.input(0) == out ? add.input(1) : add.input(0);
      const int64_t n = weights.shape[0];
      if (other != out && c.Has(other) && c.Get(other).constant &&
          c.Get(other).type == kOnnxFloat &&
          c.Get(other).constant->size() == n && c.Get(other).rank() >= 1 &&
          c.Get(other).shape.back() == n && c.Get(other).rank() <= av.rank()) {
        bias = &*c.Get(other).constant;
        out = add.output(0);
        c.SkipNode(&add);
      }
    }
    return EmitFullyConnected(c, node, a, weights, wq ? &*wq : nullptr, bias,
                              nullptr, out, true);
  }
  return BatchMatMul(c, a, b, node.output(0), false);
}

bool Gemm(Converter& c, const NodeProto& node) {
  const std::string a = node.input(0), b = node.input(1), out = node.output(0);
  const float alpha = AttrFloat(node, "alpha", 1.0f),
              beta = AttrFloat(node, "beta", 1.0f);
  const bool trans_a = AttrInt(node, "transA", 0) != 0;
  const bool trans_b = AttrInt(node, "transB", 0) != 0;
  if (trans_a || c.Get(a).rank() != 2 || c.Get(b).rank() != 2) {
    c.Error(node, "Gemm needs 2-D operands without transA");
    return false;
  }
  if (c.Get(a).shape[1] != c.Get(b).shape[trans_b ? 1 : 0]) {
    c.Error(node, "inner dimensions of A and B differ");
    return false;
  }
  const HostTensor* bias = c.ConstInput(node, 2);
  const int64_t n = c.Get(b).shape[trans_b ? 0 : 1];
  const bool vector_bias = bias && bias->size() == n;
  if (!Converter::Input(node, 2).empty() && !vector_bias) {
    c.Error(node, "Gemm's C must be a constant of N elements");
    return false;
  }
  if (!c.Get(b).constant) {
    if (alpha != 1.0f || bias) {
      c.Error(node, "Gemm with a non-constant B needs alpha 1 and no C");
      return false;
    }
    return BatchMatMul(c, a, b, out, trans_b);
  }
  const Value& bv = c.Get(b);
  HostTensor weights =
      trans_b ? *bv.constant : PermuteHost(*bv.constant, {1, 0});
  if (alpha != 1.0f) {
    std::vector<float> w = weights.Floats();
    for (float& x : w) x *= alpha;
    weights = HostTensor::FromFloats(weights.shape, w);
  }
  std::optional<HostTensor> scaled_bias;
  if (bias && beta != 1.0f) {
    std::vector<float> v = bias->Floats();
    for (float& x : v) x *= beta;
    scaled_bias = HostTensor::FromFloats({n}, v);
    bias = &*scaled_bias;
  }
  std::optional<QuantConst> wq;
  if (bv.qconst && alpha == 1.0f) {
    const int channel_axis = trans_b ? 0 : 1;
    if (bv.qconst->params.scale.size() == 1 ||
        bv.qconst->params.axis == channel_axis) {
      wq = trans_b ? *bv.qconst : TransposedQuant(*bv.qconst);
      wq->params.axis = 0;
    }
  }
  const QuantConst* bias_q = c.Has(Converter::Input(node, 2)) &&
                                     c.Get(node.input(2)).qconst && beta == 1.0f
                                 ? &*c.Get(node.input(2)).qconst
                                 : nullptr;
  return EmitFullyConnected(c, node, a, weights, wq ? &*wq : nullptr, bias,
                            bias_q, out, beta == 1.0f);
}

// A per-channel constant (logical axis 1) shaped to broadcast against a
// value of `rank` stored in `order`.
int ChannelConst(Converter& c, const std::vector<float>& values, int rank,
                 const std::vector<int>& order, const std::string& name) {
  std::vector<int64_t> shape(rank, 1);
  shape[1] = static_cast<int64_t>(values.size());
  return c.AddConst(PermuteHost(HostTensor::FromFloats(shape, values), order),
                    name);
}

bool BatchNorm(Converter& c, const NodeProto& node) {
  const std::string x = node.input(0), out = node.output(0);
  const HostTensor* scale = c.ConstInput(node, 1);
  const HostTensor* shift = c.ConstInput(node, 2);
  const HostTensor* mean = c.ConstInput(node, 3);
  const HostTensor* var = c.ConstInput(node, 4);
  const Value& xv = c.Get(x);
  if (!scale || !shift || !mean || !var || xv.rank() < 2) {
    c.Error(node, "scale, B, mean and var must be constants (inference mode)");
    return false;
  }
  const int64_t channels = xv.shape[1];
  if (scale->size() != channels || shift->size() != channels ||
      mean->size() != channels || var->size() != channels) {
    c.Error(node, "parameters do not match the channel count");
    return false;
  }
  const float eps = AttrFloat(node, "epsilon", 1e-5f);
  std::vector<float> mul(channels), add(channels);
  for (int64_t i = 0; i < channels; ++i) {
    mul[i] = static_cast<float>(scale->AsDouble(i) /
                                std::sqrt(var->AsDouble(i) + eps));
    add[i] =
        static_cast<float>(shift->AsDouble(i) - mean->AsDouble(i) * mul[i]);
  }
  const std::vector<int> order = c.PermOf(x);
  const std::vector<int64_t> shape = xv.shape;
  const int input = c.TensorAsStored(x);
  const int scaled = c.Scratch(out + "/scaled", Permuted(shape, order));
  c.AddOp(fb::BuiltinOperator::MUL,
          {input, ChannelConst(c, mul, static_cast<int>(shape.size()), order,
                               out + "/mul")},
          {scaled});
  const int result = c.NewTensor(out, kOnnxFloat, shape, order);
  c.AddOp(fb::BuiltinOperator::ADD,
          {scaled, ChannelConst(c, add, static_cast<int>(shape.size()), order,
                                out + "/add")},
          {result});
  c.Define(out, kOnnxFloat, shape, order, result);
  return true;
}

bool Softmax(Converter& c, const NodeProto& node) {
  const std::string x = node.input(0), out = node.output(0);
  const Value& xv = c.Get(x);
  const int rank = xv.rank();
  int64_t axis = AttrInt(node, "axis", c.opset() >= 13 ? -1 : 1);
  if (!NormalizeAxis(&axis, rank)) {
    c.Error(node, "axis out of range");
    return false;
  }
  if (c.opset() < 13 && axis != rank - 1) {
    c.Error(node,
            "opset < 13 Softmax over a flattened axis range is not supported");
    return false;
  }
  // TFLite softmax runs over the stored last axis: keep the stored order if
  // `axis` is already last, else move `axis` to the end (one TRANSPOSE).
  std::vector<int> order = c.PermOf(x);
  if (order.back() != axis) {
    std::vector<int> moved;
    for (int p : order)
      if (p != axis) moved.push_back(p);
    moved.push_back(static_cast<int>(axis));
    order = moved;
  }
  const int input = c.TensorIn(x, order);
  const std::vector<int64_t> shape = c.Get(x).shape;
  const int result = c.NewTensor(out, kOnnxFloat, shape, order);
  if (node.op_type() == "LogSoftmax") {
    c.AddOp(fb::BuiltinOperator::LOG_SOFTMAX, {input}, {result});
  } else {
    auto options = fb::SoftmaxOptionsT();
    options.beta = 1.0f;
    fb::BuiltinOptionsUnion u;
    u.Set(options);
    c.AddOp(fb::BuiltinOperator::SOFTMAX, {input}, {result}, std::move(u));
  }
  c.Define(out, kOnnxFloat, shape, order, result);
  return true;
}

bool Reduce(Converter& c, const NodeProto& node) {
  const std::string x = node.input(0), out = node.output(0);
  const std::string& op = node.op_type();
  const Value& xv = c.Get(x);
  std::vector<int64_t> axes = AttrInts(node, "axes");
  if (!FindAttr(node, "axes") && !Converter::Input(node, 1).empty()) {
    const HostTensor* t = c.ConstInput(node, 1);
    if (!t) {
      c.Error(node, "axes must be a constant");
      return false;
    }
    axes = t->Ints();
  }
  const bool keep = AttrInt(node, "keepdims", 1) != 0;
  const int rank = xv.rank();
  std::vector<bool> reduced(
      rank, axes.empty() && !AttrInt(node, "noop_with_empty_axes", 0));
  for (int64_t a : axes) {
    if (!NormalizeAxis(&a, rank)) {
      c.Error(node, "axis out of range");
      return false;
    }
    reduced[a] = true;
  }
  const std::vector<int> order = c.PermOf(x);
  const std::vector<int> inv = Inverse(order);
  std::vector<int32_t> stored_axes;
  for (int a = 0; a < rank; ++a)
    if (reduced[a]) stored_axes.push_back(inv[a]);
  std::vector<int64_t> shape;
  std::vector<int> renumber(rank, -1);
  for (int a = 0; a < rank; ++a) {
    if (reduced[a] && !keep) continue;
    renumber[a] = static_cast<int>(shape.size());
    shape.push_back(reduced[a] ? 1 : xv.shape[a]);
  }
  std::vector<int> out_order;
  for (int p : order)
    if (renumber[p] >= 0) out_order.push_back(renumber[p]);
  const int input = c.TensorAsStored(x);
  const int result = c.NewTensor(out, kOnnxFloat, shape, out_order);
  fb::BuiltinOperator code = fb::BuiltinOperator::MEAN;
  if (op == "ReduceSum") code = fb::BuiltinOperator::SUM;
  if (op == "ReduceMax") code = fb::BuiltinOperator::REDUCE_MAX;
  if (op == "ReduceMin") code = fb::BuiltinOperator::REDUCE_MIN;
  if (op == "ReduceProd") code = fb::BuiltinOperator::REDUCE_PROD;
  auto options = fb::ReducerOptionsT();
  options.keep_dims = keep;
  fb::BuiltinOptionsUnion u;
  u.Set(options);
  c.AddOp(code, {input, c.AddInt32Const(stored_axes, out + "/axes")}, {result},
          std::move(u));
  c.Define(out, kOnnxFloat, shape, out_order, result);
  return true;
}

// LayerNormalization over the trailing axes [axis, rank): TFLite has no
// builtin, so MEAN / SUB / MUL / MEAN / ADD / RSQRT / MUL / MUL / ADD.
bool LayerNorm(Converter& c, const NodeProto& node) {
  const std::string x = node.input(0), out = node.output(0);
  const Value& xv = c.Get(x);
  const int rank = xv.rank();
  int64_t axis = AttrInt(node, "axis", -1);
  if (!NormalizeAxis(&axis, rank)) {
    c.Error(node, "axis out of range");
    return false;
  }
  const HostTensor* gamma = c.ConstInput(node, 1);
  const HostTensor* beta = c.ConstInput(node, 2);
  if (!gamma || (!Converter::Input(node, 2).empty() && !beta)) {
    c.Error(node, "scale and bias must be constants");
    return false;
  }
  if (node.output_size() > 1 && !node.output(1).empty()) {
    c.Error(node, "Mean/InvStdDev outputs are not supported");
    return false;
  }
  // The normalized axes must be the stored trailing axes, in order.
  std::vector<int> order = c.PermOf(x);
  bool tail_ok = true;
  for (int i = static_cast<int>(axis); i < rank; ++i) tail_ok &= order[i] == i;
  if (!tail_ok) order = Identity(rank);
  const int input = c.TensorIn(x, order);
  const std::vector<int64_t> shape = c.Get(x).shape;
  const std::vector<int64_t> stored = Permuted(shape, order);
  std::vector<int64_t> reduced = stored;
  std::vector<int32_t> axes;
  for (int i = static_cast<int>(axis); i < rank; ++i) {
    reduced[i] = 1;
    axes.push_back(i);
  }
  const float eps = AttrFloat(node, "epsilon", 1e-5f);
  auto mean = [&](int in, const std::string& tag) {
    const int t = c.Scratch(out + "/" + tag, reduced);
    auto options = fb::ReducerOptionsT();
    options.keep_dims = true;
    fb::BuiltinOptionsUnion u;
    u.Set(options);
    c.AddOp(fb::BuiltinOperator::MEAN,
            {in, c.AddInt32Const(axes, out + "/axes")}, {t}, std::move(u));
    return t;
  };
  auto binary = [&](fb::BuiltinOperator op, int lhs, int rhs,
                    const std::string& tag, const std::vector<int64_t>& s) {
    const int t = c.Scratch(out + "/" + tag, s);
    c.AddOp(op, {lhs, rhs}, {t});
    return t;
  };
  const int mu = mean(input, "mean");
  const int centered =
      binary(fb::BuiltinOperator::SUB, input, mu, "centered", stored);
  const int squared =
      binary(fb::BuiltinOperator::MUL, centered, centered, "squared", stored);
  const int var = mean(squared, "var");
  const int var_eps =
      binary(fb::BuiltinOperator::ADD, var,
             c.AddFloatConst({eps}, out + "/eps", std::vector<int32_t>{}),
             "var_eps", reduced);
  const int inv_std = c.Scratch(out + "/inv_std", reduced);
  c.AddOp(fb::BuiltinOperator::RSQRT, {var_eps}, {inv_std});
  const int normalized =
      binary(fb::BuiltinOperator::MUL, centered, inv_std, "normalized", stored);
  HostTensor g = HostTensor::FromFloats(gamma->shape, gamma->Floats());
  const int result = c.NewTensor(out, kOnnxFloat, shape, order);
  if (beta) {
    const int scaled = binary(fb::BuiltinOperator::MUL, normalized,
                              c.AddConst(g, out + "/gamma"), "scaled", stored);
    c.AddOp(
        fb::BuiltinOperator::ADD,
        {scaled, c.AddConst(HostTensor::FromFloats(beta->shape, beta->Floats()),
                            out + "/beta")},
        {result});
  } else {
    c.AddOp(fb::BuiltinOperator::MUL,
            {normalized, c.AddConst(g, out + "/gamma")}, {result});
  }
  c.Define(out, kOnnxFloat, shape, order, result);
  return true;
}

bool Resize(Converter& c, const NodeProto& node) {
  const std::string x = node.input(0), out = node.output(0);
  const Value& xv = c.Get(x);
  if (xv.rank() != 4) {
    c.Error(node, "only rank-4 (NCHW) resizing is supported");
    return false;
  }
  std::vector<float> scales;
  std::vector<int64_t> sizes;
  const bool upsample = node.op_type() == "Upsample";
  if (upsample && FindAttr(node, "scales")) {
    const AttributeProto* a = FindAttr(node, "scales");
    scales.assign(a->floats().begin(), a->floats().end());
  } else {
    const int scales_input = upsample || c.opset() < 11 ? 1 : 2;
    if (const HostTensor* s = c.ConstInput(node, scales_input);
        s && s->size() > 0)
      scales = s->Floats();
    if (const HostTensor* s = c.ConstInput(node, 3); s && s->size() > 0)
      sizes = s->Ints();
  }
  if (sizes.empty()) {
    if (scales.size() != 4) {
      c.Error(node, "scales or sizes must be constants for all 4 axes");
      return false;
    }
    for (int i = 0; i < 4; ++i) {
      const double size = std::floor(static_cast<double>(xv.shape[i]) *
                                     static_cast<double>(scales[i]));
      // Hostile scales (huge, negative, NaN): refused, never cast.
      if (!(size >= 0.0 && size <= static_cast<double>(int64_t{1} << 31))) {
        c.Error(node, "scale " + std::to_string(scales[i]) + " on axis " +
                          std::to_string(i) +
                          " gives an output size out of "
                          "range");
        return false;
      }
      sizes.push_back(static_cast<int64_t>(size));
    }
  }
  if (sizes.size() != 4 || !ValidShape(sizes) || sizes[2] == 0 ||
      sizes[3] == 0 || sizes[0] != xv.shape[0] || sizes[1] != xv.shape[1]) {
    c.Error(node, "only spatial (H, W) resizing is supported");
    return false;
  }
  const std::string mode = AttrString(node, "mode", "nearest");
  const std::string coord =
      AttrString(node, "coordinate_transformation_mode",
                 upsample || c.opset() < 11 ? "asymmetric" : "half_pixel");
  const std::string nearest =
      AttrString(node, "nearest_mode", "round_prefer_floor");
  bool align = false, half = false;
  fb::BuiltinOperator code;
  fb::BuiltinOptionsUnion u;
  if (mode == "linear" || mode == "bilinear") {
    code = fb::BuiltinOperator::RESIZE_BILINEAR;
    if (coord == "align_corners")
      align = true;
    else if (coord == "half_pixel" ||
             (coord == "pytorch_half_pixel" && sizes[2] > 1 && sizes[3] > 1))
      half = true;
    else if (coord != "asymmetric") {
      c.Error(node, "coordinate_transformation_mode '" + coord +
                        "' is not supported");
      return false;
    }
    auto o = fb::ResizeBilinearOptionsT();
    o.align_corners = align;
    o.half_pixel_centers = half;
    u.Set(o);
  } else if (mode == "nearest") {
    code = fb::BuiltinOperator::RESIZE_NEAREST_NEIGHBOR;
    // TFLite rounds: asymmetric -> floor; half_pixel -> floor(x + 0.5)
    // of the unshifted coordinate (= round_prefer_ceil); align_corners ->
    // round half up.
    const bool integer_upscale =
        sizes[2] % xv.shape[2] == 0 && sizes[3] % xv.shape[3] == 0;
    if (coord == "asymmetric" &&
        (nearest == "floor" || (integer_upscale && nearest != "ceil"))) {
    } else if (coord == "half_pixel" && nearest == "round_prefer_ceil") {
      half = true;
    } else if (coord == "align_corners" && nearest == "round_prefer_ceil") {
      align = true;
    } else {
      c.Error(node, "nearest resize with '" + coord + "' / '" + nearest +
                        "' is not supported");
      return false;
    }
    auto o = fb::ResizeNearestNeighborOptionsT();
    o.align_corners = align;
    o.half_pixel_centers = half;
    u.Set(o);
  } else {
    c.Error(node, "resize mode '" + mode + "' is not supported");
    return false;
  }
  const int input = c.TensorIn(x, kNhwc);
  const std::vector<int64_t> shape = {xv.shape[0], xv.shape[1], sizes[2],
                                      sizes[3]};
  const int result = c.NewTensor(out, kOnnxFloat, shape, kNhwc);
  c.AddOp(code,
          {input, c.AddInt32Const({static_cast<int32_t>(sizes[2]),
                                   static_cast<int32_t>(sizes[3])},
                                  out + "/size")},
          {result}, std::move(u));
  c.Define(out, kOnnxFloat, shape, kNhwc, result);
  return true;
}

}  // namespace

OpConverter FindNnOp(const std::string& op) {
  if (op == "MatMul") return MatMul;
  if (op == "Gemm") return Gemm;
  if (op == "BatchNormalization") return BatchNorm;
  if (op == "Softmax" || op == "LogSoftmax") return Softmax;
  if (op == "ReduceMean" || op == "ReduceSum" || op == "ReduceMax" ||
      op == "ReduceMin" || op == "ReduceProd")
    return Reduce;
  if (op == "LayerNormalization") return LayerNorm;
  if (op == "Resize" || op == "Upsample") return Resize;
  return nullptr;
}

}  // namespace ember::convert::onnx
