#include <gtest/gtest.h>

#include "model/model.h"
#include "runtime/interpreter.h"
#include "util/model_builder.h"

namespace ember {
namespace {

using testing::ModelBuilder;

TEST(Runtime, AddFloatBroadcastAndRelu) {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {2, 3}, "x");
  const int y =
      b.AddConstant<float>(testing::kF32, {3}, {1.f, -10.f, 0.5f}, "y");
  const int z = b.AddTensor(testing::kF32, {2, 3}, "z");
  fb::BuiltinOptionsUnion opts;
  fb::AddOptionsT add;
  add.fused_activation_function = fb::ActivationFunctionType::RELU;
  opts.Set(add);
  b.AddOp(fb::BuiltinOperator::ADD, {x, y}, {z}, std::move(opts));
  b.SetInputs({x});
  b.SetOutputs({z});
  const auto bytes = b.Build();
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  ASSERT_TRUE(
      Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model).ok())
      << errors.message();
  std::unique_ptr<Interpreter> interp;
  ASSERT_TRUE(
      Interpreter::Create(*model, OpResolver::Builtins(), {}, errors, &interp)
          .ok())
      << errors.message();
  ASSERT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
  Tensor& in = interp->primary().tensors()[x];
  const float values[6] = {1, 2, 3, 4, 5, 6};
  memcpy(in.data, values, sizeof(values));
  ASSERT_TRUE(interp->Invoke().ok()) << interp->errors().message();
  const float* out = interp->primary().tensors()[z].data_as<float>();
  const float expected[6] = {2, 0, 3.5, 5, 0, 6.5};
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(out[i], expected[i]) << i;
}

}  // namespace
}  // namespace ember

#include "util/oracle.h"

namespace ember {
namespace {

TEST(Oracle, AddInt8MatchesLiteRtReference) {
  testing::ModelBuilder b;
  testing::QuantSpec qa{{0.05f}, {3}}, qb{{0.02f}, {-7}}, qo{{0.07f}, {-1}};
  const int x = b.AddTensor(testing::kI8, {2, 4, 3}, "x", qa);
  const int y = b.AddTensor(testing::kI8, {4, 1}, "y", qb);
  const int z = b.AddTensor(testing::kI8, {2, 4, 3}, "z", qo);
  fb::BuiltinOptionsUnion opts;
  opts.Set(fb::AddOptionsT());
  b.AddOp(fb::BuiltinOperator::ADD, {x, y}, {z}, std::move(opts), 2);
  b.SetInputs({x, y});
  b.SetOutputs({z});
  testing::OracleCase c{
      b.Build(),
      {testing::RandomArray(DataType::kInt8, {2, 4, 3}, 1, 0, 0),
       testing::RandomArray(DataType::kInt8, {4, 1}, 2, 0, 0)}};
  auto oracle = testing::RunLiteRt({c});
  ASSERT_TRUE(oracle[0].ok) << oracle[0].error;
  auto ours = testing::RunEmber(c.model, c.inputs);
  ASSERT_TRUE(ours.ok) << ours.error;
  std::string why;
  EXPECT_EQ(testing::MaxAbsDiff(ours.outputs[0], oracle[0].outputs[0], &why), 0)
      << why;
}

}  // namespace
}  // namespace ember
