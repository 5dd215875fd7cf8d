// Test helpers shared by the convolution family's tests: random constants,
// quantization specs and a runner that checks a batch of cases against
// LiteRT in one oracle call.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "util/model_builder.h"
#include "util/oracle.h"

namespace ember::testing {

constexpr fb::TensorType kI64 = fb::TensorType::INT64;

class Rng {
 public:
  explicit Rng(uint32_t seed) : gen_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen_); }
  float Float(float lo, float hi) {
    return std::uniform_real_distribution<float>(lo, hi)(gen_);
  }
  bool Bool() { return Int(0, 1) == 1; }
  template <typename T>
  std::vector<T> Ints(size_t n, int64_t lo, int64_t hi) {
    std::uniform_int_distribution<int64_t> dist(lo, hi);
    std::vector<T> v(n);
    for (auto& x : v) x = static_cast<T>(dist(gen_));
    return v;
  }
  std::vector<float> Floats(size_t n, float lo, float hi) {
    std::vector<float> v(n);
    for (auto& x : v) x = Float(lo, hi);
    return v;
  }
  uint32_t Seed() { return static_cast<uint32_t>(gen_()); }

 private:
  std::mt19937 gen_;
};

inline fb::ActivationFunctionType RandomActivation(Rng& rng) {
  static const fb::ActivationFunctionType acts[] = {
      fb::ActivationFunctionType::NONE, fb::ActivationFunctionType::RELU,
      fb::ActivationFunctionType::RELU6,
      fb::ActivationFunctionType::RELU_N1_TO_1};
  return acts[rng.Int(0, 3)];
}

inline QuantSpec PerTensor(float scale, int64_t zp) { return {{scale}, {zp}, 0}; }

inline QuantSpec PerChannel(Rng& rng, int channels, int dim, float lo, float hi) {
  QuantSpec q;
  q.dim = dim;
  for (int c = 0; c < channels; ++c) {
    q.scales.push_back(rng.Float(lo, hi));
    q.zero_points.push_back(0);
  }
  return q;
}

// One named case of a batch.
struct NamedCase {
  std::string name;
  OracleCase c;
  // When set, Ember runs this model instead of c.model (e.g. a model
  // without the optional bias, where LiteRT needs a zero bias).
  std::vector<uint8_t> ember_model;
};

// Runs every case in Ember and (in one process) in LiteRT. Integer outputs
// must match exactly (float_tol < 0); float outputs within float_tol times
// the largest magnitude of the oracle's output (at least 1).
inline void CheckAgainstLiteRt(const std::vector<NamedCase>& cases,
                               bool reference, double float_tol) {
  std::vector<OracleCase> plain;
  for (const auto& nc : cases) plain.push_back(nc.c);
  const auto oracle = RunLiteRt(plain, reference);
  ASSERT_EQ(oracle.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].name);
    ASSERT_TRUE(oracle[i].ok) << "LiteRT failed: " << oracle[i].error;
    const auto& model =
        cases[i].ember_model.empty() ? cases[i].c.model : cases[i].ember_model;
    const auto ours = RunEmber(model, cases[i].c.inputs);
    ASSERT_TRUE(ours.ok) << ours.error;
    ASSERT_EQ(ours.outputs.size(), oracle[i].outputs.size());
    for (size_t k = 0; k < ours.outputs.size(); ++k) {
      std::string why;
      const double diff = MaxAbsDiff(ours.outputs[k], oracle[i].outputs[k], &why);
      ASSERT_GE(diff, 0) << why;
      if (float_tol < 0) {
        EXPECT_EQ(diff, 0) << "output " << k;
      } else {
        const double mag = std::max(1.0, MaxAbs(oracle[i].outputs[k]));
        EXPECT_LE(diff, float_tol * mag) << "output " << k << " magnitude " << mag;
      }
    }
  }
}

// Expects Ember to reject the model with an error mentioning `needle`.
inline void ExpectRejected(const std::vector<uint8_t>& model,
                           const std::vector<NpyArray>& inputs,
                           const std::string& needle) {
  const auto ours = RunEmber(model, inputs);
  EXPECT_FALSE(ours.ok);
  EXPECT_NE(ours.error.find(needle), std::string::npos) << ours.error;
}

inline DataType ToDataType(fb::TensorType t) { return static_cast<DataType>(t); }

// A random input array of `type`: floats in [-1, 1], integers over the
// full range of the type.
inline NpyArray RandomInput(fb::TensorType type, const std::vector<int32_t>& shape,
                            uint32_t seed) {
  std::vector<int64_t> s(shape.begin(), shape.end());
  if (type == fb::TensorType::FLOAT32)
    return RandomArray(DataType::kFloat32, s, seed, -1.0f, 1.0f);
  return RandomArray(ToDataType(type), s, seed, 0.0f, 0.0f);
}

}  // namespace ember::testing
