// `ember metadata MODEL [--json]` shows a model's TFLite Metadata;
// `ember metadata MODEL -o OUT --task ... --labels FILE` writes it (the
// model's tensors are checked against the task first; OUT is written
// atomically, never partially).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli_util.h"
#include "command_registry.h"
#include "metadata/model_metadata.h"
#include "metadata/task_metadata.h"
#include "processing/sentencepiece.h"

namespace ember::cli {
namespace {

using nlohmann::json;
namespace md = metadata::fb;

struct MetadataArgs {
  std::string model;
  std::string output;
  bool json = false;
  std::string task;
  std::string labels;
  std::string vocab, delim_regex;  // text_classifier
  std::string sentencepiece;       // text tasks: a SentencePiece .model
  int sample_rate = 16000;         // audio_classifier
  std::vector<float> mean, std;
  std::string name, description, version, author, license;
  float score_threshold = -1;
};

json FilesJson(const std::vector<std::unique_ptr<md::AssociatedFileT>>& files) {
  json out = json::array();
  for (const auto& f : files) {
    json j = {{"name", f->name},
              {"type", md::EnumNameAssociatedFileType(f->type)}};
    if (!f->description.empty()) j["description"] = f->description;
    if (!f->locale.empty()) j["locale"] = f->locale;
    if (!f->version.empty()) j["version"] = f->version;
    out.push_back(j);
  }
  return out;
}

json ProcessUnitsJson(
    const std::vector<std::unique_ptr<md::ProcessUnitT>>& units) {
  json out = json::array();
  for (const auto& unit : units) {
    json j = {
        {"options_type", md::EnumNameProcessUnitOptions(unit->options.type)}};
    json& o = j["options"] = json::object();
    if (const auto* n = unit->options.AsNormalizationOptions()) {
      o = {{"mean", n->mean}, {"std", n->std}};
    } else if (const auto* c = unit->options.AsScoreCalibrationOptions()) {
      o = {{"score_transformation",
            md::EnumNameScoreTransformationType(c->score_transformation)},
           {"default_score", c->default_score}};
    } else if (const auto* t = unit->options.AsScoreThresholdingOptions()) {
      o = {{"global_score_threshold", t->global_score_threshold}};
    } else if (const auto* b = unit->options.AsBertTokenizerOptions()) {
      o = {{"vocab_file", FilesJson(b->vocab_file)}};
    } else if (const auto* s =
                   unit->options.AsSentencePieceTokenizerOptions()) {
      o = {{"sentencePiece_model", FilesJson(s->sentencePiece_model)},
           {"vocab_file", FilesJson(s->vocab_file)}};
    } else if (const auto* r = unit->options.AsRegexTokenizerOptions()) {
      o = {{"delim_regex_pattern", r->delim_regex_pattern},
           {"vocab_file", FilesJson(r->vocab_file)}};
    }
    out.push_back(j);
  }
  return out;
}

json ContentJson(const md::ContentT& content) {
  const auto& p = content.content_properties;
  json j = {{"content_properties_type", md::EnumNameContentProperties(p.type)}};
  json& props = j["content_properties"] = json::object();
  if (const auto* image = p.AsImageProperties()) {
    props["color_space"] = md::EnumNameColorSpaceType(image->color_space);
    if (image->default_size)
      props["default_size"] = {{"width", image->default_size->width},
                               {"height", image->default_size->height}};
  } else if (const auto* box = p.AsBoundingBoxProperties()) {
    props = {
        {"index", box->index},
        {"type", md::EnumNameBoundingBoxType(box->type)},
        {"coordinate_type", md::EnumNameCoordinateType(box->coordinate_type)}};
  } else if (const auto* audio = p.AsAudioProperties()) {
    props = {{"sample_rate", audio->sample_rate},
             {"channels", audio->channels}};
  }
  if (content.range)
    j["range"] = {{"min", content.range->min}, {"max", content.range->max}};
  return j;
}

json TensorsJson(const std::vector<std::unique_ptr<md::TensorMetadataT>>& ts) {
  json out = json::array();
  for (const auto& t : ts) {
    json j = {{"name", t->name}};
    if (!t->description.empty()) j["description"] = t->description;
    if (!t->dimension_names.empty()) j["dimension_names"] = t->dimension_names;
    if (t->content) j["content"] = ContentJson(*t->content);
    if (!t->process_units.empty())
      j["process_units"] = ProcessUnitsJson(t->process_units);
    if (t->stats) j["stats"] = {{"max", t->stats->max}, {"min", t->stats->min}};
    if (!t->associated_files.empty())
      j["associated_files"] = FilesJson(t->associated_files);
    out.push_back(j);
  }
  return out;
}

json MetadataJson(const metadata::ModelMetadataBundle& bundle) {
  const md::ModelMetadataT& m = bundle.metadata;
  json j = json::object();
  for (const auto& [key, value] :
       {std::pair{"name", &m.name},
        {"description", &m.description},
        {"version", &m.version},
        {"author", &m.author},
        {"license", &m.license},
        {"min_parser_version", &m.min_parser_version}})
    if (!value->empty()) j[key] = *value;
  json subgraphs = json::array();
  for (const auto& sg : m.subgraph_metadata) {
    json s = json::object();
    if (!sg->name.empty()) s["name"] = sg->name;
    if (!sg->description.empty()) s["description"] = sg->description;
    s["input_tensor_metadata"] = TensorsJson(sg->input_tensor_metadata);
    s["output_tensor_metadata"] = TensorsJson(sg->output_tensor_metadata);
    if (!sg->associated_files.empty())
      s["associated_files"] = FilesJson(sg->associated_files);
    if (!sg->input_process_units.empty())
      s["input_process_units"] = ProcessUnitsJson(sg->input_process_units);
    if (!sg->output_process_units.empty())
      s["output_process_units"] = ProcessUnitsJson(sg->output_process_units);
    for (const auto& [key, groups] :
         {std::pair{"input_tensor_groups", &sg->input_tensor_groups},
          {"output_tensor_groups", &sg->output_tensor_groups}}) {
      if (groups->empty()) continue;
      json g = json::array();
      for (const auto& group : *groups)
        g.push_back(
            {{"name", group->name}, {"tensor_names", group->tensor_names}});
      s[key] = g;
    }
    if (!sg->custom_metadata.empty()) {
      json c = json::array();
      for (const auto& custom : sg->custom_metadata)
        c.push_back({{"name", custom->name}, {"bytes", custom->data.size()}});
      s["custom_metadata"] = c;
    }
    subgraphs.push_back(s);
  }
  j["subgraph_metadata"] = subgraphs;
  if (!m.associated_files.empty())
    j["associated_files"] = FilesJson(m.associated_files);
  json packed = json::array();
  for (const auto& f : bundle.files)
    packed.push_back({{"name", f.name}, {"bytes", f.data.size()}});
  j["packed_files"] = packed;
  return j;
}

void PrintTensors(const char* role, const json& tensors) {
  for (const json& t : tensors) {
    std::printf("  %s '%s'", role, t["name"].get<std::string>().c_str());
    if (t.contains("content"))
      std::printf(
          ": %s",
          t["content"]["content_properties_type"].get<std::string>().c_str());
    std::printf("\n");
    if (t.contains("process_units"))
      for (const json& u : t["process_units"])
        std::printf("    %s %s\n", u["options_type"].get<std::string>().c_str(),
                    u["options"].dump().c_str());
    if (t.contains("associated_files"))
      for (const json& f : t["associated_files"])
        std::printf("    file %s (%s)\n", f["name"].get<std::string>().c_str(),
                    f["type"].get<std::string>().c_str());
  }
}

int Show(const MetadataArgs& a) {
  std::vector<uint8_t> bytes;
  std::string error;
  if (!metadata::ReadWholeFile(a.model, &bytes, &error))
    return Fail(kExitError, "%s", error.c_str());
  metadata::ModelMetadataBundle bundle;
  switch (metadata::ReadModelMetadata(bytes, &bundle, &error)) {
    case metadata::ReadResult::kError:
      return Fail(kExitError, "%s: %s", a.model.c_str(), error.c_str());
    case metadata::ReadResult::kNoMetadata:
      return Fail(kExitError,
                  "%s: no TFLite metadata (no TFLITE_METADATA entry); add it "
                  "with: ember metadata %s -o OUT --task image_classifier "
                  "--labels labels.txt",
                  a.model.c_str(), a.model.c_str());
    case metadata::ReadResult::kOk:
      break;
  }
  const json j = MetadataJson(bundle);
  if (a.json) {
    PrintJson(j);
    return kExitOk;
  }
  std::printf("%s: %s\n", a.model.c_str(),
              j.value("name", "(no name)").c_str());
  for (const char* key :
       {"description", "version", "author", "license", "min_parser_version"})
    if (j.contains(key))
      std::printf("  %s: %s\n", key, j[key].get<std::string>().c_str());
  for (const json& s : j["subgraph_metadata"]) {
    PrintTensors("input", s["input_tensor_metadata"]);
    PrintTensors("output", s["output_tensor_metadata"]);
  }
  for (const json& f : j["packed_files"])
    std::printf("  packed %s (%zu bytes)\n",
                f["name"].get<std::string>().c_str(), f["bytes"].get<size_t>());
  return kExitOk;
}

int Write(MetadataArgs a) {  // a copy: --sentencepiece fills vocab
  metadata::TaskMetadataOptions options;
  if (a.task.empty())
    return Fail(kExitUsage,
                "-o needs --task (image_classifier, object_detector, "
                "face_detector, image_segmenter, image_embedder, "
                "text_classifier, text_embedder or audio_classifier)");
  if (!metadata::ParseTaskKind(a.task, &options.task))
    return Fail(
        kExitUsage,
        "--task '%s' is not supported (image_classifier, object_detector, "
        "face_detector, image_segmenter, image_embedder, text_classifier, "
        "text_embedder, audio_classifier)",
        a.task.c_str());
  const bool text = options.task == metadata::TaskKind::kTextClassifier ||
                    options.task == metadata::TaskKind::kTextEmbedder;
  const bool needs_labels =
      options.task == metadata::TaskKind::kImageClassifier ||
      options.task == metadata::TaskKind::kObjectDetector ||
      options.task == metadata::TaskKind::kTextClassifier ||
      options.task == metadata::TaskKind::kAudioClassifier;
  if (a.labels.empty() && needs_labels)
    return Fail(kExitUsage, "--task %s needs --labels FILE", a.task.c_str());
  if (!a.sentencepiece.empty()) {
    if (!a.vocab.empty())
      return Fail(kExitUsage, "give --vocab or --sentencepiece, not both");
    if (!text)
      return Fail(kExitUsage,
                  "--sentencepiece FILE goes with --task text_classifier or "
                  "text_embedder (and only with them)");
    a.vocab = a.sentencepiece;  // packed and named like a vocabulary
    options.sentencepiece = true;
  }
  if (text != !a.vocab.empty())
    return Fail(
        kExitUsage,
        "--vocab FILE goes with --task text_classifier or text_embedder "
        "(and only with them)");
  if (!a.delim_regex.empty()) options.delim_regex = a.delim_regex;
  options.sample_rate = a.sample_rate;
  std::vector<uint8_t> model_bytes;
  std::string error;
  if (!metadata::ReadWholeFile(a.model, &model_bytes, &error) ||
      (!a.labels.empty() &&
       !metadata::ReadWholeFile(a.labels, &options.labels, &error)) ||
      (text && !metadata::ReadWholeFile(a.vocab, &options.vocab, &error)))
    return Fail(kExitError, "%s", error.c_str());
  // A SentencePiece model is checked by the library that will read it,
  // where the module is there (writing metadata does not need it).
  std::unique_ptr<processing::SentencePieceTokenizer> sentencepiece;
  if (options.sentencepiece &&
      !processing::SentencePieceTokenizer::ModulePath().empty() &&
      !processing::SentencePieceTokenizer::Create(options.vocab, &sentencepiece,
                                                  &error))
    return Fail(kExitError, "%s: %s", a.vocab.c_str(), error.c_str());
  if (text) {
    const size_t cut = a.vocab.find_last_of('/');
    options.vocab_name =
        cut == std::string::npos ? a.vocab : a.vocab.substr(cut + 1);
  }
  const size_t slash = a.labels.find_last_of('/');
  options.labels_name =
      slash == std::string::npos ? a.labels : a.labels.substr(slash + 1);
  if (!a.mean.empty()) options.mean = a.mean;
  if (!a.std.empty()) options.std = a.std;
  options.name = a.name;
  options.description = a.description;
  options.version = a.version;
  options.author = a.author;
  options.license = a.license;
  options.score_threshold = a.score_threshold;
  metadata::ModelMetadataBundle bundle;
  std::vector<uint8_t> out;
  if (!metadata::BuildTaskMetadata(model_bytes, options, &bundle, &error) ||
      !metadata::WriteModelMetadata(model_bytes, bundle, &out, &error))
    return Fail(kExitError, "%s: %s", a.model.c_str(), error.c_str());
  if (!metadata::WriteFileAtomically(a.output, out, &error))
    return Fail(kExitError, "%s", error.c_str());
  if (a.json) {
    json j = {{"ok", true},
              {"output", a.output},
              {"bytes", out.size()},
              {"metadata", MetadataJson(bundle)}};
    PrintJson(j);
  } else {
    std::printf("wrote %s (%zu bytes, %s metadata, %zu packed file%s)\n",
                a.output.c_str(), out.size(), a.task.c_str(),
                bundle.files.size(), bundle.files.size() == 1 ? "" : "s");
  }
  return kExitOk;
}

}  // namespace

RegisteredCommand AddMetadataCommand(CLI::App& app) {
  auto args = std::make_shared<MetadataArgs>();
  CLI::App* cmd = app.add_subcommand(
      "metadata",
      "Show or write a model's TFLite Metadata (labels, normalization)");
  cmd->add_option("MODEL", args->model, ".tflite file")->required();
  cmd->add_flag("--json", args->json, "Print one JSON object");
  cmd->add_option(
      "--output,-o", args->output,
      "Write MODEL with new metadata to OUT (needs --task, --labels)");
  cmd->add_option("--task", args->task,
                  "image_classifier, object_detector, face_detector, "
                  "image_segmenter, image_embedder, text_classifier, "
                  "text_embedder or audio_classifier");
  cmd->add_option("--labels", args->labels, "Label file, one label per line");
  cmd->add_option("--sentencepiece", args->sentencepiece,
                  "text tasks: a SentencePiece model (.model), packed with "
                  "the model; its piece ids are the input")
      ->check(CLI::ExistingFile);
  cmd->add_option("--vocab", args->vocab,
                  "text tasks: vocabulary, \"word id\" per line "
                  "(<PAD>, <START>, <UNKNOWN> included)");
  cmd->add_option("--sample-rate", args->sample_rate,
                  "audio_classifier: the input's sample rate in Hz (default "
                  "16000)");
  cmd->add_option("--delim-regex", args->delim_regex,
                  "text tasks: the pattern words are split on "
                  "(default [^\\w\\']+)");
  cmd->add_option("--mean", args->mean,
                  "Input normalization mean (1 or per channel)")
      ->expected(1, 4);
  cmd->add_option("--std", args->std,
                  "Input normalization std (1 or per channel)")
      ->expected(1, 4);
  cmd->add_option("--name", args->name, "Model name");
  cmd->add_option("--description", args->description, "Model description");
  cmd->add_option("--model-version", args->version, "Model version string");
  cmd->add_option("--author", args->author, "Model author");
  cmd->add_option("--license", args->license, "Model license");
  cmd->add_option("--score-threshold", args->score_threshold,
                  "Default score threshold for the task")
      ->check(CLI::Range(0.0, 1.0));
  return {cmd,
          [args] { return args->output.empty() ? Show(*args) : Write(*args); }};
}

}  // namespace ember::cli
