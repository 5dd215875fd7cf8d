// The fp32 fast path (x86 AVX2/AVX-512, AArch64 NEON) against the
// reference kernels (the oracle):
// randomized shapes and parameters for GEMM convolution (1x1 direct and
// im2col), fully connected and depthwise convolution, over every ISA the
// CPU supports and 1/2/3 threads. Floats must agree within
// 1e-5 * sqrt(K) relative to max(1, max |reference output|). Also checks
// that EMBER_FORCE_REF / force_reference_kernels select reference kernels
// and that the interpreter's choice agrees with the reference end to end.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch/cpu_features.h"
#include "kernels/drivers/conv_f32.h"
#include "kernels/drivers/dwconv_geometry.h"
#include "kernels/ref/conv.h"
#include "kernels/ref/depthwise_conv.h"
#include "kernels/ref/fully_connected.h"
#include "runtime/interpreter.h"
#include "util/model_builder.h"

namespace ember {
namespace {

// The fp32 ISAs to test here: the GEMM list's entries this run allows
// (the depthwise list has the same ISAs).
std::vector<kernels::Isa> SupportedIsas() {
  return kernels::AllowedEntryIsas(x86::GemmF32Kernels(),
                                   kernels::AllowedIsas());
}

x86::GemmF32Kernel GemmFor(kernels::Isa isa) {
  return *kernels::EntryFor(x86::GemmF32Kernels(), isa);
}

x86::DwConvF32Fn DwConvFor(kernels::Isa isa, const char** name) {
  const x86::DwConvF32Kernel* k =
      kernels::EntryFor(x86::DwConvF32Kernels(), isa);
  *name = k != nullptr ? k->label : "ref";
  return k != nullptr ? k->fn : nullptr;
}

struct Rand {
  std::mt19937 gen;
  explicit Rand(uint32_t seed) : gen(seed) {}
  int Int(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(gen);
  }
  std::vector<float> Floats(size_t n) {
    std::uniform_real_distribution<float> d(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (auto& x : v) x = d(gen);
    return v;
  }
  void Clamp(float* lo, float* hi) {
    switch (Int(0, 3)) {
      case 0:
        *lo = -INFINITY;
        *hi = INFINITY;
        break;
      case 1:
        *lo = 0.0f;
        *hi = INFINITY;
        break;
      case 2:
        *lo = 0.0f;
        *hi = 6.0f;
        break;
      default:
        *lo = -1.0f;
        *hi = 1.0f;
        break;
    }
  }
};

void ExpectClose(const std::vector<float>& ref, const std::vector<float>& got,
                 double k, const std::string& what) {
  ASSERT_EQ(ref.size(), got.size()) << what;
  double scale = 1.0;
  for (float v : ref)
    scale = std::max(scale, static_cast<double>(std::fabs(v)));
  const double tol = 1e-5 * std::sqrt(std::max(k, 1.0)) * scale;
  double worst = 0.0;
  for (size_t i = 0; i < ref.size(); ++i)
    worst = std::max(worst, std::fabs(static_cast<double>(ref[i]) - got[i]));
  EXPECT_LE(worst, tol) << what;
}

int32_t OutSize(int32_t in, int32_t k, int32_t stride, int32_t dil, bool same,
                int32_t* pad) {
  const int32_t eff = (k - 1) * dil + 1;
  const int32_t out =
      same ? (in + stride - 1) / stride : (in - eff) / stride + 1;
  *pad = same ? std::max(0, ((out - 1) * stride + eff - in) / 2) : 0;
  return out;
}

TEST(FastF32Kernels, ConvGemmMatchesReference) {
  const auto isas = SupportedIsas();
  Rand rng(1234);
  // Every fifth case is grouped (2..4 groups; the ungrouped draws stay
  // those of `rng`): the channel counts drawn are per group.
  Rand group_rng(4242);
  int cases = 0, grouped = 0;
  for (int i = 0; i < 160; ++i) {
    ref::ConvShape s;
    s.batches = rng.Int(1, 3);
    s.in_h = rng.Int(1, 13);
    s.in_w = rng.Int(1, 13);
    s.in_c = rng.Int(1, 40);
    s.out_c = rng.Int(1, 70);
    const bool pointwise = i % 2 == 0;
    s.filter_h = pointwise ? 1 : rng.Int(1, 4);
    s.filter_w = pointwise ? 1 : rng.Int(1, 4);
    const int groups = i % 5 == 3 ? group_rng.Int(2, 4) : 1;
    s.filter_in_c = s.in_c;
    s.in_c *= groups;
    s.out_c *= groups;
    s.stride_h = pointwise && i % 4 == 0 ? 1 : rng.Int(1, 3);
    s.stride_w = pointwise && i % 4 == 0 ? 1 : rng.Int(1, 3);
    s.dilation_h = rng.Int(0, 3) == 0 ? 2 : 1;
    s.dilation_w = rng.Int(0, 3) == 0 ? 2 : 1;
    const bool same = rng.Int(0, 1) == 1;
    if (!same && ((s.filter_h - 1) * s.dilation_h + 1 > s.in_h ||
                  (s.filter_w - 1) * s.dilation_w + 1 > s.in_w))
      continue;
    s.out_h =
        OutSize(s.in_h, s.filter_h, s.stride_h, s.dilation_h, same, &s.pad_top);
    s.out_w = OutSize(s.in_w, s.filter_w, s.stride_w, s.dilation_w, same,
                      &s.pad_left);
    float lo, hi;
    rng.Clamp(&lo, &hi);
    const int32_t k = s.filter_h * s.filter_w * s.filter_in_c;
    const int32_t group_n = s.out_c / groups;
    auto input =
        rng.Floats(static_cast<size_t>(s.batches) * s.in_h * s.in_w * s.in_c);
    auto filter = rng.Floats(static_cast<size_t>(s.out_c) * k);
    auto bias = rng.Floats(s.out_c);
    const bool has_bias = rng.Int(0, 3) != 0;
    const size_t out_n =
        static_cast<size_t>(s.batches) * s.out_h * s.out_w * s.out_c;
    std::vector<float> expect(out_n);
    ref::ConvFloat(s, input.data(), filter.data(),
                   has_bias ? bias.data() : nullptr, lo, hi, expect.data());
    const bool direct = s.filter_h == 1 && s.filter_w == 1 && s.stride_h == 1 &&
                        s.stride_w == 1 && s.out_h == s.in_h &&
                        s.out_w == s.in_w && groups == 1;
    for (kernels::Isa isa : isas) {
      const x86::GemmF32Kernel kern = GemmFor(isa);
      ASSERT_NE(kern.fn, nullptr);
      // One panel set per group (as ops::PackFastGemm with groups).
      const size_t group_floats =
          x86::PackedGemmWeightsBytes(group_n, k, kern.nr) / sizeof(float);
      std::vector<float> packed_mem(group_floats * groups + 16);
      float* packed = packed_mem.data();
      while (reinterpret_cast<uintptr_t>(packed) % 64) ++packed;
      for (int g = 0; g < groups; ++g) {
        const size_t row0 = static_cast<size_t>(g) * group_n;
        x86::PackGemmWeightsF32(filter.data() + row0 * k,
                                has_bias ? bias.data() + row0 : nullptr,
                                group_n, k, kern.nr, packed + g * group_floats);
      }
      for (int threads = 1; threads <= 3; ++threads) {
        ThreadPool pool(threads);
        pool.set_split_small_work(true);  // small test shapes: split anyway
        std::vector<float> got(out_n, 12345.0f);
        if (direct) {
          x86::GemmF32Args g;
          g.m = static_cast<int64_t>(s.batches) * s.out_h * s.out_w;
          g.n = s.out_c;
          g.k = k;
          g.a = input.data();
          g.lda = s.in_c;
          g.packed = packed;
          g.c = got.data();
          g.ldc = s.out_c;
          g.lo = lo;
          g.hi = hi;
          x86::RunGemmF32(&pool, kern, g);
        } else {
          std::vector<float> scratch(x86::Im2colScratchFloats(s, threads));
          x86::RunConvIm2colF32(&pool, threads, kern, s, input.data(), packed,
                                lo, hi, scratch.data(), got.data());
        }
        ExpectClose(expect, got, k,
                    std::string(kern.function) + " case " + std::to_string(i) +
                        " threads " + std::to_string(threads));
      }
    }
    ++cases;
    grouped += groups > 1;
  }
  EXPECT_GE(cases, 100);
  EXPECT_GE(grouped, 20);
}

TEST(FastF32Kernels, FullyConnectedGemmMatchesReference) {
  const auto isas = SupportedIsas();
  Rand rng(99);
  for (int i = 0; i < 120; ++i) {
    ref::FullyConnectedShape s;
    s.batches = rng.Int(1, 20);
    s.depth = rng.Int(1, 300);
    s.units = rng.Int(1, 100);
    float lo, hi;
    rng.Clamp(&lo, &hi);
    auto input = rng.Floats(static_cast<size_t>(s.batches) * s.depth);
    auto weights = rng.Floats(static_cast<size_t>(s.units) * s.depth);
    auto bias = rng.Floats(s.units);
    const bool has_bias = i % 3 != 0;
    std::vector<float> expect(static_cast<size_t>(s.batches) * s.units);
    ref::FullyConnectedFloat(s, input.data(), weights.data(),
                             has_bias ? bias.data() : nullptr, lo, hi,
                             expect.data());
    for (kernels::Isa isa : isas) {
      const x86::GemmF32Kernel kern = GemmFor(isa);
      std::vector<float> packed_mem(
          x86::PackedGemmWeightsBytes(s.units, s.depth, kern.nr) /
              sizeof(float) +
          16);
      float* packed = packed_mem.data();
      while (reinterpret_cast<uintptr_t>(packed) % 64) ++packed;
      x86::PackGemmWeightsF32(weights.data(), has_bias ? bias.data() : nullptr,
                              s.units, s.depth, kern.nr, packed);
      for (int threads = 1; threads <= 3; ++threads) {
        ThreadPool pool(threads);
        pool.set_split_small_work(true);  // small test shapes: split anyway
        std::vector<float> got(expect.size(), 12345.0f);
        x86::GemmF32Args g;
        g.m = s.batches;
        g.n = s.units;
        g.k = s.depth;
        g.a = input.data();
        g.lda = s.depth;
        g.packed = packed;
        g.c = got.data();
        g.ldc = s.units;
        g.lo = lo;
        g.hi = hi;
        x86::RunGemmF32(&pool, kern, g);
        ExpectClose(expect, got, s.depth,
                    std::string(kern.function) + " case " + std::to_string(i));
      }
    }
  }
}

TEST(FastF32Kernels, DepthwiseMatchesReference) {
  const auto isas = SupportedIsas();
  Rand rng(7);
  int cases = 0;
  for (int i = 0; i < 150; ++i) {
    ref::DepthwiseShape s;
    s.batches = rng.Int(1, 3);
    s.in_h = rng.Int(1, 14);
    s.in_w = rng.Int(1, 14);
    s.in_c = rng.Int(1, 50);
    const bool k3 = i % 3 != 0;
    s.filter_h = k3 ? 3 : rng.Int(1, 5);
    s.filter_w = k3 ? 3 : rng.Int(1, 5);
    s.stride_h = rng.Int(1, 2);
    s.stride_w = rng.Int(1, 2);
    s.dilation_h = rng.Int(0, 4) == 0 ? 2 : 1;
    s.dilation_w = rng.Int(0, 4) == 0 ? 2 : 1;
    const bool same = rng.Int(0, 2) != 0;
    if (!same && ((s.filter_h - 1) * s.dilation_h + 1 > s.in_h ||
                  (s.filter_w - 1) * s.dilation_w + 1 > s.in_w))
      continue;
    s.out_h =
        OutSize(s.in_h, s.filter_h, s.stride_h, s.dilation_h, same, &s.pad_top);
    s.out_w = OutSize(s.in_w, s.filter_w, s.stride_w, s.dilation_w, same,
                      &s.pad_left);
    float lo, hi;
    rng.Clamp(&lo, &hi);
    const int32_t C = s.in_c;
    auto input =
        rng.Floats(static_cast<size_t>(s.batches) * s.in_h * s.in_w * C);
    auto filter = rng.Floats(static_cast<size_t>(s.filter_h) * s.filter_w * C);
    auto bias = rng.Floats(C);
    const size_t out_n = static_cast<size_t>(s.batches) * s.out_h * s.out_w * C;
    std::vector<float> expect(out_n);
    ref::DepthwiseConvFloat(s, input.data(), filter.data(), bias.data(), lo, hi,
                            expect.data());
    std::vector<float> zeros(static_cast<size_t>(s.in_w) * C, 0.0f);
    for (kernels::Isa isa : isas) {
      const char* name = nullptr;
      x86::DwConvF32Fn fn = DwConvFor(isa, &name);
      ASSERT_NE(fn, nullptr);
      for (int threads = 1; threads <= 3; ++threads) {
        ThreadPool pool(threads);
        pool.set_split_small_work(true);  // small test shapes: split anyway
        std::vector<float> got(out_n, 12345.0f);
        x86::DwConvF32Args a;
        x86::CopyDwGeometry(s, &a);
        a.input = input.data();
        a.filter = filter.data();
        a.bias = bias.data();
        a.zero_row = zeros.data();
        a.output = got.data();
        a.lo = lo;
        a.hi = hi;
        x86::RunDwConvF32(&pool, fn, a);
        ExpectClose(expect, got, s.filter_h * s.filter_w,
                    std::string(name) + " case " + std::to_string(i));
      }
    }
    ++cases;
  }
  EXPECT_GE(cases, 100);
}

// conv 3x3 s2 -> depthwise 3x3 -> conv 1x1 -> fully connected, float.
std::vector<uint8_t> SmallNet() {
  testing::ModelBuilder b;
  Rand rng(5);
  const auto f32 = fb::TensorType::FLOAT32;
  const int x = b.AddTensor(f32, {2, 9, 11, 3}, "x");
  const int f1 =
      b.AddConstant<float>(f32, {20, 3, 3, 3}, rng.Floats(20 * 27), "f1");
  const int b1 = b.AddConstant<float>(f32, {20}, rng.Floats(20), "b1");
  const int y1 = b.AddTensor(f32, {}, "y1");
  const int f2 =
      b.AddConstant<float>(f32, {1, 3, 3, 20}, rng.Floats(180), "f2");
  const int b2 = b.AddConstant<float>(f32, {20}, rng.Floats(20), "b2");
  const int y2 = b.AddTensor(f32, {}, "y2");
  const int f3 =
      b.AddConstant<float>(f32, {17, 1, 1, 20}, rng.Floats(340), "f3");
  const int y3 = b.AddTensor(f32, {}, "y3");
  const int f4 =
      b.AddConstant<float>(f32, {5, 17 * 5 * 6}, rng.Floats(5 * 510), "f4");
  const int b4 = b.AddConstant<float>(f32, {5}, rng.Floats(5), "b4");
  const int y4 = b.AddTensor(f32, {}, "y4");
  {
    fb::Conv2DOptionsT opt;
    opt.padding = fb::Padding::SAME;
    opt.stride_h = opt.stride_w = 2;
    opt.fused_activation_function = fb::ActivationFunctionType::RELU6;
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::CONV_2D, {x, f1, b1}, {y1}, std::move(u));
  }
  {
    fb::DepthwiseConv2DOptionsT opt;
    opt.padding = fb::Padding::SAME;
    opt.stride_h = opt.stride_w = 1;
    opt.depth_multiplier = 1;
    opt.fused_activation_function = fb::ActivationFunctionType::RELU;
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::DEPTHWISE_CONV_2D, {y1, f2, b2}, {y2},
            std::move(u));
  }
  {
    fb::Conv2DOptionsT opt;
    opt.padding = fb::Padding::VALID;
    opt.stride_h = opt.stride_w = 1;
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::CONV_2D, {y2, f3, -1}, {y3}, std::move(u));
  }
  {
    fb::FullyConnectedOptionsT opt;
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {y3, f4, b4}, {y4},
            std::move(u));
  }
  b.SetInputs({x});
  b.SetOutputs({y4});
  return b.Build();
}

struct NetRun {
  std::vector<std::string> variants;
  std::vector<float> output;
};

NetRun RunNet(const std::vector<uint8_t>& bytes, bool force_ref, int threads) {
  NetRun r;
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  EXPECT_TRUE(
      Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model).ok())
      << errors.message();
  InterpreterOptions options;
  options.force_reference_kernels = force_ref;
  options.num_threads = threads;
  options.split_small_work = true;  // small test models: split anyway
  std::unique_ptr<Interpreter> interp;
  EXPECT_TRUE(Interpreter::Create(*model, OpResolver::Builtins(), options,
                                  errors, &interp)
                  .ok())
      << errors.message();
  EXPECT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
  Subgraph& sg = interp->primary();
  for (const Node& n : sg.nodes()) r.variants.push_back(n.kernel_variant);
  Tensor& in = sg.tensors()[sg.inputs()[0]];
  Rand rng(11);
  auto values = rng.Floats(static_cast<size_t>(in.NumElements()));
  std::memcpy(in.data, values.data(), in.bytes);
  EXPECT_TRUE(interp->Invoke().ok()) << interp->errors().message();
  const Tensor& out = sg.tensors()[sg.outputs()[0]];
  r.output.assign(out.data_as<float>(),
                  out.data_as<float>() + out.NumElements());
  return r;
}

TEST(FastF32Kernels, InterpreterPicksVariantsAndForceRefWorks) {
  const auto bytes = SmallNet();
  const NetRun ref_run = RunNet(bytes, /*force_ref=*/true, 1);
  ASSERT_EQ(ref_run.variants.size(), 4u);
  for (const auto& v : ref_run.variants) EXPECT_EQ(v, "ref");
  for (int threads = 1; threads <= 3; ++threads) {
    const NetRun fast = RunNet(bytes, false, threads);
    ASSERT_EQ(fast.variants.size(), 4u);
    if (dispatch::EnvForcesReference()) {
      for (const auto& v : fast.variants) EXPECT_EQ(v, "ref");
    } else if (kernels::AllowedIsas().any_float()) {
      EXPECT_NE(fast.variants[0].find("im2col_gemm"), std::string::npos)
          << fast.variants[0];
      EXPECT_NE(fast.variants[1].find("dwconv"), std::string::npos)
          << fast.variants[1];
      EXPECT_NE(fast.variants[2].find("gemm"), std::string::npos)
          << fast.variants[2];
      EXPECT_EQ(fast.variants[2].find("im2col"), std::string::npos)
          << fast.variants[2];
      EXPECT_NE(fast.variants[3].find("gemm"), std::string::npos)
          << fast.variants[3];
    }
    ExpectClose(ref_run.output, fast.output, 510, "small net");
  }
  // The environment switch (read once per process, so it is only checked
  // here when the test runner was started with it).
  if (dispatch::EnvForcesReference()) {
    const NetRun env = RunNet(bytes, false, 1);
    for (const auto& v : env.variants) EXPECT_EQ(v, "ref");
  }
}

}  // namespace
}  // namespace ember
