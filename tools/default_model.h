// Ember's built-in demo: a digits classifier trained and written by
// scripts/make_default_model.py (models/default/), embedded in the binary at
// build time, with ten sample digits and their true labels.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "io/npy.h"
#include "model/model.h"
#include "runtime/tensor.h"

namespace ember::cli {

struct DefaultModel {
  std::unique_ptr<Model> model;
  NpyArray samples;             // float32 [10, 64], pixels in [0, 1]
  std::vector<int32_t> labels;  // true digit of each sample
};

constexpr const char* kDefaultModelName = "<built-in digits classifier>";

// Verifies the embedded model and decodes the samples; prints the error
// and returns false on failure.
bool LoadDefaultModel(DefaultModel* out);

// One entry per row of `probabilities` ([N, 10]): the true label, the
// predicted digit and its probability.
nlohmann::json DigitPredictions(const Tensor& probabilities,
                                const std::vector<int32_t>& labels);
void PrintDigitPredictions(const nlohmann::json& predictions);

}  // namespace ember::cli
