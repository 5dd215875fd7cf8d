// libFuzzer targets: arbitrary bytes as a model file -> one converter
// frontend, chosen at build time (EMBER_FUZZ_KERAS):
//   ember_onnx_fuzz   .onnx: protobuf parse, tensor decoding, every op
//                     converter, the graph passes;
//   ember_keras_fuzz  .keras zip (config.json + model.weights.h5) or legacy
//                     .h5: libzip, the JSON config, libhdf5 from a memory
//                     image (in-process here: ConvertKeras's child process
//                     would hide crashes from the fuzzer), every layer
//                     converter, the graph passes.
// When it converts, the serialized .tflite must pass the runtime's
// verifier. Any crash, hang or sanitizer report is a bug; a refusal must
// say why.
//
// Build and run: tests/fuzz/run_parser_fuzz.sh (seeds: the test models of
// tests/convert_onnx/make_models.py and tests/convert/keras_models.py).
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
  fb::ModelT model;
  convert::Diagnostics diag;
#if EMBER_FUZZ_KERAS
  const std::string path = fuzz::WriteFuzzFile(data, size, "model.keras");
  const bool ok = convert::ConvertKerasInProcess(path, {}, &model, &diag);
#else
  const std::string path = fuzz::WriteFuzzFile(data, size, "model.onnx");
  const bool ok = convert::ConvertOnnx(path, {}, &model, &diag);
#endif
  if (!ok) {
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
