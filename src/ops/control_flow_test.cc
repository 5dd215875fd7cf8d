// WHILE, IF and CALL_ONCE against LiteRT, with models of several subgraphs
// built by ModelBuilder (only ADD inside the callees, so the tests depend on
// no other op), plus clean failures for malformed control flow.
#include <gtest/gtest.h>

#include "model/model.h"
#include "runtime/interpreter.h"
#include "runtime/op_context.h"
#include "util/model_builder.h"
#include "util/oracle.h"

namespace ember {
namespace {

using testing::ModelBuilder;
using testing::OracleCase;
using testing::RandomArray;

fb::BuiltinOptionsUnion AddOpts() {
  fb::BuiltinOptionsUnion o;
  o.Set(fb::AddOptionsT());
  return o;
}

fb::BuiltinOptionsUnion WhileOpts(int cond, int body) {
  fb::WhileOptionsT w;
  w.cond_subgraph_index = cond;
  w.body_subgraph_index = body;
  fb::BuiltinOptionsUnion o;
  o.Set(w);
  return o;
}

fb::BuiltinOptionsUnion IfOpts(int then_sg, int else_sg) {
  fb::IfOptionsT w;
  w.then_subgraph_index = then_sg;
  w.else_subgraph_index = else_sg;
  fb::BuiltinOptionsUnion o;
  o.Set(w);
  return o;
}

// Counter loop: i += 1, x += x (x *= 2) while the flag is true. The flag
// comes from a delay line of `steps` bools that the body shifts by one and
// refills with false, so exactly `steps` iterations run (ADD is the only op).
struct WhileSpec {
  int steps = 10;
  std::vector<int32_t> x_shape = {2, 3};
  fb::TensorType x_type = testing::kF32;
  bool cond_output_not_bool = false;
  bool body_drops_output = false;
  bool extra_while_output = false;
  int body_index = 2;
};

std::vector<uint8_t> BuildWhile(const WhileSpec& s) {
  ModelBuilder b;
  const int n_flags = s.steps;
  auto add_vars = [&](const std::string& prefix, std::vector<int>* flags,
                      int* i, int* x) {
    for (int k = 0; k < n_flags; ++k)
      flags->push_back(b.AddTensor(fb::TensorType::BOOL, {},
                                   prefix + "flag" + std::to_string(k)));
    *i = b.AddTensor(testing::kI32, {}, prefix + "i");
    *x = b.AddTensor(s.x_type, s.x_shape, prefix + "x");
  };
  // main (subgraph 0)
  std::vector<int> flags;
  int i, x;
  add_vars("", &flags, &i, &x);
  std::vector<int> outs;
  std::vector<int> out_flags;
  int i_out, x_out;
  add_vars("out_", &out_flags, &i_out, &x_out);
  std::vector<int32_t> ins = flags;
  ins.push_back(i);
  ins.push_back(x);
  std::vector<int32_t> wouts = out_flags;
  wouts.push_back(i_out);
  wouts.push_back(x_out);
  if (s.extra_while_output)
    wouts.push_back(b.AddTensor(testing::kF32, {1}, "extra"));
  b.AddOp(fb::BuiltinOperator::WHILE, ins, wouts, WhileOpts(1, s.body_index));
  b.SetInputs(ins);
  b.SetOutputs({i_out, x_out});
  // cond (subgraph 1): returns flag0 (or, broken, the counter).
  b.AddSubgraph("cond");
  {
    std::vector<int> f;
    int ci, cx;
    add_vars("c_", &f, &ci, &cx);
    std::vector<int32_t> cins = f;
    cins.push_back(ci);
    cins.push_back(cx);
    b.SetInputs(cins);
    b.SetOutputs({s.cond_output_not_bool ? ci : f[0]});
  }
  // body (subgraph 2)
  b.AddSubgraph("body");
  {
    std::vector<int> f;
    int bi, bx;
    add_vars("b_", &f, &bi, &bx);
    const int one = b.AddConstant<int32_t>(testing::kI32, {}, {1}, "one");
    const int no =
        b.AddConstant<uint8_t>(fb::TensorType::BOOL, {}, {0}, "false");
    const int ni = b.AddTensor(testing::kI32, {}, "i_next");
    const int nx = b.AddTensor(s.x_type, s.x_shape, "x_next");
    b.AddOp(fb::BuiltinOperator::ADD, {bi, one}, {ni}, AddOpts());
    b.AddOp(fb::BuiltinOperator::ADD, {bx, bx}, {nx}, AddOpts());
    std::vector<int32_t> bins = f;
    bins.push_back(bi);
    bins.push_back(bx);
    b.SetInputs(bins);
    std::vector<int32_t> bouts;
    for (int k = 1; k < n_flags; ++k) bouts.push_back(f[k]);
    bouts.push_back(no);
    bouts.push_back(ni);
    if (!s.body_drops_output) bouts.push_back(nx);
    b.SetOutputs(bouts);
  }
  return b.Build();
}

std::vector<NpyArray> WhileInputs(const WhileSpec& s, uint32_t seed) {
  std::vector<NpyArray> in;
  for (int k = 0; k < s.steps; ++k)
    in.push_back(testing::MakeArray<uint8_t>(DataType::kBool, {}, {1}));
  in.push_back(testing::MakeArray<int32_t>(DataType::kInt32, {},
                                           {static_cast<int32_t>(seed)}));
  std::vector<int64_t> shape(s.x_shape.begin(), s.x_shape.end());
  in.push_back(s.x_type == testing::kF32
                   ? RandomArray(DataType::kFloat32, shape, seed)
                   : RandomArray(DataType::kInt32, shape, seed));
  return in;
}

TEST(ControlFlowOps, WhileCounterLoopMatchesLiteRt) {
  std::vector<WhileSpec> specs;
  for (int steps : {1, 3, 10})
    for (auto type : {testing::kF32, testing::kI32})
      for (auto shape : {std::vector<int32_t>{2, 3}, std::vector<int32_t>{5}}) {
        WhileSpec s;
        s.steps = steps;
        s.x_type = type;
        s.x_shape = shape;
        specs.push_back(s);
      }
  std::vector<OracleCase> cases;
  for (size_t k = 0; k < specs.size(); ++k)
    cases.push_back({BuildWhile(specs[k]), WhileInputs(specs[k], 7 + k)});
  const auto expected = testing::RunLiteRt(cases);
  for (size_t k = 0; k < specs.size(); ++k) {
    SCOPED_TRACE(::testing::Message()
                 << "case " << k << " steps=" << specs[k].steps);
    ASSERT_TRUE(expected[k].ok) << expected[k].error;
    // Invoked twice: the loop must restart from the inputs each time.
    const auto ours = testing::RunEmber(cases[k].model, cases[k].inputs, 2);
    ASSERT_TRUE(ours.ok) << ours.error;
    ASSERT_EQ(ours.outputs.size(), 2u);
    std::string why;
    EXPECT_EQ(
        testing::MaxAbsDiff(ours.outputs[0], expected[k].outputs[0], &why), 0)
        << why;
    EXPECT_EQ(
        testing::MaxAbsDiff(ours.outputs[1], expected[k].outputs[1], &why), 0)
        << why;
    int32_t counter;
    memcpy(&counter, ours.outputs[0].data.data(), 4);
    EXPECT_EQ(counter, static_cast<int32_t>(7 + k) + specs[k].steps);
  }
}

TEST(ControlFlowOps, WhileRejectsMalformedLoops) {
  struct Bad {
    WhileSpec spec;
    const char* expect;
  };
  std::vector<Bad> bad;
  {
    WhileSpec s;
    s.cond_output_not_bool = true;
    bad.push_back({s, "expected BOOL"});
  }
  {
    WhileSpec s;
    s.body_drops_output = true;
    bad.push_back({s, "outputs for"});
  }
  {
    WhileSpec s;
    s.extra_while_output = true;
    bad.push_back({s, "inputs but"});
  }
  {
    WhileSpec s;
    s.body_index = 9;
    bad.push_back({s, "subgraph 9"});
  }
  for (const auto& b : bad) {
    const auto r =
        testing::RunEmber(BuildWhile(b.spec), WhileInputs(b.spec, 1));
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find(b.expect), std::string::npos) << r.error;
  }
}

// IF(cond, a, b): then = (a + b, a + a), else = (b + b, a + b + b).
std::vector<uint8_t> BuildIf(fb::TensorType type, std::vector<int32_t> shape,
                             fb::TensorType cond_type = fb::TensorType::BOOL,
                             int else_inputs = 2) {
  ModelBuilder b;
  const int c = b.AddTensor(cond_type, {1}, "cond");
  const int x = b.AddTensor(type, shape, "a");
  const int y = b.AddTensor(type, shape, "b");
  const int o1 = b.AddTensor(type, shape, "o1");
  const int o2 = b.AddTensor(type, shape, "o2");
  b.AddOp(fb::BuiltinOperator::IF, {c, x, y}, {o1, o2}, IfOpts(1, 2));
  b.SetInputs({c, x, y});
  b.SetOutputs({o1, o2});
  b.AddSubgraph("then");
  {
    const int a = b.AddTensor(type, shape, "a");
    const int bb = b.AddTensor(type, shape, "b");
    const int r1 = b.AddTensor(type, shape, "r1");
    const int r2 = b.AddTensor(type, shape, "r2");
    b.AddOp(fb::BuiltinOperator::ADD, {a, bb}, {r1}, AddOpts());
    b.AddOp(fb::BuiltinOperator::ADD, {a, a}, {r2}, AddOpts());
    b.SetInputs({a, bb});
    b.SetOutputs({r1, r2});
  }
  b.AddSubgraph("else");
  {
    const int a = b.AddTensor(type, shape, "a");
    const int bb = b.AddTensor(type, shape, "b");
    const int r1 = b.AddTensor(type, shape, "r1");
    const int r2 = b.AddTensor(type, shape, "r2");
    b.AddOp(fb::BuiltinOperator::ADD, {bb, bb}, {r1}, AddOpts());
    b.AddOp(fb::BuiltinOperator::ADD, {a, r1}, {r2}, AddOpts());
    std::vector<int32_t> ins = {a, bb};
    while (static_cast<int>(ins.size()) < else_inputs)
      ins.push_back(b.AddTensor(type, shape, "extra"));
    b.SetInputs(ins);
    b.SetOutputs({r1, r2});
  }
  return b.Build();
}

TEST(ControlFlowOps, IfMatchesLiteRt) {
  std::vector<OracleCase> cases;
  uint32_t seed = 1;
  for (bool cond : {true, false})
    for (auto type : {testing::kF32, testing::kI32})
      for (auto shape :
           {std::vector<int32_t>{4}, std::vector<int32_t>{2, 3, 2}}) {
        std::vector<int64_t> s64(shape.begin(), shape.end());
        const DataType dt =
            type == testing::kF32 ? DataType::kFloat32 : DataType::kInt32;
        cases.push_back(
            {BuildIf(type, shape),
             {testing::MakeArray<uint8_t>(DataType::kBool, {1}, {cond}),
              RandomArray(dt, s64, seed++), RandomArray(dt, s64, seed++)}});
      }
  const auto expected = testing::RunLiteRt(cases);
  for (size_t k = 0; k < cases.size(); ++k) {
    SCOPED_TRACE(::testing::Message() << "case " << k);
    ASSERT_TRUE(expected[k].ok) << expected[k].error;
    const auto ours = testing::RunEmber(cases[k].model, cases[k].inputs);
    ASSERT_TRUE(ours.ok) << ours.error;
    std::string why;
    for (int o = 0; o < 2; ++o)
      EXPECT_EQ(
          testing::MaxAbsDiff(ours.outputs[o], expected[k].outputs[o], &why), 0)
          << why;
  }
}

// Branches whose outputs differ in shape: the IF output becomes dynamic.
std::vector<uint8_t> BuildIfDynamic() {
  ModelBuilder b;
  const int c = b.AddTensor(fb::TensorType::BOOL, {1}, "cond");
  const int x = b.AddTensor(testing::kF32, {3}, "x");
  const int o = b.AddTensor(testing::kF32, {3}, "o");
  b.SetShapeSignature(o, {-1});
  b.AddOp(fb::BuiltinOperator::IF, {c, x}, {o}, IfOpts(1, 2));
  b.SetInputs({c, x});
  b.SetOutputs({o});
  b.AddSubgraph("then");  // x + x: [3]
  {
    const int a = b.AddTensor(testing::kF32, {3}, "a");
    const int r = b.AddTensor(testing::kF32, {3}, "r");
    b.AddOp(fb::BuiltinOperator::ADD, {a, a}, {r}, AddOpts());
    b.SetInputs({a});
    b.SetOutputs({r});
  }
  b.AddSubgraph("else");  // x + k with k [2, 3]: [2, 3]
  {
    const int a = b.AddTensor(testing::kF32, {3}, "a");
    const int k =
        b.AddConstant<float>(testing::kF32, {2, 3}, {1, 2, 3, 4, 5, 6}, "k");
    const int r = b.AddTensor(testing::kF32, {2, 3}, "r");
    b.AddOp(fb::BuiltinOperator::ADD, {a, k}, {r}, AddOpts());
    b.SetInputs({a});
    b.SetOutputs({r});
  }
  return b.Build();
}

TEST(ControlFlowOps, IfWithBranchesOfDifferentShapesMatchesLiteRt) {
  std::vector<OracleCase> cases;
  for (bool cond : {true, false, true})
    cases.push_back({BuildIfDynamic(),
                     {testing::MakeArray<uint8_t>(DataType::kBool, {1}, {cond}),
                      RandomArray(DataType::kFloat32, {3}, cond ? 1 : 2)}});
  const auto expected = testing::RunLiteRt(cases);
  for (size_t k = 0; k < cases.size(); ++k) {
    ASSERT_TRUE(expected[k].ok) << expected[k].error;
    const auto ours = testing::RunEmber(cases[k].model, cases[k].inputs, 2);
    ASSERT_TRUE(ours.ok) << ours.error;
    std::string why;
    EXPECT_EQ(
        testing::MaxAbsDiff(ours.outputs[0], expected[k].outputs[0], &why), 0)
        << why;
  }
}

TEST(ControlFlowOps, IfAcceptsNumericConditionAndRejectsMismatches) {
  // int32 condition: non-zero takes the then branch.
  const auto model = BuildIf(testing::kF32, {3}, testing::kI32);
  const auto a = testing::MakeArray<float>(DataType::kFloat32, {3}, {1, 2, 3});
  const auto bv =
      testing::MakeArray<float>(DataType::kFloat32, {3}, {10, 20, 30});
  auto r = testing::RunEmber(
      model, {testing::MakeArray<int32_t>(DataType::kInt32, {1}, {5}), a, bv});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(reinterpret_cast<const float*>(r.outputs[0].data.data())[2], 33.0f);
  r = testing::RunEmber(
      model, {testing::MakeArray<int32_t>(DataType::kInt32, {1}, {0}), a, bv});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(reinterpret_cast<const float*>(r.outputs[0].data.data())[2], 60.0f);
  // The else branch takes 3 inputs but IF passes 2.
  const auto bad = BuildIf(testing::kF32, {3}, fb::TensorType::BOOL, 3);
  r = testing::RunEmber(
      bad, {testing::MakeArray<uint8_t>(DataType::kBool, {1}, {1}), a, bv});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("takes 3 inputs"), std::string::npos) << r.error;
}

// main: CALL_ONCE(init) then y = x + x. init: one op, on constants.
std::vector<uint8_t> BuildCallOnce(bool counting_op, int init_index = 1) {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {4}, "x");
  const int y = b.AddTensor(testing::kF32, {4}, "y");
  fb::CallOnceOptionsT co;
  co.init_subgraph_index = init_index;
  fb::BuiltinOptionsUnion opts;
  opts.Set(co);
  b.AddOp(fb::BuiltinOperator::CALL_ONCE, {}, {}, std::move(opts));
  b.AddOp(fb::BuiltinOperator::ADD, {x, x}, {y}, AddOpts());
  b.SetInputs({x});
  b.SetOutputs({y});
  b.AddSubgraph("init");
  const int c = b.AddConstant<float>(testing::kF32, {2}, {1.f, 2.f}, "c");
  const int in = b.AddTensor(testing::kF32, {2}, "v");
  const int t = b.AddTensor(testing::kF32, {2}, "t");
  if (counting_op) {
    b.AddCustomOp("EmberTestCount", {in}, {t});
    // Feed it from a non-constant tensor so it is not folded.
    b.AddOp(fb::BuiltinOperator::ADD, {c, c}, {in}, AddOpts());
    std::swap(b.model().subgraphs[1]->operators[0],
              b.model().subgraphs[1]->operators[1]);
  } else {
    b.AddOp(fb::BuiltinOperator::ADD, {c, c}, {t}, AddOpts());
  }
  return b.Build();
}

int g_count_evals = 0;
// A dynamic output keeps the op out of constant folding.
Status CountPrepare(OpContext& ctx) {
  ctx.SetOutputDynamic(0);
  return Status::Ok();
}
Status CountEval(OpContext& ctx) {
  ++g_count_evals;
  return ctx.ResizeOutput(0, ctx.input(0)->shape);
}

TEST(ControlFlowOps, CallOnceRunsInitOnlyOnce) {
  static const OpRegistration count_reg = {
      -1, "EmberTestCount", 0, CountPrepare, CountEval, kOpFlagNone};
  OpResolver resolver;
  resolver.AddAll(OpResolver::Builtins());
  resolver.AddCustom("EmberTestCount", &count_reg);
  const auto bytes = BuildCallOnce(true);
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  ASSERT_TRUE(
      Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model).ok())
      << errors.message();
  std::unique_ptr<Interpreter> interp;
  ASSERT_TRUE(Interpreter::Create(*model, resolver, {}, errors, &interp).ok())
      << errors.message();
  ASSERT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
  g_count_evals = 0;
  for (int k = 0; k < 3; ++k)
    ASSERT_TRUE(interp->Invoke().ok()) << interp->errors().message();
  EXPECT_EQ(g_count_evals, 1);
}

TEST(ControlFlowOps, CallOnceMatchesLiteRtAndRejectsBadIndex) {
  OracleCase c{BuildCallOnce(false), {RandomArray(DataType::kFloat32, {4}, 3)}};
  const auto expected = testing::RunLiteRt({c});
  ASSERT_TRUE(expected[0].ok) << expected[0].error;
  const auto ours = testing::RunEmber(c.model, c.inputs, 2);
  ASSERT_TRUE(ours.ok) << ours.error;
  std::string why;
  EXPECT_EQ(testing::MaxAbsDiff(ours.outputs[0], expected[0].outputs[0], &why),
            0)
      << why;
  const auto bad = testing::RunEmber(BuildCallOnce(false, 5), c.inputs);
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("subgraph 5"), std::string::npos) << bad.error;
}

}  // namespace
}  // namespace ember
