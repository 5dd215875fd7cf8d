// Writes the metadata fuzzer's seeds: the model given (any small valid
// .tflite, e.g. the committed loader seed tests/fuzz/corpus/add_chain.tflite)
// with TFLite Metadata added, once with a packed label file and once
// without, so that the fuzzer starts inside the metadata buffer and the zip.
//   ember_metadata_seeds MODEL.tflite DIR
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "metadata/model_metadata.h"

int main(int argc, char** argv) {
  using namespace ember::metadata;
  if (argc != 3) {
    std::fprintf(stderr, "usage: ember_metadata_seeds MODEL.tflite DIR\n");
    return 2;
  }
  std::vector<uint8_t> model;
  std::string error;
  if (!ReadWholeFile(argv[1], &model, &error)) {
    std::fprintf(stderr, "ember_metadata_seeds: %s\n", error.c_str());
    return 1;
  }
  for (bool with_labels : {false, true}) {
    ModelMetadataBundle bundle;
    bundle.metadata.name = "seed";
    bundle.metadata.description = "fuzzing seed";
    bundle.metadata.version = "1";
    if (with_labels) {
      auto file = std::make_unique<fb::AssociatedFileT>();
      file->name = "labels.txt";
      file->description = "labels";
      file->type = fb::AssociatedFileType::TENSOR_AXIS_LABELS;
      bundle.metadata.associated_files.push_back(std::move(file));
      const std::string labels = "cat\ndog\n";
      bundle.files.push_back({"labels.txt", {labels.begin(), labels.end()}});
    }
    std::vector<uint8_t> out;
    const std::string path = std::string(argv[2]) +
                             (with_labels ? "/labels.tflite" : "/plain.tflite");
    if (!WriteModelMetadata(model, bundle, &out, &error) ||
        !WriteFileAtomically(path, out, &error)) {
      std::fprintf(stderr, "ember_metadata_seeds: %s\n", error.c_str());
      return 1;
    }
  }
  return 0;
}
