#include "convert/keras/keras_layers.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <numeric>

namespace ember::convert::keras {
namespace {

using Op = fb::BuiltinOperator;

int GetInt(const json& c, const char* key, int def) {
  auto it = c.find(key);
  if (it == c.end() || it->is_null()) return def;
  if (it->is_number()) return it->get<int>();
  if (it->is_array() && !it->empty() && (*it)[0].is_number())
    return (*it)[0].get<int>();
  return def;
}

double GetNum(const json& c, const char* key, double def) {
  auto it = c.find(key);
  return (it != c.end() && it->is_number()) ? it->get<double>() : def;
}

std::string GetStr(const json& c, const char* key, const std::string& def) {
  auto it = c.find(key);
  return (it != c.end() && it->is_string()) ? it->get<std::string>() : def;
}

bool GetBool(const json& c, const char* key, bool def) {
  auto it = c.find(key);
  return (it != c.end() && it->is_boolean()) ? it->get<bool>() : def;
}

// An int or a list of ints, expanded to `n` values.
std::vector<int> GetInts(const json& c, const char* key, size_t n, int def) {
  std::vector<int> v(n, def);
  auto it = c.find(key);
  if (it == c.end() || it->is_null()) return v;
  if (it->is_number()) return std::vector<int>(n, it->get<int>());
  if (it->is_array()) {
    for (size_t i = 0; i < n && i < it->size(); ++i)
      if ((*it)[i].is_number()) v[i] = (*it)[i].get<int>();
    if (it->size() == 1) std::fill(v.begin(), v.end(), v[0]);
  }
  return v;
}

// in >= 0; k, stride and dilation passed CheckWindow.
int OutSize(int in, int k, int stride, int dilation, bool same) {
  if (same) return static_cast<int>((int64_t{in} + stride - 1) / stride);
  const int eff = (k - 1) * dilation + 1;
  return in < eff ? 0 : (in - eff) / stride + 1;
}

int64_t Count(const Dims& d) {
  int64_t n = 1;
  for (int32_t v : d) n *= v;
  return n;
}

int Rank(TfliteBuilder& b, int t) {
  return static_cast<int>(b.Shape(t).size());
}

int NormAxis(int axis, int rank) { return axis < 0 ? axis + rank : axis; }

// Keras kernel [kh, kw, in, out] -> TFLite OHWI [out, kh, kw, in].
std::vector<float> KernelToOhwi(const std::vector<float>& k, int kh, int kw,
                                int in, int out) {
  std::vector<float> r(k.size());
  for (int y = 0; y < kh; ++y)
    for (int x = 0; x < kw; ++x)
      for (int i = 0; i < in; ++i)
        for (int o = 0; o < out; ++o)
          r[((o * kh + y) * kw + x) * in + i] =
              k[((y * kw + x) * in + i) * out + o];
  return r;
}

LayerResult Fail(std::string* message, const std::string& why) {
  *message = why;
  return LayerResult::kError;
}

LayerResult Unsupported(std::string* message, const std::string& why) {
  *message = why;
  return LayerResult::kUnsupported;
}

// Kernel sizes, strides and dilations must be in [1, 32768]: a stride of 0
// divided by zero (ember_keras_config_fuzz), and the bound keeps window
// arithmetic such as (k - 1) * dilation and k[0] * k[1] within int32.
bool CheckWindow(const char* what, const std::vector<int>& values,
                 std::string* message) {
  for (int v : values) {
    if (v < 1 || v > 32768) {
      Fail(message, std::string(what) + " must be in [1, 32768], got " +
                        std::to_string(v));
      return false;
    }
  }
  return true;
}

// Conv1D/Conv2D/DepthwiseConv2D/SeparableConv2D. 1-D layers run as 2-D
// convolutions over a [1, 1, L, C] view.
LayerResult ConvertConv(TfliteBuilder& b, const LayerCall& call, int rank,
                        bool depthwise, bool separable, int* out,
                        std::string* message) {
  const json& c = *call.config;
  int x = call.inputs[0];
  const Dims in_shape = b.Shape(x);
  if (static_cast<int>(in_shape.size()) != rank + 2)
    return Fail(message,
                "expects a rank-" + std::to_string(rank + 2) + " input");
  if (GetStr(c, "data_format", "channels_last") != "channels_last")
    return Unsupported(message, "data_format channels_first");
  std::vector<int> k = GetInts(c, "kernel_size", rank, 1);
  std::vector<int> s = GetInts(c, "strides", rank, 1);
  std::vector<int> d = GetInts(c, "dilation_rate", rank, 1);
  if (!CheckWindow("kernel_size", k, message) ||
      !CheckWindow("strides", s, message) ||
      !CheckWindow("dilation_rate", d, message))
    return LayerResult::kError;
  std::string padding = GetStr(c, "padding", "valid");
  const int groups = GetInt(c, "groups", 1);
  if (groups < 1 || ((depthwise || separable) && groups != 1))
    return Unsupported(message, "groups other than 1");
  if (rank == 1) {
    k.insert(k.begin(), 1);
    s.insert(s.begin(), 1);
    d.insert(d.begin(), 1);
    x = Reshape(b, x, {in_shape[0], 1, in_shape[1], in_shape[2]},
                call.name + "/as_2d");
  }
  if (padding == "causal") {
    if (rank != 1) return Fail(message, "causal padding is 1-D only");
    const int pad = d[1] * (k[1] - 1);
    int paddings = b.ConstI32(call.name + "/causal_pad", {4, 2},
                              {0, 0, 0, 0, pad, 0, 0, 0});
    Dims ps = b.Shape(x);
    ps[2] += pad;
    int padded = b.Tensor(call.name + "/padded", ps);
    b.Op(Op::PAD, {x, paddings}, {padded});
    x = padded;
    padding = "valid";
  }
  if (padding != "same" && padding != "valid")
    return Unsupported(message, "padding '" + padding + "'");
  const bool same = padding == "same";
  const Dims xs = b.Shape(x);
  const int in_c = xs[3];
  const int oh = OutSize(xs[1], k[0], s[0], d[0], same);
  const int ow = OutSize(xs[2], k[1], s[1], d[1], same);
  const auto pad = same ? fb::Padding::SAME : fb::Padding::VALID;
  size_t wi = 0;
  auto next_weight = [&](int64_t expect) -> const WeightArray* {
    if (wi >= call.weights.size() || call.weights[wi].size() != expect)
      return nullptr;
    return &call.weights[wi++];
  };
  const bool use_bias = GetBool(c, "use_bias", true);
  int y;
  if (depthwise || separable) {
    const int mult = GetInt(c, "depth_multiplier", 1);
    const WeightArray* dk =
        next_weight(ExpectedCount({k[0], k[1], in_c, mult}));
    if (!dk)
      return Fail(message, "depthwise kernel missing or of the wrong size");
    int filter = b.ConstF(call.name + "/depthwise_kernel",
                          {1, k[0], k[1], in_c * mult}, dk->data);
    std::vector<float> bias(in_c * mult, 0.0f);
    if (depthwise && use_bias) {
      const WeightArray* bw = next_weight(in_c * mult);
      if (!bw) return Fail(message, "bias missing or of the wrong size");
      bias = bw->data;
    }
    int bias_t = b.ConstF(call.name + "/depthwise_bias", {in_c * mult}, bias);
    fb::DepthwiseConv2DOptionsT o;
    o.padding = pad;
    o.stride_h = s[0];
    o.stride_w = s[1];
    o.depth_multiplier = mult;
    o.dilation_h_factor = d[0];
    o.dilation_w_factor = d[1];
    y = b.Tensor(separable ? call.name + "/depthwise" : call.name,
                 {xs[0], oh, ow, in_c * mult});
    b.Op(Op::DEPTHWISE_CONV_2D, {x, filter, bias_t}, {y}, Options(o));
    if (separable) {
      const int filters = GetInt(c, "filters", 0);
      const WeightArray* pk = next_weight(ExpectedCount({in_c, mult, filters}));
      if (!pk)
        return Fail(message, "pointwise kernel missing or of the wrong size");
      std::vector<float> pb(filters, 0.0f);
      if (use_bias) {
        const WeightArray* bw = next_weight(filters);
        if (!bw) return Fail(message, "bias missing or of the wrong size");
        pb = bw->data;
      }
      int pw = b.ConstF(call.name + "/pointwise_kernel",
                        {filters, 1, 1, in_c * mult},
                        Transpose2D(pk->data, in_c * mult, filters));
      int pbt = b.ConstF(call.name + "/bias", {filters}, pb);
      fb::Conv2DOptionsT po;
      po.padding = fb::Padding::VALID;
      po.stride_h = po.stride_w = 1;
      int z = b.Tensor(call.name, {xs[0], oh, ow, filters});
      b.Op(Op::CONV_2D, {y, pw, pbt}, {z}, Options(po));
      y = z;
    }
  } else {
    const int filters = GetInt(c, "filters", 0);
    // Grouped convolution: the filter sees in_c / groups channels (CONV_2D
    // infers the groups from the two channel counts).
    if (in_c % groups != 0 || filters % groups != 0)
      return Fail(message, "channels do not divide into the groups");
    const int filter_in = in_c / groups;
    const WeightArray* kw =
        next_weight(ExpectedCount({k[0], k[1], filter_in, filters}));
    if (!kw) return Fail(message, "kernel missing or of the wrong size");
    std::vector<float> bias(filters, 0.0f);
    if (use_bias) {
      const WeightArray* bw = next_weight(filters);
      if (!bw) return Fail(message, "bias missing or of the wrong size");
      bias = bw->data;
    }
    int filter =
        b.ConstF(call.name + "/kernel", {filters, k[0], k[1], filter_in},
                 KernelToOhwi(kw->data, k[0], k[1], filter_in, filters));
    int bias_t = b.ConstF(call.name + "/bias", {filters}, bias);
    fb::Conv2DOptionsT o;
    o.padding = pad;
    o.stride_h = s[0];
    o.stride_w = s[1];
    o.dilation_h_factor = d[0];
    o.dilation_w_factor = d[1];
    y = b.Tensor(rank == 1 ? call.name + "/conv2d" : call.name,
                 {xs[0], oh, ow, filters});
    b.Op(Op::CONV_2D, {x, filter, bias_t}, {y}, Options(o));
  }
  if (rank == 1) {
    const Dims ys = b.Shape(y);
    y = Reshape(b, y, {ys[0], ys[2], ys[3]}, call.name);
  }
  return ApplyActivation(b, ActivationName(c), y, call.name + "/act", out,
                         message);
}

LayerResult ConvertConvTranspose(TfliteBuilder& b, const LayerCall& call,
                                 int* out, std::string* message) {
  const json& c = *call.config;
  int x = call.inputs[0];
  const Dims xs = b.Shape(x);
  if (xs.size() != 4) return Fail(message, "expects a rank-4 input");
  std::vector<int> k = GetInts(c, "kernel_size", 2, 1);
  std::vector<int> s = GetInts(c, "strides", 2, 1);
  std::vector<int> d = GetInts(c, "dilation_rate", 2, 1);
  if (!CheckWindow("kernel_size", k, message) ||
      !CheckWindow("strides", s, message))
    return LayerResult::kError;
  if (d[0] != 1 || d[1] != 1) return Unsupported(message, "dilation_rate > 1");
  if (!c.value("output_padding", json()).is_null())
    return Unsupported(message, "output_padding");
  const std::string padding = GetStr(c, "padding", "valid");
  const bool same = padding == "same";
  const int filters = GetInt(c, "filters", 0);
  const int in_c = xs[3];
  if (call.weights.empty() ||
      call.weights[0].size() != ExpectedCount({k[0], k[1], in_c, filters}))
    return Fail(message, "kernel missing or of the wrong size");
  // Keras kernel [kh, kw, out, in] -> TFLite [out, kh, kw, in].
  const auto& kd = call.weights[0].data;
  std::vector<float> w(kd.size());
  for (int y = 0; y < k[0]; ++y)
    for (int xx = 0; xx < k[1]; ++xx)
      for (int o = 0; o < filters; ++o)
        for (int i = 0; i < in_c; ++i)
          w[((o * k[0] + y) * k[1] + xx) * in_c + i] =
              kd[((y * k[1] + xx) * filters + o) * in_c + i];
  const int64_t oh64 =
      same ? int64_t{xs[1]} * s[0] : (int64_t{xs[1]} - 1) * s[0] + k[0];
  const int64_t ow64 =
      same ? int64_t{xs[2]} * s[1] : (int64_t{xs[2]} - 1) * s[1] + k[1];
  if (oh64 > INT32_MAX || ow64 > INT32_MAX)
    return Fail(message,
                "output size past int32 (input " + std::to_string(xs[1]) + "x" +
                    std::to_string(xs[2]) + ", strides " +
                    std::to_string(s[0]) + "x" + std::to_string(s[1]) + ")");
  const int oh = static_cast<int>(oh64);
  const int ow = static_cast<int>(ow64);
  std::vector<float> bias(filters, 0.0f);
  if (GetBool(c, "use_bias", true)) {
    if (call.weights.size() < 2 || call.weights[1].size() != filters)
      return Fail(message, "bias missing or of the wrong size");
    bias = call.weights[1].data;
  }
  int shape_t =
      b.ConstI32(call.name + "/output_shape", {4}, {xs[0], oh, ow, filters});
  int wt = b.ConstF(call.name + "/kernel", {filters, k[0], k[1], in_c}, w);
  int bt = b.ConstF(call.name + "/bias", {filters}, bias);
  fb::TransposeConvOptionsT o;
  o.padding = same ? fb::Padding::SAME : fb::Padding::VALID;
  o.stride_h = s[0];
  o.stride_w = s[1];
  int y = b.Tensor(call.name, {xs[0], oh, ow, filters});
  b.Op(Op::TRANSPOSE_CONV, {shape_t, wt, x, bt}, {y}, Options(o));
  return ApplyActivation(b, ActivationName(c), y, call.name + "/act", out,
                         message);
}

LayerResult ConvertDense(TfliteBuilder& b, const LayerCall& call, int* out,
                         std::string* message) {
  const json& c = *call.config;
  const int units = GetInt(c, "units", 0);
  const int x = call.inputs[0];
  const int in = b.Shape(x).back();
  if (call.weights.empty() || call.weights[0].size() != int64_t{in} * units)
    return Fail(message, "kernel missing or of the wrong size");
  const std::vector<float>* bias = nullptr;
  if (GetBool(c, "use_bias", true)) {
    if (call.weights.size() < 2 || call.weights[1].size() != units)
      return Fail(message, "bias missing or of the wrong size");
    bias = &call.weights[1].data;
  }
  int y = Dense(b, x, call.weights[0], bias, call.name);
  return ApplyActivation(b, ActivationName(c), y, call.name + "/act", out,
                         message);
}

// Per-channel y = x * scale + shift along `axis` (BatchNormalization,
// Normalization, Rescaling); the constants broadcast from that axis on.
int ScaleShift(TfliteBuilder& b, int x, int axis,
               const std::vector<float>& scale, const std::vector<float>& shift,
               const std::string& name) {
  const Dims xs = b.Shape(x);
  Dims cs(xs.size() - axis, 1);
  cs[0] = static_cast<int32_t>(scale.size());
  if (axis == static_cast<int>(xs.size()) - 1) cs = {cs[0]};
  int st = b.ConstF(name + "/scale", cs, scale);
  int mul = b.Tensor(name + "/mul", xs);
  b.Op(Op::MUL, {x, st}, {mul}, Options(fb::MulOptionsT{}));
  int sh = b.ConstF(name + "/shift", cs, shift);
  int y = b.Tensor(name, xs);
  b.Op(Op::ADD, {mul, sh}, {y}, Options(fb::AddOptionsT{}));
  return y;
}

LayerResult ConvertBatchNorm(TfliteBuilder& b, const LayerCall& call, int* out,
                             std::string* message) {
  const json& c = *call.config;
  const int x = call.inputs[0];
  const int rank = Rank(b, x);
  int axis = GetInt(c, "axis", -1);
  axis = NormAxis(axis, rank);
  if (axis <= 0 || axis >= rank) return Fail(message, "bad axis");
  const int ch = b.Shape(x)[axis];
  const bool scale = GetBool(c, "scale", true),
             center = GetBool(c, "center", true);
  const size_t expect = 2 + (scale ? 1 : 0) + (center ? 1 : 0);
  if (call.weights.size() < expect) return Fail(message, "missing weights");
  for (size_t i = 0; i < expect; ++i)
    if (call.weights[i].size() != ch)
      return Fail(message, "weight of the wrong size");
  size_t i = 0;
  const std::vector<float>* gamma = scale ? &call.weights[i++].data : nullptr;
  const std::vector<float>* beta = center ? &call.weights[i++].data : nullptr;
  const auto& mean = call.weights[i++].data;
  const auto& var = call.weights[i++].data;
  const double eps = GetNum(c, "epsilon", 1e-3);
  std::vector<float> sc(ch), sh(ch);
  for (int k = 0; k < ch; ++k) {
    const double s =
        (gamma ? (*gamma)[k] : 1.0) / std::sqrt(double{var[k]} + eps);
    sc[k] = static_cast<float>(s);
    sh[k] = static_cast<float>((beta ? (*beta)[k] : 0.0) - mean[k] * s);
  }
  *out = ScaleShift(b, x, axis, sc, sh, call.name);
  return LayerResult::kOk;
}

LayerResult ConvertLayerNorm(TfliteBuilder& b, const LayerCall& call, int* out,
                             std::string* message) {
  const json& c = *call.config;
  const int x = call.inputs[0];
  const Dims xs = b.Shape(x);
  const int rank = static_cast<int>(xs.size());
  std::vector<int> axes;
  auto it = c.find("axis");
  if (it != c.end() && it->is_array()) {
    for (auto& a : *it) axes.push_back(NormAxis(a.get<int>(), rank));
  } else {
    axes.push_back(NormAxis(GetInt(c, "axis", -1), rank));
  }
  std::sort(axes.begin(), axes.end());
  for (size_t k = 0; k < axes.size(); ++k)
    if (axes[k] != rank - static_cast<int>(axes.size()) + static_cast<int>(k))
      return Unsupported(message, "normalizing over non-trailing axes");
  if (GetBool(c, "rms_scaling", false))
    return Unsupported(message, "rms_scaling");
  Dims reduced = xs;
  int64_t norm_count = 1;
  for (int a : axes) {
    norm_count *= xs[a];
    reduced[a] = 1;
  }
  int axes_t =
      b.ConstI32(call.name + "/axes", {static_cast<int32_t>(axes.size())},
                 std::vector<int32_t>(axes.begin(), axes.end()));
  fb::ReducerOptionsT keep;
  keep.keep_dims = true;
  int mean = b.Tensor(call.name + "/mean", reduced);
  b.Op(Op::MEAN, {x, axes_t}, {mean}, Options(keep));
  int centered = Binary(b, Op::SUB, x, mean, call.name + "/centered");
  int sq = Binary(b, Op::MUL, centered, centered, call.name + "/squared");
  int var = b.Tensor(call.name + "/variance", reduced);
  b.Op(Op::MEAN, {sq, axes_t}, {var}, Options(keep));
  int eps = b.ConstF(call.name + "/epsilon", {},
                     {static_cast<float>(GetNum(c, "epsilon", 1e-3))});
  int var_eps = Binary(b, Op::ADD, var, eps, call.name + "/variance_eps");
  int inv = b.Unary(Op::RSQRT, var_eps, call.name + "/rsqrt", reduced);
  int y = Binary(b, Op::MUL, centered, inv, call.name + "/normalized");
  Dims ps(xs.begin() + axes[0], xs.end());
  size_t wi = 0;
  for (const char* key : {"scale", "center"}) {
    if (!GetBool(c, key, true)) continue;
    if (wi >= call.weights.size() || call.weights[wi].size() != norm_count)
      return Fail(message, "gamma/beta missing or of the wrong size");
    int w = b.ConstF(call.name + (key[0] == 's' ? "/gamma" : "/beta"), ps,
                     call.weights[wi++].data);
    y = Binary(b, key[0] == 's' ? Op::MUL : Op::ADD, y, w,
               call.name + (key[0] == 's' ? "/scaled" : ""));
  }
  b.subgraph().tensors[y]->name = call.name;
  *out = y;
  return LayerResult::kOk;
}

LayerResult ConvertPool(TfliteBuilder& b, const LayerCall& call, int rank,
                        bool max, int* out, std::string* message) {
  const json& c = *call.config;
  int x = call.inputs[0];
  const Dims in_shape = b.Shape(x);
  if (static_cast<int>(in_shape.size()) != rank + 2)
    return Fail(message, "wrong input rank");
  if (GetStr(c, "data_format", "channels_last") != "channels_last")
    return Unsupported(message, "data_format channels_first");
  std::vector<int> k = GetInts(c, "pool_size", rank, 2);
  std::vector<int> s = k;
  if (c.contains("strides") && !c["strides"].is_null())
    s = GetInts(c, "strides", rank, 1);
  if (!CheckWindow("pool_size", k, message) ||
      !CheckWindow("strides", s, message))
    return LayerResult::kError;
  if (rank == 1) {
    k.insert(k.begin(), 1);
    s.insert(s.begin(), 1);
    x = Reshape(b, x, {in_shape[0], 1, in_shape[1], in_shape[2]},
                call.name + "/as_2d");
  }
  const bool same = GetStr(c, "padding", "valid") == "same";
  const Dims xs = b.Shape(x);
  fb::Pool2DOptionsT o;
  o.padding = same ? fb::Padding::SAME : fb::Padding::VALID;
  o.filter_height = k[0];
  o.filter_width = k[1];
  o.stride_h = s[0];
  o.stride_w = s[1];
  Dims ys = {xs[0], OutSize(xs[1], k[0], s[0], 1, same),
             OutSize(xs[2], k[1], s[1], 1, same), xs[3]};
  int y = b.Tensor(rank == 1 ? call.name + "/pool2d" : call.name, ys);
  b.Op(max ? Op::MAX_POOL_2D : Op::AVERAGE_POOL_2D, {x}, {y}, Options(o));
  if (rank == 1) y = Reshape(b, y, {ys[0], ys[2], ys[3]}, call.name);
  *out = y;
  return LayerResult::kOk;
}

LayerResult ConvertGlobalPool(TfliteBuilder& b, const LayerCall& call, int rank,
                              bool max, int* out, std::string* message) {
  const json& c = *call.config;
  const int x = call.inputs[0];
  const Dims xs = b.Shape(x);
  if (static_cast<int>(xs.size()) != rank + 2)
    return Fail(message, "wrong input rank");
  if (GetStr(c, "data_format", "channels_last") != "channels_last")
    return Unsupported(message, "data_format channels_first");
  const bool keep = GetBool(c, "keepdims", false);
  std::vector<int32_t> axes =
      rank == 1 ? std::vector<int32_t>{1} : std::vector<int32_t>{1, 2};
  Dims ys;
  if (keep) {
    ys = xs;
    for (int a : axes) ys[a] = 1;
  } else {
    ys = {xs[0], xs.back()};
  }
  int axes_t = b.ConstI32(call.name + "/axes",
                          {static_cast<int32_t>(axes.size())}, axes);
  fb::ReducerOptionsT o;
  o.keep_dims = keep;
  int y = b.Tensor(call.name, ys);
  b.Op(max ? Op::REDUCE_MAX : Op::MEAN, {x, axes_t}, {y}, Options(o));
  *out = y;
  return LayerResult::kOk;
}

LayerResult ConvertMerge(TfliteBuilder& b, const LayerCall& call, int* out,
                         std::string* message) {
  const std::string& cls = call.class_name;
  if (call.inputs.size() < 2) return Fail(message, "needs at least two inputs");
  if (cls == "Concatenate") {
    const int rank = Rank(b, call.inputs[0]);
    const int axis = NormAxis(GetInt(*call.config, "axis", -1), rank);
    Dims ys = b.Shape(call.inputs[0]);
    for (size_t i = 1; i < call.inputs.size(); ++i) {
      const Dims& s = b.Shape(call.inputs[i]);
      if (static_cast<int>(s.size()) != rank)
        return Fail(message, "inputs of different rank");
      ys[axis] += s[axis];
    }
    fb::ConcatenationOptionsT o;
    o.axis = axis;
    int y = b.Tensor(call.name, ys);
    b.Op(Op::CONCATENATION,
         std::vector<int32_t>(call.inputs.begin(), call.inputs.end()), {y},
         Options(o));
    *out = y;
    return LayerResult::kOk;
  }
  Op op;
  if (cls == "Add" || cls == "Average")
    op = Op::ADD;
  else if (cls == "Multiply")
    op = Op::MUL;
  else if (cls == "Subtract")
    op = Op::SUB;
  else if (cls == "Maximum")
    op = Op::MAXIMUM;
  else if (cls == "Minimum")
    op = Op::MINIMUM;
  else if (cls == "Divide" || cls == "TrueDivide")
    op = Op::DIV;
  else
    return Unsupported(message, "merge layer");
  if ((cls == "Subtract" || op == Op::DIV) && call.inputs.size() != 2)
    return Fail(message, "needs two inputs");
  int y = call.inputs[0];
  for (size_t i = 1; i < call.inputs.size(); ++i) {
    const bool last = i + 1 == call.inputs.size() && cls != "Average";
    y = Binary(b, op, y, call.inputs[i],
               last ? call.name : call.name + "/" + std::to_string(i));
  }
  if (cls == "Average") {
    int inv =
        b.ConstF(call.name + "/inv_count", {}, {1.0f / call.inputs.size()});
    y = Binary(b, Op::MUL, y, inv, call.name);
  }
  *out = y;
  return LayerResult::kOk;
}

LayerResult ConvertReshapeLike(TfliteBuilder& b, const LayerCall& call,
                               int* out, std::string* message) {
  const json& c = *call.config;
  const int x = call.inputs[0];
  const Dims xs = b.Shape(x);
  const std::string& cls = call.class_name;
  if (cls == "Flatten") {
    *out = Reshape(b, x, {xs[0], static_cast<int32_t>(Count(xs) / xs[0])},
                   call.name);
    return LayerResult::kOk;
  }
  if (cls == "Reshape") {
    Dims target = {xs[0]};
    int unknown = -1;
    int64_t known = 1;
    for (auto& v : c.value("target_shape", json::array())) {
      const int d = v.is_number() ? v.get<int>() : -1;
      if (d < 0)
        unknown = static_cast<int>(target.size());
      else
        known *= d;
      target.push_back(d);
    }
    const int64_t total = Count(xs) / xs[0];
    if (unknown >= 0) {
      if (known == 0 || total % known)
        return Fail(message, "target_shape does not divide the input");
      target[unknown] = static_cast<int32_t>(total / known);
    }
    if (Count(target) != Count(xs))
      return Fail(message, "target_shape does not match the input size");
    *out = Reshape(b, x, target, call.name);
    return LayerResult::kOk;
  }
  if (cls == "Permute") {
    std::vector<int32_t> perm = {0};
    for (auto& v : c.value("dims", json::array())) perm.push_back(v.get<int>());
    if (perm.size() != xs.size())
      return Fail(message, "dims do not match the input rank");
    Dims ys;
    for (int p : perm) {
      if (p < 0 || p >= static_cast<int>(xs.size()))
        return Fail(message, "bad dims");
      ys.push_back(xs[p]);
    }
    int perm_t = b.ConstI32(call.name + "/perm",
                            {static_cast<int32_t>(perm.size())}, perm);
    int y = b.Tensor(call.name, ys);
    b.Op(Op::TRANSPOSE, {x, perm_t}, {y}, Options(fb::TransposeOptionsT{}));
    *out = y;
    return LayerResult::kOk;
  }
  return Unsupported(message, "reshape layer");
}

// [[top, bottom], [left, right]] from an int, a pair or a pair of pairs.
bool GetPads2D(const json& c, std::vector<int>* p) {
  *p = {0, 0, 0, 0};
  auto it = c.find(c.contains("padding") ? "padding" : "cropping");
  if (it == c.end()) return false;
  if (it->is_number()) {
    *p = std::vector<int>(4, it->get<int>());
    return true;
  }
  if (!it->is_array() || it->size() != 2) return false;
  for (int i = 0; i < 2; ++i) {
    const json& e = (*it)[i];
    if (e.is_number()) {
      (*p)[2 * i] = (*p)[2 * i + 1] = e.get<int>();
    } else if (e.is_array() && e.size() == 2) {
      (*p)[2 * i] = e[0].get<int>();
      (*p)[2 * i + 1] = e[1].get<int>();
    } else {
      return false;
    }
  }
  return true;
}

LayerResult ConvertPadCrop(TfliteBuilder& b, const LayerCall& call, int* out,
                           std::string* message) {
  const json& c = *call.config;
  const int x = call.inputs[0];
  const Dims xs = b.Shape(x);
  const std::string& cls = call.class_name;
  if (GetStr(c, "data_format", "channels_last") != "channels_last")
    return Unsupported(message, "data_format channels_first");
  std::vector<int> p;
  if (cls == "ZeroPadding1D") {
    std::vector<int> q = GetInts(c, "padding", 2, 1);
    if (xs.size() != 3) return Fail(message, "expects a rank-3 input");
    int pt =
        b.ConstI32(call.name + "/paddings", {3, 2}, {0, 0, q[0], q[1], 0, 0});
    int y = b.Tensor(call.name, {xs[0], xs[1] + q[0] + q[1], xs[2]});
    b.Op(Op::PAD, {x, pt}, {y}, Options(fb::PadOptionsT{}));
    *out = y;
    return LayerResult::kOk;
  }
  if (xs.size() != 4 || !GetPads2D(c, &p))
    return Fail(message, "bad padding/cropping or input rank");
  if (cls == "ZeroPadding2D") {
    int pt = b.ConstI32(call.name + "/paddings", {4, 2},
                        {0, 0, p[0], p[1], p[2], p[3], 0, 0});
    int y = b.Tensor(call.name,
                     {xs[0], xs[1] + p[0] + p[1], xs[2] + p[2] + p[3], xs[3]});
    b.Op(Op::PAD, {x, pt}, {y}, Options(fb::PadOptionsT{}));
    *out = y;
    return LayerResult::kOk;
  }
  // Cropping2D
  const Dims ys = {xs[0], xs[1] - p[0] - p[1], xs[2] - p[2] - p[3], xs[3]};
  if (ys[1] <= 0 || ys[2] <= 0) return Fail(message, "crops everything");
  int begin = b.ConstI32(call.name + "/begin", {4}, {0, p[0], p[2], 0});
  int size = b.ConstI32(call.name + "/size", {4}, {ys[0], ys[1], ys[2], ys[3]});
  int y = b.Tensor(call.name, ys);
  b.Op(Op::SLICE, {x, begin, size}, {y}, Options(fb::SliceOptionsT{}));
  *out = y;
  return LayerResult::kOk;
}

LayerResult ConvertUpSampling(TfliteBuilder& b, const LayerCall& call, int* out,
                              std::string* message) {
  const json& c = *call.config;
  const int x = call.inputs[0];
  const Dims xs = b.Shape(x);
  if (xs.size() != 4) return Fail(message, "expects a rank-4 input");
  if (GetStr(c, "data_format", "channels_last") != "channels_last")
    return Unsupported(message, "data_format channels_first");
  std::vector<int> s = GetInts(c, "size", 2, 2);
  const std::string interp = GetStr(c, "interpolation", "nearest");
  const Dims ys = {xs[0], xs[1] * s[0], xs[2] * s[1], xs[3]};
  int size = b.ConstI32(call.name + "/size", {2}, {ys[1], ys[2]});
  int y = b.Tensor(call.name, ys);
  if (interp == "nearest") {
    // Integer factors: every source index is floor(dst / factor), the same
    // with or without half-pixel centres, so the simplest op version fits.
    b.Op(Op::RESIZE_NEAREST_NEIGHBOR, {x, size}, {y},
         Options(fb::ResizeNearestNeighborOptionsT{}));
  } else if (interp == "bilinear") {
    fb::ResizeBilinearOptionsT o;
    o.half_pixel_centers = true;  // what Keras' image resize computes
    b.Op(Op::RESIZE_BILINEAR, {x, size}, {y}, Options(o));
  } else {
    return Unsupported(message, "interpolation '" + interp + "'");
  }
  *out = y;
  return LayerResult::kOk;
}

std::vector<float> FloatList(const json& v, size_t n) {
  std::vector<float> r;
  if (v.is_number()) return std::vector<float>(n, v.get<float>());
  if (v.is_array())
    for (auto& e : v) r.push_back(e.get<float>());
  if (r.size() == 1 && n > 1) r.assign(n, r[0]);
  return r;
}

LayerResult ConvertRescaleNorm(TfliteBuilder& b, const LayerCall& call,
                               int* out, std::string* message) {
  const json& c = *call.config;
  const int x = call.inputs[0];
  const Dims xs = b.Shape(x);
  const int ch = xs.back();
  std::vector<float> scale, shift;
  if (call.class_name == "Rescaling") {
    scale = FloatList(c.value("scale", json(1.0)), ch);
    shift = FloatList(c.value("offset", json(0.0)), ch);
    if (scale.size() != static_cast<size_t>(ch) ||
        shift.size() != static_cast<size_t>(ch))
      return Unsupported(message, "scale/offset that are not per-channel");
  } else {  // Normalization
    if (GetBool(c, "invert", false)) return Unsupported(message, "invert=True");
    auto axis_it = c.find("axis");
    if (axis_it != c.end() &&
        !(axis_it->is_number() && NormAxis(axis_it->get<int>(), xs.size()) ==
                                      static_cast<int>(xs.size()) - 1) &&
        !(axis_it->is_array() && axis_it->size() == 1 &&
          NormAxis((*axis_it)[0].get<int>(), xs.size()) ==
              static_cast<int>(xs.size()) - 1))
      return Unsupported(message, "axis other than the last");
    std::vector<float> mean, var;
    if (c.contains("mean") && !c["mean"].is_null()) {
      mean = FloatList(c["mean"], ch);
      var = FloatList(c.value("variance", json(1.0)), ch);
    } else if (call.weights.size() >= 2) {
      mean = call.weights[0].data;
      var = call.weights[1].data;
    }
    if (mean.size() != static_cast<size_t>(ch) ||
        var.size() != static_cast<size_t>(ch))
      return Fail(message, "mean/variance missing or not per-channel");
    for (int k = 0; k < ch; ++k) {
      const double s = 1.0 / std::max(std::sqrt(double{var[k]}), 1e-7);
      scale.push_back(static_cast<float>(s));
      shift.push_back(static_cast<float>(-mean[k] * s));
    }
  }
  *out = ScaleShift(b, x, static_cast<int>(xs.size()) - 1, scale, shift,
                    call.name);
  return LayerResult::kOk;
}

LayerResult ConvertEmbedding(TfliteBuilder& b, const LayerCall& call, int* out,
                             std::string* message) {
  const json& c = *call.config;
  int x = call.inputs[0];
  const int vocab = GetInt(c, "input_dim", 0), dim = GetInt(c, "output_dim", 0);
  if (call.weights.empty() || call.weights[0].size() != int64_t{vocab} * dim)
    return Fail(message, "embeddings missing or of the wrong size");
  if (GetBool(c, "mask_zero", false))
    return Unsupported(message, "mask_zero=True");
  const Dims xs = b.Shape(x);
  if (b.subgraph().tensors[x]->type != fb::TensorType::INT32) {
    int cast = b.Tensor(call.name + "/indices", xs, fb::TensorType::INT32);
    b.Op(Op::CAST, {x}, {cast}, Options(fb::CastOptionsT{}));
    x = cast;
  }
  int table =
      b.ConstF(call.name + "/embeddings", {vocab, dim}, call.weights[0].data);
  Dims ys = xs;
  ys.push_back(dim);
  int y = b.Tensor(call.name, ys);
  fb::GatherOptionsT o;
  o.axis = 0;
  b.Op(Op::GATHER, {table, x}, {y}, Options(o));
  *out = y;
  return LayerResult::kOk;
}

LayerResult ConvertActivationLayer(TfliteBuilder& b, const LayerCall& call,
                                   int* out, std::string* message) {
  const json& c = *call.config;
  const std::string& cls = call.class_name;
  const int x = call.inputs[0];
  const Dims xs = b.Shape(x);
  if (cls == "Activation")
    return ApplyActivation(b, ActivationName(c), x, call.name, out, message);
  if (cls == "ReLU") {
    const double max_value = GetNum(c, "max_value", -1.0);
    const double slope = GetNum(c, "negative_slope", 0.0);
    const double threshold = GetNum(c, "threshold", 0.0);
    if (threshold != 0.0) return Unsupported(message, "threshold != 0");
    if (slope != 0.0) {
      if (max_value >= 0)
        return Unsupported(message, "negative_slope with max_value");
      fb::LeakyReluOptionsT o;
      o.alpha = static_cast<float>(slope);
      *out = b.Unary(Op::LEAKY_RELU, x, call.name, xs, Options(o));
      return LayerResult::kOk;
    }
    if (max_value == 6.0) {
      *out = b.Unary(Op::RELU6, x, call.name, xs);
    } else if (max_value < 0) {
      *out = b.Unary(Op::RELU, x, call.name, xs);
    } else {
      int r = b.Unary(Op::RELU, x, call.name + "/relu", xs);
      int m = b.ConstF(call.name + "/max_value", {},
                       {static_cast<float>(max_value)});
      *out = Binary(b, Op::MINIMUM, r, m, call.name);
    }
    return LayerResult::kOk;
  }
  if (cls == "LeakyReLU") {
    fb::LeakyReluOptionsT o;
    o.alpha = static_cast<float>(
        GetNum(c, "negative_slope", GetNum(c, "alpha", 0.3)));
    *out = b.Unary(Op::LEAKY_RELU, x, call.name, xs, Options(o));
    return LayerResult::kOk;
  }
  if (cls == "ELU") {
    if (GetNum(c, "alpha", 1.0) != 1.0)
      return Unsupported(message, "alpha != 1");
    *out = b.Unary(Op::ELU, x, call.name, xs);
    return LayerResult::kOk;
  }
  if (cls == "Softmax") {
    const int axis = NormAxis(GetInt(c, "axis", -1), xs.size());
    if (axis != static_cast<int>(xs.size()) - 1)
      return Unsupported(message, "axis other than the last");
    fb::SoftmaxOptionsT o;
    o.beta = 1.0f;
    *out = b.Unary(Op::SOFTMAX, x, call.name, xs, Options(o));
    return LayerResult::kOk;
  }
  if (cls == "PReLU") {
    if (call.weights.empty()) return Fail(message, "alpha missing");
    Dims as(call.weights[0].shape.begin(), call.weights[0].shape.end());
    if (Count(as) * xs[0] != Count(xs) && as.size() + 1 != xs.size())
      return Fail(message, "alpha of the wrong size");
    int alpha = b.ConstF(call.name + "/alpha", as, call.weights[0].data);
    int y = b.Tensor(call.name, xs);
    b.Op(Op::PRELU, {x, alpha}, {y});
    *out = y;
    return LayerResult::kOk;
  }
  return Unsupported(message, "activation layer");
}

// Unary operations applied to Keras tensors (keras.ops.relu(x), ...), saved
// as layers of module keras.src.ops.*; "" when `cls` is none of them.
std::string OpsActivation(const std::string& cls, const json& c) {
  if (cls == "Relu") return "relu";
  if (cls == "Relu6") return "relu6";
  if (cls == "Sigmoid") return "sigmoid";
  if (cls == "Tanh") return "tanh";
  if (cls == "Silu" || cls == "Swish") return "silu";
  if (cls == "HardSigmoid") return "hard_sigmoid";
  if (cls == "HardSilu" || cls == "HardSwish") return "hard_swish";
  if (cls == "Elu") return GetNum(c, "alpha", 1.0) == 1.0 ? "elu" : "";
  if (cls == "Exp") return "exponential";
  if (cls == "Gelu")
    return GetBool(c, "approximate", true) ? "gelu_tanh" : "gelu";
  return "";
}

}  // namespace

std::string ActivationName(const json& config) {
  auto it = config.find("activation");
  if (it == config.end() || it->is_null()) return "linear";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) {
    if (it->contains("config") && (*it)["config"].is_string())
      return (*it)["config"];
    return it->value("class_name", std::string("?"));
  }
  return "?";
}

LayerResult ApplyActivation(TfliteBuilder& b, const std::string& act, int x,
                            const std::string& name, int* out,
                            std::string* message) {
  const Dims xs = b.Shape(x);
  auto unary = [&](Op op, fb::BuiltinOptionsUnion o = {}) {
    *out = b.Unary(op, x, name, xs, std::move(o));
    return LayerResult::kOk;
  };
  if (act == "linear") {
    *out = x;
    return LayerResult::kOk;
  }
  if (act == "relu") return unary(Op::RELU);
  if (act == "relu6") return unary(Op::RELU6);
  if (act == "sigmoid") return unary(Op::LOGISTIC);
  if (act == "tanh") return unary(Op::TANH);
  if (act == "elu") return unary(Op::ELU);
  if (act == "exponential") return unary(Op::EXP);
  if (act == "hard_swish" || act == "hard_silu") return unary(Op::HARD_SWISH);
  if (act == "gelu" || act == "gelu_tanh") {
    fb::GeluOptionsT o;
    // Activation("gelu") is exact (keras.activations.gelu's default);
    // keras.ops.gelu defaults to the tanh approximation.
    o.approximate = act == "gelu_tanh";
    return unary(Op::GELU, Options(o));
  }
  if (act == "leaky_relu") {
    fb::LeakyReluOptionsT o;
    o.alpha = 0.2f;  // keras.activations.leaky_relu's default slope
    return unary(Op::LEAKY_RELU, Options(o));
  }
  if (act == "softmax") {
    fb::SoftmaxOptionsT o;
    o.beta = 1.0f;
    return unary(Op::SOFTMAX, Options(o));
  }
  if (act == "swish" || act == "silu") {
    int s = b.Unary(Op::LOGISTIC, x, name + "/sigmoid", xs);
    *out = Binary(b, Op::MUL, x, s, name);
    return LayerResult::kOk;
  }
  if (act == "hard_sigmoid") {
    // Keras 3: relu6(x + 3) / 6.
    int three = b.ConstF(name + "/three", {}, {3.0f});
    int shifted = Binary(b, Op::ADD, x, three, name + "/shifted");
    int r6 = b.Unary(Op::RELU6, shifted, name + "/relu6", xs);
    int sixth = b.ConstF(name + "/sixth", {}, {1.0f / 6.0f});
    *out = Binary(b, Op::MUL, r6, sixth, name);
    return LayerResult::kOk;
  }
  return Unsupported(message, "activation '" + act + "'");
}

std::vector<float> Transpose2D(const std::vector<float>& in, int rows,
                               int cols) {
  std::vector<float> out(in.size());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) out[c * rows + r] = in[r * cols + c];
  return out;
}

int Dense(TfliteBuilder& b, int x, const WeightArray& kernel,
          const std::vector<float>* bias, const std::string& name) {
  const int in = b.Shape(x).back();
  const int units = static_cast<int>(kernel.size() / in);
  int w = b.ConstF(name + "/kernel", {units, in},
                   Transpose2D(kernel.data, in, units));
  int bt = b.ConstF(name + "/bias", {units},
                    bias ? *bias : std::vector<float>(units, 0.0f));
  return FullyConnected(b, x, w, bt, name);
}

int FullyConnected(TfliteBuilder& b, int x, int w, int bt,
                   const std::string& name) {
  const Dims xs = b.Shape(x);
  const int units = b.Shape(w)[0];
  fb::FullyConnectedOptionsT o;
  o.keep_num_dims = xs.size() > 2;
  Dims ys = xs;
  ys.back() = units;
  if (xs.size() < 2) ys = {1, units};
  int y = b.Tensor(name, ys);
  b.Op(Op::FULLY_CONNECTED, {x, w, bt}, {y}, Options(o));
  return y;
}

int Reshape(TfliteBuilder& b, int x, const Dims& shape,
            const std::string& name) {
  int s =
      b.ConstI32(name + "/shape", {static_cast<int32_t>(shape.size())}, shape);
  int y = b.Tensor(name, shape);
  b.Op(Op::RESHAPE, {x, s}, {y});
  return y;
}

Dims BroadcastShape(const Dims& a, const Dims& b) {
  Dims r(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < r.size(); ++i) {
    const int da = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int db = i < b.size() ? b[b.size() - 1 - i] : 1;
    r[r.size() - 1 - i] = da == 1 ? db : da;
  }
  return r;
}

int Binary(TfliteBuilder& b, Op op, int x, int y, const std::string& name) {
  int out = b.Tensor(name, BroadcastShape(b.Shape(x), b.Shape(y)));
  fb::BuiltinOptionsUnion o;
  if (op == Op::ADD)
    o = Options(fb::AddOptionsT{});
  else if (op == Op::MUL)
    o = Options(fb::MulOptionsT{});
  else if (op == Op::SUB)
    o = Options(fb::SubOptionsT{});
  else if (op == Op::DIV)
    o = Options(fb::DivOptionsT{});
  else if (op == Op::MAXIMUM || op == Op::MINIMUM)
    o = Options(fb::MaximumMinimumOptionsT{});
  b.Op(op, {x, y}, {out}, std::move(o));
  return out;
}

LayerResult ConvertLayer(TfliteBuilder& b, const LayerCall& call,
                         std::vector<int>* outputs, std::string* message) {
  const std::string& cls = call.class_name;
  int out = -1;
  LayerResult r;
  if (call.inputs.empty()) return Fail(message, "has no inputs");
  if (cls == "Conv2D" || cls == "Convolution2D")
    r = ConvertConv(b, call, 2, false, false, &out, message);
  else if (cls == "Conv1D" || cls == "Convolution1D")
    r = ConvertConv(b, call, 1, false, false, &out, message);
  else if (cls == "DepthwiseConv2D")
    r = ConvertConv(b, call, 2, true, false, &out, message);
  else if (cls == "SeparableConv2D")
    r = ConvertConv(b, call, 2, false, true, &out, message);
  else if (cls == "Conv2DTranspose")
    r = ConvertConvTranspose(b, call, &out, message);
  else if (cls == "Dense")
    r = ConvertDense(b, call, &out, message);
  else if (cls == "BatchNormalization")
    r = ConvertBatchNorm(b, call, &out, message);
  else if (cls == "LayerNormalization")
    r = ConvertLayerNorm(b, call, &out, message);
  else if (cls == "MaxPooling2D" || cls == "MaxPool2D")
    r = ConvertPool(b, call, 2, true, &out, message);
  else if (cls == "AveragePooling2D" || cls == "AvgPool2D")
    r = ConvertPool(b, call, 2, false, &out, message);
  else if (cls == "MaxPooling1D" || cls == "MaxPool1D")
    r = ConvertPool(b, call, 1, true, &out, message);
  else if (cls == "AveragePooling1D" || cls == "AvgPool1D")
    r = ConvertPool(b, call, 1, false, &out, message);
  else if (cls == "GlobalAveragePooling2D" || cls == "GlobalAvgPool2D")
    r = ConvertGlobalPool(b, call, 2, false, &out, message);
  else if (cls == "GlobalMaxPooling2D" || cls == "GlobalMaxPool2D")
    r = ConvertGlobalPool(b, call, 2, true, &out, message);
  else if (cls == "GlobalAveragePooling1D" || cls == "GlobalAvgPool1D")
    r = ConvertGlobalPool(b, call, 1, false, &out, message);
  else if (cls == "GlobalMaxPooling1D" || cls == "GlobalMaxPool1D")
    r = ConvertGlobalPool(b, call, 1, true, &out, message);
  else if (cls == "Add" || cls == "Multiply" || cls == "Subtract" ||
           cls == "Concatenate" || cls == "Average" || cls == "Maximum" ||
           cls == "Minimum" || cls == "Divide" || cls == "TrueDivide")
    r = ConvertMerge(b, call, &out, message);
  else if (cls == "Reshape" || cls == "Flatten" || cls == "Permute")
    r = ConvertReshapeLike(b, call, &out, message);
  else if (cls == "ZeroPadding2D" || cls == "ZeroPadding1D" ||
           cls == "Cropping2D")
    r = ConvertPadCrop(b, call, &out, message);
  else if (cls == "UpSampling2D")
    r = ConvertUpSampling(b, call, &out, message);
  else if (cls == "Rescaling" || cls == "Normalization")
    r = ConvertRescaleNorm(b, call, &out, message);
  else if (cls == "Embedding")
    r = ConvertEmbedding(b, call, &out, message);
  else if (cls == "Activation" || cls == "ReLU" || cls == "LeakyReLU" ||
           cls == "ELU" || cls == "Softmax" || cls == "PReLU")
    r = ConvertActivationLayer(b, call, &out, message);
  else if (cls == "LSTM")
    r = ConvertLstm(b, call, &out, message);
  else if (cls == "GRU")
    r = ConvertGru(b, call, &out, message);
  else if (cls == "MultiHeadAttention")
    r = ConvertMultiHeadAttention(b, call, &out, message);
  else if (cls == "Bidirectional")
    r = ConvertBidirectional(b, call, &out, message);
  else if (cls == "TimeDistributed") {
    // Only per-position layers, which act on every time step alike.
    const json inner = call.config->value("layer", json());
    const std::string inner_cls =
        inner.is_object() ? inner.value("class_name", std::string()) : "";
    if (inner_cls != "Dense")
      return Unsupported(message, "TimeDistributed(" + inner_cls + ")");
    if (!inner.contains("config") || !inner["config"].is_object())
      return Fail(message, "wrapped layer has no config");
    LayerCall sub = call;
    sub.class_name = inner_cls;
    sub.config = &inner["config"];
    r = ConvertDense(b, sub, &out, message);
    if (r == LayerResult::kOk) b.subgraph().tensors[out]->name = call.name;
  } else if (cls == "Dropout" || cls == "SpatialDropout1D" ||
             cls == "SpatialDropout2D" || cls == "SpatialDropout3D" ||
             cls == "GaussianNoise" || cls == "GaussianDropout" ||
             cls == "AlphaDropout" || cls == "ActivityRegularization") {
    out = call.inputs[0];  // inference-time identity: removed
    r = LayerResult::kOk;
  } else if (!OpsActivation(cls, *call.config).empty()) {
    r = ApplyActivation(b, OpsActivation(cls, *call.config), call.inputs[0],
                        call.name, &out, message);
  } else {
    return Unsupported(message, "no converter for this layer class");
  }
  if (r == LayerResult::kOk) outputs->assign(1, out);
  return r;
}

}  // namespace ember::convert::keras
