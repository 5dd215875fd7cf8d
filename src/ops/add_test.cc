// ADD and SUB against LiteRT's reference kernels.
#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;

fb::BuiltinOptionsUnion Options(bool sub, fb::ActivationFunctionType act,
                                bool pot = true) {
  fb::BuiltinOptionsUnion u;
  if (sub) {
    fb::SubOptionsT o;
    o.fused_activation_function = act;
    o.pot_scale_int16 = pot;
    u.Set(o);
  } else {
    fb::AddOptionsT o;
    o.fused_activation_function = act;
    o.pot_scale_int16 = pot;
    u.Set(o);
  }
  return u;
}

fb::BuiltinOperator OpOf(bool sub) {
  return sub ? fb::BuiltinOperator::SUB : fb::BuiltinOperator::ADD;
}

std::vector<OpTest> PlainCases(bool sub) {
  std::vector<OpTest> cases;
  uint32_t seed = 1;
  const DataType types[] = {DataType::kFloat32, DataType::kInt32,
                            DataType::kInt64};
  for (DataType t : types) {
    for (const ShapePair& sp : BroadcastShapePairs()) {
      for (int rep = 0; rep < 2; ++rep) {
        const auto act = kAllActivations[(seed / 2 + rep) % 4];
        NpyArray x = RandomArray(t, sp.first, seed++, -5, 5);
        NpyArray y = RandomArray(t, sp.second, seed++, -5, 5);
        const bool constant = (seed % 3) == 0;
        cases.push_back(MakeCase(
            std::string(DataTypeName(t)) + " " + ShapeName(sp.first) + " " +
                ShapeName(sp.second) + " act " + std::to_string(int(act)),
            OpOf(sub), {In(x), constant ? Const(y) : In(y)}, {{ToFb(t), {}}},
            Options(sub, act), sub ? 2 : 1,
            t == DataType::kFloat32 ? 1e-6 : 0));
      }
    }
  }
  return cases;
}

std::vector<OpTest> QuantizedCases(bool sub) {
  std::vector<OpTest> cases;
  std::mt19937 rng(sub ? 7 : 3);
  uint32_t seed = 100;
  for (DataType t : {DataType::kInt8, DataType::kUInt8, DataType::kInt16}) {
    for (const ShapePair& sp : BroadcastShapePairs()) {
      for (int rep = 0; rep < 2; ++rep) {
        {
          const auto act = kAllActivations[(seed / 2 + rep) % 4];
          const QuantSpec qa = RandomQuant(rng, t), qb = RandomQuant(rng, t);
          const QuantSpec qo = RandomQuant(rng, t, 0.01f, 0.4f);
          NpyArray x = RandomArray(t, sp.first, seed++, 0, 0);
          NpyArray y = RandomArray(t, sp.second, seed++, 0, 0);
          // int16 uses general scales unless pot_scale_int16 is set.
          cases.push_back(MakeCase(
              std::string(DataTypeName(t)) + " " + ShapeName(sp.first) + " " +
                  ShapeName(sp.second) + " act " + std::to_string(int(act)),
              OpOf(sub), {In(x, qa), rep ? Const(y, qb) : In(y, qb)},
              {{ToFb(t), qo}}, Options(sub, act, false), sub ? 3 : 2));
        }
      }
    }
  }
  return cases;
}

// int16 with power-of-two scales and pot_scale_int16 = true (LSTM style):
// one input on the output scale, the other finer.
std::vector<OpTest> PotInt16Cases(bool sub) {
  std::vector<OpTest> cases;
  uint32_t seed = 500;
  const int shifts[][2] = {{0, 0},  {0, -1}, {0, -3},
                           {-2, 0}, {-7, 0}, {0, -12}};
  for (auto& s : shifts) {
    for (auto act : kAllActivations) {
      const int out_exp = -10;
      const QuantSpec qa = Quant(std::ldexp(1.0f, out_exp + s[0]), 0);
      const QuantSpec qb = Quant(std::ldexp(1.0f, out_exp + s[1]), 0);
      const QuantSpec qo = Quant(std::ldexp(1.0f, out_exp), 0);
      NpyArray x = RandomArray(DataType::kInt16, {3, 50}, seed++, 0, 0);
      NpyArray y = RandomArray(DataType::kInt16, {3, 50}, seed++, 0, 0);
      cases.push_back(MakeCase("pot int16 shifts " + std::to_string(s[0]) +
                                   "," + std::to_string(s[1]) + " act " +
                                   std::to_string(int(act)),
                               OpOf(sub), {In(x, qa), In(y, qb)}, {{kI16, qo}},
                               Options(sub, act, true), sub ? 5 : 3));
    }
  }
  return cases;
}

TEST(AddOp, PlainTypesMatchLiteRt) { ExpectMatchesLiteRt(PlainCases(false)); }
TEST(AddOp, QuantizedMatchesLiteRt) {
  ExpectMatchesLiteRt(QuantizedCases(false));
}
TEST(AddOp, PotInt16MatchesLiteRt) {
  ExpectMatchesLiteRt(PotInt16Cases(false));
}
TEST(SubOp, PlainTypesMatchLiteRt) { ExpectMatchesLiteRt(PlainCases(true)); }
TEST(SubOp, QuantizedMatchesLiteRt) {
  ExpectMatchesLiteRt(QuantizedCases(true));
}
TEST(SubOp, PotInt16MatchesLiteRt) { ExpectMatchesLiteRt(PotInt16Cases(true)); }

TEST(AddOp, RejectsBadModels) {
  const auto none = fb::ActivationFunctionType::NONE;
  for (bool sub : {false, true}) {
    ExpectEmberError(MakeCase("mixed types", OpOf(sub),
                              {In(RandomArray(DataType::kFloat32, {2}, 1)),
                               In(RandomArray(DataType::kInt32, {2}, 1))},
                              {{kF32, {}}}, Options(sub, none)),
                     "same type");
    ExpectEmberError(MakeCase("no broadcast", OpOf(sub),
                              {In(RandomArray(DataType::kFloat32, {2, 3}, 1)),
                               In(RandomArray(DataType::kFloat32, {2}, 1))},
                              {{kF32, {}}}, Options(sub, none)),
                     "broadcast");
    ExpectEmberError(MakeCase("no quant", OpOf(sub),
                              {In(RandomArray(DataType::kInt8, {2}, 1, 0, 0),
                                  Quant(0.1f, 0)),
                               In(RandomArray(DataType::kInt8, {2}, 1, 0, 0))},
                              {{kI8, Quant(0.1f, 0)}}, Options(sub, none)),
                     "no quantization");
    ExpectEmberError(
        MakeCase(
            "int16 zero point", OpOf(sub),
            {In(RandomArray(DataType::kInt16, {2}, 1, 0, 0), Quant(0.1f, 3)),
             In(RandomArray(DataType::kInt16, {2}, 1, 0, 0), Quant(0.1f, 0))},
            {{kI16, Quant(0.1f, 0)}}, Options(sub, none)),
        "zero point 0");
    ExpectEmberError(MakeCase("bool", OpOf(sub),
                              {In(RandomArray(DataType::kBool, {2}, 1, 0, 0)),
                               In(RandomArray(DataType::kBool, {2}, 1, 0, 0))},
                              {{fb::TensorType::BOOL, {}}}, Options(sub, none)),
                     "not supported");
  }
}

}  // namespace
}  // namespace ember
