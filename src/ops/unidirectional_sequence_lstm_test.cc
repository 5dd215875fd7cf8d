// UNIDIRECTIONAL_SEQUENCE_LSTM against LiteRT's reference kernels: float
// (tolerance) and full-integer int8/int16 (bit-exact), with CIFG, peephole,
// projection, layer norm (float), clipping, time/batch major, several
// invokes so the variable states carry over.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "model/model.h"
#include "runtime/interpreter.h"
#include "util/model_builder.h"
#include "util/oracle.h"

namespace ember {
namespace {

using ember::NpyArray;
using testing::ModelBuilder;
using testing::OracleCase;
using testing::QuantSpec;
using testing::RandomArray;

struct LstmCfg {
  bool quant = false;
  bool time_major = false;
  int batch = 1, time = 3, n_input = 5, n_cell = 6, n_output = 6;
  bool cifg = false, peephole = false, projection = false, proj_bias = false,
       layer_norm = false;
  float cell_clip = 0, proj_clip = 0;
  int cell_log2 = -11;
  int hidden_zp = 0;
  uint32_t seed = 1;
};

int Const(ModelBuilder& b, fb::TensorType type, std::vector<int32_t> shape,
          const NpyArray& a, const std::string& name, const QuantSpec& q = {}) {
  return b.AddConstant(type, std::move(shape), a.data.data(), a.data.size(),
                       name, q);
}

std::vector<int64_t> I64(const std::vector<int32_t>& v) {
  return std::vector<int64_t>(v.begin(), v.end());
}

// Which parts a test wants to break (negative tests).
struct Breakage {
  bool state_not_variable = false;
  bool drop_intermediates = false;
  bool wrong_forget_shape = false;
  bool float_weights_int8_input = false;
  bool cell_scale_not_pot = false;
};

OracleCase BuildLstm(const LstmCfg& c, int invokes = 2, Breakage brk = {}) {
  ModelBuilder b;
  uint32_t s = c.seed * 100;
  const std::vector<int32_t> in_shape =
      c.time_major ? std::vector<int32_t>{c.time, c.batch, c.n_input}
                   : std::vector<int32_t>{c.batch, c.time, c.n_input};
  std::vector<int32_t> out_shape = in_shape;
  out_shape[2] = c.n_output;
  std::vector<int32_t> inputs(24, -1);
  const char* gates[4] = {"input", "forget", "cell", "output"};
  int in, out, ostate, cstate;
  std::vector<int32_t> intermediates;
  if (!c.quant) {
    in = b.AddTensor(testing::kF32, in_shape, "input");
    for (int g = 0; g < 4; ++g) {
      if (g == 0 && c.cifg) continue;
      const int rows =
          (g == 1 && brk.wrong_forget_shape) ? c.n_cell + 1 : c.n_cell;
      inputs[1 + g] = Const(
          b, testing::kF32, {rows, c.n_input},
          RandomArray(DataType::kFloat32, {rows, c.n_input}, ++s, -0.5f, 0.5f),
          std::string("i2") + gates[g]);
      inputs[5 + g] =
          Const(b, testing::kF32, {c.n_cell, c.n_output},
                RandomArray(DataType::kFloat32, {c.n_cell, c.n_output}, ++s,
                            -0.5f, 0.5f),
                std::string("r2") + gates[g]);
      inputs[12 + g] =
          Const(b, testing::kF32, {c.n_cell},
                RandomArray(DataType::kFloat32, {c.n_cell}, ++s, -0.3f, 0.3f),
                std::string("b_") + gates[g]);
      if (c.peephole && g != 2)
        inputs[g == 0 ? 9 : (g == 1 ? 10 : 11)] =
            Const(b, testing::kF32, {c.n_cell},
                  RandomArray(DataType::kFloat32, {c.n_cell}, ++s, -0.5f, 0.5f),
                  std::string("c2") + gates[g]);
      if (c.layer_norm)
        inputs[20 + g] =
            Const(b, testing::kF32, {c.n_cell},
                  RandomArray(DataType::kFloat32, {c.n_cell}, ++s, 0.5f, 1.5f),
                  std::string("ln_") + gates[g]);
    }
    if (c.projection) {
      inputs[16] = Const(b, testing::kF32, {c.n_output, c.n_cell},
                         RandomArray(DataType::kFloat32, {c.n_output, c.n_cell},
                                     ++s, -0.5f, 0.5f),
                         "proj");
      if (c.proj_bias)
        inputs[17] = Const(
            b, testing::kF32, {c.n_output},
            RandomArray(DataType::kFloat32, {c.n_output}, ++s, -0.2f, 0.2f),
            "proj_bias");
    }
    ostate = b.AddTensor(testing::kF32, {c.batch, c.n_output}, "output_state");
    cstate = b.AddTensor(testing::kF32, {c.batch, c.n_cell}, "cell_state");
    out = b.AddTensor(testing::kF32, out_shape, "output");
  } else {
    const QuantSpec qin{{0.05f}, {static_cast<int64_t>(c.seed % 9) - 4}};
    const QuantSpec qout{{1.0f / 128}, {static_cast<int64_t>(c.seed % 5) - 2}};
    const QuantSpec qcell{
        {brk.cell_scale_not_pot ? 0.0003f : std::ldexp(1.0f, c.cell_log2)},
        {0}};
    const QuantSpec qhidden{{c.projection ? 0.006f : qout.scales[0]},
                            {c.projection ? c.hidden_zp : qout.zero_points[0]}};
    if (brk.float_weights_int8_input) {
      in = b.AddTensor(testing::kI8, in_shape, "input", qin);
    } else {
      in = b.AddTensor(testing::kI8, in_shape, "input", qin);
    }
    for (int g = 0; g < 4; ++g) {
      if (g == 0 && c.cifg) continue;
      const float wi = 0.0015f + 0.0002f * g, wr = 0.002f + 0.0003f * g;
      const QuantSpec qwi{{wi}, {0}}, qwr{{wr}, {0}};
      if (brk.float_weights_int8_input) {
        inputs[1 + g] =
            Const(b, testing::kF32, {c.n_cell, c.n_input},
                  RandomArray(DataType::kFloat32, {c.n_cell, c.n_input}, ++s),
                  std::string("i2") + gates[g]);
      } else {
        inputs[1 + g] = Const(
            b, testing::kI8, {c.n_cell, c.n_input},
            RandomArray(DataType::kInt8, {c.n_cell, c.n_input}, ++s, 0, 0),
            std::string("i2") + gates[g], qwi);
      }
      inputs[5 + g] =
          Const(b, testing::kI8, {c.n_cell, c.n_output},
                RandomArray(DataType::kInt8, {c.n_cell, c.n_output}, ++s, 0, 0),
                std::string("r2") + gates[g], qwr);
      inputs[12 + g] = Const(
          b, testing::kI32, {c.n_cell},
          RandomArray(DataType::kInt32, {c.n_cell}, ++s, -2000, 2000),
          std::string("b_") + gates[g], QuantSpec{{wi * qin.scales[0]}, {0}});
      if (c.peephole && g != 2)
        inputs[g == 0 ? 9 : (g == 1 ? 10 : 11)] =
            Const(b, testing::kI16, {c.n_cell},
                  RandomArray(DataType::kInt16, {c.n_cell}, ++s, -20000, 20000),
                  std::string("c2") + gates[g], QuantSpec{{1.0f / 32768}, {0}});
    }
    if (c.projection) {
      const QuantSpec qp{{0.01f}, {0}};
      inputs[16] =
          Const(b, testing::kI8, {c.n_output, c.n_cell},
                RandomArray(DataType::kInt8, {c.n_output, c.n_cell}, ++s, 0, 0),
                "proj", qp);
      if (c.proj_bias)
        inputs[17] =
            Const(b, testing::kI32, {c.n_output},
                  RandomArray(DataType::kInt32, {c.n_output}, ++s, -500, 500),
                  "proj_bias", QuantSpec{{0.01f * qhidden.scales[0]}, {0}});
    }
    ostate =
        b.AddTensor(testing::kI8, {c.batch, c.n_output}, "output_state", qout);
    cstate =
        b.AddTensor(testing::kI16, {c.batch, c.n_cell}, "cell_state", qcell);
    out = b.AddTensor(testing::kI8, out_shape, "output", qout);
    if (!brk.drop_intermediates) {
      for (int k = 0; k < 4; ++k)
        intermediates.push_back(
            b.AddTensor(testing::kF32, {0}, std::string("inter_") + gates[k]));
      intermediates.push_back(
          b.AddTensor(testing::kI8, {0}, "hidden", qhidden));
    }
  }
  if (!brk.state_not_variable) {
    b.SetVariable(ostate);
    b.SetVariable(cstate);
  }
  inputs[0] = in;
  inputs[18] = ostate;
  inputs[19] = cstate;
  fb::BuiltinOptionsUnion opts;
  fb::UnidirectionalSequenceLSTMOptionsT o;
  o.fused_activation_function = fb::ActivationFunctionType::TANH;
  o.cell_clip = c.cell_clip;
  o.proj_clip = c.proj_clip;
  o.time_major = c.time_major;
  opts.Set(o);
  const int op = b.AddOp(fb::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM,
                         inputs, {out}, std::move(opts), c.quant ? 3 : 1);
  b.op(op).intermediates = intermediates;
  b.SetInputs({in});
  b.SetOutputs({out});
  OracleCase oc;
  oc.model = b.Build();
  oc.inputs = {
      c.quant
          ? RandomArray(DataType::kInt8, I64(in_shape), s + 7, 0, 0)
          : RandomArray(DataType::kFloat32, I64(in_shape), s + 7, -1.0f, 1.0f)};
  oc.invokes = invokes;
  return oc;
}

std::vector<LstmCfg> FloatGrid() {
  std::vector<LstmCfg> cases;
  uint32_t seed = 1;
  for (bool tm : {false, true})
    for (int batch : {1, 2})
      for (int v = 0; v < 8; ++v) {
        LstmCfg c;
        c.time_major = tm;
        c.batch = batch;
        c.seed = seed++;
        switch (v) {
          case 0:
            break;
          case 1:
            c.cifg = true;
            break;
          case 2:
            c.peephole = true;
            break;
          case 3:
            c.cifg = c.peephole = true;
            break;
          case 4:
            c.projection = c.proj_bias = true;
            c.n_output = 4;
            c.proj_clip = 0.3f;
            break;
          case 5:
            c.layer_norm = true;
            break;
          case 6:
            c.cifg = c.layer_norm = c.peephole = c.projection = true;
            c.n_output = 3;
            c.cell_clip = 0.5f;
            break;
          case 7:
            c.cell_clip = 0.2f;
            c.n_input = 1;
            c.time = 5;
            break;
        }
        cases.push_back(c);
      }
  return cases;
}

std::vector<LstmCfg> IntGrid() {
  std::vector<LstmCfg> cases;
  uint32_t seed = 40;
  for (bool tm : {false, true})
    for (int batch : {1, 3})
      for (int v = 0; v < 11; ++v) {
        LstmCfg c;
        c.quant = true;
        c.time_major = tm;
        c.batch = batch;
        c.n_input = 16;
        c.n_cell = 8;
        c.n_output = 8;
        c.seed = seed++;
        switch (v) {
          case 0:
            break;
          case 1:
            c.cifg = true;
            break;
          case 2:
            c.peephole = true;
            break;
          case 3:
            c.cifg = c.peephole = true;
            c.cell_log2 = -12;
            break;
          case 4:
            c.projection = c.proj_bias = true;
            c.n_output = 5;
            break;
          case 5:
            c.projection = true;
            c.n_output = 6;
            break;
          case 6:
            c.cell_clip = 1.5f;
            break;
          case 7:
            c.cell_log2 = -15;
            break;  // tanh input shifted right in place
          case 8:
            c.cell_log2 = -9;
            c.time = 6;
            break;
          case 9:
            c.n_input = 3;
            c.n_cell = 20;
            c.n_output = 20;
            c.cell_log2 = -12;
            break;
          case 10:
            c.projection = c.proj_bias = true;
            c.n_output = 6;
            c.proj_clip = 0.5f;
            break;
        }
        cases.push_back(c);
      }
  return cases;
}

void RunAll(const std::vector<LstmCfg>& cfgs) {
  std::vector<OracleCase> cases;
  for (const auto& c : cfgs) cases.push_back(BuildLstm(c, 2));
  const auto expected = testing::RunLiteRt(cases);
  std::set<int> distinct;
  for (size_t i = 0; i < cfgs.size(); ++i) {
    const auto& c = cfgs[i];
    SCOPED_TRACE(::testing::Message()
                 << "case " << i << " tm=" << c.time_major
                 << " batch=" << c.batch << " cifg=" << c.cifg
                 << " peep=" << c.peephole << " proj=" << c.projection
                 << " ln=" << c.layer_norm << " cell_log2=" << c.cell_log2);
    ASSERT_TRUE(expected[i].ok) << expected[i].error;
    const auto ours =
        testing::RunEmber(cases[i].model, cases[i].inputs, cases[i].invokes);
    ASSERT_TRUE(ours.ok) << ours.error;
    std::string why;
    const double diff =
        testing::MaxAbsDiff(ours.outputs[0], expected[i].outputs[0], &why);
    EXPECT_GE(diff, 0) << why;
    if (c.quant) {
      EXPECT_EQ(diff, 0);
      for (uint8_t v : expected[i].outputs[0].data)
        distinct.insert(static_cast<int8_t>(v));
    } else {
      EXPECT_LE(diff,
                2e-5 * std::max(1.0, testing::MaxAbs(expected[i].outputs[0])));
    }
  }
  if (cfgs[0].quant)
    EXPECT_GT(distinct.size(), 100u) << "degenerate quantized outputs";
}

TEST(UnidirectionalSequenceLstmOp, FloatMatchesLiteRt) { RunAll(FloatGrid()); }

TEST(UnidirectionalSequenceLstmOp, Int8MatchesLiteRtBitExact) {
  RunAll(IntGrid());
}

TEST(UnidirectionalSequenceLstmOp, StatePersistsAndResets) {
  // The second invoke differs from the first (state carried over); after
  // ResetVariables the sequence starts again.
  LstmCfg c;
  c.quant = true;
  c.n_input = 8;
  c.seed = 3;
  auto oc = BuildLstm(c, 1);
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  ASSERT_TRUE(
      Model::FromBuffer(oc.model.data(), oc.model.size(), true, errors, &model)
          .ok());
  std::unique_ptr<Interpreter> interp;
  ASSERT_TRUE(
      Interpreter::Create(*model, OpResolver::Builtins(), {}, errors, &interp)
          .ok());
  ASSERT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
  Subgraph& sg = interp->primary();
  Tensor& in = sg.tensors()[sg.inputs()[0]];
  memcpy(in.data, oc.inputs[0].data.data(), in.bytes);
  const Tensor& out = sg.tensors()[sg.outputs()[0]];
  auto run = [&] {
    EXPECT_TRUE(interp->Invoke().ok()) << interp->errors().message();
    const auto* p = static_cast<const uint8_t*>(out.data);
    return std::vector<uint8_t>(p, p + out.bytes);
  };
  const auto first = run();
  const auto second = run();
  EXPECT_NE(first, second) << "state had no effect";
  ASSERT_TRUE(interp->ResetVariables().ok());
  EXPECT_EQ(run(), first);
}

TEST(UnidirectionalSequenceLstmOp, RejectsBadModels) {
  LstmCfg c;
  c.quant = true;
  c.n_input = 8;
  struct Bad {
    Breakage brk;
    const char* expect;
  };
  Breakage b1;
  b1.state_not_variable = true;
  Breakage b2;
  b2.drop_intermediates = true;
  Breakage b3;
  b3.float_weights_int8_input = true;
  Breakage b5;
  b5.cell_scale_not_pot = true;
  for (const auto& bad : {Bad{b1, ""}, Bad{b2, "intermediate"}, Bad{b3, "type"},
                          Bad{b5, "power of two"}}) {
    auto oc = BuildLstm(c, 1, bad.brk);
    const auto r = testing::RunEmber(oc.model, oc.inputs);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find(bad.expect), std::string::npos) << r.error;
  }
  LstmCfg f;
  Breakage b4;
  b4.wrong_forget_shape = true;
  auto oc = BuildLstm(f, 1, b4);
  const auto r = testing::RunEmber(oc.model, oc.inputs);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("input_to_forget_weights"), std::string::npos)
      << r.error;
}

}  // namespace
}  // namespace ember
