// L2_NORMALIZATION against LiteRT.
#include "ops/nn_test_util.h"

namespace ember {
namespace {

using testing::NnCase;
using testing::QuantSpec;

std::vector<uint8_t> L2Model(DataType t, std::vector<int32_t> shape,
                             QuantSpec in_q, QuantSpec out_q) {
  testing::ModelBuilder b;
  const int x = b.AddTensor(testing::ToFb(t), shape, "x", in_q);
  const int y = b.AddTensor(testing::ToFb(t), shape, "y", out_q);
  b.AddOp(fb::BuiltinOperator::L2_NORMALIZATION, {x}, {y},
          testing::MakeOptions(fb::L2NormOptionsT()));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

TEST(L2Normalization, MatchesLiteRt) {
  const std::vector<std::vector<int32_t>> shapes = {
      {8}, {3, 5}, {2, 3, 17}, {1, 2, 2, 300}, {4, 1}};
  std::vector<NnCase> cases;
  uint32_t seed = 1;
  for (const auto& shape : shapes) {
    std::vector<int64_t> s64(shape.begin(), shape.end());
    NnCase f;
    f.name = "float rank " + std::to_string(shape.size());
    f.model = L2Model(DataType::kFloat32, shape, {}, {});
    f.inputs = {
        testing::RandomArray(DataType::kFloat32, s64, seed++, -3.f, 3.f)};
    f.rel_tol = 1e-5;
    cases.push_back(std::move(f));
    for (int zp : {0, -20, 60}) {
      NnCase c;
      c.name = "int8 rank " + std::to_string(shape.size()) +
               " zp=" + std::to_string(zp);
      c.model =
          L2Model(DataType::kInt8, shape, {{0.05f}, {zp}}, {{1.f / 128}, {0}});
      c.inputs = {testing::RandomArray(DataType::kInt8, s64, seed++, 0, 0)};
      cases.push_back(std::move(c));
      NnCase u;
      u.name = "uint8 rank " + std::to_string(shape.size()) +
               " zp=" + std::to_string(zp + 128);
      u.model = L2Model(DataType::kUInt8, shape, {{0.05f}, {zp + 128}},
                        {{1.f / 128}, {128}});
      u.inputs = {testing::RandomArray(DataType::kUInt8, s64, seed++, 0, 0)};
      cases.push_back(std::move(u));
    }
  }
  // Rows of all-zero-point values (zero norm) and a single non-zero value.
  NnCase z;
  z.name = "int8 degenerate rows";
  z.model =
      L2Model(DataType::kInt8, {3, 4}, {{0.05f}, {5}}, {{1.f / 128}, {0}});
  z.inputs = {testing::MakeArray<int8_t>(
      DataType::kInt8, {3, 4}, {5, 5, 5, 5, 5, 6, 5, 5, 127, -128, 5, 5})};
  cases.push_back(std::move(z));
  testing::RunAndCompare(cases);
}

TEST(L2Normalization, RejectsBadModels) {
  testing::ExpectEmberError(
      L2Model(DataType::kInt8, {2, 4}, {{0.05f}, {0}}, {{0.1f}, {0}}),
      {testing::RandomArray(DataType::kInt8, {2, 4}, 1, 0, 0)}, "1/128");
  testing::ExpectEmberError(
      L2Model(DataType::kFloat32, {1, 2, 2, 2, 2}, {}, {}),
      {testing::RandomArray(DataType::kFloat32, {1, 2, 2, 2, 2}, 1)}, "rank");
  testing::ExpectEmberError(L2Model(DataType::kInt32, {2, 4}, {}, {}),
                            {testing::RandomArray(DataType::kInt32, {2, 4}, 1)},
                            "not supported");
}

}  // namespace
}  // namespace ember
