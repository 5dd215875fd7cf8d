// MEAN / SUM / REDUCE_{PROD,MAX,MIN,ANY,ALL} against LiteRT.
#include "ops/nn_test_util.h"

namespace ember {
namespace {

using testing::NnCase;
using testing::QuantSpec;

struct ReduceSpec {
  fb::BuiltinOperator op;
  DataType type;
  std::vector<int32_t> shape;
  std::vector<int32_t> axes;
  bool keep_dims;
  QuantSpec in_q, out_q;
  bool axes_constant = true;
};

std::vector<uint8_t> ReduceModel(const ReduceSpec& s) {
  testing::ModelBuilder b;
  const int x = b.AddTensor(testing::ToFb(s.type), s.shape, "x", s.in_q);
  const int axis =
      s.axes_constant
          ? b.AddConstant<int32_t>(testing::kI32,
                                   {static_cast<int32_t>(s.axes.size())},
                                   s.axes, "axis")
          : b.AddTensor(testing::kI32, {static_cast<int32_t>(s.axes.size())},
                        "axis");
  const int y = b.AddTensor(testing::ToFb(s.type), {1}, "y", s.out_q);
  fb::ReducerOptionsT o;
  o.keep_dims = s.keep_dims;
  b.AddOp(s.op, {x, axis}, {y}, testing::MakeOptions(o));
  if (s.axes_constant) {
    b.SetInputs({x});
  } else {
    b.SetInputs({x, axis});
  }
  b.SetOutputs({y});
  return b.Build();
}

std::string Describe(const ReduceSpec& s) {
  std::string r = std::string(fb::EnumNameBuiltinOperator(s.op)) + " " +
                  DataTypeName(s.type) + " shape=[";
  for (int d : s.shape) r += std::to_string(d) + ",";
  r += "] axes=[";
  for (int a : s.axes) r += std::to_string(a) + ",";
  r += "] keep=" + std::to_string(s.keep_dims) +
       (s.axes_constant ? "" : " dynamic-axes");
  return r;
}

NnCase MakeCase(const ReduceSpec& s, uint32_t seed, float lo = -1.f,
                float hi = 1.f) {
  NnCase c;
  c.name = Describe(s);
  c.model = ReduceModel(s);
  std::vector<int64_t> shape64(s.shape.begin(), s.shape.end());
  if (s.type == DataType::kFloat32) {
    c.inputs.push_back(testing::RandomArray(s.type, shape64, seed, lo, hi));
    c.rel_tol = 1e-5;
  } else if (s.type == DataType::kInt32) {
    c.inputs.push_back(testing::RandomArray(s.type, shape64, seed, lo, hi));
  } else {
    c.inputs.push_back(testing::RandomArray(s.type, shape64, seed, 0, 0));
  }
  if (!s.axes_constant) {
    c.inputs.push_back(testing::MakeArray<int32_t>(
        DataType::kInt32, {static_cast<int64_t>(s.axes.size())}, s.axes));
  }
  return c;
}

const std::vector<std::vector<int32_t>> kAxisSets = {
    {1, 2}, {-1}, {0, 2, -1}, {3, 3, -1}, {0, 1, 2, 3}, {2, 1}, {0}};
const std::vector<int32_t> kShape = {2, 3, 4, 5};

TEST(Reduce, MeanMatchesLiteRt) {
  std::vector<NnCase> cases;
  uint32_t seed = 1;
  struct QuantCase {
    DataType type;
    QuantSpec in, out;
  };
  const QuantCase quants[] = {
      {DataType::kFloat32, {}, {}},
      {DataType::kInt8, {{0.05f}, {3}}, {{0.02f}, {-5}}},  // different params
      {DataType::kInt8, {{0.05f}, {3}}, {{0.05f}, {3}}},   // same params
      {DataType::kInt8, {{0.01f}, {-128}}, {{0.2f}, {100}}},  // shrinking scale
      {DataType::kUInt8, {{0.04f}, {128}}, {{0.03f}, {120}}},
      {DataType::kUInt8, {{0.1f}, {0}}, {{0.1f}, {0}}},
      {DataType::kInt16, {{0.001f}, {0}}, {{0.0007f}, {0}}},
      {DataType::kInt32, {}, {}},
  };
  for (const auto& q : quants) {
    for (const auto& axes : kAxisSets) {
      for (bool keep : {true, false}) {
        ReduceSpec s{
            fb::BuiltinOperator::MEAN, q.type, kShape, axes, keep, q.in, q.out};
        cases.push_back(MakeCase(s, seed++, -100.f, 100.f));
      }
    }
    // Global-average-pool style: 4-D input, mean over H and W.
    ReduceSpec hw{fb::BuiltinOperator::MEAN,
                  q.type,
                  {1, 7, 7, 16},
                  {1, 2},
                  true,
                  q.in,
                  q.out};
    cases.push_back(MakeCase(hw, seed++, -100.f, 100.f));
    // Large reduction (many elements folded into one output).
    ReduceSpec big{fb::BuiltinOperator::MEAN,
                   q.type,
                   {1, 40, 37, 3},
                   {1, 2},
                   false,
                   q.in,
                   q.out};
    cases.push_back(MakeCase(big, seed++, -100.f, 100.f));
  }
  // Layer-norm building block: mean over the last axis, keep_dims.
  for (const auto& shape :
       std::vector<std::vector<int32_t>>{{1, 10, 16}, {4, 7}, {2, 3, 5, 64}}) {
    ReduceSpec s{fb::BuiltinOperator::MEAN,
                 DataType::kFloat32,
                 shape,
                 {-1},
                 true,
                 {},
                 {}};
    cases.push_back(MakeCase(s, seed++, -3.f, 3.f));
  }
  // Axes given at run time.
  ReduceSpec dyn{fb::BuiltinOperator::MEAN,
                 DataType::kInt8,
                 kShape,
                 {0, -2},
                 false,
                 {{0.05f}, {3}},
                 {{0.02f}, {-5}},
                 false};
  cases.push_back(MakeCase(dyn, seed++));
  dyn.type = DataType::kFloat32;
  dyn.in_q = dyn.out_q = {};
  cases.push_back(MakeCase(dyn, seed++));
  testing::RunAndCompare(cases);
}

TEST(Reduce, SumMaxMinMatchLiteRt) {
  std::vector<NnCase> cases;
  uint32_t seed = 500;
  const QuantSpec q8{{0.05f}, {3}}, q8b{{0.3f}, {-2}}, qu8{{0.04f}, {128}},
      qu8b{{0.5f}, {10}};
  const QuantSpec q16{{0.001f}, {0}}, q16b{{0.02f}, {0}};
  for (const auto& axes : kAxisSets) {
    for (bool keep : {true, false}) {
      for (auto op : {fb::BuiltinOperator::SUM, fb::BuiltinOperator::REDUCE_MAX,
                      fb::BuiltinOperator::REDUCE_MIN}) {
        const bool sum = op == fb::BuiltinOperator::SUM;
        cases.push_back(
            MakeCase({op, DataType::kFloat32, kShape, axes, keep, {}, {}},
                     seed++, -10.f, 10.f));
        cases.push_back(
            MakeCase({op, DataType::kInt32, kShape, axes, keep, {}, {}}, seed++,
                     -1000.f, 1000.f));
        NnCase c8 = MakeCase(
            {op, DataType::kInt8, kShape, axes, keep, q8, sum ? q8b : q8},
            seed++);
        // LiteRT 2.3's reference SUM skips the int8/int16 rescale (it adds
        // raw values); its optimized kernel rescales like Ember (int8 in
        // float, so off by at most one step; int16 exactly).
        if (sum) c8.abs_tol = 1;
        cases.push_back(std::move(c8));
        cases.push_back(MakeCase(
            {op, DataType::kUInt8, kShape, axes, keep, qu8, sum ? qu8b : qu8},
            seed++));
        NnCase c16 = MakeCase(
            {op, DataType::kInt16, kShape, axes, keep, q16, sum ? q16b : q16},
            seed++);
        if (sum) c16.abs_tol = 0;
        cases.push_back(std::move(c16));
      }
    }
  }
  testing::RunAndCompare(cases);
}

TEST(Reduce, ProdAnyAllMatchLiteRt) {
  std::vector<NnCase> cases;
  uint32_t seed = 900;
  const QuantSpec qin{{0.02f}, {0}}, qout{{0.05f}, {-3}};
  const QuantSpec q16in{{0.0005f}, {0}}, q16out{{0.001f}, {0}};
  for (const auto& axes : kAxisSets) {
    for (bool keep : {true, false}) {
      auto op = fb::BuiltinOperator::REDUCE_PROD;
      // Values near 1 keep float products in a comparable range.
      cases.push_back(
          MakeCase({op, DataType::kFloat32, kShape, axes, keep, {}, {}}, seed++,
                   0.5f, 1.5f));
      cases.push_back(
          MakeCase({op, DataType::kInt32, kShape, axes, keep, {}, {}}, seed++,
                   -3.f, 3.f));
      cases.push_back(MakeCase(
          {op, DataType::kInt8, kShape, axes, keep, qin, qout}, seed++));
      // int16 values within +-1.1 (real) so the running product stays in
      // int32 range (LiteRT overflows silently beyond that).
      NnCase c16 = MakeCase(
          {op, DataType::kInt16, kShape, axes, keep, q16in, q16out}, seed++);
      c16.inputs[0] = testing::RandomArray(DataType::kInt16, {2, 3, 4, 5},
                                           seed++, -2200.f, 2200.f);
      cases.push_back(std::move(c16));
      for (auto bop :
           {fb::BuiltinOperator::REDUCE_ANY, fb::BuiltinOperator::REDUCE_ALL}) {
        NnCase c = MakeCase({bop, DataType::kBool, kShape, axes, keep, {}, {}},
                            seed++);
        // Mostly-true input so that ALL is not always false.
        auto& data = c.inputs[0].data;
        for (size_t i = 0; i < data.size(); ++i)
          data[i] = (i * 7919 + seed) % 11 != 0;
        cases.push_back(std::move(c));
        cases.push_back(MakeCase(
            {bop, DataType::kBool, kShape, axes, keep, {}, {}}, seed++));
      }
    }
  }
  testing::RunAndCompare(cases);
}

TEST(Reduce, EdgeCasesMatchLiteRt) {
  std::vector<NnCase> cases;
  uint32_t seed = 1300;
  const QuantSpec qa{{0.05f}, {3}}, qb{{0.02f}, {-5}};
  // (An empty axes constant is not covered: the model loader currently
  // treats a zero-element constant as an unproduced tensor.)
  // Rank-1 input reduced to a scalar, and size-1 dims.
  cases.push_back(MakeCase(
      {fb::BuiltinOperator::MEAN, DataType::kInt8, {7}, {0}, false, qa, qb},
      seed++));
  cases.push_back(MakeCase({fb::BuiltinOperator::REDUCE_MAX,
                            DataType::kFloat32,
                            {1, 5, 1},
                            {0, 2},
                            false,
                            {},
                            {}},
                           seed++));
  cases.push_back(MakeCase({fb::BuiltinOperator::MEAN,
                            DataType::kUInt8,
                            {1, 1, 1, 9},
                            {1, 2},
                            true,
                            {{0.04f}, {128}},
                            {{0.03f}, {120}}},
                           seed++));
  testing::RunAndCompare(cases);
}

TEST(Reduce, RejectsBadModels) {
  auto input = [](DataType t, std::vector<int64_t> shape) {
    return testing::RandomArray(t, shape, 1, 0, 0);
  };
  // Axis out of range.
  testing::ExpectEmberError(ReduceModel({fb::BuiltinOperator::MEAN,
                                         DataType::kFloat32,
                                         {2, 3},
                                         {2},
                                         false,
                                         {},
                                         {}}),
                            {input(DataType::kFloat32, {2, 3})},
                            "out of range");
  // Quantized MEAN without quantization parameters.
  testing::ExpectEmberError(ReduceModel({fb::BuiltinOperator::MEAN,
                                         DataType::kInt8,
                                         {2, 3},
                                         {1},
                                         false,
                                         {},
                                         {}}),
                            {input(DataType::kInt8, {2, 3})}, "quantization");
  // int16 with a non-zero zero point.
  testing::ExpectEmberError(ReduceModel({fb::BuiltinOperator::SUM,
                                         DataType::kInt16,
                                         {2, 3},
                                         {1},
                                         false,
                                         {{0.1f}, {4}},
                                         {{0.1f}, {0}}}),
                            {input(DataType::kInt16, {2, 3})}, "zero point");
  // MAX with differing quantization.
  testing::ExpectEmberError(ReduceModel({fb::BuiltinOperator::REDUCE_MAX,
                                         DataType::kInt8,
                                         {2, 3},
                                         {1},
                                         false,
                                         {{0.1f}, {4}},
                                         {{0.2f}, {4}}}),
                            {input(DataType::kInt8, {2, 3})}, "must match");
  // ANY on float.
  testing::ExpectEmberError(ReduceModel({fb::BuiltinOperator::REDUCE_ANY,
                                         DataType::kFloat32,
                                         {2, 3},
                                         {1},
                                         false,
                                         {},
                                         {}}),
                            {input(DataType::kFloat32, {2, 3})},
                            "not supported");
  // Axis out of range at run time.
  testing::ExpectEmberError(
      ReduceModel({fb::BuiltinOperator::SUM,
                   DataType::kFloat32,
                   {2, 3},
                   {-3},
                   false,
                   {},
                   {},
                   false}),
      {input(DataType::kFloat32, {2, 3}),
       testing::MakeArray<int32_t>(DataType::kInt32, {1}, {-3})},
      "out of range");
}

}  // namespace
}  // namespace ember
