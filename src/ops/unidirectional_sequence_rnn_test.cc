// UNIDIRECTIONAL_SEQUENCE_RNN and RNN (float) against LiteRT, several
// invokes so the hidden state carries over.
#include <gtest/gtest.h>

#include "util/model_builder.h"
#include "util/oracle.h"

namespace ember {
namespace {

using testing::ModelBuilder;
using testing::OracleCase;
using testing::RandomArray;

struct RnnCfg {
  bool sequence;
  bool time_major;
  int batch, time, input_size, units;
  bool bias;
  fb::ActivationFunctionType act;
  uint32_t seed;
};

int Const(ModelBuilder& b, std::vector<int32_t> shape, uint32_t seed, float lo,
          float hi) {
  std::vector<int64_t> s(shape.begin(), shape.end());
  const auto a = RandomArray(DataType::kFloat32, s, seed, lo, hi);
  return b.AddConstant(testing::kF32, std::move(shape), a.data.data(),
                       a.data.size());
}

OracleCase BuildRnn(const RnnCfg& c, bool hidden_variable = true) {
  ModelBuilder b;
  std::vector<int32_t> in_shape;
  if (c.sequence) {
    in_shape = c.time_major
                   ? std::vector<int32_t>{c.time, c.batch, c.input_size}
                   : std::vector<int32_t>{c.batch, c.time, c.input_size};
  } else {
    in_shape = {c.batch, c.input_size};
  }
  std::vector<int32_t> out_shape = in_shape;
  out_shape.back() = c.units;
  const int in = b.AddTensor(testing::kF32, in_shape, "input");
  const int w = Const(b, {c.units, c.input_size}, c.seed + 1, -0.5f, 0.5f);
  const int r = Const(b, {c.units, c.units}, c.seed + 2, -0.5f, 0.5f);
  const int bias = c.bias ? Const(b, {c.units}, c.seed + 3, -0.3f, 0.3f) : -1;
  const int h = b.AddTensor(testing::kF32, {c.batch, c.units}, "hidden");
  if (hidden_variable) b.SetVariable(h);
  const int out = b.AddTensor(testing::kF32, out_shape, "output");
  fb::BuiltinOptionsUnion opts;
  if (c.sequence) {
    fb::SequenceRNNOptionsT o;
    o.time_major = c.time_major;
    o.fused_activation_function = c.act;
    opts.Set(o);
    b.AddOp(fb::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_RNN,
            {in, w, r, bias, h}, {out}, std::move(opts));
  } else {
    fb::RNNOptionsT o;
    o.fused_activation_function = c.act;
    opts.Set(o);
    b.AddOp(fb::BuiltinOperator::RNN, {in, w, r, bias, h}, {out},
            std::move(opts));
  }
  b.SetInputs({in});
  b.SetOutputs({out});
  OracleCase oc;
  oc.model = b.Build();
  oc.inputs = {RandomArray(
      DataType::kFloat32,
      std::vector<int64_t>(in_shape.begin(), in_shape.end()), c.seed + 4)};
  oc.invokes = 3;
  return oc;
}

TEST(RnnOps, FloatMatchesLiteRt) {
  std::vector<RnnCfg> cfgs;
  uint32_t seed = 10;
  for (bool sequence : {true, false})
    for (bool tm : {false, true}) {
      if (!sequence && tm) continue;
      for (int batch : {1, 3})
        for (auto act : {fb::ActivationFunctionType::TANH,
                         fb::ActivationFunctionType::RELU,
                         fb::ActivationFunctionType::NONE})
          for (int input_size : {1, 5})
            cfgs.push_back(
                {sequence, tm, batch, 4, input_size, 6, true, act, seed += 10});
    }
  std::vector<OracleCase> cases;
  for (const auto& c : cfgs) cases.push_back(BuildRnn(c));
  const auto expected = testing::RunLiteRt(cases);
  for (size_t k = 0; k < cfgs.size(); ++k) {
    SCOPED_TRACE(::testing::Message()
                 << "case " << k << " seq=" << cfgs[k].sequence
                 << " tm=" << cfgs[k].time_major << " bias=" << cfgs[k].bias);
    ASSERT_TRUE(expected[k].ok) << expected[k].error;
    const auto ours =
        testing::RunEmber(cases[k].model, cases[k].inputs, cases[k].invokes);
    ASSERT_TRUE(ours.ok) << ours.error;
    std::string why;
    const double diff =
        testing::MaxAbsDiff(ours.outputs[0], expected[k].outputs[0], &why);
    EXPECT_GE(diff, 0) << why;
    EXPECT_LE(diff,
              1e-5 * std::max(1.0, testing::MaxAbs(expected[k].outputs[0])));
  }
}

TEST(RnnOps, RejectsBadModels) {
  RnnCfg c{true, false, 2, 3, 4, 5, true, fb::ActivationFunctionType::TANH, 1};
  auto oc = BuildRnn(c, /*hidden_variable=*/false);
  auto r = testing::RunEmber(oc.model, oc.inputs);
  EXPECT_FALSE(r.ok);
  // Wrong input rank for the sequence op.
  ModelBuilder b;
  const int in = b.AddTensor(testing::kF32, {2, 4}, "input");
  const int w = Const(b, {5, 4}, 1, -1, 1);
  const int rr = Const(b, {5, 5}, 2, -1, 1);
  const int h = b.AddTensor(testing::kF32, {2, 5}, "hidden");
  b.SetVariable(h);
  const int out = b.AddTensor(testing::kF32, {2, 5}, "out");
  fb::BuiltinOptionsUnion opts;
  opts.Set(fb::SequenceRNNOptionsT());
  b.AddOp(fb::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_RNN, {in, w, rr, -1, h},
          {out}, std::move(opts));
  b.SetInputs({in});
  b.SetOutputs({out});
  r = testing::RunEmber(b.Build(),
                        {RandomArray(DataType::kFloat32, {2, 4}, 3)});
  EXPECT_FALSE(r.ok);  // no bias (required, as in LiteRT)
  c.bias = false;
  oc = BuildRnn(c);
  r = testing::RunEmber(oc.model, oc.inputs);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("input 3 is missing"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace ember
