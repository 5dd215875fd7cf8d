// DEPTHWISE_CONV_2D against LiteRT: random grids per type (integer kinds
// bit-exact against BUILTIN_REF, float/hybrid within a relative tolerance).
#include <gtest/gtest.h>

#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;

enum class Kind {
  kFloat,
  kHybrid,
  kHybridEqualScales,  // per-channel quantization, one scale
  kInt8PerChannel,
  kInt8PerTensor,
  kUInt8,
  kInt16
};

struct DwSpec {
  int n, h, w, cin, dm, kh, kw, sh, sw, dh, dw;
  fb::Padding padding;
  fb::ActivationFunctionType act;
  bool bias;
};

DwSpec RandomSpec(Rng& rng) {
  for (;;) {
    DwSpec s;
    s.n = rng.Int(1, 2);
    s.h = rng.Int(1, 10);
    s.w = rng.Int(1, 10);
    s.cin = rng.Int(1, 6);
    s.dm = rng.Int(1, 3) == 1 ? rng.Int(2, 3) : 1;
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

std::string Describe(const DwSpec& s) {
  char buf[256];
  snprintf(buf, sizeof(buf),
           "n%d h%d w%d cin%d dm%d k%dx%d s%dx%d d%dx%d %s act%d bias%d", s.n,
           s.h, s.w, s.cin, s.dm, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw,
           s.padding == fb::Padding::SAME ? "SAME" : "VALID",
           static_cast<int>(s.act), s.bias);
  return buf;
}

// zero_bias: see conv_2d_test.cc (LiteRT-side model gets an all-zero bias).
OpTest MakeCase(Kind kind, const DwSpec& s, Rng& rng, bool zero_bias) {
  ModelBuilder b;
  const int cout = s.cin * s.dm;
  const std::vector<int32_t> in_shape = {s.n, s.h, s.w, s.cin};
  const std::vector<int32_t> f_shape = {1, s.kh, s.kw, cout};
  const size_t f_count = static_cast<size_t>(cout) * s.kh * s.kw;
  const double taps = static_cast<double>(s.kh) * s.kw;
  fb::TensorType in_type = kF32;
  int x = -1, f = -1, bias = -1, y = -1;
  int version = 1;
  switch (kind) {
    case Kind::kFloat:
    case Kind::kHybrid:
    case Kind::kHybridEqualScales: {
      x = b.AddTensor(kF32, in_shape, "x");
      if (kind == Kind::kFloat) {
        f = b.AddConstant<float>(kF32, f_shape, rng.Floats(f_count, -2, 2),
                                 "f");
      } else {
        version = 6;
        f = b.AddConstant<int8_t>(
            kI8, f_shape, rng.Ints<int8_t>(f_count, -127, 127), "f",
            kind == Kind::kHybrid
                ? PerChannel(rng, cout, 3, 0.005f, 0.02f)
                : QuantSpec{std::vector<float>(cout, 0.01f),
                            std::vector<int64_t>(cout, 0), 3});
      }
      if (s.bias)
        bias = b.AddConstant<float>(kF32, {cout}, rng.Floats(cout, -2, 2), "b");
      else if (zero_bias)
        bias =
            b.AddConstant<float>(kF32, {cout}, std::vector<float>(cout), "b");
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
        QuantSpec fq = kind == Kind::kInt8PerChannel
                           ? PerChannel(rng, cout, 3, base * 0.5f, base * 1.5f)
                           : PerTensor(base, 0);
        f = b.AddConstant<int8_t>(
            kI8, f_shape, rng.Ints<int8_t>(f_count, -127, 127), "f", fq);
      }
      const int64_t r = static_cast<int64_t>(acc_std);
      if (s.bias)
        bias = b.AddConstant<int32_t>(kI32, {cout},
                                      rng.Ints<int32_t>(cout, -r, r), "b");
      else if (zero_bias)
        bias = b.AddConstant<int32_t>(kI32, {cout}, std::vector<int32_t>(cout),
                                      "b");
      y = b.AddTensor(in_type, {}, "y", PerTensor(out_s, out_zp));
      break;
    }
    case Kind::kInt16: {
      version = 5;
      in_type = kI16;
      const float in_s = rng.Float(1e-4f, 5e-4f);
      const float out_s = rng.Float(1e-4f, 1e-3f);
      const double acc_std = 18900.0 * 74.0 * std::sqrt(taps);
      const float base = static_cast<float>(out_s * 8000.0 / (acc_std * in_s));
      x = b.AddTensor(kI16, in_shape, "x", PerTensor(in_s, 0));
      f = b.AddConstant<int8_t>(
          kI8, f_shape, rng.Ints<int8_t>(f_count, -127, 127), "f",
          PerChannel(rng, cout, 3, base * 0.5f, base * 1.5f));
      const int64_t r = static_cast<int64_t>(acc_std);
      if (s.bias)
        bias = b.AddConstant<int64_t>(kI64, {cout},
                                      rng.Ints<int64_t>(cout, -r, r), "b");
      else if (zero_bias)
        bias = b.AddConstant<int64_t>(kI64, {cout}, std::vector<int64_t>(cout),
                                      "b");
      y = b.AddTensor(kI16, {}, "y", PerTensor(out_s, 0));
      break;
    }
  }
  if (s.dh > 1 || s.dw > 1) version = std::max(version, 2);
  fb::DepthwiseConv2DOptionsT opt;
  opt.padding = s.padding;
  opt.stride_h = s.sh;
  opt.stride_w = s.sw;
  opt.depth_multiplier = s.dm;
  opt.dilation_h_factor = s.dh;
  opt.dilation_w_factor = s.dw;
  opt.fused_activation_function = s.act;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  b.AddOp(fb::BuiltinOperator::DEPTHWISE_CONV_2D, {x, f, bias}, {y},
          std::move(u), version);
  b.SetInputs({x});
  b.SetOutputs({y});
  OpTest nc;
  nc.name = Describe(s);
  nc.model = b.Build();
  nc.inputs = {RandomInput(in_type, in_shape, rng.Seed())};
  return nc;
}

std::vector<OpTest> Grid(Kind kind, uint32_t seed, int count) {
  Rng rng(seed);
  std::vector<OpTest> cases;
  for (int i = 0; i < count; ++i) {
    const DwSpec s = RandomSpec(rng);
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

TEST(DepthwiseConv2d, Float) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kFloat, 11, 40),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/false));
}
TEST(DepthwiseConv2d, Int8PerChannel) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt8PerChannel, 12, 40),
                               Tolerance::Exact(), /*litert_reference=*/true));
}
TEST(DepthwiseConv2d, Int8PerTensor) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt8PerTensor, 13, 30),
                               Tolerance::Exact(), /*litert_reference=*/true));
}
TEST(DepthwiseConv2d, UInt8) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kUInt8, 14, 30), Tolerance::Exact(),
                               /*litert_reference=*/true));
}
TEST(DepthwiseConv2d, Int16) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt16, 15, 30), Tolerance::Exact(),
                               /*litert_reference=*/true));
}
TEST(DepthwiseConv2d, Hybrid) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kHybrid, 16, 30),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}

// A large odd input (the 7x7 stride-2 layer): with ~400k values,
// some land within a few ulps of a rounding boundary, where the input
// quantization must follow LiteRT's arithmetic exactly (float range width,
// round before adding the zero point) or outputs move by ~1e-3.
TEST(DepthwiseConv2d, HybridLargeOddInputMatchesReference) {
  Rng rng(161);
  DwSpec s;
  s.n = 1;
  s.h = 111;
  s.w = 111;
  s.cin = 32;
  s.dm = 1;
  s.kh = 7;
  s.kw = 7;
  s.sh = 2;
  s.sw = 2;
  s.dh = 1;
  s.dw = 1;
  s.padding = fb::Padding::SAME;
  s.act = fb::ActivationFunctionType::NONE;
  s.bias = true;
  std::vector<OpTest> cases;
  cases.push_back(MakeCase(Kind::kHybrid, s, rng, false));
  ExpectMatchesLiteRt(Compared(std::move(cases), Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}

// Hybrid depthwise with all-equal per-channel scales: LiteRT's depthwise
// hybrid kernel always quantizes the input asymmetrically (unlike
// CONV_2D, equal scales do not select the symmetric quantizer). Random
// signed inputs, plus a non-negative one where the two quantizers differ
// most. (LiteRT reads past a per-tensor scale here, so per-tensor weights
// have no oracle; Ember treats them as equal per-channel scales.)
TEST(DepthwiseConv2d, HybridEqualScalesQuantizesAsymmetrically) {
  std::vector<OpTest> cases = Grid(Kind::kHybridEqualScales, 17, 20);
  for (OpTest& c : Grid(Kind::kHybridEqualScales, 18, 4)) {
    NpyArray& x = c.inputs[0];
    for (size_t i = 0; i < x.data.size(); i += sizeof(float)) {
      float v;
      std::memcpy(&v, x.data.data() + i, sizeof(float));
      v = std::fabs(v);
      std::memcpy(x.data.data() + i, &v, sizeof(float));
    }
    cases.push_back(std::move(c));
  }
  ExpectMatchesLiteRt(Compared(std::move(cases), Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}

// Non-negative near-ties for the asymmetric input quantizer (see
// FillNearTieInput), on a 3x3 per-channel hybrid layer: pins LiteRT's
// rounding order on both Ember paths (the random-input tests above pass
// with either order).
TEST(DepthwiseConv2d, HybridNearTieInputMatchesReference) {
  Rng rng(162);
  DwSpec s;
  s.n = 1;
  s.h = 32;
  s.w = 32;
  s.cin = 16;
  s.dm = 1;
  s.kh = 3;
  s.kw = 3;
  s.sh = 1;
  s.sw = 1;
  s.dh = 1;
  s.dw = 1;
  s.padding = fb::Padding::SAME;
  s.act = fb::ActivationFunctionType::RELU;
  s.bias = true;
  OpTest nc = MakeCase(Kind::kHybrid, s, rng, false);
  EXPECT_GT(FillNearTieInput(&nc.inputs[0]), 32 * 32 * 16 / 2);
  std::vector<OpTest> cases;
  cases.push_back(std::move(nc));
  ExpectMatchesLiteRt(Compared(std::move(cases), Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}

}  // namespace
}  // namespace ember

namespace ember {
namespace {

using namespace testing;

std::vector<uint8_t> BadDepthwise(std::vector<int32_t> filter_shape,
                                  fb::TensorType bias_type, int bias_count,
                                  fb::TensorType in_type = kI8,
                                  bool options = true) {
  ModelBuilder b;
  const int x = b.AddTensor(in_type, {1, 4, 4, 2}, "x", PerTensor(0.5f, 0));
  size_t n = 1;
  for (int d : filter_shape) n *= d;
  const int f = b.AddConstant<int8_t>(kI8, filter_shape, std::vector<int8_t>(n),
                                      "f", PerTensor(0.1f, 0));
  const size_t bytes = bias_count * (bias_type == kI64 ? 8 : 4);
  const int bias = b.AddConstant(
      bias_type, {bias_count}, std::vector<uint8_t>(bytes).data(), bytes, "b");
  const int y = b.AddTensor(in_type, {}, "y", PerTensor(0.5f, 0));
  fb::BuiltinOptionsUnion u;
  if (options) {
    fb::DepthwiseConv2DOptionsT opt;
    opt.padding = fb::Padding::VALID;
    opt.stride_h = opt.stride_w = 1;
    u.Set(opt);
  }
  b.AddOp(fb::BuiltinOperator::DEPTHWISE_CONV_2D, {x, f, bias}, {y},
          std::move(u), 3);
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

TEST(DepthwiseConv2d, RejectsMalformedModels) {
  const std::vector<NpyArray> in8 = {RandomInput(kI8, {1, 4, 4, 2}, 1)};
  const std::vector<NpyArray> in16 = {RandomInput(kI16, {1, 4, 4, 2}, 1)};
  ASSERT_TRUE(RunEmber(BadDepthwise({1, 3, 3, 4}, kI32, 4), in8).ok);
  ExpectEmberError(BadDepthwise({1, 3, 3, 4}, kI32, 4, kI8, false), in8,
                   "missing DepthwiseConv2DOptions");
  ExpectEmberError(BadDepthwise({2, 3, 3, 4}, kI32, 4), in8, "dim 0 is 2");
  ExpectEmberError(BadDepthwise({1, 3, 3, 3}, kI32, 3), in8, "not a multiple");
  ExpectEmberError(BadDepthwise({1, 3, 3, 4}, kI32, 5), in8,
                   "bias has 5 elements");
  ExpectEmberError(BadDepthwise({1, 3, 3, 4}, kI64, 4), in8, "bias has type");
  // int16 activations need an int64 bias.
  ExpectEmberError(BadDepthwise({1, 3, 3, 4}, kI32, 4, kI16), in16,
                   "bias has type");
  ExpectEmberError(BadDepthwise({1, 3, 4}, kI32, 4), in8, "filter must be 4-D");
}

}  // namespace
}  // namespace ember
