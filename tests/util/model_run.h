// One inference of a one-input model, for the tests that compare the
// optimized kernels with the reference ones op by op (fast_*_test.cc,
// transpose_conv_fast_test.cc): the raw output bytes and the first node's
// kernel label. Failures are reported through gtest, and an empty result
// comes back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::testing {

struct ModelRun {
  std::string variant;          // kernel label of node 0
  std::vector<uint8_t> output;  // output 0, raw bytes
};

// Runs `model` on `input` (input 0's raw bytes) with `threads` threads, on
// the reference kernels when `force_ref`. Small work is split over the
// threads anyway (split_small_work), so small test models still run the
// threaded paths.
ModelRun RunOneInputModel(const std::vector<uint8_t>& model,
                          const std::vector<uint8_t>& input, bool force_ref,
                          int threads);

}  // namespace ember::testing
