// int16x8 CONV_2D (int16 activations, int8 weights) through the optimized
// path (kernels/drivers/conv_s16.h): random single-op models run once with
// force_reference_kernels (the oracle, itself checked against LiteRT by the
// conformance suite) and then with every ISA of the int16 dot-row list this
// CPU allows, at 1, 2 and 3 threads. Outputs must be bit-exact and the
// node's label must name the optimized kernel. The cases cover int64,
// int32 and no bias, padding, strides, dilation, batches, and depths past
// one 512-deep chunk (the int32 partial sums are added in int64), with
// inputs at the int16 extremes so that a chunk's sum nears 2^31; uint8
// convolutions (same path, zero points subtracted), int16x8 and uint8
// FULLY_CONNECTED (a 1x1 convolution over batch rows) and int16x8 depthwise.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/dispatch/cpu_features.h"
#include "kernels/drivers/batch_matmul_s8.h"
#include "kernels/drivers/conv_s16.h"
#include "kernels/drivers/dwconv_s16.h"
#include "util/model_run.h"
#include "util/op_test_harness.h"

namespace ember {
namespace {

using testing::ModelBuilder;
using testing::QuantSpec;
using testing::Rng;

enum class Bias { kNone, kInt32, kInt64 };

std::vector<uint8_t> AsBytes(const std::vector<int16_t>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(int16_t));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// Runs `model` on the reference kernels, then on every ISA of the int16
// dot-row list at 1-3 threads: outputs bit-exact, label the widened
// conv's.
void CheckEveryIsa(const std::vector<uint8_t>& model,
                   const std::vector<uint8_t>& input, bool uint8,
                   const std::string& what) {
  const auto ref = testing::RunOneInputModel(model, input, true, 1);
  EXPECT_EQ(ref.variant, "ref") << what;
  for (kernels::Isa isa : kernels::AllowedEntryIsas(x86::S8MatMulKernels(),
                                                    kernels::AllowedIsas())) {
    kernels::ScopedIsaOverride force(kernels::IsaName(isa));
    const x86::S8MatMulKernel* dot =
        x86::SelectS8MatMul(kernels::AllowedIsas());
    for (int threads = 1; threads <= 3; ++threads) {
      const auto got = testing::RunOneInputModel(model, input, false, threads);
      const std::string where = what + " isa=" + kernels::IsaName(isa) +
                                " threads=" + std::to_string(threads);
      if (!dispatch::EnvForcesReference() && dot != nullptr)
        EXPECT_EQ(got.variant, x86::S16ConvLabel(*dot, uint8)) << where;
      EXPECT_EQ(got.output, ref.output) << where;
    }
  }
}

int RunCases(uint32_t seed, int count) {
  Rng rng(seed);
  int cases = 0;
  for (int i = 0; i < count; ++i) {
    const bool deep = i % 5 == 4;  // k past one chunk
    const int in_c = deep ? rng.Int(120, 300) : rng.Int(1, 40);
    const int out_c = rng.Int(1, deep ? 12 : 40);
    const int batches = rng.Int(1, 2);
    const int in_h = rng.Int(1, 9), in_w = rng.Int(1, 9);
    const int fh = rng.Int(1, 3), fw = rng.Int(1, 3);
    const int stride = rng.Int(1, 2);
    const int dil = rng.Int(0, 3) == 0 ? 2 : 1;
    const bool same = rng.Bool();
    if (!same && ((fh - 1) * dil + 1 > in_h || (fw - 1) * dil + 1 > in_w))
      continue;
    const Bias bias_kind = static_cast<Bias>(i % 3);
    const int64_t k = static_cast<int64_t>(fh) * fw * in_c;
    ModelBuilder b;
    QuantSpec wq;
    const int scales = rng.Bool() ? out_c : 1;
    for (int c = 0; c < scales; ++c) {
      wq.scales.push_back(rng.Float(0.002f, 0.02f));
      wq.zero_points.push_back(0);
    }
    // Weights at the int8 extremes half the time: with inputs at the int16
    // extremes a 512-deep chunk sums to nearly 2^31.
    const bool extreme = rng.Bool();
    std::vector<int8_t> w = rng.Ints<int8_t>(static_cast<size_t>(out_c) * k,
                                             extreme ? -128 : -127, 127);
    if (extreme)
      for (auto& v : w) v = v < 0 ? -128 : 127;
    const int filter = b.AddConstant<int8_t>(
        fb::TensorType::INT8, {out_c, fh, fw, in_c}, w, "filter", wq);
    const float in_scale = rng.Float(0.0005f, 0.002f);
    const int x =
        b.AddTensor(fb::TensorType::INT16, {batches, in_h, in_w, in_c}, "x",
                    testing::PerTensor(in_scale, 0));
    const float out_scale = in_scale * wq.scales[0] * 200.0f *
                            std::sqrt(static_cast<float>(k)) *
                            rng.Float(0.3f, 3.0f);
    const int y = b.AddTensor(fb::TensorType::INT16, {}, "y",
                              testing::PerTensor(out_scale, 0));
    int bias = -1;
    if (bias_kind == Bias::kInt64) {
      bias = b.AddConstant<int64_t>(
          fb::TensorType::INT64, {out_c},
          rng.Ints<int64_t>(out_c, -40000000, 40000000), "bias");
    } else if (bias_kind == Bias::kInt32) {
      bias = b.AddConstant<int32_t>(
          testing::kI32, {out_c}, rng.Ints<int32_t>(out_c, -40000000, 40000000),
          "bias");
    }
    fb::Conv2DOptionsT opt;
    opt.padding = same ? fb::Padding::SAME : fb::Padding::VALID;
    opt.stride_h = stride;
    opt.stride_w = stride;
    opt.dilation_h_factor = dil;
    opt.dilation_w_factor = dil;
    opt.fused_activation_function = testing::RandomActivation(rng);
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::CONV_2D, {x, filter, bias}, {y}, std::move(u));
    b.SetInputs({x});
    b.SetOutputs({y});
    const std::vector<uint8_t> model = b.Build();
    const size_t n = static_cast<size_t>(batches) * in_h * in_w * in_c;
    std::vector<int16_t> in16 = rng.Ints<int16_t>(n, -32768, 32767);
    if (extreme)
      for (auto& v : in16) v = v < 0 ? -32768 : 32767;
    const std::vector<uint8_t> input = AsBytes(in16);
    const std::string what =
        "case " + std::to_string(i) + " k=" + std::to_string(fh) + "x" +
        std::to_string(fw) + "x" + std::to_string(in_c) +
        " out_c=" + std::to_string(out_c) +
        " stride=" + std::to_string(stride) + " dil=" + std::to_string(dil) +
        " bias=" + std::to_string(static_cast<int>(bias_kind)) +
        (extreme ? " extreme" : "");
    CheckEveryIsa(model, input, false, what);
    ++cases;
  }
  return cases;
}

TEST(FastS16Conv, MatchesReferenceBitExact) {
  if (x86::SelectS8MatMul(kernels::AllowedIsas()) == nullptr)
    GTEST_SKIP() << "reference kernels forced";
  EXPECT_GT(RunCases(1601, 40), 25);
}

// uint8 CONV_2D (asymmetric per-tensor uint8 activations and weights)
// through the same widened path: zero points anywhere in [0, 255], values
// at the extremes half the time, deep taps; bit-exact at 1-3 threads.
int RunUint8Cases(uint32_t seed, int count) {
  Rng rng(seed);
  int cases = 0;
  for (int i = 0; i < count; ++i) {
    const bool deep = i % 5 == 4;
    const int in_c = deep ? rng.Int(120, 300) : rng.Int(1, 40);
    const int out_c = rng.Int(1, 30);
    const int in_h = rng.Int(1, 9), in_w = rng.Int(1, 9);
    const int fh = rng.Int(1, 3), fw = rng.Int(1, 3);
    const int stride = rng.Int(1, 2);
    const bool same = rng.Bool();
    if (!same && (fh > in_h || fw > in_w)) continue;
    const bool extreme = rng.Bool();
    const int64_t k = static_cast<int64_t>(fh) * fw * in_c;
    ModelBuilder b;
    std::vector<uint8_t> w =
        rng.Ints<uint8_t>(static_cast<size_t>(out_c) * k, 0, 255);
    if (extreme)
      for (auto& v : w) v = v < 128 ? 0 : 255;
    const float in_s = rng.Float(0.01f, 0.05f), w_s = rng.Float(0.002f, 0.02f);
    const int filter = b.AddConstant<uint8_t>(
        fb::TensorType::UINT8, {out_c, fh, fw, in_c}, w, "filter",
        testing::PerTensor(w_s, rng.Int(0, 255)));
    const int x = b.AddTensor(fb::TensorType::UINT8, {1, in_h, in_w, in_c}, "x",
                              testing::PerTensor(in_s, rng.Int(0, 255)));
    const int y =
        b.AddTensor(fb::TensorType::UINT8, {}, "y",
                    testing::PerTensor(in_s * w_s * 100.0f *
                                           std::sqrt(static_cast<float>(k)) *
                                           rng.Float(0.3f, 3.0f),
                                       rng.Int(0, 255)));
    int bias = -1;
    if (rng.Bool())
      bias = b.AddConstant<int32_t>(testing::kI32, {out_c},
                                    rng.Ints<int32_t>(out_c, -100000, 100000),
                                    "bias");
    fb::Conv2DOptionsT opt;
    opt.padding = same ? fb::Padding::SAME : fb::Padding::VALID;
    opt.stride_h = stride;
    opt.stride_w = stride;
    opt.fused_activation_function = testing::RandomActivation(rng);
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::CONV_2D, {x, filter, bias}, {y}, std::move(u));
    b.SetInputs({x});
    b.SetOutputs({y});
    const std::vector<uint8_t> model = b.Build();
    std::vector<uint8_t> input =
        rng.Ints<uint8_t>(static_cast<size_t>(in_h) * in_w * in_c, 0, 255);
    if (extreme)
      for (auto& v : input) v = v < 128 ? 0 : 255;
    const std::string what = "uint8 case " + std::to_string(i) +
                             " k=" + std::to_string(fh) + "x" +
                             std::to_string(fw) + "x" + std::to_string(in_c) +
                             (extreme ? " extreme" : "");
    CheckEveryIsa(model, input, true, what);
    ++cases;
  }
  return cases;
}

TEST(FastS16Conv, Uint8MatchesReferenceBitExact) {
  if (x86::SelectS8MatMul(kernels::AllowedIsas()) == nullptr)
    GTEST_SKIP() << "reference kernels forced";
  EXPECT_GT(RunUint8Cases(1603, 30), 20);
}

// int16x8 and uint8 FULLY_CONNECTED through the same path, as a 1x1
// convolution over the batch rows with FC's single rounding: depths past a
// chunk, several batch rows, int64 / int32 / no bias (int16) and zero
// points anywhere (uint8), values at the extremes half the time.
int RunFcCases(uint32_t seed, int count, bool uint8) {
  Rng rng(seed);
  int cases = 0;
  for (int i = 0; i < count; ++i) {
    const int depth = i % 4 == 3 ? rng.Int(513, 1300) : rng.Int(1, 200);
    const int units = rng.Int(1, 40);
    const int batches = rng.Int(1, 4);
    const bool extreme = rng.Bool();
    const size_t w_count = static_cast<size_t>(units) * depth;
    ModelBuilder b;
    int w, x, y, bias = -1;
    const float in_s = rng.Float(0.0005f, 0.05f),
                w_s = rng.Float(0.002f, 0.02f);
    const float out_s = in_s * w_s * (uint8 ? 100.0f : 200.0f) *
                        std::sqrt(static_cast<float>(depth)) *
                        rng.Float(0.3f, 3.0f);
    std::vector<uint8_t> input;
    if (uint8) {
      std::vector<uint8_t> wv = rng.Ints<uint8_t>(w_count, 0, 255);
      if (extreme)
        for (auto& v : wv) v = v < 128 ? 0 : 255;
      w = b.AddConstant<uint8_t>(fb::TensorType::UINT8, {units, depth}, wv, "w",
                                 testing::PerTensor(w_s, rng.Int(0, 255)));
      x = b.AddTensor(fb::TensorType::UINT8, {batches, depth}, "x",
                      testing::PerTensor(in_s, rng.Int(0, 255)));
      y = b.AddTensor(fb::TensorType::UINT8, {}, "y",
                      testing::PerTensor(out_s, rng.Int(0, 255)));
      if (rng.Bool())
        bias = b.AddConstant<int32_t>(testing::kI32, {units},
                                      rng.Ints<int32_t>(units, -100000, 100000),
                                      "bias");
      input = rng.Ints<uint8_t>(static_cast<size_t>(batches) * depth, 0, 255);
      if (extreme)
        for (auto& v : input) v = v < 128 ? 0 : 255;
    } else {
      std::vector<int8_t> wv = rng.Ints<int8_t>(w_count, -127, 127);
      if (extreme)
        for (auto& v : wv) v = v < 0 ? -127 : 127;
      w = b.AddConstant<int8_t>(fb::TensorType::INT8, {units, depth}, wv, "w",
                                testing::PerTensor(w_s, 0));
      x = b.AddTensor(fb::TensorType::INT16, {batches, depth}, "x",
                      testing::PerTensor(in_s, 0));
      y = b.AddTensor(fb::TensorType::INT16, {}, "y",
                      testing::PerTensor(out_s, 0));
      const Bias bias_kind = static_cast<Bias>(i % 3);
      if (bias_kind == Bias::kInt64) {
        bias = b.AddConstant<int64_t>(
            fb::TensorType::INT64, {units},
            rng.Ints<int64_t>(units, -40000000, 40000000), "bias");
      } else if (bias_kind == Bias::kInt32) {
        bias = b.AddConstant<int32_t>(
            testing::kI32, {units},
            rng.Ints<int32_t>(units, -40000000, 40000000), "bias");
      }
      std::vector<int16_t> in16 = rng.Ints<int16_t>(
          static_cast<size_t>(batches) * depth, -32768, 32767);
      if (extreme)
        for (auto& v : in16) v = v < 0 ? -32768 : 32767;
      input = AsBytes(in16);
    }
    fb::FullyConnectedOptionsT opt;
    opt.fused_activation_function = testing::RandomActivation(rng);
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {x, w, bias}, {y},
            std::move(u), uint8 ? 1 : 7);
    b.SetInputs({x});
    b.SetOutputs({y});
    const std::string what =
        std::string(uint8 ? "uint8" : "int16") + " fc case " +
        std::to_string(i) + " depth=" + std::to_string(depth) +
        " units=" + std::to_string(units) +
        " batches=" + std::to_string(batches) + (extreme ? " extreme" : "");
    CheckEveryIsa(b.Build(), input, uint8, what);
    ++cases;
  }
  return cases;
}

TEST(FastS16Conv, FullyConnectedMatchesReferenceBitExact) {
  if (x86::SelectS8MatMul(kernels::AllowedIsas()) == nullptr)
    GTEST_SKIP() << "reference kernels forced";
  EXPECT_EQ(RunFcCases(1604, 30, false), 30);
  EXPECT_EQ(RunFcCases(1605, 20, true), 20);
}

// int16x8 DEPTHWISE_CONV_2D (kernels/drivers/dwconv_s16.h): depth
// multipliers 1..3, up to 7x7 taps, int64 or no bias, inputs and weights
// at the extremes half the time; bit-exact against the reference.
int RunDepthwiseCases(uint32_t seed, int count) {
  Rng rng(seed);
  int cases = 0;
  for (int i = 0; i < count; ++i) {
    const int in_c = rng.Int(1, 40);
    const int dm = i % 4 == 3 ? rng.Int(2, 3) : 1;
    const int out_c = in_c * dm;
    const int batches = rng.Int(1, 2);
    const int in_h = rng.Int(1, 12), in_w = rng.Int(1, 12);
    const int fh = rng.Int(1, 7), fw = rng.Int(1, 7);
    const int stride = rng.Int(1, 2);
    const int dil = rng.Int(0, 3) == 0 ? 2 : 1;
    const bool same = rng.Bool();
    if (!same && ((fh - 1) * dil + 1 > in_h || (fw - 1) * dil + 1 > in_w))
      continue;
    const bool extreme = rng.Bool();
    ModelBuilder b;
    QuantSpec wq;
    const int scales = rng.Bool() ? out_c : 1;
    for (int c = 0; c < scales; ++c) {
      wq.scales.push_back(rng.Float(0.002f, 0.02f));
      wq.zero_points.push_back(0);
    }
    wq.dim = 3;
    std::vector<int8_t> w =
        rng.Ints<int8_t>(static_cast<size_t>(fh) * fw * out_c, -128, 127);
    if (extreme)
      for (auto& v : w) v = v < 0 ? -128 : 127;
    const int filter = b.AddConstant<int8_t>(
        fb::TensorType::INT8, {1, fh, fw, out_c}, w, "filter", wq);
    const float in_scale = rng.Float(0.0005f, 0.002f);
    const int x =
        b.AddTensor(fb::TensorType::INT16, {batches, in_h, in_w, in_c}, "x",
                    testing::PerTensor(in_scale, 0));
    const int y =
        b.AddTensor(fb::TensorType::INT16, {}, "y",
                    testing::PerTensor(in_scale * wq.scales[0] * 60.0f * fh *
                                           fw * rng.Float(0.3f, 3.0f),
                                       0));
    int bias = -1;
    if (rng.Bool())
      bias = b.AddConstant<int64_t>(
          fb::TensorType::INT64, {out_c},
          rng.Ints<int64_t>(out_c, -40000000, 40000000), "bias");
    fb::DepthwiseConv2DOptionsT opt;
    opt.padding = same ? fb::Padding::SAME : fb::Padding::VALID;
    opt.stride_h = stride;
    opt.stride_w = stride;
    opt.dilation_h_factor = dil;
    opt.dilation_w_factor = dil;
    opt.depth_multiplier = dm;
    opt.fused_activation_function = testing::RandomActivation(rng);
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::DEPTHWISE_CONV_2D, {x, filter, bias}, {y},
            std::move(u));
    b.SetInputs({x});
    b.SetOutputs({y});
    const std::vector<uint8_t> model = b.Build();
    std::vector<int16_t> in16 = rng.Ints<int16_t>(
        static_cast<size_t>(batches) * in_h * in_w * in_c, -32768, 32767);
    if (extreme)
      for (auto& v : in16) v = v < 0 ? -32768 : 32767;
    const std::vector<uint8_t> input = AsBytes(in16);
    const std::string what =
        "dw case " + std::to_string(i) + " " + std::to_string(fh) + "x" +
        std::to_string(fw) + " c=" + std::to_string(in_c) +
        " dm=" + std::to_string(dm) + " stride=" + std::to_string(stride) +
        " dil=" + std::to_string(dil) + (extreme ? " extreme" : "");
    const auto ref = testing::RunOneInputModel(model, input, true, 1);
    EXPECT_EQ(ref.variant, "ref") << what;
    for (int threads = 1; threads <= 3; ++threads) {
      const auto got = testing::RunOneInputModel(model, input, false, threads);
      const std::string where = what + " threads=" + std::to_string(threads);
      if (!dispatch::EnvForcesReference())
        EXPECT_EQ(got.variant, x86::DwConvS16Label()) << where;
      EXPECT_EQ(got.output, ref.output) << where;
    }
    ++cases;
  }
  return cases;
}

TEST(FastS16Conv, DepthwiseMatchesReferenceBitExact) {
  if (dispatch::EnvForcesReference()) GTEST_SKIP() << "reference forced";
  EXPECT_GT(RunDepthwiseCases(1602, 50), 30);
}

}  // namespace
}  // namespace ember
