// Test helpers: run a model in Ember, run the same model in LiteRT (the
// oracle, through tests/util/litert_oracle.py), compare outputs.
#pragma once

#include <string>
#include <vector>

#include "io/npy.h"

namespace ember::testing {

struct RunResult {
  bool ok = false;
  std::string error;
  std::vector<NpyArray> outputs;
};

struct OracleCase {
  std::vector<uint8_t> model;
  std::vector<NpyArray> inputs;
  // Invokes with the same inputs (stateful models); outputs of the last.
  int invokes = 1;
};

// Runs `model` in Ember with the given inputs (resizing inputs whose shape
// differs from the model's), returns outputs in subgraph-output order.
// With invokes > 1 it invokes that many times with the same inputs and
// returns the outputs of the last (exercises variable tensors).
// force_reference runs every op on its reference kernel.
RunResult RunEmber(const std::vector<uint8_t>& model,
                   const std::vector<NpyArray>& inputs, int invokes = 1,
                   bool force_reference = false);

// Runs every case in one LiteRT process. reference=true selects LiteRT's
// BUILTIN_REF kernels. If the oracle itself cannot run (no python3 or
// ai-edge-litert), every result has ok=false and an error saying so: tests
// must fail then, never skip.
std::vector<RunResult> RunLiteRt(const std::vector<OracleCase>& cases,
                                 bool reference = true);

// Makes an array from typed values.
template <typename T>
NpyArray MakeArray(DataType type, std::vector<int64_t> shape,
                   const std::vector<T>& values) {
  NpyArray a;
  a.type = type;
  a.shape = std::move(shape);
  a.data.resize(values.size() * sizeof(T));
  if (!a.data.empty()) memcpy(a.data.data(), values.data(), a.data.size());
  return a;
}

// Uniform random array (seeded): floats in [lo, hi], integers over the full
// range of the type when lo == hi == 0.
NpyArray RandomArray(DataType type, std::vector<int64_t> shape, uint32_t seed,
                     float lo = -1.0f, float hi = 1.0f);

// Max absolute difference between two arrays as doubles; -1 if their type
// or shape differ (and *why says how).
double MaxAbsDiff(const NpyArray& a, const NpyArray& b, std::string* why);
double MaxAbs(const NpyArray& a);

}  // namespace ember::testing
