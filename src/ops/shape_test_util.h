// Test helpers for the shape-family ops: build a one-op model from a short
// description, run a batch of such cases through LiteRT once, and compare
// every output of every case with Ember's.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "util/model_builder.h"
#include "util/oracle.h"

namespace ember::testing {

inline DataType ToDataType(fb::TensorType t) {
  return static_cast<DataType>(static_cast<int8_t>(t));
}

// One single-op model under construction.
class OpCase {
 public:
  // A runtime input filled with seeded random values (see RandomArray).
  OpCase& In(fb::TensorType type, std::vector<int32_t> shape, QuantSpec q = {},
             float lo = 0.0f, float hi = 0.0f) {
    std::vector<int64_t> s(shape.begin(), shape.end());
    if (type == fb::TensorType::FLOAT32 && lo == 0.0f && hi == 0.0f) {
      lo = -10.0f;
      hi = 10.0f;
    }
    NpyArray a =
        RandomArray(ToDataType(type), s, ++seed_ * 7919u + 13u, lo, hi);
    return InData(type, std::move(shape), std::move(a), q);
  }
  // A runtime input with explicit data.
  OpCase& InData(fb::TensorType type, std::vector<int32_t> shape, NpyArray a,
                 QuantSpec q = {}) {
    const int t = b_.AddTensor(type, shape, "", q);
    io_inputs_.push_back(t);
    op_inputs_.push_back(t);
    data_.push_back(std::move(a));
    return *this;
  }
  template <typename T>
  OpCase& InValues(fb::TensorType type, std::vector<int32_t> shape,
                   const std::vector<T>& values, QuantSpec q = {}) {
    std::vector<int64_t> s(shape.begin(), shape.end());
    return InData(type, std::move(shape),
                  MakeArray(ToDataType(type), s, values), q);
  }
  // A constant input.
  template <typename T>
  OpCase& Const(fb::TensorType type, std::vector<int32_t> shape,
                const std::vector<T>& values, QuantSpec q = {}) {
    op_inputs_.push_back(
        b_.AddConstant<T>(type, std::move(shape), values, "", q));
    return *this;
  }
  // A constant with random contents.
  OpCase& ConstRandom(fb::TensorType type, std::vector<int32_t> shape,
                      QuantSpec q = {}) {
    std::vector<int64_t> s(shape.begin(), shape.end());
    NpyArray a = RandomArray(ToDataType(type), s, ++seed_ * 104729u + 7u,
                             type == fb::TensorType::FLOAT32 ? -10.f : 0.f,
                             type == fb::TensorType::FLOAT32 ? 10.f : 0.f);
    op_inputs_.push_back(b_.AddConstant(type, std::move(shape), a.data.data(),
                                        a.data.size(), "", q));
    return *this;
  }
  OpCase& Absent() {
    op_inputs_.push_back(-1);
    return *this;
  }
  OpCase& Out(fb::TensorType type, std::vector<int32_t> shape = {},
              QuantSpec q = {}) {
    op_outputs_.push_back(b_.AddTensor(type, std::move(shape), "", q));
    return *this;
  }
  ModelBuilder& builder() { return b_; }
  const std::vector<int32_t>& op_inputs() const { return op_inputs_; }

  OracleCase Build(fb::BuiltinOperator op, fb::BuiltinOptionsUnion options = {},
                   int version = 1) {
    b_.AddOp(op, op_inputs_, op_outputs_, std::move(options), version);
    b_.SetInputs(io_inputs_);
    b_.SetOutputs(op_outputs_);
    return OracleCase{b_.Build(), data_};
  }

 private:
  ModelBuilder b_;
  std::vector<int32_t> io_inputs_, op_inputs_, op_outputs_;
  std::vector<NpyArray> data_;
  uint32_t seed_ = 0;
};

template <typename T>
fb::BuiltinOptionsUnion Options(T value) {
  fb::BuiltinOptionsUnion u;
  u.Set(std::move(value));
  return u;
}

inline std::string ShapeString(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i)
    r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

// Runs all cases in LiteRT (one process) and in Ember; every output must
// match: exactly when rel_tol == 0, else within rel_tol * max(1, max|ref|).
// `labels` names each case in failure messages.
inline void ExpectAllMatch(const std::vector<OracleCase>& cases,
                           const std::vector<std::string>& labels,
                           double rel_tol = 0.0, bool reference = true) {
  ASSERT_FALSE(cases.empty());
  printf("[ oracle   ] %zu cases vs LiteRT %s\n", cases.size(),
         reference ? "BUILTIN_REF" : "default");
  const auto oracle = RunLiteRt(cases, reference);
  ASSERT_EQ(oracle.size(), cases.size());
  int failures = 0;
  for (size_t i = 0; i < cases.size() && failures < 10; ++i) {
    const std::string label = i < labels.size() ? labels[i] : std::to_string(i);
    if (!oracle[i].ok) {
      ADD_FAILURE() << "case " << i << " (" << label
                    << "): LiteRT failed: " << oracle[i].error;
      ++failures;
      continue;
    }
    const auto ours = RunEmber(cases[i].model, cases[i].inputs);
    if (!ours.ok) {
      ADD_FAILURE() << "case " << i << " (" << label
                    << "): Ember failed: " << ours.error;
      ++failures;
      continue;
    }
    if (ours.outputs.size() != oracle[i].outputs.size()) {
      ADD_FAILURE() << "case " << i << " (" << label
                    << "): " << ours.outputs.size() << " outputs vs "
                    << oracle[i].outputs.size();
      ++failures;
      continue;
    }
    for (size_t k = 0; k < ours.outputs.size(); ++k) {
      std::string why;
      const double diff =
          MaxAbsDiff(ours.outputs[k], oracle[i].outputs[k], &why);
      const double bound =
          rel_tol == 0.0
              ? 0.0
              : rel_tol * std::max(1.0, MaxAbs(oracle[i].outputs[k]));
      const bool bytes_differ =
          rel_tol == 0.0 && ours.outputs[k].data != oracle[i].outputs[k].data;
      if (diff < 0 || diff > bound || bytes_differ) {
        ADD_FAILURE() << "case " << i << " (" << label << ") output " << k
                      << ": max diff " << diff << " > " << bound << " " << why
                      << (bytes_differ ? " (bytes differ)" : "") << " ours "
                      << ShapeString(ours.outputs[k].shape) << " litert "
                      << ShapeString(oracle[i].outputs[k].shape);
        ++failures;
      }
    }
  }
}

// Expects Ember to reject the model (at load, prepare or invoke) with a
// message containing `needle`.
inline void ExpectEmberError(const OracleCase& c, const std::string& needle) {
  const auto ours = RunEmber(c.model, c.inputs);
  EXPECT_FALSE(ours.ok) << "expected an error containing '" << needle << "'";
  EXPECT_NE(ours.error.find(needle), std::string::npos)
      << "error was: " << ours.error;
}

}  // namespace ember::testing
