// `ember prune IN.tflite -o OUT.tflite --sparsity S [--block 1x4|4x1|none]
// [--norm l2|l1] [--json]`: magnitude pruning of 1x1 CONV_2D and
// FULLY_CONNECTED float weights, written with the .tflite sparsity
// encoding behind DENSIFY ops (src/prune). Prints the file sizes and each
// layer's sparsity.
#include "convert/prune/prune.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli_util.h"
#include "command_registry.h"

namespace ember::cli {
namespace {

struct PruneArgs {
  std::string input, output, block = "1x4", norm = "l2";
  double sparsity = -1.0;
  bool json = false;
};

int RunPrune(const PruneArgs& a) {
  prune::PruneOptions options;
  if (!(a.sparsity >= 0.0 && a.sparsity < 1.0))
    return Fail(kExitUsage, "--sparsity must be in [0, 1), got %g", a.sparsity);
  options.sparsity = a.sparsity;
  if (!prune::ParseBlockShape(a.block, &options.block))
    return Fail(kExitUsage, "--block must be 1x4, 4x1 or none, got '%s'",
                a.block.c_str());
  if (a.norm == "l2") {
    options.norm = prune::BlockNorm::kL2;
  } else if (a.norm == "l1") {
    options.norm = prune::BlockNorm::kL1;
  } else {
    return Fail(kExitUsage, "--norm must be l2 or l1, got '%s'",
                a.norm.c_str());
  }
  std::error_code ec;
  if (std::filesystem::equivalent(a.input, a.output, ec))
    return Fail(kExitUsage, "output would overwrite the input '%s'",
                a.input.c_str());
  convert::Diagnostics diag;
  fb::ModelT model;
  std::vector<prune::LayerReport> layers;
  bool ok = convert::LoadTflite(a.input, &model, &diag) &&
            prune::PruneModel(&model, options, &layers, &diag) &&
            convert::WriteTflite(model, a.output, &diag);
  for (const auto& w : diag.warnings) Warn("%s", w.c_str());
  if (!ok) {
    for (const auto& e : diag.errors) Fail(kExitError, "%s", e.c_str());
    return kExitError;
  }
  const auto before = std::filesystem::file_size(a.input, ec);
  const auto after = std::filesystem::file_size(a.output, ec);
  int64_t weights = 0, zeros = 0;
  for (const auto& l : layers) {
    weights += l.weights;
    zeros += l.zeros;
  }
  if (a.json) {
    nlohmann::json j;
    j["input"] = a.input;
    j["output"] = a.output;
    j["sparsity"] = a.sparsity;
    j["block"] = a.block;
    j["norm"] = a.norm;
    j["bytes_before"] = before;
    j["bytes_after"] = after;
    j["pruned_weights"] = weights;
    j["zero_weights"] = zeros;
    j["notes"] = diag.notes;
    j["layers"] = nlohmann::json::array();
    for (const auto& l : layers) {
      j["layers"].push_back({{"subgraph", l.subgraph},
                             {"op_index", l.op_index},
                             {"op", l.op},
                             {"tensor", l.tensor},
                             {"shape", l.shape},
                             {"block", l.block},
                             {"weights", l.weights},
                             {"zeros", l.zeros},
                             {"stored_values", l.stored_values},
                             {"sparsity", l.sparsity()}});
    }
    PrintJson(j);
    return kExitOk;
  }
  std::printf("pruned %zu layer(s), %s blocks, %s norm\n", layers.size(),
              a.block.c_str(), a.norm.c_str());
  std::printf("size   %s -> %s\n", FormatBytes(before).c_str(),
              FormatBytes(after).c_str());
  std::printf("zeros  %lld of %lld weights (%.1f%%)\n",
              static_cast<long long>(zeros), static_cast<long long>(weights),
              weights ? 100.0 * static_cast<double>(zeros) /
                            static_cast<double>(weights)
                      : 0.0);
  for (const auto& n : diag.notes) std::printf("note   %s\n", n.c_str());
  Table table({"op", "tensor", "shape", "block", "sparsity", "stored"});
  for (const auto& l : layers) {
    std::string shape = "[";
    for (size_t i = 0; i < l.shape.size(); ++i)
      shape += (i ? ", " : "") + std::to_string(l.shape[i]);
    shape += "]";
    char pct[32];
    std::snprintf(pct, sizeof(pct), "%.1f%%", 100.0 * l.sparsity());
    table.Add({std::to_string(l.op_index) + ":" + l.op, l.tensor, shape,
               l.block, pct, std::to_string(l.stored_values)});
  }
  table.Print();
  return kExitOk;
}

}  // namespace

RegisteredCommand AddPruneCommand(CLI::App& app) {
  CLI::App* cmd =
      app.add_subcommand("prune",
                         "Magnitude-prune 1x1 conv / fully connected float "
                         "weights (sparse .tflite)");
  auto args = std::make_shared<PruneArgs>();
  cmd->add_option("INPUT", args->input, ".tflite file")->required();
  cmd->add_option("-o,--output", args->output, "pruned .tflite to write")
      ->required();
  cmd->add_option("--sparsity", args->sparsity,
                  "fraction of blocks to zero, in [0, 1)")
      ->required();
  cmd->add_option("--block", args->block,
                  "block shape: 1x4 (default), 4x1 or none");
  cmd->add_option("--norm", args->norm, "block ranking: l2 (default) or l1");
  cmd->add_flag("--json", args->json, "print one JSON object");
  return {cmd, [args] { return RunPrune(*args); }};
}

}  // namespace ember::cli
