// SLICE / STRIDED_SLICE against LiteRT: hand-picked cases plus a seeded
// random grid over begin / end / strides and all five masks.
#include <gtest/gtest.h>

#include <random>

#include "ops/shape_test_util.h"

namespace ember::testing {
namespace {

QuantSpec Q(fb::TensorType t) {
  if (t == kI8 || t == kU8 || t == kI16) return {{0.5f}, {t == kU8 ? 128 : 0}};
  return {};
}

TEST(ShapeOps, SliceGrid) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  struct S {
    std::vector<int32_t> in, begin, size;
  };
  const S grid[] = {{{5}, {1}, {3}},
                    {{5}, {0}, {-1}},
                    {{3, 4}, {1, 0}, {2, -1}},
                    {{3, 4}, {0, 2}, {3, 2}},
                    {{2, 3, 4}, {1, 1, 1}, {1, 2, 3}},
                    {{2, 3, 4, 5}, {0, 1, 2, 3}, {-1, 1, 2, -1}},
                    {{2, 3, 4, 5, 2}, {1, 0, 1, 2, 0}, {1, 3, 2, 2, -1}},
                    {{3, 4}, {1, 1}, {0, 2}}};
  for (const auto& g : grid) {
    const int32_t r = static_cast<int32_t>(g.in.size());
    for (auto t : {kF32, kI8, kU8, kI16, kI32, fb::TensorType::INT64,
                   fb::TensorType::BOOL}) {
      for (int mode = 0; mode < 3; ++mode) {
        if (mode == 1 && g.size[0] == 0)
          continue;  // LiteRT cannot return empty dynamic outputs
        OpCase c;
        c.In(t, g.in, Q(t));
        if (mode == 0)
          c.Const<int32_t>(kI32, {r}, g.begin)
              .Const<int32_t>(kI32, {r}, g.size);
        if (mode == 1)
          c.InValues<int32_t>(kI32, {r}, g.begin)
              .InValues<int32_t>(kI32, {r}, g.size);
        if (mode == 2)
          c.Const<int64_t>(fb::TensorType::INT64, {r},
                           std::vector<int64_t>(g.begin.begin(), g.begin.end()))
              .Const<int64_t>(
                  fb::TensorType::INT64, {r},
                  std::vector<int64_t>(g.size.begin(), g.size.end()));
        c.Out(t, {}, Q(t));
        cases.push_back(c.Build(fb::BuiltinOperator::SLICE));
        labels.push_back("slice " + ShapeString({g.in.begin(), g.in.end()}) +
                         " mode " + std::to_string(mode));
      }
    }
  }
  ExpectAllMatch(cases, labels);
}

struct Spec {
  std::vector<int32_t> in, begin, end, strides;
  int begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0,
      shrink_mask = 0;
  bool offset = false;
};

OracleCase StridedCase(const Spec& s, fb::TensorType t, bool dynamic) {
  OpCase c;
  c.In(t, s.in, Q(t));
  const int32_t n = static_cast<int32_t>(s.begin.size());
  if (dynamic) {
    c.InValues<int32_t>(kI32, {n}, s.begin)
        .InValues<int32_t>(kI32, {n}, s.end)
        .InValues<int32_t>(kI32, {n}, s.strides);
  } else {
    c.Const<int32_t>(kI32, {n}, s.begin)
        .Const<int32_t>(kI32, {n}, s.end)
        .Const<int32_t>(kI32, {n}, s.strides);
  }
  c.Out(t, {}, Q(t));
  fb::StridedSliceOptionsT o;
  o.begin_mask = s.begin_mask;
  o.end_mask = s.end_mask;
  o.ellipsis_mask = s.ellipsis_mask;
  o.new_axis_mask = s.new_axis_mask;
  o.shrink_axis_mask = s.shrink_mask;
  o.offset = s.offset;
  return c.Build(fb::BuiltinOperator::STRIDED_SLICE, Options(o));
}

std::string Describe(const Spec& s) {
  auto v = [](const std::vector<int32_t>& x) {
    return ShapeString({x.begin(), x.end()});
  };
  return "in " + v(s.in) + " b " + v(s.begin) + " e " + v(s.end) + " s " +
         v(s.strides) + " masks " + std::to_string(s.begin_mask) + "/" +
         std::to_string(s.end_mask) + "/" + std::to_string(s.ellipsis_mask) +
         "/" + std::to_string(s.new_axis_mask) + "/" +
         std::to_string(s.shrink_mask) + (s.offset ? " offset" : "");
}

TEST(ShapeOps, StridedSliceHandPicked) {
  const std::vector<Spec> specs = {
      {{5}, {1}, {4}, {1}},
      {{5}, {-1}, {-6}, {-1}},
      {{5}, {4}, {0}, {-2}},
      {{3, 4}, {0, 1}, {3, 4}, {2, 2}},
      {{3, 4}, {2, 0}, {0, 4}, {-1, 1}, 0, 2},
      {{3, 4}, {1, 0}, {2, 0}, {1, 1}, 0, 2, 0, 0, 1},           // shrink dim 0
      {{2, 3, 4}, {0, 1}, {0, 2}, {1, 1}, 0, 0, 1},              // [..., 1:2]
      {{2, 3, 4}, {0, 0, 1}, {0, 0, 3}, {1, 1, 1}, 1, 1, 0, 2},  // new axis at
                                                                 // 1
      {{2, 3, 4}, {-1, 0, -2}, {0, 0, 0}, {1, 1, 1}, 0, 2, 0, 0, 5},
      {{2, 3, 4, 5}, {1, 2}, {2, 5}, {1, 2}, 0, 0, 1},
      {{2, 3}, {0, 1}, {2, 2}, {1, 1}, 0, 0, 0, 0, 0, true},  // offset
      {{4, 6}, {1, 2}, {2, 3}, {1, 2}, 0, 0, 0, 0, 0, true},
      {{4, 6}, {-3, 1}, {2, 4}, {1, 1}, 0, 0, 0, 0, 0, true},
  };
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  for (const auto& s : specs) {
    for (auto t : {kF32, kI8, kU8, kI16, kI32, fb::TensorType::INT64,
                   fb::TensorType::BOOL}) {
      cases.push_back(StridedCase(s, t, false));
      labels.push_back(Describe(s) + " " + fb::EnumNameTensorType(t));
    }
    cases.push_back(StridedCase(s, kF32, true));
    labels.push_back(Describe(s) + " dynamic");
  }
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, StridedSliceRandomGrid) {
  std::mt19937 rng(1234);
  auto uni = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  const std::vector<int32_t> shapes[] = {
      {7}, {4, 5}, {3, 4, 5}, {2, 3, 4, 3}, {2, 2, 3, 2, 3}};
  while (cases.size() < 400) {
    const auto& in = shapes[uni(0, 4)];
    const int rank = static_cast<int>(in.size());
    Spec s;
    s.in = in;
    const int n = uni(1, rank);
    const bool use_ellipsis = uni(0, 3) == 0;
    const int ellipsis_at = use_ellipsis ? uni(0, n - 1) : -1;
    int new_axes = 0;
    int d =
        0;  // input dim for entries before the ellipsis (approximate for after)
    for (int i = 0; i < n; ++i) {
      const int bit = 1 << i;
      if (i == ellipsis_at) {
        s.ellipsis_mask |= bit;
        s.begin.push_back(0);
        s.end.push_back(0);
        s.strides.push_back(1);
        d = rank - (n - 1 - i);  // dims after the ellipsis
        continue;
      }
      if (new_axes < 1 && uni(0, 7) == 0) {
        s.new_axis_mask |= bit;
        ++new_axes;
        s.begin.push_back(0);
        s.end.push_back(1);
        s.strides.push_back(1);
        continue;
      }
      const int size = in[std::min(std::max(d, 0), rank - 1)];
      ++d;
      int stride = uni(-3, 3);
      if (stride == 0) stride = 1;
      if (uni(0, 5) == 0) {
        s.shrink_mask |= bit;
        s.begin.push_back(uni(-size, size - 1));
        s.end.push_back(uni(-size, size));
        // LiteRT leaves the output unwritten for a shrunk axis with a
        // negative stride, so only positive strides are compared.
        s.strides.push_back(1);
        continue;
      }
      s.begin.push_back(uni(-size - 2, size + 2));
      s.end.push_back(uni(-size - 2, size + 2));
      s.strides.push_back(stride);
      if (uni(0, 3) == 0) s.begin_mask |= bit;
      if (uni(0, 3) == 0) s.end_mask |= bit;
    }
    const auto t = uni(0, 2) == 0 ? kI8 : kF32;
    OracleCase c = StridedCase(s, t, uni(0, 4) == 0);
    // LiteRT's Python API cannot return empty outputs: keep non-empty ones.
    const auto ours = RunEmber(c.model, c.inputs);
    ASSERT_TRUE(ours.ok) << Describe(s) << ": " << ours.error;
    if (ours.outputs[0].data.empty()) continue;
    cases.push_back(std::move(c));
    labels.push_back(Describe(s));
  }
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, SliceErrors) {
  {
    OpCase c;
    c.In(kF32, {3, 4})
        .Const<int32_t>(kI32, {2}, {2, 0})
        .Const<int32_t>(kI32, {2}, {2, 1})
        .Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::SLICE), "outside");
  }
  {
    OpCase c;
    c.In(kF32, {3, 4})
        .InValues<int32_t>(kI32, {2}, {0, -1})
        .InValues<int32_t>(kI32, {2}, {1, 1})
        .Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::SLICE), "outside");
  }
  {
    Spec s{{3, 4}, {0, 0}, {3, 4}, {1, 0}};
    ExpectEmberError(StridedCase(s, kF32, false), "zero");
  }
  {
    Spec s{{3, 4}, {3, 0}, {3, 4}, {1, 1}, 0, 0, 0, 0, 1};
    ExpectEmberError(StridedCase(s, kF32, true), "shrunk index");
  }
  {
    Spec s{{3}, {0, 0}, {1, 1}, {1, 1}};
    ExpectEmberError(StridedCase(s, kF32, false), "indexes 2 dims");
  }
}

}  // namespace
}  // namespace ember::testing
