// Summary statistics of a tensor's values for `ember run`'s report.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "runtime/tensor.h"

namespace ember::cli {

struct TensorStats {
  double min = 0, max = 0, mean = 0;
  // Values are real numbers: per-tensor quantized tensors are dequantized.
  bool dequantized = false;
  // For classifier-like outputs (one row of >= 2 scores: shape [C] or
  // [1, ..., 1, C]): the 5 highest (index, value) pairs, best first.
  std::vector<std::pair<int64_t, double>> top;
};

// nullopt for empty tensors and types without numeric values.
std::optional<TensorStats> ComputeStats(const Tensor& tensor);

}  // namespace ember::cli
