// Writes the keras_config fuzz target's seeds: each saved Keras model
// (.keras or .h5) given is opened with the real reader (KerasArchive, over
// libhdf5) and converted once through a WeightSource that records every
// layer's weights; its config and those weights are written in the
// target's input format (keras_config_input.h), with at most 8192 floats
// of real weight data per seed.
//   ember_keras_config_seeds OUT_DIR MODEL...
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "convert/convert.h"
#include "convert/keras/keras_archive.h"
#include "convert/keras/keras_frontend.h"
#include "fuzz/keras_config_input.h"

namespace {

using ember::convert::keras::WeightArray;

class RecordingWeights : public ember::convert::keras::WeightSource {
 public:
  RecordingWeights(const ember::convert::keras::WeightSource& real,
                   ember::fuzz::InMemoryWeights* record)
      : real_(real), record_(record) {}
  bool LayerWeights(const std::vector<std::string>& scope,
                    const std::string& name, std::vector<WeightArray>* out,
                    std::string* error) const override {
    if (!real_.LayerWeights(scope, name, out, error)) return false;
    if (!out->empty())
      record_->layers[ember::fuzz::InMemoryWeights::Key(scope, name)] = *out;
    return true;
  }

 private:
  const ember::convert::keras::WeightSource& real_;
  ember::fuzz::InMemoryWeights* record_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR MODEL...\n", argv[0]);
    return 2;
  }
  int written = 0;
  for (int i = 2; i < argc; ++i) {
    ember::convert::keras::KerasArchive archive;
    std::string error;
    if (!archive.Open(argv[i], &error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
    ember::fuzz::KerasConfigInput input;
    input.config = archive.model_config().dump();
    RecordingWeights recording(archive, &input.weights);
    ember::fb::ModelT model;
    ember::convert::Diagnostics diag;
    // A model the converter refuses is still a useful seed (its config).
    ember::convert::keras::ConvertKerasConfig(archive.model_config(), recording,
                                              argv[i], {}, &model, &diag);
    const std::string bytes =
        ember::fuzz::EncodeKerasConfigInput(input, /*budget=*/8192);
    const std::string out = std::string(argv[1]) + "/" +
                            std::filesystem::path(argv[i]).filename().string() +
                            ".seed";
    std::ofstream(out, std::ios::binary) << bytes;
    ++written;
  }
  std::printf("%d seeds\n", written);
  return 0;
}
