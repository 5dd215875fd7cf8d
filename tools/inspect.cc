// `ember inspect MODEL [--json]`: everything worth knowing about a model
// before running it. The facts are gathered once into a JSON object
// (describe/model_json.h, shared with `ember report` and Ember Studio); the
// human-readable view is rendered from that same object.
#include <cstdio>
#include <string>

#include "cli_util.h"
#include "commands.h"
#include "describe/model_json.h"
#include "runtime/interpreter.h"

namespace ember::cli {
namespace {

using nlohmann::json;

// Builds an interpreter and plans memory; fills in the arena sizes.
json Plan(const Model& model, const DelegateFlags& flags, json& subgraphs,
          json* delegates, int* rc) {
  ErrorReporter errors;
  std::unique_ptr<Interpreter> interp;
  Status status =
      Interpreter::Create(model, OpResolver::Builtins(), {}, errors, &interp);
  if (!status.ok()) {
    const bool unsupported = status.code() == StatusCode::kUnsupported;
    return {{"status", unsupported ? "skipped" : "failed"},
            {"message", errors.message()}};
  }
  std::shared_ptr<delegate::AppliedDelegates> applied;
  *rc = ApplyDelegateFlags(flags, *interp, &applied);
  if (*rc != kExitOk) return {{"status", "failed"}, {"message", "delegates"}};
  if (!interp->AllocateTensors().ok()) {
    return {{"status", "failed"}, {"message", interp->errors().message()}};
  }
  for (int s = 0; s < interp->num_subgraphs(); ++s) {
    const Subgraph& sg = *interp->subgraph(s);
    subgraphs[s]["arena_bytes"] = sg.arena_bytes();
    subgraphs[s]["arena_lower_bound"] = sg.arena_lower_bound();
  }
  if (!flags.delegates.empty()) *delegates = DelegatesJson(applied.get());
  return {{"status", "ok"}, {"message", ""}};
}

std::string OrDash(const json& value) {
  if (value.is_null()) return "-";
  return FormatBytes(value.get<size_t>());
}

void PrintTensors(const char* title, const json& tensors) {
  printf("  %s:\n", title);
  Table table({"#", "name", "type", "shape", "signature", "quantization"});
  for (const json& t : tensors) {
    table.Add({t["index"].dump(), t["name"].get<std::string>(),
               t["type"].get<std::string>(), ShapeString(t["shape"]),
               ShapeString(t["shape_signature"]),
               QuantString(t["quantization"])});
  }
  table.Print(4);
}

void PrintHuman(const json& r) {
  printf("Model: %s\n", r["file"].get<std::string>().c_str());
  printf("  size: %s\n", FormatBytes(r["file_bytes"].get<size_t>()).c_str());
  printf("  schema version: %u\n", r["schema_version"].get<unsigned>());
  if (!r["description"].get<std::string>().empty())
    printf("  description: %s\n", r["description"].get<std::string>().c_str());

  printf("\nSubgraphs:\n");
  Table sgs({"#", "name", "tensors", "ops", "arena (planned)", "lower bound"});
  for (const json& sg : r["subgraphs"]) {
    sgs.Add({sg["index"].dump(), sg["name"].get<std::string>(),
             sg["tensors"].dump(), sg["ops"].dump(), OrDash(sg["arena_bytes"]),
             OrDash(sg["arena_lower_bound"])});
  }
  sgs.Print();
  const json& plan = r["planning"];
  if (plan["status"] != "ok") {
    printf("  memory planning %s: %s\n",
           plan["status"] == "skipped" ? "skipped" : "failed",
           plan["message"].get<std::string>().c_str());
  }
  for (const json& sg : r["subgraphs"]) {
    printf("\nSubgraph %s \"%s\"\n", sg["index"].dump().c_str(),
           sg["name"].get<std::string>().c_str());
    PrintTensors("inputs", sg["inputs"]);
    PrintTensors("outputs", sg["outputs"]);
  }

  printf("\nOps:\n");
  Table ops({"op", "version", "count", "ember"});
  for (const json& op : r["ops"]) {
    ops.Add({op["name"].get<std::string>(), op["version"].dump(),
             op["count"].dump(), op["supported"] ? "yes" : "NO"});
  }
  ops.Print();

  if (!r["metadata"].empty()) {
    printf("\nMetadata:\n");
    Table meta({"name", "bytes", "value"});
    for (const json& m : r["metadata"]) {
      meta.Add({m["name"].get<std::string>(), m["bytes"].dump(),
                m.contains("value") ? m["value"].get<std::string>() : ""});
    }
    meta.Print();
  }
  if (!r["signatures"].empty()) {
    printf("\nSignatures:\n");
    for (const json& s : r["signatures"]) {
      printf("  '%s' (subgraph %s)\n", s["key"].get<std::string>().c_str(),
             s["subgraph"].dump().c_str());
      for (const char* side : {"inputs", "outputs"}) {
        for (const json& m : s[side]) {
          printf("    %-7s %s -> tensor %s '%s'\n", side,
                 m["name"].get<std::string>().c_str(),
                 m["tensor"].dump().c_str(),
                 m["tensor_name"].get<std::string>().c_str());
        }
      }
    }
  }
  if (r.contains("delegates")) {
    printf("\nDelegates:\n");
    PrintDelegates(r["delegates"]);
  }
}

}  // namespace

int Inspect(const InspectOptions& options) {
  std::unique_ptr<Model> model;
  if (!LoadModelFile(options.model_path, options.trust, &model))
    return kExitError;
  json report = describe::DescribeModel(*model, options.model_path);
  if (!options.delegates.delegates.empty()) {
    // Planned again with the delegates applied: their partitions change the
    // arena, and the report lists what each delegate took.
    json delegates;
    int rc = kExitOk;
    report["planning"] =
        Plan(*model, options.delegates, report["subgraphs"], &delegates, &rc);
    if (rc != kExitOk) return rc;
    if (!delegates.is_null()) report["delegates"] = delegates;
  }
  if (options.json) {
    PrintJson(report);
  } else {
    PrintHuman(report);
  }
  return kExitOk;
}

}  // namespace ember::cli
