// The one harness for op tests: a test describes single-op models (built
// here or with ModelBuilder), and ExpectMatchesLiteRt runs every case in
// LiteRT (the oracle, all cases in one process) and in Ember twice, with
// the reference kernels forced and with the optimized kernels it picks,
// and compares both against the oracle: integers bit-exact, floats within
// the case's stated tolerance.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/ref/quantize.h"
#include "util/model_builder.h"
#include "util/oracle.h"
#include "util/rng.h"

namespace ember::testing {

// How closely Ember's outputs must follow the oracle's.
struct Tolerance {
  enum class Kind {
    kExact,          // every element equal (NaN matches NaN)
    kRelativeToMax,  // max |diff| <= value * max(1, max |oracle|)
    kPerElement,     // each |diff| <= value * max(1, |oracle element|)
    kAbsolute,       // max |diff| <= value
  };
  Kind kind = Kind::kExact;
  double value = 0.0;

  static Tolerance Exact() { return {}; }
  static Tolerance RelativeToMax(double v) { return {Kind::kRelativeToMax, v}; }
  static Tolerance PerElement(double v) { return {Kind::kPerElement, v}; }
  static Tolerance Absolute(double v) { return {Kind::kAbsolute, v}; }
};

// One single-op case.
struct OpTest {
  std::string name;
  std::vector<uint8_t> model;
  std::vector<NpyArray> inputs;  // runtime inputs in order
  // When set, Ember runs this model instead of `model` (e.g. one without
  // the optional bias, where LiteRT needs a zero bias; or a custom op that
  // LiteRT lacks, checked against an equivalent builtin model).
  std::vector<uint8_t> ember_model;
  Tolerance tolerance;
  // LiteRT's BUILTIN_REF kernels; false: its default kernels (for ops its
  // reference resolver lacks, or float paths compared with a tolerance).
  bool litert_reference = true;
};

// Runs every case as described above; failures name the case, the Ember
// kernels (reference or optimized) and the first differing elements.
void ExpectMatchesLiteRt(const std::vector<OpTest>& cases);

// The same cases, all compared with `tolerance` against LiteRT's reference
// (or default) kernels.
std::vector<OpTest> Compared(std::vector<OpTest> cases, Tolerance tolerance,
                             bool litert_reference = true);

// The same cases, compared against LiteRT's default kernels (for ops its
// reference resolver lacks), each with its own tolerance.
std::vector<OpTest> OnLiteRtDefaultKernels(std::vector<OpTest> cases);

// Empty string when `ours` matches `oracle` within `tolerance`; else a
// description of the difference.
std::string CompareOutputs(const NpyArray& ours, const NpyArray& oracle,
                           const Tolerance& tolerance);

// Expects Ember to reject the model (at load, prepare or invoke) with an
// error containing `needle`.
void ExpectEmberError(const std::vector<uint8_t>& model,
                      const std::vector<NpyArray>& inputs,
                      const std::string& needle);
inline void ExpectEmberError(const OpTest& c, const std::string& needle) {
  SCOPED_TRACE(c.name);
  ExpectEmberError(c.ember_model.empty() ? c.model : c.ember_model, c.inputs,
                   needle);
}

// ---- element access ----

double ElementAt(const NpyArray& a, size_t i);
size_t ElementCount(const NpyArray& a);
inline fb::TensorType ToFb(DataType t) {
  return static_cast<fb::TensorType>(t);
}
inline DataType ToDataType(fb::TensorType t) {
  return static_cast<DataType>(static_cast<int8_t>(t));
}
inline std::string ShapeName(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i)
    r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

template <typename T>
fb::BuiltinOptionsUnion Options(T value) {
  fb::BuiltinOptionsUnion u;
  u.Set(std::move(value));
  return u;
}

// ---- element-wise models: operands may be runtime inputs or constants ----

struct Operand {
  NpyArray value;  // its data; the shape comes from here
  QuantSpec quant;
  bool constant = false;
};

struct OutSpec {
  fb::TensorType type;
  QuantSpec quant;
};

inline Operand In(NpyArray v, QuantSpec q = {}) {
  return {std::move(v), std::move(q), false};
}
inline Operand Const(NpyArray v, QuantSpec q = {}) {
  return {std::move(v), std::move(q), true};
}

// Builds the one-op model. Output shapes in the model are the broadcast of
// the operand shapes (both runtimes recompute them anyway). tol 0: exact,
// else per element (see Tolerance::kPerElement).
OpTest MakeCase(std::string name, fb::BuiltinOperator op,
                std::vector<Operand> ins, std::vector<OutSpec> outs,
                fb::BuiltinOptionsUnion options = {}, int version = 1,
                double tol = 0);

// ---- random data and quantization ----

constexpr fb::TensorType kI64 = fb::TensorType::INT64;

inline const fb::ActivationFunctionType kAllActivations[] = {
    fb::ActivationFunctionType::NONE, fb::ActivationFunctionType::RELU,
    fb::ActivationFunctionType::RELU6,
    fb::ActivationFunctionType::RELU_N1_TO_1};

inline fb::ActivationFunctionType RandomActivation(Rng& rng) {
  return kAllActivations[rng.Int(0, 3)];
}

inline QuantSpec Quant(float scale, int64_t zp) {
  return QuantSpec{{scale}, {zp}};
}
inline QuantSpec PerTensor(float scale, int64_t zp) {
  return {{scale}, {zp}, 0};
}

// Symmetric per-channel weight quantization with scales in [lo, hi].
inline QuantSpec PerChannel(Rng& rng, int channels, int dim, float lo,
                            float hi) {
  QuantSpec q;
  q.dim = dim;
  for (int c = 0; c < channels; ++c) {
    q.scales.push_back(rng.Float(lo, hi));
    q.zero_points.push_back(0);
  }
  return q;
}

// Random per-tensor quantization for `type` (int16: symmetric).
QuantSpec RandomQuant(std::mt19937& rng, DataType type,
                      float min_scale = 0.003f, float max_scale = 0.2f);

// A random input array of `type`: floats in [-1, 1], integers over the
// full range of the type.
NpyArray RandomInput(fb::TensorType type, const std::vector<int32_t>& shape,
                     uint32_t seed);

// Every representable value of an 8-bit type, in a [256] array.
NpyArray AllValues8(DataType type);
// Every int16 value, as a [65536] array.
NpyArray AllValuesInt16();

template <typename T>
NpyArray Values(DataType type, std::vector<int64_t> shape, std::vector<T> v) {
  return MakeArray<T>(type, std::move(shape), v);
}

// ---- broadcasting ----

using ShapePair = std::pair<std::vector<int64_t>, std::vector<int64_t>>;

// Shape pairs covering same-shape, scalar, trailing and inner broadcasts,
// and high ranks.
std::vector<ShapePair> BroadcastShapePairs();

}  // namespace ember::testing
