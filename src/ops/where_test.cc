// WHERE against LiteRT's reference kernels.
#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;

TEST(WhereOp, MatchesLiteRt) {
  std::vector<OpTest> cases;
  uint32_t seed = 1;
  const std::vector<std::vector<int64_t>> shapes = {
      {7}, {3, 4}, {2, 3, 4}, {2, 1, 3, 2}, {1, 1, 2, 1, 3}};
  for (const auto& shape : shapes) {
    for (DataType t : {DataType::kBool, DataType::kFloat32, DataType::kInt32}) {
      NpyArray c = t == DataType::kBool ? RandomArray(t, shape, seed++)
                                        : RandomArray(t, shape, seed++, -1, 1);
      if (t == DataType::kFloat32) {  // make about half exactly zero
        for (size_t i = 0; i < ElementCount(c); ++i) {
          float v;
          memcpy(&v, c.data.data() + 4 * i, 4);
          if (v < 0) v = 0;
          memcpy(c.data.data() + 4 * i, &v, 4);
        }
      }
      cases.push_back(MakeCase(
          "WHERE " + std::string(DataTypeName(t)) + ShapeName(shape),
          fb::BuiltinOperator::WHERE, {In(c)}, {{fb::TensorType::INT64, {}}}));
    }
    // Constant condition: the output shape is known at prepare time.
    cases.push_back(
        MakeCase("WHERE const" + ShapeName(shape), fb::BuiltinOperator::WHERE,
                 {Const(RandomArray(DataType::kBool, shape, seed++))},
                 {{fb::TensorType::INT64, {}}}));
  }
  ExpectMatchesLiteRt(cases);
}

// Nothing true: a [0, rank] result (LiteRT's Python API cannot return an
// empty dynamic tensor, so this one is checked directly).
TEST(WhereOp, NothingTrueGivesEmptyResult) {
  const OpTest c = MakeCase(
      "WHERE none", fb::BuiltinOperator::WHERE,
      {In(Values<uint8_t>(DataType::kBool, {2, 3}, {0, 0, 0, 0, 0, 0}))},
      {{fb::TensorType::INT64, {}}});
  const RunResult r = RunEmber(c.model, c.inputs);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].shape, (std::vector<int64_t>{0, 2}));
}

TEST(WhereOp, RejectsBadModels) {
  ExpectEmberError(MakeCase("where scalar", fb::BuiltinOperator::WHERE,
                            {In(RandomArray(DataType::kBool, {}, 1))},
                            {{fb::TensorType::INT64, {}}}),
                   "rank");
  ExpectEmberError(
      MakeCase("where int32 out", fb::BuiltinOperator::WHERE,
               {In(RandomArray(DataType::kBool, {3}, 1))}, {{kI32, {}}}),
      "expected int64");
  ExpectEmberError(MakeCase("where int16", fb::BuiltinOperator::WHERE,
                            {In(RandomArray(DataType::kInt16, {3}, 1, 0, 0))},
                            {{fb::TensorType::INT64, {}}}),
                   "not supported");
}

}  // namespace
}  // namespace ember
