// The one harness for op tests: a test describes single-op models (built
// here with MakeCase or OpModel) or small chains of ops (built with
// ModelBuilder), and ExpectMatchesLiteRt runs every case in
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
    // Identical bytes: for ops that only move data (reshape, gather, pad,
    // ...), where even -0.0 for 0.0 or another NaN payload is a bug that
    // an element comparison would let through.
    kBitExact,
  };
  Kind kind = Kind::kExact;
  double value = 0.0;

  static Tolerance Exact() { return {}; }
  static Tolerance RelativeToMax(double v) { return {Kind::kRelativeToMax, v}; }
  static Tolerance PerElement(double v) { return {Kind::kPerElement, v}; }
  static Tolerance Absolute(double v) { return {Kind::kAbsolute, v}; }
  static Tolerance BitExact() { return {Kind::kBitExact, 0.0}; }
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

// One case compared against LiteRT's default (optimized) kernels within
// `tolerance`: float paths where LiteRT's reference and optimized kernels
// round differently, so neither is the one right answer.
inline void CompareWithDefaultKernels(OpTest& c, Tolerance tolerance) {
  c.tolerance = tolerance;
  c.litert_reference = false;
}

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

// ---- one-op models with any operand layout ----

// A one-op model under construction, for ops whose operands MakeCase cannot
// describe (several outputs, absent optional inputs, explicit output shapes,
// index inputs given as values): runtime inputs (random or given), constants
// and outputs are added in operand order, then Build makes the case.
// Random inputs are seeded by their position, so a case is the same on
// every run.
class OpModel {
 public:
  // A runtime input filled with seeded random values (see RandomArray);
  // floats default to [-10, 10].
  OpModel& In(fb::TensorType type, std::vector<int32_t> shape, QuantSpec q = {},
              float lo = 0.0f, float hi = 0.0f);
  // A runtime input with the given data.
  OpModel& InData(fb::TensorType type, std::vector<int32_t> shape, NpyArray a,
                  QuantSpec q = {});
  template <typename T>
  OpModel& InValues(fb::TensorType type, std::vector<int32_t> shape,
                    const std::vector<T>& values, QuantSpec q = {}) {
    std::vector<int64_t> s(shape.begin(), shape.end());
    return InData(type, std::move(shape),
                  MakeArray(ToDataType(type), s, values), q);
  }
  // A constant input.
  template <typename T>
  OpModel& Const(fb::TensorType type, std::vector<int32_t> shape,
                 const std::vector<T>& values, QuantSpec q = {}) {
    op_inputs_.push_back(
        b_.AddConstant<T>(type, std::move(shape), values, "", q));
    return *this;
  }
  // A constant with seeded random contents.
  OpModel& ConstRandom(fb::TensorType type, std::vector<int32_t> shape,
                       QuantSpec q = {});
  // An omitted optional input.
  OpModel& Absent() {
    op_inputs_.push_back(-1);
    return *this;
  }
  // An output; an empty shape leaves it to the runtimes to infer.
  OpModel& Out(fb::TensorType type, std::vector<int32_t> shape = {},
               QuantSpec q = {});
  ModelBuilder& builder() { return b_; }
  const std::vector<int32_t>& op_inputs() const { return op_inputs_; }

  // The case (unnamed, exact against LiteRT's reference kernels).
  OpTest Build(fb::BuiltinOperator op, fb::BuiltinOptionsUnion options = {},
               int version = 1);

 private:
  ModelBuilder b_;
  std::vector<int32_t> io_inputs_, op_inputs_, op_outputs_;
  std::vector<NpyArray> data_;
  uint32_t seed_ = 0;
};

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

// Overwrites a float32 input with non-negative near-ties for the hybrid
// kernels' asymmetric per-batch input quantization: the first value is 1
// (so the zero point is -128), every fifth is 0, the others v have
// v / scale just above k + 0.5 (k in 1..60), where rounding before adding
// the zero point (LiteRT's order) and rounding (zero point + v / scale),
// whose float sum falls onto the tie, differ by one step. Returns how many
// values are such ties under Ember's own choice of scale.
int FillNearTieInput(NpyArray* x);

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
