#include "util/op_test_harness.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "kernels/ref/conv_common.h"

namespace ember::testing {
namespace {

// Compares one Ember run (reference or optimized kernels) with the oracle.
void ExpectRunMatches(const OpTest& c, const RunResult& oracle,
                      bool force_reference) {
  SCOPED_TRACE(force_reference ? "Ember reference kernels"
                               : "Ember optimized kernels");
  const auto& model = c.ember_model.empty() ? c.model : c.ember_model;
  const RunResult ours = RunEmber(model, c.inputs, 1, force_reference);
  if (!ours.ok) {
    ADD_FAILURE() << "Ember failed: " << ours.error;
    return;
  }
  if (ours.outputs.size() != oracle.outputs.size()) {
    ADD_FAILURE() << ours.outputs.size() << " outputs vs LiteRT's "
                  << oracle.outputs.size();
    return;
  }
  for (size_t k = 0; k < ours.outputs.size(); ++k) {
    const std::string why =
        CompareOutputs(ours.outputs[k], oracle.outputs[k], c.tolerance);
    EXPECT_TRUE(why.empty()) << "output " << k << ": " << why;
  }
}

bool ElementsMatch(double x, double y, const Tolerance& t) {
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  if (x == y) return true;
  if (t.kind != Tolerance::Kind::kPerElement) return false;
  return t.value > 0 && std::isfinite(x) && std::isfinite(y) &&
         std::fabs(x - y) <= t.value * std::max(1.0, std::fabs(y));
}

}  // namespace

void ExpectMatchesLiteRt(const std::vector<OpTest>& cases) {
  ASSERT_FALSE(cases.empty());
  const auto on_reference =
      std::count_if(cases.begin(), cases.end(),
                    [](const OpTest& c) { return c.litert_reference; });
  // The count shows in the log what a test checks (and that a port kept it).
  printf(
      "[ oracle   ] %zu cases vs LiteRT (%zu on BUILTIN_REF, %zu on its "
      "default kernels)\n",
      cases.size(), static_cast<size_t>(on_reference),
      cases.size() - static_cast<size_t>(on_reference));
  // One LiteRT process per kernel set.
  std::vector<RunResult> oracle(cases.size());
  for (const bool reference : {true, false}) {
    std::vector<OracleCase> batch;
    std::vector<size_t> index;
    for (size_t i = 0; i < cases.size(); ++i) {
      if (cases[i].litert_reference != reference) continue;
      batch.push_back({cases[i].model, cases[i].inputs});
      index.push_back(i);
    }
    if (batch.empty()) continue;
    std::vector<RunResult> r = RunLiteRt(batch, reference);
    ASSERT_EQ(r.size(), batch.size());
    for (size_t k = 0; k < r.size(); ++k) oracle[index[k]] = std::move(r[k]);
  }
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].name);
    if (!oracle[i].ok) {
      ADD_FAILURE() << "LiteRT failed: " << oracle[i].error;
      continue;
    }
    ExpectRunMatches(cases[i], oracle[i], /*force_reference=*/true);
    ExpectRunMatches(cases[i], oracle[i], /*force_reference=*/false);
  }
}

std::vector<OpTest> Compared(std::vector<OpTest> cases, Tolerance tolerance,
                             bool litert_reference) {
  for (OpTest& c : cases) {
    c.tolerance = tolerance;
    c.litert_reference = litert_reference;
  }
  return cases;
}

std::vector<OpTest> OnLiteRtDefaultKernels(std::vector<OpTest> cases) {
  for (OpTest& c : cases) c.litert_reference = false;
  return cases;
}

std::string CompareOutputs(const NpyArray& ours, const NpyArray& oracle,
                           const Tolerance& tolerance) {
  std::ostringstream why;
  if (ours.type != oracle.type) {
    why << "type " << DataTypeName(ours.type) << " vs LiteRT "
        << DataTypeName(oracle.type);
    return why.str();
  }
  if (ours.shape != oracle.shape) {
    why << "shape " << ShapeName(ours.shape) << " vs LiteRT "
        << ShapeName(oracle.shape);
    return why.str();
  }
  if (tolerance.kind == Tolerance::Kind::kRelativeToMax ||
      tolerance.kind == Tolerance::Kind::kAbsolute) {
    std::string reason;
    const double diff = MaxAbsDiff(ours, oracle, &reason);
    if (diff < 0) return reason;
    const double bound = tolerance.kind == Tolerance::Kind::kAbsolute
                             ? tolerance.value
                             : tolerance.value * std::max(1.0, MaxAbs(oracle));
    if (diff <= bound) return "";
    why << "max |diff| " << diff << " > " << bound << ";";
  }
  const bool bit_exact = tolerance.kind == Tolerance::Kind::kBitExact;
  if (bit_exact && ours.data == oracle.data) return "";
  const size_t n = ElementCount(oracle);
  size_t bad = 0;
  std::ostringstream first;
  for (size_t i = 0; i < n; ++i) {
    const double x = ElementAt(ours, i), y = ElementAt(oracle, i);
    if (ElementsMatch(x, y, tolerance)) continue;
    if (bad < 5) first << " [" << i << "] ours " << x << " LiteRT " << y << ";";
    ++bad;
  }
  if (bad == 0 && why.str().empty() && !bit_exact) return "";
  if (bad == 0 && bit_exact) {
    why << "bytes differ, though every element is equal as a number (-0 "
           "for 0, or another NaN payload)";
    return why.str();
  }
  why << " " << bad << " of " << n << " elements differ:" << first.str();
  return why.str();
}

void ExpectEmberError(const std::vector<uint8_t>& model,
                      const std::vector<NpyArray>& inputs,
                      const std::string& needle) {
  const RunResult ours = RunEmber(model, inputs);
  EXPECT_FALSE(ours.ok) << "expected an error containing '" << needle << "'";
  EXPECT_NE(ours.error.find(needle), std::string::npos)
      << "error was: " << ours.error;
}

double ElementAt(const NpyArray& a, size_t i) {
  auto get = [&](auto tag) {
    decltype(tag) v;
    std::memcpy(&v, a.data.data() + i * sizeof(v), sizeof(v));
    return static_cast<double>(v);
  };
  switch (a.type) {
    case DataType::kFloat32:
      return get(float{});
    case DataType::kFloat64:
      return get(double{});
    case DataType::kFloat16: {
      uint16_t h;
      std::memcpy(&h, a.data.data() + i * 2, 2);
      return ref::HalfToFloat(h);
    }
    case DataType::kInt32:
      return get(int32_t{});
    case DataType::kInt64:
      return get(int64_t{});
    case DataType::kInt16:
      return get(int16_t{});
    case DataType::kInt8:
      return get(int8_t{});
    case DataType::kUInt8:
      return get(uint8_t{});
    case DataType::kBool:
      return get(uint8_t{}) != 0 ? 1.0 : 0.0;
    case DataType::kUInt16:
      return get(uint16_t{});
    case DataType::kUInt32:
      return get(uint32_t{});
    case DataType::kUInt64:
      return get(uint64_t{});
    default:
      return NAN;
  }
}

size_t ElementCount(const NpyArray& a) {
  size_t n = 1;
  for (int64_t d : a.shape) n *= static_cast<size_t>(d);
  return n;
}

OpTest MakeCase(std::string name, fb::BuiltinOperator op,
                std::vector<Operand> ins, std::vector<OutSpec> outs,
                fb::BuiltinOptionsUnion options, int version, double tol) {
  ModelBuilder b;
  OpTest c;
  c.name = std::move(name);
  if (tol > 0) c.tolerance = Tolerance::PerElement(tol);
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

OpModel& OpModel::In(fb::TensorType type, std::vector<int32_t> shape,
                     QuantSpec q, float lo, float hi) {
  std::vector<int64_t> s(shape.begin(), shape.end());
  if (type == fb::TensorType::FLOAT32 && lo == 0.0f && hi == 0.0f) {
    lo = -10.0f;
    hi = 10.0f;
  }
  NpyArray a = RandomArray(ToDataType(type), s, ++seed_ * 7919u + 13u, lo, hi);
  return InData(type, std::move(shape), std::move(a), q);
}

OpModel& OpModel::InData(fb::TensorType type, std::vector<int32_t> shape,
                         NpyArray a, QuantSpec q) {
  const int t = b_.AddTensor(type, shape, "", q);
  io_inputs_.push_back(t);
  op_inputs_.push_back(t);
  data_.push_back(std::move(a));
  return *this;
}

OpModel& OpModel::ConstRandom(fb::TensorType type, std::vector<int32_t> shape,
                              QuantSpec q) {
  std::vector<int64_t> s(shape.begin(), shape.end());
  const bool f = type == fb::TensorType::FLOAT32;
  NpyArray a = RandomArray(ToDataType(type), s, ++seed_ * 104729u + 7u,
                           f ? -10.f : 0.f, f ? 10.f : 0.f);
  op_inputs_.push_back(b_.AddConstant(type, std::move(shape), a.data.data(),
                                      a.data.size(), "", q));
  return *this;
}

OpModel& OpModel::Out(fb::TensorType type, std::vector<int32_t> shape,
                      QuantSpec q) {
  op_outputs_.push_back(b_.AddTensor(type, std::move(shape), "", q));
  return *this;
}

OpTest OpModel::Build(fb::BuiltinOperator op, fb::BuiltinOptionsUnion options,
                      int version) {
  b_.AddOp(op, op_inputs_, op_outputs_, std::move(options), version);
  b_.SetInputs(io_inputs_);
  b_.SetOutputs(op_outputs_);
  OpTest c;
  c.model = b_.Build();
  c.inputs = data_;
  return c;
}

QuantSpec RandomQuant(std::mt19937& rng, DataType type, float min_scale,
                      float max_scale) {
  std::uniform_real_distribution<float> ls(std::log(min_scale),
                                           std::log(max_scale));
  QuantSpec q;
  q.scales = {std::exp(ls(rng))};
  int64_t zp = 0;
  if (type == DataType::kInt8)
    zp = std::uniform_int_distribution<int>(-100, 100)(rng);
  if (type == DataType::kUInt8)
    zp = std::uniform_int_distribution<int>(20, 235)(rng);
  q.zero_points = {zp};
  return q;
}

int FillNearTieInput(NpyArray* x) {
  const ref::AsymmetricInt8Params p = ref::ChooseAsymmetricInt8(0.0f, 1.0f);
  const size_t n = x->data.size() / sizeof(float);
  int ties = 0;
  for (size_t i = 0; i < n; ++i) {
    float v = i == 0 ? 1.0f : 0.0f;
    if (i > 0 && i % 5 != 0) {
      const float target = static_cast<float>(1 + i % 60) + 0.5f;
      v = target / p.inverse_scale;
      while (v * p.inverse_scale <= target) v = std::nextafter(v, 2.0f);
      const float scaled = v * p.inverse_scale;
      if (std::round(scaled) + static_cast<float>(p.zero_point) !=
          std::round(static_cast<float>(p.zero_point) + scaled))
        ++ties;
    }
    std::memcpy(x->data.data() + i * sizeof(float), &v, sizeof(float));
  }
  return ties;
}

NpyArray RandomInput(fb::TensorType type, const std::vector<int32_t>& shape,
                     uint32_t seed) {
  std::vector<int64_t> s(shape.begin(), shape.end());
  if (type == fb::TensorType::FLOAT32)
    return RandomArray(DataType::kFloat32, s, seed, -1.0f, 1.0f);
  return RandomArray(ToDataType(type), s, seed, 0.0f, 0.0f);
}

NpyArray AllValues8(DataType type) {
  NpyArray a;
  a.type = type;
  a.shape = {256};
  a.data.resize(256);
  for (int i = 0; i < 256; ++i) a.data[i] = static_cast<uint8_t>(i);
  return a;
}

NpyArray AllValuesInt16() {
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

std::vector<ShapePair> BroadcastShapePairs() {
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

}  // namespace ember::testing
