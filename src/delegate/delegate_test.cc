// End-to-end tests of delegates through the example external delegate
// (examples/delegate/, its own .so): partitions, outputs against Ember's
// CPU path, and the CPU fallback when the delegate fails.
#include "delegate/delegate.h"

#include <gtest/gtest.h>

#include <cstring>

#include "model/model.h"
#include "runtime/interpreter.h"
#include "util/model_builder.h"

namespace ember::delegate {
namespace {

using ember::testing::kF32;
using ember::testing::ModelBuilder;

fb::BuiltinOptionsUnion AddWith(fb::ActivationFunctionType act) {
  fb::BuiltinOptionsUnion u;
  fb::AddOptionsT o;
  o.fused_activation_function = act;
  u.Set(o);
  return u;
}

// x -> ADD(x, c) RELU -> t1 -> MUL(t1, x) -> t2 -> TANH -> t3
//   -> ADD(t3, t1) -> y;   outputs y and t2. The example delegate takes
// the ADDs and the MUL, not TANH: partitions {ADD, MUL} and {ADD}.
std::vector<uint8_t> TestModel() {
  ModelBuilder b;
  const int x = b.AddTensor(kF32, {2, 8}, "x");
  const int c =
      b.AddConstant<float>(kF32, {1}, std::vector<float>{-0.25f}, "c");
  const int t1 = b.AddTensor(kF32, {2, 8}, "t1");
  const int t2 = b.AddTensor(kF32, {2, 8}, "t2");
  const int t3 = b.AddTensor(kF32, {2, 8}, "t3");
  const int y = b.AddTensor(kF32, {2, 8}, "y");
  b.AddOp(fb::BuiltinOperator::ADD, {x, c}, {t1},
          AddWith(fb::ActivationFunctionType::RELU));
  fb::BuiltinOptionsUnion mul;
  mul.Set(fb::MulOptionsT());
  b.AddOp(fb::BuiltinOperator::MUL, {t1, x}, {t2}, std::move(mul));
  b.AddOp(fb::BuiltinOperator::TANH, {t2}, {t3});
  b.AddOp(fb::BuiltinOperator::ADD, {t3, t1}, {y},
          AddWith(fb::ActivationFunctionType::NONE));
  b.SetInputs({x});
  b.SetOutputs({y, t2});
  return b.Build();
}

std::shared_ptr<Delegate> Example(const DelegateOptions& options = {}) {
  std::shared_ptr<Delegate> d;
  std::string error;
  const Status s =
      LoadExternalDelegate(EMBER_EXAMPLE_DELEGATE, options, &d, &error);
  EXPECT_TRUE(s.ok()) << error;
  return d;
}

struct Outcome {
  std::vector<float> y, t2;
  std::vector<DelegateReport> report;
  std::vector<std::string> variants;
};

// Runs the test model (input values from a fixed pattern) twice, with the
// delegates applied.
Outcome RunModel(const std::vector<std::shared_ptr<Delegate>>& delegates,
                 int rows = 2) {
  const std::vector<uint8_t> bytes = TestModel();
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  Outcome run;
  EXPECT_TRUE(
      Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model).ok());
  std::unique_ptr<Interpreter> interp;
  EXPECT_TRUE(
      Interpreter::Create(*model, OpResolver::Builtins(), {}, errors, &interp)
          .ok());
  std::shared_ptr<AppliedDelegates> applied;
  EXPECT_TRUE(ApplyDelegates(*interp, delegates, &applied).ok())
      << interp->errors().message();
  if (rows != 2) EXPECT_TRUE(interp->ResizeInput(0, Shape{2, {rows, 8}}).ok());
  EXPECT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
  Subgraph& sg = interp->primary();
  for (int pass = 0; pass < 2; ++pass) {
    Tensor& x = sg.tensors()[sg.inputs()[0]];
    float* in = x.data_as<float>();
    for (int64_t i = 0; i < x.NumElements(); ++i)
      in[i] = 0.37f * static_cast<float>(i % 11) - 1.5f + 0.01f * pass;
    EXPECT_TRUE(interp->Invoke().ok()) << interp->errors().message();
  }
  const Tensor& y = sg.tensors()[sg.outputs()[0]];
  const Tensor& t2 = sg.tensors()[sg.outputs()[1]];
  run.y.assign(y.data_as<float>(), y.data_as<float>() + y.NumElements());
  run.t2.assign(t2.data_as<float>(), t2.data_as<float>() + t2.NumElements());
  run.report = applied->Report();
  for (const Node& n : sg.nodes()) run.variants.push_back(n.kernel_variant);
  return run;
}

TEST(Delegate, ExampleTakesTwoPartitionsAndMatchesTheCpuBitExactly) {
  const Outcome cpu = RunModel({});
  const Outcome del = RunModel({Example()});
  ASSERT_EQ(del.report.size(), 1u);
  const DelegateReport& r = del.report[0];
  EXPECT_EQ(r.name, "example");
  EXPECT_EQ(r.nodes_offered, 3);
  ASSERT_EQ(r.partitions.size(), 2u);
  EXPECT_EQ(r.partitions[0].nodes, 2);
  EXPECT_EQ(r.partitions[0].first_ops, (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(r.partitions[1].first_ops, (std::vector<int32_t>{3}));
  EXPECT_FALSE(r.partitions[0].on_cpu);
  EXPECT_EQ(r.NodesTaken(), 3);
  // Same float operations in the same order: identical bits.
  EXPECT_EQ(del.y, cpu.y);
  EXPECT_EQ(del.t2, cpu.t2);
  int delegate_nodes = 0;
  for (const std::string& v : del.variants) delegate_nodes += v == "example";
  EXPECT_EQ(delegate_nodes, 2);
}

TEST(Delegate, ResizedInputIsPreparedAgainAndStillMatches) {
  EXPECT_EQ(RunModel({Example()}, 5).y, RunModel({}, 5).y);
}

TEST(Delegate, DeclinedAtInitRunsOnTheCpu) {
  const Outcome cpu = RunModel({});
  const Outcome del = RunModel({Example({{"fail_at", "init"}})});
  ASSERT_EQ(del.report[0].partitions.size(), 2u);
  EXPECT_TRUE(del.report[0].partitions[0].on_cpu);
  EXPECT_NE(del.report[0].partitions[0].reason.find("fail_at=init"),
            std::string::npos);
  EXPECT_EQ(del.report[0].NodesTaken(), 0);
  EXPECT_EQ(del.y, cpu.y);
}

TEST(Delegate, FailureAtPrepareFallsBackToTheCpu) {
  const Outcome cpu = RunModel({});
  const Outcome del = RunModel({Example({{"fail_at", "prepare"}})});
  EXPECT_TRUE(del.report[0].partitions[1].on_cpu);
  EXPECT_NE(del.report[0].partitions[1].reason.find("prepare"),
            std::string::npos);
  EXPECT_EQ(del.report[0].NodesTaken(), 0);
  EXPECT_EQ(del.y, cpu.y);
  EXPECT_EQ(del.t2, cpu.t2);
}

TEST(Delegate, FailureAtInvokeFallsBackAndInvokeStillSucceeds) {
  const Outcome cpu = RunModel({});
  const Outcome del = RunModel({Example({{"fail_at", "invoke"}})});
  EXPECT_TRUE(del.report[0].partitions[0].on_cpu);
  EXPECT_NE(del.report[0].partitions[0].reason.find("fail_at=invoke"),
            std::string::npos);
  EXPECT_EQ(del.y, cpu.y);
  EXPECT_EQ(del.t2, cpu.t2);
}

TEST(Delegate, LimitsFromOptions) {
  const Outcome min3 = RunModel({Example({{"min_nodes", "3"}})});
  EXPECT_TRUE(min3.report[0].partitions.empty());
  const Outcome max1 = RunModel({Example({{"max_partitions", "1"}})});
  ASSERT_EQ(max1.report[0].partitions.size(), 1u);
  EXPECT_EQ(max1.report[0].partitions[0].nodes, 2);
  EXPECT_EQ(max1.y, RunModel({}).y);
}

TEST(Delegate, SeveralDelegatesApplyInOrder) {
  // The first takes only MUL; the second gets what is left (the ADDs) and
  // never the first one's node.
  const Outcome run =
      RunModel({Example({{"ops", "MUL"}}), Example({{"ops", "ADD,MUL"}})});
  ASSERT_EQ(run.report.size(), 2u);
  EXPECT_EQ(run.report[0].NodesTaken(), 1);
  EXPECT_EQ(run.report[1].NodesTaken(), 2);
  EXPECT_EQ(run.report[1].partitions.size(), 2u);
  EXPECT_EQ(run.y, RunModel({}).y);
}

TEST(Delegate, LoadErrorsNameTheCause) {
  std::shared_ptr<Delegate> d;
  std::string error;
  EXPECT_FALSE(
      LoadExternalDelegate("/nonexistent/libnone.so", {}, &d, &error).ok());
  EXPECT_NE(error.find("/nonexistent/libnone.so"), std::string::npos);
  EXPECT_EQ(d, nullptr);
  EXPECT_FALSE(LoadExternalDelegate(EMBER_EXAMPLE_DELEGATE,
                                    {{"colour", "blue"}}, &d, &error)
                   .ok());
  EXPECT_NE(error.find("colour"), std::string::npos) << error;
  // A library without the entry point (libm has none).
  EXPECT_FALSE(LoadExternalDelegate("libm.so.6", {}, &d, &error).ok());
  EXPECT_NE(error.find(EMBER_DELEGATE_ENTRY_POINT), std::string::npos);
}

}  // namespace
}  // namespace ember::delegate
