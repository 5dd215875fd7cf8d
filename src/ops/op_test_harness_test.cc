// The op-test harness's own comparisons: a tolerance that let a wrong
// output through would make every op test that uses it unable to fail.
#include "util/op_test_harness.h"

#include <gtest/gtest.h>

namespace ember::testing {
namespace {

NpyArray Floats(std::vector<float> v) {
  return MakeArray<float>(DataType::kFloat32, {static_cast<int64_t>(v.size())},
                          v);
}

TEST(OpTestHarness, BitExactCatchesNegativeZeroThatExactAccepts) {
  const NpyArray zero = Floats({1.f, 0.f}), negative_zero = Floats({1.f, -0.f});
  EXPECT_EQ(CompareOutputs(negative_zero, zero, Tolerance::Exact()), "");
  const std::string why =
      CompareOutputs(negative_zero, zero, Tolerance::BitExact());
  EXPECT_NE(why.find("bytes differ"), std::string::npos) << why;
  EXPECT_EQ(CompareOutputs(zero, zero, Tolerance::BitExact()), "");
  EXPECT_NE(CompareOutputs(Floats({1.f, 2.f}), zero, Tolerance::BitExact()),
            "");
}

TEST(OpTestHarness, TolerancesBoundTheDifference) {
  const NpyArray oracle = Floats({10.f, -2.f});
  // RelativeToMax: 1e-3 * max(1, 10) = 1e-2.
  EXPECT_EQ(CompareOutputs(Floats({10.009f, -2.f}), oracle,
                           Tolerance::RelativeToMax(1e-3)),
            "");
  EXPECT_NE(CompareOutputs(Floats({10.f, -2.02f}), oracle,
                           Tolerance::RelativeToMax(1e-3)),
            "");
  EXPECT_EQ(
      CompareOutputs(Floats({10.5f, -2.f}), oracle, Tolerance::Absolute(0.5)),
      "");
  EXPECT_NE(
      CompareOutputs(Floats({10.f, -2.6f}), oracle, Tolerance::Absolute(0.5)),
      "");
  EXPECT_NE(CompareOutputs(Floats({10.f}), oracle, Tolerance::Absolute(1)), "");
}

TEST(OpTestHarness, OpModelSeedsInputsByPosition) {
  auto build = [] {
    OpModel m;
    m.In(kF32, {2, 3}).In(kI8, {4}, Quant(0.5f, 0)).Out(kF32);
    return m.Build(fb::BuiltinOperator::ADD);
  };
  const OpTest a = build(), b = build();
  ASSERT_EQ(a.inputs.size(), 2u);
  EXPECT_EQ(a.inputs[0].data, b.inputs[0].data);
  EXPECT_EQ(a.inputs[1].data, b.inputs[1].data);
  // The seeds shape_test_util.h used, so the ported tests kept their data.
  EXPECT_EQ(a.inputs[0].data,
            RandomArray(DataType::kFloat32, {2, 3}, 7919u + 13u, -10, 10).data);
  EXPECT_EQ(a.inputs[1].data,
            RandomArray(DataType::kInt8, {4}, 2 * 7919u + 13u, 0, 0).data);
  EXPECT_EQ(a.model, b.model);
}

}  // namespace
}  // namespace ember::testing
