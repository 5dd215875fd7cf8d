// `ember quantize IN.tflite -o OUT.tflite --mode fp16|dynamic|int8|int16x8
//   [--calibration DIR|FILE.npy|FILE.npz] [--per-tensor] [--io float|int8]
//   [--calibration-method minmax|percentile|mse] [--keep-float REGEX ...]
//   [--auto-fallback N] [--report FILE] [--json]`
// Post-training quantization of a float .tflite model (src/quantize). The
// output is written atomically and only when everything succeeded.
#include "convert/quantize/quantize.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "cli_util.h"
#include "command_registry.h"

namespace ember::cli {
namespace {

using nlohmann::json;

struct QuantizeArgs {
  std::string input, output, mode, calibration, io = "float", method = "mse",
                                                report, equalize = "auto";
  std::vector<std::string> keep_float;
  bool per_tensor = false, json_out = false, progress = false,
       no_bias_correction = false;
  double percentile = 99.99;
  int auto_fallback = 0, random_samples = 32;
  int64_t min_weight_elements = 1024;
  uint32_t seed = 1;
};

json ReportJson(const QuantizeArgs& a, const quantize::QuantizeReport& r) {
  json j;
  j["input"] = a.input;
  j["output"] = a.output;
  j["mode"] = a.mode;
  j["bytes_before"] = r.bytes_before;
  j["bytes_after"] = r.bytes_after;
  j["ops_quantized"] = r.ops_quantized;
  j["ops_float"] = r.ops_float;
  j["float_ops"] = r.float_ops;
  j["output_sqnr_db"] = r.output_sqnr_db;
  json tensors = json::array();
  for (const auto& t : r.tensors)
    tensors.push_back({{"name", t.name},
                       {"type", t.type},
                       {"scale", t.scale},
                       {"zero_point", t.zero_point},
                       {"sqnr_db", t.sqnr_db}});
  j["tensors"] = tensors;
  return j;
}

void PrintReport(const quantize::QuantizeReport& r) {
  std::printf("size: %s -> %s\n", FormatBytes(r.bytes_before).c_str(),
              FormatBytes(r.bytes_after).c_str());
  std::printf("ops quantized: %d, float: %d\n", r.ops_quantized, r.ops_float);
  for (const std::string& why : r.float_ops)
    std::printf("  float: %s\n", why.c_str());
  for (size_t k = 0; k < r.output_sqnr_db.size(); ++k)
    std::printf("output %zu SQNR vs float: %.2f dB\n", k, r.output_sqnr_db[k]);
  if (r.tensors.empty()) return;
  Table table({"tensor", "type", "scale", "zero_point", "SQNR dB"});
  for (const auto& t : r.tensors)
    table.Add({t.name, t.type, FormatNumber(t.scale),
               std::to_string(t.zero_point), FormatNumber(t.sqnr_db)});
  table.Print();
}

int RunQuantize(const QuantizeArgs& a) {
  static const std::map<std::string, quantize::Mode> kModes = {
      {"fp16", quantize::Mode::kFloat16},
      {"dynamic", quantize::Mode::kDynamic},
      {"int8", quantize::Mode::kInt8},
      {"int16x8", quantize::Mode::kInt16x8}};
  static const std::map<std::string, quantize::RangeMethod> kMethods = {
      {"minmax", quantize::RangeMethod::kMinMax},
      {"percentile", quantize::RangeMethod::kPercentile},
      {"mse", quantize::RangeMethod::kMse}};
  quantize::QuantizeOptions options;
  options.mode = kModes.at(a.mode);
  options.method = kMethods.at(a.method);
  options.percentile = a.percentile;
  options.per_channel = !a.per_tensor;
  options.integer_io = a.io == "int8";
  options.keep_float = a.keep_float;
  options.bias_correction = !a.no_bias_correction;
  options.auto_fallback = a.auto_fallback;
  options.min_weight_elements = a.min_weight_elements;
  options.equalize =
      a.equalize == "on"    ? quantize::QuantizeOptions::Equalize::kOn
      : a.equalize == "off" ? quantize::QuantizeOptions::Equalize::kOff
                            : quantize::QuantizeOptions::Equalize::kAuto;
  options.progress = a.progress || isatty(STDERR_FILENO);
  for (const std::string& pattern : a.keep_float) {
    try {
      std::regex re(pattern);
    } catch (const std::regex_error&) {
      return Fail(kExitUsage,
                  "--keep-float '%s' is not a valid regular expression",
                  pattern.c_str());
    }
  }
  if (a.percentile <= 50 || a.percentile > 100)
    return Fail(kExitUsage, "--percentile must be in (50, 100], got %g",
                a.percentile);

  convert::Diagnostics diag;
  auto fail_with = [&](int code) {
    for (const auto& e : diag.errors) Fail(code, "%s", e.c_str());
    return code;
  };
  fb::ModelT model;
  if (!convert::LoadTflite(a.input, &model, &diag))
    return fail_with(kExitError);
  if (model.subgraphs.empty())
    return Fail(kExitError, "%s: model has no subgraphs", a.input.c_str());
  std::vector<quantize::Sample> samples;
  if (!a.calibration.empty()) {
    if (!quantize::LoadCalibration(a.calibration, model, &samples, &diag))
      return fail_with(kExitError);
  } else if (options.mode == quantize::Mode::kInt8 ||
             options.mode == quantize::Mode::kInt16x8) {
    Warn(
        "no --calibration given: calibrating on %d seeded random inputs; "
        "activation ranges will not match real data, give representative "
        "inputs for a usable model",
        a.random_samples);
    samples = quantize::RandomSamples(model, a.random_samples, a.seed);
  }
  quantize::QuantizeReport report;
  if (!quantize::QuantizeModel(&model, samples, options, &report, &diag))
    return fail_with(kExitError);
  for (const auto& w : diag.warnings) Warn("%s", w.c_str());
  if (report.ops_quantized == 0)
    Warn(
        "no op was quantized (is the model already quantized, or are its ops "
        "unsupported?)");
  if (!convert::WriteTflite(model, a.output, &diag))
    return fail_with(kExitError);
  json j = ReportJson(a, report);
  j["notes"] = diag.notes;
  if (!a.report.empty()) {
    std::ofstream out(a.report);
    out << j.dump(2) << "\n";
    if (!out)
      return Fail(kExitError, "%s: cannot write the report", a.report.c_str());
  }
  if (a.json_out)
    PrintJson(j);
  else {
    for (const auto& note : diag.notes) std::printf("%s\n", note.c_str());
    PrintReport(report);
  }
  return kExitOk;
}

}  // namespace

RegisteredCommand AddQuantizeCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "quantize",
      "Post-training quantization: fp16, dynamic range, int8, int16x8");
  auto a = std::make_shared<QuantizeArgs>();
  cmd->add_option("MODEL", a->input, "float .tflite model")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", a->output, "output .tflite")->required();
  cmd->add_option("--mode", a->mode, "fp16 | dynamic | int8 | int16x8")
      ->required()
      ->check(CLI::IsMember({"fp16", "dynamic", "int8", "int16x8"}));
  cmd->add_option("--calibration", a->calibration,
                  "calibration inputs: directory of .npy, FILE.npy (first dim "
                  "= samples) or FILE.npz");
  cmd->add_flag("--per-tensor", a->per_tensor,
                "per-tensor weights (default per-channel)");
  cmd->add_option("--io", a->io,
                  "model input/output type for int8/int16x8: float | int8")
      ->check(CLI::IsMember({"float", "int8"}));
  cmd->add_option("--calibration-method", a->method,
                  "mse (default) | minmax | percentile")
      ->check(CLI::IsMember({"minmax", "percentile", "mse"}));
  cmd->add_option("--percentile", a->percentile,
                  "percentile for --calibration-method percentile");
  cmd->add_option(
      "--keep-float", a->keep_float,
      "regex on op name or output tensor name: keep those ops float");
  cmd->add_option("--auto-fallback", a->auto_fallback,
                  "keep the N ops with the worst output SQNR in float")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--no-bias-correction", a->no_bias_correction,
                "do not correct conv/FC biases for weight rounding");
  cmd->add_option(
         "--equalize", a->equalize,
         "cross-layer equalization: auto (with --per-tensor) | on | off")
      ->check(CLI::IsMember({"auto", "on", "off"}));
  cmd->add_option(
      "--min-weight-elements", a->min_weight_elements,
      "dynamic mode: smaller weight tensors stay float (default 1024)");
  cmd->add_option(
         "--random-samples", a->random_samples,
         "random calibration samples when no --calibration (default 32)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", a->seed, "seed of the random calibration samples");
  cmd->add_option("--report", a->report,
                  "write a JSON report (scales, SQNR, sizes)");
  cmd->add_flag("--json", a->json_out, "print the report as JSON");
  cmd->add_flag("--progress", a->progress,
                "progress bar on stderr even when not a TTY");
  return {cmd, [a] { return RunQuantize(*a); }};
}

}  // namespace ember::cli
