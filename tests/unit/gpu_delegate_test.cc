// The Vulkan GPU delegate (src/gpu/) against Ember's reference CPU kernels:
// every op it takes, over randomized shapes and options, on whatever
// Vulkan device is present (Mesa's lavapipe in CI). Tolerance (fp32):
// |gpu - cpu| <= 1e-4 * max(1, |cpu|) per element (the shaders sum in a
// different order than the CPU kernels; transcendental functions differ in
// the last bits).
//
// Without a Vulkan device the tests skip and say why; EMBER_REQUIRE_VULKAN=1
// (set in CI) turns that skip into a failure.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "delegate/delegate.h"
#include "model/model.h"
#include "runtime/interpreter.h"
#include "util/model_builder.h"
#include "util/rng.h"

namespace ember::delegate {
namespace {

using ember::testing::kF32;
using ember::testing::kI32;
using ember::testing::ModelBuilder;
using ember::testing::Rng;
using Op = fb::BuiltinOperator;

constexpr float kTolerance = 1e-4f;
// fp16 storage: every tensor (inputs, weights, intermediates, outputs) is
// rounded to float16, relative error up to u = 2^-11 (~4.9e-4) each time;
// the arithmetic stays fp32. An elementwise op rounds its input(s) and its
// output (~2u; DIV amplifies input errors); a dot product of rounded inputs
// and rounded weights, itself rounded, is off by up to ~3u times the sum of
// |terms|, which exceeds |result| where terms cancel. Measured on lavapipe
// over these tests (EMBER_GPU_TEST_ERRORS=1 prints them): elementwise ops,
// pools, resize, mean <= 1.2e-3; CONV/FC/DEPTHWISE/TRANSPOSE_CONV <= 3.2e-3
// (6.4u). The bound, 1e-2 (20u), leaves 3x margin over that and still
// fails on a wrong conversion (a factor of 2, a sign, a lost exponent bit).
constexpr float kFp16Tolerance = 1e-2f;
const DelegateOptions kFp16Options = {{"min_nodes_per_partition", "1"},
                                      {"precision", "fp16"}};
// memory=staging: device buffers are never mapped; every input, output and
// weight moves through a staging buffer and vkCmdCopyBuffer, the path of a
// discrete GPU (lavapipe would otherwise map its device-local memory).
const DelegateOptions kStagingOptions = {{"min_nodes_per_partition", "1"},
                                         {"memory", "staging"}};
// layout=nhwc: every tensor NHWC and the scalar shaders, the path without
// the C4 layout (docs/gpu_layout.md), kept correct as the fallback.
const DelegateOptions kNhwcOptions = {{"min_nodes_per_partition", "1"},
                                      {"layout", "nhwc"}};
const DelegateOptions kFp16StagingOptions = {{"min_nodes_per_partition", "1"},
                                             {"precision", "fp16"},
                                             {"memory", "staging"}};

bool RequireVulkan() {
  const char* v = std::getenv("EMBER_REQUIRE_VULKAN");
  return v != nullptr && std::string(v) == "1";
}

// The gpu delegate, or null with *why saying why it cannot start.
std::shared_ptr<Delegate> Gpu(std::string* why,
                              const DelegateOptions& options = {
                                  {"min_nodes_per_partition", "1"}}) {
  std::shared_ptr<Delegate> d;
  if (CreateDelegate("gpu", options, &d, why).ok()) return d;
  return nullptr;
}

// Declares `var` (the gpu delegate) or returns from the calling function:
// a skip naming the reason, or a failure under EMBER_REQUIRE_VULKAN=1.
#define GPU_OR_SKIP(var, ...)                                         \
  std::string var##_why;                                              \
  std::shared_ptr<Delegate> var = Gpu(&var##_why, ##__VA_ARGS__);     \
  if (!var) {                                                         \
    if (RequireVulkan()) {                                            \
      FAIL() << "EMBER_REQUIRE_VULKAN=1 but the gpu delegate cannot " \
                "start: "                                             \
             << var##_why;                                            \
    }                                                                 \
    GTEST_SKIP() << "no usable Vulkan device: " << var##_why;         \
  }

struct GpuRun {
  std::vector<std::vector<float>> outputs;
  std::vector<DelegateReport> report;
};

// Runs `bytes` with the same seeded inputs on the reference CPU kernels
// (no delegate) or with `d`.
GpuRun RunModel(const std::vector<uint8_t>& bytes, std::shared_ptr<Delegate> d,
                uint32_t seed) {
  GpuRun run;
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  EXPECT_TRUE(
      Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model).ok())
      << errors.message();
  if (!model) return run;
  InterpreterOptions options;
  options.force_reference_kernels = d == nullptr;
  std::unique_ptr<Interpreter> interp;
  EXPECT_TRUE(Interpreter::Create(*model, OpResolver::Builtins(), options,
                                  errors, &interp)
                  .ok())
      << errors.message();
  if (!interp) return run;
  std::shared_ptr<AppliedDelegates> applied;
  if (d) {
    EXPECT_TRUE(ApplyDelegates(*interp, {d}, &applied).ok())
        << interp->errors().message();
  }
  EXPECT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
  Subgraph& sg = interp->primary();
  Rng rng(seed);
  for (int32_t in : sg.inputs()) {
    Tensor& t = sg.tensors()[in];
    float* p = t.data_as<float>();
    for (int64_t i = 0; i < t.NumElements(); ++i) p[i] = rng.Float(-2, 2);
  }
  EXPECT_TRUE(interp->Invoke().ok()) << interp->errors().message();
  for (int32_t out : sg.outputs()) {
    const Tensor& t = sg.tensors()[out];
    run.outputs.emplace_back(t.data_as<float>(),
                             t.data_as<float>() + t.NumElements());
  }
  if (applied) run.report = applied->Report();
  return run;
}

// Checks one delegated run against the CPU run: every node delegated
// (`nodes` of them), every output element within `tolerance` relative to
// max(1, |cpu|). Returns the worst such error seen.
float ExpectWithin(const GpuRun& cpu, const GpuRun& del, int nodes,
                   float tolerance, const char* precision) {
  SCOPED_TRACE(precision);
  if (del.report.size() != 1u) {
    ADD_FAILURE() << "no delegate report";
    return 0;
  }
  // A DEQUANTIZE of constant (fp16) weights is folded before partitioning
  // (the delegate sees fp32 constants): it counts as handled.
  EXPECT_EQ(del.report[0].NodesTaken() + del.report[0].nodes_folded, nodes);
  for (const PartitionReport& p : del.report[0].partitions)
    EXPECT_FALSE(p.on_cpu) << p.reason;
  float worst = 0;
  EXPECT_EQ(cpu.outputs.size(), del.outputs.size());
  for (size_t o = 0; o < cpu.outputs.size() && o < del.outputs.size(); ++o) {
    EXPECT_EQ(cpu.outputs[o].size(), del.outputs[o].size());
    if (cpu.outputs[o].size() != del.outputs[o].size()) continue;
    for (size_t i = 0; i < cpu.outputs[o].size(); ++i) {
      const float c = cpu.outputs[o][i], g = del.outputs[o][i];
      const float err = std::fabs(c - g) / std::max(1.0f, std::fabs(c));
      if (!(err <= tolerance)) {
        ADD_FAILURE() << "output " << o << "[" << i << "]: gpu " << g << " cpu "
                      << c;
        return err;
      }
      worst = std::max(worst, err);
    }
  }
  return worst;
}

// Runs `bytes` on the CPU and on the GPU at fp32 and at fp16; every node
// must be delegated (`nodes` of them) and every output within the
// precision's tolerance.
void ExpectMatches(const std::string& what, const std::vector<uint8_t>& bytes,
                   int nodes, uint32_t seed = 1) {
  SCOPED_TRACE(what);
  GPU_OR_SKIP(gpu);
  const GpuRun cpu = RunModel(bytes, nullptr, seed);
  ExpectWithin(cpu, RunModel(bytes, gpu, seed), nodes, kTolerance, "fp32");
  GPU_OR_SKIP(nhwc, kNhwcOptions);
  ExpectWithin(cpu, RunModel(bytes, nhwc, seed), nodes, kTolerance,
               "fp32, layout=nhwc");
  GPU_OR_SKIP(staged, kStagingOptions);
  ExpectWithin(cpu, RunModel(bytes, staged, seed), nodes, kTolerance,
               "fp32, memory=staging");
  GPU_OR_SKIP(gpu16, kFp16Options);
  const float worst = ExpectWithin(cpu, RunModel(bytes, gpu16, seed), nodes,
                                   kFp16Tolerance, "fp16");
  GPU_OR_SKIP(staged16, kFp16StagingOptions);
  ExpectWithin(cpu, RunModel(bytes, staged16, seed), nodes, kFp16Tolerance,
               "fp16, memory=staging");
  if (std::getenv("EMBER_GPU_TEST_ERRORS") != nullptr)
    std::printf("%s: worst fp16 error %.3g\n", what.c_str(), worst);
}

template <typename T>
fb::BuiltinOptionsUnion Options(T o) {
  fb::BuiltinOptionsUnion u;
  u.Set(std::move(o));
  return u;
}

fb::ActivationFunctionType Act(Rng& rng) {
  static const fb::ActivationFunctionType acts[] = {
      fb::ActivationFunctionType::NONE, fb::ActivationFunctionType::RELU,
      fb::ActivationFunctionType::RELU6,
      fb::ActivationFunctionType::RELU_N1_TO_1};
  return acts[rng.Int(0, 3)];
}

int OutSize(int in, int k, int stride, int dilation, fb::Padding padding) {
  const int eff = (k - 1) * dilation + 1;
  return padding == fb::Padding::SAME ? (in + stride - 1) / stride
                                      : (in - eff + stride) / stride;
}

// CONV_2D: 1x1, KxK, strided, dilated, grouped; bias or not; fp16 weights
// behind DEQUANTIZE or fp32 constants.
std::vector<uint8_t> ConvModel(Rng& rng, bool depthwise, bool fp16,
                               int* nodes) {
  ModelBuilder b;
  const int n = rng.Int(1, 2), h = rng.Int(3, 12), w = rng.Int(3, 12);
  const int k = rng.Int(0, 2) == 0 ? 1 : rng.Int(2, 4);
  const int stride = rng.Int(1, 2), dilation = k > 1 ? rng.Int(1, 2) : 1;
  const fb::Padding padding =
      rng.Bool() ? fb::Padding::SAME : fb::Padding::VALID;
  const int oh = OutSize(h, k, stride, dilation, padding);
  const int ow = OutSize(w, k, stride, dilation, padding);
  if (oh <= 0 || ow <= 0) return {};
  int ci, co, groups = 1, mult = 1;
  std::vector<int32_t> fshape;
  if (depthwise) {
    ci = rng.Int(1, 8);
    mult = rng.Int(1, 2);
    co = ci * mult;
    fshape = {1, k, k, co};
  } else {
    groups = rng.Int(0, 2) == 0 ? rng.Int(2, 3) : 1;
    ci = groups * rng.Int(1, 6);
    co = groups * rng.Int(1, 5);
    fshape = {co, k, k, ci / groups};
  }
  const int x = b.AddTensor(kF32, {n, h, w, ci}, "x");
  int64_t fcount = 1;
  for (int32_t d : fshape) fcount *= d;
  std::vector<float> fv = rng.Floats(fcount, -1, 1);
  int filter;
  *nodes = 1;
  if (fp16) {
    std::vector<uint16_t> half(fcount);
    for (int64_t i = 0; i < fcount; ++i) {
      // Values exactly representable in fp16: k/1024 for |k| < 1024.
      const int q = static_cast<int>(std::lround(fv[i] * 1023));
      fv[i] = q / 1024.0f;
      const float a = std::fabs(fv[i]);
      uint16_t bits = 0;
      if (a != 0) {
        int e = 0;
        const float m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
        const int exp16 = e - 1 + 15;
        const int mant = static_cast<int>(std::lround((m * 2 - 1) * 1024));
        bits = static_cast<uint16_t>((exp16 << 10) | mant);
      }
      if (fv[i] < 0) bits |= 0x8000;
      half[i] = bits;
    }
    const int f16 =
        b.AddConstant<uint16_t>(fb::TensorType::FLOAT16, fshape, half, "w16");
    filter = b.AddTensor(kF32, fshape, "w");
    b.AddOp(Op::DEQUANTIZE, {f16}, {filter});
    *nodes += 1;
  } else {
    filter = b.AddConstant<float>(kF32, fshape, fv, "w");
  }
  int bias = -1;
  if (rng.Bool())
    bias = b.AddConstant<float>(kF32, {co}, rng.Floats(co, -1, 1), "b");
  const int y = b.AddTensor(kF32, {n, oh, ow, co}, "y");
  if (depthwise) {
    fb::DepthwiseConv2DOptionsT o;
    o.padding = padding;
    o.stride_h = o.stride_w = stride;
    o.dilation_h_factor = o.dilation_w_factor = dilation;
    o.depth_multiplier = mult;
    o.fused_activation_function = Act(rng);
    b.AddOp(Op::DEPTHWISE_CONV_2D, {x, filter, bias}, {y}, Options(o), 2);
  } else {
    fb::Conv2DOptionsT o;
    o.padding = padding;
    o.stride_h = o.stride_w = stride;
    o.dilation_h_factor = o.dilation_w_factor = dilation;
    o.fused_activation_function = Act(rng);
    b.AddOp(Op::CONV_2D, {x, filter, bias}, {y}, Options(o),
            groups > 1 ? 6 : 1);
  }
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

TEST(GpuDelegate, Conv2dRandomShapes) {
  Rng rng(13);
  for (int i = 0; i < 24; ++i) {
    int nodes = 0;
    const auto bytes = ConvModel(rng, false, i % 4 == 3, &nodes);
    if (!bytes.empty())
      ExpectMatches("conv case " + std::to_string(i), bytes, nodes, i);
  }
}

TEST(GpuDelegate, DepthwiseConv2dRandomShapes) {
  Rng rng(14);
  for (int i = 0; i < 20; ++i) {
    int nodes = 0;
    const auto bytes = ConvModel(rng, true, i % 4 == 3, &nodes);
    if (!bytes.empty())
      ExpectMatches("depthwise case " + std::to_string(i), bytes, nodes, i);
  }
}

TEST(GpuDelegate, FullyConnected) {
  Rng rng(15);
  for (int i = 0; i < 8; ++i) {
    ModelBuilder b;
    const int m = rng.Int(1, 5), k = rng.Int(1, 70), units = rng.Int(1, 20);
    const int x = b.AddTensor(kF32, {m, k}, "x");
    const int w =
        b.AddConstant<float>(kF32, {units, k}, rng.Floats(units * k, -1, 1));
    int bias = -1;
    if (i % 2 == 0)
      bias = b.AddConstant<float>(kF32, {units}, rng.Floats(units, -1, 1));
    const int y = b.AddTensor(kF32, {m, units}, "y");
    fb::FullyConnectedOptionsT o;
    o.fused_activation_function = Act(rng);
    b.AddOp(Op::FULLY_CONNECTED, {x, w, bias}, {y}, Options(o));
    b.SetInputs({x});
    b.SetOutputs({y});
    ExpectMatches("fc " + std::to_string(i), b.Build(), 1, i);
  }
}

// ADD/SUB/MUL/DIV/MAXIMUM/MINIMUM/PRELU with broadcast between random 4-D
// shapes (each dim of each side 1 or the output's).
TEST(GpuDelegate, BinaryOpsWithBroadcast) {
  Rng rng(16);
  const Op ops[] = {Op::ADD,     Op::SUB,     Op::MUL,  Op::DIV,
                    Op::MAXIMUM, Op::MINIMUM, Op::PRELU};
  for (int i = 0; i < 28; ++i) {
    const Op op = ops[i % 7];
    std::vector<int32_t> out = {rng.Int(1, 3), rng.Int(1, 6), rng.Int(1, 6),
                                rng.Int(1, 9)};
    std::vector<int32_t> a = out, bshape = out;
    for (int d = 0; d < 4; ++d) {
      if (rng.Int(0, 2) == 0) bshape[d] = 1;
      if (op != Op::PRELU && rng.Int(0, 3) == 0) a[d] = 1;
    }
    for (int d = 0; d < 4; ++d) out[d] = std::max(a[d], bshape[d]);
    if (op == Op::PRELU || rng.Bool()) bshape.erase(bshape.begin());
    ModelBuilder b;
    const int x = b.AddTensor(kF32, a, "a");
    const int z = b.AddTensor(kF32, bshape, "b");
    const int y = b.AddTensor(kF32, out, "y");
    fb::BuiltinOptionsUnion options;
    const fb::ActivationFunctionType act = Act(rng);
    if (op == Op::ADD) {
      fb::AddOptionsT o;
      o.fused_activation_function = act;
      options.Set(o);
    } else if (op == Op::SUB) {
      fb::SubOptionsT o;
      o.fused_activation_function = act;
      options.Set(o);
    } else if (op == Op::MUL) {
      fb::MulOptionsT o;
      o.fused_activation_function = act;
      options.Set(o);
    } else if (op == Op::DIV) {
      fb::DivOptionsT o;
      o.fused_activation_function = act;
      options.Set(o);
    }
    b.AddOp(op, {x, z}, {y}, std::move(options));
    b.SetInputs({x, z});
    b.SetOutputs({y});
    ExpectMatches(std::string(fb::EnumNameBuiltinOperator(op)) + " case " +
                      std::to_string(i),
                  b.Build(), 1, i);
  }
}

TEST(GpuDelegate, Activations) {
  Rng rng(17);
  const Op ops[] = {Op::RELU,     Op::RELU6,      Op::RELU_N1_TO_1,
                    Op::LOGISTIC, Op::TANH,       Op::HARD_SWISH,
                    Op::ELU,      Op::LEAKY_RELU, Op::RELU_0_TO_1};
  for (const Op op : ops) {
    ModelBuilder b;
    std::vector<int32_t> shape = {rng.Int(1, 3), rng.Int(1, 7), rng.Int(1, 40)};
    const int x = b.AddTensor(kF32, shape, "x");
    const int y = b.AddTensor(kF32, shape, "y");
    fb::BuiltinOptionsUnion options;
    if (op == Op::LEAKY_RELU) {
      fb::LeakyReluOptionsT o;
      o.alpha = 0.2f;
      options.Set(o);
    }
    b.AddOp(op, {x}, {y}, std::move(options));
    b.SetInputs({x});
    b.SetOutputs({y});
    ExpectMatches(fb::EnumNameBuiltinOperator(op), b.Build(), 1);
  }
}

TEST(GpuDelegate, Pools) {
  Rng rng(18);
  for (int i = 0; i < 16; ++i) {
    ModelBuilder b;
    const int h = rng.Int(2, 11), w = rng.Int(2, 11), c = rng.Int(1, 6);
    const int k = rng.Int(1, 3), stride = rng.Int(1, 2);
    const fb::Padding padding =
        rng.Bool() ? fb::Padding::SAME : fb::Padding::VALID;
    const int oh = OutSize(h, k, stride, 1, padding);
    const int ow = OutSize(w, k, stride, 1, padding);
    if (oh <= 0 || ow <= 0) continue;
    const int x = b.AddTensor(kF32, {1, h, w, c}, "x");
    const int y = b.AddTensor(kF32, {1, oh, ow, c}, "y");
    fb::Pool2DOptionsT o;
    o.padding = padding;
    o.stride_h = o.stride_w = stride;
    o.filter_height = o.filter_width = k;
    o.fused_activation_function = Act(rng);
    b.AddOp(i % 2 ? Op::MAX_POOL_2D : Op::AVERAGE_POOL_2D, {x}, {y},
            Options(o));
    b.SetInputs({x});
    b.SetOutputs({y});
    ExpectMatches("pool " + std::to_string(i), b.Build(), 1, i);
  }
}

TEST(GpuDelegate, MeanOverAxes) {
  const std::vector<std::vector<int32_t>> axes = {{1, 2}, {3}, {0, 3}, {-1}};
  for (size_t i = 0; i < axes.size(); ++i) {
    for (bool keep : {true, false}) {
      ModelBuilder b;
      const std::vector<int32_t> in = {2, 5, 4, 3};
      std::vector<int32_t> out;
      for (int d = 0; d < 4; ++d) {
        bool reduced = false;
        for (int32_t a : axes[i]) reduced |= (a < 0 ? a + 4 : a) == d;
        if (!reduced)
          out.push_back(in[d]);
        else if (keep)
          out.push_back(1);
      }
      const int x = b.AddTensor(kF32, in, "x");
      const int a = b.AddConstant<int32_t>(
          kI32, {static_cast<int32_t>(axes[i].size())}, axes[i]);
      const int y = b.AddTensor(kF32, out, "y");
      fb::ReducerOptionsT o;
      o.keep_dims = keep;
      b.AddOp(Op::MEAN, {x, a}, {y}, Options(o));
      b.SetInputs({x});
      b.SetOutputs({y});
      ExpectMatches("mean " + std::to_string(i), b.Build(), 1);
    }
  }
}

// CONCATENATION -> RESHAPE -> SOFTMAX, and PAD, in one partition.
TEST(GpuDelegate, ConcatReshapeSoftmaxPad) {
  for (int axis : {-1, 1, 3}) {
    ModelBuilder b;
    const int x1 = b.AddTensor(kF32, {1, 3, 4, 2}, "x1");
    const int x2 = b.AddTensor(kF32, {1, 3, 4, 2}, "x2");
    std::vector<int32_t> cat = {1, 3, 4, 2};
    cat[axis < 0 ? 3 : axis] *= 2;
    const int c = b.AddTensor(kF32, cat, "cat");
    fb::ConcatenationOptionsT co;
    co.axis = axis;
    b.AddOp(Op::CONCATENATION, {x1, x2}, {c}, Options(co));
    const int shape =
        b.AddConstant<int32_t>(kI32, {2}, std::vector<int32_t>{6, 8});
    const int r = b.AddTensor(kF32, {6, 8}, "r");
    fb::ReshapeOptionsT ro;
    ro.new_shape = {6, 8};
    b.AddOp(Op::RESHAPE, {c, shape}, {r}, Options(ro));
    const int s = b.AddTensor(kF32, {6, 8}, "s");
    fb::SoftmaxOptionsT so;
    so.beta = 0.7f;
    b.AddOp(Op::SOFTMAX, {r}, {s}, Options(so));
    const int pads =
        b.AddConstant<int32_t>(kI32, {2, 2}, std::vector<int32_t>{1, 0, 2, 3});
    const int p = b.AddTensor(kF32, {7, 13}, "p");
    b.AddOp(Op::PAD, {s, pads}, {p});
    b.SetInputs({x1, x2});
    b.SetOutputs({p});
    ExpectMatches("axis " + std::to_string(axis), b.Build(), 4);
  }
}

// The C4 layout over odd channel counts: CONV -> DEPTHWISE -> ADD ->
// PRELU -> MUL (per-channel constants) -> LOGISTIC -> pools stay C4 (padding
// lanes must stay zero through LOGISTIC and ADD), then a CONCATENATION on the
// channel axis of non-multiple-of-4 parts and a RESHAPE that changes the
// channel count (both NHWC, converted from C4), a CONV on 2 channels, SOFTMAX
// and MEAN over the channels.
TEST(GpuDelegate, C4LayoutOddChannels) {
  Rng rng(41);
  const int pairs[][2] = {{1, 3}, {2, 5}, {3, 1}, {5, 13}, {7, 7}, {13, 2}};
  for (auto [c, c2] : pairs) {
    ModelBuilder b;
    const int h = 5, w = 6;
    const int x = b.AddTensor(kF32, {1, h, w, c}, "x");
    auto conv = [&](int in, int ci, int co, int k, int oh, int ow,
                    fb::ActivationFunctionType act) {
      const int f = b.AddConstant<float>(kF32, {co, k, k, ci},
                                         rng.Floats(co * k * k * ci, -1, 1));
      const int bias = b.AddConstant<float>(kF32, {co}, rng.Floats(co, -1, 1));
      const int y = b.AddTensor(kF32, {1, oh, ow, co});
      fb::Conv2DOptionsT o;
      o.padding = fb::Padding::SAME;
      o.stride_h = o.stride_w = 1;
      o.dilation_h_factor = o.dilation_w_factor = 1;
      o.fused_activation_function = act;
      b.AddOp(Op::CONV_2D, {in, f, bias}, {y}, Options(o));
      return y;
    };
    const int c1 = conv(x, c, c2, 3, h, w, fb::ActivationFunctionType::RELU);
    const int dw =
        b.AddConstant<float>(kF32, {1, 3, 3, c2}, rng.Floats(9 * c2, -1, 1));
    const int d1 = b.AddTensor(kF32, {1, h, w, c2});
    fb::DepthwiseConv2DOptionsT dop;
    dop.padding = fb::Padding::SAME;
    dop.stride_h = dop.stride_w = 1;
    dop.dilation_h_factor = dop.dilation_w_factor = 1;
    dop.depth_multiplier = 1;
    b.AddOp(Op::DEPTHWISE_CONV_2D, {c1, dw, -1}, {d1}, Options(dop), 2);
    const int a1 = b.AddTensor(kF32, {1, h, w, c2});
    b.AddOp(Op::ADD, {d1, c1}, {a1}, Options(fb::AddOptionsT{}));
    // Per-channel constants broadcast over C4: PRELU's alpha [1, 1, C],
    // a MUL by [C].
    const int alpha =
        b.AddConstant<float>(kF32, {1, 1, c2}, rng.Floats(c2, 0.1f, 0.5f));
    const int pr = b.AddTensor(kF32, {1, h, w, c2});
    b.AddOp(Op::PRELU, {a1, alpha}, {pr});
    const int scale = b.AddConstant<float>(kF32, {c2}, rng.Floats(c2, -2, 2));
    const int mu = b.AddTensor(kF32, {1, h, w, c2});
    b.AddOp(Op::MUL, {pr, scale}, {mu}, Options(fb::MulOptionsT{}));
    const int l1 = b.AddTensor(kF32, {1, h, w, c2});
    b.AddOp(Op::LOGISTIC, {mu}, {l1});
    fb::Pool2DOptionsT po;
    po.padding = fb::Padding::VALID;
    po.stride_h = po.stride_w = 1;
    po.filter_height = po.filter_width = 2;
    const int m1 = b.AddTensor(kF32, {1, h - 1, w - 1, c2});
    b.AddOp(Op::MAX_POOL_2D, {a1}, {m1}, Options(po));
    const int m2 = b.AddTensor(kF32, {1, h - 1, w - 1, c2});
    b.AddOp(Op::AVERAGE_POOL_2D, {l1}, {m2}, Options(po));
    // DIV of C4 tensors: its padding lanes (0 / 0) must be written as 0,
    // or the 1x1 CONV after it, whose zero weights meet them, reads NaN.
    const int divisor =
        b.AddConstant<float>(kF32, {c2}, rng.Floats(c2, 0.5f, 2.0f));
    const int q = b.AddTensor(kF32, {1, h, w, c2});
    b.AddOp(Op::DIV, {l1, divisor}, {q}, Options(fb::DivOptionsT{}));
    const int k1 = conv(q, c2, 3, 1, h, w, fb::ActivationFunctionType::NONE);
    const int cat = b.AddTensor(kF32, {1, h - 1, w - 1, 2 * c2});
    fb::ConcatenationOptionsT co;
    co.axis = 3;
    b.AddOp(Op::CONCATENATION, {m1, m2}, {cat}, Options(co));
    const std::vector<int32_t> rs = {1, h - 1, (w - 1) * c2, 2};
    const int shape = b.AddConstant<int32_t>(kI32, {4}, rs);
    const int r = b.AddTensor(kF32, rs);
    fb::ReshapeOptionsT ro;
    ro.new_shape = rs;
    b.AddOp(Op::RESHAPE, {cat, shape}, {r}, Options(ro));
    const int c3 =
        conv(r, 2, 3, 1, h - 1, (w - 1) * c2, fb::ActivationFunctionType::NONE);
    const int s = b.AddTensor(kF32, {1, h - 1, (w - 1) * c2, 3});
    fb::SoftmaxOptionsT so;
    so.beta = 1.0f;
    b.AddOp(Op::SOFTMAX, {c3}, {s}, Options(so));
    const int axis = b.AddConstant<int32_t>(kI32, {1}, std::vector<int32_t>{3});
    const int mean = b.AddTensor(kF32, {1, h - 1, w - 1});
    fb::ReducerOptionsT mo;
    b.AddOp(Op::MEAN, {m1, axis}, {mean}, Options(mo));
    b.SetInputs({x});
    b.SetOutputs({s, mean, k1});
    ExpectMatches("channels " + std::to_string(c) + " -> " + std::to_string(c2),
                  b.Build(), 15);
  }
}

// DEPTH_TO_SPACE and SPACE_TO_DEPTH (block 2 and 3; the block size is
// derived from the shapes), chained with a 1x1 CONV so that the C4 layout
// meets them, and on their own.
TEST(GpuDelegate, DepthToSpaceAndSpaceToDepth) {
  Rng rng(57);
  for (int block : {2, 3}) {
    for (int c : {1, 3, 4}) {
      ModelBuilder b;
      const int n = rng.Int(1, 2), h = block * rng.Int(1, 3),
                w = block * rng.Int(1, 3);
      const int deep = c * block * block;
      const int x = b.AddTensor(kF32, {n, h, w, c}, "x");
      const int s2d = b.AddTensor(kF32, {n, h / block, w / block, deep});
      fb::SpaceToDepthOptionsT so;
      so.block_size = block;
      b.AddOp(Op::SPACE_TO_DEPTH, {x}, {s2d}, Options(so));
      const int f = b.AddConstant<float>(kF32, {deep, 1, 1, deep},
                                         rng.Floats(deep * deep, -1, 1));
      const int y = b.AddTensor(kF32, {n, h / block, w / block, deep});
      fb::Conv2DOptionsT co;
      co.padding = fb::Padding::VALID;
      co.stride_h = co.stride_w = 1;
      co.dilation_h_factor = co.dilation_w_factor = 1;
      b.AddOp(Op::CONV_2D, {s2d, f, -1}, {y}, Options(co));
      const int d2s = b.AddTensor(kF32, {n, h, w, c});
      fb::DepthToSpaceOptionsT dso;
      dso.block_size = block;
      b.AddOp(Op::DEPTH_TO_SPACE, {y}, {d2s}, Options(dso));
      b.SetInputs({x});
      b.SetOutputs({d2s, s2d});
      ExpectMatches(
          "block " + std::to_string(block) + " channels " + std::to_string(c),
          b.Build(), 3);
    }
  }
}

TEST(GpuDelegate, Resize) {
  for (int mode = 0; mode < 6; ++mode) {
    const bool bilinear = mode < 3;
    const bool align = mode % 3 == 1, half = mode % 3 == 2;
    for (auto [oh, ow] : {std::pair{8, 10}, std::pair{3, 5}}) {
      ModelBuilder b;
      const int x = b.AddTensor(kF32, {1, 4, 5, 3}, "x");
      const int size =
          b.AddConstant<int32_t>(kI32, {2}, std::vector<int32_t>{oh, ow});
      const int y = b.AddTensor(kF32, {1, oh, ow, 3}, "y");
      if (bilinear) {
        fb::ResizeBilinearOptionsT o;
        o.align_corners = align;
        o.half_pixel_centers = half;
        b.AddOp(Op::RESIZE_BILINEAR, {x, size}, {y}, Options(o), 3);
      } else {
        fb::ResizeNearestNeighborOptionsT o;
        o.align_corners = align;
        o.half_pixel_centers = half;
        b.AddOp(Op::RESIZE_NEAREST_NEIGHBOR, {x, size}, {y}, Options(o), 3);
      }
      b.SetInputs({x});
      b.SetOutputs({y});
      ExpectMatches("resize mode " + std::to_string(mode), b.Build(), 1);
    }
  }
}

TEST(GpuDelegate, TransposeConv) {
  Rng rng(19);
  for (int i = 0; i < 8; ++i) {
    ModelBuilder b;
    const int h = rng.Int(2, 6), w = rng.Int(2, 6), ci = rng.Int(1, 4);
    const int co = rng.Int(1, 4), k = rng.Int(1, 4), stride = rng.Int(1, 2);
    const fb::Padding padding = i % 2 ? fb::Padding::SAME : fb::Padding::VALID;
    const int oh =
        padding == fb::Padding::SAME ? h * stride : (h - 1) * stride + k;
    const int ow =
        padding == fb::Padding::SAME ? w * stride : (w - 1) * stride + k;
    const int shape =
        b.AddConstant<int32_t>(kI32, {4}, std::vector<int32_t>{1, oh, ow, co});
    const int f = b.AddConstant<float>(kF32, {co, k, k, ci},
                                       rng.Floats(co * k * k * ci, -1, 1));
    const int x = b.AddTensor(kF32, {1, h, w, ci}, "x");
    int bias = -1;
    if (rng.Bool())
      bias = b.AddConstant<float>(kF32, {co}, rng.Floats(co, -1, 1));
    const int y = b.AddTensor(kF32, {1, oh, ow, co}, "y");
    fb::TransposeConvOptionsT o;
    o.padding = padding;
    o.stride_h = o.stride_w = stride;
    b.AddOp(Op::TRANSPOSE_CONV, {shape, f, x, bias}, {y}, Options(o),
            bias >= 0 ? 3 : 1);
    b.SetInputs({x});
    b.SetOutputs({y});
    ExpectMatches("transpose conv " + std::to_string(i), b.Build(), 1, i);
  }
}

// A chain over several partitions' worth of ops with a CPU-only op (SIN)
// in the middle: two partitions, outputs still within tolerance.
TEST(GpuDelegate, CpuOpSplitsThePartitions) {
  GPU_OR_SKIP(gpu, DelegateOptions{});
  ModelBuilder b;
  const int x = b.AddTensor(kF32, {1, 4, 4, 3}, "x");
  int prev = x;
  auto unary = [&](Op op) {
    const int t = b.AddTensor(kF32, {1, 4, 4, 3});
    b.AddOp(op, {prev}, {t});
    prev = t;
  };
  unary(Op::RELU);
  unary(Op::LOGISTIC);
  unary(Op::TANH);
  unary(Op::SIN);
  unary(Op::RELU6);
  unary(Op::HARD_SWISH);
  unary(Op::LOGISTIC);
  unary(Op::TANH);  // a partition of 1: under the default minimum of 3
  b.SetInputs({x});
  b.SetOutputs({prev});
  const auto bytes = b.Build();
  const GpuRun cpu = RunModel(bytes, nullptr, 3);
  const GpuRun del = RunModel(bytes, gpu, 3);
  ASSERT_EQ(del.report.size(), 1u);
  EXPECT_EQ(del.report[0].NodesTaken(), 7);
  EXPECT_EQ(del.report[0].partitions.size(), 2u);
  for (size_t i = 0; i < cpu.outputs[0].size(); ++i)
    EXPECT_NEAR(del.outputs[0][i], cpu.outputs[0][i], kTolerance);
}

// A resized input: the partition is prepared again with the new shapes of
// its boundary and internal tensors, and still matches the CPU.
TEST(GpuDelegate, ResizedInputIsPreparedAgain) {
  GPU_OR_SKIP(gpu);
  GPU_OR_SKIP(gpu16, kFp16Options);
  ModelBuilder b;
  const int x = b.AddTensor(kF32, {1, 4, 4, 3}, "x");
  const int c =
      b.AddConstant<float>(kF32, {3}, std::vector<float>{0.5f, -1.0f, 2.0f});
  const int t1 = b.AddTensor(kF32, {1, 4, 4, 3});
  const int t2 = b.AddTensor(kF32, {1, 4, 4, 3});
  const int y = b.AddTensor(kF32, {1, 4, 4, 3}, "y");
  b.AddOp(Op::LOGISTIC, {x}, {t1});
  fb::AddOptionsT add;
  b.AddOp(Op::ADD, {t1, c}, {t2}, Options(add));
  b.AddOp(Op::TANH, {t2}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const auto bytes = b.Build();
  std::vector<std::vector<float>> results;
  // CPU, then the GPU at fp32, then at fp16.
  const std::shared_ptr<Delegate> runs[] = {nullptr, gpu, gpu16};
  for (const std::shared_ptr<Delegate>& delegate : runs) {
    const bool delegated = delegate != nullptr;
    ErrorReporter errors;
    std::unique_ptr<Model> model;
    ASSERT_TRUE(
        Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model)
            .ok());
    std::unique_ptr<Interpreter> interp;
    ASSERT_TRUE(
        Interpreter::Create(*model, OpResolver::Builtins(), {}, errors, &interp)
            .ok());
    std::shared_ptr<AppliedDelegates> applied;
    if (delegated)
      ASSERT_TRUE(ApplyDelegates(*interp, {delegate}, &applied).ok());
    ASSERT_TRUE(interp->AllocateTensors().ok());
    ASSERT_TRUE(interp->Invoke().ok());
    ASSERT_TRUE(interp->ResizeInput(0, Shape{4, {2, 5, 4, 3}}).ok());
    ASSERT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
    Subgraph& sg = interp->primary();
    Tensor& in = sg.tensors()[sg.inputs()[0]];
    for (int64_t i = 0; i < in.NumElements(); ++i)
      in.data_as<float>()[i] = 0.01f * static_cast<float>(i % 97) - 0.4f;
    ASSERT_TRUE(interp->Invoke().ok()) << interp->errors().message();
    const Tensor& out = sg.tensors()[sg.outputs()[0]];
    ASSERT_EQ(out.NumElements(), 2 * 5 * 4 * 3);
    results.emplace_back(out.data_as<float>(),
                         out.data_as<float>() + out.NumElements());
    if (delegated) {
      EXPECT_EQ(applied->Report()[0].NodesTaken(), 3);
      EXPECT_FALSE(applied->Report()[0].partitions[0].on_cpu)
          << applied->Report()[0].partitions[0].reason;
    }
  }
  // |y| <= 1 (TANH): the tolerances relative to max(1, |cpu|) are absolute.
  for (size_t i = 0; i < results[0].size(); ++i) {
    EXPECT_NEAR(results[1][i], results[0][i], kTolerance) << i;
    EXPECT_NEAR(results[2][i], results[0][i], kFp16Tolerance) << i;
  }
}

// int8 models stay on the CPU: the delegate takes no quantized node.
TEST(GpuDelegate, QuantizedNodesStayOnTheCpu) {
  GPU_OR_SKIP(gpu);
  ModelBuilder b;
  testing::QuantSpec q{{0.05f}, {0}};
  const int x = b.AddTensor(fb::TensorType::INT8, {1, 8}, "x", q);
  const int y = b.AddTensor(fb::TensorType::INT8, {1, 8}, "y", q);
  b.AddOp(Op::RELU, {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const auto bytes = b.Build();
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  ASSERT_TRUE(
      Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model).ok());
  std::unique_ptr<Interpreter> interp;
  ASSERT_TRUE(
      Interpreter::Create(*model, OpResolver::Builtins(), {}, errors, &interp)
          .ok());
  std::shared_ptr<AppliedDelegates> applied;
  ASSERT_TRUE(ApplyDelegates(*interp, {gpu}, &applied).ok());
  EXPECT_EQ(applied->Report()[0].nodes_offered, 0);
  EXPECT_TRUE(interp->AllocateTensors().ok());
  EXPECT_TRUE(interp->Invoke().ok());
}

TEST(GpuDelegate, DeclinesWithoutAVulkanLoader) {
  std::shared_ptr<Delegate> d;
  std::string error;
  const Status s = CreateDelegate(
      "gpu", {{"vulkan_library", "/nonexistent/libvulkan.so.1"}}, &d, &error);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(d, nullptr);
  // Built: names the missing loader. Not built: says so.
  EXPECT_TRUE(error.find("no Vulkan loader") != std::string::npos ||
              error.find("not built") != std::string::npos)
      << error;
}

TEST(GpuDelegate, BadOptionsAreNamed) {
  std::shared_ptr<Delegate> d;
  std::string error;
  EXPECT_FALSE(CreateDelegate("gpu", {{"colour", "blue"}}, &d, &error).ok());
  EXPECT_TRUE(error.find("colour") != std::string::npos ||
              error.find("not built") != std::string::npos)
      << error;
}

TEST(GpuDelegate, PrecisionOptionIsChecked) {
  std::shared_ptr<Delegate> d;
  std::string error;
  EXPECT_FALSE(CreateDelegate("gpu", {{"precision", "fp64"}}, &d, &error).ok());
  EXPECT_EQ(d, nullptr);
  EXPECT_TRUE((error.find("precision") != std::string::npos &&
               error.find("fp64") != std::string::npos) ||
              error.find("not built") != std::string::npos)
      << error;
}

TEST(GpuDelegate, MemoryOptionIsChecked) {
  std::shared_ptr<Delegate> d;
  std::string error;
  EXPECT_FALSE(CreateDelegate("gpu", {{"memory", "shared"}}, &d, &error).ok());
  EXPECT_EQ(d, nullptr);
  EXPECT_TRUE((error.find("memory") != std::string::npos &&
               error.find("shared") != std::string::npos) ||
              error.find("not built") != std::string::npos)
      << error;
}

// precision=fp16 really stores float16: RELU passes positive inputs
// through, so at fp32 they come back bit for bit, and at fp16 rounded to
// float16 (the 13 low mantissa bits zero, within 2^-11 relative), which
// for random floats differs from the input.
TEST(GpuDelegate, Fp16StoresHalfPrecision) {
  GPU_OR_SKIP(gpu);
  GPU_OR_SKIP(gpu16, kFp16Options);
  ModelBuilder b;
  const std::vector<int32_t> shape = {1, 8, 64};
  const int x = b.AddTensor(kF32, shape, "x");
  const int y = b.AddTensor(kF32, shape, "y");
  b.AddOp(Op::RELU, {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const std::vector<uint8_t> bytes = b.Build();
  const GpuRun cpu = RunModel(bytes, nullptr, 3);
  const GpuRun fp32 = RunModel(bytes, gpu, 3);
  const GpuRun fp16 = RunModel(bytes, gpu16, 3);
  ASSERT_EQ(cpu.outputs.size(), 1u);
  ASSERT_EQ(fp32.outputs.size(), 1u);
  ASSERT_EQ(fp16.outputs.size(), 1u);
  int positive = 0, rounded = 0;
  for (size_t i = 0; i < cpu.outputs[0].size(); ++i) {
    const float c = cpu.outputs[0][i], h = fp16.outputs[0][i];
    EXPECT_EQ(fp32.outputs[0][i], c) << i;
    if (c < 0.001f) {  // zeros (and tiny values, subnormal in fp16)
      EXPECT_NEAR(h, c, 0.001f) << i;
      continue;
    }
    ++positive;
    uint32_t bits;
    std::memcpy(&bits, &h, sizeof(bits));
    EXPECT_EQ(bits & 0x1fffu, 0u) << i << ": " << h << " is not a float16";
    EXPECT_LE(std::fabs(h - c), std::ldexp(std::fabs(c), -11)) << i;
    if (h != c) ++rounded;
  }
  EXPECT_GT(positive, 100);
  EXPECT_GT(rounded, positive / 2);
}

// Where the device lacks storageBuffer16BitAccess, precision=fp16 declines
// with a message naming the feature (the caller runs on the CPU).
// EMBER_GPU_HIDE_FP16_STORAGE=1 makes the delegate see it as missing.
TEST(GpuDelegate, Fp16DeclinesWithoutStorage16) {
  GPU_OR_SKIP(gpu);
  setenv("EMBER_GPU_HIDE_FP16_STORAGE", "1", 1);
  std::shared_ptr<Delegate> d;
  std::string error;
  const bool ok =
      CreateDelegate("gpu", {{"precision", "fp16"}}, &d, &error).ok();
  unsetenv("EMBER_GPU_HIDE_FP16_STORAGE");
  EXPECT_FALSE(ok);
  EXPECT_EQ(d, nullptr);
  EXPECT_NE(error.find("storageBuffer16BitAccess"), std::string::npos) << error;
  // fp32 does not need the feature.
  setenv("EMBER_GPU_HIDE_FP16_STORAGE", "1", 1);
  EXPECT_TRUE(CreateDelegate("gpu", {{"precision", "fp32"}}, &d, &error).ok())
      << error;
  unsetenv("EMBER_GPU_HIDE_FP16_STORAGE");
}

// A device without DEVICE_LOCAL memory, or without host-visible coherent
// memory for staging, declines naming the missing memory type.
TEST(GpuDelegate, DeclinesWithoutUsableMemoryTypes) {
  GPU_OR_SKIP(gpu);
  for (const char* hidden : {"device_local", "host_visible"}) {
    setenv("EMBER_GPU_HIDE_MEMORY", hidden, 1);
    std::shared_ptr<Delegate> d;
    std::string error;
    const bool ok = CreateDelegate("gpu", {}, &d, &error).ok();
    unsetenv("EMBER_GPU_HIDE_MEMORY");
    EXPECT_FALSE(ok) << hidden;
    EXPECT_EQ(d, nullptr);
    const std::string named =
        std::string(hidden) == "device_local" ? "DEVICE_LOCAL" : "HOST_VISIBLE";
    EXPECT_NE(error.find(named), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace ember::delegate
