// Reading and writing the TFLite Metadata of a .tflite file: the
// ModelMetadata flatbuffer (metadata_schema.fbs) in the buffer that the
// model's "TFLITE_METADATA" metadata entry names, and the associated files
// packed after the model as a zip archive (zip_store.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "metadata/zip_store.h"
#include "metadata_schema_generated.h"

namespace ember::metadata {

// The metadata entry name the format uses.
inline constexpr char kMetadataEntryName[] = "TFLITE_METADATA";

struct ModelMetadataBundle {
  fb::ModelMetadataT metadata;
  std::vector<PackedFile> files;  // the associated files' bytes
};

enum class ReadResult { kOk, kNoMetadata, kError };

// Reads the metadata and packed files of the .tflite bytes in `model_file`.
// kNoMetadata: a valid model without a TFLITE_METADATA entry. kError (with
// `error`): the model, the metadata buffer (truncated, wrong identifier) or
// the zip archive is malformed, or a file the metadata names is not packed.
ReadResult ReadModelMetadata(std::span<const uint8_t> model_file,
                             ModelMetadataBundle* out, std::string* error);

// Only the packed associated files (none: an empty list). For tools that
// rewrite a model and must carry them over (convert, quantize).
bool ReadPackedFiles(std::span<const uint8_t> model_file,
                     std::vector<PackedFile>* files, std::string* error);

// Every associated file name that `metadata` refers to, at any level.
std::vector<std::string> AssociatedFileNames(
    const fb::ModelMetadataT& metadata);

// The oldest metadata parser version that reads every field `metadata`
// sets (the format's min_parser_version rule), e.g. "1.0.0".
std::string MinParserVersion(const fb::ModelMetadataT& metadata);

// The ModelMetadata flatbuffer bytes ("M001" identifier).
std::vector<uint8_t> SerializeMetadata(const fb::ModelMetadataT& metadata);

// The .tflite bytes of `model_file` with `bundle` as its metadata: the
// TFLITE_METADATA buffer replaced or added, old packed files dropped and
// `bundle.files` packed. Every file the metadata names must be in
// bundle.files and every packed file must be named by it.
bool WriteModelMetadata(std::span<const uint8_t> model_file,
                        const ModelMetadataBundle& bundle,
                        std::vector<uint8_t>* out, std::string* error);

// Packs `files` after the model flatbuffer in `model_bytes` (a model that
// has none yet, e.g. one freshly serialized by convert or quantize).
bool AppendPackedFiles(const std::vector<PackedFile>& files,
                       std::vector<uint8_t>* model_bytes, std::string* error);

// Reads a whole file. False (with `error` naming the path) if it cannot.
bool ReadWholeFile(const std::string& path, std::vector<uint8_t>* bytes,
                   std::string* error);

// Writes `bytes` to `path` through a temporary file renamed into place, so
// that an error never leaves a partial file at `path`.
bool WriteFileAtomically(const std::string& path,
                         std::span<const uint8_t> bytes, std::string* error);

}  // namespace ember::metadata
