// LSTM (the fused UNIDIRECTIONAL_SEQUENCE_LSTM op), GRU (unrolled over the
// time steps: TFLite has no fused GRU) and MultiHeadAttention (projections,
// BATCH_MATMUL and SOFTMAX).
#include <cmath>

#include "convert/keras/keras_layers.h"

namespace ember::convert::keras {
namespace {

using Op = fb::BuiltinOperator;

LayerResult Fail(std::string* message, const std::string& why) {
  *message = why;
  return LayerResult::kError;
}

LayerResult Unsupported(std::string* message, const std::string& why) {
  *message = why;
  return LayerResult::kUnsupported;
}

// Gate g of a Keras [rows, gates*units] matrix as a TFLite [units, rows] one.
std::vector<float> GateRows(const std::vector<float>& m, int rows, int units,
                            int gates, int g) {
  std::vector<float> r(static_cast<size_t>(units) * rows);
  for (int j = 0; j < units; ++j)
    for (int k = 0; k < rows; ++k)
      r[j * rows + k] = m[k * gates * units + g * units + j];
  return r;
}

// Common checks of the recurrent layers; the layer's input is [1, T, in].
LayerResult CheckRecurrent(TfliteBuilder& b, const LayerCall& call,
                           std::string* message) {
  const json& c = *call.config;
  if (b.Shape(call.inputs[0]).size() != 3)
    return Fail(message, "expects a [batch, time, features] input");
  if (c.value("return_state", false))
    return Unsupported(message, "return_state=True");
  if (c.value("stateful", false) && call.class_name != "LSTM")
    return Unsupported(message, "stateful=True");
  if (c.value("activation", std::string("tanh")) != "tanh" ||
      c.value("recurrent_activation", std::string("sigmoid")) != "sigmoid")
    return Unsupported(message, "activations other than tanh/sigmoid");
  if (call.inputs.size() > 1)
    return Unsupported(message, "initial states or masks");
  return LayerResult::kOk;
}

int MaybeReverse(TfliteBuilder& b, const LayerCall& call, int x) {
  if (!call.config->value("go_backwards", false)) return x;
  int axis = b.ConstI32(call.name + "/time_axis", {1}, {1});
  int y = b.Tensor(call.name + "/reversed", b.Shape(x));
  b.Op(Op::REVERSE_V2, {x, axis}, {y}, Options(fb::ReverseV2OptionsT{}));
  return y;
}

// The last time step of a [1, T, u] sequence as [1, u].
int LastStep(TfliteBuilder& b, int seq, const std::string& name) {
  const Dims s = b.Shape(seq);
  int begin = b.ConstI32(name + "/last_begin", {3}, {0, s[1] - 1, 0});
  int size = b.ConstI32(name + "/last_size", {3}, {s[0], 1, s[2]});
  int sl = b.Tensor(name + "/last", {s[0], 1, s[2]});
  b.Op(Op::SLICE, {seq, begin, size}, {sl}, Options(fb::SliceOptionsT{}));
  return Reshape(b, sl, {s[0], s[2]}, name);
}

}  // namespace

// A non-stateful LSTM starts every call from zero state. The fused
// UNIDIRECTIONAL_SEQUENCE_LSTM keeps its state in variable tensors across
// invokes (LiteRT and Ember alike), which is Keras' stateful=True; the
// usual stateless layer is therefore unrolled over the time steps.
LayerResult UnrolledLstm(TfliteBuilder& b, const LayerCall& call, int x,
                         int* out) {
  const json& c = *call.config;
  const int u = c.value("units", 0);
  const Dims xs = b.Shape(x);
  const int steps = xs[1];
  const std::string& n = call.name;
  std::vector<float> bias(4 * u, 0.0f);
  if (c.value("use_bias", true)) bias = call.weights[2].data;
  int xw = Dense(b, x, call.weights[0], &bias, n + "/input_projection");
  std::vector<int32_t> step_in;
  for (int t = 0; t < steps; ++t)
    step_in.push_back(b.Tensor(n + "/x" + std::to_string(t), {xs[0], 4 * u}));
  fb::UnpackOptionsT unpack;
  unpack.num = steps;
  unpack.axis = 1;
  b.Op(Op::UNPACK, {xw}, step_in, Options(unpack));
  int split_axis = b.ConstI32(n + "/split_axis", {}, {1});
  const std::vector<float> zeros(xs[0] * u, 0.0f);
  int h = b.ConstF(n + "/h0", {xs[0], u}, zeros);
  int cell = b.ConstF(n + "/c0", {xs[0], u}, zeros);
  int rec_w = b.ConstF(n + "/recurrent_kernel", {4 * u, u},
                       Transpose2D(call.weights[1].data, u, 4 * u));
  int rec_b =
      b.ConstF(n + "/recurrent_bias", {4 * u}, std::vector<float>(4 * u, 0.0f));
  std::vector<int32_t> hs;
  for (int t = 0; t < steps; ++t) {
    const std::string p = n + "/t" + std::to_string(t);
    int hw = FullyConnected(b, h, rec_w, rec_b, p + "/recurrent");
    int gates = Binary(b, Op::ADD, step_in[t], hw, p + "/gates");
    std::vector<int32_t> g;
    for (const char* s : {"i", "f", "g", "o"})
      g.push_back(b.Tensor(p + "/" + s + "_in", {xs[0], u}));
    fb::SplitOptionsT so;
    so.num_splits = 4;
    b.Op(Op::SPLIT, {split_axis, gates}, g, Options(so));
    int ig = b.Unary(Op::LOGISTIC, g[0], p + "/i", {xs[0], u});
    int fg = b.Unary(Op::LOGISTIC, g[1], p + "/f", {xs[0], u});
    int cand = b.Unary(Op::TANH, g[2], p + "/g", {xs[0], u});
    int og = b.Unary(Op::LOGISTIC, g[3], p + "/o", {xs[0], u});
    cell = Binary(b, Op::ADD, Binary(b, Op::MUL, fg, cell, p + "/f_c"),
                  Binary(b, Op::MUL, ig, cand, p + "/i_g"), p + "/c");
    h = Binary(b, Op::MUL, og,
               b.Unary(Op::TANH, cell, p + "/tanh_c", {xs[0], u}), p + "/h");
    hs.push_back(h);
  }
  if (c.value("return_sequences", false)) {
    int y = b.Tensor(n, {xs[0], steps, u});
    fb::PackOptionsT o;
    o.values_count = steps;
    o.axis = 1;
    b.Op(Op::PACK, hs, {y}, Options(o));
    *out = y;
  } else {
    b.subgraph().tensors[h]->name = n;
    *out = h;
  }
  return LayerResult::kOk;
}

LayerResult ConvertLstm(TfliteBuilder& b, const LayerCall& call, int* out,
                        std::string* message) {
  LayerResult r = CheckRecurrent(b, call, message);
  if (r != LayerResult::kOk) return r;
  const json& c = *call.config;
  const int units = c.value("units", 0);
  int x = MaybeReverse(b, call, call.inputs[0]);
  const Dims xs = b.Shape(x);
  const int in = xs[2];
  const bool use_bias = c.value("use_bias", true);
  if (call.weights.size() < (use_bias ? 3u : 2u) ||
      call.weights[0].size() != ExpectedCount({in, 4, units}) ||
      call.weights[1].size() != ExpectedCount({units, 4, units}) ||
      (use_bias && call.weights[2].size() != ExpectedCount({4, units})))
    return Fail(message, "weights missing or of the wrong size");
  if (!c.value("stateful", false)) return UnrolledLstm(b, call, x, out);
  std::vector<int32_t> inputs(24, -1);
  inputs[0] = x;
  static const char* kGate[] = {"input", "forget", "cell", "output"};
  for (int g = 0; g < 4; ++g) {
    inputs[1 + g] =
        b.ConstF(call.name + "/" + kGate[g] + "_kernel", {units, in},
                 GateRows(call.weights[0].data, in, units, 4, g));
    inputs[5 + g] =
        b.ConstF(call.name + "/" + kGate[g] + "_recurrent", {units, units},
                 GateRows(call.weights[1].data, units, units, 4, g));
    std::vector<float> bias(units, 0.0f);
    if (use_bias)
      bias.assign(call.weights[2].data.begin() + g * units,
                  call.weights[2].data.begin() + (g + 1) * units);
    inputs[12 + g] =
        b.ConstF(call.name + "/" + kGate[g] + "_bias", {units}, bias);
  }
  for (int k : {18, 19}) {
    inputs[k] =
        b.Tensor(call.name + (k == 18 ? "/output_state" : "/cell_state"),
                 {xs[0], units});
    b.subgraph().tensors[inputs[k]]->is_variable = true;
  }
  fb::UnidirectionalSequenceLSTMOptionsT o;
  o.fused_activation_function = fb::ActivationFunctionType::TANH;
  o.time_major = false;
  const bool seq = c.value("return_sequences", false);
  int y = b.Tensor(seq ? call.name : call.name + "/sequence",
                   {xs[0], xs[1], units});
  b.Op(Op::UNIDIRECTIONAL_SEQUENCE_LSTM, inputs, {y}, Options(o));
  *out = seq ? y : LastStep(b, y, call.name);
  return LayerResult::kOk;
}

LayerResult ConvertGru(TfliteBuilder& b, const LayerCall& call, int* out,
                       std::string* message) {
  LayerResult r = CheckRecurrent(b, call, message);
  if (r != LayerResult::kOk) return r;
  const json& c = *call.config;
  if (!c.value("reset_after", true))
    return Unsupported(message, "reset_after=False");
  const int u = c.value("units", 0);
  int x = MaybeReverse(b, call, call.inputs[0]);
  const Dims xs = b.Shape(x);
  const int in = xs[2], steps = xs[1];
  const bool use_bias = c.value("use_bias", true);
  if (call.weights.size() < (use_bias ? 3u : 2u) ||
      call.weights[0].size() != ExpectedCount({in, 3, u}) ||
      call.weights[1].size() != ExpectedCount({u, 3, u}) ||
      (use_bias && call.weights[2].size() != ExpectedCount({6, u})))
    return Fail(message, "weights missing or of the wrong size");
  std::vector<float> in_bias(3 * u, 0.0f), rec_bias(3 * u, 0.0f);
  if (use_bias) {
    in_bias.assign(call.weights[2].data.begin(),
                   call.weights[2].data.begin() + 3 * u);
    rec_bias.assign(call.weights[2].data.begin() + 3 * u,
                    call.weights[2].data.end());
  }
  const std::string& n = call.name;
  // Input projections of every step at once: [1, T, 3u], then one per step.
  int xw = Dense(b, x, call.weights[0], &in_bias, n + "/input_projection");
  std::vector<int32_t> step_in;
  for (int t = 0; t < steps; ++t)
    step_in.push_back(b.Tensor(n + "/x" + std::to_string(t), {xs[0], 3 * u}));
  fb::UnpackOptionsT unpack;
  unpack.num = steps;
  unpack.axis = 1;
  b.Op(Op::UNPACK, {xw}, step_in, Options(unpack));
  int split_axis = b.ConstI32(n + "/split_axis", {}, {1});
  int h = b.ConstF(n + "/h0", {xs[0], u}, std::vector<float>(xs[0] * u, 0.0f));
  int rec_w = b.ConstF(n + "/recurrent_kernel", {3 * u, u},
                       Transpose2D(call.weights[1].data, u, 3 * u));
  int rec_b = b.ConstF(n + "/recurrent_bias", {3 * u}, rec_bias);
  std::vector<int32_t> hs;
  auto split3 = [&](int t, const std::string& p) {
    std::vector<int32_t> parts;
    for (const char* s : {"z", "r", "h"})
      parts.push_back(b.Tensor(p + "_" + s, {xs[0], u}));
    fb::SplitOptionsT o;
    o.num_splits = 3;
    b.Op(Op::SPLIT, {split_axis, t}, parts, Options(o));
    return parts;
  };
  for (int t = 0; t < steps; ++t) {
    const std::string p = n + "/t" + std::to_string(t);
    int hw = FullyConnected(b, h, rec_w, rec_b, p + "/recurrent");
    auto xp = split3(step_in[t], p + "/x");
    auto hp = split3(hw, p + "/hw");
    int z = b.Unary(Op::LOGISTIC, Binary(b, Op::ADD, xp[0], hp[0], p + "/z_in"),
                    p + "/z", {xs[0], u});
    int rr =
        b.Unary(Op::LOGISTIC, Binary(b, Op::ADD, xp[1], hp[1], p + "/r_in"),
                p + "/r", {xs[0], u});
    int cand_in =
        Binary(b, Op::ADD, xp[2], Binary(b, Op::MUL, rr, hp[2], p + "/r_hh"),
               p + "/n_in");
    int cand = b.Unary(Op::TANH, cand_in, p + "/n", {xs[0], u});
    // h = z * h_prev + (1 - z) * n  ==  n + z * (h_prev - n)
    int diff = Binary(b, Op::SUB, h, cand, p + "/h_minus_n");
    h = Binary(b, Op::ADD, cand, Binary(b, Op::MUL, z, diff, p + "/z_diff"),
               p + "/h");
    hs.push_back(h);
  }
  if (c.value("return_sequences", false)) {
    int y = b.Tensor(n, {xs[0], steps, u});
    fb::PackOptionsT o;
    o.values_count = steps;
    o.axis = 1;
    b.Op(Op::PACK, hs, {y}, Options(o));
    *out = y;
  } else {
    b.subgraph().tensors[h]->name = n;
    *out = h;
  }
  return LayerResult::kOk;
}

LayerResult ConvertMultiHeadAttention(TfliteBuilder& b, const LayerCall& call,
                                      int* out, std::string* message) {
  const json& c = *call.config;
  int query = -1, value = -1, key = -1;
  if (call.inputs.size() > 0) query = call.inputs[0];
  if (call.inputs.size() > 1) value = call.inputs[1];
  if (call.inputs.size() > 2) key = call.inputs[2];
  for (const auto& [k, t] : call.kwarg_inputs) {
    if (k == "query")
      query = t;
    else if (k == "value")
      value = t;
    else if (k == "key")
      key = t;
    else
      return Unsupported(message, "argument '" + k + "' (attention masks)");
  }
  if (call.kwargs && call.kwargs->value("use_causal_mask", false))
    return Unsupported(message, "use_causal_mask=True");
  if (query < 0 || value < 0) return Fail(message, "needs query and value");
  if (key < 0) key = value;
  const json axes = c.value("attention_axes", json());
  if (!axes.is_null() && axes != json::array({1}) && axes != json::array({-2}))
    return Unsupported(message, "attention_axes other than the sequence axis");
  if (!c.value("output_shape", json()).is_null())
    return Unsupported(message, "output_shape");
  const int heads = c.value("num_heads", 0), kd = c.value("key_dim", 0);
  const int vd =
      c.value("value_dim", json()).is_null() ? kd : c.value("value_dim", 0);
  const Dims qs = b.Shape(query), vs = b.Shape(value), ks = b.Shape(key);
  if (qs.size() != 3 || vs.size() != 3 || ks.size() != 3)
    return Fail(message, "expects rank-3 inputs");
  const bool bias = c.value("use_bias", true);
  const size_t per = bias ? 2 : 1;
  if (call.weights.size() != 4 * per) return Fail(message, "weights missing");
  auto w = [&](int proj, int which) {
    return &call.weights[proj * per + which];
  };
  const int dq = qs[2], dk = ks[2], dv = vs[2];
  if (w(0, 0)->size() != ExpectedCount({dq, heads, kd}) ||
      w(1, 0)->size() != ExpectedCount({dk, heads, kd}) ||
      w(2, 0)->size() != ExpectedCount({dv, heads, vd}) ||
      w(3, 0)->size() != ExpectedCount({heads, vd, dq}))
    return Fail(message, "weights of the wrong size");
  const std::string& n = call.name;
  // Keras scales the query by 1/sqrt(key_dim); folding it into the query
  // projection saves a MUL.
  const float scale = 1.0f / std::sqrt(static_cast<float>(kd));
  WeightArray wq = *w(0, 0);
  for (float& v : wq.data) v *= scale;
  std::vector<float> bq(heads * kd, 0.0f);
  if (bias) {
    bq = w(0, 1)->data;
    for (float& v : bq) v *= scale;
  }
  auto heads_first = [&](int t, int len, int depth, const std::string& p) {
    int r = Reshape(b, t, {1, len, heads, depth}, p + "/split_heads");
    int perm = b.ConstI32(p + "/perm", {4}, {0, 2, 1, 3});
    int y = b.Tensor(p + "/heads", {1, heads, len, depth});
    b.Op(Op::TRANSPOSE, {r, perm}, {y}, Options(fb::TransposeOptionsT{}));
    return y;
  };
  auto bias_of = [&](int proj) { return bias ? &w(proj, 1)->data : nullptr; };
  int q = heads_first(Dense(b, query, wq, &bq, n + "/query"), qs[1], kd,
                      n + "/query");
  int k = heads_first(Dense(b, key, *w(1, 0), bias_of(1), n + "/key"), ks[1],
                      kd, n + "/key");
  int v = heads_first(Dense(b, value, *w(2, 0), bias_of(2), n + "/value"),
                      vs[1], vd, n + "/value");
  fb::BatchMatMulOptionsT qk;
  qk.adj_y = true;
  int scores = b.Tensor(n + "/scores", {1, heads, qs[1], ks[1]});
  b.Op(Op::BATCH_MATMUL, {q, k}, {scores}, Options(qk));
  fb::SoftmaxOptionsT sm;
  sm.beta = 1.0f;
  int probs = b.Unary(Op::SOFTMAX, scores, n + "/probs",
                      {1, heads, qs[1], ks[1]}, Options(sm));
  int ctx = b.Tensor(n + "/context", {1, heads, qs[1], vd});
  b.Op(Op::BATCH_MATMUL, {probs, v}, {ctx}, Options(fb::BatchMatMulOptionsT{}));
  int perm = b.ConstI32(n + "/merge_perm", {4}, {0, 2, 1, 3});
  int merged = b.Tensor(n + "/merge_heads", {1, qs[1], heads, vd});
  b.Op(Op::TRANSPOSE, {ctx, perm}, {merged}, Options(fb::TransposeOptionsT{}));
  int flat = Reshape(b, merged, {1, qs[1], heads * vd}, n + "/concat_heads");
  *out = Dense(b, flat, *w(3, 0), bias_of(3), n);
  return LayerResult::kOk;
}

LayerResult ConvertBidirectional(TfliteBuilder& b, const LayerCall& call,
                                 int* out, std::string* message) {
  const json& c = *call.config;
  const json fwd = c.value("layer", json());
  if (!fwd.is_object() || !fwd.contains("config"))
    return Fail(message, "no wrapped layer");
  const std::string cls = fwd.value("class_name", std::string());
  if (cls != "LSTM" && cls != "GRU")
    return Unsupported(message, "wrapping " + cls);
  json fwd_cfg = fwd["config"];
  json bwd_cfg = c.contains("backward_layer") && c["backward_layer"].is_object()
                     ? c["backward_layer"].value("config", json::object())
                     : fwd_cfg;
  if (!c.contains("backward_layer") || c["backward_layer"].is_null())
    bwd_cfg["go_backwards"] = !fwd_cfg.value("go_backwards", false);
  const size_t per = call.weights.size() / 2;
  if (per == 0 || call.weights.size() % 2)
    return Fail(message, "weights missing");
  int halves[2];
  for (int d = 0; d < 2; ++d) {
    LayerCall sub = call;
    sub.class_name = cls;
    sub.name = call.name + (d == 0 ? "/forward" : "/backward");
    sub.config = d == 0 ? &fwd_cfg : &bwd_cfg;
    sub.weights.assign(call.weights.begin() + d * per,
                       call.weights.begin() + (d + 1) * per);
    LayerResult r = cls == "LSTM" ? ConvertLstm(b, sub, &halves[d], message)
                                  : ConvertGru(b, sub, &halves[d], message);
    if (r != LayerResult::kOk) return r;
  }
  // Keras puts the backward sequence back in forward time order.
  if (fwd_cfg.value("return_sequences", false)) {
    int axis = b.ConstI32(call.name + "/time_axis", {1}, {1});
    int rev = b.Tensor(call.name + "/backward_in_order", b.Shape(halves[1]));
    b.Op(Op::REVERSE_V2, {halves[1], axis}, {rev},
         Options(fb::ReverseV2OptionsT{}));
    halves[1] = rev;
  }
  const std::string mode = c.value("merge_mode", std::string("concat"));
  if (mode == "concat") {
    Dims ys = b.Shape(halves[0]);
    ys.back() += b.Shape(halves[1]).back();
    fb::ConcatenationOptionsT o;
    o.axis = static_cast<int32_t>(ys.size()) - 1;
    *out = b.Tensor(call.name, ys);
    b.Op(Op::CONCATENATION, {halves[0], halves[1]}, {*out}, Options(o));
  } else if (mode == "sum") {
    *out = Binary(b, Op::ADD, halves[0], halves[1], call.name);
  } else if (mode == "mul") {
    *out = Binary(b, Op::MUL, halves[0], halves[1], call.name);
  } else if (mode == "ave") {
    int sum = Binary(b, Op::ADD, halves[0], halves[1], call.name + "/sum");
    int half = b.ConstF(call.name + "/half", {}, {0.5f});
    *out = Binary(b, Op::MUL, sum, half, call.name);
  } else {
    return Unsupported(message, "merge_mode '" + mode + "'");
  }
  return LayerResult::kOk;
}

}  // namespace ember::convert::keras
