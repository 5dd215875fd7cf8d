// `ember convert IN -o OUT.tflite`: Keras (.keras/.h5), ONNX (.onnx) or
// .tflite (re-optimized) in, float32 .tflite out. Every error the frontend
// finds is printed; nothing is written unless the whole conversion worked
// and the result passes the runtime's own model verifier.
#include "convert/convert.h"

#include <cstdio>
#include <memory>
#include <string>

#include "cli_util.h"
#include "command_registry.h"
#include "model/model.h"

namespace ember::cli {
namespace {

struct ConvertArgs {
  std::string input;
  std::string output;
  bool verbose = false;
  bool json = false;
  bool no_optimize = false;
  bool nhwc_io = false;
};

std::string Extension(const std::string& path) {
  const size_t dot = path.find_last_of('.');
  const size_t slash = path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
    return "";
  std::string ext = path.substr(dot);
  for (char& c : ext)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

int RunConvert(const ConvertArgs& a) {
  convert::Diagnostics diag;
  convert::ConvertOptions options;
  options.optimize = !a.no_optimize;
  options.nhwc_io = a.nhwc_io;
  fb::ModelT model;
  std::vector<metadata::PackedFile> packed_files;  // metadata's label files
  const std::string ext = Extension(a.input);
  bool ok = false;
  if (ext == ".keras" || ext == ".h5" || ext == ".hdf5") {
    ok = convert::ConvertKeras(a.input, options, &model, &diag);
  } else if (ext == ".onnx") {
    ok = convert::ConvertOnnx(a.input, options, &model, &diag);
    // The ONNX frontend emits one op per node; fusion and cleanup are the
    // shared passes' job.
    if (ok && options.optimize) convert::OptimizeModel(&model, &diag);
    ok = ok && diag.ok();
  } else if (ext == ".tflite") {
    ok = convert::LoadTflite(a.input, &model, &diag) &&
         convert::LoadPackedFiles(a.input, &packed_files, &diag);
    if (ok && options.optimize) convert::OptimizeModel(&model, &diag);
    ok = ok && diag.ok();
  } else {
    diag.errors.push_back(a.input + ": unknown input format '" + ext +
                          "' (expected .keras, .h5, .onnx or .tflite)");
  }
  size_t bytes = 0;
  if (ok) {
    // The result must load in Ember before it is written.
    std::vector<uint8_t> data = convert::SerializeTflite(model);
    bytes = data.size();
    ErrorReporter errors;
    std::unique_ptr<Model> check;
    if (!Model::FromBuffer(data.data(), data.size(), true, errors, &check)
             .ok()) {
      diag.errors.push_back(
          std::string("internal error: the converted model does not verify: ") +
          errors.message());
      ok = false;
    } else {
      ok = convert::WriteTflite(model, a.output, &diag, packed_files);
    }
  }
  if (a.json) {
    nlohmann::json j;
    j["ok"] = ok;
    j["input"] = a.input;
    j["output"] = ok ? nlohmann::json(a.output) : nlohmann::json();
    j["errors"] = diag.errors;
    j["warnings"] = diag.warnings;
    j["notes"] = diag.notes;
    if (ok) {
      j["bytes"] = bytes;
      j["operators"] =
          model.subgraphs.empty() ? 0 : model.subgraphs[0]->operators.size();
    }
    PrintJson(j);
  } else {
    for (const std::string& n : diag.notes)
      if (a.verbose) std::printf("note: %s\n", n.c_str());
    for (const std::string& w : diag.warnings) Warn("%s", w.c_str());
    for (const std::string& e : diag.errors) Fail(kExitError, "%s", e.c_str());
    if (ok)
      std::printf("wrote %s (%zu bytes, %zu ops)\n", a.output.c_str(), bytes,
                  model.subgraphs[0]->operators.size());
  }
  return ok ? kExitOk : kExitError;
}

}  // namespace

RegisteredCommand AddConvertCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("convert",
                                     "Convert a Keras (.keras/.h5), ONNX or "
                                     ".tflite model to an optimized .tflite");
  auto args = std::make_shared<ConvertArgs>();
  cmd->add_option("INPUT", args->input,
                  "model file (.keras, .h5, .onnx, .tflite)")
      ->required();
  cmd->add_option("-o,--output", args->output, "output .tflite file")
      ->required();
  cmd->add_flag("-v,--verbose", args->verbose,
                "print what each graph pass did");
  cmd->add_flag("--json", args->json,
                "print the result (errors, notes, size) as JSON");
  cmd->add_flag("--no-optimize", args->no_optimize, "skip the graph passes");
  cmd->add_flag("--nhwc-io", args->nhwc_io,
                "ONNX: rank-4 inputs/outputs in NHWC (default: keep NCHW, "
                "one TRANSPOSE at each)");
  return {cmd, [args] { return RunConvert(*args); }};
}

}  // namespace ember::cli
