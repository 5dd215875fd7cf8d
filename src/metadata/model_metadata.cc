#include "metadata/model_metadata.h"

#include <cstdio>
#include <filesystem>
#include <set>
#include <system_error>

#include "schema/schema_generated.h"
#include "schema/schema_unpack.h"

namespace ember::metadata {
namespace {

// Verifies the model flatbuffer at the front of `bytes`; what follows it
// (packed files) is outside every offset the verifier follows.
const ember::fb::Model* VerifiedModel(std::span<const uint8_t> bytes,
                                      std::string* error) {
  if (bytes.size() < 8 || !flatbuffers::BufferHasIdentifier(
                              bytes.data(), ember::fb::ModelIdentifier())) {
    *error = "not a .tflite model (no TFL3 identifier)";
    return nullptr;
  }
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  if (!ember::fb::VerifyModelBuffer(verifier)) {
    *error = "the .tflite flatbuffer is malformed or truncated";
    return nullptr;
  }
  return ember::fb::GetModel(bytes.data());
}

// The bytes of the TFLITE_METADATA buffer; false if the model has no such
// entry (error empty) or the entry is out of range (error set).
bool FindMetadataBuffer(const ember::fb::Model& model,
                        std::span<const uint8_t> bytes,
                        std::span<const uint8_t>* buffer, std::string* error) {
  if (model.metadata() == nullptr) return false;
  for (const ember::fb::Metadata* entry : *model.metadata()) {
    if (entry->name() == nullptr || entry->name()->str() != kMetadataEntryName)
      continue;
    const uint32_t index = entry->buffer();
    if (model.buffers() == nullptr || index >= model.buffers()->size()) {
      *error = "TFLITE_METADATA names buffer " + std::to_string(index) +
               ", which the model does not have";
      return false;
    }
    const ember::fb::Buffer* b = model.buffers()->Get(index);
    if (b->offset() > 1) {  // offset/size form (files over 2 GiB)
      if (b->offset() > bytes.size() ||
          b->size() > bytes.size() - b->offset()) {
        *error = "TFLITE_METADATA buffer lies beyond the end of the file";
        return false;
      }
      *buffer = bytes.subspan(b->offset(), b->size());
    } else if (b->data() != nullptr) {
      *buffer = std::span<const uint8_t>(b->data()->data(), b->data()->size());
    } else {
      *buffer = {};
    }
    return true;
  }
  return false;
}

void AddNames(const std::vector<std::unique_ptr<fb::AssociatedFileT>>& files,
              std::vector<std::string>* names) {
  for (const auto& f : files) names->push_back(f->name);
}

void AddProcessUnitNames(
    const std::vector<std::unique_ptr<fb::ProcessUnitT>>& units,
    std::vector<std::string>* names) {
  for (const auto& unit : units) {
    if (const auto* bert = unit->options.AsBertTokenizerOptions()) {
      AddNames(bert->vocab_file, names);
    } else if (const auto* sp =
                   unit->options.AsSentencePieceTokenizerOptions()) {
      AddNames(sp->sentencePiece_model, names);
      AddNames(sp->vocab_file, names);
    } else if (const auto* re = unit->options.AsRegexTokenizerOptions()) {
      AddNames(re->vocab_file, names);
    }
  }
}

void AddTensorNames(const std::vector<std::unique_ptr<fb::TensorMetadataT>>& ts,
                    std::vector<std::string>* names) {
  for (const auto& t : ts) {
    AddNames(t->associated_files, names);
    AddProcessUnitNames(t->process_units, names);
  }
}

}  // namespace

ReadResult ReadModelMetadata(std::span<const uint8_t> model_file,
                             ModelMetadataBundle* out, std::string* error) {
  const ember::fb::Model* model = VerifiedModel(model_file, error);
  if (model == nullptr) return ReadResult::kError;
  std::span<const uint8_t> buffer;
  if (!FindMetadataBuffer(*model, model_file, &buffer, error))
    return error->empty() ? ReadResult::kNoMetadata : ReadResult::kError;
  if (buffer.size() < 8 || !flatbuffers::BufferHasIdentifier(
                               buffer.data(), fb::ModelMetadataIdentifier())) {
    *error = "TFLITE_METADATA buffer (" + std::to_string(buffer.size()) +
             " bytes) does not carry the M001 metadata identifier";
    return ReadResult::kError;
  }
  flatbuffers::Verifier verifier(buffer.data(), buffer.size());
  if (!fb::VerifyModelMetadataBuffer(verifier)) {
    *error = "TFLITE_METADATA buffer is malformed or truncated";
    return ReadResult::kError;
  }
  fb::GetModelMetadata(buffer.data())->UnPackTo(&out->metadata);
  if (!ReadPackedFiles(model_file, &out->files, error))
    return ReadResult::kError;
  for (const std::string& name : AssociatedFileNames(out->metadata)) {
    bool packed = false;
    for (const PackedFile& f : out->files) packed = packed || f.name == name;
    if (!packed) {
      *error = "the metadata names associated file '" + name +
               "' but the model packs no such file (zip archive missing or "
               "truncated?)";
      return ReadResult::kError;
    }
  }
  return ReadResult::kOk;
}

bool ReadPackedFiles(std::span<const uint8_t> model_file,
                     std::vector<PackedFile>* files, std::string* error) {
  bool found = false;
  return ReadStoredZip(model_file, &found, files, error);
}

std::vector<std::string> AssociatedFileNames(
    const fb::ModelMetadataT& metadata) {
  std::vector<std::string> names;
  AddNames(metadata.associated_files, &names);
  for (const auto& sg : metadata.subgraph_metadata) {
    AddNames(sg->associated_files, &names);
    AddTensorNames(sg->input_tensor_metadata, &names);
    AddTensorNames(sg->output_tensor_metadata, &names);
    AddProcessUnitNames(sg->input_process_units, &names);
    AddProcessUnitNames(sg->output_process_units, &names);
  }
  return names;
}

std::string MinParserVersion(const fb::ModelMetadataT& metadata) {
  // The version in which the format added each field or value (the public
  // schema's history). Comparing strings works: every part is one digit.
  std::string version = "1.0.0";
  auto at_least = [&version](const char* v) {
    if (std::string(v) > version) version = v;  // same-length "1.x.y"
  };
  auto check_files =
      [&](const std::vector<std::unique_ptr<fb::AssociatedFileT>>& files) {
        for (const auto& f : files) {
          if (f->type == fb::AssociatedFileType::VOCABULARY) at_least("1.0.1");
          if (f->type == fb::AssociatedFileType::SCANN_INDEX_FILE)
            at_least("1.4.0");
          if (!f->version.empty()) at_least("1.4.1");
        }
      };
  check_files(metadata.associated_files);
  for (const auto& sg : metadata.subgraph_metadata) {
    check_files(sg->associated_files);
    if (!sg->input_process_units.empty() || !sg->output_process_units.empty())
      at_least("1.1.0");
    if (!sg->input_tensor_groups.empty() || !sg->output_tensor_groups.empty())
      at_least("1.2.0");
    if (!sg->custom_metadata.empty()) at_least("1.5.0");
    for (const auto* ts :
         {&sg->input_tensor_metadata, &sg->output_tensor_metadata}) {
      for (const auto& t : *ts) {
        check_files(t->associated_files);
        if (t->content && t->content->content_properties.AsAudioProperties())
          at_least("1.3.0");
        for (const auto& unit : t->process_units) {
          if (unit->options.AsBertTokenizerOptions() ||
              unit->options.AsSentencePieceTokenizerOptions())
            at_least("1.1.0");
          if (unit->options.AsRegexTokenizerOptions()) at_least("1.2.1");
        }
      }
    }
  }
  return version;
}

std::vector<uint8_t> SerializeMetadata(const fb::ModelMetadataT& metadata) {
  flatbuffers::FlatBufferBuilder builder(1024);
  fb::FinishModelMetadataBuffer(builder,
                                fb::ModelMetadata::Pack(builder, &metadata));
  return std::vector<uint8_t>(builder.GetBufferPointer(),
                              builder.GetBufferPointer() + builder.GetSize());
}

bool WriteModelMetadata(std::span<const uint8_t> model_file,
                        const ModelMetadataBundle& bundle,
                        std::vector<uint8_t>* out, std::string* error) {
  const ember::fb::Model* model = VerifiedModel(model_file, error);
  if (model == nullptr) return false;

  const std::vector<std::string> named = AssociatedFileNames(bundle.metadata);
  const std::set<std::string> named_set(named.begin(), named.end());
  std::set<std::string> packed;
  for (const PackedFile& f : bundle.files) {
    if (!packed.insert(f.name).second) {
      *error = "associated file '" + f.name + "' is given twice";
      return false;
    }
    if (!named_set.count(f.name)) {
      *error = "associated file '" + f.name +
               "' is not named anywhere in the metadata";
      return false;
    }
  }
  for (const std::string& name : named) {
    if (!packed.count(name)) {
      *error = "the metadata names associated file '" + name +
               "' but its contents were not given";
      return false;
    }
  }

  ember::fb::ModelT unpacked;
  UnpackModel(*model, &unpacked);
  for (const auto& b : unpacked.buffers) {
    if (b->offset > 1) {
      *error =
          "models with buffers stored outside the flatbuffer (over "
          "2 GiB) are not supported by the metadata writer";
      return false;
    }
  }
  std::vector<uint8_t> metadata_bytes = SerializeMetadata(bundle.metadata);
  ember::fb::MetadataT* entry = nullptr;
  for (auto& m : unpacked.metadata)
    if (m->name == kMetadataEntryName) entry = m.get();
  // The TFLITE_METADATA buffer belongs to its entry: rewrite it in place.
  if (entry != nullptr && entry->buffer < unpacked.buffers.size()) {
    unpacked.buffers[entry->buffer]->data = std::move(metadata_bytes);
  } else {
    if (entry == nullptr) {
      unpacked.metadata.push_back(std::make_unique<ember::fb::MetadataT>());
      entry = unpacked.metadata.back().get();
      entry->name = kMetadataEntryName;
    }
    auto buffer = std::make_unique<ember::fb::BufferT>();
    buffer->data = std::move(metadata_bytes);
    entry->buffer = static_cast<uint32_t>(unpacked.buffers.size());
    unpacked.buffers.push_back(std::move(buffer));
  }

  flatbuffers::FlatBufferBuilder builder(model_file.size() + 4096);
  builder.Finish(ember::fb::Model::Pack(builder, &unpacked),
                 ember::fb::ModelIdentifier());
  out->assign(builder.GetBufferPointer(),
              builder.GetBufferPointer() + builder.GetSize());
  return AppendPackedFiles(bundle.files, out, error);
}

bool AppendPackedFiles(const std::vector<PackedFile>& files,
                       std::vector<uint8_t>* model_bytes, std::string* error) {
  if (files.empty()) return true;
  return AppendStoredZip(files, model_bytes, error);
}

bool ReadWholeFile(const std::string& path, std::vector<uint8_t>* bytes,
                   std::string* error) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    *error = path + ": no such file";
    return false;
  }
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    *error = path + ": cannot open for reading";
    return false;
  }
  bytes->clear();
  uint8_t chunk[1 << 16];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), file)) > 0)
    bytes->insert(bytes->end(), chunk, chunk + n);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) *error = path + ": read error";
  return !failed;
}

bool WriteFileAtomically(const std::string& path,
                         std::span<const uint8_t> bytes, std::string* error) {
  const std::string temp = path + ".tmp";
  FILE* file = std::fopen(temp.c_str(), "wb");
  if (file == nullptr) {
    *error = path + ": cannot open for writing";
    return false;
  }
  const bool written =
      std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  const bool closed = std::fclose(file) == 0;
  std::error_code ec;
  if (!written || !closed) {
    std::filesystem::remove(temp, ec);
    *error = path + ": write failed (disk full?)";
    return false;
  }
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    *error = path + ": cannot rename into place";
    return false;
  }
  return true;
}

}  // namespace ember::metadata
