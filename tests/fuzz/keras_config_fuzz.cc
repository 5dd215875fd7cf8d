// libFuzzer target ember_keras_config_fuzz: Ember's own Keras code at
// thousands of inputs a second. The input (keras_config_input.h) is a model
// config and its layers' weights from memory: JSON parse, the Sequential /
// Functional walk with nested models, every layer converter, the graph
// passes; no libzip or libhdf5, so it runs in-process and persistent
// (ember_keras_fuzz fuzzes the whole .keras/.h5 path, HDF5 included, under
// -fork because Debian's libhdf5 crashes on damaged files).
// When it converts, the serialized .tflite must pass the runtime's
// verifier. Any crash, hang or sanitizer report is a bug; a refusal must
// say why.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "convert/convert.h"
#include "convert/keras/keras_frontend.h"
#include "fuzz/keras_config_input.h"
#include "model/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember;
  fuzz::KerasConfigInput input;
  fuzz::DecodeKerasConfigInput(data, size, &input);
  // KerasArchive's own check on config.json, before conversion.
  const nlohmann::json config =
      nlohmann::json::parse(input.config, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded() || !config.is_object()) return 0;
  fb::ModelT model;
  convert::Diagnostics diag;
  if (!convert::keras::ConvertKerasConfig(config, input.weights, "model.keras",
                                          {}, &model, &diag)) {
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
