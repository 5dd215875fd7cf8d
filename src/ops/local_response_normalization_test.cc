// LOCAL_RESPONSE_NORMALIZATION against LiteRT.
#include "ops/nn_test_util.h"

namespace ember {
namespace {

using testing::NnCase;

std::vector<uint8_t> LrnModel(std::vector<int32_t> shape, int radius,
                              float bias, float alpha, float beta) {
  testing::ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, shape, "x");
  const int y = b.AddTensor(testing::kF32, shape, "y");
  fb::LocalResponseNormalizationOptionsT o;
  o.radius = radius;
  o.bias = bias;
  o.alpha = alpha;
  o.beta = beta;
  b.AddOp(fb::BuiltinOperator::LOCAL_RESPONSE_NORMALIZATION, {x}, {y},
          testing::MakeOptions(o));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

TEST(LocalResponseNormalization, MatchesLiteRt) {
  std::vector<NnCase> cases;
  uint32_t seed = 1;
  struct P {
    int radius;
    float bias, alpha, beta;
  };
  for (const P& p :
       {P{0, 1.f, 1.f, 0.5f}, P{2, 1.f, 0.5f, 0.75f}, P{5, 2.f, 0.1f, 0.5f},
        P{1, 0.5f, 2.f, 1.f}, P{20, 1.f, 1e-4f, 0.75f}}) {
    for (const auto& shape :
         std::vector<std::vector<int32_t>>{{1, 2, 3, 8}, {2, 1, 1, 13}}) {
      NnCase c;
      c.name = "radius=" + std::to_string(p.radius) +
               " beta=" + std::to_string(p.beta) +
               " depth=" + std::to_string(shape[3]);
      c.model = LrnModel(shape, p.radius, p.bias, p.alpha, p.beta);
      c.inputs = {testing::RandomArray(
          DataType::kFloat32, std::vector<int64_t>(shape.begin(), shape.end()),
          seed++, -2.f, 2.f)};
      c.rel_tol = 1e-5;
      cases.push_back(std::move(c));
    }
  }
  testing::RunAndCompare(cases);
}

TEST(LocalResponseNormalization, RejectsBadModels) {
  testing::ExpectEmberError(
      LrnModel({2, 8}, 2, 1.f, 1.f, 0.5f),
      {testing::RandomArray(DataType::kFloat32, {2, 8}, 1)}, "4-D");
  testing::ExpectEmberError(
      LrnModel({1, 1, 2, 8}, -1, 1.f, 1.f, 0.5f),
      {testing::RandomArray(DataType::kFloat32, {1, 1, 2, 8}, 1)}, "radius");
}

}  // namespace
}  // namespace ember
