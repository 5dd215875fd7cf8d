// Comparisons, logical ops, SELECT and SELECT_V2 against LiteRT's
// reference kernels.
#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;
using Op = fb::BuiltinOperator;

// Small integer values (many ties) converted to `type`.
NpyArray SmallValues(DataType type, std::vector<int64_t> shape, uint32_t seed) {
  NpyArray ints = RandomArray(DataType::kInt32, shape, seed, -3, 3);
  const size_t n = ElementCount(ints);
  NpyArray a;
  a.type = type;
  a.shape = shape;
  a.data.resize(BytesFor(type, static_cast<int64_t>(n)));
  for (size_t i = 0; i < n; ++i) {
    int32_t v;
    memcpy(&v, ints.data.data() + 4 * i, 4);
    switch (type) {
      case DataType::kFloat32: {
        const float f = 0.5f * v;
        memcpy(&a.data[4 * i], &f, 4);
        break;
      }
      case DataType::kInt64: {
        const int64_t w = v;
        memcpy(&a.data[8 * i], &w, 8);
        break;
      }
      case DataType::kInt32:
        memcpy(&a.data[4 * i], &v, 4);
        break;
      case DataType::kInt16: {
        const int16_t w = v;
        memcpy(&a.data[2 * i], &w, 2);
        break;
      }
      case DataType::kBool:
        a.data[i] = v > 0;
        break;
      default:
        break;
    }
  }
  return a;
}

const Op kCompareOps[] = {Op::EQUAL,      Op::NOT_EQUAL, Op::LESS,
                          Op::LESS_EQUAL, Op::GREATER,   Op::GREATER_EQUAL};

const ShapePair kShapes[] = {{{2, 3, 4}, {2, 3, 4}},
                             {{2, 3, 4}, {4}},
                             {{2, 1, 4}, {3, 1}},
                             {{}, {5}},
                             {{1, 2, 1, 3, 1}, {2, 1, 4, 1, 2}}};

TEST(ComparisonOp, MatchesLiteRt) {
  std::vector<OpTest> cases;
  uint32_t seed = 1;
  std::mt19937 rng(5);
  for (Op op : kCompareOps) {
    const std::string name = fb::EnumNameBuiltinOperator(op);
    for (const ShapePair& sp : kShapes) {
      for (DataType t : {DataType::kFloat32, DataType::kInt32, DataType::kInt64,
                         DataType::kInt16}) {
        // LiteRT's NOT_EQUAL mishandles int16 (see NotEqualInt16 below).
        if (op == Op::NOT_EQUAL && t == DataType::kInt16) continue;
        cases.push_back(MakeCase(name + " " + DataTypeName(t) +
                                     ShapeName(sp.first) + ShapeName(sp.second),
                                 op,
                                 {In(SmallValues(t, sp.first, seed++)),
                                  In(SmallValues(t, sp.second, seed++))},
                                 {{fb::TensorType::BOOL, {}}}));
      }
      if (op == Op::EQUAL || op == Op::NOT_EQUAL) {
        cases.push_back(
            MakeCase(name + " bool" + ShapeName(sp.first), op,
                     {In(SmallValues(DataType::kBool, sp.first, seed++)),
                      In(SmallValues(DataType::kBool, sp.second, seed++))},
                     {{fb::TensorType::BOOL, {}}}));
      }
      // Quantized 8-bit: same quantization (ties) and different ones.
      for (DataType t : {DataType::kInt8, DataType::kUInt8}) {
        for (bool same : {true, false}) {
          const QuantSpec qa = RandomQuant(rng, t, 0.01f, 0.5f);
          const QuantSpec qb = same ? qa : RandomQuant(rng, t, 0.01f, 0.5f);
          NpyArray x = RandomArray(t, sp.first, seed++, 0, 0);
          NpyArray y = RandomArray(t, sp.second, seed++, 0, 0);
          if (same) {  // narrow range for ties
            x = RandomArray(t, sp.first, seed++, 100, 110);
            y = RandomArray(t, sp.second, seed++, 100, 110);
          }
          cases.push_back(MakeCase(
              name + " " + DataTypeName(t) +
                  (same ? " same quant" : " mixed quant") +
                  ShapeName(sp.first) + ShapeName(sp.second),
              op, {In(x, qa), In(y, qb)}, {{fb::TensorType::BOOL, {}}}, {}, 2));
        }
      }
    }
  }
  ExpectMatchesLiteRt(cases);
}

// LiteRT's NOT_EQUAL returns wrong results for int16 inputs (it leaves the
// output unwritten), so Ember's NOT_EQUAL int16 is checked against the
// complement of LiteRT's EQUAL on the same inputs.
TEST(ComparisonOp, NotEqualInt16IsComplementOfLiteRtEqual) {
  std::vector<OpTest> equal_cases, not_equal_cases;
  uint32_t seed = 700;
  for (const ShapePair& sp : kShapes) {
    NpyArray x = SmallValues(DataType::kInt16, sp.first, seed++);
    NpyArray y = SmallValues(DataType::kInt16, sp.second, seed++);
    equal_cases.push_back(MakeCase("EQUAL int16", Op::EQUAL, {In(x), In(y)},
                                   {{fb::TensorType::BOOL, {}}}));
    not_equal_cases.push_back(MakeCase("NOT_EQUAL int16", Op::NOT_EQUAL,
                                       {In(x), In(y)},
                                       {{fb::TensorType::BOOL, {}}}));
  }
  std::vector<OracleCase> oc;
  for (const OpTest& c : equal_cases) oc.push_back({c.model, c.inputs});
  const std::vector<RunResult> lite = RunLiteRt(oc);
  for (size_t i = 0; i < not_equal_cases.size(); ++i) {
    ASSERT_TRUE(lite[i].ok) << lite[i].error;
    const RunResult ours =
        RunEmber(not_equal_cases[i].model, not_equal_cases[i].inputs);
    ASSERT_TRUE(ours.ok) << ours.error;
    NpyArray expected = lite[i].outputs[0];
    for (uint8_t& b : expected.data) b = b ? 0 : 1;
    const std::string why =
        CompareOutputs(ours.outputs[0], expected, Tolerance::Exact());
    EXPECT_TRUE(why.empty()) << "case " << i << ": " << why;
  }
}

TEST(LogicalOp, MatchesLiteRt) {
  std::vector<OpTest> cases;
  uint32_t seed = 900;
  for (Op op : {Op::LOGICAL_AND, Op::LOGICAL_OR}) {
    for (const ShapePair& sp : kShapes) {
      cases.push_back(
          MakeCase(std::string(fb::EnumNameBuiltinOperator(op)) +
                       ShapeName(sp.first) + ShapeName(sp.second),
                   op,
                   {In(RandomArray(DataType::kBool, sp.first, seed++)),
                    In(RandomArray(DataType::kBool, sp.second, seed++))},
                   {{fb::TensorType::BOOL, {}}}));
    }
  }
  cases.push_back(MakeCase("LOGICAL_NOT", Op::LOGICAL_NOT,
                           {In(RandomArray(DataType::kBool, {3, 17}, seed++))},
                           {{fb::TensorType::BOOL, {}}}));
  ExpectMatchesLiteRt(cases);
}

TEST(SelectOp, MatchesLiteRt) {
  std::vector<OpTest> cases;
  uint32_t seed = 1000;
  const DataType types[] = {
      DataType::kFloat32, DataType::kInt32, DataType::kInt64, DataType::kInt16,
      DataType::kInt8,    DataType::kUInt8, DataType::kBool};
  auto data = [&](DataType t, std::vector<int64_t> shape) {
    return t == DataType::kFloat32 ? RandomArray(t, shape, seed++, -5, 5)
                                   : RandomArray(t, shape, seed++, 0, 0);
  };
  struct Shapes {
    std::vector<int64_t> cond, x, y;
  };
  // SELECT (v1): same shape, rank-1 condition over the first dimension,
  // scalar condition.
  const Shapes v1[] = {{{2, 3, 4}, {2, 3, 4}, {2, 3, 4}},
                       {{3}, {3, 5}, {3, 5}},
                       {{}, {4, 2}, {4, 2}}};
  // SELECT_V2: any broadcast among the three.
  const Shapes v2[] = {{{2, 3, 4}, {2, 3, 4}, {2, 3, 4}},
                       {{3, 1}, {1, 4}, {3, 4}},
                       {{}, {4, 2}, {2}},
                       {{2, 1, 3}, {1}, {4, 1}}};
  for (DataType t : types) {
    for (const Shapes& s : v1) {
      cases.push_back(
          MakeCase("SELECT " + std::string(DataTypeName(t)) +
                       ShapeName(s.cond) + ShapeName(s.x),
                   Op::SELECT,
                   {In(RandomArray(DataType::kBool, s.cond, seed++)),
                    In(data(t, s.x)), In(data(t, s.y))},
                   {{ToFb(t), {}}}));
    }
    for (const Shapes& s : v2) {
      cases.push_back(
          MakeCase("SELECT_V2 " + std::string(DataTypeName(t)) +
                       ShapeName(s.cond) + ShapeName(s.x) + ShapeName(s.y),
                   Op::SELECT_V2,
                   {In(RandomArray(DataType::kBool, s.cond, seed++)),
                    In(data(t, s.x)), Const(data(t, s.y))},
                   {{ToFb(t), {}}}));
    }
  }
  ExpectMatchesLiteRt(cases);
}

TEST(ComparisonOp, RejectsBadModels) {
  ExpectEmberError(MakeCase("less bool", Op::LESS,
                            {In(RandomArray(DataType::kBool, {2}, 1)),
                             In(RandomArray(DataType::kBool, {2}, 2))},
                            {{fb::TensorType::BOOL, {}}}),
                   "not supported");
  ExpectEmberError(MakeCase("equal float out", Op::EQUAL,
                            {In(RandomArray(DataType::kFloat32, {2}, 1)),
                             In(RandomArray(DataType::kFloat32, {2}, 2))},
                            {{kF32, {}}}),
                   "expected bool");
  ExpectEmberError(MakeCase("and float", Op::LOGICAL_AND,
                            {In(RandomArray(DataType::kFloat32, {2}, 1)),
                             In(RandomArray(DataType::kFloat32, {2}, 2))},
                            {{fb::TensorType::BOOL, {}}}),
                   "expected bool");
  ExpectEmberError(MakeCase("select cond shape", Op::SELECT,
                            {In(RandomArray(DataType::kBool, {2, 2}, 1)),
                             In(RandomArray(DataType::kFloat32, {2, 3}, 2)),
                             In(RandomArray(DataType::kFloat32, {2, 3}, 3))},
                            {{kF32, {}}}),
                   "condition must match");
  ExpectEmberError(MakeCase("select_v2 broadcast", Op::SELECT_V2,
                            {In(RandomArray(DataType::kBool, {3}, 1)),
                             In(RandomArray(DataType::kFloat32, {2}, 2)),
                             In(RandomArray(DataType::kFloat32, {2}, 3))},
                            {{kF32, {}}}),
                   "broadcast");
  ExpectEmberError(MakeCase("select cond type", Op::SELECT_V2,
                            {In(RandomArray(DataType::kInt32, {2}, 1)),
                             In(RandomArray(DataType::kFloat32, {2}, 2)),
                             In(RandomArray(DataType::kFloat32, {2}, 3))},
                            {{kF32, {}}}),
                   "condition");
}

}  // namespace
}  // namespace ember
