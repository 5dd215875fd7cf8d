// Table-driven harness for element-wise op tests: each case is a one-op
// model (operands may be runtime inputs or constants), all cases of a test
// run through LiteRT (BUILTIN_REF) in one process and through Ember, and the
// outputs are compared: exactly for integers, within a relative tolerance
// for floats.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/ref/quantize.h"
#include "util/model_builder.h"
#include "util/oracle.h"

namespace ember::testing {

// One operand of the op under test.
struct Operand {
  NpyArray value;  // its data; the shape comes from here
  QuantSpec quant;
  bool constant = false;
};

struct OutSpec {
  fb::TensorType type;
  QuantSpec quant;
};

struct EwCase {
  std::string name;
  std::vector<uint8_t> model;
  std::vector<NpyArray> inputs;  // runtime inputs in order
  double tol = 0;                // 0: exact; else |d| <= tol * max(1, |ref|)
};

inline fb::TensorType ToFb(DataType t) { return static_cast<fb::TensorType>(t); }

inline Operand In(NpyArray v, QuantSpec q = {}) { return {std::move(v), std::move(q), false}; }
inline Operand Const(NpyArray v, QuantSpec q = {}) { return {std::move(v), std::move(q), true}; }

// Builds the one-op model. Output shapes in the model are the broadcast of
// the operand shapes (both runtimes recompute them anyway).
inline EwCase MakeCase(std::string name, fb::BuiltinOperator op,
                       std::vector<Operand> ins, std::vector<OutSpec> outs,
                       fb::BuiltinOptionsUnion options = {}, int version = 1,
                       double tol = 0) {
  ModelBuilder b;
  EwCase c;
  c.name = std::move(name);
  c.tol = tol;
  std::vector<int32_t> in_ids, runtime_ids, out_ids;
  std::vector<int32_t> out_shape;
  for (size_t i = 0; i < ins.size(); ++i) {
    const Operand& o = ins[i];
    std::vector<int32_t> shape(o.value.shape.begin(), o.value.shape.end());
    if (shape.size() > out_shape.size())
      out_shape.insert(out_shape.begin(), shape.size() - out_shape.size(), 1);
    for (size_t k = 0; k < shape.size(); ++k) {
      int32_t& d = out_shape[out_shape.size() - shape.size() + k];
      if (d == 1) d = shape[k];
    }
    const std::string tname = "in" + std::to_string(i);
    int id;
    if (o.constant) {
      id = b.AddConstant(ToFb(o.value.type), shape, o.value.data.data(),
                         o.value.data.size(), tname, o.quant);
    } else {
      id = b.AddTensor(ToFb(o.value.type), shape, tname, o.quant);
      runtime_ids.push_back(id);
      c.inputs.push_back(o.value);
    }
    in_ids.push_back(id);
  }
  for (size_t i = 0; i < outs.size(); ++i)
    out_ids.push_back(b.AddTensor(outs[i].type, out_shape,
                                  "out" + std::to_string(i), outs[i].quant));
  b.AddOp(op, in_ids, out_ids, std::move(options), version);
  b.SetInputs(runtime_ids);
  b.SetOutputs(out_ids);
  c.model = b.Build();
  return c;
}

inline double ElementAt(const NpyArray& a, size_t i) {
  auto get = [&](auto tag) {
    decltype(tag) v;
    std::memcpy(&v, a.data.data() + i * sizeof(v), sizeof(v));
    return static_cast<double>(v);
  };
  switch (a.type) {
    case DataType::kFloat32: return get(float{});
    case DataType::kFloat64: return get(double{});
    case DataType::kFloat16: {
      uint16_t h;
      std::memcpy(&h, a.data.data() + i * 2, 2);
      return ref::HalfToFloat(h);
    }
    case DataType::kInt32: return get(int32_t{});
    case DataType::kInt64: return get(int64_t{});
    case DataType::kInt16: return get(int16_t{});
    case DataType::kInt8: return get(int8_t{});
    case DataType::kUInt8: return get(uint8_t{});
    case DataType::kBool: return get(uint8_t{}) != 0 ? 1.0 : 0.0;
    case DataType::kUInt16: return get(uint16_t{});
    case DataType::kUInt32: return get(uint32_t{});
    case DataType::kUInt64: return get(uint64_t{});
    default: return NAN;
  }
}

inline size_t ElementCount(const NpyArray& a) {
  size_t n = 1;
  for (int64_t d : a.shape) n *= static_cast<size_t>(d);
  return n;
}

// Empty string when `ours` matches `ref`; else a description.
inline std::string CompareOutputs(const NpyArray& ours, const NpyArray& ref,
                                  double tol) {
  std::ostringstream why;
  if (ours.type != ref.type) {
    why << "type " << DataTypeName(ours.type) << " vs LiteRT "
        << DataTypeName(ref.type);
    return why.str();
  }
  if (ours.shape != ref.shape) {
    why << "shape differs (rank " << ours.shape.size() << " vs "
        << ref.shape.size() << ")";
    return why.str();
  }
  const size_t n = ElementCount(ref);
  size_t bad = 0;
  for (size_t i = 0; i < n; ++i) {
    const double x = ElementAt(ours, i), y = ElementAt(ref, i);
    bool ok;
    if (std::isnan(x) || std::isnan(y)) {
      ok = std::isnan(x) && std::isnan(y);
    } else if (x == y) {
      ok = true;
    } else {
      ok = tol > 0 && std::isfinite(x) && std::isfinite(y) &&
           std::fabs(x - y) <= tol * std::max(1.0, std::fabs(y));
    }
    if (!ok) {
      if (bad < 5) why << " [" << i << "] ours " << x << " LiteRT " << y << ";";
      ++bad;
    }
  }
  if (bad == 0) return "";
  std::ostringstream out;
  out << bad << " of " << n << " elements differ:" << why.str();
  return out.str();
}

// Runs all cases in LiteRT (one process) and in Ember; expects agreement.
// reference=false uses LiteRT's default kernels, for ops its reference
// resolver lacks.
inline void RunCases(const std::vector<EwCase>& cases, bool reference = true) {
  ASSERT_FALSE(cases.empty());
  std::vector<OracleCase> oc;
  oc.reserve(cases.size());
  for (const EwCase& c : cases) oc.push_back({c.model, c.inputs});
  const std::vector<RunResult> lite = RunLiteRt(oc, reference);
  ASSERT_EQ(lite.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const EwCase& c = cases[i];
    if (!lite[i].ok) {
      ADD_FAILURE() << c.name << ": LiteRT failed: " << lite[i].error;
      continue;
    }
    const RunResult ours = RunEmber(c.model, c.inputs);
    if (!ours.ok) {
      ADD_FAILURE() << c.name << ": Ember failed: " << ours.error;
      continue;
    }
    if (ours.outputs.size() != lite[i].outputs.size()) {
      ADD_FAILURE() << c.name << ": output count differs";
      continue;
    }
    for (size_t k = 0; k < ours.outputs.size(); ++k) {
      const std::string why = CompareOutputs(ours.outputs[k], lite[i].outputs[k], c.tol);
      EXPECT_TRUE(why.empty()) << c.name << " output " << k << ": " << why;
    }
  }
}

// Expects Ember to reject the case cleanly with a message containing `text`.
inline void ExpectEmberError(const EwCase& c, const std::string& text) {
  const RunResult ours = RunEmber(c.model, c.inputs);
  EXPECT_FALSE(ours.ok) << c.name << ": expected an error";
  EXPECT_NE(ours.error.find(text), std::string::npos)
      << c.name << ": error '" << ours.error << "' lacks '" << text << "'";
}

// Random per-tensor quantization for `type` (int16: symmetric).
inline QuantSpec RandomQuant(std::mt19937& rng, DataType type,
                             float min_scale = 0.003f, float max_scale = 0.2f) {
  std::uniform_real_distribution<float> ls(std::log(min_scale), std::log(max_scale));
  QuantSpec q;
  q.scales = {std::exp(ls(rng))};
  int64_t zp = 0;
  if (type == DataType::kInt8) zp = std::uniform_int_distribution<int>(-100, 100)(rng);
  if (type == DataType::kUInt8) zp = std::uniform_int_distribution<int>(20, 235)(rng);
  q.zero_points = {zp};
  return q;
}

inline QuantSpec Quant(float scale, int64_t zp) { return QuantSpec{{scale}, {zp}}; }

// Every representable value of an 8-bit type, in a [n] array (n = 256).
inline NpyArray AllValues8(DataType type) {
  NpyArray a;
  a.type = type;
  a.shape = {256};
  a.data.resize(256);
  for (int i = 0; i < 256; ++i) a.data[i] = static_cast<uint8_t>(i);
  return a;
}

// Every int16 value, as a [65536] array.
inline NpyArray AllValuesInt16() {
  NpyArray a;
  a.type = DataType::kInt16;
  a.shape = {65536};
  a.data.resize(2 * 65536);
  for (int i = 0; i < 65536; ++i) {
    const int16_t v = static_cast<int16_t>(i - 32768);
    std::memcpy(a.data.data() + 2 * i, &v, 2);
  }
  return a;
}

template <typename T>
NpyArray Values(DataType type, std::vector<int64_t> shape, std::vector<T> v) {
  return MakeArray<T>(type, std::move(shape), v);
}

}  // namespace ember::testing

namespace ember::testing {

using ShapePair = std::pair<std::vector<int64_t>, std::vector<int64_t>>;

// Shape pairs covering same-shape, scalar, trailing and inner broadcasts,
// and high ranks.
inline std::vector<ShapePair> BroadcastShapePairs() {
  return {
      {{2, 3, 4}, {2, 3, 4}},
      {{2, 3, 4}, {4}},
      {{4}, {2, 3, 4}},
      {{2, 1, 4}, {3, 1}},
      {{1}, {5, 2}},
      {{}, {3, 2}},
      {{3, 2}, {}},
      {{1, 2, 1, 3, 1}, {2, 1, 4, 1, 2}},
      {{2, 1, 2, 1, 2, 3}, {1, 2, 1, 2, 1, 3}},
      {{1, 5, 5, 8}, {1, 1, 1, 8}},
  };
}

inline const fb::ActivationFunctionType kAllActivations[] = {
    fb::ActivationFunctionType::NONE, fb::ActivationFunctionType::RELU,
    fb::ActivationFunctionType::RELU6,
    fb::ActivationFunctionType::RELU_N1_TO_1};

inline std::string ShapeName(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

}  // namespace ember::testing
