// MUL, DIV, SQUARED_DIFFERENCE, MAXIMUM, MINIMUM, POW, FLOOR_DIV, FLOOR_MOD
// against LiteRT's reference kernels.
#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;
using Op = fb::BuiltinOperator;

fb::BuiltinOptionsUnion OptionsFor(Op op, fb::ActivationFunctionType act) {
  fb::BuiltinOptionsUnion u;
  switch (op) {
    case Op::MUL: {
      fb::MulOptionsT o;
      o.fused_activation_function = act;
      u.Set(o);
      break;
    }
    case Op::DIV: {
      fb::DivOptionsT o;
      o.fused_activation_function = act;
      u.Set(o);
      break;
    }
    case Op::SQUARED_DIFFERENCE:
      u.Set(fb::SquaredDifferenceOptionsT());
      break;
    case Op::MAXIMUM:
    case Op::MINIMUM:
      u.Set(fb::MaximumMinimumOptionsT());
      break;
    case Op::POW:
      u.Set(fb::PowOptionsT());
      break;
    case Op::FLOOR_DIV:
      u.Set(fb::FloorDivOptionsT());
      break;
    case Op::FLOOR_MOD:
      u.Set(fb::FloorModOptionsT());
      break;
    default:
      break;
  }
  return u;
}

bool HasActivation(Op op) { return op == Op::MUL || op == Op::DIV; }

// Replaces zeros (integers) or tiny magnitudes (floats) so divisors are safe.
NpyArray NonZero(NpyArray a) {
  const size_t n = ElementCount(a);
  for (size_t i = 0; i < n; ++i) {
    switch (a.type) {
      case DataType::kFloat32: {
        float v;
        memcpy(&v, a.data.data() + 4 * i, 4);
        if (std::fabs(v) < 0.25f) v = v < 0 ? v - 0.5f : v + 0.5f;
        memcpy(a.data.data() + 4 * i, &v, 4);
        break;
      }
      case DataType::kInt32: {
        int32_t v;
        memcpy(&v, a.data.data() + 4 * i, 4);
        if (v == 0) v = 3;
        memcpy(a.data.data() + 4 * i, &v, 4);
        break;
      }
      case DataType::kInt64: {
        int64_t v;
        memcpy(&v, a.data.data() + 8 * i, 8);
        if (v == 0) v = -2;
        memcpy(a.data.data() + 8 * i, &v, 8);
        break;
      }
      case DataType::kInt16: {
        int16_t v;
        memcpy(&v, a.data.data() + 2 * i, 2);
        if (v == 0) v = 5;
        memcpy(a.data.data() + 2 * i, &v, 2);
        break;
      }
      case DataType::kInt8:
        if (a.data[i] == 0) a.data[i] = 7;
        break;
      default:
        break;
    }
  }
  return a;
}

struct Range {
  float lo, hi;
};

// Cases over the standard broadcast shapes for one op and one plain type.
void AddPlainCases(std::vector<OpTest>* cases, Op op, DataType t, Range ra,
                   Range rb, bool divisor, double tol, uint32_t* seed) {
  int k = 0;
  for (const ShapePair& sp : BroadcastShapePairs()) {
    const auto act = HasActivation(op) ? kAllActivations[k % 4]
                                       : fb::ActivationFunctionType::NONE;
    NpyArray x = RandomArray(t, sp.first, (*seed)++, ra.lo, ra.hi);
    NpyArray y = RandomArray(t, sp.second, (*seed)++, rb.lo, rb.hi);
    if (divisor) y = NonZero(y);
    cases->push_back(
        MakeCase(std::string(fb::EnumNameBuiltinOperator(op)) + " " +
                     DataTypeName(t) + " " + ShapeName(sp.first) + " " +
                     ShapeName(sp.second) + " act " + std::to_string(int(act)),
                 op, {In(x), (k % 3 == 2) ? Const(y) : In(y)}, {{ToFb(t), {}}},
                 OptionsFor(op, act), 1, t == DataType::kFloat32 ? tol : 0));
    ++k;
  }
}

// Quantized cases: random scales/zero points per case (same_quant: all
// three tensors share one quantization, as MAXIMUM/MINIMUM require).
void AddQuantCases(std::vector<OpTest>* cases, Op op, DataType t,
                   bool same_quant, uint32_t* seed, int version = 2) {
  std::mt19937 rng(*seed);
  int k = 0;
  for (const ShapePair& sp : BroadcastShapePairs()) {
    const auto act = HasActivation(op) ? kAllActivations[k % 4]
                                       : fb::ActivationFunctionType::NONE;
    const QuantSpec qa = RandomQuant(rng, t);
    const QuantSpec qb = same_quant ? qa : RandomQuant(rng, t);
    const QuantSpec qo = same_quant ? qa : RandomQuant(rng, t, 0.002f, 0.1f);
    NpyArray x = RandomArray(t, sp.first, (*seed)++, 0, 0);
    NpyArray y = RandomArray(t, sp.second, (*seed)++, 0, 0);
    cases->push_back(
        MakeCase(std::string(fb::EnumNameBuiltinOperator(op)) + " " +
                     DataTypeName(t) + " " + ShapeName(sp.first) + " " +
                     ShapeName(sp.second) + " act " + std::to_string(int(act)),
                 op, {In(x, qa), (k % 3 == 2) ? Const(y, qb) : In(y, qb)},
                 {{ToFb(t), qo}}, OptionsFor(op, act), version));
    ++k;
  }
}

constexpr Range kWide{-5, 5};

TEST(MulOp, MatchesLiteRt) {
  std::vector<OpTest> cases;
  uint32_t seed = 10;
  for (DataType t : {DataType::kFloat32, DataType::kInt32, DataType::kInt64})
    AddPlainCases(&cases, Op::MUL, t, kWide, kWide, false, 1e-6, &seed);
  for (DataType t : {DataType::kInt8, DataType::kUInt8, DataType::kInt16})
    for (int rep = 0; rep < 2; ++rep)
      AddQuantCases(&cases, Op::MUL, t, false, &seed,
                    t == DataType::kInt16 ? 4 : 2);
  ExpectMatchesLiteRt(cases);
}

TEST(DivOp, MatchesLiteRt) {
  std::vector<OpTest> cases;
  uint32_t seed = 20;
  AddPlainCases(&cases, Op::DIV, DataType::kFloat32, kWide, kWide, true, 1e-6,
                &seed);
  AddPlainCases(&cases, Op::DIV, DataType::kInt32, {-1000, 1000}, {-30, 30},
                true, 0, &seed);
  // Quantized: random quantization; divisors avoid their zero point.
  std::mt19937 rng(21);
  for (DataType t : {DataType::kInt8, DataType::kUInt8, DataType::kInt16}) {
    int k = 0;
    for (const ShapePair& sp : BroadcastShapePairs()) {
      const auto act = kAllActivations[k % 4];
      const QuantSpec qa = RandomQuant(rng, t), qb = RandomQuant(rng, t);
      const QuantSpec qo = RandomQuant(rng, t, 0.01f, 0.5f);
      NpyArray x = RandomArray(t, sp.first, seed++, 0, 0);
      NpyArray y = RandomArray(t, sp.second, seed++, 0, 0);
      const int64_t zp = qb.zero_points[0];
      const size_t n = ElementCount(y), w = t == DataType::kInt16 ? 2 : 1;
      for (size_t i = 0; i < n; ++i) {
        int64_t v = 0;
        memcpy(&v, y.data.data() + i * w, w);
        if (t == DataType::kInt8) v = static_cast<int8_t>(v);
        if (t == DataType::kInt16) v = static_cast<int16_t>(v);
        if (v == zp) {
          const int64_t fixed = zp + 1;
          memcpy(y.data.data() + i * w, &fixed, w);
        }
      }
      cases.push_back(MakeCase(
          "DIV " + std::string(DataTypeName(t)) + ShapeName(sp.first) +
              ShapeName(sp.second) + " act " + std::to_string(int(act)),
          Op::DIV, {In(x, qa), (k % 3 == 2) ? Const(y, qb) : In(y, qb)},
          {{ToFb(t), qo}}, OptionsFor(Op::DIV, act), 2));
      ++k;
    }
  }
  // Every int8 / uint8 dividend (including the zero point, a zero numerator)
  // over a few divisors.
  for (DataType t : {DataType::kInt8, DataType::kUInt8}) {
    for (int rep = 0; rep < 3; ++rep) {
      const QuantSpec qa = RandomQuant(rng, t),
                      qo = RandomQuant(rng, t, 0.01f, 0.5f);
      const QuantSpec qb = Quant(0.05f, t == DataType::kInt8 ? 0 : 128);
      std::vector<uint8_t> divisors = {1, 2, 3, 17, 100, 255, 200, 130};
      if (t == DataType::kUInt8)
        divisors = {129, 130, 150, 255, 127, 100, 0, 1};
      NpyArray y = MakeArray<uint8_t>(t, {8, 1}, divisors);
      cases.push_back(
          MakeCase("DIV all " + std::string(DataTypeName(t)), Op::DIV,
                   {In(AllValues8(t), qa), Const(y, qb)}, {{ToFb(t), qo}},
                   OptionsFor(Op::DIV, fb::ActivationFunctionType::NONE), 2));
    }
  }
  ExpectMatchesLiteRt(cases);
}

TEST(DivOp, IntegerDivisionByZeroIsAnError) {
  ExpectEmberError(
      MakeCase("div0", Op::DIV,
               {In(Values<int32_t>(DataType::kInt32, {3}, {1, 2, 3})),
                In(Values<int32_t>(DataType::kInt32, {3}, {1, 0, 3}))},
               {{kI32, {}}},
               OptionsFor(Op::DIV, fb::ActivationFunctionType::NONE)),
      "division by zero");
}

TEST(SquaredDifferenceOp, MatchesLiteRt) {
  std::vector<OpTest> cases;
  uint32_t seed = 30;
  AddPlainCases(&cases, Op::SQUARED_DIFFERENCE, DataType::kFloat32, kWide,
                kWide, false, 1e-6, &seed);
  AddPlainCases(&cases, Op::SQUARED_DIFFERENCE, DataType::kInt32, {-1000, 1000},
                {-1000, 1000}, false, 0, &seed);
  for (int rep = 0; rep < 3; ++rep)
    AddQuantCases(&cases, Op::SQUARED_DIFFERENCE, DataType::kInt8, false,
                  &seed);
  ExpectMatchesLiteRt(cases);
}

TEST(MaximumMinimumOp, MatchesLiteRt) {
  std::vector<OpTest> cases;
  uint32_t seed = 40;
  for (Op op : {Op::MAXIMUM, Op::MINIMUM}) {
    for (DataType t : {DataType::kFloat32, DataType::kInt32, DataType::kInt64})
      AddPlainCases(&cases, op, t, kWide, kWide, false, 0, &seed);
    for (DataType t : {DataType::kInt8, DataType::kUInt8, DataType::kInt16})
      AddQuantCases(&cases, op, t, true, &seed);
  }
  ExpectMatchesLiteRt(cases);
}

TEST(PowOp, MatchesLiteRt) {
  std::vector<OpTest> cases;
  uint32_t seed = 50;
  AddPlainCases(&cases, Op::POW, DataType::kFloat32, {0.1f, 4}, {-3, 3}, false,
                1e-5, &seed);
  AddPlainCases(&cases, Op::POW, DataType::kInt32, {-6, 6}, {0, 8}, false, 0,
                &seed);
  ExpectMatchesLiteRt(cases);
}

TEST(PowOp, NegativeIntegerExponentIsAnError) {
  ExpectEmberError(
      MakeCase("pow", Op::POW,
               {In(Values<int32_t>(DataType::kInt32, {2}, {2, 3})),
                In(Values<int32_t>(DataType::kInt32, {2}, {1, -1}))},
               {{kI32, {}}},
               OptionsFor(Op::POW, fb::ActivationFunctionType::NONE)),
      "negative exponent");
}

TEST(FloorDivModOp, MatchesLiteRt) {
  std::vector<OpTest> cases;
  uint32_t seed = 60;
  AddPlainCases(&cases, Op::FLOOR_DIV, DataType::kFloat32, {-20, 20}, {-6, 6},
                true, 1e-6, &seed);
  for (DataType t : {DataType::kInt32, DataType::kInt16, DataType::kInt8})
    AddPlainCases(&cases, Op::FLOOR_DIV, t, {-100, 100}, {-9, 9}, true, 0,
                  &seed);
  AddPlainCases(&cases, Op::FLOOR_MOD, DataType::kFloat32, {-20, 20}, {-6, 6},
                true, 1e-5, &seed);
  for (DataType t :
       {DataType::kInt32, DataType::kInt64, DataType::kInt16, DataType::kInt8})
    AddPlainCases(&cases, Op::FLOOR_MOD, t, {-100, 100}, {-9, 9}, true, 0,
                  &seed);
  ExpectMatchesLiteRt(cases);
}

TEST(FloorDivModOp, DivisionByZeroIsAnError) {
  for (Op op : {Op::FLOOR_DIV, Op::FLOOR_MOD}) {
    ExpectEmberError(
        MakeCase("zero", op,
                 {In(Values<int32_t>(DataType::kInt32, {2}, {4, 5})),
                  In(Values<int32_t>(DataType::kInt32, {2}, {0, 2}))},
                 {{kI32, {}}},
                 OptionsFor(op, fb::ActivationFunctionType::NONE)),
        "division by zero");
  }
}

TEST(BinaryArithOp, RejectsBadModels) {
  const auto none = fb::ActivationFunctionType::NONE;
  ExpectEmberError(
      MakeCase("mul bool", Op::MUL,
               {In(RandomArray(DataType::kBool, {2}, 1, 0, 0)),
                In(RandomArray(DataType::kBool, {2}, 1, 0, 0))},
               {{fb::TensorType::BOOL, {}}}, OptionsFor(Op::MUL, none)),
      "not supported");
  ExpectEmberError(
      MakeCase("div int64", Op::DIV,
               {In(RandomArray(DataType::kInt64, {2}, 1)),
                In(RandomArray(DataType::kInt64, {2}, 1))},
               {{fb::TensorType::INT64, {}}}, OptionsFor(Op::DIV, none)),
      "not supported");
  ExpectEmberError(
      MakeCase(
          "div int8 by zero", Op::DIV,
          {In(Values<int8_t>(DataType::kInt8, {2}, {5, 6}), Quant(0.1f, 0)),
           In(Values<int8_t>(DataType::kInt8, {2}, {3, 4}), Quant(0.1f, 4))},
          {{kI8, Quant(0.1f, 0)}}, OptionsFor(Op::DIV, none)),
      "division by zero");
  ExpectEmberError(
      MakeCase("mul no quant", Op::MUL,
               {In(RandomArray(DataType::kInt8, {2}, 1, 0, 0), Quant(0.1f, 0)),
                In(RandomArray(DataType::kInt8, {2}, 1, 0, 0), Quant(0.1f, 0))},
               {{kI8, {}}}, OptionsFor(Op::MUL, none)),
      "no quantization");
  ExpectEmberError(MakeCase("max mixed", Op::MAXIMUM,
                            {In(RandomArray(DataType::kFloat32, {2}, 1)),
                             In(RandomArray(DataType::kInt32, {2}, 1))},
                            {{kF32, {}}}, OptionsFor(Op::MAXIMUM, none)),
                   "same type");
  ExpectEmberError(MakeCase("pow shape", Op::POW,
                            {In(RandomArray(DataType::kFloat32, {2, 3}, 1)),
                             In(RandomArray(DataType::kFloat32, {4}, 1))},
                            {{kF32, {}}}, OptionsFor(Op::POW, none)),
                   "broadcast");
}

}  // namespace
}  // namespace ember
