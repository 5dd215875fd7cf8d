// FULLY_CONNECTED against LiteRT: random grids per type (integer kinds
// bit-exact against BUILTIN_REF, float/hybrid within a relative tolerance).
#include <gtest/gtest.h>

#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;

enum class Kind {
  kFloat,
  kHybridSymmetric,
  kHybridAsymmetric,
  kHybridPerChannel,
  kInt8PerTensor,
  kInt8PerChannel,
  kUInt8,
  kInt16,
};

struct FcSpec {
  std::vector<int32_t> in_shape;
  int depth, units;
  bool keep_num_dims;
  fb::ActivationFunctionType act;
  bool bias;
};

FcSpec RandomSpec(Rng& rng) {
  FcSpec s;
  s.depth = rng.Int(1, 40);
  s.units = rng.Int(1, 12);
  s.act = RandomActivation(rng);
  s.bias = rng.Int(0, 3) != 0;
  s.keep_num_dims = rng.Int(0, 2) == 0;
  const int rank = rng.Int(1, 4);
  if (!s.keep_num_dims && s.depth % 2 == 0 && rng.Bool()) {
    // Flattened input whose last dim is not the depth.
    s.in_shape = {rng.Int(1, 3), 2, s.depth / 2};
  } else {
    for (int i = 0; i + 1 < rank; ++i) s.in_shape.push_back(rng.Int(1, 3));
    s.in_shape.push_back(s.depth);
  }
  return s;
}

std::string Describe(const FcSpec& s) {
  std::string r = "in[";
  for (int d : s.in_shape) r += std::to_string(d) + ",";
  r += "] depth" + std::to_string(s.depth) + " units" +
       std::to_string(s.units) + " keep" + std::to_string(s.keep_num_dims) +
       " act" + std::to_string(static_cast<int>(s.act)) + " bias" +
       std::to_string(s.bias);
  return r;
}

// With weights_as_input the weights are a second (non-constant) model input
// holding the same values.
OpTest MakeCase(Kind kind, const FcSpec& s, Rng& rng,
                bool weights_as_input = false) {
  ModelBuilder b;
  const std::vector<int32_t> w_shape = {s.units, s.depth};
  const size_t w_count = static_cast<size_t>(s.units) * s.depth;
  fb::TensorType in_type = kF32;
  int x = -1, w = -1, bias = -1, y = -1;
  int version = 1;
  bool asymmetric = false;
  switch (kind) {
    case Kind::kFloat:
      x = b.AddTensor(kF32, s.in_shape, "x");
      w = b.AddConstant<float>(kF32, w_shape, rng.Floats(w_count, -1, 1), "w");
      if (s.bias)
        bias = b.AddConstant<float>(kF32, {s.units}, rng.Floats(s.units, -2, 2),
                                    "b");
      y = b.AddTensor(kF32, {}, "y");
      break;
    case Kind::kHybridSymmetric:
    case Kind::kHybridAsymmetric:
    case Kind::kHybridPerChannel: {
      version = kind == Kind::kHybridSymmetric ? 3 : 9;
      asymmetric = kind != Kind::kHybridSymmetric;
      x = b.AddTensor(kF32, s.in_shape, "x");
      QuantSpec wq = kind == Kind::kHybridPerChannel
                         ? PerChannel(rng, s.units, 0, 0.005f, 0.02f)
                         : PerTensor(0.01f, 0);
      w = b.AddConstant<int8_t>(kI8, w_shape,
                                rng.Ints<int8_t>(w_count, -127, 127), "w", wq);
      if (s.bias)
        bias = b.AddConstant<float>(kF32, {s.units}, rng.Floats(s.units, -2, 2),
                                    "b");
      y = b.AddTensor(kF32, {}, "y");
      break;
    }
    case Kind::kInt8PerTensor:
    case Kind::kInt8PerChannel:
    case Kind::kUInt8: {
      const bool u8 = kind == Kind::kUInt8;
      version = u8 ? 1 : (kind == Kind::kInt8PerChannel ? 12 : 4);
      in_type = u8 ? kU8 : kI8;
      const float in_s = rng.Float(0.01f, 0.05f);
      const int64_t in_zp = u8 ? rng.Int(110, 145) : rng.Int(-20, 20);
      const float out_s = rng.Float(0.02f, 0.2f);
      const int64_t out_zp = u8 ? rng.Int(100, 155) : rng.Int(-30, 30);
      const double acc_std =
          74.0 * 74.0 * std::sqrt(static_cast<double>(s.depth));
      const float base = static_cast<float>(out_s * 40.0 / (acc_std * in_s));
      x = b.AddTensor(in_type, s.in_shape, "x", PerTensor(in_s, in_zp));
      if (u8) {
        w = b.AddConstant<uint8_t>(kU8, w_shape,
                                   rng.Ints<uint8_t>(w_count, 0, 255), "w",
                                   PerTensor(base, rng.Int(100, 155)));
      } else {
        QuantSpec wq =
            kind == Kind::kInt8PerChannel
                ? PerChannel(rng, s.units, 0, base * 0.5f, base * 1.5f)
                : PerTensor(base, 0);
        w = b.AddConstant<int8_t>(
            kI8, w_shape, rng.Ints<int8_t>(w_count, -127, 127), "w", wq);
      }
      const int64_t r = static_cast<int64_t>(acc_std);
      if (s.bias)
        bias = b.AddConstant<int32_t>(kI32, {s.units},
                                      rng.Ints<int32_t>(s.units, -r, r), "b");
      y = b.AddTensor(in_type, {}, "y", PerTensor(out_s, out_zp));
      break;
    }
    case Kind::kInt16: {
      version = 7;
      in_type = kI16;
      const float in_s = rng.Float(1e-4f, 5e-4f);
      const float out_s = rng.Float(1e-4f, 1e-3f);
      const double acc_std =
          18900.0 * 74.0 * std::sqrt(static_cast<double>(s.depth));
      const float base = static_cast<float>(out_s * 8000.0 / (acc_std * in_s));
      x = b.AddTensor(kI16, s.in_shape, "x", PerTensor(in_s, 0));
      w = b.AddConstant<int8_t>(kI8, w_shape,
                                rng.Ints<int8_t>(w_count, -127, 127), "w",
                                PerTensor(base, 0));
      const int64_t r = static_cast<int64_t>(acc_std);
      // int64 bias only: LiteRT's int16 path with an int32 bias reads it as
      // int64 (garbage), so it cannot serve as the oracle there.
      if (s.bias)
        bias = b.AddConstant<int64_t>(kI64, {s.units},
                                      rng.Ints<int64_t>(s.units, -r, r), "b");
      y = b.AddTensor(kI16, {}, "y", PerTensor(out_s, 0));
      break;
    }
  }
  if (s.keep_num_dims) version = std::max(version, 5);
  fb::FullyConnectedOptionsT opt;
  opt.fused_activation_function = s.act;
  opt.keep_num_dims = s.keep_num_dims;
  opt.asymmetric_quantize_inputs = asymmetric;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {x, w, bias}, {y}, std::move(u),
          version);
  OpTest nc;
  nc.name = Describe(s);
  b.SetOutputs({y});
  if (weights_as_input) {
    // Turn the constant weights into an input fed the same bytes.
    fb::TensorT& wt = b.tensor(w);
    auto& buffer = b.model().buffers[wt.buffer];
    NpyArray wa;
    wa.type = ToDataType(wt.type);
    wa.shape = {s.units, s.depth};
    wa.data = buffer->data;
    buffer->data.clear();
    b.SetInputs({x, w});
    nc.model = b.Build();
    nc.inputs = {RandomInput(in_type, s.in_shape, rng.Seed()), wa};
    return nc;
  }
  b.SetInputs({x});
  nc.model = b.Build();
  nc.inputs = {RandomInput(in_type, s.in_shape, rng.Seed())};
  return nc;
}

std::vector<OpTest> Grid(Kind kind, uint32_t seed, int count,
                         bool weights_as_input = false) {
  Rng rng(seed);
  std::vector<OpTest> cases;
  for (int i = 0; i < count; ++i)
    cases.push_back(MakeCase(kind, RandomSpec(rng), rng, weights_as_input));
  return cases;
}

TEST(FullyConnected, Float) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kFloat, 21, 40),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/false));
}
TEST(FullyConnected, Int8PerTensor) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt8PerTensor, 22, 40),
                               Tolerance::Exact(), /*litert_reference=*/true));
}
TEST(FullyConnected, Int8PerChannel) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt8PerChannel, 23, 30),
                               Tolerance::Exact(), /*litert_reference=*/true));
}
TEST(FullyConnected, UInt8) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kUInt8, 24, 30), Tolerance::Exact(),
                               /*litert_reference=*/true));
}
TEST(FullyConnected, Int16) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt16, 25, 30), Tolerance::Exact(),
                               /*litert_reference=*/true));
}
TEST(FullyConnected, Int8NonConstantWeights) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kInt8PerTensor, 29, 30, true),
                               Tolerance::Exact(), /*litert_reference=*/true));
}
TEST(FullyConnected, FloatNonConstantWeights) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kFloat, 30, 30, true),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/false));
}
TEST(FullyConnected, HybridSymmetric) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kHybridSymmetric, 26, 30),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}
TEST(FullyConnected, HybridAsymmetric) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kHybridAsymmetric, 27, 30),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}
TEST(FullyConnected, HybridPerChannel) {
  ExpectMatchesLiteRt(Compared(Grid(Kind::kHybridPerChannel, 28, 30),
                               Tolerance::RelativeToMax(1e-5),
                               /*litert_reference=*/true));
}

// Multi-row input (576 rows of 48, the 576x48 -> 192 layer): each
// row is quantized on its own, with LiteRT's asymmetric arithmetic.
TEST(FullyConnected, HybridManyRowsMatchesReference) {
  for (Kind kind : {Kind::kHybridAsymmetric, Kind::kHybridPerChannel}) {
    Rng rng(281);
    FcSpec s;
    s.in_shape = {1, 576, 48};
    s.depth = 48;
    s.units = 192;
    s.keep_num_dims = true;
    s.act = fb::ActivationFunctionType::NONE;
    s.bias = true;
    std::vector<OpTest> cases;
    cases.push_back(MakeCase(kind, s, rng));
    ExpectMatchesLiteRt(Compared(std::move(cases),
                                 Tolerance::RelativeToMax(1e-5),
                                 /*litert_reference=*/true));
  }
}

// Rows built so that one value's quotient x / scale lands exactly on a
// half: LiteRT rounds it before adding the zero point (and takes the range
// width as a float difference), so the quantized value differs by one from
// rounding (zero point + x / scale). Found by search; each row is
// {min, max, tie value}.
TEST(FullyConnected, HybridAsymmetricTiesMatchReference) {
  Rng rng(282);
  FcSpec s;
  s.in_shape = {3, 3};
  s.depth = 3;
  s.units = 4;
  s.keep_num_dims = false;
  s.act = fb::ActivationFunctionType::NONE;
  s.bias = true;
  OpTest c = MakeCase(Kind::kHybridAsymmetric, s, rng);
  c.inputs = {MakeArray<float>(
      DataType::kFloat32, {3, 3},
      {-0.4286411f, 0.24314456f, 0.009220587f, -0.7413515f, 0.24864218f,
       -0.0058234925f, -0.26866063f, 0.87594146f, 0.38826695f})};
  std::vector<OpTest> cases;
  cases.push_back(std::move(c));
  ExpectMatchesLiteRt(Compared(std::move(cases), Tolerance::RelativeToMax(1e-6),
                               /*litert_reference=*/true));
}

}  // namespace
}  // namespace ember

namespace ember {
namespace {

using namespace testing;

struct BadFc {
  fb::TensorType in_type = kI8, w_type = kI8, bias_type = kI32;
  std::vector<int32_t> in_shape = {2, 6};
  std::vector<int32_t> w_shape = {3, 6};
  int bias_count = 3;
  bool keep_num_dims = false;
  bool output_quant = true;
  QuantSpec w_quant = PerTensor(0.1f, 0);

  std::vector<uint8_t> Build() const {
    ModelBuilder b;
    const int x = b.AddTensor(in_type, in_shape, "x", PerTensor(0.5f, 0));
    size_t n = 1;
    for (int d : w_shape) n *= d;
    const size_t wbytes = n * (w_type == kF32 ? 4 : 1);
    const int w =
        b.AddConstant(w_type, w_shape, std::vector<uint8_t>(wbytes).data(),
                      wbytes, "w", w_quant);
    const size_t bytes = bias_count * (bias_type == kI64 ? 8 : 4);
    const int bias =
        b.AddConstant(bias_type, {bias_count},
                      std::vector<uint8_t>(bytes).data(), bytes, "b");
    const int y = b.AddTensor(in_type, {}, "y",
                              output_quant ? PerTensor(0.5f, 0) : QuantSpec{});
    fb::FullyConnectedOptionsT opt;
    opt.keep_num_dims = keep_num_dims;
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {x, w, bias}, {y},
            std::move(u), 4);
    b.SetInputs({x});
    b.SetOutputs({y});
    return b.Build();
  }
  std::vector<NpyArray> Inputs() const {
    return {RandomInput(in_type, in_shape, 1)};
  }
};

TEST(FullyConnected, RejectsMalformedModels) {
  {
    BadFc ok;
    ASSERT_TRUE(RunEmber(ok.Build(), ok.Inputs()).ok);
  }
  BadFc c;
  c.in_shape = {2, 5};
  ExpectEmberError(c.Build(), c.Inputs(), "not a multiple of depth 6");
  c = BadFc{};
  c.in_shape = {2, 3, 4};
  c.keep_num_dims = true;
  ExpectEmberError(c.Build(), c.Inputs(), "keep_num_dims");
  c = BadFc{};
  c.w_shape = {3, 2, 3};
  ExpectEmberError(c.Build(), c.Inputs(), "weights must be 2-D");
  c = BadFc{};
  c.output_quant = false;
  ExpectEmberError(c.Build(), c.Inputs(), "no quantization parameters");
  c = BadFc{};
  c.bias_count = 4;
  ExpectEmberError(c.Build(), c.Inputs(), "bias has 4 elements");
  c = BadFc{};
  c.w_type = kU8;
  ExpectEmberError(c.Build(), c.Inputs(), "weights has type");
  c = BadFc{};
  c.in_type = kI16;
  c.w_quant = PerTensor(0.1f, 3);
  ExpectEmberError(c.Build(), c.Inputs(), "zero points 0");
  c = BadFc{};
  c.in_type = kF32;
  c.w_type = kI8;
  c.bias_type = kI32;
  ExpectEmberError(c.Build(), c.Inputs(), "bias has type");
  c = BadFc{};
  c.in_type = kI32;
  ExpectEmberError(c.Build(), c.Inputs(), "not supported");
}

}  // namespace
}  // namespace ember
