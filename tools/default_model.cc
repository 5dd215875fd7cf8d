#include "default_model.h"

#include <cstdio>
#include <cstring>

#include "cli_util.h"
#include "default_model_data.h"

namespace ember::cli {

bool LoadDefaultModel(DefaultModel* out) {
  ErrorReporter errors;
  // The arrays are 16-byte aligned and live forever: no copy needed.
  if (!Model::FromBuffer(embedded::digits_tflite, embedded::digits_tflite_size,
                         /*copy=*/false, errors, &out->model)
           .ok()) {
    Fail(kExitError, "built-in model: %s", errors.message());
    return false;
  }
  NpyArray labels;
  if (!ParseNpy(embedded::samples_npy, embedded::samples_npy_size,
                &out->samples, errors)
           .ok() ||
      !ParseNpy(embedded::labels_npy, embedded::labels_npy_size, &labels,
                errors)
           .ok()) {
    Fail(kExitError, "built-in samples: %s", errors.message());
    return false;
  }
  if (labels.type != DataType::kInt32 || out->samples.shape.empty() ||
      labels.shape.size() != 1 || labels.shape[0] != out->samples.shape[0]) {
    Fail(kExitError, "built-in samples and labels do not match");
    return false;
  }
  out->labels.resize(labels.shape[0]);
  memcpy(out->labels.data(), labels.data.data(), labels.data.size());
  return true;
}

nlohmann::json DigitPredictions(const Tensor& probabilities,
                                const std::vector<int32_t>& labels) {
  nlohmann::json out = nlohmann::json::array();
  const int64_t rows = static_cast<int64_t>(labels.size());
  if (probabilities.type != DataType::kFloat32 ||
      probabilities.shape.rank != 2 || probabilities.shape.dims[0] != rows) {
    return out;
  }
  const int64_t classes = probabilities.shape.dims[1];
  const float* p = probabilities.data_as<float>();
  for (int64_t r = 0; r < rows; ++r) {
    int64_t best = 0;
    for (int64_t c = 1; c < classes; ++c)
      if (p[r * classes + c] > p[r * classes + best]) best = c;
    out.push_back({{"label", labels[r]},
                   {"predicted", best},
                   {"probability", p[r * classes + best]}});
  }
  return out;
}

void PrintDigitPredictions(const nlohmann::json& predictions) {
  printf("\nBuilt-in sample digits (8x8 images from scikit-learn):\n");
  Table table({"sample", "true", "predicted", "probability", ""});
  int correct = 0;
  for (size_t i = 0; i < predictions.size(); ++i) {
    const nlohmann::json& p = predictions[i];
    const bool ok = p["label"] == p["predicted"];
    correct += ok;
    table.Add({std::to_string(i), p["label"].dump(), p["predicted"].dump(),
               FormatNumber(p["probability"].get<double>()),
               ok ? "ok" : "WRONG"});
  }
  table.Print();
  printf("  %d of %zu correct\n", correct, predictions.size());
}

}  // namespace ember::cli
