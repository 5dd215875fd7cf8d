// SVDF against LiteRT's reference kernels: float (tolerance) and int8 with
// an int16 state (bit-exact), over several invokes so the state matters.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "util/model_builder.h"
#include "util/oracle.h"

namespace ember {
namespace {

using testing::ModelBuilder;
using ember::NpyArray;
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
             const NpyArray& a, const std::string& name, const QuantSpec& q = {}) {
  return b.AddConstant(type, std::move(shape), a.data.data(), a.data.size(), name, q);
}

OracleCase BuildSvdf(const SvdfCase& c, bool state_variable = true,
                     int rank_override = -1) {
  ModelBuilder b;
  const int filters = c.units * c.rank;
  const uint32_t s = c.seed;
  int in, wf, wt, bias = -1, state, out;
  if (!c.quantized) {
    in = b.AddTensor(testing::kF32, {c.batch, c.input_size}, "input");
    wf = AddConst(b, testing::kF32, {filters, c.input_size},
                  RandomArray(DataType::kFloat32, {filters, c.input_size}, s + 1), "wf");
    wt = AddConst(b, testing::kF32, {filters, c.memory},
                  RandomArray(DataType::kFloat32, {filters, c.memory}, s + 2), "wt");
    if (c.bias)
      bias = AddConst(b, testing::kF32, {c.units},
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
    const float out_std =
        std::sqrt(static_cast<float>(c.rank * c.memory)) * feature_std * time_std;
    const QuantSpec qstate{{feature_std * 6 / 32767}, {0}};
    const QuantSpec qout{{out_std / 40}, {static_cast<int64_t>(s % 11) - 5}};
    in = b.AddTensor(testing::kI8, {c.batch, c.input_size}, "input", qin);
    wf = AddConst(b, testing::kI8, {filters, c.input_size},
                  RandomArray(DataType::kInt8, {filters, c.input_size}, s + 1, 0, 0), "wf", qwf);
    wt = AddConst(b, testing::kI16, {filters, c.memory},
                  RandomArray(DataType::kInt16, {filters, c.memory}, s + 2, -2500, 2500),
                  "wt", qwt);
    if (c.bias)
      bias = AddConst(b, testing::kI32, {c.units},
                      RandomArray(DataType::kInt32, {c.units}, s + 3), "bias", qbias);
    state = b.AddTensor(testing::kI16, {c.batch, c.memory * filters}, "state", qstate);
    out = b.AddTensor(testing::kI8, {c.batch, c.units}, "out", qout);
  }
  if (state_variable) b.SetVariable(state);
  fb::BuiltinOptionsUnion opts;
  fb::SVDFOptionsT o;
  o.rank = rank_override >= 0 ? rank_override : c.rank;
  o.fused_activation_function = c.act;
  opts.Set(o);
  b.AddOp(fb::BuiltinOperator::SVDF, {in, wf, wt, bias, state}, {out}, std::move(opts),
          c.quantized ? 3 : 1);
  b.SetInputs({in});
  b.SetOutputs({out});
  OracleCase oc;
  oc.model = b.Build();
  if (c.quantized) {
    oc.inputs = {RandomArray(DataType::kInt8, {c.batch, c.input_size}, s + 4, 0, 0)};
  } else {
    oc.inputs = {RandomArray(DataType::kFloat32, {c.batch, c.input_size}, s + 4)};
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
                                 fb::ActivationFunctionType::RELU, true, seed += 10});
              } else {
                for (auto act : {fb::ActivationFunctionType::NONE,
                                 fb::ActivationFunctionType::RELU})
                  cases.push_back({batch, input_size, units, rank, memory, bias, act,
                                   false, seed += 10});
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
                 << "case " << i << " batch=" << c.batch << " input=" << c.input_size
                 << " units=" << c.units << " rank=" << c.rank << " memory=" << c.memory
                 << " bias=" << c.bias);
    ASSERT_TRUE(expected[i].ok) << expected[i].error;
    const auto ours = testing::RunEmber(oracle_cases[i].model, oracle_cases[i].inputs,
                                        oracle_cases[i].invokes);
    ASSERT_TRUE(ours.ok) << ours.error;
    std::string why;
    const double diff = testing::MaxAbsDiff(ours.outputs[0], expected[i].outputs[0], &why);
    if (quantized) {
      EXPECT_EQ(diff, 0) << why;
      const auto& a = expected[i].outputs[0];
      for (size_t k = 0; k < a.data.size(); ++k) distinct.insert(static_cast<int8_t>(a.data[k]));
      if (getenv("SVDF_DUMP")) { for (auto v : a.data) printf("%d ", (int8_t)v); printf("\n"); }
    } else {
      const double mag = std::max(1.0, testing::MaxAbs(expected[i].outputs[0]));
      EXPECT_LE(diff, 1e-5 * mag) << why;
      EXPECT_GE(diff, 0) << why;
    }
  }
  if (quantized) EXPECT_GT(distinct.size(), 40u) << "quantized outputs are degenerate";
}

TEST(SvdfOp, FloatMatchesLiteRt) { RunGrid(false); }

TEST(SvdfOp, Int8Int16StateMatchesLiteRtBitExact) { RunGrid(true); }

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
