// libFuzzer target: arbitrary bytes -> the update manifest parser (and the
// JSON reader under it). Any crash, hang or sanitizer report is a bug;
// refusals are the expected outcome. A manifest that parses must survive
// a write/read round trip unchanged.
//
// Build and run: tests/fuzz/run_fuzz.sh runs it after the loader target.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "update/json.h"
#include "update/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember;
  const std::string text(reinterpret_cast<const char*>(data), size);
  ErrorReporter errors;
  update::Manifest manifest;
  if (update::ParseManifest(text, errors, &manifest).ok()) {
    const std::string again = update::ManifestToJson(manifest).Dump(2);
    update::Manifest reparsed;
    if (!update::ParseManifest(again, errors, &reparsed).ok() ||
        update::ManifestToJson(reparsed).Dump() !=
            update::ManifestToJson(manifest).Dump()) {
      abort();  // the writer and the reader disagree
    }
  }
  update::JsonValue value;
  if (update::ParseJson(text.data(), text.size(), "fuzz", errors, &value).ok())
    (void)value.Dump();
  update::IsValidVersion(text);
  return 0;
}
