// libFuzzer target: arbitrary bytes -> the .npy reader (calibration data for
// `ember quantize`, inputs for `ember run`, update bundles' probe tensors).
// Any crash, hang or sanitizer report is a bug; refusals must say why. An
// array that parses must hold exactly shape x element-size bytes and survive
// a write and a second read unchanged.
//
// Build and run: tests/fuzz/run_parser_fuzz.sh.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "base/status.h"
#include "io/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember;
  ErrorReporter errors;
  NpyArray array;
  if (!ParseNpy(data, size, &array, errors).ok()) return 0;
  size_t elements = 1;
  for (int64_t d : array.shape) elements *= static_cast<size_t>(d);
  if (array.data.size() != elements * DataTypeSize(array.type)) abort();
  static const std::string path =
      "/dev/shm/ember_npy_fuzz_" + std::to_string(getpid()) + ".npy";
  if (!WriteNpy(path, array.type, array.shape, array.data.data(),
                array.data.size(), errors)
           .ok()) {
    return 0;  // e.g. a type .npy can read but not write
  }
  NpyArray again;
  if (!ReadNpy(path, &again, errors).ok() || again.type != array.type ||
      again.shape != array.shape || again.data != array.data) {
    abort();  // the writer and the reader disagree
  }
  return 0;
}
