// Convolution2DTransposeBias (MediaPipe custom op). LiteRT lacks the op, so
// each case is checked (1) against LiteRT running the equivalent
// TRANSPOSE_CONV + ADD(bias) model, and (2) against a direct gather-form
// evaluation written here, independent of the scatter-form kernel.
#include <gtest/gtest.h>

#include <cstring>

#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;

struct TbSpec {
  int n, h, w, cin, cout, kh, kw, sh, sw;
  bool same;
  int oh() const { return sh * (h - 1) + kh - pad_h(); }
  int ow() const { return sw * (w - 1) + kw - pad_w(); }
  int pad_h() const { return same ? std::max(0, kh - (h - 1) % sh - 1) : 0; }
  int pad_w() const { return same ? std::max(0, kw - (w - 1) % sw - 1) : 0; }
};

TbSpec RandomSpec(Rng& rng) {
  TbSpec s;
  s.n = rng.Int(1, 2);
  s.h = rng.Int(1, 6);
  s.w = rng.Int(1, 6);
  s.cin = rng.Int(1, 5);
  s.cout = rng.Int(1, 5);
  s.kh = rng.Int(1, 4);
  s.kw = rng.Int(1, 4);
  s.sh = rng.Int(1, 3);
  s.sw = rng.Int(1, 3);
  s.same = rng.Bool();
  return s;
}

std::vector<uint8_t> Options(int padding, int stride_w, int stride_h) {
  const int32_t fields[3] = {padding, stride_w, stride_h};
  std::vector<uint8_t> bytes(sizeof(fields));
  memcpy(bytes.data(), fields, sizeof(fields));
  return bytes;
}

struct TbCase {
  TbSpec spec;
  std::vector<float> weights, bias;
  NpyArray input;
  std::vector<uint8_t> custom_model, litert_model;
};

TbCase MakeCase(Rng& rng) {
  TbCase c;
  const TbSpec& s = c.spec = RandomSpec(rng);
  c.weights =
      rng.Floats(static_cast<size_t>(s.cout) * s.kh * s.kw * s.cin, -1, 1);
  c.bias = rng.Floats(s.cout, -1, 1);
  c.input = RandomInput(kF32, {s.n, s.h, s.w, s.cin}, rng.Seed());
  const std::vector<int32_t> out = {s.n, s.oh(), s.ow(), s.cout};
  {
    ModelBuilder b;
    const int x = b.AddTensor(kF32, {s.n, s.h, s.w, s.cin}, "x");
    const int f =
        b.AddConstant<float>(kF32, {s.cout, s.kh, s.kw, s.cin}, c.weights, "f");
    const int bias = b.AddConstant<float>(kF32, {s.cout}, c.bias, "b");
    const int y = b.AddTensor(kF32, out, "y");
    b.AddCustomOp("Convolution2DTransposeBias", {x, f, bias}, {y},
                  Options(s.same ? 1 : 2, s.sw, s.sh));
    b.SetInputs({x});
    b.SetOutputs({y});
    c.custom_model = b.Build();
  }
  {
    ModelBuilder b;
    const int shape = b.AddConstant<int32_t>(kI32, {4}, out, "output_shape");
    const int x = b.AddTensor(kF32, {s.n, s.h, s.w, s.cin}, "x");
    const int f =
        b.AddConstant<float>(kF32, {s.cout, s.kh, s.kw, s.cin}, c.weights, "f");
    const int bias = b.AddConstant<float>(kF32, {s.cout}, c.bias, "b");
    const int t = b.AddTensor(kF32, out, "t");
    const int y = b.AddTensor(kF32, out, "y");
    fb::TransposeConvOptionsT opt;
    opt.padding = s.same ? fb::Padding::SAME : fb::Padding::VALID;
    opt.stride_h = s.sh;
    opt.stride_w = s.sw;
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::TRANSPOSE_CONV, {shape, f, x}, {t},
            std::move(u), 1);
    fb::BuiltinOptionsUnion add;
    add.Set(fb::AddOptionsT());
    b.AddOp(fb::BuiltinOperator::ADD, {t, bias}, {y}, std::move(add));
    b.SetInputs({x});
    b.SetOutputs({y});
    c.litert_model = b.Build();
  }
  return c;
}

std::vector<TbCase> Cases() {
  Rng rng(41);
  std::vector<TbCase> cases;
  for (int i = 0; i < 30; ++i) cases.push_back(MakeCase(rng));
  return cases;
}

TEST(Conv2dTransposeBias, MatchesLiteRtTransposeConvPlusAdd) {
  std::vector<OpTest> named;
  for (auto& c : Cases()) {
    OpTest nc;
    nc.name = "n" + std::to_string(c.spec.n) + " h" + std::to_string(c.spec.h) +
              " w" + std::to_string(c.spec.w) + " k" +
              std::to_string(c.spec.kh) + "x" + std::to_string(c.spec.kw) +
              " s" + std::to_string(c.spec.sh) + "x" +
              std::to_string(c.spec.sw) + (c.spec.same ? " SAME" : " VALID");
    nc.model = c.litert_model;
    nc.inputs = {c.input};
    nc.ember_model = c.custom_model;
    named.push_back(std::move(nc));
  }
  ExpectMatchesLiteRt(Compared(named, Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/false));
}

TEST(Conv2dTransposeBias, MatchesDirectGatherFormula) {
  for (auto& c : Cases()) {
    const TbSpec& s = c.spec;
    const auto ours = RunEmber(c.custom_model, {c.input});
    ASSERT_TRUE(ours.ok) << ours.error;
    const float* x = reinterpret_cast<const float*>(c.input.data.data());
    const float* y =
        reinterpret_cast<const float*>(ours.outputs[0].data.data());
    ASSERT_EQ(ours.outputs[0].shape,
              (std::vector<int64_t>{s.n, s.oh(), s.ow(), s.cout}));
    const int pt = s.pad_h() / 2, pl = s.pad_w() / 2;
    double max_diff = 0;
    for (int b = 0; b < s.n; ++b)
      for (int oy = 0; oy < s.oh(); ++oy)
        for (int ox = 0; ox < s.ow(); ++ox)
          for (int oc = 0; oc < s.cout; ++oc) {
            // Output (oy, ox) receives input (iy, ix) through tap
            // (oy + pt - iy * sh, ox + pl - ix * sw) when that is in range.
            double want = c.bias[oc];
            for (int iy = 0; iy < s.h; ++iy)
              for (int ix = 0; ix < s.w; ++ix) {
                const int ky = oy + pt - iy * s.sh, kx = ox + pl - ix * s.sw;
                if (ky < 0 || ky >= s.kh || kx < 0 || kx >= s.kw) continue;
                for (int ic = 0; ic < s.cin; ++ic)
                  want +=
                      static_cast<double>(
                          x[((b * s.h + iy) * s.w + ix) * s.cin + ic]) *
                      c.weights[((oc * s.kh + ky) * s.kw + kx) * s.cin + ic];
              }
            const float got =
                y[((b * s.oh() + oy) * s.ow() + ox) * s.cout + oc];
            max_diff = std::max(max_diff, std::fabs(got - want));
          }
    EXPECT_LE(max_diff, 1e-5);
  }
}

TEST(Conv2dTransposeBias, RejectsBadOptionsAndShapes) {
  auto build = [](std::vector<uint8_t> options, int weight_in, int bias_count) {
    ModelBuilder b;
    const int x = b.AddTensor(kF32, {1, 3, 3, 2}, "x");
    const int f = b.AddConstant<float>(kF32, {4, 2, 2, weight_in},
                                       std::vector<float>(16 * weight_in), "f");
    const int bias = b.AddConstant<float>(kF32, {bias_count},
                                          std::vector<float>(bias_count), "b");
    const int y = b.AddTensor(kF32, {1, 6, 6, 4}, "y");
    b.AddCustomOp("Convolution2DTransposeBias", {x, f, bias}, {y},
                  std::move(options));
    b.SetInputs({x});
    b.SetOutputs({y});
    return b.Build();
  };
  const std::vector<NpyArray> in = {RandomInput(kF32, {1, 3, 3, 2}, 1)};
  ExpectEmberError(build({1, 0, 0, 0}, 2, 4), in, "custom_options");
  ExpectEmberError(build(Options(0, 2, 2), 2, 4), in, "padding 0");
  ExpectEmberError(build(Options(1, 0, 2), 2, 4), in, "strides");
  ExpectEmberError(build(Options(1, 2, 2), 3, 4), in, "input channels");
  ExpectEmberError(build(Options(1, 2, 2), 2, 3), in, "bias has 3 elements");
  EXPECT_TRUE(RunEmber(build(Options(1, 2, 2), 2, 4), in).ok);
}

}  // namespace
}  // namespace ember
