// Grouped CONV_2D (filter in-channels = input channels / groups, as TF's
// converter emits for Keras Conv2D(groups=g)) through the optimized paths.
// Each randomized single-op model (fp32, int8 or hybrid: float data with
// int8 weights) runs once with force_reference_kernels (the oracle) and
// then with every ISA of its GEMM list this CPU allows (pinned with
// kernels::ScopedIsaOverride) at 1, 2 and 3 threads. The node's kernel
// label must be the list entry's, not "ref"; int8 outputs must be
// bit-exact; hybrid within 1e-5 x max(1, max |reference|) (same quantized
// input and integer accumulators, only the float scaling's rounding order
// may differ); fp32 within 1e-5 x sqrt(K) x max(1, max |reference|)
// (K = taps x channels per group: summation order differs).
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

enum class Kind { kFloat, kInt8, kHybrid };

using Run = testing::ModelRun;

Run RunModel(const std::vector<uint8_t>& bytes,
             const std::vector<uint8_t>& input, bool force_ref, int threads) {
  return testing::RunOneInputModel(bytes, input, force_ref, threads);
}

std::vector<float> AsFloats(const std::vector<uint8_t>& bytes) {
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

// The ISAs to force for `kind` (entries of its GEMM list this run allows).
std::vector<kernels::Isa> IsasFor(Kind kind) {
  return kind == Kind::kFloat
             ? kernels::AllowedEntryIsas(x86::GemmF32Kernels(),
                                         kernels::AllowedIsas())
             : kernels::AllowedEntryIsas(x86::S8Kernels(),
                                         kernels::AllowedIsas());
}

// The label the node must report under the ISAs allowed now: fp32, the
// GEMM chosen for the group's `group_n` columns (a narrower one may win)
// through im2col; int8, the list's best tile, reading rows directly
// (`direct`) or through the indirection table.
std::string ExpectedLabel(Kind kind, int group_n, bool direct) {
  if (kind == Kind::kFloat) {
    const x86::GemmF32Kernel* k =
        x86::SelectGemmF32ForColumns(kernels::AllowedIsas(), group_n);
    return k ? k->im2col_label : "none";
  }
  const x86::S8Kernel* k = x86::SelectS8Kernel(kernels::AllowedIsas());
  return k ? (direct ? k->gemm_label : k->igemm_label) : "none";
}

void CheckAgainstReference(const std::vector<uint8_t>& model,
                           const std::vector<uint8_t>& input, Kind kind,
                           int group_n, bool direct, double k,
                           const std::string& what) {
  const Run ref = RunModel(model, input, /*force_ref=*/true, 1);
  ASSERT_EQ(ref.variant, "ref") << what;
  for (kernels::Isa isa : IsasFor(kind)) {
    kernels::ScopedIsaOverride force(kernels::IsaName(isa));
    for (int threads = 1; threads <= 3; ++threads) {
      const Run got = RunModel(model, input, false, threads);
      const std::string where = what + " isa=" + kernels::IsaName(isa) +
                                " threads=" + std::to_string(threads);
      if (!dispatch::EnvForcesReference())
        EXPECT_EQ(got.variant, ExpectedLabel(kind, group_n, direct)) << where;
      ASSERT_EQ(got.output.size(), ref.output.size()) << where;
      if (kind == Kind::kInt8) {
        size_t diffs = 0, first = 0;
        for (size_t i = 0; i < ref.output.size(); ++i) {
          if (ref.output[i] != got.output[i] && diffs++ == 0) first = i;
        }
        EXPECT_EQ(diffs, 0u) << where << " first mismatch at " << first
                             << ": ref " << int(int8_t(ref.output[first]))
                             << " got " << int(int8_t(got.output[first]));
        continue;
      }
      const auto r = AsFloats(ref.output), g = AsFloats(got.output);
      double scale = 1.0, worst = 0.0;
      for (float v : r)
        scale = std::max(scale, std::fabs(static_cast<double>(v)));
      for (size_t i = 0; i < r.size(); ++i)
        worst = std::max(worst, std::fabs(static_cast<double>(r[i]) - g[i]));
      const double tol = kind == Kind::kHybrid
                             ? 1e-5 * scale
                             : 1e-5 * std::sqrt(std::max(k, 1.0)) * scale;
      EXPECT_LE(worst, tol) << where;
    }
  }
}

// Random grouped convolutions of `kind`: 2..8 groups of 1..24 input and
// 1..20 output channels, 1x1 (some stride 1: rows read directly) or up to
// 4x4, strides 1..2, sometimes dilated, SAME or VALID, 1..2 batches. The
// last cases are RegNet-sized (millions of MACs, split over workers).
int RunGroupedCases(Kind kind, uint32_t seed, int count) {
  Rng rng(seed);
  int cases = 0;
  for (int i = 0; i < count; ++i) {
    const bool big = i >= count - 3;
    const int groups = rng.Int(2, big ? 6 : 8);
    const int group_in = big ? 8 * rng.Int(1, 3) : rng.Int(1, 24);
    const int group_out = big ? group_in : rng.Int(1, 20);
    const int in_c = groups * group_in, out_c = groups * group_out;
    const int batches = big ? 1 : rng.Int(1, 2);
    const int in_h = big ? rng.Int(20, 28) : rng.Int(1, 10);
    const int in_w = big ? rng.Int(20, 28) : rng.Int(1, 10);
    const bool pointwise = i % 4 == 0;
    const int fh = pointwise ? 1 : (big ? 3 : rng.Int(1, 4));
    const int fw = pointwise ? 1 : (big ? 3 : rng.Int(1, 4));
    const int stride_h = pointwise && i % 8 == 0 ? 1 : rng.Int(1, 2);
    const int stride_w = pointwise && i % 8 == 0 ? 1 : rng.Int(1, 2);
    const int dil = !pointwise && !big && rng.Int(0, 3) == 0 ? 2 : 1;
    const bool same = big || rng.Bool();
    if (!same && ((fh - 1) * dil + 1 > in_h || (fw - 1) * dil + 1 > in_w))
      continue;
    const bool direct = fh == 1 && fw == 1 && stride_h == 1 && stride_w == 1;
    const int64_t k = static_cast<int64_t>(fh) * fw * group_in;
    const size_t filter_n = static_cast<size_t>(out_c) * k;

    ModelBuilder b;
    int x, y, filter, bias = -1;
    const size_t in_elems = static_cast<size_t>(batches) * in_h * in_w * in_c;
    std::vector<uint8_t> input;
    if (kind == Kind::kInt8) {
      const float in_scale = rng.Float(0.01f, 0.1f);
      QuantSpec wq;
      const bool per_channel = rng.Bool();
      for (int c = 0; c < (per_channel ? out_c : 1); ++c) {
        wq.scales.push_back(rng.Float(0.002f, 0.02f));
        wq.zero_points.push_back(0);
      }
      filter = b.AddConstant<int8_t>(
          fb::TensorType::INT8, {out_c, fh, fw, group_in},
          rng.Ints<int8_t>(filter_n, -127, 127), "filter", wq);
      x = b.AddTensor(fb::TensorType::INT8, {batches, in_h, in_w, in_c}, "x",
                      testing::PerTensor(in_scale, rng.Int(-128, 127)));
      const float out_scale = in_scale * wq.scales[0] * 80.0f *
                              std::sqrt(static_cast<float>(k)) *
                              rng.Float(0.3f, 3.0f);
      y = b.AddTensor(fb::TensorType::INT8, {}, "y",
                      testing::PerTensor(out_scale, rng.Int(-128, 127)));
      if (rng.Int(0, 3) != 0)
        bias = b.AddConstant<int32_t>(testing::kI32, {out_c},
                                      rng.Ints<int32_t>(out_c, -30000, 30000),
                                      "bias");
      input = rng.Ints<uint8_t>(in_elems, 0, 255);
    } else {
      if (kind == Kind::kHybrid) {
        QuantSpec wq;
        const bool per_channel = rng.Bool();
        for (int c = 0; c < (per_channel ? out_c : 1); ++c) {
          wq.scales.push_back(rng.Float(0.002f, 0.02f));
          wq.zero_points.push_back(0);
        }
        filter = b.AddConstant<int8_t>(
            fb::TensorType::INT8, {out_c, fh, fw, group_in},
            rng.Ints<int8_t>(filter_n, -127, 127), "filter", wq);
      } else {
        filter = b.AddConstant<float>(testing::kF32, {out_c, fh, fw, group_in},
                                      rng.Floats(filter_n, -1, 1), "filter");
      }
      x = b.AddTensor(testing::kF32, {batches, in_h, in_w, in_c}, "x");
      y = b.AddTensor(testing::kF32, {}, "y");
      if (rng.Int(0, 3) != 0)
        bias = b.AddConstant<float>(testing::kF32, {out_c},
                                    rng.Floats(out_c, -2, 2), "bias");
      const auto f = rng.Floats(in_elems, -3.0f, rng.Float(-1.0f, 4.0f));
      input.resize(f.size() * sizeof(float));
      std::memcpy(input.data(), f.data(), input.size());
    }
    fb::Conv2DOptionsT opt;
    opt.padding = same ? fb::Padding::SAME : fb::Padding::VALID;
    opt.stride_h = stride_h;
    opt.stride_w = stride_w;
    opt.dilation_h_factor = dil;
    opt.dilation_w_factor = dil;
    opt.fused_activation_function = testing::RandomActivation(rng);
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::CONV_2D, {x, filter, bias}, {y}, std::move(u));
    b.SetInputs({x});
    b.SetOutputs({y});
    CheckAgainstReference(
        b.Build(), input, kind, group_out, direct, static_cast<double>(k),
        "case " + std::to_string(i) + " groups=" + std::to_string(groups) +
            " k=" + std::to_string(fh) + "x" + std::to_string(fw) + " in_c=" +
            std::to_string(in_c) + " out_c=" + std::to_string(out_c) +
            " stride=" + std::to_string(stride_h) + "," +
            std::to_string(stride_w) + " dil=" + std::to_string(dil));
    ++cases;
  }
  return cases;
}

TEST(FastGroupedConv, Float32MatchesReference) {
  if (IsasFor(Kind::kFloat).empty()) GTEST_SKIP() << "no fp32 GEMM";
  EXPECT_GT(RunGroupedCases(Kind::kFloat, 811, 40), 25);
}

TEST(FastGroupedConv, Int8MatchesReferenceBitExact) {
  if (IsasFor(Kind::kInt8).empty()) GTEST_SKIP() << "no int8 GEMM";
  EXPECT_GT(RunGroupedCases(Kind::kInt8, 812, 40), 25);
}

TEST(FastGroupedConv, HybridMatchesReference) {
  if (IsasFor(Kind::kInt8).empty()) GTEST_SKIP() << "no int8 GEMM";
  EXPECT_GT(RunGroupedCases(Kind::kHybrid, 813, 30), 18);
}

}  // namespace
}  // namespace ember
