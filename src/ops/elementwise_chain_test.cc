// Chains of element-wise ops, where the planner may run each op in place
// (output sharing input 0's buffer), against LiteRT.
#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;
using Op = fb::BuiltinOperator;

fb::BuiltinOptionsUnion AddOpts() {
  fb::BuiltinOptionsUnion u;
  u.Set(fb::AddOptionsT());
  return u;
}
fb::BuiltinOptionsUnion SubOpts() {
  fb::BuiltinOptionsUnion u;
  u.Set(fb::SubOptionsT());
  return u;
}
fb::BuiltinOptionsUnion MulOpts(fb::ActivationFunctionType act) {
  fb::BuiltinOptionsUnion u;
  fb::MulOptionsT o;
  o.fused_activation_function = act;
  u.Set(o);
  return u;
}

TEST(ElementwiseChain, FloatInPlaceChainMatchesLiteRt) {
  ModelBuilder b;
  const std::vector<int32_t> shape = {2, 8, 8, 4};
  const int x = b.AddTensor(kF32, shape, "x");
  const int y = b.AddTensor(kF32, shape, "y");
  std::vector<float> c1(4), c2(4);
  for (int i = 0; i < 4; ++i) {
    c1[i] = 0.5f * i - 1.0f;
    c2[i] = 0.25f * i;
  }
  const int k1 = b.AddConstant<float>(kF32, {4}, c1, "c1");
  const int k2 = b.AddConstant<float>(kF32, {4}, c2, "c2");
  int t[6];
  for (int i = 0; i < 6; ++i)
    t[i] = b.AddTensor(kF32, shape, "t" + std::to_string(i));
  b.AddOp(Op::ADD, {x, k1}, {t[0]}, AddOpts());
  b.AddOp(Op::RELU6, {t[0]}, {t[1]});
  b.AddOp(Op::MUL, {t[1], y}, {t[2]},
          MulOpts(fb::ActivationFunctionType::NONE));
  b.AddOp(Op::LOGISTIC, {t[2]}, {t[3]});
  b.AddOp(Op::SUB, {t[3], k2}, {t[4]}, SubOpts());
  b.AddOp(Op::TANH, {t[4]}, {t[5]});
  b.SetInputs({x, y});
  b.SetOutputs({t[5]});
  OpTest c;
  c.name = "float chain";
  c.model = b.Build();
  c.inputs = {RandomArray(DataType::kFloat32, {2, 8, 8, 4}, 1, -4, 4),
              RandomArray(DataType::kFloat32, {2, 8, 8, 4}, 2, -2, 2)};
  c.tolerance = Tolerance::PerElement(1e-5);
  ExpectMatchesLiteRt({c});
}

TEST(ElementwiseChain, Int8InPlaceChainMatchesLiteRt) {
  ModelBuilder b;
  const std::vector<int32_t> shape = {1, 6, 6, 8};
  const int x = b.AddTensor(kF32, shape, "x");
  const QuantSpec q0 = Quant(0.03f, 5), q1 = Quant(0.05f, -10);
  const int xq = b.AddTensor(kI8, shape, "xq", q0);
  std::vector<int8_t> cv(8);
  for (int i = 0; i < 8; ++i) cv[i] = static_cast<int8_t>(i * 13 - 50);
  const int k = b.AddConstant<int8_t>(kI8, {8}, cv, "k", Quant(0.02f, 0));
  const int t0 = b.AddTensor(kI8, shape, "t0", q1);
  const int t1 = b.AddTensor(kI8, shape, "t1", Quant(1.0f / 256, -128));
  const int t2 = b.AddTensor(kI8, shape, "t2", Quant(0.004f, -3));
  const int t3 = b.AddTensor(kI8, shape, "t3", Quant(0.004f, -3));
  const int out = b.AddTensor(kF32, shape, "out");
  b.AddOp(Op::QUANTIZE, {x}, {xq});
  b.AddOp(Op::ADD, {xq, k}, {t0}, AddOpts(), 2);
  b.AddOp(Op::LOGISTIC, {t0}, {t1}, {}, 2);
  b.AddOp(Op::MUL, {t1, t1}, {t2}, MulOpts(fb::ActivationFunctionType::RELU),
          2);
  b.AddOp(Op::HARD_SWISH, {t2}, {t3});
  b.AddOp(Op::DEQUANTIZE, {t3}, {out}, {}, 2);
  b.SetInputs({x});
  b.SetOutputs({out});
  OpTest c;
  c.name = "int8 chain";
  c.model = b.Build();
  c.inputs = {RandomArray(DataType::kFloat32, {1, 6, 6, 8}, 3, -4, 4)};
  ExpectMatchesLiteRt({c});
}

}  // namespace
}  // namespace ember
