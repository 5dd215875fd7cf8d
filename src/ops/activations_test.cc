// RELU family, LEAKY_RELU, PRELU, LOGISTIC, TANH, HARD_SWISH, GELU, ELU
// against LiteRT's reference kernels. 8-bit cases feed every input value;
// int16 LOGISTIC / TANH feed all 65536.
#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;
using Op = fb::BuiltinOperator;

std::string Name(Op op, DataType t, const std::string& extra = "") {
  return std::string(fb::EnumNameBuiltinOperator(op)) + " " + DataTypeName(t) +
         (extra.empty() ? "" : " " + extra);
}

fb::BuiltinOptionsUnion LeakyOptions(float alpha) {
  fb::BuiltinOptionsUnion u;
  fb::LeakyReluOptionsT o;
  o.alpha = alpha;
  u.Set(o);
  return u;
}

fb::BuiltinOptionsUnion GeluOptions(bool approximate) {
  fb::BuiltinOptionsUnion u;
  fb::GeluOptionsT o;
  o.approximate = approximate;
  u.Set(o);
  return u;
}

OpTest Unary(const std::string& name, Op op, NpyArray x, QuantSpec qi,
             QuantSpec qo, fb::BuiltinOptionsUnion opts = {}, double tol = 0) {
  const fb::TensorType t = ToFb(x.type);
  return MakeCase(name, op, {In(std::move(x), std::move(qi))},
                  {{t, std::move(qo)}}, std::move(opts), 1, tol);
}

TEST(ActivationOp, FloatMatchesLiteRt) {
  std::vector<OpTest> cases;
  uint32_t seed = 1;
  const Op ops[] = {Op::RELU,     Op::RELU6, Op::RELU_N1_TO_1, Op::RELU_0_TO_1,
                    Op::LOGISTIC, Op::TANH,  Op::HARD_SWISH};
  for (Op op : ops) {
    for (auto shape :
         {std::vector<int64_t>{2, 3, 40}, std::vector<int64_t>{7}}) {
      cases.push_back(
          Unary(Name(op, DataType::kFloat32, ShapeName(shape)), op,
                RandomArray(DataType::kFloat32, shape, seed++, -10, 10), {}, {},
                {}, 1e-5));
    }
  }
  for (float alpha : {0.2f, 0.01f, 1.5f})
    cases.push_back(
        Unary(Name(Op::LEAKY_RELU, DataType::kFloat32), Op::LEAKY_RELU,
              RandomArray(DataType::kFloat32, {4, 50}, seed++, -10, 10), {}, {},
              LeakyOptions(alpha), 1e-6));
  for (bool approx : {false, true})
    cases.push_back(
        Unary(Name(Op::GELU, DataType::kFloat32, approx ? "approx" : ""),
              Op::GELU, RandomArray(DataType::kFloat32, {4, 50}, seed++, -6, 6),
              {}, {}, GeluOptions(approx), 1e-5));
  ExpectMatchesLiteRt(cases);
}

TEST(ActivationOp, QuantizedReluFamilyMatchesLiteRt) {
  std::vector<OpTest> cases;
  std::mt19937 rng(11);
  const Op ops[] = {Op::RELU, Op::RELU6, Op::RELU_N1_TO_1, Op::RELU_0_TO_1};
  for (Op op : ops) {
    for (DataType t : {DataType::kInt8, DataType::kUInt8, DataType::kInt16}) {
      if (t == DataType::kInt16 &&
          (op == Op::RELU_N1_TO_1 || op == Op::RELU_0_TO_1))
        continue;  // not defined by LiteRT
      for (int rep = 0; rep < 4; ++rep) {
        const QuantSpec qi = RandomQuant(rng, t, 0.002f, 0.1f);
        // rep 0: same quantization in and out (the common case).
        const QuantSpec qo = rep == 0 ? qi : RandomQuant(rng, t, 0.002f, 0.1f);
        NpyArray x = t == DataType::kInt16
                         ? RandomArray(t, {3, 100}, rng(), 0, 0)
                         : AllValues8(t);
        cases.push_back(Unary(Name(op, t), op, std::move(x), qi, qo));
      }
    }
  }
  for (float alpha : {0.2f, 0.01f, 0.5f, 1.7f}) {
    for (DataType t : {DataType::kInt8, DataType::kUInt8, DataType::kInt16}) {
      for (int rep = 0; rep < 2; ++rep) {
        const QuantSpec qi = RandomQuant(rng, t, 0.002f, 0.1f);
        const QuantSpec qo = RandomQuant(rng, t, 0.002f, 0.1f);
        NpyArray x = t == DataType::kInt16
                         ? RandomArray(t, {3, 100}, rng(), 0, 0)
                         : AllValues8(t);
        cases.push_back(Unary(Name(Op::LEAKY_RELU, t, std::to_string(alpha)),
                              Op::LEAKY_RELU, std::move(x), qi, qo,
                              LeakyOptions(alpha)));
      }
    }
  }
  ExpectMatchesLiteRt(cases);
}

TEST(ActivationOp, QuantizedLogisticTanhMatchLiteRt) {
  std::vector<OpTest> cases;
  std::mt19937 rng(12);
  for (DataType t : {DataType::kInt8, DataType::kUInt8}) {
    const int64_t zlo = t == DataType::kInt8 ? -128 : 0;
    for (int rep = 0; rep < 4; ++rep) {
      const QuantSpec qi = RandomQuant(rng, t, 0.01f, 0.3f);
      cases.push_back(Unary(Name(Op::LOGISTIC, t), Op::LOGISTIC, AllValues8(t),
                            qi, Quant(1.0f / 256, zlo)));
      cases.push_back(Unary(Name(Op::TANH, t), Op::TANH, AllValues8(t), qi,
                            Quant(1.0f / 128, zlo + 128)));
    }
  }
  // int16: power-of-two input scales (the shift path) and general scales.
  // (4/3) * 2^-14 and 2^-13 make the rescaled input hit every table entry
  // exactly.
  const float scales[] = {1.0f / 4096,
                          1.0f / 2048,
                          1.0f / 8192,
                          0.001f,
                          0.0003f,
                          3.1e-5f,
                          0.00042f,
                          std::ldexp(4.0f / 3, -14),
                          std::ldexp(4.0f / 3, -13)};
  for (float s : scales) {
    for (Op op : {Op::LOGISTIC, Op::TANH}) {
      cases.push_back(Unary(Name(op, DataType::kInt16, std::to_string(s)), op,
                            AllValuesInt16(), Quant(s, 0),
                            Quant(1.0f / 32768, 0)));
    }
  }
  ExpectMatchesLiteRt(cases);
}

TEST(ActivationOp, QuantizedHardSwishGeluMatchLiteRt) {
  std::vector<OpTest> cases;
  std::mt19937 rng(13);
  std::uniform_real_distribution<float> ratio(0.05f, 1.5f);
  for (DataType t : {DataType::kInt8, DataType::kUInt8}) {
    for (int rep = 0; rep < 6; ++rep) {
      const QuantSpec qi = RandomQuant(rng, t, 0.005f, 0.5f);
      QuantSpec qo = RandomQuant(rng, t);
      qo.scales[0] = qi.scales[0] * ratio(rng);
      cases.push_back(Unary(Name(Op::HARD_SWISH, t), Op::HARD_SWISH,
                            AllValues8(t), qi, qo));
      for (bool approx : {false, true})
        cases.push_back(Unary(Name(Op::GELU, t, approx ? "approx" : ""),
                              Op::GELU, AllValues8(t), qi, qo,
                              GeluOptions(approx)));
    }
  }
  ExpectMatchesLiteRt(cases);
}

// LiteRT's reference resolver has no ELU: compare with its default kernels
// (whose int8 path is the same table).
TEST(EluOp, MatchesLiteRtDefaultKernels) {
  std::vector<OpTest> cases;
  std::mt19937 rng(15);
  for (auto shape : {std::vector<int64_t>{2, 3, 40}, std::vector<int64_t>{7}})
    cases.push_back(
        Unary(Name(Op::ELU, DataType::kFloat32), Op::ELU,
              RandomArray(DataType::kFloat32, shape, rng(), -10, 10), {}, {},
              {}, 1e-5));
  for (int rep = 0; rep < 6; ++rep) {
    const QuantSpec qi = RandomQuant(rng, DataType::kInt8, 0.005f, 0.1f);
    const QuantSpec qo = RandomQuant(rng, DataType::kInt8, 0.005f, 0.1f);
    cases.push_back(Unary(Name(Op::ELU, DataType::kInt8), Op::ELU,
                          AllValues8(DataType::kInt8), qi, qo));
  }
  ExpectMatchesLiteRt(OnLiteRtDefaultKernels(cases));
}

TEST(ActivationOp, GeluInt16MatchesLiteRt) {
  std::vector<OpTest> cases;
  const float scales[][2] = {
      {1.0f / 4096, 1.0f / 4096}, {0.0005f, 0.0003f}, {0.001f, 0.001f}};
  for (auto& s : scales)
    for (bool approx : {false, true})
      cases.push_back(
          Unary(Name(Op::GELU, DataType::kInt16, approx ? "approx" : ""),
                Op::GELU, AllValuesInt16(), Quant(s[0], 0), Quant(s[1], 0),
                GeluOptions(approx)));
  ExpectMatchesLiteRt(cases);
}

fb::BuiltinOptionsUnion NoOptions() { return {}; }

TEST(PreluOp, MatchesLiteRt) {
  std::vector<OpTest> cases;
  std::mt19937 rng(14);
  uint32_t seed = 300;
  // (input shape, alpha shape): per-channel alpha as in MediaPipe models,
  // full-size alpha, scalar alpha.
  const ShapePair shapes[] = {{{1, 6, 6, 8}, {1, 1, 8}},
                              {{1, 6, 6, 8}, {8}},
                              {{2, 5, 3}, {5, 3}},
                              {{1, 4, 4, 3}, {1, 4, 4, 3}},
                              {{3, 7}, {1}}};
  for (const ShapePair& sp : shapes) {
    for (bool constant : {true, false}) {
      cases.push_back(MakeCase(
          "PRELU float " + ShapeName(sp.first) + ShapeName(sp.second),
          Op::PRELU,
          {In(RandomArray(DataType::kFloat32, sp.first, seed++, -4, 4)),
           constant
               ? Const(
                     RandomArray(DataType::kFloat32, sp.second, seed++, -1, 1))
               : In(RandomArray(DataType::kFloat32, sp.second, seed++, -1, 1))},
          {{kF32, {}}}, NoOptions(), 1, 1e-6));
      for (DataType t : {DataType::kInt8, DataType::kUInt8}) {
        const QuantSpec qi = RandomQuant(rng, t), qa = RandomQuant(rng, t);
        const QuantSpec qo = RandomQuant(rng, t);
        NpyArray alpha = RandomArray(t, sp.second, seed++, 0, 0);
        cases.push_back(
            MakeCase("PRELU " + std::string(DataTypeName(t)) +
                         ShapeName(sp.first) + ShapeName(sp.second),
                     Op::PRELU,
                     {In(RandomArray(t, sp.first, seed++, 0, 0), qi),
                      constant ? Const(alpha, qa) : In(alpha, qa)},
                     {{ToFb(t), qo}}, NoOptions(), 1));
      }
    }
  }
  ExpectMatchesLiteRt(cases);
}

TEST(ActivationOp, RejectsBadModels) {
  ExpectEmberError(Unary("relu int32", Op::RELU,
                         RandomArray(DataType::kInt32, {3}, 1), {}, {}),
                   "not supported");
  ExpectEmberError(Unary("logistic int16 out scale", Op::LOGISTIC,
                         RandomArray(DataType::kInt16, {3}, 1, 0, 0),
                         Quant(1.0f / 4096, 0), Quant(1.0f / 1000, 0)),
                   "2^-15");
  ExpectEmberError(Unary("tanh int16 zero point", Op::TANH,
                         RandomArray(DataType::kInt16, {3}, 1, 0, 0),
                         Quant(1.0f / 4096, 5), Quant(1.0f / 32768, 0)),
                   "zero point 0");
  ExpectEmberError(
      Unary("relu6 no quant", Op::RELU6,
            RandomArray(DataType::kInt8, {3}, 1, 0, 0), {}, Quant(0.1f, 0)),
      "no quantization");
  ExpectEmberError(Unary("hard swish scale", Op::HARD_SWISH,
                         RandomArray(DataType::kInt8, {3}, 1, 0, 0),
                         Quant(1.0f, 0), Quant(0.001f, 0)),
                   "too large");
  ExpectEmberError(Unary("relu_n1_to_1 int16", Op::RELU_N1_TO_1,
                         RandomArray(DataType::kInt16, {3}, 1, 0, 0),
                         Quant(0.1f, 0), Quant(0.1f, 0)),
                   "not supported");
  ExpectEmberError(
      Unary("elu uint8", Op::ELU, RandomArray(DataType::kUInt8, {3}, 1, 0, 0),
            Quant(0.1f, 0), Quant(0.1f, 0)),
      "not supported");
  ExpectEmberError(MakeCase("prelu shapes", Op::PRELU,
                            {In(RandomArray(DataType::kFloat32, {2, 3}, 1)),
                             In(RandomArray(DataType::kFloat32, {2}, 1))},
                            {{kF32, {}}}),
                   "broadcast");
}

}  // namespace
}  // namespace ember
