// `ember micro export --arduino`: the files of an Arduino library (the
// 1.5 library layout: library.properties, src/, examples/<Name>/<Name>.ino)
// that holds the micro runtime, the model and its inputs as const arrays,
// a small C API for sketches (ember_model.h) and an example sketch that
// runs the embedded inputs and prints every output over Serial in the
// firmware's line format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "micro_sources.h"

namespace ember::cli {

struct ArduinoExport {
  std::string model_path;
  const uint8_t* model = nullptr;
  size_t model_size = 0;
  std::vector<std::vector<uint8_t>> inputs;  // embedded, in input order
  std::vector<std::string> output_names;     // as the firmware prints them
  std::vector<std::string> add_functions;    // the resolver's Add*() calls
  std::vector<std::string> op_names;         // same order
  size_t arena_size = 0;
  std::string target;  // informational (the board's core)
};

using ProjectFiles = std::vector<std::pair<std::string, std::string>>;

// The library's name derived from the model's file name ("Ember_" +
// letters, digits and '_').
std::string ArduinoLibraryName(const std::string& model_path);

// Every file of the library, relative to its folder. The runtime's sources
// come from `runtime` (the embedded micro sources; .cc become .cpp, which
// the Arduino builders compile), the FlatBuffers headers the runtime
// includes from `flatbuffers_dir` (the build machine's installation, with
// its copyright file). False with `error` set when a file is missing.
bool ArduinoLibraryFiles(const ArduinoExport& e,
                         const micro_sources::EmbeddedFile* runtime,
                         size_t runtime_count,
                         const std::string& flatbuffers_dir,
                         ProjectFiles* files, std::string* error);

}  // namespace ember::cli
