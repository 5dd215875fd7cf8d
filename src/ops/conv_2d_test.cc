// CONV_2D against LiteRT: random parameter grids per type (bit-exact for
// integer kinds against BUILTIN_REF, relative tolerance for float and
// hybrid), plus rejection of malformed models.
#include <gtest/gtest.h>

#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;

enum class Kind {
  kFloat,
  kHybridPerChannel,
  kHybridPerTensor,
  kHybridEqualChannelScales,  // per-channel quantization, one scale
  kInt8PerChannel,
  kInt8PerTensor,
  kUInt8,
  kInt16Bias64,
  kInt16Bias32,
};

struct ConvSpec {
  int n, h, w, cin, cout, kh, kw, sh, sw, dh, dw, groups;
  fb::Padding padding;
  fb::ActivationFunctionType act;
  bool bias;
};

ConvSpec RandomSpec(Rng& rng, bool grouped) {
  for (;;) {
    ConvSpec s;
    s.n = rng.Int(1, 2);
    s.h = rng.Int(1, 10);
    s.w = rng.Int(1, 10);
    s.groups = grouped ? rng.Int(2, 3) : 1;
    s.cin = s.groups * rng.Int(1, 5);
    s.cout = s.groups * rng.Int(1, 4);
    s.kh = rng.Int(1, 4);
    s.kw = rng.Int(1, 4);
    s.sh = rng.Int(1, 3);
    s.sw = rng.Int(1, 3);
    s.dh = rng.Int(1, 4) == 1 ? 2 : 1;
    s.dw = rng.Int(1, 4) == 1 ? 2 : 1;
    s.padding = rng.Bool() ? fb::Padding::SAME : fb::Padding::VALID;
    s.act = RandomActivation(rng);
    s.bias = rng.Int(0, 4) != 0;
    if (s.padding == fb::Padding::VALID &&
        ((s.kh - 1) * s.dh + 1 > s.h || (s.kw - 1) * s.dw + 1 > s.w))
      continue;
    return s;
  }
}

std::string Describe(const ConvSpec& s) {
  char buf[256];
  snprintf(buf, sizeof(buf),
           "n%d h%d w%d cin%d cout%d k%dx%d s%dx%d d%dx%d g%d %s act%d bias%d",
           s.n, s.h, s.w, s.cin, s.cout, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw,
           s.groups, s.padding == fb::Padding::SAME ? "SAME" : "VALID",
           static_cast<int>(s.act), s.bias);
  return buf;
}

// With zero_bias, a spec without bias gets an all-zero bias instead (LiteRT
// requires the bias input); the random stream is consumed identically.
OpTest MakeCase(Kind kind, const ConvSpec& s, Rng& rng, bool zero_bias) {
  ModelBuilder b;
  const int filter_in = s.cin / s.groups;
  const std::vector<int32_t> in_shape = {s.n, s.h, s.w, s.cin};
  const std::vector<int32_t> f_shape = {s.cout, s.kh, s.kw, filter_in};
  const size_t f_count = static_cast<size_t>(s.cout) * s.kh * s.kw * filter_in;
  const double taps = static_cast<double>(s.kh) * s.kw * filter_in;
  fb::TensorType in_type = kF32;
  int x = -1, f = -1, bias = -1, y = -1;
  int version = 1;
  switch (kind) {
    case Kind::kFloat: {
      x = b.AddTensor(kF32, in_shape, "x");
      f = b.AddConstant<float>(kF32, f_shape, rng.Floats(f_count, -2, 2), "f");
      if (s.bias)
        bias = b.AddConstant<float>(kF32, {s.cout}, rng.Floats(s.cout, -2, 2),
                                    "b");
      else if (zero_bias)
        bias = b.AddConstant<float>(kF32, {s.cout}, std::vector<float>(s.cout),
                                    "b");
      y = b.AddTensor(kF32, {}, "y");
      break;
    }
    case Kind::kHybridPerChannel:
    case Kind::kHybridPerTensor:
    case Kind::kHybridEqualChannelScales: {
      version = 2;
      x = b.AddTensor(kF32, in_shape, "x");
      QuantSpec fq = kind == Kind::kHybridPerChannel
                         ? PerChannel(rng, s.cout, 0, 0.005f, 0.02f)
                         : PerTensor(0.01f, 0);
      if (kind == Kind::kHybridEqualChannelScales)
        fq = {std::vector<float>(s.cout, 0.01f),
              std::vector<int64_t>(s.cout, 0), 0};
      f = b.AddConstant<int8_t>(kI8, f_shape,
                                rng.Ints<int8_t>(f_count, -127, 127), "f", fq);
      if (s.bias)
        bias = b.AddConstant<float>(kF32, {s.cout}, rng.Floats(s.cout, -2, 2),
                                    "b");
      else if (zero_bias)
        bias = b.AddConstant<float>(kF32, {s.cout}, std::vector<float>(s.cout),
                                    "b");
      y = b.AddTensor(kF32, {}, "y");
      break;
    }
    case Kind::kInt8PerChannel:
    case Kind::kInt8PerTensor:
    case Kind::kUInt8: {
      const bool u8 = kind == Kind::kUInt8;
      version = u8 ? 1 : 3;
      in_type = u8 ? kU8 : kI8;
      const float in_s = rng.Float(0.01f, 0.05f);
      const int64_t in_zp = u8 ? rng.Int(110, 145) : rng.Int(-20, 20);
      const float out_s = rng.Float(0.02f, 0.2f);
      const int64_t out_zp = u8 ? rng.Int(100, 155) : rng.Int(-30, 30);
      const double acc_std = 74.0 * 74.0 * std::sqrt(taps);
      const float base = static_cast<float>(out_s * 40.0 / (acc_std * in_s));
      x = b.AddTensor(in_type, in_shape, "x", PerTensor(in_s, in_zp));
      if (u8) {
        f = b.AddConstant<uint8_t>(kU8, f_shape,
                                   rng.Ints<uint8_t>(f_count, 0, 255), "f",
                                   PerTensor(base, rng.Int(100, 155)));
      } else {
        QuantSpec fq =
            kind == Kind::kInt8PerChannel
                ? PerChannel(rng, s.cout, 0, base * 0.5f, base * 1.5f)
                : PerTensor(base, 0);
        f = b.AddConstant<int8_t>(
            kI8, f_shape, rng.Ints<int8_t>(f_count, -127, 127), "f", fq);
      }
      if (s.bias) {
        const int64_t r = static_cast<int64_t>(acc_std);
        bias = b.AddConstant<int32_t>(kI32, {s.cout},
                                      rng.Ints<int32_t>(s.cout, -r, r), "b");
      } else if (zero_bias) {
        bias = b.AddConstant<int32_t>(kI32, {s.cout},
                                      std::vector<int32_t>(s.cout), "b");
      }
      y = b.AddTensor(in_type, {}, "y", PerTensor(out_s, out_zp));
      break;
    }
    case Kind::kInt16Bias64:
    case Kind::kInt16Bias32: {
      version = 4;
      in_type = kI16;
      const float in_s = rng.Float(1e-4f, 5e-4f);
      const float out_s = rng.Float(1e-4f, 1e-3f);
      const double acc_std = 18900.0 * 74.0 * std::sqrt(taps);
      const float base = static_cast<float>(out_s * 8000.0 / (acc_std * in_s));
      x = b.AddTensor(kI16, in_shape, "x", PerTensor(in_s, 0));
      f = b.AddConstant<int8_t>(
          kI8, f_shape, rng.Ints<int8_t>(f_count, -127, 127), "f",
          PerChannel(rng, s.cout, 0, base * 0.5f, base * 1.5f));
      if (s.bias) {
        const int64_t r = static_cast<int64_t>(acc_std);
        if (kind == Kind::kInt16Bias64)
          bias = b.AddConstant<int64_t>(kI64, {s.cout},
                                        rng.Ints<int64_t>(s.cout, -r, r), "b");
        else
          bias = b.AddConstant<int32_t>(kI32, {s.cout},
                                        rng.Ints<int32_t>(s.cout, -r, r), "b");
      }
      y = b.AddTensor(kI16, {}, "y", PerTensor(out_s, 0));
      break;
    }
  }
  if (s.groups > 1) version = std::max(version, 6);
  if (s.dh > 1 || s.dw > 1) version = std::max(version, 2);
  fb::Conv2DOptionsT opt;
  opt.padding = s.padding;
  opt.stride_h = s.sh;
  opt.stride_w = s.sw;
  opt.dilation_h_factor = s.dh;
  opt.dilation_w_factor = s.dw;
  opt.fused_activation_function = s.act;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  std::vector<int32_t> inputs = {x, f};
  inputs.push_back(bias);  // -1 when absent: LiteRT wants the slot
  b.AddOp(fb::BuiltinOperator::CONV_2D, inputs, {y}, std::move(u), version);
  b.SetInputs({x});
  b.SetOutputs({y});
  OpTest nc;
  nc.name = Describe(s);
  nc.model = b.Build();
  nc.inputs = {RandomInput(in_type, in_shape, rng.Seed())};
  return nc;
}

std::vector<OpTest> Grid(Kind kind, uint32_t seed, int count, bool grouped) {
  Rng rng(seed);
  std::vector<OpTest> cases;
  for (int i = 0; i < count; ++i) {
    ConvSpec s = RandomSpec(rng, grouped && i % 3 == 0);
    // int16 needs a bias in LiteRT (int64; its int32-bias path is not
    // usable as an oracle) and Ember's bias-free int16 path accumulates in
    // 32 bits, so it cannot be compared against a zero int64 bias.
    if (kind == Kind::kInt16Bias64) s.bias = true;
    Rng copy = rng;
    OpTest nc = MakeCase(kind, s, rng, false);
    if (!s.bias) {
      OpTest with_zero = MakeCase(kind, s, copy, true);
      nc.ember_model = std::move(nc.model);
      nc.model = std::move(with_zero.model);
    }
    cases.push_back(std::move(nc));
  }
  return cases;
}

TEST(Conv2d, Float) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kFloat, 1, 40, true),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/false));
}
TEST(Conv2d, Int8PerChannel) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt8PerChannel, 2, 40, true),
                               Tolerance::Exact(), /*litert_reference=*/true));
}
TEST(Conv2d, Int8PerTensor) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt8PerTensor, 3, 30, false),
                               Tolerance::Exact(), /*litert_reference=*/true));
}
TEST(Conv2d, UInt8) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kUInt8, 4, 30, false),
                               Tolerance::Exact(), /*litert_reference=*/true));
}
TEST(Conv2d, Int16Int64Bias) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt16Bias64, 5, 30, false),
                               Tolerance::Exact(), /*litert_reference=*/true));
}
TEST(Conv2d, HybridPerChannel) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kHybridPerChannel, 7, 30, true),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}
TEST(Conv2d, HybridPerTensor) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kHybridPerTensor, 8, 30, false),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}

// Grouped hybrid conv on a large input (the 3-group layer with
// 48x3x3x16 weights): per-channel scales select asymmetric input
// quantization, which must follow LiteRT's arithmetic on every value.
TEST(Conv2d, HybridGroupedLargeInputMatchesReference) {
  Rng rng(371);
  ConvSpec s;
  s.n = 1;
  s.h = 40;
  s.w = 40;
  s.cin = 48;
  s.cout = 48;
  s.kh = 3;
  s.kw = 3;
  s.sh = 1;
  s.sw = 1;
  s.dh = 1;
  s.dw = 1;
  s.groups = 3;
  s.padding = fb::Padding::SAME;
  s.act = fb::ActivationFunctionType::NONE;
  s.bias = true;
  std::vector<OpTest> cases;
  cases.push_back(MakeCase(Kind::kHybridPerChannel, s, rng, false));
  ExpectMatchesLiteRt(Compared(std::move(cases), Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}

// The first hybrid conv of a converted U-Net: 3x3, 16->16 channels on a
// non-negative 64x64x16 input (after ReLU, a quarter of it exactly zero),
// where the asymmetric input quantization's zero point is -128. Per-channel
// (what TF's converter emits) and per-tensor weights, both Ember paths.
OpTest NonNegativeHybridCase(Kind kind, uint32_t seed, int groups = 1) {
  Rng rng(seed);
  ConvSpec s;
  s.n = 1;
  s.h = 64;
  s.w = 64;
  s.cin = 16;
  s.cout = 16;
  s.kh = 3;
  s.kw = 3;
  s.sh = 1;
  s.sw = 1;
  s.dh = 1;
  s.dw = 1;
  s.groups = groups;
  s.padding = fb::Padding::SAME;
  s.act = fb::ActivationFunctionType::RELU;
  s.bias = true;
  OpTest nc = MakeCase(kind, s, rng, false);
  const std::vector<float> relu_in =
      rng.Floats(static_cast<size_t>(s.h) * s.w * s.cin, -0.45f, 1.36f);
  NpyArray& x = nc.inputs[0];
  EXPECT_EQ(x.data.size(), relu_in.size() * sizeof(float));
  x.data.resize(relu_in.size() * sizeof(float));
  for (size_t i = 0; i < relu_in.size(); ++i) {
    const float v = std::max(0.0f, relu_in[i]);
    std::memcpy(x.data.data() + i * sizeof(float), &v, sizeof(float));
  }
  return nc;
}

TEST(Conv2d, HybridNonNegativeInputMatchesReference) {
  std::vector<OpTest> cases;
  cases.push_back(NonNegativeHybridCase(Kind::kHybridPerChannel, 911));
  cases.push_back(NonNegativeHybridCase(Kind::kHybridPerTensor, 912));
  ExpectMatchesLiteRt(Compared(std::move(cases), Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}

// Hybrid conv whose per-channel scales are all equal: LiteRT runs every
// grouped hybrid conv on its per-channel path (asymmetric input
// quantization), while equal scales select the symmetric quantizer for an
// ungrouped conv. A random grid (every third case grouped) and the U-Net
// layer split into 2 and 4 groups on non-negative input, where the two
// quantizers differ most.
TEST(Conv2d, HybridEqualChannelScales) {
  std::vector<OpTest> cases =
      Grid(Kind::kHybridEqualChannelScales, 23, 24, /*grouped=*/true);
  cases.push_back(
      NonNegativeHybridCase(Kind::kHybridEqualChannelScales, 921, 2));
  cases.push_back(
      NonNegativeHybridCase(Kind::kHybridEqualChannelScales, 922, 4));
  cases.push_back(
      NonNegativeHybridCase(Kind::kHybridEqualChannelScales, 923, 1));
  ExpectMatchesLiteRt(Compared(std::move(cases), Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}

// Non-negative near-ties for the asymmetric input quantizer (see
// FillNearTieInput): pins LiteRT's order (round, then add the zero point)
// on both Ember paths, which random inputs rarely exercise.
TEST(Conv2d, HybridNearTieInputMatchesReference) {
  std::vector<OpTest> cases;
  for (Kind kind : {Kind::kHybridPerChannel, Kind::kHybridPerTensor}) {
    OpTest nc = NonNegativeHybridCase(kind, 913);
    EXPECT_GT(FillNearTieInput(&nc.inputs[0]), 64 * 64 * 16 / 2);
    cases.push_back(std::move(nc));
  }
  ExpectMatchesLiteRt(Compared(std::move(cases), Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}

}  // namespace
}  // namespace ember

namespace ember {
namespace {

using namespace testing;

// A small int8 conv (or a variant of it) for the rejection tests.
struct BadConv {
  fb::TensorType in_type = kI8, filter_type = kI8, bias_type = kI32;
  std::vector<int32_t> in_shape = {1, 4, 4, 4};
  std::vector<int32_t> filter_shape = {2, 3, 3, 4};
  int bias_count = 2;
  bool input_quant = true;
  QuantSpec filter_quant = PerTensor(0.1f, 0);
  bool options = true;
  int stride = 1;

  std::vector<uint8_t> Build() const {
    ModelBuilder b;
    const int x = b.AddTensor(in_type, in_shape, "x",
                              input_quant ? PerTensor(0.5f, 0) : QuantSpec{});
    size_t n = 1;
    for (int d : filter_shape) n *= d;
    const int f = b.AddConstant(
        filter_type, filter_shape,
        std::vector<uint8_t>(n * (filter_type == kF32 ? 4 : 1)).data(),
        n * (filter_type == kF32 ? 4 : 1), "f", filter_quant);
    const size_t bias_bytes = bias_count * (bias_type == kI64 ? 8 : 4);
    const int bias =
        b.AddConstant(bias_type, {bias_count},
                      std::vector<uint8_t>(bias_bytes).data(), bias_bytes, "b");
    const int y = b.AddTensor(in_type, {}, "y", PerTensor(0.5f, 0));
    fb::BuiltinOptionsUnion u;
    if (options) {
      fb::Conv2DOptionsT opt;
      opt.padding = fb::Padding::SAME;
      opt.stride_h = opt.stride_w = stride;
      u.Set(opt);
    }
    b.AddOp(fb::BuiltinOperator::CONV_2D, {x, f, bias}, {y}, std::move(u), 3);
    b.SetInputs({x});
    b.SetOutputs({y});
    return b.Build();
  }
  std::vector<NpyArray> Inputs() const {
    return {RandomInput(in_type, in_shape, 1)};
  }
};

TEST(Conv2d, RejectsMalformedModels) {
  {
    BadConv ok;
    ASSERT_TRUE(RunEmber(ok.Build(), ok.Inputs()).ok);
  }
  BadConv c;
  c.options = false;
  ExpectEmberError(c.Build(), c.Inputs(), "missing Conv2DOptions");
  c = BadConv{};
  c.in_shape = {4, 4, 4};
  ExpectEmberError(c.Build(), c.Inputs(), "input must be 4-D");
  c = BadConv{};
  c.filter_shape = {2, 3, 3, 3};
  ExpectEmberError(c.Build(), c.Inputs(), "not a multiple");
  c = BadConv{};
  c.input_quant = false;
  ExpectEmberError(c.Build(), c.Inputs(), "no quantization parameters");
  c = BadConv{};
  c.filter_quant = {{0.1f, 0.1f, 0.1f, 0.1f}, {0, 0, 0, 0}, 3};
  ExpectEmberError(c.Build(), c.Inputs(), "expected 1 or 2");
  c = BadConv{};
  c.filter_quant = PerTensor(0.1f, 3);
  ExpectEmberError(c.Build(), c.Inputs(), "zero point 0");
  c = BadConv{};
  c.filter_shape = {4, 3, 3, 4};
  c.bias_count = 4;
  c.filter_quant = {{0.1f, 0.2f, 0.1f, 0.2f}, {0, 0, 0, 0}, 3};
  ExpectEmberError(c.Build(), c.Inputs(), "quantized along dimension 3");
  c = BadConv{};
  c.bias_type = kF32;
  ExpectEmberError(c.Build(), c.Inputs(), "bias has type");
  c = BadConv{};
  c.bias_count = 3;
  ExpectEmberError(c.Build(), c.Inputs(), "bias has 3 elements");
  c = BadConv{};
  c.filter_type = kF32;
  c.filter_quant = {};
  ExpectEmberError(c.Build(), c.Inputs(), "filter has type");
  c = BadConv{};
  c.stride = 0;
  ExpectEmberError(c.Build(), c.Inputs(), "must be positive");
  c = BadConv{};
  c.in_type = kI32;
  ExpectEmberError(c.Build(), c.Inputs(), "not supported");
  c = BadConv{};
  c.in_type = kI16;
  c.bias_type = kF32;
  ExpectEmberError(c.Build(), c.Inputs(), "bias has type");
}

}  // namespace
}  // namespace ember
