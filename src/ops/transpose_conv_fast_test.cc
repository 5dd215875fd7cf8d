// The int8 / hybrid fast path of TRANSPOSE_CONV (ops/transpose_conv_fast.h:
// stride phases, each an int8 indirection GEMM) against the reference
// kernels: each randomized single-op model runs with force_reference_kernels
// and then with every int8 ISA this CPU allows (kernels::ScopedIsaOverride)
// at 1, 2 and 3 threads. int8 outputs must be bit-exact; hybrid outputs
// too (same quantized input, same integer accumulators, same float
// epilogue order), checked within 1e-6 x max(1, max |reference|) in case a
// compiler contracts the reference's multiply-add.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "kernels/dispatch/cpu_features.h"
#include "kernels/drivers/gemm_f32.h"
#include "kernels/drivers/gemm_s8.h"
#include "runtime/interpreter.h"
#include "util/model_run.h"
#include "util/op_test_harness.h"

namespace ember {
namespace {

using testing::ModelBuilder;
using testing::QuantSpec;
using testing::Rng;

std::vector<kernels::Isa> SupportedS8Isas() {
  return kernels::AllowedEntryIsas(x86::S8Kernels(), kernels::AllowedIsas());
}

using Run = testing::ModelRun;

Run RunModel(const std::vector<uint8_t>& bytes,
             const std::vector<uint8_t>& input, bool force_ref, int threads) {
  return testing::RunOneInputModel(bytes, input, force_ref, threads);
}

std::vector<kernels::Isa> SupportedF32Isas() {
  return kernels::AllowedEntryIsas(x86::GemmF32Kernels(),
                                   kernels::AllowedIsas());
}

// `hybrid` (float outputs): within `tolerance` x max(1, max |reference|);
// otherwise bytes equal. `fast_label` must appear in the kernel variant
// when `expect_fast`.
void CheckAgainstReference(
    const std::vector<uint8_t>& model, const std::vector<uint8_t>& input,
    bool hybrid, bool expect_fast, const std::string& what,
    const std::vector<kernels::Isa>& isas = SupportedS8Isas(),
    const char* fast_label = "_s8_", double tolerance = 1e-6) {
  const Run ref = RunModel(model, input, /*force_ref=*/true, 1);
  ASSERT_EQ(ref.variant, "ref") << what;
  for (kernels::Isa isa : isas) {
    kernels::ScopedIsaOverride force(kernels::IsaName(isa));
    for (int threads = 1; threads <= 3; ++threads) {
      const Run got = RunModel(model, input, false, threads);
      const std::string where = what + " isa=" + kernels::IsaName(isa) +
                                " threads=" + std::to_string(threads);
      if (expect_fast && !dispatch::EnvForcesReference())
        EXPECT_NE(got.variant.find(fast_label), std::string::npos)
            << where << " " << got.variant;
      ASSERT_EQ(got.output.size(), ref.output.size()) << where;
      if (!hybrid) {
        size_t diffs = 0, first = 0;
        for (size_t i = 0; i < ref.output.size(); ++i)
          if (ref.output[i] != got.output[i] && diffs++ == 0) first = i;
        EXPECT_EQ(diffs, 0u) << where << " first mismatch at " << first
                             << ": ref " << int(int8_t(ref.output[first]))
                             << " got " << int(int8_t(got.output[first]));
      } else {
        std::vector<float> r(ref.output.size() / 4), g(r.size());
        std::memcpy(r.data(), ref.output.data(), r.size() * 4);
        std::memcpy(g.data(), got.output.data(), g.size() * 4);
        double scale = 1.0, worst = 0.0;
        for (float v : r) scale = std::max(scale, std::fabs(double(v)));
        for (size_t i = 0; i < r.size(); ++i)
          worst = std::max(worst, std::fabs(double(r[i]) - g[i]));
        EXPECT_LE(worst, tolerance * scale) << where;
      }
    }
  }
}

// The size of the output a forward convolution maps back to `in`.
int OutSize(Rng& rng, bool same, int in, int k, int stride) {
  if (same) return rng.Int((in - 1) * stride + 1, in * stride);
  return rng.Int((in - 1) * stride + k, (in - 1) * stride + k + stride - 1);
}

TEST(FastTransposeConv, MatchesReference) {
  if (SupportedS8Isas().empty()) GTEST_SKIP() << "no int8 tile";
  Rng rng(8086);
  for (int i = 0; i < 48; ++i) {
    // The last cases are big enough to be split over several workers.
    const bool big = i >= 44;
    const int batches = rng.Int(1, 2);
    const int in_h = big ? rng.Int(12, 20) : rng.Int(1, 8);
    const int in_w = big ? rng.Int(12, 20) : rng.Int(1, 8);
    const int in_c = big ? rng.Int(30, 70) : rng.Int(1, 37);
    const int out_c = big ? rng.Int(40, 80) : rng.Int(1, 70);
    const int fh = rng.Int(1, 5), fw = rng.Int(1, 5);
    const int sh = rng.Int(1, 3), sw = rng.Int(1, 3);
    const bool same = rng.Bool();
    const int out_h = OutSize(rng, same, in_h, fh, sh);
    const int out_w = OutSize(rng, same, in_w, fw, sw);
    const bool hybrid = i % 4 == 3;
    const bool per_channel = rng.Bool();
    const int taps = ((fh + sh - 1) / sh) * ((fw + sw - 1) / sw);

    ModelBuilder b;
    QuantSpec wq;
    for (int c = 0; c < (per_channel ? out_c : 1); ++c) {
      wq.scales.push_back(rng.Float(0.002f, 0.02f));
      wq.zero_points.push_back(0);
    }
    const int shape = b.AddConstant<int32_t>(
        testing::kI32, {4}, {batches, out_h, out_w, out_c}, "output_shape");
    const int filter = b.AddConstant<int8_t>(
        fb::TensorType::INT8, {out_c, fh, fw, in_c},
        rng.Ints<int8_t>(static_cast<size_t>(out_c) * fh * fw * in_c, -127,
                         127),
        "filter", wq);
    int x, y, bias = -1;
    if (hybrid) {
      x = b.AddTensor(testing::kF32, {batches, in_h, in_w, in_c}, "x");
      y = b.AddTensor(testing::kF32, {batches, out_h, out_w, out_c}, "y");
      if (rng.Int(0, 3) != 0)
        bias = b.AddConstant<float>(testing::kF32, {out_c},
                                    rng.Floats(out_c, -2, 2), "bias");
    } else {
      const float in_scale = rng.Float(0.01f, 0.1f);
      // Output scales around the typical accumulator (some saturate).
      const float typical = in_scale * wq.scales[0] * 5000.0f *
                            std::sqrt(static_cast<float>(taps * in_c));
      x = b.AddTensor(fb::TensorType::INT8, {batches, in_h, in_w, in_c}, "x",
                      testing::PerTensor(in_scale, rng.Int(-128, 127)));
      y = b.AddTensor(
          fb::TensorType::INT8, {batches, out_h, out_w, out_c}, "y",
          testing::PerTensor(typical / 60.0f * rng.Float(0.3f, 3.0f),
                             rng.Int(-128, 127)));
      if (rng.Int(0, 3) != 0)
        bias = b.AddConstant<int32_t>(testing::kI32, {out_c},
                                      rng.Ints<int32_t>(out_c, -30000, 30000),
                                      "bias");
    }
    fb::TransposeConvOptionsT opt;
    opt.padding = same ? fb::Padding::SAME : fb::Padding::VALID;
    opt.stride_h = sh;
    opt.stride_w = sw;
    opt.fused_activation_function = testing::RandomActivation(rng);
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::TRANSPOSE_CONV, {shape, filter, x, bias}, {y},
            std::move(u), 4);
    b.SetInputs({x});
    b.SetOutputs({y});
    const size_t in_elems = static_cast<size_t>(batches) * in_h * in_w * in_c;
    std::vector<uint8_t> input;
    if (hybrid) {
      const auto f = rng.Floats(in_elems, -3.0f, rng.Float(-1.0f, 4.0f));
      input.resize(f.size() * sizeof(float));
      std::memcpy(input.data(), f.data(), input.size());
    } else {
      input = rng.Ints<uint8_t>(in_elems, 0, 255);
    }
    // A filter narrower than the stride leaves phases without taps (bias
    // only): the reference runs those.
    const bool covered = fh >= sh && fw >= sw;
    CheckAgainstReference(
        b.Build(), input, hybrid, covered,
        "tconv case " + std::to_string(i) + " k=" + std::to_string(fh) + "x" +
            std::to_string(fw) + " s=" + std::to_string(sh) + "x" +
            std::to_string(sw) + " in_c=" + std::to_string(in_c) +
            " out_c=" + std::to_string(out_c) + (same ? " SAME" : " VALID") +
            (hybrid ? " hybrid" : " int8"));
  }
}

// fp32: GEMM into a column buffer, then col2im; float sums in another
// order than the reference's, so within 1e-5 x max(1, max |reference|).
TEST(FastTransposeConv, FloatMatchesReference) {
  if (SupportedF32Isas().empty()) GTEST_SKIP() << "no fp32 GEMM";
  Rng rng(1701);
  for (int i = 0; i < 30; ++i) {
    const bool big = i >= 27;
    const int batches = rng.Int(1, 2);
    const int in_h = big ? rng.Int(12, 20) : rng.Int(1, 8);
    const int in_w = big ? rng.Int(12, 20) : rng.Int(1, 8);
    const int in_c = big ? rng.Int(30, 70) : rng.Int(1, 37);
    const int out_c = big ? rng.Int(40, 80) : rng.Int(1, 70);
    const int fh = rng.Int(1, 5), fw = rng.Int(1, 5);
    const int sh = rng.Int(1, 3), sw = rng.Int(1, 3);
    const bool same = rng.Bool();
    const int out_h = OutSize(rng, same, in_h, fh, sh);
    const int out_w = OutSize(rng, same, in_w, fw, sw);
    ModelBuilder b;
    const int shape = b.AddConstant<int32_t>(
        testing::kI32, {4}, {batches, out_h, out_w, out_c}, "output_shape");
    const int filter = b.AddConstant<float>(
        testing::kF32, {out_c, fh, fw, in_c},
        rng.Floats(static_cast<size_t>(out_c) * fh * fw * in_c, -1, 1),
        "filter");
    const int x = b.AddTensor(testing::kF32, {batches, in_h, in_w, in_c}, "x");
    const int y =
        b.AddTensor(testing::kF32, {batches, out_h, out_w, out_c}, "y");
    const int bias = rng.Int(0, 3) != 0
                         ? b.AddConstant<float>(testing::kF32, {out_c},
                                                rng.Floats(out_c, -2, 2), "b")
                         : -1;
    fb::TransposeConvOptionsT opt;
    opt.padding = same ? fb::Padding::SAME : fb::Padding::VALID;
    opt.stride_h = sh;
    opt.stride_w = sw;
    opt.fused_activation_function = testing::RandomActivation(rng);
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::TRANSPOSE_CONV, {shape, filter, x, bias}, {y},
            std::move(u), 4);
    b.SetInputs({x});
    b.SetOutputs({y});
    const auto f = rng.Floats(static_cast<size_t>(batches) * in_h * in_w * in_c,
                              -2.0f, 2.0f);
    std::vector<uint8_t> input(f.size() * sizeof(float));
    std::memcpy(input.data(), f.data(), input.size());
    // Fewer GEMM columns (taps x out_c) than a panel (at most 32 wide)
    // stay on the reference.
    const bool wide = fh * fw * out_c >= 32;
    CheckAgainstReference(b.Build(), input, /*hybrid=*/true, wide,
                          "fp32 tconv case " + std::to_string(i),
                          SupportedF32Isas(), "gemm", 1e-5);
  }
}

}  // namespace
}  // namespace ember
