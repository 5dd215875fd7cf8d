// libFuzzer target: arbitrary bytes as a .tflite file -> the TFLite
// Metadata reader (the TFLITE_METADATA buffer and the zip of associated
// files packed after the model), what `ember metadata`, `ember task` and
// ember.tasks read from a user's model. Any crash, hang or sanitizer report
// is a bug; refusals are expected and must say why. Metadata that reads must
// survive a write and a second read unchanged.
//
// Build and run: tests/fuzz/run_parser_fuzz.sh (seeds: ember_metadata_seeds).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "metadata/model_metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember::metadata;
  const std::span<const uint8_t> bytes(data, size);
  std::string error;
  ModelMetadataBundle bundle;
  const ReadResult read = ReadModelMetadata(bytes, &bundle, &error);
  if (read == ReadResult::kError && error.empty()) abort();
  if (read == ReadResult::kOk) {
    std::vector<uint8_t> written;
    if (WriteModelMetadata(bytes, bundle, &written, &error)) {
      ModelMetadataBundle again;
      if (ReadModelMetadata(written, &again, &error) != ReadResult::kOk ||
          SerializeMetadata(again.metadata) !=
              SerializeMetadata(bundle.metadata) ||
          again.files.size() != bundle.files.size()) {
        abort();  // the writer and the reader disagree
      }
      for (size_t i = 0; i < again.files.size(); ++i) {
        if (again.files[i].name != bundle.files[i].name ||
            again.files[i].data != bundle.files[i].data) {
          abort();
        }
      }
    }
    (void)MinParserVersion(bundle.metadata);
  }
  std::vector<PackedFile> files;
  (void)ReadPackedFiles(bytes, &files, &error);
  return 0;
}
