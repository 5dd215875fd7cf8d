// QuantizeModel: dispatches on the mode, then measures what it did (sizes,
// per-tensor SQNR against the float model on the calibration samples).
#include "convert/quantize/quantize.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "convert/quantize/calibration.h"
#include "convert/quantize/equalize.h"
#include "convert/quantize/integer.h"
#include "convert/quantize/model_edit.h"
#include "convert/quantize/weight_only.h"
#include "schema/schema_unpack.h"

namespace ember::quantize {
namespace {

// Converts float inputs to the integer type of a quantized model's input.
Sample AdaptSample(const Sample& sample, Subgraph& sg) {
  Sample out = sample;
  for (size_t k = 0; k < sample.size() && k < sg.inputs().size(); ++k) {
    const Tensor& t = sg.tensors()[sg.inputs()[k]];
    if (sample[k].type != DataType::kFloat32 || t.type == DataType::kFloat32 ||
        !t.quant.quantized())
      continue;
    const size_t n = sample[k].data.size() / 4;
    const float* v = reinterpret_cast<const float*>(sample[k].data.data());
    const float scale = t.quant.scale0();
    const int32_t zp = t.quant.zero_point0();
    const bool i8 = t.type == DataType::kInt8;
    const double lo = i8 ? -128 : -32768, hi = i8 ? 127 : 32767;
    out[k].type = t.type;
    out[k].data.resize(n * (i8 ? 1 : 2));
    for (size_t i = 0; i < n; ++i) {
      const double q = std::clamp(
          std::round(static_cast<double>(v[i]) / scale) + zp, lo, hi);
      if (i8)
        out[k].data[i] = static_cast<uint8_t>(static_cast<int8_t>(q));
      else
        reinterpret_cast<int16_t*>(out[k].data.data())[i] =
            static_cast<int16_t>(q);
    }
  }
  return out;
}

double Sqnr(double signal, double noise) {
  if (noise <= 0) return 200.0;  // identical: report a large finite value
  if (signal <= 0) return -200.0;
  return 10.0 * std::log10(signal / noise);
}

// Signal and noise energy per compared pair, accumulated over samples.
struct Energy {
  double signal = 0, noise = 0;
};

// Runs both models on every sample; `pairs` maps a float-model tensor to
// the quantized model's tensor holding the same value. Also compares the
// model outputs position by position.
bool Compare(const std::vector<uint8_t>& float_bytes,
             const std::vector<uint8_t>& quant_bytes,
             const std::vector<Sample>& samples,
             const std::vector<std::pair<int32_t, int32_t>>& pairs,
             std::vector<Energy>* tensor_energy,
             std::vector<Energy>* output_energy, convert::Diagnostics* diag) {
  ModelRunner float_runner, quant_runner;
  if (!float_runner.Init(float_bytes, diag) ||
      !quant_runner.Init(quant_bytes, diag))
    return false;
  tensor_energy->assign(pairs.size(), Energy{});
  std::map<int32_t, std::vector<size_t>> by_float;
  std::map<int32_t, size_t> by_quant;
  for (size_t i = 0; i < pairs.size(); ++i) by_quant[pairs[i].second] = i;
  for (const Sample& sample : samples) {
    std::vector<std::vector<float>> reference(pairs.size());
    std::map<int32_t, std::vector<float>> float_values;
    for (size_t i = 0; i < pairs.size(); ++i) float_values[pairs[i].first];
    if (!float_runner.Run(
            sample,
            [&](int32_t index, const Tensor& t) {
              auto it = float_values.find(index);
              if (it != float_values.end()) it->second = DequantizedValues(t);
            },
            diag))
      return false;
    Subgraph& fsg = float_runner.primary();
    std::vector<std::vector<float>> float_outputs;
    for (int32_t o : fsg.outputs())
      float_outputs.push_back(DequantizedValues(fsg.tensors()[o]));
    if (!quant_runner.Run(
            AdaptSample(sample, quant_runner.primary()),
            [&](int32_t index, const Tensor& t) {
              auto it = by_quant.find(index);
              if (it == by_quant.end()) return;
              const std::vector<float>& f =
                  float_values[pairs[it->second].first];
              const std::vector<float> q = DequantizedValues(t);
              if (f.size() != q.size()) return;
              Energy& e = (*tensor_energy)[it->second];
              for (size_t i = 0; i < f.size(); ++i) {
                e.signal += static_cast<double>(f[i]) * f[i];
                e.noise += static_cast<double>(f[i] - q[i]) * (f[i] - q[i]);
              }
            },
            diag))
      return false;
    Subgraph& qsg = quant_runner.primary();
    output_energy->resize(float_outputs.size());
    for (size_t k = 0; k < float_outputs.size() && k < qsg.outputs().size();
         ++k) {
      const std::vector<float> q =
          DequantizedValues(qsg.tensors()[qsg.outputs()[k]]);
      const std::vector<float>& f = float_outputs[k];
      if (q.size() != f.size()) continue;
      for (size_t i = 0; i < f.size(); ++i) {
        (*output_energy)[k].signal += static_cast<double>(f[i]) * f[i];
        (*output_energy)[k].noise +=
            static_cast<double>(f[i] - q[i]) * (f[i] - q[i]);
      }
    }
  }
  return true;
}

std::vector<uint8_t> Reserialize(const fb::ModelT& model) {
  return convert::SerializeTflite(model);
}

void Reload(const std::vector<uint8_t>& bytes, fb::ModelT* model) {
  *model = fb::ModelT();
  UnpackModel(*fb::GetModel(bytes.data()), model);
}

// The integer modes: calibrate, rewrite, measure; with auto-fallback the
// N quantized ops whose outputs have the worst SQNR are kept float and the
// rewrite is redone.
bool QuantizeInteger(fb::ModelT* model, const std::vector<Sample>& samples,
                     const QuantizeOptions& options, QuantizeReport* report,
                     convert::Diagnostics* diag) {
  if (samples.empty()) {
    diag->errors.push_back("integer quantization needs calibration samples");
    return false;
  }
  // The reference for SQNR is the model as given, before equalization.
  const std::vector<uint8_t> float_bytes = Reserialize(*model);
  const bool equalize = options.equalize == QuantizeOptions::Equalize::kOn ||
                        (options.equalize == QuantizeOptions::Equalize::kAuto &&
                         !options.per_channel);
  if (equalize) {
    const int pairs = EqualizeCrossLayer(model);
    diag->notes.push_back("cross-layer equalization: " + std::to_string(pairs) +
                          " layer pairs");
  }
  const std::vector<uint8_t> equalized_bytes = Reserialize(*model);
  std::vector<TensorStats> stats;
  if (!Calibrate(*model, samples, options.method != RangeMethod::kMinMax,
                 options.progress, &stats, diag))
    return false;
  std::set<int> force_float;
  std::vector<std::pair<int32_t, int32_t>> pairs;
  std::vector<Energy> energy, output_energy;
  for (int attempt = 0; attempt < 2; ++attempt) {
    QuantizeReport attempt_report;
    attempt_report.bytes_before = report->bytes_before;
    IntegerResult result;
    if (attempt > 0) Reload(equalized_bytes, model);
    if (!RewriteInteger(model, stats, options, force_float, &result,
                        &attempt_report, diag))
      return false;
    const std::vector<int32_t> remap = RemoveUnused(model);
    pairs.clear();
    for (size_t t = 0; t < result.integer_tensor.size(); ++t) {
      const int32_t q = result.integer_tensor[t];
      if (q >= 0 && q < static_cast<int32_t>(remap.size()) && remap[q] >= 0)
        pairs.emplace_back(static_cast<int32_t>(t), remap[q]);
    }
    // Equalization only rescales channels between paired layers; its float
    // model is the reference for per-tensor (and output) SQNR.
    if (!Compare(equalized_bytes, Reserialize(*model), samples, pairs, &energy,
                 &output_energy, diag))
      return false;
    *report = std::move(attempt_report);
    if (options.auto_fallback <= 0 || attempt > 0) break;
    // Rank quantized ops by the SQNR of their first output.
    fb::ModelT original;
    UnpackModel(*fb::GetModel(equalized_bytes.data()), &original);
    std::map<int32_t, double> sqnr_of;
    for (size_t i = 0; i < pairs.size(); ++i)
      sqnr_of[pairs[i].first] = Sqnr(energy[i].signal, energy[i].noise);
    std::vector<std::pair<double, int>> ranked;
    const auto& ops = original.subgraphs[0]->operators;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (!result.op_quantized[i] || ops[i]->outputs.empty()) continue;
      auto it = sqnr_of.find(ops[i]->outputs[0]);
      if (it != sqnr_of.end())
        ranked.emplace_back(it->second, static_cast<int>(i));
    }
    std::sort(ranked.begin(), ranked.end());
    for (int k = 0;
         k < options.auto_fallback && k < static_cast<int>(ranked.size()); ++k)
      force_float.insert(ranked[k].second);
  }
  const fb::SubGraphT& sg = *model->subgraphs[0];
  for (size_t i = 0; i < pairs.size(); ++i) {
    const fb::TensorT& t = *sg.tensors[pairs[i].second];
    TensorReport r;
    r.name = t.name;
    r.type = t.type == fb::TensorType::INT16 ? "int16" : "int8";
    if (t.quantization && !t.quantization->scale.empty()) {
      r.scale = t.quantization->scale[0];
      r.zero_point = t.quantization->zero_point.empty()
                         ? 0
                         : t.quantization->zero_point[0];
    }
    r.sqnr_db = Sqnr(energy[i].signal, energy[i].noise);
    report->tensors.push_back(r);
  }
  for (const Energy& e : output_energy)
    report->output_sqnr_db.push_back(Sqnr(e.signal, e.noise));
  return true;
}

}  // namespace

bool QuantizeModel(fb::ModelT* model, const std::vector<Sample>& samples,
                   const QuantizeOptions& options, QuantizeReport* report,
                   convert::Diagnostics* diag) {
  if (model->subgraphs.empty()) {
    diag->errors.push_back("model has no subgraphs");
    return false;
  }
  report->bytes_before = Reserialize(*model).size();
  // fp16 weights behind DEQUANTIZE become float constants first, so every
  // mode starts from plain float weights.
  FoldConstantDequantize(model);
  const std::vector<uint8_t> float_bytes = Reserialize(*model);
  if (options.mode == Mode::kInt8 || options.mode == Mode::kInt16x8) {
    if (!QuantizeInteger(model, samples, options, report, diag)) return false;
  } else {
    if (options.mode == Mode::kFloat16)
      QuantizeFloat16(model, report);
    else
      QuantizeDynamic(model, options, report);
    RemoveUnused(model);
    if (!samples.empty()) {
      std::vector<Energy> energy, output_energy;
      if (!Compare(float_bytes, Reserialize(*model), samples, {}, &energy,
                   &output_energy, diag))
        return false;
      for (const Energy& e : output_energy)
        report->output_sqnr_db.push_back(Sqnr(e.signal, e.noise));
    }
  }
  report->bytes_after = Reserialize(*model).size();
  return true;
}

}  // namespace ember::quantize
