// Shared helpers for the nn-family op tests (pooling, reduce, softmax, ...):
// build one-op models, run a batch of cases in Ember and in LiteRT, compare.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "util/model_builder.h"
#include "util/oracle.h"

namespace ember::testing {

struct NnCase {
  std::string name;
  std::vector<uint8_t> model;
  std::vector<NpyArray> inputs;
  // 0: bit-exact against LiteRT's reference kernels. Otherwise the allowed
  // max abs difference relative to max(1, max |oracle output|), compared
  // against LiteRT's default (optimized) kernels.
  double rel_tol = 0.0;
  // >= 0: compare against LiteRT's default kernels with this absolute
  // tolerance instead (for the few integer paths where LiteRT's reference
  // kernel disagrees with its own optimized kernel and with the spec).
  double abs_tol = -1.0;
  // Compare a float (rel_tol) case against the reference kernels anyway
  // (where LiteRT's default path computes something different, e.g. the
  // XNNPACK delegate on hybrid ops).
  bool force_reference = false;
  bool UsesReference() const {
    return force_reference || (rel_tol == 0.0 && abs_tol < 0.0);
  }
};

template <typename Options>
fb::BuiltinOptionsUnion MakeOptions(Options o) {
  fb::BuiltinOptionsUnion u;
  u.Set(std::move(o));
  return u;
}

inline fb::TensorType ToFb(DataType t) {
  return static_cast<fb::TensorType>(t);
}

// First few differing elements, as "index: ours vs oracle".
inline std::string DescribeMismatch(const NpyArray& a, const NpyArray& b) {
  auto at = [](const NpyArray& x, size_t i) -> double {
    switch (x.type) {
      case DataType::kInt8:
        return static_cast<int8_t>(x.data[i]);
      case DataType::kUInt8:
        return x.data[i];
      case DataType::kBool:
        return x.data[i];
      case DataType::kInt16: {
        int16_t v;
        memcpy(&v, &x.data[i * 2], 2);
        return v;
      }
      case DataType::kInt32: {
        int32_t v;
        memcpy(&v, &x.data[i * 4], 4);
        return v;
      }
      case DataType::kFloat32: {
        float v;
        memcpy(&v, &x.data[i * 4], 4);
        return v;
      }
      default:
        return 0;
    }
  };
  const size_t size = DataTypeSize(a.type);
  if (size == 0 || a.data.size() != b.data.size()) return "";
  std::string r;
  int shown = 0;
  for (size_t i = 0; i < a.data.size() / size && shown < 6; ++i) {
    if (at(a, i) != at(b, i)) {
      r += " [" + std::to_string(i) + "]: " + std::to_string(at(a, i)) +
           " vs " + std::to_string(at(b, i));
      ++shown;
    }
  }
  return r;
}

// Runs every case in Ember and LiteRT (one LiteRT process per tolerance
// class) and checks the outputs agree.
inline void RunAndCompare(const std::vector<NnCase>& cases) {
  if (getenv("NN_VERBOSE")) fprintf(stderr, "[nn] %zu cases\n", cases.size());
  std::vector<OracleCase> exact, approx;
  std::vector<size_t> exact_idx, approx_idx;
  for (size_t i = 0; i < cases.size(); ++i) {
    if (cases[i].UsesReference()) {
      exact.push_back({cases[i].model, cases[i].inputs});
      exact_idx.push_back(i);
    } else {
      approx.push_back({cases[i].model, cases[i].inputs});
      approx_idx.push_back(i);
    }
  }
  std::vector<RunResult> oracle(cases.size());
  if (getenv("NN_SPLIT_ORACLE")) {  // debugging: one LiteRT process per case
    for (size_t k = 0; k < exact.size(); ++k) {
      auto r = RunLiteRt({exact[k]}, true);
      oracle[exact_idx[k]] = std::move(r[0]);
      if (!oracle[exact_idx[k]].ok)
        fprintf(stderr, "oracle failed: %s\n",
                cases[exact_idx[k]].name.c_str());
    }
    exact.clear();
  }
  if (!exact.empty()) {
    auto r = RunLiteRt(exact, /*reference=*/true);
    for (size_t k = 0; k < r.size(); ++k)
      oracle[exact_idx[k]] = std::move(r[k]);
  }
  if (!approx.empty()) {
    auto r = RunLiteRt(approx, /*reference=*/false);
    for (size_t k = 0; k < r.size(); ++k)
      oracle[approx_idx[k]] = std::move(r[k]);
  }
  for (size_t i = 0; i < cases.size(); ++i) {
    const NnCase& c = cases[i];
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(oracle[i].ok) << "LiteRT: " << oracle[i].error;
    RunResult ours = RunEmber(c.model, c.inputs);
    ASSERT_TRUE(ours.ok) << "Ember: " << ours.error;
    ASSERT_EQ(ours.outputs.size(), oracle[i].outputs.size());
    for (size_t k = 0; k < ours.outputs.size(); ++k) {
      std::string why;
      const double diff =
          MaxAbsDiff(ours.outputs[k], oracle[i].outputs[k], &why);
      ASSERT_GE(diff, 0.0) << why;
      if (c.abs_tol >= 0.0) {
        EXPECT_LE(diff, c.abs_tol)
            << "output " << k
            << DescribeMismatch(ours.outputs[k], oracle[i].outputs[k]);
      } else if (c.rel_tol == 0.0) {
        EXPECT_EQ(diff, 0.0)
            << "output " << k
            << DescribeMismatch(ours.outputs[k], oracle[i].outputs[k]);
      } else {
        const double scale = std::max(1.0, MaxAbs(oracle[i].outputs[k]));
        EXPECT_LE(diff, c.rel_tol * scale)
            << "output " << k
            << DescribeMismatch(ours.outputs[k], oracle[i].outputs[k]);
      }
    }
  }
}

// Expects Ember to reject the model with an error mentioning `needle`.
inline void ExpectEmberError(const std::vector<uint8_t>& model,
                             const std::vector<NpyArray>& inputs,
                             const std::string& needle) {
  RunResult r = RunEmber(model, inputs);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find(needle), std::string::npos) << r.error;
}

}  // namespace ember::testing
