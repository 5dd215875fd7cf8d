// `ember inspect MODEL [--json]`: everything worth knowing about a model
// before running it. The facts are gathered once into a JSON object; the
// human-readable view is rendered from that same object.
#include <cstdio>
#include <map>
#include <string>
#include <tuple>

#include "cli_util.h"
#include "commands.h"
#include "runtime/interpreter.h"

namespace ember::cli {
namespace {

using nlohmann::json;

json DescribeOps(const Model& model) {
  const fb::Model& m = *model.fb();
  const OpResolver& ember_ops = OpResolver::Builtins();
  // (name, version) -> count, in name order.
  std::map<std::pair<std::string, int>, std::tuple<int, bool>> histogram;
  for (const fb::SubGraph* sg : *m.subgraphs()) {
    if (sg->operators() == nullptr) continue;
    for (const fb::Operator* op : *sg->operators()) {
      const fb::OperatorCode& code =
          *m.operator_codes()->Get(op->opcode_index());
      const int32_t builtin = Model::BuiltinCode(&code);
      const bool supported =
          builtin == static_cast<int32_t>(fb::BuiltinOperator::CUSTOM)
              ? ember_ops.FindCustom(code.custom_code()->c_str()) != nullptr
              : ember_ops.FindBuiltin(builtin) != nullptr;
      auto& entry = histogram[{OpCodeName(code), code.version()}];
      std::get<0>(entry) += 1;
      std::get<1>(entry) = supported;
    }
  }
  json ops = json::array();
  for (const auto& [key, value] : histogram) {
    ops.push_back({{"name", key.first},
                   {"version", key.second},
                   {"count", std::get<0>(value)},
                   {"supported", std::get<1>(value)}});
  }
  return ops;
}

json DescribeSubgraphs(const Model& model) {
  json out = json::array();
  const auto& sgs = *model.fb()->subgraphs();
  for (uint32_t s = 0; s < sgs.size(); ++s) {
    const fb::SubGraph& sg = *sgs.Get(s);
    const auto* tensors = sg.tensors();
    auto io = [&](const flatbuffers::Vector<int32_t>* list) {
      json arr = json::array();
      if (list == nullptr) return arr;
      for (int32_t t : *list)
        arr.push_back(TensorJson(DescribeTensor(*tensors->Get(t), t)));
      return arr;
    };
    out.push_back({{"index", s},
                   {"name", sg.name() ? sg.name()->str() : ""},
                   {"tensors", tensors ? tensors->size() : 0},
                   {"ops", sg.operators() ? sg.operators()->size() : 0},
                   {"inputs", io(sg.inputs())},
                   {"outputs", io(sg.outputs())},
                   {"arena_bytes", nullptr},
                   {"arena_lower_bound", nullptr}});
  }
  return out;
}

// Builds an interpreter and plans memory; fills in the arena sizes.
json Plan(const Model& model, json& subgraphs) {
  ErrorReporter errors;
  std::unique_ptr<Interpreter> interp;
  Status status =
      Interpreter::Create(model, OpResolver::Builtins(), {}, errors, &interp);
  if (!status.ok()) {
    const bool unsupported = status.code() == StatusCode::kUnsupported;
    return {{"status", unsupported ? "skipped" : "failed"},
            {"message", errors.message()}};
  }
  if (!interp->AllocateTensors().ok()) {
    return {{"status", "failed"}, {"message", interp->errors().message()}};
  }
  for (int s = 0; s < interp->num_subgraphs(); ++s) {
    const Subgraph& sg = *interp->subgraph(s);
    subgraphs[s]["arena_bytes"] = sg.arena_bytes();
    subgraphs[s]["arena_lower_bound"] = sg.arena_lower_bound();
  }
  return {{"status", "ok"}, {"message", ""}};
}

json DescribeMetadata(const Model& model) {
  json out = json::array();
  const auto* metadata = model.fb()->metadata();
  if (metadata == nullptr) return out;
  for (const fb::Metadata* entry : *metadata) {
    const uint8_t* data;
    size_t size;
    model.BufferData(entry->buffer(), &data, &size);
    json j = {{"name", entry->name() ? entry->name()->str() : ""},
              {"buffer", entry->buffer()},
              {"bytes", size}};
    if (j["name"] == "min_runtime_version") {
      // A NUL-padded version string, e.g. "1.14.0".
      size_t n = 0;
      while (n < size && data[n] != 0) ++n;
      j["value"] = std::string(reinterpret_cast<const char*>(data), n);
    }
    out.push_back(std::move(j));
  }
  return out;
}

json DescribeSignatures(const Model& model) {
  json out = json::array();
  const auto* sigs = model.fb()->signature_defs();
  if (sigs == nullptr) return out;
  for (const fb::SignatureDef* sig : *sigs) {
    const fb::SubGraph& sg =
        *model.fb()->subgraphs()->Get(sig->subgraph_index());
    auto maps =
        [&](const flatbuffers::Vector<flatbuffers::Offset<fb::TensorMap>>*
                list) {
          json arr = json::array();
          if (list == nullptr) return arr;
          for (const fb::TensorMap* m : *list) {
            const fb::Tensor& t = *sg.tensors()->Get(m->tensor_index());
            arr.push_back({{"name", m->name()->str()},
                           {"tensor", m->tensor_index()},
                           {"tensor_name", t.name() ? t.name()->str() : ""}});
          }
          return arr;
        };
    out.push_back(
        {{"key", sig->signature_key() ? sig->signature_key()->str() : ""},
         {"subgraph", sig->subgraph_index()},
         {"inputs", maps(sig->inputs())},
         {"outputs", maps(sig->outputs())}});
  }
  return out;
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
}

}  // namespace

int Inspect(const InspectOptions& options) {
  std::unique_ptr<Model> model;
  if (!LoadModelFile(options.model_path, options.trust, &model))
    return kExitError;
  const fb::Model& m = *model->fb();
  json report = {{"file", options.model_path},
                 {"file_bytes", model->size()},
                 {"schema_version", m.version()},
                 {"description", m.description() ? m.description()->str() : ""},
                 {"subgraphs", DescribeSubgraphs(*model)},
                 {"ops", DescribeOps(*model)},
                 {"metadata", DescribeMetadata(*model)},
                 {"signatures", DescribeSignatures(*model)}};
  report["planning"] = Plan(*model, report["subgraphs"]);
  if (options.json) {
    PrintJson(report);
  } else {
    PrintHuman(report);
  }
  return kExitOk;
}

}  // namespace ember::cli
