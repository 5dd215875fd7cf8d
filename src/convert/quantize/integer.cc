// The int8 / int16x8 rewrite. Every activation tensor gets one set of
// parameters; each op is either quantized (its inputs and outputs become
// integer) or stays float. Where a tensor's stored type differs from what a
// consumer needs, a QUANTIZE or DEQUANTIZE op is inserted just before that
// consumer (once per tensor and direction), so the op list stays in
// execution order.
#include "convert/quantize/integer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <regex>

#include "convert/quantize/model_edit.h"
#include "convert/quantize/op_rules.h"

namespace ember::quantize {
namespace {

struct Params {
  float scale = 1.0f;
  int64_t zero_point = 0;
  bool operator==(const Params& o) const {
    return scale == o.scale && zero_point == o.zero_point;
  }
};

class IntegerRewriter {
 public:
  IntegerRewriter(fb::ModelT* model, const std::vector<TensorStats>& stats,
                  const QuantizeOptions& options, QuantizeReport* report,
                  convert::Diagnostics* diag)
      : model_(model),
        sg_(*model->subgraphs[0]),
        stats_(stats),
        options_(options),
        report_(report),
        diag_(diag),
        int16_(options.mode == Mode::kInt16x8) {}

  bool Run(const std::set<int>& force_float, IntegerResult* result);

 private:
  fb::TensorType IntType() const {
    return int16_ ? fb::TensorType::INT16 : fb::TensorType::INT8;
  }
  const char* IntName() const { return int16_ ? "int16" : "int8"; }
  bool IsFloatActivation(int32_t t) const {
    return t >= 0 && sg_.tensors[t]->type == fb::TensorType::FLOAT32 &&
           !IsConstant(*model_, *sg_.tensors[t]);
  }
  std::optional<Params> Natural(int32_t t) const;
  Params FromRange(float lo, float hi) const;
  std::string WhyFloat(int op_index, const OpRule* rule) const;
  void DecideParams();
  int32_t GetInteger(int32_t t, const Params& p,
                     std::vector<std::unique_ptr<fb::OperatorT>>* ops);
  int32_t GetFloat(int32_t t, std::vector<std::unique_ptr<fb::OperatorT>>* ops);
  void MakeInteger(int32_t t, const Params& p);
  int32_t QuantizeConstant(int32_t t, const Params* required);
  void QuantizeWeights(fb::OperatorT* op, const OpRule& rule, const Params& in,
                       int32_t original_input);
  std::unique_ptr<fb::OperatorT> NewOp(fb::BuiltinOperator code, int version,
                                       int32_t in, int32_t out);

  fb::ModelT* model_;
  fb::SubGraphT& sg_;
  const std::vector<TensorStats>& stats_;
  const QuantizeOptions& options_;
  QuantizeReport* report_;
  convert::Diagnostics* diag_;
  bool int16_;

  std::vector<bool> quantized_;                // per op
  std::vector<std::optional<Params>> params_;  // per original tensor
  std::vector<bool> native_int_;               // stored as integer
  std::map<std::pair<int32_t, std::pair<float, int64_t>>, int32_t> int_cache_;
  std::map<int32_t, int32_t> float_cache_;
};

Params IntegerRewriter::FromRange(float lo, float hi) const {
  Params p;
  if (int16_) {
    const float m = std::max(-lo, hi);
    p.scale = m > 0 ? m / 32767.0f : 1.0f;
    p.zero_point = 0;
    return p;
  }
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  if (hi - lo <= 0) return Params{1.0f / 255.0f, -128};
  p.scale = (hi - lo) / 255.0f;
  const double zp = std::round(-128.0 - lo / p.scale);
  p.zero_point = static_cast<int64_t>(std::clamp(zp, -128.0, 127.0));
  return p;
}

std::optional<Params> IntegerRewriter::Natural(int32_t t) const {
  if (t < 0 || t >= static_cast<int32_t>(stats_.size()) || !stats_[t].seen)
    return std::nullopt;
  float lo, hi;
  ChooseRange(stats_[t], options_.method, options_.percentile, int16_,
              int16_ ? 65535 : 255, &lo, &hi);
  return FromRange(lo, hi);
}

std::string IntegerRewriter::WhyFloat(int op_index, const OpRule* rule) const {
  const fb::OperatorT& op = *sg_.operators[op_index];
  const fb::BuiltinOperator code = OpOf(*model_, op);
  const std::string name = fb::EnumNameBuiltinOperator(code);
  if (rule == nullptr) return "no integer kernel";
  if (int16_ && rule->version_int16 == 0) return "no int16x8 kernel";
  for (const std::string& pattern : options_.keep_float) {
    const std::regex re(pattern);
    if (std::regex_search(name, re)) return "--keep-float " + pattern;
    for (int32_t t : op.outputs)
      if (t >= 0 && std::regex_search(sg_.tensors[t]->name, re))
        return "--keep-float " + pattern;
  }
  bool has_float = false;
  for (int32_t t : op.outputs) {
    if (t < 0) continue;
    if (sg_.tensors[t]->type != fb::TensorType::FLOAT32)
      return "non-float output";
    if (!IsFloatActivation(t) || !stats_[t].seen)
      return "output not calibrated";
    has_float = true;
  }
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    const int32_t t = op.inputs[i];
    if (t < 0) continue;
    const fb::TensorT& tensor = *sg_.tensors[t];
    if (tensor.type != fb::TensorType::FLOAT32) continue;  // shapes, axes
    const bool constant = IsConstant(*model_, tensor);
    if (rule->weighted && i >= 1 && !constant)
      return "weights are not constant";
    if (!constant && !stats_[t].seen) return "input not calibrated";
  }
  if (rule->weighted && (op.inputs.size() < 2 || op.inputs[1] < 0))
    return "missing weights";
  // The bias scale and same-scale outputs derive from input 0's params.
  if ((rule->weighted || rule->output == OutputRule::kSameAsInput) &&
      (op.inputs.empty() || !IsFloatActivation(op.inputs[0])))
    return "input 0 is not a float activation";
  if (!has_float) return "no float output";
  return "";
}

std::unique_ptr<fb::OperatorT> IntegerRewriter::NewOp(fb::BuiltinOperator code,
                                                      int version, int32_t in,
                                                      int32_t out) {
  auto op = std::make_unique<fb::OperatorT>();
  op->opcode_index = OpCodeIndex(model_, code, version);
  op->inputs = {in};
  op->outputs = {out};
  if (code == fb::BuiltinOperator::QUANTIZE) {
    op->builtin_options.Set(fb::QuantizeOptionsT());
  } else {
    op->builtin_options.Set(fb::DequantizeOptionsT());
  }
  return op;
}

void IntegerRewriter::MakeInteger(int32_t t, const Params& p) {
  fb::TensorT& tensor = *sg_.tensors[t];
  tensor.type = IntType();
  SetQuant(&tensor, {p.scale}, {p.zero_point});
  native_int_[t] = true;
}

int32_t IntegerRewriter::GetInteger(
    int32_t t, const Params& p,
    std::vector<std::unique_ptr<fb::OperatorT>>* ops) {
  if (native_int_[t]) {
    const auto& q = *sg_.tensors[t]->quantization;
    if (q.scale[0] == p.scale && q.zero_point[0] == p.zero_point) return t;
  }
  const auto key = std::make_pair(t, std::make_pair(p.scale, p.zero_point));
  auto it = int_cache_.find(key);
  if (it != int_cache_.end()) return it->second;
  const fb::TensorT& src = *sg_.tensors[t];
  const std::string suffix =
      native_int_[t] ? "_requantized" : std::string("_") + IntName();
  const int32_t out =
      AddTensor(model_, &sg_, src.name + suffix, IntType(), src.shape);
  sg_.tensors[out]->shape_signature = sg_.tensors[t]->shape_signature;
  SetQuant(sg_.tensors[out].get(), {p.scale}, {p.zero_point});
  // float -> int8: v1; int8 -> int8 requantize: v2; int16 involved: v3.
  const int version = int16_ ? 3 : (native_int_[t] ? 2 : 1);
  ops->push_back(NewOp(fb::BuiltinOperator::QUANTIZE, version, t, out));
  int_cache_[key] = out;
  return out;
}

int32_t IntegerRewriter::GetFloat(
    int32_t t, std::vector<std::unique_ptr<fb::OperatorT>>* ops) {
  auto it = float_cache_.find(t);
  if (it != float_cache_.end()) return it->second;
  const fb::TensorT& src = *sg_.tensors[t];
  const int32_t out = AddTensor(model_, &sg_, src.name + "_dequantized",
                                fb::TensorType::FLOAT32, src.shape);
  sg_.tensors[out]->shape_signature = sg_.tensors[t]->shape_signature;
  ops->push_back(
      NewOp(fb::BuiltinOperator::DEQUANTIZE, int16_ ? 4 : 2, t, out));
  float_cache_[t] = out;
  return out;
}

// A float constant used as an activation-like operand (ADD/MUL/CONCAT
// operands): per-tensor, with its own range unless the op dictates params.
int32_t IntegerRewriter::QuantizeConstant(int32_t t, const Params* required) {
  const fb::TensorT& src = *sg_.tensors[t];
  const std::vector<float> values = FloatValues(*model_, src);
  Params p;
  if (required != nullptr) {
    p = *required;
  } else {
    float lo = 0, hi = 0;
    for (float v : values) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    p = FromRange(lo, hi);
  }
  const int qmin = int16_ ? -32768 : -128, qmax = int16_ ? 32767 : 127;
  std::vector<int16_t> q16;
  std::vector<int8_t> q8;
  for (float v : values) {
    const double q =
        std::clamp(std::round(static_cast<double>(v) / p.scale) + p.zero_point,
                   static_cast<double>(qmin), static_cast<double>(qmax));
    if (int16_)
      q16.push_back(static_cast<int16_t>(q));
    else
      q8.push_back(static_cast<int8_t>(q));
  }
  std::vector<uint8_t> data = int16_ ? Bytes(q16) : Bytes(q8);
  if (data.empty()) data.push_back(0);  // keep it a constant
  const int32_t out = AddTensor(model_, &sg_, src.name + "_" + IntName(),
                                IntType(), src.shape, std::move(data));
  SetQuant(sg_.tensors[out].get(), {p.scale}, {p.zero_point});
  return out;
}

// Filter: int8 symmetric in [-127, 127], per channel on the op's axis.
// Bias: int32 (int64 for int16x8) with scale input_scale * filter_scale.
// `original_input` is the float tensor the op read before the rewrite (its
// calibration statistics drive bias correction).
void IntegerRewriter::QuantizeWeights(fb::OperatorT* op, const OpRule& rule,
                                      const Params& in,
                                      int32_t original_input) {
  const fb::TensorT& filter = *sg_.tensors[op->inputs[1]];
  const std::vector<float> w = FloatValues(*model_, filter);
  const std::vector<int32_t>& shape = filter.shape;
  int dim = std::min<int>(rule.weight_channel_dim,
                          static_cast<int>(shape.size()) - 1);
  dim = std::max(dim, 0);
  const int64_t channels =
      options_.per_channel && !shape.empty() ? shape[dim] : 1;
  int64_t inner = 1;  // elements after the channel axis
  for (size_t d = dim + 1; d < shape.size(); ++d) inner *= shape[d];
  auto channel_of = [&](int64_t i) {
    return channels == 1 ? 0 : (i / inner) % channels;
  };
  std::vector<float> max_abs(channels, 0.0f);
  for (int64_t i = 0; i < static_cast<int64_t>(w.size()); ++i)
    max_abs[channel_of(i)] = std::max(max_abs[channel_of(i)], std::fabs(w[i]));
  std::vector<float> scales(channels);
  for (int64_t c = 0; c < channels; ++c)
    scales[c] = max_abs[c] > 0 ? max_abs[c] / 127.0f : 1.0f;
  std::vector<int8_t> q(w.size());
  std::vector<float> error(
      w.size());  // float - dequantized, for bias correction
  for (int64_t i = 0; i < static_cast<int64_t>(w.size()); ++i) {
    const float s = scales[channel_of(i)];
    q[i] =
        static_cast<int8_t>(std::clamp(std::round(w[i] / s), -127.0f, 127.0f));
    error[i] = w[i] - q[i] * s;
  }
  const int32_t qf = AddTensor(model_, &sg_, filter.name + "_int8",
                               fb::TensorType::INT8, shape, Bytes(q));
  SetQuant(sg_.tensors[qf].get(), scales, std::vector<int64_t>(channels, 0),
           channels == 1 ? 0 : dim);
  const int32_t input = original_input;
  op->inputs[1] = qf;

  // Output channels and the bias (possibly corrected).
  const fb::BuiltinOperator code = OpOf(*model_, *op);
  const int64_t out_channels =
      shape.empty()
          ? 1
          : shape[rule.weight_channel_dim < static_cast<int>(shape.size())
                      ? rule.weight_channel_dim
                      : 0];
  std::vector<float> bias(out_channels, 0.0f);
  const bool has_bias = op->inputs.size() > 2 && op->inputs[2] >= 0;
  if (has_bias) {
    std::vector<float> b = FloatValues(*model_, *sg_.tensors[op->inputs[2]]);
    if (static_cast<int64_t>(b.size()) == out_channels) bias = b;
  }
  bool corrected = false;
  if (options_.bias_correction && input >= 0 &&
      input < static_cast<int32_t>(stats_.size()) &&
      stats_[input].channel_count > 0) {
    // E[W x] - E[Wq x] = (W - Wq) E[x], with E[x] per input channel (the
    // last dimension of the input); padding is ignored.
    const std::vector<double> mean = stats_[input].ChannelMean();
    const int64_t in_channels = static_cast<int64_t>(mean.size());
    std::vector<double> delta(out_channels, 0.0);
    bool shapes_ok = true;
    if (code == fb::BuiltinOperator::DEPTHWISE_CONV_2D) {
      const int64_t c_total = shape.back();
      const int64_t mult = in_channels > 0 ? c_total / in_channels : 0;
      shapes_ok = mult > 0 && mult * in_channels == c_total;
      for (int64_t i = 0; shapes_ok && i < static_cast<int64_t>(w.size());
           ++i) {
        const int64_t c = i % c_total;
        delta[c] += error[i] * mean[c / mult];
      }
    } else {
      const int64_t last = shape.back();
      shapes_ok = last == in_channels;
      for (int64_t i = 0; shapes_ok && i < static_cast<int64_t>(w.size()); ++i)
        delta[i / (w.size() / out_channels)] += error[i] * mean[i % last];
    }
    if (shapes_ok) {
      for (int64_t c = 0; c < out_channels; ++c)
        bias[c] += static_cast<float>(delta[c]);
      corrected = true;
    }
  }
  if (!has_bias && !corrected) return;
  std::vector<float> bias_scales(out_channels);
  for (int64_t c = 0; c < out_channels; ++c)
    bias_scales[c] = in.scale * scales[channels == 1 ? 0 : c];
  std::vector<uint8_t> data;
  if (int16_) {
    std::vector<int64_t> qb(out_channels);
    for (int64_t c = 0; c < out_channels; ++c)
      qb[c] = static_cast<int64_t>(std::llround(bias[c] / bias_scales[c]));
    data = Bytes(qb);
  } else {
    std::vector<int32_t> qb(out_channels);
    for (int64_t c = 0; c < out_channels; ++c) {
      const double v =
          std::round(static_cast<double>(bias[c]) / bias_scales[c]);
      qb[c] = static_cast<int32_t>(std::clamp(v, -2147483647.0, 2147483647.0));
    }
    data = Bytes(qb);
  }
  const std::string name = has_bias
                               ? sg_.tensors[op->inputs[2]]->name
                               : sg_.tensors[op->outputs[0]]->name + "_bias";
  const int32_t qb =
      AddTensor(model_, &sg_, name + (int16_ ? "_int64" : "_int32"),
                int16_ ? fb::TensorType::INT64 : fb::TensorType::INT32,
                {static_cast<int32_t>(out_channels)}, std::move(data));
  // Per-tensor filters get a per-tensor bias, as the spec has it.
  if (channels == 1) bias_scales.resize(1);
  const size_t n = bias_scales.size();
  SetQuant(sg_.tensors[qb].get(), std::move(bias_scales),
           std::vector<int64_t>(n, 0), 0);
  if (op->inputs.size() < 3) op->inputs.resize(3, -1);
  op->inputs[2] = qb;
}

void IntegerRewriter::DecideParams() {
  for (size_t i = 0; i < sg_.operators.size(); ++i) {
    if (!quantized_[i]) continue;
    const fb::OperatorT& op = *sg_.operators[i];
    const OpRule& rule = *FindOpRule(OpOf(*model_, op));
    for (int32_t t : op.inputs)
      if (IsFloatActivation(t) && !params_[t]) params_[t] = Natural(t);
    const int32_t out = op.outputs[0];
    switch (rule.output) {
      case OutputRule::kCalibrated:
      case OutputRule::kSharedWithInputs:
        params_[out] = Natural(out);
        break;
      case OutputRule::kSameAsInput:
        params_[out] = params_[op.inputs[0]];
        break;
      case OutputRule::kFixed:
        params_[out] = int16_ ? Params{rule.fixed_scale16, 0}
                              : Params{rule.fixed_scale8, rule.fixed_zero8};
        break;
    }
  }
  // Concatenation needs every input at the output's params. An input made
  // by a rescaling quantized op for this concat alone can simply be
  // produced at those params, which saves a requantize op and its rounding.
  std::vector<int> consumers(params_.size(), 0), producer(params_.size(), -1);
  for (size_t i = 0; i < sg_.operators.size(); ++i) {
    for (int32_t t : sg_.operators[i]->inputs)
      if (t >= 0 && t < static_cast<int32_t>(consumers.size())) ++consumers[t];
    for (int32_t t : sg_.operators[i]->outputs)
      if (t >= 0 && t < static_cast<int32_t>(producer.size()))
        producer[t] = static_cast<int>(i);
  }
  for (int32_t t : sg_.outputs)
    if (t >= 0 && t < static_cast<int32_t>(consumers.size())) ++consumers[t];
  for (size_t i = 0; i < sg_.operators.size(); ++i) {
    if (!quantized_[i]) continue;
    const fb::OperatorT& op = *sg_.operators[i];
    const OpRule& rule = *FindOpRule(OpOf(*model_, op));
    if (rule.output != OutputRule::kSharedWithInputs || !params_[op.outputs[0]])
      continue;
    for (int32_t t : op.inputs) {
      if (!IsFloatActivation(t) || consumers[t] != 1 || producer[t] < 0 ||
          !quantized_[producer[t]])
        continue;
      const OpRule& made_by =
          *FindOpRule(OpOf(*model_, *sg_.operators[producer[t]]));
      if (made_by.output == OutputRule::kCalibrated)
        params_[t] = params_[op.outputs[0]];
    }
  }
  // Remaining activations (graph inputs/outputs next to float ops).
  for (size_t t = 0; t < params_.size(); ++t)
    if (!params_[t] && IsFloatActivation(static_cast<int32_t>(t)))
      params_[t] = Natural(static_cast<int32_t>(t));
}

bool IntegerRewriter::Run(const std::set<int>& force_float,
                          IntegerResult* result) {
  const size_t num_ops = sg_.operators.size();
  const size_t num_tensors = sg_.tensors.size();
  quantized_.assign(num_ops, false);
  params_.assign(num_tensors, std::nullopt);
  native_int_.assign(num_tensors, false);
  std::vector<const OpRule*> rules(num_ops, nullptr);
  for (size_t i = 0; i < num_ops; ++i) {
    const fb::OperatorT& op = *sg_.operators[i];
    const fb::BuiltinOperator code = OpOf(*model_, op);
    rules[i] = FindOpRule(code);
    std::string why = WhyFloat(static_cast<int>(i), rules[i]);
    if (why.empty() && force_float.count(static_cast<int>(i)))
      why = "--auto-fallback";
    quantized_[i] = why.empty();
    if (!why.empty()) {
      const std::string out = op.outputs.empty() || op.outputs[0] < 0
                                  ? ""
                                  : sg_.tensors[op.outputs[0]]->name;
      report_->float_ops.push_back(
          std::string(fb::EnumNameBuiltinOperator(code)) + " (" + out +
          "): " + why);
    }
  }
  DecideParams();

  // Graph inputs: integer storage with --io int8.
  for (int32_t t : sg_.inputs)
    if (options_.integer_io && IsFloatActivation(t) && params_[t])
      MakeInteger(t, *params_[t]);

  std::vector<std::unique_ptr<fb::OperatorT>> ops;
  for (size_t i = 0; i < num_ops; ++i) {
    std::unique_ptr<fb::OperatorT> op = std::move(sg_.operators[i]);
    if (!quantized_[i]) {
      ++report_->ops_float;
      for (int32_t& t : op->inputs)
        if (t >= 0 && t < static_cast<int32_t>(num_tensors) && native_int_[t])
          t = GetFloat(t, &ops);
      ops.push_back(std::move(op));
      continue;
    }
    ++report_->ops_quantized;
    const OpRule& rule = *rules[i];
    const int32_t out = op->outputs[0];
    const Params out_params = *params_[out];
    const int32_t original_in0 = op->inputs[0];
    const Params in0_params =
        params_[original_in0] ? *params_[original_in0] : out_params;
    for (size_t k = 0; k < op->inputs.size(); ++k) {
      const int32_t t = op->inputs[k];
      if (t < 0 || t >= static_cast<int32_t>(num_tensors)) continue;
      if (sg_.tensors[t]->type != fb::TensorType::FLOAT32) {
        if (!native_int_[t]) continue;  // int32 shapes, axes...
      }
      if (rule.weighted && k >= 1) continue;  // QuantizeWeights below
      const bool shared = rule.output == OutputRule::kSharedWithInputs ||
                          rule.output == OutputRule::kSameAsInput;
      if (IsConstant(*model_, *sg_.tensors[t])) {
        op->inputs[k] = QuantizeConstant(t, shared ? &out_params : nullptr);
        continue;
      }
      const Params need = rule.output == OutputRule::kSharedWithInputs
                              ? out_params
                              : *params_[t];
      op->inputs[k] = GetInteger(t, need, &ops);
    }
    if (rule.weighted) {
      QuantizeWeights(op.get(), rule, in0_params, original_in0);
    }
    for (int32_t t : op->outputs)
      if (t >= 0) MakeInteger(t, *params_[t]);
    SetOpVersion(model_, op.get(),
                 int16_ ? rule.version_int16 : rule.version_int8);
    ops.push_back(std::move(op));
  }

  // Graph outputs in the requested I/O type; the tensor the user sees keeps
  // the original name.
  auto rename_pair = [&](int32_t original, int32_t replacement,
                         const char* suffix) {
    std::string name = sg_.tensors[original]->name;
    sg_.tensors[original]->name = name + suffix;
    sg_.tensors[replacement]->name = name;
    for (auto& sig : model_->signature_defs)
      if (sig->subgraph_index == 0)
        for (auto& m : sig->outputs)
          if (static_cast<int32_t>(m->tensor_index) == original)
            m->tensor_index = replacement;
  };
  for (int32_t& t : sg_.outputs) {
    if (t < 0 || t >= static_cast<int32_t>(num_tensors)) continue;
    if (!options_.integer_io && native_int_[t]) {
      const int32_t f = GetFloat(t, &ops);
      rename_pair(t, f, (std::string("_") + IntName()).c_str());
      t = f;
    } else if (options_.integer_io && !native_int_[t] && IsFloatActivation(t) &&
               params_[t]) {
      const int32_t q = GetInteger(t, *params_[t], &ops);
      rename_pair(t, q, "_float");
      t = q;
    }
  }
  sg_.operators = std::move(ops);

  result->integer_tensor.assign(num_tensors, -1);
  for (size_t t = 0; t < num_tensors; ++t) {
    if (native_int_[t]) {
      result->integer_tensor[t] = static_cast<int32_t>(t);
    } else {
      for (const auto& [key, value] : int_cache_)
        if (key.first == static_cast<int32_t>(t)) {
          result->integer_tensor[t] = value;
          break;
        }
    }
  }
  result->op_quantized = quantized_;
  return true;
}

}  // namespace

bool RewriteInteger(fb::ModelT* model, const std::vector<TensorStats>& stats,
                    const QuantizeOptions& options,
                    const std::set<int>& force_float, IntegerResult* result,
                    QuantizeReport* report, convert::Diagnostics* diag) {
  if (model->subgraphs.empty()) {
    diag->errors.push_back("model has no subgraph");
    return false;
  }
  IntegerRewriter rewriter(model, stats, options, report, diag);
  return rewriter.Run(force_float, result);
}

}  // namespace ember::quantize
