// int16 MUL, ADD and SUB (general scales) through the vector element-wise
// kernels (MulS16 / AddS16 of kernels/x86/fast_ops_kernels.h): random
// models (same shapes, a scalar
// operand, a row broadcast, lengths that leave vector tails, values at the
// int16 extremes) must give the reference's bits on every fast-op ISA this
// CPU allows, at 1 and 2 threads, and report the int16 kernel.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/dispatch/cpu_features.h"
#include "kernels/drivers/fast_ops.h"
#include "util/model_run.h"
#include "util/op_test_harness.h"

namespace ember {
namespace {

using testing::ModelBuilder;
using testing::Rng;

TEST(EltwiseS16Fast, MatchesReferenceBitExact) {
  if (dispatch::EnvForcesReference()) GTEST_SKIP() << "reference forced";
  const auto isas =
      kernels::AllowedEntryIsas(x86::FastOpsList(), kernels::AllowedIsas());
  if (isas.empty()) GTEST_SKIP() << "no fast-op table on this CPU";
  Rng rng(1604);
  for (int i = 0; i < 36; ++i) {
    const int rows = rng.Int(1, 40), cols = rng.Int(1, 70);
    const int shape_kind = i % 3;  // same, scalar b, row b
    const std::vector<int32_t> a_shape = {1, rows, cols};
    const std::vector<int32_t> b_shape = shape_kind == 0 ? a_shape
                                         : shape_kind == 1
                                             ? std::vector<int32_t>{1}
                                             : std::vector<int32_t>{cols};
    int64_t b_count = 1;
    for (int32_t d : b_shape) b_count *= d;
    const bool extreme = i % 4 == 3;
    ModelBuilder b;
    const float sa = rng.Float(1e-4f, 1e-3f), sb = rng.Float(1e-4f, 1e-3f);
    const int x = b.AddTensor(fb::TensorType::INT16, a_shape, "a",
                              testing::PerTensor(sa, 0));
    std::vector<int16_t> bv = rng.Ints<int16_t>(b_count, -32768, 32767);
    if (extreme)
      for (auto& v : bv) v = v < 0 ? -32768 : 32767;
    const int y = b.AddConstant<int16_t>(fb::TensorType::INT16, b_shape, bv,
                                         "b", testing::PerTensor(sb, 0));
    const float out_scale = (i / 3) % 3 == 0
                                ? sa * sb * rng.Float(1000.0f, 40000.0f)
                                : std::max(sa, sb) * rng.Float(0.7f, 3.0f);
    const int z = b.AddTensor(fb::TensorType::INT16, {}, "out",
                              testing::PerTensor(out_scale, 0));
    // MUL, ADD, SUB in turn (ADD/SUB shapes: same or scalar only, the
    // broadcasts their fast path takes).
    const int op_kind = (i / 3) % 3;
    fb::BuiltinOptionsUnion u;
    fb::BuiltinOperator op = fb::BuiltinOperator::MUL;
    if (op_kind == 0) {
      fb::MulOptionsT opt;
      opt.fused_activation_function = testing::RandomActivation(rng);
      u.Set(opt);
    } else if (op_kind == 1) {
      fb::AddOptionsT opt;
      opt.fused_activation_function = testing::RandomActivation(rng);
      u.Set(opt);
      op = fb::BuiltinOperator::ADD;
    } else {
      fb::SubOptionsT opt;
      opt.fused_activation_function = testing::RandomActivation(rng);
      u.Set(opt);
      op = fb::BuiltinOperator::SUB;
    }
    b.AddOp(op, {x, y}, {z}, std::move(u));
    b.SetInputs({x});
    b.SetOutputs({z});
    const auto model = b.Build();
    std::vector<int16_t> av =
        rng.Ints<int16_t>(static_cast<size_t>(rows) * cols, -32768, 32767);
    if (extreme)
      for (auto& v : av) v = v < 0 ? -32768 : 32767;
    std::vector<uint8_t> input(av.size() * 2);
    std::memcpy(input.data(), av.data(), input.size());
    const std::string what = "case " + std::to_string(i) + " op " +
                             std::to_string(static_cast<int>(op)) + " " +
                             std::to_string(rows) + "x" + std::to_string(cols) +
                             " b kind=" + std::to_string(shape_kind);
    const auto ref = testing::RunOneInputModel(model, input, true, 1);
    for (kernels::Isa isa : isas) {
      kernels::ScopedIsaOverride force(kernels::IsaName(isa));
      for (int threads = 1; threads <= 2; ++threads) {
        const auto got =
            testing::RunOneInputModel(model, input, false, threads);
        const std::string where = what + " isa=" + kernels::IsaName(isa) +
                                  " threads=" + std::to_string(threads);
        EXPECT_NE(got.variant.find("_eltwise_s16"), std::string::npos)
            << where << " label " << got.variant;
        EXPECT_EQ(got.output, ref.output) << where;
      }
    }
  }
}

}  // namespace
}  // namespace ember
