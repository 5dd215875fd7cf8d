// SVDF against LiteRT's reference kernels: float (tolerance) and int8 with
// an int16 state (bit-exact), over several invokes so the state matters.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "kernels/ref/quant_util.h"
#include "util/model_builder.h"
#include "util/oracle.h"

namespace ember {
namespace {

using ember::NpyArray;
using testing::ModelBuilder;
using testing::OracleCase;
using testing::QuantSpec;
using testing::RandomArray;

struct SvdfCase {
  int batch, input_size, units, rank, memory;
  bool bias;
  fb::ActivationFunctionType act;
  bool quantized;
  uint32_t seed;
};

int AddConst(ModelBuilder& b, fb::TensorType type, std::vector<int32_t> shape,
             const NpyArray& a, const std::string& name,
             const QuantSpec& q = {}) {
  return b.AddConstant(type, std::move(shape), a.data.data(), a.data.size(),
                       name, q);
}

OracleCase BuildSvdf(const SvdfCase& c, bool state_variable = true,
                     int rank_override = -1) {
  ModelBuilder b;
  const int filters = c.units * c.rank;
  const uint32_t s = c.seed;
  int in, wf, wt, bias = -1, state, out;
  if (!c.quantized) {
    in = b.AddTensor(testing::kF32, {c.batch, c.input_size}, "input");
    wf = AddConst(
        b, testing::kF32, {filters, c.input_size},
        RandomArray(DataType::kFloat32, {filters, c.input_size}, s + 1), "wf");
    wt = AddConst(b, testing::kF32, {filters, c.memory},
                  RandomArray(DataType::kFloat32, {filters, c.memory}, s + 2),
                  "wt");
    if (c.bias)
      bias =
          AddConst(b, testing::kF32, {c.units},
                   RandomArray(DataType::kFloat32, {c.units}, s + 3), "bias");
    state = b.AddTensor(testing::kF32, {c.batch, c.memory * filters}, "state");
    out = b.AddTensor(testing::kF32, {c.batch, c.units}, "out");
  } else {
    const QuantSpec qin{{0.05f}, {static_cast<int64_t>(s % 7) - 3}};
    const QuantSpec qwf{{0.01f + 0.001f * (s % 5)}, {0}};
    const QuantSpec qwt{{0.0004f}, {0}};
    const QuantSpec qbias{{0.05f * qwf.scales[0]}, {0}};
    // Scales from the expected spread of the values (uniform int8 data has
    // a standard deviation of ~74 steps), so outputs use the int8 range.
    const float feature_std = std::sqrt(static_cast<float>(c.input_size)) *
                              (74 * qin.scales[0]) * (74 * qwf.scales[0]);
    const float time_std = 1443 * qwt.scales[0];
    const float out_std = std::sqrt(static_cast<float>(c.rank * c.memory)) *
                          feature_std * time_std;
    const QuantSpec qstate{{feature_std * 6 / 32767}, {0}};
    const QuantSpec qout{{out_std / 40}, {static_cast<int64_t>(s % 11) - 5}};
    in = b.AddTensor(testing::kI8, {c.batch, c.input_size}, "input", qin);
    wf = AddConst(
        b, testing::kI8, {filters, c.input_size},
        RandomArray(DataType::kInt8, {filters, c.input_size}, s + 1, 0, 0),
        "wf", qwf);
    wt = AddConst(
        b, testing::kI16, {filters, c.memory},
        RandomArray(DataType::kInt16, {filters, c.memory}, s + 2, -2500, 2500),
        "wt", qwt);
    if (c.bias)
      bias = AddConst(b, testing::kI32, {c.units},
                      RandomArray(DataType::kInt32, {c.units}, s + 3), "bias",
                      qbias);
    state = b.AddTensor(testing::kI16, {c.batch, c.memory * filters}, "state",
                        qstate);
    out = b.AddTensor(testing::kI8, {c.batch, c.units}, "out", qout);
  }
  if (state_variable) b.SetVariable(state);
  fb::BuiltinOptionsUnion opts;
  fb::SVDFOptionsT o;
  o.rank = rank_override >= 0 ? rank_override : c.rank;
  o.fused_activation_function = c.act;
  opts.Set(o);
  b.AddOp(fb::BuiltinOperator::SVDF, {in, wf, wt, bias, state}, {out},
          std::move(opts), c.quantized ? 3 : 1);
  b.SetInputs({in});
  b.SetOutputs({out});
  OracleCase oc;
  oc.model = b.Build();
  if (c.quantized) {
    oc.inputs = {
        RandomArray(DataType::kInt8, {c.batch, c.input_size}, s + 4, 0, 0)};
  } else {
    oc.inputs = {
        RandomArray(DataType::kFloat32, {c.batch, c.input_size}, s + 4)};
  }
  oc.invokes = 3;
  return oc;
}

std::vector<SvdfCase> Grid(bool quantized) {
  std::vector<SvdfCase> cases;
  uint32_t seed = quantized ? 500 : 100;
  for (int batch : {1, 2})
    for (int input_size : {5, 16})
      for (int units : {3, 4})
        for (int rank : {1, 2})
          for (int memory : {1, 4, 10})
            for (bool bias : {true, false}) {
              if (quantized) {
                cases.push_back({batch, input_size, units, rank, memory, bias,
                                 fb::ActivationFunctionType::RELU, true,
                                 seed += 10});
              } else {
                for (auto act : {fb::ActivationFunctionType::NONE,
                                 fb::ActivationFunctionType::RELU})
                  cases.push_back({batch, input_size, units, rank, memory, bias,
                                   act, false, seed += 10});
              }
            }
  return cases;
}

void RunGrid(bool quantized) {
  const auto cases = Grid(quantized);
  std::vector<OracleCase> oracle_cases;
  for (const auto& c : cases) oracle_cases.push_back(BuildSvdf(c));
  const auto expected = testing::RunLiteRt(oracle_cases);
  std::set<double> distinct;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    SCOPED_TRACE(::testing::Message()
                 << "case " << i << " batch=" << c.batch << " input="
                 << c.input_size << " units=" << c.units << " rank=" << c.rank
                 << " memory=" << c.memory << " bias=" << c.bias);
    ASSERT_TRUE(expected[i].ok) << expected[i].error;
    const auto ours = testing::RunEmber(
        oracle_cases[i].model, oracle_cases[i].inputs, oracle_cases[i].invokes);
    ASSERT_TRUE(ours.ok) << ours.error;
    std::string why;
    const double diff =
        testing::MaxAbsDiff(ours.outputs[0], expected[i].outputs[0], &why);
    if (quantized) {
      EXPECT_EQ(diff, 0) << why;
      const auto& a = expected[i].outputs[0];
      for (size_t k = 0; k < a.data.size(); ++k)
        distinct.insert(static_cast<int8_t>(a.data[k]));
      if (getenv("SVDF_DUMP")) {
        for (auto v : a.data) printf("%d ", (int8_t)v);
        printf("\n");
      }
    } else {
      const double mag = std::max(1.0, testing::MaxAbs(expected[i].outputs[0]));
      EXPECT_LE(diff, 1e-5 * mag) << why;
      EXPECT_GE(diff, 0) << why;
    }
  }
  if (quantized)
    EXPECT_GT(distinct.size(), 40u) << "quantized outputs are degenerate";
}

TEST(SvdfOp, FloatMatchesLiteRt) { RunGrid(false); }

TEST(SvdfOp, Int8Int16StateMatchesLiteRtBitExact) { RunGrid(true); }

// int8 time weights and state (TFLite Micro's scheme; LiteRT's kernel reads
// such a state as int16, so it cannot serve as the oracle here). Checked
// against a direct evaluation that keeps an explicit activation history.
TEST(SvdfOp, Int8StateMatchesDirectEvaluation) {
  const int batch = 2, input_size = 12, units = 3, rank = 2, memory = 5,
            invokes = 7;
  const int filters = units * rank;
  const float s_in = 0.05f, s_wf = 0.012f, s_wt = 0.01f, s_state = 0.3f,
              s_out = 0.2f;
  const int zp_in = -3, zp_state = -20, zp_out = 4;
  const auto wf = RandomArray(DataType::kInt8, {filters, input_size}, 1, 0, 0);
  const auto wt = RandomArray(DataType::kInt8, {filters, memory}, 2, 0, 0);
  const auto bias = RandomArray(DataType::kInt32, {units}, 3);
  const auto x = RandomArray(DataType::kInt8, {batch, input_size}, 4, 0, 0);
  ModelBuilder b;
  const int in = b.AddTensor(testing::kI8, {batch, input_size}, "input",
                             QuantSpec{{s_in}, {zp_in}});
  const int f = AddConst(b, testing::kI8, {filters, input_size}, wf, "wf",
                         QuantSpec{{s_wf}, {0}});
  const int t = AddConst(b, testing::kI8, {filters, memory}, wt, "wt",
                         QuantSpec{{s_wt}, {0}});
  const int bi = AddConst(b, testing::kI32, {units}, bias, "bias",
                          QuantSpec{{s_state * s_wt}, {0}});
  const int st = b.AddTensor(testing::kI8, {batch, memory * filters}, "state",
                             QuantSpec{{s_state}, {zp_state}});
  b.SetVariable(st);
  const int out = b.AddTensor(testing::kI8, {batch, units}, "out",
                              QuantSpec{{s_out}, {zp_out}});
  fb::BuiltinOptionsUnion opts;
  fb::SVDFOptionsT o;
  o.rank = rank;
  o.fused_activation_function = fb::ActivationFunctionType::RELU;
  opts.Set(o);
  b.AddOp(fb::BuiltinOperator::SVDF, {in, f, t, bi, st}, {out}, std::move(opts),
          3);
  b.SetInputs({in});
  b.SetOutputs({out});
  const auto ours = testing::RunEmber(b.Build(), {x}, invokes);
  ASSERT_TRUE(ours.ok) << ours.error;

  auto i8 = [](const NpyArray& a, size_t k) {
    return static_cast<int32_t>(static_cast<int8_t>(a.data[k]));
  };
  int32_t m1, m2;
  int e1, e2;
  ref::QuantizeMultiplier(static_cast<float>(s_in * s_wf / s_state), &m1, &e1);
  ref::QuantizeMultiplier(static_cast<float>(s_state * s_wt / s_out), &m2, &e2);
  // history[b][f] holds the activations of every invoke, oldest first; the
  // state starts at its zero point (real 0).
  std::vector<std::vector<std::vector<int32_t>>> history(
      batch, std::vector<std::vector<int32_t>>(
                 filters, std::vector<int32_t>(memory, zp_state)));
  std::vector<int32_t> expected(batch * units);
  for (int step = 0; step < invokes; ++step) {
    for (int bb = 0; bb < batch; ++bb) {
      for (int ff = 0; ff < filters; ++ff) {
        int32_t dot = 0;
        for (int c = 0; c < input_size; ++c)
          dot += i8(wf, ff * input_size + c) *
                 (i8(x, bb * input_size + c) - zp_in);
        const int32_t a = std::clamp(
            ref::MultiplyByQuantizedMultiplier(dot, m1, e1) + zp_state, -128,
            127);
        history[bb][ff].push_back(a);
      }
      for (int u = 0; u < units; ++u) {
        int32_t acc;
        memcpy(&acc, bias.data.data() + 4 * u, 4);
        for (int r = 0; r < rank; ++r) {
          const auto& h = history[bb][u * rank + r];
          for (int m = 0; m < memory; ++m)
            acc += i8(wt, (u * rank + r) * memory + m) *
                   (h[h.size() - memory + m] - zp_state);
        }
        expected[bb * units + u] =
            std::clamp(ref::MultiplyByQuantizedMultiplier(acc, m2, e2) + zp_out,
                       -128, 127);
      }
    }
  }
  std::set<int32_t> distinct;
  for (int k = 0; k < batch * units; ++k) {
    EXPECT_EQ(i8(ours.outputs[0], k), expected[k]) << k;
    distinct.insert(expected[k]);
  }
  EXPECT_GT(distinct.size(), 3u);
}

TEST(SvdfOp, RejectsBadModels) {
  SvdfCase c{1, 5, 3, 2, 4, true, fb::ActivationFunctionType::RELU, true, 7};
  {  // state not a variable
    auto oc = BuildSvdf(c, /*state_variable=*/false);
    auto r = testing::RunEmber(oc.model, oc.inputs);
    EXPECT_FALSE(r.ok);  // caught by the loader or by SVDF's Prepare
    EXPECT_FALSE(r.error.empty());
  }
  {  // filters not a multiple of rank
    auto oc = BuildSvdf(c, true, /*rank_override=*/4);
    auto r = testing::RunEmber(oc.model, oc.inputs);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("multiple of rank"), std::string::npos) << r.error;
  }
  {  // rank 0
    auto oc = BuildSvdf(c, true, /*rank_override=*/0);
    auto r = testing::RunEmber(oc.model, oc.inputs);
    EXPECT_FALSE(r.ok);
  }
  {  // int8 with a non-RELU activation
    SvdfCase d = c;
    d.act = fb::ActivationFunctionType::NONE;
    auto oc = BuildSvdf(d);
    auto r = testing::RunEmber(oc.model, oc.inputs);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("RELU"), std::string::npos) << r.error;
  }
}

}  // namespace
}  // namespace ember
