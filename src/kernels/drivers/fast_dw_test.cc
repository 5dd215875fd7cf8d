// The x86 depthwise fast paths against the reference kernels (the oracle):
//  - int8 (per-channel and per-tensor weights; AVX-512, AVX-512 VNNI, AVX2):
//  randomized shapes, strides,
//    dilations, paddings, zero points, multipliers (shifts of both signs)
//    and activation ranges; the output must be bit-exact;
//  - fp32 5x5 (and other sizes): within 1e-5 * sqrt(taps) relative to
//    max(1, max |reference output|);
// over every ISA the CPU supports and 1/2/3 threads, kernel by kernel and
// through the interpreter with the ISA forced by the test hook, compared
// with the same model run with force_reference_kernels.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "kernels/dispatch/cpu_features.h"
#include "kernels/drivers/conv_f32.h"
#include "kernels/drivers/dwconv_geometry.h"
#include "kernels/drivers/dwconv_s8.h"
#include "kernels/ref/depthwise_conv.h"
#include "kernels/ref/quant_util.h"
#include "runtime/interpreter.h"
#include "util/model_builder.h"

namespace ember {
namespace {

// The fp32 depthwise kernels this run allows.
std::vector<kernels::Isa> SupportedIsas() {
  return kernels::AllowedEntryIsas(x86::DwConvF32Kernels(),
                                   kernels::AllowedIsas());
}

// The int8 depthwise kernels this run allows.
std::vector<kernels::Isa> Int8Isas() {
  return kernels::AllowedEntryIsas(x86::DwConvS8Kernels(),
                                   kernels::AllowedIsas());
}

struct Rand {
  std::mt19937 gen;
  explicit Rand(uint32_t seed) : gen(seed) {}
  int Int(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(gen);
  }
  double Real(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(gen);
  }
  std::vector<int8_t> Bytes(size_t n, int lo = -128, int hi = 127) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(Int(lo, hi));
    return v;
  }
  std::vector<float> Floats(size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(Real(-1.0, 1.0));
    return v;
  }
};

int32_t OutSize(int32_t in, int32_t k, int32_t stride, int32_t dil, bool same,
                int32_t* pad) {
  const int32_t eff = (k - 1) * dil + 1;
  const int32_t out =
      same ? (in + stride - 1) / stride : (in - eff) / stride + 1;
  *pad = same ? std::max(0, ((out - 1) * stride + eff - in) / 2) : 0;
  return out;
}

// A random depthwise shape (depth multiplier 1); false when VALID padding
// leaves no output.
bool RandomShape(Rand& rng, int i, ref::DepthwiseShape* s) {
  s->batches = rng.Int(1, 2);
  s->in_h = rng.Int(1, 13);
  s->in_w = rng.Int(1, 13);
  s->in_c = rng.Int(0, 3) == 0 ? rng.Int(1, 7) : rng.Int(1, 70);
  switch (i % 4) {
    case 0:
      s->filter_h = s->filter_w = 3;
      break;
    case 1:
      s->filter_h = s->filter_w = 5;
      break;
    default:
      s->filter_h = rng.Int(1, 6);
      s->filter_w = rng.Int(1, 6);
  }
  s->stride_h = rng.Int(1, 3);
  s->stride_w = rng.Int(1, 3);
  s->dilation_h = rng.Int(0, 4) == 0 ? 2 : 1;
  s->dilation_w = rng.Int(0, 4) == 0 ? 2 : 1;
  const bool same = rng.Int(0, 2) != 0;
  if (!same && ((s->filter_h - 1) * s->dilation_h + 1 > s->in_h ||
                (s->filter_w - 1) * s->dilation_w + 1 > s->in_w))
    return false;
  s->out_h = OutSize(s->in_h, s->filter_h, s->stride_h, s->dilation_h, same,
                     &s->pad_top);
  s->out_w = OutSize(s->in_w, s->filter_w, s->stride_w, s->dilation_w, same,
                     &s->pad_left);
  return true;
}

TEST(FastDwKernels, Int8BitExactWithReference) {
  const auto isas = SupportedIsas();
  if (isas.empty()) GTEST_SKIP() << "no AVX2/AVX-512 on this CPU";
  Rand rng(2024);
  int cases = 0;
  for (int i = 0; i < 240; ++i) {
    ref::DepthwiseShape s;
    if (!RandomShape(rng, i, &s)) continue;
    const int32_t C = s.in_c;
    const int32_t taps = s.filter_h * s.filter_w;
    const int32_t in_zp = rng.Int(-128, 127);
    auto input =
        rng.Bytes(static_cast<size_t>(s.batches) * s.in_h * s.in_w * C);
    auto filter = rng.Bytes(static_cast<size_t>(taps) * C, -127, 127);
    // Every fifth case is extreme: biases near the int32 range and
    // multipliers from 2^-33 to 2^8 (shifts from -31 to +8, wrapping left
    // shifts), where the requantization's corner cases live.
    const bool extreme = i % 5 == 4;
    std::vector<int32_t> bias(C);
    for (auto& b : bias)
      b = extreme ? rng.Int(-(1 << 30), 1 << 30) : rng.Int(-40000, 40000);
    const bool has_bias = rng.Int(0, 3) != 0;
    // Per-tensor (one multiplier) or per-channel; real multipliers from
    // 2^-20 up to 4 exercise right and left shifts.
    const bool per_channel = rng.Int(0, 1) == 1;
    std::vector<int32_t> mult(C), shift(C);
    for (int32_t c = 0; c < C; ++c) {
      if (c == 0 || per_channel) {
        const double real = std::pow(
            2.0, extreme ? rng.Real(-33.0, 8.0) : rng.Real(-20.0, 2.0));
        int sh = 0;
        ref::QuantizeMultiplier(real, &mult[c], &sh);
        shift[c] = sh;
      } else {
        mult[c] = mult[0];
        shift[c] = shift[0];
      }
    }
    ref::QuantizedOutput q;
    q.output_offset = rng.Int(-128, 127);
    q.act_lo = rng.Int(0, 2) == 0 ? rng.Int(-128, 0) : -128;
    q.act_hi = rng.Int(0, 2) == 0 ? rng.Int(q.act_lo, 127) : 127;
    q.multiplier = mult.data();
    q.shift = shift.data();
    const size_t out_n = static_cast<size_t>(s.batches) * s.out_h * s.out_w * C;
    std::vector<int8_t> expect(out_n);
    ref::DepthwiseConvQuantized<int32_t>(s, input.data(), -in_zp, filter.data(),
                                         0, has_bias ? bias.data() : nullptr, q,
                                         expect.data());
    std::vector<int32_t> packed(x86::PackedDwS8Bytes(taps, C) /
                                sizeof(int32_t));
    x86::PackDwConvS8(filter.data(), has_bias ? bias.data() : nullptr,
                      mult.data(), shift.data(), taps, C, in_zp, packed.data());
    std::vector<int8_t> zero_row(static_cast<size_t>(s.in_w) * C,
                                 static_cast<int8_t>(in_zp));
    for (kernels::Isa isa : Int8Isas()) {
      const x86::DwConvS8Kernel* kern =
          kernels::EntryFor(x86::DwConvS8Kernels(), isa);
      const char* name = kern->label;
      x86::DwConvS8Fn fn = kern->fn;
      for (int threads = 1; threads <= 3; ++threads) {
        ThreadPool pool(threads);
        pool.set_split_small_work(true);  // small test shapes: split anyway
        std::vector<int8_t> got(out_n, 77);
        x86::DwConvS8Args a;
        x86::CopyDwGeometry(s, &a);
        a.input = input.data();
        a.packed = packed.data();
        a.zero_row = zero_row.data();
        a.output = got.data();
        a.output_offset = q.output_offset;
        a.act_lo = q.act_lo;
        a.act_hi = q.act_hi;
        x86::RunDwConvS8(&pool, fn, a);
        ASSERT_EQ(std::memcmp(expect.data(), got.data(), out_n), 0)
            << name << " case " << i << " threads " << threads << " C " << C
            << " k " << s.filter_h << "x" << s.filter_w;
      }
    }
    ++cases;
  }
  EXPECT_GE(cases, 150);
}

TEST(FastDwKernels, Float5x5AndOtherSizesMatchReference) {
  const auto isas = SupportedIsas();
  if (isas.empty()) GTEST_SKIP() << "no AVX2/AVX-512 on this CPU";
  Rand rng(99);
  int cases = 0;
  for (int i = 0; i < 160; ++i) {
    ref::DepthwiseShape s;
    if (!RandomShape(rng, i, &s)) continue;
    const int32_t C = s.in_c;
    const float lo = rng.Int(0, 1) ? 0.0f : -INFINITY;
    const float hi = rng.Int(0, 1) ? 6.0f : INFINITY;
    auto input =
        rng.Floats(static_cast<size_t>(s.batches) * s.in_h * s.in_w * C);
    auto filter = rng.Floats(static_cast<size_t>(s.filter_h) * s.filter_w * C);
    auto bias = rng.Floats(C);
    const size_t out_n = static_cast<size_t>(s.batches) * s.out_h * s.out_w * C;
    std::vector<float> expect(out_n);
    ref::DepthwiseConvFloat(s, input.data(), filter.data(), bias.data(), lo, hi,
                            expect.data());
    double scale = 1.0;
    for (float v : expect)
      scale = std::max(scale, static_cast<double>(std::fabs(v)));
    const double tol = 1e-5 * std::sqrt(s.filter_h * s.filter_w) * scale;
    std::vector<float> zeros(static_cast<size_t>(s.in_w) * C, 0.0f);
    for (kernels::Isa isa : isas) {
      const x86::DwConvF32Kernel* kern =
          kernels::EntryFor(x86::DwConvF32Kernels(), isa);
      const char* name = kern->label;
      x86::DwConvF32Fn fn = kern->fn;
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
        double worst = 0.0;
        for (size_t j = 0; j < out_n; ++j)
          worst = std::max(worst,
                           std::fabs(static_cast<double>(expect[j]) - got[j]));
        ASSERT_LE(worst, tol)
            << name << " case " << i << " threads " << threads;
      }
    }
    ++cases;
  }
  EXPECT_GE(cases, 100);
}

// int8 DEPTHWISE_CONV_2D models: (kernel, stride, dilation, padding,
// per-channel weights, activation) through the interpreter.
struct Int8DwCase {
  int32_t k, stride, dilation;
  fb::Padding padding;
  bool per_channel;
  fb::ActivationFunctionType act;
};

std::vector<uint8_t> Int8DwModel(const Int8DwCase& t, uint32_t seed) {
  testing::ModelBuilder b;
  Rand rng(seed);
  const int32_t C = 40;
  const auto i8 = fb::TensorType::INT8;
  testing::QuantSpec in_q{{0.05f}, {rng.Int(-20, 20)}, 0};
  testing::QuantSpec out_q{{0.1f}, {rng.Int(-20, 20)}, 0};
  testing::QuantSpec w_q;
  w_q.dim = 3;
  std::vector<float> bias_scales;
  for (int32_t c = 0; c < (t.per_channel ? C : 1); ++c) {
    w_q.scales.push_back(static_cast<float>(rng.Real(0.002, 0.02)));
    w_q.zero_points.push_back(0);
  }
  testing::QuantSpec b_q;
  for (int32_t c = 0; c < (t.per_channel ? C : 1); ++c) {
    b_q.scales.push_back(in_q.scales[0] * w_q.scales[c]);
    b_q.zero_points.push_back(0);
  }
  const int x = b.AddTensor(i8, {2, 15, 17, C}, "x", in_q);
  const int f = b.AddConstant<int8_t>(
      i8, {1, t.k, t.k, C},
      rng.Bytes(static_cast<size_t>(t.k) * t.k * C, -127, 127), "f", w_q);
  std::vector<int32_t> bias(C);
  for (auto& v : bias) v = rng.Int(-3000, 3000);
  const int bi =
      b.AddConstant<int32_t>(fb::TensorType::INT32, {C}, bias, "b", b_q);
  const int y = b.AddTensor(i8, {}, "y", out_q);
  fb::DepthwiseConv2DOptionsT opt;
  opt.padding = t.padding;
  opt.stride_h = opt.stride_w = t.stride;
  opt.dilation_h_factor = opt.dilation_w_factor = t.dilation;
  opt.depth_multiplier = 1;
  opt.fused_activation_function = t.act;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  b.AddOp(fb::BuiltinOperator::DEPTHWISE_CONV_2D, {x, f, bi}, {y},
          std::move(u));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

struct ModelRun {
  std::string variant;
  std::vector<int8_t> output;
};

ModelRun RunModel(const std::vector<uint8_t>& bytes, bool force_ref,
                  int threads) {
  ModelRun r;
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
  r.variant = sg.nodes()[0].kernel_variant;
  Tensor& in = sg.tensors()[sg.inputs()[0]];
  Rand rng(31);
  auto values = rng.Bytes(static_cast<size_t>(in.NumElements()));
  std::memcpy(in.data, values.data(), in.bytes);
  EXPECT_TRUE(interp->Invoke().ok()) << interp->errors().message();
  const Tensor& out = sg.tensors()[sg.outputs()[0]];
  r.output.assign(out.data_as<int8_t>(),
                  out.data_as<int8_t>() + out.NumElements());
  return r;
}

TEST(FastDwKernels, Int8ModelsMatchForcedReferenceForEachIsa) {
  const auto isas = SupportedIsas();
  const Int8DwCase cases[] = {
      {3, 1, 1, fb::Padding::SAME, true, fb::ActivationFunctionType::RELU6},
      {3, 2, 1, fb::Padding::SAME, false, fb::ActivationFunctionType::NONE},
      {5, 1, 1, fb::Padding::SAME, true, fb::ActivationFunctionType::RELU},
      {5, 2, 1, fb::Padding::VALID, true, fb::ActivationFunctionType::NONE},
      {3, 1, 2, fb::Padding::SAME, true,
       fb::ActivationFunctionType::RELU_N1_TO_1},
      {7, 1, 1, fb::Padding::SAME, false, fb::ActivationFunctionType::RELU6},
  };
  int n = 0;
  for (const Int8DwCase& t : cases) {
    const auto bytes = Int8DwModel(t, 100 + n++);
    const ModelRun ref_run = RunModel(bytes, /*force_ref=*/true, 1);
    EXPECT_EQ(ref_run.variant, "ref");
    for (kernels::Isa isa : Int8Isas()) {
      // The tier named after the ISA picks exactly its list entry.
      kernels::ScopedIsaOverride scoped(kernels::IsaName(isa));
      for (int threads = 1; threads <= 3; ++threads) {
        const ModelRun fast = RunModel(bytes, false, threads);
        if (!dispatch::EnvForcesReference()) {
          EXPECT_EQ(fast.variant,
                    kernels::EntryFor(x86::DwConvS8Kernels(), isa)->label);
        }
        EXPECT_EQ(fast.output, ref_run.output)
            << "case " << n << " " << fast.variant << " threads " << threads;
      }
    }
  }
}

}  // namespace
}  // namespace ember
