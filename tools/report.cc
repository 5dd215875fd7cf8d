// `ember report MODEL -o report.html [--profile] [--threads N]`: Ember
// Studio's views (model, graph, arena plan, outputs, per-op profile) of a
// native run, as one self-contained HTML file: the data is embedded as JSON
// and the Studio's CSS and views.js are inlined, so the file opens anywhere
// without a network or a server. The JSON comes from src/describe, the code
// the WebAssembly build hands Studio.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli_util.h"
#include "command_registry.h"
#include "describe/model_json.h"
#include "describe/run_json.h"
#include "inputs.h"
#include "kernels/dispatch/cpu_features.h"
#include "runtime/interpreter.h"
#include "studio_assets.h"

namespace ember::cli {
namespace {

using nlohmann::json;

struct ReportArgs {
  std::string model;
  std::string output;
  bool profile = false;
  int threads = 1;
  int runs = 20;
  uint64_t seed = 0;
  bool json = false;
};

// Outputs larger than this are embedded in part (the views say so).
constexpr int64_t kMaxEmbeddedValues = 1 << 16;

template <typename T>
void AppendValues(const Tensor& t, int64_t n, json* values) {
  const T* data = t.data_as<T>();
  for (int64_t i = 0; i < n; ++i)
    values->push_back(static_cast<double>(data[i]));
}

// The output's values as JSON numbers (null for types the views cannot
// show).
json OutputValues(const Tensor& t, int64_t n) {
  json values = json::array();
  switch (t.type) {
    case DataType::kFloat32:
      AppendValues<float>(t, n, &values);
      break;
    case DataType::kFloat64:
      AppendValues<double>(t, n, &values);
      break;
    case DataType::kInt8:
      AppendValues<int8_t>(t, n, &values);
      break;
    case DataType::kUInt8:
      AppendValues<uint8_t>(t, n, &values);
      break;
    case DataType::kBool:
      AppendValues<uint8_t>(t, n, &values);
      break;
    case DataType::kInt16:
      AppendValues<int16_t>(t, n, &values);
      break;
    case DataType::kUInt16:
      AppendValues<uint16_t>(t, n, &values);
      break;
    case DataType::kInt32:
      AppendValues<int32_t>(t, n, &values);
      break;
    case DataType::kUInt32:
      AppendValues<uint32_t>(t, n, &values);
      break;
    case DataType::kInt64:
      AppendValues<int64_t>(t, n, &values);
      break;
    default:
      return nullptr;
  }
  return values;
}

std::string Asset(const unsigned char* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Text that goes inside <script>: "</" would end the element early.
std::string ScriptSafe(std::string text) {
  for (size_t at = text.find("</"); at != std::string::npos;
       at = text.find("</", at + 3)) {
    text.replace(at, 2, "<\\/");
  }
  return text;
}

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderHtml(const std::string& title, const json& data) {
  const std::string data_text =
      ScriptSafe(data.dump(-1, ' ', false, json::error_handler_t::replace));
  std::string html;
  html +=
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<title>Ember report: " + HtmlEscape(title) + "</title>\n<style>\n";
  html += Asset(studio::studio_css, studio::studio_css_size);
  html +=
      "</style>\n</head>\n<body>\n<header><h1>Ember report</h1><span "
      "class=\"note\">" +
      HtmlEscape(title) +
      "</span></header>\n<main><div id=\"error\" role=\"alert\"></div>"
      "<div id=\"views\"></div></main>\n";
  html += "<script id=\"ember-report-data\" type=\"application/json\">" +
          data_text + "</script>\n<script>\n";
  html += ScriptSafe(Asset(studio::views_js, studio::views_js_size));
  html +=
      "</script>\n<script>\n"
      "try {\n"
      "  const data = JSON.parse(document.getElementById('ember-report-data')"
      ".textContent);\n"
      "  EmberViews.render(document.getElementById('views'), data);\n"
      "  document.body.dataset.state = 'ready';\n"
      "} catch (e) {\n"
      "  const box = document.getElementById('error');\n"
      "  box.textContent = 'This report cannot be shown: ' + e.message;\n"
      "  box.classList.add('shown');\n"
      "  document.body.dataset.state = 'error';\n"
      "}\n</script>\n</body>\n</html>\n";
  return html;
}

// Write-then-rename: a failed write never leaves a partial report.
bool WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  FILE* f = fopen(tmp.c_str(), "wb");
  if (f == nullptr) return false;
  bool ok = fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    remove(tmp.c_str());
    return false;
  }
  return true;
}

int RunReport(const ReportArgs& a) {
  using Clock = std::chrono::steady_clock;
  std::unique_ptr<Model> model;
  if (!LoadModelFile(a.model, &model)) return kExitError;
  json data;
  data["model"] = describe::DescribeModel(*model, a.model);
  ErrorReporter errors;
  InterpreterOptions options;
  options.num_threads = a.threads;
  std::unique_ptr<Interpreter> interp;
  if (!Interpreter::Create(*model, OpResolver::Builtins(), options, errors,
                           &interp)
           .ok()) {
    return Fail(kExitError, "%s", errors.message());
  }
  if (!interp->AllocateTensors().ok())
    return Fail(kExitError, "%s", interp->errors().message());
  json graphs = json::array();
  for (int s = 0; s < interp->num_subgraphs(); ++s)
    graphs.push_back(describe::DescribeGraph(*interp->subgraph(s)));
  data["model"]["graphs"] = std::move(graphs);
  data["model"]["allowed_isas"] = interp->allowed_isas().ToString();

  Subgraph& sg = interp->primary();
  for (size_t i = 0; i < sg.inputs().size(); ++i) {
    if (!FillRandom(sg.tensors()[sg.inputs()[i]], a.seed, static_cast<int>(i)))
      return kExitError;
  }
  if (!interp->Invoke().ok())
    return Fail(kExitError, "%s", interp->errors().message());
  json outputs = json::array();
  for (int32_t index : sg.outputs()) {
    const Tensor& t = sg.tensors()[index];
    const int64_t n = std::min<int64_t>(t.NumElements(), kMaxEmbeddedValues);
    std::string name = t.name ? t.name : "";
    if (n < t.NumElements())
      name += " (first " + std::to_string(n) + " values)";
    outputs.push_back({{"name", name},
                       {"dtype", DataTypeName(t.type)},
                       {"shape", ShapeVector(t.shape)},
                       {"values", OutputValues(t, n)}});
    if (outputs.back()["values"].is_null())
      outputs.back()["values"] = json::array();
  }
  data["outputs"] = std::move(outputs);
  data["run"] = {{"engine", std::string("Ember ") + EMBER_VERSION + " native"},
                 {"threads", a.threads},
                 {"cpu features", dispatch::CpuFeaturesString()},
                 {"inputs", "random, seed " + std::to_string(a.seed)}};
  if (a.profile) {
    // Warm up (first-touch page faults, caches) before timing.
    for (int i = 0; i < std::min(a.runs, 3); ++i) {
      if (!interp->Invoke().ok())
        return Fail(kExitError, "%s", interp->errors().message());
    }
    sg.EnableProfiling(true);
    std::vector<double> times;
    for (int i = 0; i < a.runs; ++i) {
      const auto start = Clock::now();
      if (!interp->Invoke().ok())
        return Fail(kExitError, "%s", interp->errors().message());
      times.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - start)
              .count());
    }
    std::sort(times.begin(), times.end());
    data["profile"] = {{"runs", a.runs},
                       {"min_ms", times.front()},
                       {"median_ms", times[times.size() / 2]},
                       {"profile", describe::DescribeProfile(sg, a.runs)}};
    sg.EnableProfiling(false);
  }
  if (!WriteFileAtomically(a.output, RenderHtml(a.model, data)))
    return Fail(kExitError, "cannot write '%s'", a.output.c_str());
  const json& plan = data["model"]["graphs"][0]["plan"];
  if (a.json) {
    PrintJson({{"report", a.output},
               {"nodes", data["model"]["graphs"][0]["nodes"].size()},
               {"arena_bytes", plan["arena_bytes"]},
               {"profiled", a.profile}});
  } else {
    printf("wrote %s (%zu nodes, arena %s)\n", a.output.c_str(),
           data["model"]["graphs"][0]["nodes"].size(),
           FormatBytes(plan["arena_bytes"].get<size_t>()).c_str());
  }
  return kExitOk;
}

}  // namespace

RegisteredCommand AddReportCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write one self-contained HTML page (Ember Studio's views) about a "
      "model and a native run");
  auto args = std::make_shared<ReportArgs>();
  cmd->add_option("MODEL", args->model, ".tflite file")->required();
  cmd->add_option("-o,--output", args->output, "HTML file to write")
      ->required();
  cmd->add_flag("--profile", args->profile, "time every op (--runs runs)");
  cmd->add_option("--threads,-t", args->threads, "number of threads")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--runs", args->runs, "profiled runs (default 20)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--seed", args->seed, "seed of the random inputs (0)");
  cmd->add_flag("--json", args->json, "print one JSON object");
  return {cmd, [args] { return RunReport(*args); }};
}

}  // namespace ember::cli
