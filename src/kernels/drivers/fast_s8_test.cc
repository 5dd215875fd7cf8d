// The int8 fast path of CONV_2D / FULLY_CONNECTED (x86, AArch64) against
// the reference kernels (the oracle): each randomized single-op model runs
// once with force_reference_kernels and then with every int8 ISA this CPU
// allows (pinned with kernels::ScopedIsaOverride) at 1, 2 and 3 threads. int8
// outputs must be bit-exact; hybrid (float in/out, int8 weights) outputs within
// 1e-5 x max(1, max |reference|) (same quantized input and integer
// accumulators; only the float scaling's rounding order may differ).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kernels/dispatch/cpu_features.h"
#include "kernels/dispatch/isa.h"
#include "kernels/drivers/gemm_s8.h"
#include "kernels/ref/conv_common.h"
#include "runtime/interpreter.h"
#include "util/model_run.h"
#include "util/op_test_harness.h"

namespace ember {
namespace {

using testing::ModelBuilder;
using testing::QuantSpec;
using testing::Rng;

// The int8 tiles of the list this run allows, best first.
std::vector<kernels::Isa> SupportedS8Isas() {
  return kernels::AllowedEntryIsas(x86::S8Kernels(), kernels::AllowedIsas());
}

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

// Runs the model with the reference and every supported ISA and thread
// count; `hybrid` compares floats, otherwise bytes.
void CheckAgainstReference(const std::vector<uint8_t>& model,
                           const std::vector<uint8_t>& input, bool hybrid,
                           const std::string& what) {
  const Run ref = RunModel(model, input, /*force_ref=*/true, 1);
  ASSERT_EQ(ref.variant, "ref") << what;
  for (kernels::Isa isa : SupportedS8Isas()) {
    // The tier named after the ISA picks exactly its list entry.
    kernels::ScopedIsaOverride force(kernels::IsaName(isa));
    for (int threads = 1; threads <= 3; ++threads) {
      const Run got = RunModel(model, input, false, threads);
      const std::string where = what + " isa=" + kernels::IsaName(isa) +
                                " threads=" + std::to_string(threads);
      if (!dispatch::EnvForcesReference())
        EXPECT_NE(got.variant.find("_s8_"), std::string::npos)
            << where << " " << got.variant;
      ASSERT_EQ(got.output.size(), ref.output.size()) << where;
      if (!hybrid) {
        size_t diffs = 0, first = 0;
        for (size_t i = 0; i < ref.output.size(); ++i) {
          if (ref.output[i] != got.output[i] && diffs++ == 0) first = i;
        }
        EXPECT_EQ(diffs, 0u) << where << " first mismatch at " << first
                             << ": ref " << int(int8_t(ref.output[first]))
                             << " got " << int(int8_t(got.output[first]));
      } else {
        const auto r = AsFloats(ref.output), g = AsFloats(got.output);
        double scale = 1.0, worst = 0.0;
        for (float v : r)
          scale = std::max(scale, std::fabs(static_cast<double>(v)));
        for (size_t i = 0; i < r.size(); ++i)
          worst = std::max(worst, std::fabs(static_cast<double>(r[i]) - g[i]));
        EXPECT_LE(worst, 1e-5 * scale) << where;
      }
    }
  }
}

// Requantization multiplier spread: mostly outputs in range, sometimes a
// multiplier above one (left shifts) or tiny (large right shifts).
float OutputScale(Rng& rng, float in_scale, float w_scale, int64_t k) {
  const float typical =
      in_scale * w_scale * 5000.0f * std::sqrt(static_cast<float>(k));
  switch (rng.Int(0, 5)) {
    case 0:
      return in_scale * w_scale * rng.Float(0.2f, 0.9f);  // multiplier > 1
    case 1:
      return typical * rng.Float(20.0f, 200.0f);
    default:
      return typical / 60.0f * rng.Float(0.3f, 3.0f);
  }
}

QuantSpec WeightQuant(Rng& rng, int channels, bool per_channel,
                      float* typical) {
  QuantSpec q;
  const int n = per_channel ? channels : 1;
  for (int c = 0; c < n; ++c) {
    q.scales.push_back(rng.Float(0.002f, 0.02f));
    q.zero_points.push_back(0);
  }
  *typical = q.scales[0];
  return q;
}

std::vector<uint8_t> RandomBytes(Rng& rng, size_t n) {
  return rng.Ints<uint8_t>(n, 0, 255);
}

TEST(FastS8Kernels, ConvMatchesReference) {
  if (SupportedS8Isas().empty()) GTEST_SKIP() << "no AVX2";
  std::string names;
  for (kernels::Isa isa : SupportedS8Isas())
    names +=
        std::string(" ") + kernels::EntryFor(x86::S8Kernels(), isa)->function;
  std::printf("cpu: %s; int8 kernels tested:%s\n",
              dispatch::CpuFeaturesString(), names.c_str());
  Rng rng(4321);
  int cases = 0;
  for (int i = 0; i < 78; ++i) {
    // Cases 70-73 are big enough (millions of MACs) to be split over
    // several workers; 74-77 have over 512 input channels, so a tile's k
    // per tap spans more than one of the AVX2 tile's activation chunks.
    const bool big = i >= 70 && i < 74;
    const bool deep = i >= 74;
    const int batches = rng.Int(1, 2);
    const int in_h = big    ? rng.Int(20, 28)
                     : deep ? rng.Int(3, 6)
                            : rng.Int(1, 11);
    const int in_w = big    ? rng.Int(20, 28)
                     : deep ? rng.Int(3, 6)
                            : rng.Int(1, 11);
    const int in_c = big    ? rng.Int(40, 70)
                     : deep ? rng.Int(513, 1100)
                            : rng.Int(1, 37);
    const int out_c = big    ? rng.Int(60, 100)
                      : deep ? rng.Int(1, 40)
                             : rng.Int(1, 70);
    const bool pointwise = i % 3 == 0;
    const int fh = pointwise ? 1 : rng.Int(1, 5),
              fw = pointwise ? 1 : rng.Int(1, 5);
    const int stride = pointwise && i % 2 == 0 ? 1 : rng.Int(1, 3);
    const int dil = !pointwise && rng.Int(0, 3) == 0 ? 2 : 1;
    const bool same = rng.Bool();
    if (!same && ((fh - 1) * dil + 1 > in_h || (fw - 1) * dil + 1 > in_w))
      continue;
    const bool hybrid = i % 5 == 4;
    const bool per_channel = rng.Bool();
    const int64_t k = static_cast<int64_t>(fh) * fw * in_c;

    ModelBuilder b;
    float w_scale = 0.0f;
    const QuantSpec wq = WeightQuant(rng, out_c, per_channel, &w_scale);
    const int filter = b.AddConstant<int8_t>(
        fb::TensorType::INT8, {out_c, fh, fw, in_c},
        rng.Ints<int8_t>(static_cast<size_t>(out_c) * k, -127, 127), "filter",
        wq);
    int x, y, bias = -1;
    if (hybrid) {
      x = b.AddTensor(testing::kF32, {batches, in_h, in_w, in_c}, "x");
      y = b.AddTensor(testing::kF32, {}, "y");
      if (rng.Int(0, 3) != 0)
        bias = b.AddConstant<float>(testing::kF32, {out_c},
                                    rng.Floats(out_c, -2, 2), "bias");
    } else {
      const float in_scale = rng.Float(0.01f, 0.1f);
      const int in_zp = rng.Int(-128, 127);
      x = b.AddTensor(fb::TensorType::INT8, {batches, in_h, in_w, in_c}, "x",
                      testing::PerTensor(in_scale, in_zp));
      y = b.AddTensor(fb::TensorType::INT8, {}, "y",
                      testing::PerTensor(OutputScale(rng, in_scale, w_scale, k),
                                         rng.Int(-128, 127)));
      if (rng.Int(0, 3) != 0)
        bias = b.AddConstant<int32_t>(testing::kI32, {out_c},
                                      rng.Ints<int32_t>(out_c, -30000, 30000),
                                      "bias");
    }
    fb::Conv2DOptionsT opt;
    opt.padding = same ? fb::Padding::SAME : fb::Padding::VALID;
    opt.stride_h = stride;
    opt.stride_w = pointwise ? stride : rng.Int(1, 3);
    opt.dilation_h_factor = dil;
    opt.dilation_w_factor = dil;
    opt.fused_activation_function = testing::RandomActivation(rng);
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::CONV_2D, {x, filter, bias}, {y}, std::move(u));
    b.SetInputs({x});
    b.SetOutputs({y});
    const size_t in_elems = static_cast<size_t>(batches) * in_h * in_w * in_c;
    std::vector<uint8_t> input;
    if (hybrid) {
      const auto f = rng.Floats(in_elems, -3.0f, rng.Float(-1.0f, 4.0f));
      input.resize(f.size() * sizeof(float));
      std::memcpy(input.data(), f.data(), input.size());
    } else {
      input = RandomBytes(rng, in_elems);
    }
    CheckAgainstReference(
        b.Build(), input, hybrid,
        "conv case " + std::to_string(i) + " k=" + std::to_string(fh) + "x" +
            std::to_string(fw) + " in_c=" + std::to_string(in_c) +
            " out_c=" + std::to_string(out_c));
    ++cases;
  }
  EXPECT_GT(cases, 40);
}

TEST(FastS8Kernels, FullyConnectedMatchesReference) {
  if (SupportedS8Isas().empty()) GTEST_SKIP() << "no AVX2";
  Rng rng(987);
  // Depths around and over the AVX2 tile's activation chunk (512).
  constexpr int kDeep[] = {511, 512, 513, 1027, 1541, 2050};
  for (int i = 0; i < 48; ++i) {
    const bool big = i >= 40 && i < 42;  // split over workers
    const bool deep = i >= 42;
    const int batches = big ? rng.Int(40, 70) : rng.Int(1, 11);
    const int depth = big    ? rng.Int(400, 600)
                      : deep ? kDeep[i - 42]
                             : rng.Int(1, 300);
    const int units = big ? rng.Int(150, 250) : rng.Int(1, 90);
    const bool hybrid = i % 3 == 2;
    const bool keep_dims = i % 4 == 1;
    const bool per_channel = rng.Bool();
    ModelBuilder b;
    float w_scale = 0.0f;
    const QuantSpec wq = WeightQuant(rng, units, per_channel, &w_scale);
    const int weights = b.AddConstant<int8_t>(
        fb::TensorType::INT8, {units, depth},
        rng.Ints<int8_t>(static_cast<size_t>(units) * depth, -127, 127), "w",
        wq);
    const std::vector<int32_t> in_shape =
        keep_dims ? std::vector<int32_t>{1, batches, depth}
                  : std::vector<int32_t>{batches, depth};
    int x, y, bias = -1;
    if (hybrid) {
      x = b.AddTensor(testing::kF32, in_shape, "x");
      y = b.AddTensor(testing::kF32, {}, "y");
      if (rng.Bool())
        bias = b.AddConstant<float>(testing::kF32, {units},
                                    rng.Floats(units, -2, 2), "bias");
    } else {
      const float in_scale = rng.Float(0.01f, 0.1f);
      x = b.AddTensor(fb::TensorType::INT8, in_shape, "x",
                      testing::PerTensor(in_scale, rng.Int(-128, 127)));
      y = b.AddTensor(
          fb::TensorType::INT8, {}, "y",
          testing::PerTensor(OutputScale(rng, in_scale, w_scale, depth),
                             rng.Int(-128, 127)));
      if (rng.Bool())
        bias = b.AddConstant<int32_t>(testing::kI32, {units},
                                      rng.Ints<int32_t>(units, -30000, 30000),
                                      "bias");
    }
    fb::FullyConnectedOptionsT opt;
    opt.keep_num_dims = keep_dims;
    opt.asymmetric_quantize_inputs = hybrid && rng.Bool();
    opt.fused_activation_function = testing::RandomActivation(rng);
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {x, weights, bias}, {y},
            std::move(u));
    b.SetInputs({x});
    b.SetOutputs({y});
    const size_t in_elems = static_cast<size_t>(batches) * depth;
    std::vector<uint8_t> input;
    if (hybrid) {
      const auto f = rng.Floats(in_elems, rng.Float(-4.0f, 0.0f), 2.0f);
      input.resize(f.size() * sizeof(float));
      std::memcpy(input.data(), f.data(), input.size());
    } else {
      input = RandomBytes(rng, in_elems);
    }
    CheckAgainstReference(b.Build(), input, hybrid,
                          "fc case " + std::to_string(i) +
                              " depth=" + std::to_string(depth) +
                              " units=" + std::to_string(units));
  }
}

// The vectorized hybrid input quantization gives the reference's bits,
// including ties (values that land exactly on .5), all-zero and one-signed
// inputs.
// Each vector version is called directly (the dispatcher picks only the
// best this CPU has), then the dispatcher itself.
using QuantizeFn = void (*)(bool, const float*, int64_t, int8_t*, float*,
                            int32_t*);

std::vector<std::pair<const char*, QuantizeFn>> InputQuantizers() {
  std::vector<std::pair<const char*, QuantizeFn>> fns = {
      {"dispatch", &x86::QuantizeS8Input}};
#if defined(__x86_64__)
  const kernels::IsaSet cpu = kernels::DetectedIsas();
  if (cpu.contains(kernels::Isa::kAvx512Vnni)) {
    fns.push_back({"avx512", [](bool asym, const float* x, int64_t n,
                                int8_t* out, float* scale, int32_t* zp) {
                     if (asym) {
                       x86::QuantizeS8AsymmetricAvx512(x, n, out, scale, zp);
                     } else {
                       x86::QuantizeS8SymmetricAvx512(x, n, out, scale);
                       *zp = 0;
                     }
                   }});
  }
  if (cpu.contains(kernels::Isa::kAvx2)) {
    fns.push_back({"avx2", [](bool asym, const float* x, int64_t n, int8_t* out,
                              float* scale, int32_t* zp) {
                     if (asym) {
                       x86::QuantizeS8AsymmetricAvx2(x, n, out, scale, zp);
                     } else {
                       x86::QuantizeS8SymmetricAvx2(x, n, out, scale);
                       *zp = 0;
                     }
                   }});
  }
#endif
  return fns;
}

TEST(FastS8Kernels, HybridInputQuantizationMatchesReference) {
  Rng rng(55);
  for (int i = 0; i < 200; ++i) {
    const int64_t n = rng.Int(1, 100);
    std::vector<float> x;
    switch (i % 4) {
      case 0:
        x = rng.Floats(n, -3.0f, 5.0f);
        break;
      case 1:
        x = rng.Floats(n, 0.5f, 2.0f);
        break;
      case 2:
        x.assign(n, 0.0f);
        break;
      default:  // multiples of 0.5 / 127: many exact ties
        for (int64_t j = 0; j < n; ++j) x.push_back(rng.Int(-254, 254) * 0.5f);
        break;
    }
    for (bool asym : {false, true}) {
      std::vector<int8_t> want(n);
      float want_scale = 0;
      int32_t want_zp = 0;
      if (asym) {
        ref::AsymmetricQuantizeToInt8(x.data(), n, want.data(), &want_scale,
                                      &want_zp);
      } else {
        ref::SymmetricQuantizeToInt8(x.data(), n, want.data(), &want_scale);
      }
      for (const auto& [name, fn] : InputQuantizers()) {
        std::vector<int8_t> got(n);
        float got_scale = 0;
        int32_t got_zp = -1;
        fn(asym, x.data(), n, got.data(), &got_scale, &got_zp);
        EXPECT_EQ(want, got) << name << " case " << i << " asym " << asym;
        EXPECT_EQ(want_scale, got_scale) << name << " case " << i;
        EXPECT_EQ(want_zp, got_zp) << name << " case " << i;
      }
    }
  }
}

}  // namespace
}  // namespace ember
