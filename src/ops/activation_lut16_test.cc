// int16 activations take a 65536-entry table of the reference's own
// outputs when optimized kernels are allowed: every possible input must
// give the reference's bits, for each activation with an int16 form, and
// the node must report the table kernel.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "kernels/dispatch/cpu_features.h"
#include "util/model_run.h"
#include "util/op_test_harness.h"

namespace ember {
namespace {

using testing::ModelBuilder;

std::vector<uint8_t> EveryInt16() {
  std::vector<uint8_t> bytes(sizeof(int16_t) << 16);
  for (int v = 0; v < (1 << 16); ++v) {
    const auto x = static_cast<uint16_t>(v);
    std::memcpy(bytes.data() + 2 * v, &x, 2);
  }
  return bytes;
}

std::vector<uint8_t> Model(fb::BuiltinOperator op, float in_scale,
                           float out_scale) {
  ModelBuilder b;
  const int x = b.AddTensor(fb::TensorType::INT16, {1, 256, 256}, "x",
                            testing::PerTensor(in_scale, 0));
  const int y = b.AddTensor(fb::TensorType::INT16, {}, "y",
                            testing::PerTensor(out_scale, 0));
  b.AddOp(op, {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

TEST(ActivationLut16, EveryInputMatchesTheReference) {
  if (dispatch::EnvForcesReference()) GTEST_SKIP() << "reference forced";
  const float q15 = 1.0f / 32768.0f;
  struct Case {
    const char* name;
    fb::BuiltinOperator op;
    float in_scale, out_scale;
  };
  const Case cases[] = {
      {"logistic pot", fb::BuiltinOperator::LOGISTIC, 1.0f / 4096.0f, q15},
      {"logistic scaled", fb::BuiltinOperator::LOGISTIC, 0.00031f, q15},
      {"tanh", fb::BuiltinOperator::TANH, 1.0f / 4096.0f, q15},
      {"tanh scaled", fb::BuiltinOperator::TANH, 0.00027f, q15},
      {"relu", fb::BuiltinOperator::RELU, 0.001f, 0.0007f},
      {"relu6", fb::BuiltinOperator::RELU6, 0.0004f, 0.0002f},
      {"gelu", fb::BuiltinOperator::GELU, 0.0003f, 0.0002f},
  };
  const std::vector<uint8_t> input = EveryInt16();
  for (const Case& c : cases) {
    const auto model = Model(c.op, c.in_scale, c.out_scale);
    const auto ref = testing::RunOneInputModel(model, input, true, 1);
    const auto got = testing::RunOneInputModel(model, input, false, 2);
    EXPECT_EQ(ref.variant, "ref") << c.name;
    EXPECT_EQ(got.variant, "portable_lut16") << c.name;
    ASSERT_EQ(got.output.size(), input.size()) << c.name;
    EXPECT_EQ(got.output, ref.output) << c.name;
  }
}

}  // namespace
}  // namespace ember
