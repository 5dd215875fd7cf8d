// libFuzzer target: arbitrary bytes as a Keras file -> the Keras frontend: a
// `.keras` zip (config.json + model.weights.h5) or a legacy `.h5` (libzip,
// the JSON config, libhdf5 from a memory image, every layer converter, the
// graph passes) and, when it converts, the serialized .tflite through the
// runtime's verifier. Any crash, hang or sanitizer report is a bug; a
// refusal must say why.
//
// Build and run: tests/fuzz/run_parser_fuzz.sh (seeds: the Keras test
// models from tests/convert/keras_models.py).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "convert/convert.h"
#include "fuzz/fuzz_file.h"
#include "model/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember;
  const std::string path = fuzz::WriteFuzzFile(data, size, "model.keras");
  fb::ModelT model;
  convert::Diagnostics diag;
  if (!convert::ConvertKerasInProcess(path, {}, &model, &diag)) {
    if (diag.errors.empty()) abort();  // a refusal must say why
    return 0;
  }
  // What the converter writes must pass the runtime's verifier.
  const std::vector<uint8_t> bytes = convert::SerializeTflite(model);
  ErrorReporter errors;
  std::unique_ptr<Model> loaded;
  if (!Model::FromBuffer(bytes.data(), bytes.size(), /*copy=*/true, errors,
                         &loaded)
           .ok()) {
    abort();
  }
  return 0;
}
