// EMBEDDING_LOOKUP against LiteRT.
#include "ops/nn_test_util.h"

namespace ember {
namespace {

using testing::NnCase;
using testing::QuantSpec;

std::vector<uint8_t> LookupModel(DataType table_t, DataType out_t,
                                 std::vector<int32_t> ids_shape,
                                 const NpyArray& table, QuantSpec q) {
  testing::ModelBuilder b;
  const int ids = b.AddTensor(testing::kI32, ids_shape, "ids");
  std::vector<int32_t> tshape(table.shape.begin(), table.shape.end());
  const int t = b.AddConstant(testing::ToFb(table_t), tshape, table.data.data(),
                              table.data.size(), "table", q);
  const int y = b.AddTensor(testing::ToFb(out_t), {1}, "y");
  b.AddOp(fb::BuiltinOperator::EMBEDDING_LOOKUP, {ids, t}, {y});
  b.SetInputs({ids});
  b.SetOutputs({y});
  return b.Build();
}

TEST(EmbeddingLookup, MatchesLiteRt) {
  std::vector<NnCase> cases;
  uint32_t seed = 1;
  const std::vector<std::vector<int64_t>> tables = {
      {10, 4}, {7, 3, 2}, {5, 1, 2, 3}};
  const std::vector<int32_t> ids = {3, 0, 4, 4, 1, 2};
  for (const auto& ts : tables) {
    const int64_t rows = ts[0];
    std::vector<int32_t> my_ids;
    for (int32_t id : ids) my_ids.push_back(id % static_cast<int32_t>(rows));
    auto ids_arr = testing::MakeArray<int32_t>(
        DataType::kInt32, {static_cast<int64_t>(my_ids.size())}, my_ids);
    const std::vector<int32_t> ids_shape = {
        static_cast<int32_t>(my_ids.size())};
    for (DataType t : {DataType::kFloat32, DataType::kInt8, DataType::kUInt8,
                       DataType::kInt32}) {
      NnCase c;
      c.name = std::string("copy ") + DataTypeName(t) + " rank " +
               std::to_string(ts.size());
      auto table = t == DataType::kFloat32
                       ? testing::RandomArray(t, ts, seed++)
                       : testing::RandomArray(t, ts, seed++, 0, 0);
      QuantSpec q;
      if (t == DataType::kInt8 || t == DataType::kUInt8) q = {{0.1f}, {0}};
      c.model = LookupModel(t, t, ids_shape, table, q);
      c.inputs = {ids_arr};
      cases.push_back(std::move(c));
    }
    // Hybrid: int8 table, float output, per-tensor and per-row scales.
    auto table8 = testing::RandomArray(DataType::kInt8, ts, seed++, 0, 0);
    NnCase h;
    h.name = "hybrid per-tensor rank " + std::to_string(ts.size());
    h.model = LookupModel(DataType::kInt8, DataType::kFloat32, ids_shape,
                          table8, {{0.03f}, {0}});
    h.inputs = {ids_arr};
    cases.push_back(std::move(h));
    QuantSpec per_row;
    for (int64_t r = 0; r < rows; ++r) {
      per_row.scales.push_back(0.01f * (r + 1));
      per_row.zero_points.push_back(0);
    }
    NnCase hr;
    hr.name = "hybrid per-row rank " + std::to_string(ts.size());
    hr.model = LookupModel(DataType::kInt8, DataType::kFloat32, ids_shape,
                           table8, per_row);
    hr.inputs = {ids_arr};
    cases.push_back(std::move(hr));
  }
  testing::RunAndCompare(cases);
}

TEST(EmbeddingLookup, RejectsBadIdsAndModels) {
  auto table = testing::RandomArray(DataType::kFloat32, {4, 3}, 1);
  const auto model =
      LookupModel(DataType::kFloat32, DataType::kFloat32, {2}, table, {});
  testing::ExpectEmberError(
      model, {testing::MakeArray<int32_t>(DataType::kInt32, {2}, {1, 4})},
      "out of range");
  testing::ExpectEmberError(
      model, {testing::MakeArray<int32_t>(DataType::kInt32, {2}, {-1, 0})},
      "out of range");
  // Valid ids still work after the failures above (fresh interpreter).
  EXPECT_TRUE(testing::RunEmber(model, {testing::MakeArray<int32_t>(
                                           DataType::kInt32, {2}, {3, 0})})
                  .ok);
  // Asymmetric hybrid table.
  auto table8 = testing::RandomArray(DataType::kInt8, {4, 3}, 1, 0, 0);
  testing::ExpectEmberError(
      LookupModel(DataType::kInt8, DataType::kFloat32, {2}, table8,
                  {{0.1f}, {3}}),
      {testing::MakeArray<int32_t>(DataType::kInt32, {2}, {1, 0})},
      "symmetric");
  // 1-D table.
  auto table1 = testing::RandomArray(DataType::kFloat32, {4}, 1);
  testing::ExpectEmberError(
      LookupModel(DataType::kFloat32, DataType::kFloat32, {2}, table1, {}),
      {testing::MakeArray<int32_t>(DataType::kInt32, {2}, {1, 0})}, "rank");
}

}  // namespace
}  // namespace ember
