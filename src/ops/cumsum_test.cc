// CUMSUM against LiteRT.
#include "ops/nn_test_util.h"

namespace ember {
namespace {

using testing::NnCase;

std::vector<uint8_t> CumSumModel(DataType t, std::vector<int32_t> shape,
                                 int32_t axis, bool exclusive, bool reverse) {
  testing::ModelBuilder b;
  const int x = b.AddTensor(testing::ToFb(t), shape, "x");
  const int a = b.AddConstant<int32_t>(testing::kI32, {}, {axis}, "axis");
  const int y = b.AddTensor(testing::ToFb(t), shape, "y");
  fb::CumsumOptionsT o;
  o.exclusive = exclusive;
  o.reverse = reverse;
  b.AddOp(fb::BuiltinOperator::CUMSUM, {x, a}, {y}, testing::MakeOptions(o));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

TEST(CumSum, MatchesLiteRt) {
  std::vector<NnCase> cases;
  uint32_t seed = 1;
  const std::vector<int32_t> shape = {2, 3, 4};
  for (DataType t : {DataType::kFloat32, DataType::kInt32}) {
    for (int32_t axis : {0, 1, 2, -1, -3}) {
      for (int flags = 0; flags < 4; ++flags) {
        NnCase c;
        c.name = std::string(DataTypeName(t)) +
                 " axis=" + std::to_string(axis) +
                 " exclusive=" + std::to_string(flags & 1) +
                 " reverse=" + std::to_string(flags >> 1);
        c.model = CumSumModel(t, shape, axis, flags & 1, flags & 2);
        c.inputs = {testing::RandomArray(t, {2, 3, 4}, seed++, -50.f, 50.f)};
        if (t == DataType::kFloat32) c.rel_tol = 1e-5;
        cases.push_back(std::move(c));
      }
    }
  }
  NnCase one;
  one.name = "1-D float";
  one.model = CumSumModel(DataType::kFloat32, {17}, 0, false, false);
  one.inputs = {testing::RandomArray(DataType::kFloat32, {17}, seed++)};
  one.rel_tol = 1e-5;
  cases.push_back(std::move(one));
  testing::RunAndCompare(cases);
}

TEST(CumSum, RejectsBadModels) {
  testing::ExpectEmberError(
      CumSumModel(DataType::kFloat32, {2, 3}, 2, false, false),
      {testing::RandomArray(DataType::kFloat32, {2, 3}, 1)}, "out of range");
  testing::ExpectEmberError(
      CumSumModel(DataType::kInt8, {2, 3}, 0, false, false),
      {testing::RandomArray(DataType::kInt8, {2, 3}, 1, 0, 0)},
      "not supported");
}

}  // namespace
}  // namespace ember
