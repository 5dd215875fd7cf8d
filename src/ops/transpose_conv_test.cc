// TRANSPOSE_CONV against LiteRT: random grids (int8/int16 bit-exact against
// BUILTIN_REF, float within a relative tolerance), including a
// non-constant output_shape.
#include <gtest/gtest.h>

#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;

enum class Kind {
  kFloat,
  kHybrid,
  kHybridPerTensor,
  kInt8PerChannel,
  kInt8PerTensor,
  kUInt8,
  kInt16
};

struct TcSpec {
  int n, h, w, cin, cout, kh, kw, sh, sw, oh, ow;
  fb::Padding padding;
  fb::ActivationFunctionType act;
  bool bias;
};

// An output size that a forward conv with these parameters maps back to
// the input size.
int OutSize(Rng& rng, fb::Padding padding, int in, int k, int stride) {
  if (padding == fb::Padding::SAME)
    return rng.Int((in - 1) * stride + 1, in * stride);
  return rng.Int((in - 1) * stride + k, (in - 1) * stride + k + stride - 1);
}

TcSpec RandomSpec(Rng& rng) {
  TcSpec s;
  s.n = rng.Int(1, 2);
  s.h = rng.Int(1, 6);
  s.w = rng.Int(1, 6);
  s.cin = rng.Int(1, 5);
  s.cout = rng.Int(1, 5);
  s.kh = rng.Int(1, 4);
  s.kw = rng.Int(1, 4);
  s.sh = rng.Int(1, 3);
  s.sw = rng.Int(1, 3);
  s.padding = rng.Bool() ? fb::Padding::SAME : fb::Padding::VALID;
  s.oh = OutSize(rng, s.padding, s.h, s.kh, s.sh);
  s.ow = OutSize(rng, s.padding, s.w, s.kw, s.sw);
  s.act = RandomActivation(rng);
  s.bias = rng.Int(0, 3) != 0;
  return s;
}

std::string Describe(const TcSpec& s) {
  char buf[256];
  snprintf(buf, sizeof(buf),
           "n%d h%d w%d cin%d cout%d k%dx%d s%dx%d out%dx%d %s act%d bias%d",
           s.n, s.h, s.w, s.cin, s.cout, s.kh, s.kw, s.sh, s.sw, s.oh, s.ow,
           s.padding == fb::Padding::SAME ? "SAME" : "VALID",
           static_cast<int>(s.act), s.bias);
  return buf;
}

OpTest MakeCase(Kind kind, const TcSpec& s, Rng& rng, bool shape_as_input) {
  ModelBuilder b;
  const std::vector<int32_t> in_shape = {s.n, s.h, s.w, s.cin};
  const std::vector<int32_t> f_shape = {s.cout, s.kh, s.kw, s.cin};
  const std::vector<int32_t> out_dims = {s.n, s.oh, s.ow, s.cout};
  const size_t f_count = static_cast<size_t>(s.cout) * s.kh * s.kw * s.cin;
  // Overlapping taps per output: about (k / stride)^2 * cin.
  const double taps =
      std::max(1.0, std::ceil(static_cast<double>(s.kh) / s.sh) *
                        std::ceil(static_cast<double>(s.kw) / s.sw) * s.cin);
  fb::TensorType in_type = kF32;
  int x = -1, f = -1, bias = -1, y = -1;
  int version = 3;
  const int shape_t = shape_as_input ? b.AddTensor(kI32, {4}, "output_shape")
                                     : b.AddConstant<int32_t>(
                                           kI32, {4}, out_dims, "output_shape");
  switch (kind) {
    case Kind::kFloat:
      x = b.AddTensor(kF32, in_shape, "x");
      f = b.AddConstant<float>(kF32, f_shape, rng.Floats(f_count, -1, 1), "f");
      if (s.bias)
        bias = b.AddConstant<float>(kF32, {s.cout}, rng.Floats(s.cout, -2, 2),
                                    "b");
      y = b.AddTensor(kF32, out_dims, "y");
      break;
    case Kind::kHybrid:
    case Kind::kHybridPerTensor: {
      // Dynamic range (TF converter from a Keras Conv2DTranspose): float
      // activations and bias, symmetric int8 weights.
      x = b.AddTensor(kF32, in_shape, "x");
      QuantSpec fq = kind == Kind::kHybrid
                         ? PerChannel(rng, s.cout, 0, 0.002f, 0.02f)
                         : PerTensor(rng.Float(0.002f, 0.02f), 0);
      f = b.AddConstant<int8_t>(kI8, f_shape,
                                rng.Ints<int8_t>(f_count, -127, 127), "f", fq);
      if (s.bias)
        bias = b.AddConstant<float>(kF32, {s.cout}, rng.Floats(s.cout, -2, 2),
                                    "b");
      y = b.AddTensor(kF32, out_dims, "y");
      break;
    }
    case Kind::kInt8PerChannel:
    case Kind::kInt8PerTensor: {
      in_type = kI8;
      const float in_s = rng.Float(0.01f, 0.05f);
      const int64_t in_zp = rng.Int(-20, 20);
      const float out_s = rng.Float(0.02f, 0.2f);
      const int64_t out_zp = rng.Int(-30, 30);
      const double acc_std = 74.0 * 74.0 * std::sqrt(taps);
      const float base = static_cast<float>(out_s * 40.0 / (acc_std * in_s));
      x = b.AddTensor(kI8, in_shape, "x", PerTensor(in_s, in_zp));
      QuantSpec fq = kind == Kind::kInt8PerChannel
                         ? PerChannel(rng, s.cout, 0, base * 0.5f, base * 1.5f)
                         : PerTensor(base, 0);
      f = b.AddConstant<int8_t>(kI8, f_shape,
                                rng.Ints<int8_t>(f_count, -127, 127), "f", fq);
      const int64_t r = static_cast<int64_t>(acc_std);
      if (s.bias)
        bias = b.AddConstant<int32_t>(kI32, {s.cout},
                                      rng.Ints<int32_t>(s.cout, -r, r), "b");
      y = b.AddTensor(kI8, out_dims, "y", PerTensor(out_s, out_zp));
      break;
    }
    case Kind::kUInt8: {
      in_type = kU8;
      const float in_s = rng.Float(0.01f, 0.05f);
      const float out_s = rng.Float(0.02f, 0.2f);
      const double acc_std = 74.0 * 74.0 * std::sqrt(taps);
      const float base = static_cast<float>(out_s * 40.0 / (acc_std * in_s));
      x = b.AddTensor(kU8, in_shape, "x", PerTensor(in_s, rng.Int(110, 145)));
      f = b.AddConstant<uint8_t>(kU8, f_shape,
                                 rng.Ints<uint8_t>(f_count, 0, 255), "f",
                                 PerTensor(base, rng.Int(100, 155)));
      const int64_t r = static_cast<int64_t>(acc_std);
      if (s.bias)
        bias = b.AddConstant<int32_t>(kI32, {s.cout},
                                      rng.Ints<int32_t>(s.cout, -r, r), "b");
      y = b.AddTensor(kU8, out_dims, "y", PerTensor(out_s, rng.Int(100, 155)));
      break;
    }
    case Kind::kInt16: {
      in_type = kI16;
      const float in_s = rng.Float(1e-4f, 5e-4f);
      const float out_s = rng.Float(1e-4f, 1e-3f);
      const double acc_std = 18900.0 * 74.0 * std::sqrt(taps);
      const float base = static_cast<float>(out_s * 8000.0 / (acc_std * in_s));
      x = b.AddTensor(kI16, in_shape, "x", PerTensor(in_s, 0));
      f = b.AddConstant<int8_t>(
          kI8, f_shape, rng.Ints<int8_t>(f_count, -127, 127), "f",
          PerChannel(rng, s.cout, 0, base * 0.5f, base * 1.5f));
      const int64_t r = static_cast<int64_t>(acc_std);
      if (s.bias)
        bias = b.AddConstant<int64_t>(kI64, {s.cout},
                                      rng.Ints<int64_t>(s.cout, -r, r), "b");
      y = b.AddTensor(kI16, out_dims, "y", PerTensor(out_s, 0));
      break;
    }
  }
  if (s.act != fb::ActivationFunctionType::NONE) version = 4;
  fb::TransposeConvOptionsT opt;
  opt.padding = s.padding;
  opt.stride_h = s.sh;
  opt.stride_w = s.sw;
  opt.fused_activation_function = s.act;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  b.AddOp(fb::BuiltinOperator::TRANSPOSE_CONV, {shape_t, f, x, bias}, {y},
          std::move(u), version);
  b.SetOutputs({y});
  OpTest nc;
  nc.name = Describe(s);
  NpyArray xin = RandomInput(in_type, in_shape, rng.Seed());
  if (shape_as_input) {
    b.SetInputs({shape_t, x});
    nc.inputs = {MakeArray<int32_t>(DataType::kInt32, {4}, out_dims), xin};
  } else {
    b.SetInputs({x});
    nc.inputs = {xin};
  }
  nc.model = b.Build();
  return nc;
}

std::vector<OpTest> Grid(Kind kind, uint32_t seed, int count,
                         bool shape_as_input) {
  Rng rng(seed);
  std::vector<OpTest> cases;
  for (int i = 0; i < count; ++i)
    cases.push_back(MakeCase(kind, RandomSpec(rng), rng, shape_as_input));
  return cases;
}

TEST(TransposeConv, Float) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kFloat, 31, 40, false),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/false));
}
TEST(TransposeConv, FloatDynamicOutputShape) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kFloat, 32, 30, true),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/false));
}
// Hybrid: LiteRT's reference quantizes the input per batch (symmetric,
// [-127, 127]), accumulates in int32 and scales by input x weight scale;
// Ember does the same, so the outputs agree to float rounding.
TEST(TransposeConv, HybridPerChannel) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kHybrid, 37, 40, false),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}
TEST(TransposeConv, HybridPerTensor) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kHybridPerTensor, 38, 20, false),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}
TEST(TransposeConv, HybridDynamicOutputShape) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kHybrid, 39, 20, true),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}
// Quantized with output_shape given at run time (TFLM's seanet int16
// models compute it in the graph).
TEST(TransposeConv, Int8DynamicOutputShape) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt8PerChannel, 40, 30, true),
                               Tolerance::Exact(), /*litert_reference=*/true));
}
TEST(TransposeConv, Int16DynamicOutputShape) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt16, 41, 30, true),
                               Tolerance::Exact(), /*litert_reference=*/true));
}
TEST(TransposeConv, Int8PerChannel) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt8PerChannel, 33, 40, false),
                               Tolerance::Exact(), /*litert_reference=*/true));
}
TEST(TransposeConv, Int8PerTensor) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt8PerTensor, 34, 30, false),
                               Tolerance::Exact(), /*litert_reference=*/true));
}
TEST(TransposeConv, UInt8) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kUInt8, 36, 30, false),
                               Tolerance::Exact(), /*litert_reference=*/true));
}
TEST(TransposeConv, Int16) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt16, 35, 30, false),
                               Tolerance::Exact(), /*litert_reference=*/true));
}

}  // namespace
}  // namespace ember

namespace ember {
namespace {

using namespace testing;

std::vector<uint8_t> BadTransposeConv(std::vector<int32_t> out_shape,
                                      std::vector<int32_t> w_shape,
                                      fb::TensorType type,
                                      bool shape_as_input = false) {
  ModelBuilder b;
  const QuantSpec q = type == kF32 ? QuantSpec{} : PerTensor(0.5f, 0);
  const int shape =
      shape_as_input
          ? b.AddTensor(kI32, {static_cast<int32_t>(out_shape.size())}, "s")
          : b.AddConstant<int32_t>(
                kI32, {static_cast<int32_t>(out_shape.size())}, out_shape, "s");
  size_t n = 1;
  for (int d : w_shape) n *= d;
  const int w =
      type == kF32
          ? b.AddConstant<float>(kF32, w_shape, std::vector<float>(n), "w")
          : b.AddConstant<int8_t>(kI8, w_shape, std::vector<int8_t>(n), "w",
                                  PerTensor(0.1f, 0));
  const int x = b.AddTensor(type, {1, 3, 3, 2}, "x", q);
  const int y = b.AddTensor(type, {}, "y", q);
  fb::TransposeConvOptionsT opt;
  opt.padding = fb::Padding::SAME;
  opt.stride_h = opt.stride_w = 2;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  b.AddOp(fb::BuiltinOperator::TRANSPOSE_CONV, {shape, w, x}, {y}, std::move(u),
          3);
  b.SetInputs(shape_as_input ? std::vector<int32_t>{shape, x}
                             : std::vector<int32_t>{x});
  b.SetOutputs({y});
  return b.Build();
}

TEST(TransposeConv, RejectsMalformedModels) {
  const std::vector<NpyArray> f32 = {RandomInput(kF32, {1, 3, 3, 2}, 1)};
  const std::vector<NpyArray> i8 = {RandomInput(kI8, {1, 3, 3, 2}, 1)};
  ASSERT_TRUE(
      RunEmber(BadTransposeConv({1, 6, 6, 4}, {4, 3, 3, 2}, kF32), f32).ok);
  ExpectEmberError(BadTransposeConv({1, 6, 6, 5}, {4, 3, 3, 2}, kF32), f32,
                   "channels");
  ExpectEmberError(BadTransposeConv({2, 6, 6, 4}, {4, 3, 3, 2}, kF32), f32,
                   "batch 1");
  ExpectEmberError(BadTransposeConv({1, 6, 6}, {4, 3, 3, 2}, kF32), f32,
                   "4 entries");
  ExpectEmberError(BadTransposeConv({1, 6, 6, 4}, {4, 3, 3, 3}, kF32), f32,
                   "weights have 3 input channels");
  // Quantized with a non-constant output_shape: validated when it runs.
  ASSERT_TRUE(
      RunEmber(BadTransposeConv({1, 6, 6, 4}, {4, 3, 3, 2}, kI8, true),
               {MakeArray<int32_t>(DataType::kInt32, {4}, {1, 6, 6, 4}), i8[0]})
          .ok);
  ExpectEmberError(
      BadTransposeConv({1, 6, 6, 4}, {4, 3, 3, 2}, kI8, true),
      {MakeArray<int32_t>(DataType::kInt32, {4}, {1, 6, 6, 7}), i8[0]},
      "channels");
  // A non-constant output_shape is validated when the op runs.
  ExpectEmberError(
      BadTransposeConv({1, 6, 6, 4}, {4, 3, 3, 2}, kF32, true),
      {MakeArray<int32_t>(DataType::kInt32, {4}, {1, 6, 6, 7}), f32[0]},
      "channels");
}

}  // namespace
}  // namespace ember
