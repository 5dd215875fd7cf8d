// Writes the fuzzing seed corpus: a handful of small valid models (the
// loader corpus bases) into the directory given on the command line.
//   build/ember_fuzz_seeds tests/fuzz/corpus
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "util/sample_models.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  using namespace ember::testing;
  const std::vector<std::pair<std::string, std::vector<uint8_t>>> seeds = {
      {"add_chain", AddChain().Build()},
      {"constants", Constants().Build()},
      {"quantized", Quantized().Build()},
      {"signatures", WithSignatures().Build()},
      {"two_subgraphs", TwoSubgraphs().Build()},
      {"offset_buffer", OffsetBufferModel()},
  };
  for (const auto& [name, bytes] : seeds) {
    if (bytes.empty()) {
      fprintf(stderr, "could not build seed %s\n", name.c_str());
      return 1;
    }
    const std::string path = std::string(argv[1]) + "/" + name + ".tflite";
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      fprintf(stderr, "cannot write %s\n", path.c_str());
      return 1;
    }
    printf("%s (%zu bytes)\n", path.c_str(), bytes.size());
  }
  return 0;
}
