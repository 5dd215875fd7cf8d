// Model conversion and rewriting (host-side tools: ember convert / quantize /
// prune). Everything here works on a whole .tflite model in the flatbuffers
// object API (fb::ModelT), which is what gets written out. This library is
// linked into the CLI and the tests, never into the runtime (libember).
#pragma once

#include <string>
#include <vector>

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
bool ConvertKeras(const std::string& path, const ConvertOptions& options,
                  fb::ModelT* model, Diagnostics* diag);
bool ConvertOnnx(const std::string& path, const ConvertOptions& options,
                 fb::ModelT* model, Diagnostics* diag);

// Reads and verifies a .tflite file (the runtime's loader checks) and
// unpacks it.
bool LoadTflite(const std::string& path, fb::ModelT* model, Diagnostics* diag);

// Graph passes over a whole model (src/convert/passes).
void OptimizeModel(fb::ModelT* model, Diagnostics* diag);

// Serializes `model` with the "TFL3" identifier and writes it atomically
// (temporary file + rename), so a failure never leaves a truncated file.
bool WriteTflite(const fb::ModelT& model, const std::string& path,
                 Diagnostics* diag);
// The same, into memory.
std::vector<uint8_t> SerializeTflite(const fb::ModelT& model);

}  // namespace ember::convert
