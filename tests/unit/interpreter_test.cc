// Interpreter lifecycle: resize/allocate/invoke, variables, in-place
// planning, custom ops by name, missing ops, signatures, constant folding,
// dynamic output tensors.
#include "runtime/interpreter.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "model/model.h"
#include "ops/op_util.h"
#include "util/model_builder.h"
#include "util/sample_models.h"

namespace ember {
namespace {

using testing::AddOptions;
using testing::ModelBuilder;

// A loaded model and its interpreter, kept together.
struct Loaded {
  std::vector<uint8_t> bytes;
  std::unique_ptr<Model> model;
  std::unique_ptr<Interpreter> interp;
  ErrorReporter errors;
  Status create_status;

  Subgraph& sg() { return interp->primary(); }
  Tensor& tensor(int i) { return sg().tensors()[i]; }
  float* f32(int i) { return tensor(i).data_as<float>(); }
};

std::unique_ptr<Loaded> Load(
    std::vector<uint8_t> bytes,
    const OpResolver& resolver = OpResolver::Builtins(),
    InterpreterOptions options = {}) {
  auto l = std::make_unique<Loaded>();
  l->bytes = std::move(bytes);
  Status s = Model::FromBuffer(l->bytes.data(), l->bytes.size(), false,
                               l->errors, &l->model);
  EXPECT_TRUE(s.ok()) << l->errors.message();
  if (!s.ok()) return l;
  l->create_status =
      Interpreter::Create(*l->model, resolver, options, l->errors, &l->interp);
  return l;
}

void Fill(float* p, std::initializer_list<float> values) {
  for (float v : values) *p++ = v;
}

// ---------------------------------------------------------------------------

TEST(Interpreter, InvokeBeforeAllocateFails) {
  auto l = Load(testing::AddChain().Build());
  ASSERT_TRUE(l->create_status.ok()) << l->errors.message();
  const Status s = l->interp->Invoke();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(l->interp->errors().message())
                .find("tensors are not allocated (call AllocateTensors"),
            std::string::npos)
      << l->interp->errors().message();
}

TEST(Interpreter, ResizeNeedsAllocateAndReplans) {
  auto l = Load(testing::AddChain().Build());  // y = (x + c) + x
  ASSERT_TRUE(l->create_status.ok()) << l->errors.message();
  ASSERT_TRUE(l->interp->AllocateTensors().ok());
  EXPECT_FALSE(l->sg().needs_allocation());
  const size_t small_arena = l->sg().arena_bytes();
  Fill(l->f32(0), {1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(l->interp->Invoke().ok()) << l->interp->errors().message();
  EXPECT_EQ(l->f32(3)[5], 6 + 3 + 6);

  // Grow the batch: planning must start over.
  ASSERT_TRUE(l->interp->ResizeInput(0, ops::MakeShape({64, 3})).ok());
  EXPECT_TRUE(l->sg().needs_allocation());
  const Status s = l->interp->Invoke();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(l->interp->AllocateTensors().ok())
      << l->interp->errors().message();
  EXPECT_GT(l->sg().arena_bytes(), small_arena);
  EXPECT_GE(l->sg().arena_bytes(), l->sg().arena_lower_bound());
  EXPECT_EQ(l->tensor(3).shape, ops::MakeShape({64, 3}));
  for (int i = 0; i < 64 * 3; ++i) l->f32(0)[i] = static_cast<float>(i);
  ASSERT_TRUE(l->interp->Invoke().ok()) << l->interp->errors().message();
  for (int i = 0; i < 64 * 3; ++i)
    EXPECT_EQ(l->f32(3)[i], 2.0f * i + (i % 3 + 1)) << i;

  // Same shape again: nothing to do.
  ASSERT_TRUE(l->interp->ResizeInput(0, ops::MakeShape({64, 3})).ok());
  EXPECT_FALSE(l->sg().needs_allocation());
}

TEST(Interpreter, ResizeInputErrors) {
  auto l = Load(testing::AddChain().Build());
  ASSERT_TRUE(l->create_status.ok());
  auto message = [&] { return std::string(l->interp->errors().message()); };
  EXPECT_EQ(l->interp->ResizeInput(3, ops::MakeShape({1})).code(),
            StatusCode::kInvalidArgument);
  EXPECT_NE(message().find("input 3 out of range (subgraph has 1)"),
            std::string::npos)
      << message();
  EXPECT_EQ(l->interp->ResizeInput(0, ops::MakeShape({2, -1})).code(),
            StatusCode::kInvalidArgument);
  EXPECT_NE(message().find("dimension 1 of the new shape is -1"),
            std::string::npos)
      << message();
  EXPECT_EQ(
      l->interp->ResizeInput(0, ops::MakeShape({1 << 30, 1 << 30, 3})).code(),
      StatusCode::kInvalidArgument);
  EXPECT_NE(message().find("more than 2^40 elements"), std::string::npos)
      << message();
  // No elements, but 2^60 once the 0 is left out: refused as well (kernels
  // multiply the other dimensions into strides).
  EXPECT_EQ(
      l->interp->ResizeInput(0, ops::MakeShape({0, 1 << 30, 1 << 30})).code(),
      StatusCode::kInvalidArgument);
  EXPECT_NE(message().find("more than 2^40 elements"), std::string::npos)
      << message();
  Shape bad;
  bad.rank = 9;
  EXPECT_EQ(l->interp->ResizeInput(0, bad).code(),
            StatusCode::kInvalidArgument);
  // Broadcasting that no longer works is reported at allocate.
  ASSERT_TRUE(l->interp->ResizeInput(0, ops::MakeShape({2, 4})).ok());
  EXPECT_EQ(l->interp->AllocateTensors().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(message().find("ADD: shapes cannot broadcast: dim 1 is 4 vs 3"),
            std::string::npos)
      << message();
}

TEST(Interpreter, MemoryLimit) {
  InterpreterOptions options;
  options.max_tensor_bytes = 4096;
  auto l = Load(testing::AddChain().Build(), OpResolver::Builtins(), options);
  ASSERT_TRUE(l->create_status.ok());
  ASSERT_TRUE(l->interp->AllocateTensors().ok());
  ASSERT_TRUE(l->interp->ResizeInput(0, ops::MakeShape({1000, 3})).ok());
  EXPECT_EQ(l->interp->AllocateTensors().code(), StatusCode::kOutOfMemory);
  EXPECT_NE(std::string(l->interp->errors().message())
                .find("over the limit of 4096 bytes"),
            std::string::npos)
      << l->interp->errors().message();
}

TEST(Interpreter, ResetVariables) {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {3}, "x");
  const int v = b.AddConstant<float>(testing::kF32, {3}, {10, 20, 30}, "state");
  b.SetVariable(v);
  const int y = b.AddTensor(testing::kF32, {3}, "y");
  b.AddOp(fb::BuiltinOperator::ADD, {x, v}, {y}, AddOptions());
  b.SetInputs({x});
  b.SetOutputs({y});
  // An int8 variable without data starts at its zero point.
  const int q =
      b.AddTensor(testing::kI8, {4}, "q", testing::QuantSpec{{0.5f}, {-7}});
  b.SetVariable(q);
  auto l = Load(b.Build());
  ASSERT_TRUE(l->create_status.ok()) << l->errors.message();
  ASSERT_TRUE(l->interp->AllocateTensors().ok())
      << l->interp->errors().message();
  EXPECT_EQ(l->tensor(v).allocation, Allocation::kPersistent);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(l->tensor(q).data_as<int8_t>()[i], -7);
  Fill(l->f32(x), {1, 2, 3});
  ASSERT_TRUE(l->interp->Invoke().ok());
  EXPECT_EQ(l->f32(y)[2], 33);
  // Someone (a stateful op) changes the state; reset brings it back.
  Fill(l->f32(v), {-1, -1, -1});
  memset(l->tensor(q).data, 0, 4);
  ASSERT_TRUE(l->interp->Invoke().ok());
  EXPECT_EQ(l->f32(y)[2], 2);
  ASSERT_TRUE(l->interp->ResetVariables().ok());
  EXPECT_EQ(l->f32(v)[0], 10);
  EXPECT_EQ(l->tensor(q).data_as<int8_t>()[3], -7);
  ASSERT_TRUE(l->interp->Invoke().ok());
  EXPECT_EQ(l->f32(y)[2], 33);
}

TEST(Interpreter, InPlaceAddIsPlannedAndCorrect) {
  // x -> +c -> t1 -> +c -> t2 -> +t2b -> y, where t1 dies at op 1 (so t2
  // may take its buffer) but x is a graph input (never overwritten).
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {2, 4}, "x");
  const int c = b.AddConstant<float>(testing::kF32, {4}, {1, 2, 3, 4}, "c");
  const int t1 = b.AddTensor(testing::kF32, {2, 4}, "t1");
  const int t2 = b.AddTensor(testing::kF32, {2, 4}, "t2");
  const int t3 = b.AddTensor(testing::kF32, {2, 4}, "t3");
  const int y = b.AddTensor(testing::kF32, {2, 4}, "y");
  b.AddOp(fb::BuiltinOperator::ADD, {x, c}, {t1}, AddOptions());
  b.AddOp(fb::BuiltinOperator::ADD, {t1, c}, {t2}, AddOptions());
  b.AddOp(fb::BuiltinOperator::ADD, {t2, x}, {t3}, AddOptions());  // t2 dies
  b.AddOp(fb::BuiltinOperator::ADD, {t3, t3}, {y},
          AddOptions());  // both inputs alias
  b.SetInputs({x});
  b.SetOutputs({y});
  auto l = Load(b.Build());
  ASSERT_TRUE(l->create_status.ok());
  ASSERT_TRUE(l->interp->AllocateTensors().ok())
      << l->interp->errors().message();
  EXPECT_EQ(l->tensor(t2).data, l->tensor(t1).data)
      << "ADD did not run in place";
  EXPECT_EQ(l->tensor(t3).data, l->tensor(t2).data);
  EXPECT_EQ(l->tensor(y).data, l->tensor(t3).data);
  EXPECT_NE(l->tensor(t1).data, l->tensor(x).data) << "graph input overwritten";
  for (int i = 0; i < 8; ++i) l->f32(x)[i] = static_cast<float>(10 * i);
  ASSERT_TRUE(l->interp->Invoke().ok());
  for (int i = 0; i < 8; ++i) {
    const float xi = 10.0f * i;
    EXPECT_EQ(l->f32(y)[i], 2 * ((xi + 2 * (i % 4 + 1)) + xi)) << i;
    EXPECT_EQ(l->f32(x)[i], xi);
  }
}

TEST(Interpreter, NoInPlaceWhileInputIsStillNeeded) {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {4}, "x");
  const int c = b.AddConstant<float>(testing::kF32, {4}, {1, 2, 3, 4}, "c");
  const int t = b.AddTensor(testing::kF32, {4}, "t");
  const int u = b.AddTensor(testing::kF32, {4}, "u");
  const int w = b.AddTensor(testing::kF32, {4}, "w");
  const int small = b.AddTensor(testing::kF32, {1}, "small");
  const int s1 = b.AddTensor(testing::kF32, {1}, "s1");
  const int big = b.AddTensor(testing::kF32, {3, 4}, "big");
  b.AddOp(fb::BuiltinOperator::ADD, {x, c}, {t}, AddOptions());
  b.AddOp(fb::BuiltinOperator::ADD, {t, c}, {u}, AddOptions());  // t read later
  b.AddOp(fb::BuiltinOperator::ADD, {u, t}, {w}, AddOptions());
  b.AddOp(fb::BuiltinOperator::ADD, {small, small}, {s1}, AddOptions());
  // s1 dies here but is smaller than the broadcast output: no sharing.
  b.AddOp(fb::BuiltinOperator::ADD, {s1, w}, {big}, AddOptions());
  b.SetInputs({x, small});
  b.SetOutputs({big});
  auto l = Load(b.Build());
  ASSERT_TRUE(l->create_status.ok());
  ASSERT_TRUE(l->interp->AllocateTensors().ok())
      << l->interp->errors().message();
  EXPECT_NE(l->tensor(u).data, l->tensor(t).data);
  EXPECT_NE(l->tensor(big).data, l->tensor(s1).data);
  Fill(l->f32(x), {1, 1, 1, 1});
  Fill(l->f32(small), {100});
  ASSERT_TRUE(l->interp->Invoke().ok());
  // t = x + c = {2,3,4,5}; u = {3,5,7,9}; w = u + t = {5,8,11,14}
  const float w_expected[4] = {5, 8, 11, 14};
  EXPECT_EQ(l->tensor(big).shape, ops::MakeShape({4}));  // [1] + [4] -> [4]
  for (int i = 0; i < 4; ++i) EXPECT_EQ(l->f32(big)[i], 200 + w_expected[i]);
}

// --- custom ops ------------------------------------------------------------

// Test-only custom op: y = 2 * x (float).
Status TimesTwoPrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(ops::CheckArity(ctx, 1, 1, 1));
  EMBER_RETURN_IF_ERROR(
      ops::CheckType(ctx, ctx.input(0), "input", DataType::kFloat32));
  return ctx.ResizeOutput(0, ctx.input(0)->shape);
}
Status TimesTwoEval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  Tensor* out = ctx.output(0);
  for (int64_t i = 0; i < in->NumElements(); ++i)
    out->data_as<float>()[i] = 2 * in->data_as<float>()[i];
  return Status::Ok();
}
const OpRegistration kTimesTwo = {-1,           "TimesTwo", 0, TimesTwoPrepare,
                                  TimesTwoEval, kOpFlagNone};

TEST(Interpreter, CustomOpByName) {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {3}, "x");
  const int c = b.AddConstant<float>(testing::kF32, {3}, {1, 2, 3}, "c");
  const int t = b.AddTensor(testing::kF32, {3}, "t");
  const int y = b.AddTensor(testing::kF32, {3}, "y");
  b.AddOp(fb::BuiltinOperator::ADD, {x, c}, {t}, AddOptions());
  b.AddCustomOp("TimesTwo", {t}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const auto bytes = b.Build();
  {
    // The stock resolver does not know it.
    auto l = Load(bytes);
    EXPECT_EQ(l->create_status.code(), StatusCode::kUnsupported);
    EXPECT_NE(std::string(l->errors.message()).find("custom op 'TimesTwo'"),
              std::string::npos)
        << l->errors.message();
  }
  OpResolver resolver;
  resolver.AddAll(OpResolver::Builtins());
  resolver.AddCustom("TimesTwo", &kTimesTwo);
  auto l = Load(bytes, resolver);
  ASSERT_TRUE(l->create_status.ok()) << l->errors.message();
  ASSERT_TRUE(l->interp->AllocateTensors().ok())
      << l->interp->errors().message();
  Fill(l->f32(x), {10, 20, 30});
  ASSERT_TRUE(l->interp->Invoke().ok());
  EXPECT_EQ(l->f32(y)[0], 22);
  EXPECT_EQ(l->f32(y)[2], 66);
}

TEST(Interpreter, CustomOpPrepareErrorIsPrefixed) {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kI32, {3}, "x");
  const int y = b.AddTensor(testing::kI32, {3}, "y");
  b.AddCustomOp("TimesTwo", {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  OpResolver resolver;
  resolver.AddCustom("TimesTwo", &kTimesTwo);
  auto l = Load(b.Build(), resolver);
  ASSERT_TRUE(l->create_status.ok()) << l->errors.message();
  EXPECT_EQ(l->interp->AllocateTensors().code(), StatusCode::kInvalidModel);
  EXPECT_STREQ(
      l->interp->errors().message(),
      "subgraph 0: op #0 TimesTwo: input has type int32, expected float32");
}

TEST(Interpreter, MissingOpsAreListedOnce) {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {3}, "x");
  const int t = b.AddTensor(testing::kF32, {3}, "t");
  const int u = b.AddTensor(testing::kF32, {3}, "u");
  const int v = b.AddTensor(testing::kF32, {3}, "v");
  const int y = b.AddTensor(testing::kF32, {3}, "y");
  b.AddOp(fb::BuiltinOperator::LSH_PROJECTION, {x}, {t});
  b.AddCustomOp("NoSuchOp", {t}, {u});
  b.AddOp(fb::BuiltinOperator::LSH_PROJECTION, {u}, {v});
  b.AddOp(fb::BuiltinOperator::SKIP_GRAM, {v}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  auto l = Load(b.Build());
  EXPECT_EQ(l->create_status.code(), StatusCode::kUnsupported);
  EXPECT_STREQ(l->errors.message(),
               "model uses ops Ember does not support: LSH_PROJECTION, custom "
               "op 'NoSuchOp', SKIP_GRAM");
}

TEST(Interpreter, Signatures) {
  auto l = Load(testing::WithSignatures().Build());
  ASSERT_TRUE(l->create_status.ok());
  ASSERT_EQ(l->interp->signatures().size(), 2u);
  const Signature* sig = l->interp->FindSignature("serving_default");
  ASSERT_NE(sig, nullptr);
  EXPECT_EQ(sig->subgraph_index, 0);
  ASSERT_EQ(sig->inputs.size(), 1u);
  EXPECT_EQ(sig->inputs[0].first, "input");
  EXPECT_EQ(sig->inputs[0].second, 0);
  EXPECT_EQ(sig->outputs[0].first, "output");
  EXPECT_EQ(sig->outputs[0].second, 3);
  const Signature* second = l->interp->FindSignature("second");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->outputs[0].first, "mid");

  EXPECT_EQ(l->interp->FindSignature("nope"), nullptr);
  EXPECT_STREQ(l->interp->errors().message(),
               "no signature 'nope' (model has: 'serving_default', 'second')");
  // With two signatures an empty key is ambiguous.
  EXPECT_EQ(l->interp->FindSignature(""), nullptr);
  EXPECT_EQ(l->interp->FindSignature(nullptr), nullptr);

  ModelBuilder one = testing::AddChain();
  one.AddSignature("only", 0, {{"x", 0}}, {{"y", 3}});
  auto l1 = Load(one.Build());
  ASSERT_TRUE(l1->create_status.ok());
  const Signature* only = l1->interp->FindSignature("");
  ASSERT_NE(only, nullptr);
  EXPECT_EQ(only->key, "only");

  auto none = Load(testing::AddChain().Build());
  ASSERT_TRUE(none->create_status.ok());
  EXPECT_EQ(none->interp->FindSignature("serving_default"), nullptr);
  EXPECT_STREQ(none->interp->errors().message(),
               "no signature 'serving_default' (model has: none)");
}

TEST(Interpreter, ConstantFoldingAtAllocate) {
  auto l = Load(testing::Constants().Build());  // folded = c1 + c2
  ASSERT_TRUE(l->create_status.ok());
  ASSERT_TRUE(l->interp->AllocateTensors().ok())
      << l->interp->errors().message();
  const int folded = 4, x = 0, y = 6;
  EXPECT_STREQ(l->tensor(folded).name, "folded");
  EXPECT_TRUE(l->tensor(folded).is_constant());
  EXPECT_EQ(l->f32(folded)[0], 1.5f);
  EXPECT_EQ(l->f32(folded)[3], 4.5f);
  Fill(l->f32(x), {1, 1, 1, 1});
  ASSERT_TRUE(l->interp->Invoke().ok());
  EXPECT_EQ(l->f32(y)[0], 2.5f);  // variable v starts at 0
  // Resizing and re-allocating keeps the folded value.
  ASSERT_TRUE(l->interp->AllocateTensors().ok());
  ASSERT_TRUE(l->interp->Invoke().ok());
  EXPECT_EQ(l->f32(folded)[1], 2.5f);
}

// --- dynamic outputs ---------------------------------------------------------

// Test-only custom op: keeps the positive entries of a float vector, so the
// output length is only known in Eval.
Status PositivesPrepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(ops::CheckArity(ctx, 1, 1, 1));
  EMBER_RETURN_IF_ERROR(
      ops::CheckType(ctx, ctx.input(0), "input", DataType::kFloat32));
  ctx.SetOutputDynamic(0);
  return Status::Ok();
}
Status PositivesEval(OpContext& ctx) {
  const Tensor* in = ctx.input(0);
  const float* p = in->data_as<float>();
  int32_t n = 0;
  for (int64_t i = 0; i < in->NumElements(); ++i) n += p[i] > 0;
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, ops::MakeShape({n})));
  float* out = ctx.output(0)->data_as<float>();
  for (int64_t i = 0; i < in->NumElements(); ++i)
    if (p[i] > 0) *out++ = p[i];
  return Status::Ok();
}
const OpRegistration kPositives = {
    -1, "Positives", 0, PositivesPrepare, PositivesEval, kOpFlagNone};

// Marks its output dynamic but never sizes it (a buggy op).
Status ForgetfulEval(OpContext& ctx) { return Status::Ok(); }
const OpRegistration kForgetful = {
    -1, "Forgetful", 0, PositivesPrepare, ForgetfulEval, kOpFlagNone};

TEST(Interpreter, DynamicOutputFeedsAnAdd) {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {6}, "x");
  const int p = b.AddTensor(testing::kF32, {6}, "p");
  const int c = b.AddConstant<float>(testing::kF32, {1}, {100}, "c");
  const int y = b.AddTensor(testing::kF32, {6}, "y");
  const int z = b.AddTensor(testing::kF32, {6}, "z");
  b.AddCustomOp("Positives", {x}, {p});
  b.AddOp(fb::BuiltinOperator::ADD, {p, c}, {y}, AddOptions());
  b.AddOp(fb::BuiltinOperator::ADD, {y, y}, {z}, AddOptions());
  b.SetInputs({x});
  b.SetOutputs({z});
  OpResolver resolver;
  resolver.AddAll(OpResolver::Builtins());
  resolver.AddCustom("Positives", &kPositives);
  auto l = Load(b.Build(), resolver);
  ASSERT_TRUE(l->create_status.ok()) << l->errors.message();
  ASSERT_TRUE(l->interp->AllocateTensors().ok())
      << l->interp->errors().message();
  EXPECT_EQ(l->tensor(p).allocation, Allocation::kDynamic);
  EXPECT_EQ(l->tensor(y).allocation, Allocation::kDynamic);
  EXPECT_EQ(l->tensor(z).allocation, Allocation::kDynamic);

  Fill(l->f32(x), {1, -2, 3, -4, 5, 0});
  ASSERT_TRUE(l->interp->Invoke().ok()) << l->interp->errors().message();
  ASSERT_EQ(l->tensor(z).shape, ops::MakeShape({3}));
  EXPECT_EQ(l->f32(z)[0], 202);
  EXPECT_EQ(l->f32(z)[1], 206);
  EXPECT_EQ(l->f32(z)[2], 210);

  // Different data, different shapes: the ADDs are prepared again.
  Fill(l->f32(x), {1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(l->interp->Invoke().ok()) << l->interp->errors().message();
  ASSERT_EQ(l->tensor(z).shape, ops::MakeShape({6}));
  EXPECT_EQ(l->f32(z)[5], 212);

  Fill(l->f32(x), {-1, -1, -1, -1, -1, -1});
  ASSERT_TRUE(l->interp->Invoke().ok()) << l->interp->errors().message();
  EXPECT_EQ(l->tensor(z).shape, ops::MakeShape({0}));
}

TEST(Interpreter, UnsizedDynamicOutputIsAnError) {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {4}, "x");
  const int p = b.AddTensor(testing::kF32, {4}, "p");
  const int y = b.AddTensor(testing::kF32, {4}, "y");
  b.AddCustomOp("Forgetful", {x}, {p});
  b.AddOp(fb::BuiltinOperator::ADD, {p, p}, {y}, AddOptions());
  b.SetInputs({x});
  b.SetOutputs({y});
  OpResolver resolver;
  resolver.AddAll(OpResolver::Builtins());
  resolver.AddCustom("Forgetful", &kForgetful);
  auto l = Load(b.Build(), resolver);
  ASSERT_TRUE(l->create_status.ok()) << l->errors.message();
  ASSERT_TRUE(l->interp->AllocateTensors().ok())
      << l->interp->errors().message();
  EXPECT_EQ(l->interp->Invoke().code(), StatusCode::kInternal);
  EXPECT_NE(std::string(l->interp->errors().message())
                .find("op #0 Forgetful did not size its dynamic output 0"),
            std::string::npos)
      << l->interp->errors().message();
}

}  // namespace
}  // namespace ember

namespace ember {
namespace {

TEST(Interpreter, VariableWrittenByAnOpKeepsItsStorage) {
  auto build = [](std::vector<int32_t> var_shape, bool dynamic_producer) {
    ModelBuilder b;
    const int x = b.AddTensor(testing::kF32, {4}, "x");
    const int c = b.AddConstant<float>(testing::kF32, {1}, {1}, "c");
    const int v = b.AddTensor(testing::kF32, var_shape, "v");
    b.SetVariable(v);
    if (dynamic_producer) {
      const int p = b.AddTensor(testing::kF32, {4}, "p");
      b.AddCustomOp("Positives", {x}, {p});
      b.AddOp(fb::BuiltinOperator::ADD, {p, c}, {v}, AddOptions());
    } else {
      b.AddOp(fb::BuiltinOperator::ADD, {x, c}, {v}, AddOptions());
    }
    b.SetInputs({x});
    b.SetOutputs({v});
    return b.Build();
  };
  OpResolver resolver;
  resolver.AddAll(OpResolver::Builtins());
  resolver.AddCustom("Positives", &kPositives);
  {
    auto l = Load(build({4}, false), resolver);
    ASSERT_TRUE(l->create_status.ok()) << l->errors.message();
    ASSERT_TRUE(l->interp->AllocateTensors().ok())
        << l->interp->errors().message();
    Fill(l->f32(0), {1, 2, 3, 4});
    ASSERT_TRUE(l->interp->Invoke().ok());
    EXPECT_EQ(l->f32(2)[3], 5);
    ASSERT_TRUE(l->interp->ResetVariables().ok());
    EXPECT_EQ(l->f32(2)[3], 0);
  }
  {
    // The op would write 16 bytes into a 4-byte variable.
    auto l = Load(build({1}, false), resolver);
    ASSERT_TRUE(l->create_status.ok()) << l->errors.message();
    EXPECT_EQ(l->interp->AllocateTensors().code(), StatusCode::kInvalidModel);
    EXPECT_NE(std::string(l->interp->errors().message())
                  .find("output 0 is variable 'v' of 4 bytes but the op "
                        "produces 16 bytes"),
              std::string::npos)
        << l->interp->errors().message();
    EXPECT_TRUE(l->interp->ResetVariables().ok());
  }
  {
    // Behind a dynamic producer the check happens at every invoke.
    auto l = Load(build({3}, true), resolver);
    ASSERT_TRUE(l->create_status.ok()) << l->errors.message();
    ASSERT_TRUE(l->interp->AllocateTensors().ok())
        << l->interp->errors().message();
    Fill(l->f32(0), {1, -2, 3, 4});
    ASSERT_TRUE(l->interp->Invoke().ok()) << l->interp->errors().message();
    EXPECT_EQ(l->f32(2)[2], 5);
    Fill(l->f32(0), {1, 2, 3, 4});
    EXPECT_EQ(l->interp->Invoke().code(), StatusCode::kInvalidModel);
    EXPECT_NE(std::string(l->interp->errors().message())
                  .find("variable 'v' of 12 bytes"),
              std::string::npos)
        << l->interp->errors().message();
    ASSERT_TRUE(l->interp->ResizeInput(0, ops::MakeShape({4})).ok());
    ASSERT_TRUE(l->interp->AllocateTensors().ok());
    EXPECT_TRUE(l->interp->ResetVariables().ok());
  }
}

}  // namespace
}  // namespace ember

namespace ember {
namespace {

// SHAPE of a non-constant tensor is folded at plan time (so RESHAPE after
// it is static); a resized input must fold it again, not reuse the old
// shape.
TEST(Interpreter, ShapeFoldFollowsInputResize) {
  using testing::ModelBuilder;
  ModelBuilder b;
  const auto f32 = fb::TensorType::FLOAT32;
  const auto i32 = fb::TensorType::INT32;
  const int x = b.AddTensor(f32, {2, 3}, "x");
  const int shape = b.AddTensor(i32, {2}, "shape");
  const int y = b.AddTensor(f32, {2, 3}, "y");
  const int z = b.AddTensor(f32, {2, 3}, "z");
  const int s = b.AddTensor(i32, {2}, "s");
  b.AddOp(fb::BuiltinOperator::SHAPE, {x}, {shape});
  b.AddOp(fb::BuiltinOperator::RELU, {x}, {y});
  b.AddOp(fb::BuiltinOperator::RESHAPE, {y, shape}, {z});
  b.AddOp(fb::BuiltinOperator::SHAPE, {z}, {s});
  b.SetInputs({x});
  b.SetOutputs({z, s});
  auto l = Load(b.Build());
  ASSERT_TRUE(l->create_status.ok()) << l->errors.message();
  for (int32_t rows : {2, 5, 1}) {
    ASSERT_TRUE(l->interp->ResizeInput(0, ops::MakeShape({rows, 3})).ok());
    ASSERT_TRUE(l->interp->AllocateTensors().ok()) << l->errors.message();
    float* in = l->f32(x);
    for (int i = 0; i < rows * 3; ++i) in[i] = static_cast<float>(i - 4);
    ASSERT_TRUE(l->interp->Invoke().ok()) << l->errors.message();
    const Tensor& out = l->tensor(z);
    ASSERT_EQ(out.shape.rank, 2);
    EXPECT_EQ(out.shape.dims[0], rows);
    EXPECT_EQ(out.shape.dims[1], 3);
    for (int i = 0; i < rows * 3; ++i)
      EXPECT_EQ(out.data_as<float>()[i],
                std::max(0.0f, static_cast<float>(i - 4)));
    const int32_t* dims = l->tensor(s).data_as<int32_t>();
    EXPECT_EQ(dims[0], rows);
    EXPECT_EQ(dims[1], 3);
  }
}

}  // namespace
}  // namespace ember
