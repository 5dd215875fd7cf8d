// ABS, NEG, SQUARE, SQRT, RSQRT, EXP, LOG, SIN, COS, FLOOR, CEIL, ROUND,
// SIGN against LiteRT's reference kernels.
#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;
using Op = fb::BuiltinOperator;

OpTest Unary(const std::string& name, Op op, NpyArray x, QuantSpec qi = {},
             QuantSpec qo = {}, double tol = 0) {
  const fb::TensorType t = ToFb(x.type);
  return MakeCase(name, op, {In(std::move(x), std::move(qi))},
                  {{t, std::move(qo)}}, {}, 1, tol);
}

std::string Name(Op op, DataType t) {
  return std::string(fb::EnumNameBuiltinOperator(op)) + " " + DataTypeName(t);
}

TEST(UnaryMathOp, FloatMatchesLiteRt) {
  struct Spec {
    Op op;
    float lo, hi;
    double tol;
  };
  const Spec specs[] = {
      {Op::ABS, -10, 10, 0},         {Op::NEG, -10, 10, 0},
      {Op::SQUARE, -10, 10, 1e-6},   {Op::SQRT, 0, 100, 1e-6},
      {Op::RSQRT, 0.01f, 100, 1e-6}, {Op::EXP, -10, 10, 1e-6},
      {Op::LOG, 0.001f, 1000, 1e-6}, {Op::SIN, -7, 7, 1e-6},
      {Op::COS, -7, 7, 1e-6},        {Op::FLOOR, -10, 10, 0},
      {Op::SIGN, -2, 2, 0},
  };
  std::vector<OpTest> cases;
  uint32_t seed = 1;
  for (const Spec& s : specs) {
    for (auto shape :
         {std::vector<int64_t>{3, 4, 25}, std::vector<int64_t>{}}) {
      cases.push_back(
          Unary(Name(s.op, DataType::kFloat32), s.op,
                RandomArray(DataType::kFloat32, shape, seed++, s.lo, s.hi), {},
                {}, s.tol));
    }
  }
  cases.push_back(Unary(
      "SIGN zeros", Op::SIGN,
      Values<float>(DataType::kFloat32, {4}, {0.0f, -0.0f, 3.0f, -1e-30f})));
  ExpectMatchesLiteRt(cases);
}

// LiteRT's reference resolver lacks CEIL and ROUND: compare with its
// default kernels (plain float math, exact).
TEST(UnaryMathOp, CeilRoundMatchLiteRtDefaultKernels) {
  std::vector<OpTest> cases;
  uint32_t seed = 50;
  for (auto shape : {std::vector<int64_t>{3, 4, 25}, std::vector<int64_t>{}})
    cases.push_back(
        Unary("CEIL", Op::CEIL,
              RandomArray(DataType::kFloat32, shape, seed++, -10, 10)));
  // ROUND: halves go to even.
  std::vector<float> halves;
  for (int i = -20; i <= 20; ++i) halves.push_back(i * 0.5f);
  halves.push_back(2.4999f);
  halves.push_back(-0.5001f);
  cases.push_back(Unary(
      "ROUND halves", Op::ROUND,
      Values<float>(DataType::kFloat32, {int64_t(halves.size())}, halves)));
  cases.push_back(
      Unary("ROUND random", Op::ROUND,
            RandomArray(DataType::kFloat32, {200}, seed++, -50, 50)));
  ExpectMatchesLiteRt(OnLiteRtDefaultKernels(cases));
}

TEST(UnaryMathOp, IntegerMatchesLiteRt) {
  std::vector<OpTest> cases;
  uint32_t seed = 100;
  cases.push_back(
      Unary("ABS int32", Op::ABS, RandomArray(DataType::kInt32, {50}, seed++)));
  cases.push_back(
      Unary("NEG int32", Op::NEG, RandomArray(DataType::kInt32, {50}, seed++)));
  cases.push_back(
      Unary("NEG int64", Op::NEG, RandomArray(DataType::kInt64, {50}, seed++)));
  cases.push_back(Unary("SIGN int32", Op::SIGN,
                        RandomArray(DataType::kInt32, {50}, seed++, -3, 3)));
  // Quantized ABS: same quantization (no rescale) and rescaled.
  std::mt19937 rng(7);
  for (int rep = 0; rep < 6; ++rep) {
    const QuantSpec qi = RandomQuant(rng, DataType::kInt8);
    const QuantSpec qo = rep < 2 ? qi : RandomQuant(rng, DataType::kInt8);
    cases.push_back(
        Unary("ABS int8", Op::ABS, AllValues8(DataType::kInt8), qi, qo));
    const QuantSpec qi16 = RandomQuant(rng, DataType::kInt16);
    const QuantSpec qo16 = rep < 2 ? qi16 : RandomQuant(rng, DataType::kInt16);
    cases.push_back(Unary("ABS int16", Op::ABS,
                          RandomArray(DataType::kInt16, {300}, seed++, 0, 0),
                          qi16, qo16));
  }
  // EXP int8 through a table; output scales cover exp over the input range.
  for (int rep = 0; rep < 6; ++rep) {
    const float si = std::uniform_real_distribution<float>(0.005f, 0.03f)(rng);
    const int zi = std::uniform_int_distribution<int>(-50, 50)(rng);
    const float max_in = si * (127 - zi);
    const float so = std::exp(max_in) / 255.0f;
    cases.push_back(Unary("EXP int8", Op::EXP, AllValues8(DataType::kInt8),
                          Quant(si, zi), Quant(so, -128)));
  }
  ExpectMatchesLiteRt(cases);
}

// LOG, SQRT, RSQRT on int8 over their domain (every input above the zero
// point; LiteRT rejects data outside it).
TEST(UnaryMathOp, Int8LogSqrtRsqrtMatchLiteRt) {
  std::vector<OpTest> cases;
  std::mt19937 rng(9);
  for (Op op : {Op::LOG, Op::SQRT, Op::RSQRT}) {
    for (int rep = 0; rep < 5; ++rep) {
      const float si = std::uniform_real_distribution<float>(0.005f, 0.2f)(rng);
      const int zi = std::uniform_int_distribution<int>(-128, 40)(rng);
      std::vector<int8_t> x;
      for (int v = zi + (op == Op::SQRT ? 0 : 1); v <= 127; ++v)
        x.push_back(static_cast<int8_t>(v));
      const float max_in = si * (127 - zi), min_in = si;
      float lo = 0, hi = 1;
      if (op == Op::LOG) {
        lo = std::log(min_in);
        hi = std::log(max_in);
      }
      if (op == Op::SQRT) {
        lo = 0;
        hi = std::sqrt(max_in);
      }
      if (op == Op::RSQRT) {
        lo = 1 / std::sqrt(max_in);
        hi = 1 / std::sqrt(min_in);
      }
      const float so = std::max(hi - lo, 1e-3f) / 255.0f;
      const int zo = std::clamp<int>(
          static_cast<int>(std::round(-128 - lo / so)), -128, 127);
      cases.push_back(
          Unary(Name(op, DataType::kInt8), op,
                Values<int8_t>(DataType::kInt8, {int64_t(x.size())}, x),
                Quant(si, zi), Quant(so, zo)));
    }
  }
  ExpectMatchesLiteRt(cases);
}

// EXP on int16 (symmetric) through LiteRT's interpolated 513-entry table
// (every input), SQRT on int16 (every non-negative input).
TEST(UnaryMathOp, Int16TablesMatchLiteRt) {
  std::vector<OpTest> cases;
  std::vector<int16_t> positive;
  for (int v = 0; v <= 32767; ++v) positive.push_back(static_cast<int16_t>(v));
  const NpyArray pos = Values<int16_t>(DataType::kInt16, {32768}, positive);
  struct Spec {
    Op op;
    float si, so;
  };
  const Spec specs[] = {{Op::EXP, 1.0f / 4096, 1.0f / 1024},
                        {Op::EXP, 0.0003f, 0.001f},
                        {Op::EXP, 0.0001f, 0.0007f},
                        {Op::SQRT, 1.0f / 1024, 1.0f / 4096},
                        {Op::SQRT, 0.01f, 0.0001f}};
  for (const Spec& s : specs) {
    cases.push_back(Unary(Name(s.op, DataType::kInt16), s.op,
                          s.op == Op::EXP ? AllValuesInt16() : pos,
                          Quant(s.si, 0), Quant(s.so, 0)));
  }
  ExpectMatchesLiteRt(cases);
}

TEST(UnaryMathOp, RejectsBadModels) {
  ExpectEmberError(
      Unary("sqrt int32", Op::SQRT, RandomArray(DataType::kInt32, {3}, 1)),
      "not supported");
  ExpectEmberError(
      Unary("log uint8", Op::LOG, RandomArray(DataType::kUInt8, {3}, 1, 0, 0),
            Quant(0.1f, 0), Quant(0.1f, 0)),
      "not supported");
  ExpectEmberError(
      Unary("log int16", Op::LOG, RandomArray(DataType::kInt16, {3}, 1, 0, 0),
            Quant(0.1f, 0), Quant(0.1f, 0)),
      "not supported");
  ExpectEmberError(Unary("abs int8 no quant", Op::ABS,
                         RandomArray(DataType::kInt8, {3}, 1, 0, 0)),
                   "no quantization");
  ExpectEmberError(
      MakeCase("neg mixed", Op::NEG,
               {In(RandomArray(DataType::kFloat32, {3}, 1))}, {{kI32, {}}}),
      "same type");
}

}  // namespace
}  // namespace ember
