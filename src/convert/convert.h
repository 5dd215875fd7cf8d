// Model conversion and rewriting (host-side tools: ember convert / quantize /
// prune). Everything here works on a whole .tflite model in the flatbuffers
// object API (fb::ModelT), which is what gets written out. This library is
// linked into the CLI and the tests, never into the runtime (libember).
#pragma once

#include <string>
#include <vector>

#include "metadata/zip_store.h"
#include "schema/schema_generated.h"

namespace ember::convert {

// Every problem a conversion finds, not only the first, so that a model
// with three unsupported layers is reported with all three at once.
struct Diagnostics {
  std::vector<std::string> errors;    // each names the layer/op and where
  std::vector<std::string> warnings;  // converted, but the user should know
  std::vector<std::string> notes;     // what the passes did
  bool ok() const { return errors.empty(); }
};

struct ConvertOptions {
  bool optimize = true;  // run OptimizeModel after the frontend
  // ONNX: rank-4 model inputs/outputs in NHWC instead of ONNX's NCHW (no
  // TRANSPOSE at the io). Default keeps the ONNX interface.
  bool nhwc_io = false;
};

// Frontends (src/convert/keras, src/convert/onnx): fill `model` or add
// errors and return false.
// ConvertKeras runs the Keras frontend in a child process (POSIX fork;
// keras_isolation.cc): Debian 12's libhdf5 reads past its buffers on some
// damaged weight files, and a crash or hang there must become an error
// naming the file, not take the caller down. ConvertKerasInProcess is the
// frontend itself, for tests and fuzzing.
bool ConvertKeras(const std::string& path, const ConvertOptions& options,
                  fb::ModelT* model, Diagnostics* diag);
bool ConvertKerasInProcess(const std::string& path,
                           const ConvertOptions& options, fb::ModelT* model,
                           Diagnostics* diag);
bool ConvertOnnx(const std::string& path, const ConvertOptions& options,
                 fb::ModelT* model, Diagnostics* diag);

// Reads and verifies a .tflite file (the runtime's loader checks) and
// unpacks it.
bool LoadTflite(const std::string& path, fb::ModelT* model, Diagnostics* diag);

// The associated files packed after the model flatbuffer (TFLite Metadata,
// src/metadata): tools that rewrite a model pass them to WriteTflite so
// that its label files and vocabularies survive. None: an empty list.
bool LoadPackedFiles(const std::string& path,
                     std::vector<metadata::PackedFile>* files,
                     Diagnostics* diag);

// Graph passes over a whole model (src/convert/passes).
void OptimizeModel(fb::ModelT* model, Diagnostics* diag);

// Serializes `model` with the "TFL3" identifier and writes it atomically
// (temporary file + rename), so a failure never leaves a truncated file.
// `packed_files` are appended as the metadata's zip archive.
bool WriteTflite(const fb::ModelT& model, const std::string& path,
                 Diagnostics* diag,
                 const std::vector<metadata::PackedFile>& packed_files = {});
// The same, into memory.
std::vector<uint8_t> SerializeTflite(const fb::ModelT& model);

}  // namespace ember::convert
