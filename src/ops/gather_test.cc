// GATHER / GATHER_ND against LiteRT, plus out-of-range index errors.
#include <gtest/gtest.h>

#include <random>

#include "ops/shape_test_util.h"

namespace ember::testing {
namespace {

QuantSpec Q(fb::TensorType t) {
  if (t == kI8 || t == kU8 || t == kI16) return {{0.5f}, {t == kU8 ? 128 : 0}};
  return {};
}

std::vector<int32_t> RandomIndices(size_t n, int32_t limit, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<int32_t> v(n);
  for (auto& x : v)
    x = std::uniform_int_distribution<int32_t>(0, limit - 1)(rng);
  return v;
}

size_t Count(const std::vector<int32_t>& s) {
  size_t n = 1;
  for (int32_t d : s) n *= d;
  return n;
}

void AddIndices(OpCase& c, fb::TensorType itype, std::vector<int32_t> shape,
                const std::vector<int32_t>& v, bool constant) {
  if (itype == fb::TensorType::INT64) {
    std::vector<int64_t> w(v.begin(), v.end());
    if (constant)
      c.Const<int64_t>(itype, shape, w);
    else
      c.InValues<int64_t>(itype, shape, w);
  } else {
    if (constant)
      c.Const<int32_t>(itype, shape, v);
    else
      c.InValues<int32_t>(itype, shape, v);
  }
}

TEST(ShapeOps, GatherGrid) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  struct G {
    std::vector<int32_t> params, indices;
    int axis, batch_dims;
  };
  const G grid[] = {{{5}, {3}, 0, 0},
                    {{5}, {}, 0, 0},
                    {{4, 3}, {2, 2}, 0, 0},
                    {{4, 3}, {5}, 1, 0},
                    {{4, 3}, {5}, -1, 0},
                    {{2, 3, 4}, {2, 2}, 1, 0},
                    {{2, 3, 4}, {2, 3}, 2, 1},
                    {{2, 3, 4}, {2, 5}, 1, 1},
                    {{2, 3, 4, 2}, {2, 3, 2}, 2, 2},
                    {{2, 3, 4, 2}, {2, 1, 3}, 3, -2},
                    {{3, 4}, {0}, 0, 0}};
  uint32_t seed = 1;
  for (const auto& g : grid) {
    const int prank = static_cast<int>(g.params.size());
    const int axis = g.axis < 0 ? g.axis + prank : g.axis;
    for (auto t : {kF32, kI8, kU8, kI16, kI32, fb::TensorType::INT64,
                   fb::TensorType::BOOL}) {
      for (auto it : {kI32, fb::TensorType::INT64}) {
        for (int constant = 0; constant < 2; ++constant) {
          if (Count(g.indices) == 0 && !constant) continue;
          OpCase c;
          c.In(t, g.params, Q(t));
          AddIndices(c, it, g.indices,
                     RandomIndices(Count(g.indices), g.params[axis], seed++),
                     constant);
          c.Out(t, {}, Q(t));
          fb::GatherOptionsT o;
          o.axis = g.axis;
          o.batch_dims = g.batch_dims;
          cases.push_back(c.Build(fb::BuiltinOperator::GATHER, Options(o)));
          labels.push_back(
              "gather " + ShapeString({g.params.begin(), g.params.end()}) +
              " axis " + std::to_string(g.axis) + " bd " +
              std::to_string(g.batch_dims) + " " + fb::EnumNameTensorType(t));
        }
      }
    }
  }
  // Remove cases with empty outputs (LiteRT's Python API cannot return them).
  std::vector<OracleCase> kept;
  std::vector<std::string> kept_labels;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto ours = RunEmber(cases[i].model, cases[i].inputs);
    ASSERT_TRUE(ours.ok) << labels[i] << ": " << ours.error;
    if (ours.outputs[0].data.empty()) continue;
    kept.push_back(std::move(cases[i]));
    kept_labels.push_back(labels[i]);
  }
  ExpectAllMatch(kept, kept_labels);
}

TEST(ShapeOps, GatherNdGrid) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  struct G {
    std::vector<int32_t> params, indices;
  };
  const G grid[] = {{{5}, {3, 1}},
                    {{4, 3}, {2, 2}},
                    {{4, 3}, {5, 1}},
                    {{2, 3, 4}, {2, 2, 2}},
                    {{2, 3, 4}, {3}},
                    {{2, 3, 4}, {4, 3}},
                    {{2, 3, 4, 2}, {2, 1, 3}}};
  uint32_t seed = 100;
  for (const auto& g : grid) {
    const int depth = g.indices.back();
    const size_t rows = Count(g.indices) / depth;
    for (auto t : {kF32, kI8, kU8, kI16, kI32, fb::TensorType::INT64}) {
      for (auto it : {kI32, fb::TensorType::INT64}) {
        std::vector<int32_t> idx;
        std::mt19937 rng(seed++);
        for (size_t r = 0; r < rows; ++r)
          for (int k = 0; k < depth; ++k)
            idx.push_back(std::uniform_int_distribution<int32_t>(
                0, g.params[k] - 1)(rng));
        OpCase c;
        c.In(t, g.params, Q(t));
        AddIndices(c, it, g.indices, idx, false);
        c.Out(t, {}, Q(t));
        cases.push_back(c.Build(fb::BuiltinOperator::GATHER_ND));
        labels.push_back("gather_nd " +
                         ShapeString({g.params.begin(), g.params.end()}) + " " +
                         ShapeString({g.indices.begin(), g.indices.end()}));
      }
    }
  }
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, GatherErrors) {
  {
    OpCase c;
    c.In(kF32, {4, 3}).InValues<int32_t>(kI32, {2}, {1, 4}).Out(kF32);
    ExpectEmberError(
        c.Build(fb::BuiltinOperator::GATHER, Options(fb::GatherOptionsT())),
        "index 4 is out of range");
  }
  {
    OpCase c;
    c.In(kF32, {4, 3}).InValues<int32_t>(kI32, {2}, {-1, 0}).Out(kF32);
    ExpectEmberError(
        c.Build(fb::BuiltinOperator::GATHER, Options(fb::GatherOptionsT())),
        "out of range");
  }
  {
    OpCase c;
    c.In(kF32, {4, 3}).InValues<int32_t>(kI32, {2, 2}, {0, 1, 3, 3}).Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::GATHER_ND),
                     "index 3 is out of range");
  }
  {
    OpCase c;
    c.In(kF32, {4, 3}).InValues<float>(kF32, {2}, {0, 1}).Out(kF32);
    ExpectEmberError(
        c.Build(fb::BuiltinOperator::GATHER, Options(fb::GatherOptionsT())),
        "indices have type");
  }
  {
    OpCase c;
    c.In(kF32, {4, 3}).InValues<int32_t>(kI32, {1, 3}, {0, 1, 2}).Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::GATHER_ND),
                     "depth 3 exceeds");
  }
  {
    OpCase c;
    c.In(kF32, {2, 3}).InValues<int32_t>(kI32, {3, 1}, {0, 1, 2}).Out(kF32);
    fb::GatherOptionsT o;
    o.axis = 1;
    o.batch_dims = 1;
    ExpectEmberError(c.Build(fb::BuiltinOperator::GATHER, Options(o)),
                     "batch dim 0 differs");
  }
}

}  // namespace
}  // namespace ember::testing
