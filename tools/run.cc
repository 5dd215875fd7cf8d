// `ember run [MODEL] [--input NAME=FILE.npy ...] [--random-inputs SEED]
//            [--output-dir DIR] [--threads N] [--json]`
// Loads the model (or the built-in one), feeds inputs, invokes once, then
// reports and optionally writes every output.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "cli_util.h"
#include "commands.h"
#include "default_model.h"
#include "inputs.h"
#include "runtime/interpreter.h"
#include "tensor_stats.h"

namespace ember::cli {
namespace {

using nlohmann::json;

// Where each input of the primary subgraph gets its values.
struct InputPlan {
  std::vector<NpyArray> arrays;       // per position; empty when random
  std::vector<const NpyArray*> data;  // per position; nullptr: random
  std::vector<std::string> sources;   // per position, for the report
};

// Creates DIR if needed; it must end up a directory.
int PrepareOutputDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    return Fail(kExitError, "cannot use output directory '%s': %s", dir.c_str(),
                ec ? ec.message().c_str() : "not a directory");
  }
  return kExitOk;
}

// Reads the .npy files and resizes inputs to their shapes. Inputs not given
// use the built-in samples (built-in model only) or random values.
int PlanInputs(const RunOptions& o, const DefaultModel* builtin, Subgraph& sg,
               InputPlan* plan) {
  std::vector<std::string> files;
  if (int rc = MatchInputSpecs(o.inputs, sg, &files)) return rc;
  const size_t n = files.size();
  plan->arrays.assign(n, NpyArray());
  plan->data.assign(n, nullptr);
  plan->sources.assign(n, "");
  const bool use_samples = builtin && o.inputs.empty() && !o.random_inputs;
  for (size_t i = 0; i < n; ++i) {
    const Tensor& t = sg.tensors()[sg.inputs()[i]];
    if (!files[i].empty()) {
      ErrorReporter errors;
      if (!ReadNpy(files[i], &plan->arrays[i], errors).ok())
        return Fail(kExitError, "input '%s': %s", t.name, errors.message());
      plan->data[i] = &plan->arrays[i];
      plan->sources[i] = files[i];
    } else if (use_samples && i == 0) {
      plan->data[i] = &builtin->samples;
      plan->sources[i] = "built-in sample digits";
    } else if (o.random_inputs) {
      plan->sources[i] = "random (seed " + std::to_string(o.seed) + ")";
      continue;
    } else {
      const std::string name = *t.name ? t.name : std::to_string(i);
      return Fail(kExitUsage,
                  "input %zu ('%s') has no value: pass --input %s=FILE.npy "
                  "or --random-inputs SEED",
                  i, t.name, name.c_str());
    }
    const std::string what = "'" + plan->sources[i] + "'";
    if (int rc = ApplyInputArray(*plan->data[i], what, static_cast<int>(i), sg))
      return rc;
  }
  return kExitOk;
}

// Copies the planned arrays into the allocated inputs; generates the rest.
int FillInputs(const RunOptions& o, const InputPlan& plan, Subgraph& sg) {
  for (size_t i = 0; i < plan.data.size(); ++i) {
    Tensor& t = sg.tensors()[sg.inputs()[i]];
    const NpyArray* src = plan.data[i];
    if (src == nullptr) {
      if (!FillRandom(t, o.seed, static_cast<int>(i))) return kExitError;
      continue;
    }
    if (src->data.size() != t.bytes || (t.bytes > 0 && t.data == nullptr)) {
      return Fail(kExitError,
                  "input %zu ('%s'): %zu bytes of data for a %zu-byte tensor",
                  i, t.name, src->data.size(), t.bytes);
    }
    if (t.bytes > 0) memcpy(t.data, src->data.data(), t.bytes);
  }
  return kExitOk;
}

// Describes (and with --output-dir writes) every output.
int ReportOutputs(const RunOptions& o, Subgraph& sg, json* outputs) {
  std::vector<std::string> names;
  for (size_t i = 0; i < sg.outputs().size(); ++i) {
    names.push_back(SanitizeFileName(sg.tensors()[sg.outputs()[i]].name,
                                     static_cast<int>(i)));
  }
  names = Deduplicate(names);
  for (size_t i = 0; i < sg.outputs().size(); ++i) {
    const int32_t index = sg.outputs()[i];
    const Tensor& t = sg.tensors()[index];
    json j = TensorJson(DescribeTensor(t, index, sg.ShapeSignature(index)));
    if (const auto stats = ComputeStats(t)) {
      j["min"] = stats->min;
      j["max"] = stats->max;
      j["mean"] = stats->mean;
      j["dequantized"] = stats->dequantized;
      json top = json::array();
      for (const auto& [k, v] : stats->top)
        top.push_back({{"index", k}, {"value", v}});
      j["top5"] = top;
    }
    if (!o.output_dir.empty()) {
      const std::string path =
          (std::filesystem::path(o.output_dir) / (names[i] + ".npy")).string();
      ErrorReporter errors;
      if (!WriteNpy(path, t.type, ShapeVector(t.shape), t.data, t.bytes, errors)
               .ok())
        return Fail(kExitError, "output '%s': %s", t.name, errors.message());
      j["file"] = path;
    }
    outputs->push_back(std::move(j));
  }
  return kExitOk;
}

void PrintHuman(const json& r) {
  printf("Model: %s\n", r["model"].get<std::string>().c_str());
  printf("\nInputs:\n");
  Table inputs({"#", "name", "type", "shape", "values"});
  for (const json& in : r["inputs"]) {
    inputs.Add({in["position"].dump(), in["name"].get<std::string>(),
                in["type"].get<std::string>(), ShapeString(in["shape"]),
                in["source"].get<std::string>()});
  }
  inputs.Print();
  printf("\nInvoke: %.3f ms (%d thread%s)\n", r["invoke_ms"].get<double>(),
         r["threads"].get<int>(), r["threads"].get<int>() == 1 ? "" : "s");
  printf("\nOutputs:\n");
  Table outputs({"#", "name", "type", "shape", "min", "max", "mean", "file"});
  size_t position = 0;
  for (const json& out : r["outputs"]) {
    const bool stats = out.contains("min");
    auto num = [&](const char* key) {
      return stats ? FormatNumber(out[key].get<double>()) : std::string("-");
    };
    outputs.Add({std::to_string(position++), out["name"].get<std::string>(),
                 out["type"].get<std::string>(), ShapeString(out["shape"]),
                 num("min"), num("max"), num("mean"),
                 out.contains("file") ? out["file"].get<std::string>() : "-"});
  }
  outputs.Print();
  bool dequantized = false;
  for (const json& out : r["outputs"])
    dequantized |= out.value("dequantized", false);
  if (dequantized)
    printf(
        "  (quantized outputs: values dequantized, scale * (q - "
        "zero_point))\n");
  for (const json& out : r["outputs"]) {
    if (!out.contains("top5") || out["top5"].empty()) continue;
    std::string line;
    for (const json& e : out["top5"]) {
      line += "  " + e["index"].dump() + ": " +
              FormatNumber(e["value"].get<double>());
    }
    printf("  top-5 of '%s':%s\n", out["name"].get<std::string>().c_str(),
           line.c_str());
  }
  if (r.contains("predictions")) PrintDigitPredictions(r["predictions"]);
  if (r.contains("delegates")) PrintDelegates(r["delegates"]);
}

}  // namespace

int Run(const RunOptions& o) {
  DefaultModel builtin;
  std::unique_ptr<Model> file_model;
  const bool use_builtin = o.model_path.empty();
  if (use_builtin && o.trust.any())
    return Fail(kExitUsage, "--trust/--device-key need a MODEL file");
  if (use_builtin ? !LoadDefaultModel(&builtin)
                  : !LoadModelFile(o.model_path, o.trust, &file_model)) {
    return kExitError;
  }
  const Model& model = use_builtin ? *builtin.model : *file_model;
  const std::string model_name = use_builtin ? kDefaultModelName : o.model_path;

  InterpreterOptions options;
  options.weight_cache_dir = o.weight_cache;
  options.num_threads = o.threads;
  ErrorReporter errors;
  std::unique_ptr<Interpreter> interp;
  if (!Interpreter::Create(model, OpResolver::Builtins(), options, errors,
                           &interp)
           .ok())
    return Fail(kExitError, "cannot run '%s': %s", model_name.c_str(),
                errors.message());
  std::shared_ptr<delegate::AppliedDelegates> delegates;
  if (int rc = ApplyDelegateFlags(o.delegates, *interp, &delegates)) return rc;
  Subgraph& sg = interp->primary();

  InputPlan plan;
  if (int rc = PlanInputs(o, use_builtin ? &builtin : nullptr, sg, &plan))
    return rc;
  if (!o.output_dir.empty()) {
    if (int rc = PrepareOutputDir(o.output_dir)) return rc;
  }
  if (!interp->AllocateTensors().ok()) {
    return Fail(kExitError, "cannot prepare '%s': %s", model_name.c_str(),
                interp->errors().message());
  }
  if (int rc = FillInputs(o, plan, sg)) return rc;

  const auto start = std::chrono::steady_clock::now();
  const Status status = interp->Invoke();
  const auto end = std::chrono::steady_clock::now();
  if (!status.ok()) {
    return Fail(kExitError, "invoke failed: %s", interp->errors().message());
  }

  json report = {
      {"model", model_name},
      {"threads", o.threads},
      {"invoke_ms",
       std::chrono::duration<double, std::milli>(end - start).count()},
      {"inputs", json::array()},
      {"outputs", json::array()}};
  for (size_t i = 0; i < sg.inputs().size(); ++i) {
    const int32_t index = sg.inputs()[i];
    json j = TensorJson(
        DescribeTensor(sg.tensors()[index], index, sg.ShapeSignature(index)));
    j["position"] = i;
    j["source"] = plan.sources[i];
    report["inputs"].push_back(std::move(j));
  }
  if (int rc = ReportOutputs(o, sg, &report["outputs"])) return rc;
  // After invoke: a partition that failed there shows as on the CPU.
  if (!o.delegates.delegates.empty())
    report["delegates"] = DelegatesJson(delegates.get());
  if (use_builtin && !plan.data.empty() && plan.data[0] == &builtin.samples &&
      !sg.outputs().empty()) {
    report["predictions"] =
        DigitPredictions(sg.tensors()[sg.outputs()[0]], builtin.labels);
  }
  if (o.json) {
    PrintJson(report);
  } else {
    PrintHuman(report);
  }
  return kExitOk;
}

}  // namespace ember::cli
