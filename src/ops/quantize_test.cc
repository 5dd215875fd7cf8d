// QUANTIZE, DEQUANTIZE and CAST against LiteRT's reference kernels.
#include "util/op_test_harness.h"

namespace ember {
namespace {

using namespace testing;
using Op = fb::BuiltinOperator;

OpTest Unary(const std::string& name, Op op, Operand x, OutSpec out,
             fb::BuiltinOptionsUnion opts = {}, double tol = 0) {
  return MakeCase(name, op, {std::move(x)}, {std::move(out)}, std::move(opts),
                  1, tol);
}

int64_t QMin(DataType t) {
  return t == DataType::kInt8 ? -128 : t == DataType::kUInt8 ? 0 : -32768;
}
int64_t QMax(DataType t) {
  return t == DataType::kInt8 ? 127 : t == DataType::kUInt8 ? 255 : 32767;
}

TEST(QuantizeOp, FloatToIntegerMatchesLiteRt) {
  std::vector<OpTest> cases;
  std::mt19937 rng(1);
  uint32_t seed = 10;
  for (DataType t : {DataType::kInt8, DataType::kUInt8, DataType::kInt16}) {
    for (int rep = 0; rep < 5; ++rep) {
      const QuantSpec q = RandomQuant(rng, t, 0.001f, 0.1f);
      // Cover the representable range and a little beyond (clamping).
      const float s = q.scales[0];
      const float lo = s * (QMin(t) - q.zero_points[0]) * 1.2f;
      const float hi = s * (QMax(t) - q.zero_points[0]) * 1.2f;
      cases.push_back(
          Unary("QUANTIZE float->" + std::string(DataTypeName(t)), Op::QUANTIZE,
                In(RandomArray(DataType::kFloat32, {4, 64}, seed++, lo, hi)),
                {ToFb(t), q}));
    }
  }
  // Exact halves of the scale: rounding ties go away from zero.
  std::vector<float> ties;
  for (int i = -40; i <= 40; ++i) ties.push_back(0.25f * i + 0.125f);
  cases.push_back(
      Unary("QUANTIZE ties", Op::QUANTIZE,
            In(Values<float>(DataType::kFloat32, {int64_t(ties.size())}, ties)),
            {kI8, Quant(0.25f, 3)}));
  // Per-channel float -> int8 along the first and the last axis.
  for (int axis : {0, 2}) {
    const int channels = axis == 0 ? 3 : 5;
    QuantSpec q;
    q.dim = axis;
    for (int c = 0; c < channels; ++c) {
      q.scales.push_back(0.01f * (c + 1));
      q.zero_points.push_back(c - 1);
    }
    cases.push_back(
        Unary("QUANTIZE per-channel axis " + std::to_string(axis), Op::QUANTIZE,
              In(RandomArray(DataType::kFloat32, {3, 4, 5}, seed++, -2, 2)),
              {kI8, q}));
  }
  ExpectMatchesLiteRt(cases);
}

TEST(QuantizeOp, RequantizeMatchesLiteRt) {
  std::vector<OpTest> cases;
  std::mt19937 rng(2);
  uint32_t seed = 50;
  const std::pair<DataType, DataType> pairs[] = {
      {DataType::kInt8, DataType::kInt8},
      {DataType::kInt8, DataType::kUInt8},
      {DataType::kUInt8, DataType::kInt8},
      {DataType::kUInt8, DataType::kUInt8},
      {DataType::kInt16, DataType::kInt8},
      {DataType::kInt16, DataType::kInt16},
      {DataType::kInt8, DataType::kInt16},
      {DataType::kInt16, DataType::kInt32}};
  for (auto [from, to] : pairs) {
    for (int rep = 0; rep < 4; ++rep) {
      const QuantSpec qi = RandomQuant(rng, from, 0.001f, 0.1f);
      QuantSpec qo = RandomQuant(
          rng, to == DataType::kInt32 ? DataType::kInt16 : to, 0.001f, 0.1f);
      if (rep == 0) {  // same scale: the zero-point-shift-only case
        qo.scales = qi.scales;
      }
      NpyArray x = from == DataType::kInt16
                       ? RandomArray(from, {3, 100}, seed++, 0, 0)
                       : AllValues8(from);
      cases.push_back(Unary("QUANTIZE " + std::string(DataTypeName(from)) +
                                "->" + DataTypeName(to),
                            Op::QUANTIZE, In(x, qi), {ToFb(to), qo}));
    }
  }
  ExpectMatchesLiteRt(cases);
}

// int32 -> int8 / int16 requantization (TFLM's seanet models feed QUANTIZE
// an int32 accumulator-like tensor): scales from 1e-6 (large shifts) to
// 1 and values past the output range (clamping), zero points included.
TEST(QuantizeOp, RequantizeFromInt32MatchesLiteRt) {
  std::vector<OpTest> cases;
  std::mt19937 rng(3);
  uint32_t seed = 90;
  for (DataType to : {DataType::kInt8, DataType::kInt16}) {
    for (int rep = 0; rep < 6; ++rep) {
      QuantSpec qi = RandomQuant(rng, DataType::kInt16, 1e-6f, 1e-3f);
      qi.zero_points = {rep % 2 == 0 ? 0 : 1000 * rep};
      const QuantSpec qo = RandomQuant(rng, to, 1e-4f, 0.05f);
      // Values reach a few times the output range after rescaling.
      const float reach =
          3.0f * static_cast<float>(QMax(to)) * qo.scales[0] / qi.scales[0];
      const float r = std::min(reach, 2.0e9f);
      cases.push_back(
          Unary("QUANTIZE int32->" + std::string(DataTypeName(to)) + " rep " +
                    std::to_string(rep),
                Op::QUANTIZE,
                In(RandomArray(DataType::kInt32, {2, 150}, seed++, -r, r), qi),
                {ToFb(to), qo}));
    }
  }
  ExpectMatchesLiteRt(cases);
}

NpyArray HalfArray(std::vector<int64_t> shape, uint32_t seed, float lo,
                   float hi) {
  NpyArray f = RandomArray(DataType::kFloat32, shape, seed, lo, hi);
  const size_t n = ElementCount(f);
  std::vector<uint16_t> h(n);
  for (size_t i = 0; i < n; ++i) {
    float v;
    memcpy(&v, f.data.data() + 4 * i, 4);
    h[i] = ref::FloatToHalf(v);
  }
  // Special values: zero, subnormal, max, inf.
  if (n >= 4) {
    h[0] = 0x8000;
    h[1] = 0x0003;
    h[2] = 0x7BFF;
    h[3] = 0xFC00;
  }
  return MakeArray<uint16_t>(DataType::kFloat16, std::move(shape), h);
}

TEST(DequantizeOp, MatchesLiteRt) {
  std::vector<OpTest> cases;
  std::mt19937 rng(3);
  uint32_t seed = 80;
  for (DataType t : {DataType::kInt8, DataType::kUInt8, DataType::kInt16}) {
    for (int rep = 0; rep < 3; ++rep) {
      const QuantSpec q = RandomQuant(rng, t, 0.0001f, 0.5f);
      NpyArray x = t == DataType::kInt16
                       ? RandomArray(t, {2, 150}, seed++, 0, 0)
                       : AllValues8(t);
      cases.push_back(Unary("DEQUANTIZE " + std::string(DataTypeName(t)),
                            Op::DEQUANTIZE, rep == 2 ? Const(x, q) : In(x, q),
                            {kF32, {}}));
    }
  }
  // Per-channel int8 weights (constant), as in weight-only quantized models.
  for (int axis : {0, 1}) {
    QuantSpec q;
    q.dim = axis;
    const int channels = axis == 0 ? 4 : 6;
    for (int c = 0; c < channels; ++c) {
      q.scales.push_back(0.003f * (c + 1));
      q.zero_points.push_back(0);
    }
    cases.push_back(Unary(
        "DEQUANTIZE per-channel axis " + std::to_string(axis), Op::DEQUANTIZE,
        Const(RandomArray(DataType::kInt8, {4, 6}, seed++, 0, 0), q),
        {kF32, {}}));
  }
  // float16 -> float32, constant (folded at prepare) and runtime input.
  cases.push_back(Unary("DEQUANTIZE fp16 const", Op::DEQUANTIZE,
                        Const(HalfArray({8, 16}, seed++, -100, 100)),
                        {kF32, {}}));
  cases.push_back(Unary("DEQUANTIZE fp16 input", Op::DEQUANTIZE,
                        In(HalfArray({3, 7}, seed++, -2, 2)), {kF32, {}}));
  ExpectMatchesLiteRt(cases);
}

// fp16 weights behind DEQUANTIZE feeding a runtime op (MediaPipe style):
// Ember folds the DEQUANTIZE at prepare time.
TEST(DequantizeOp, FoldedFp16ConstantFeedsAdd) {
  ModelBuilder b;
  const NpyArray w = HalfArray({2, 8}, 7, -3, 3);
  const int wt = b.AddConstant(fb::TensorType::FLOAT16, {2, 8}, w.data.data(),
                               w.data.size(), "w16");
  const int wf = b.AddTensor(kF32, {2, 8}, "w");
  const int x = b.AddTensor(kF32, {2, 8}, "x");
  const int y = b.AddTensor(kF32, {2, 8}, "y");
  b.AddOp(Op::DEQUANTIZE, {wt}, {wf}, {}, 3);
  fb::BuiltinOptionsUnion opts;
  opts.Set(fb::AddOptionsT());
  b.AddOp(Op::ADD, {x, wf}, {y}, std::move(opts));
  b.SetInputs({x});
  b.SetOutputs({y});
  OpTest c;
  c.name = "fp16 dequantize + add";
  c.model = b.Build();
  c.inputs = {RandomArray(DataType::kFloat32, {2, 8}, 8, -1, 1)};
  ExpectMatchesLiteRt({c});
}

TEST(CastOp, MatchesLiteRt) {
  const DataType types[] = {
      DataType::kFloat32, DataType::kFloat16, DataType::kInt64,
      DataType::kInt32,   DataType::kUInt32,  DataType::kInt16,
      DataType::kInt8,    DataType::kUInt8,   DataType::kBool};
  std::vector<OpTest> cases;
  uint32_t seed = 200;
  for (DataType from : types) {
    for (DataType to : types) {
      if (from == to) continue;
      const bool is_unsigned =
          to == DataType::kUInt8 || to == DataType::kUInt32 ||
          from == DataType::kUInt8 || from == DataType::kUInt32;
      // Values representable in every type involved (no undefined casts).
      const float lo = is_unsigned ? 0.0f : -100.0f, hi = 100.0f;
      NpyArray x;
      if (from == DataType::kFloat16) {
        x = HalfArray({5, 7}, seed++, lo, hi);
        // Drop the special values the helper plants (inf is not castable).
        const std::vector<uint16_t> fix = {0x0000, 0x3C00, 0x4100, 0xC0A0};
        for (size_t i = 0; i < fix.size(); ++i) {
          uint16_t v = fix[i];
          if (is_unsigned && (v & 0x8000)) v = 0x4500;
          memcpy(x.data.data() + 2 * i, &v, 2);
        }
      } else if (from == DataType::kUInt32) {
        NpyArray i32 = RandomArray(DataType::kInt32, {5, 7}, seed++, 0, 100);
        x = i32;
        x.type = DataType::kUInt32;
      } else {
        x = RandomArray(from, {5, 7}, seed++, lo, hi);
      }
      fb::BuiltinOptionsUnion opts;
      fb::CastOptionsT o;
      o.in_data_type = ToFb(from);
      o.out_data_type = ToFb(to);
      opts.Set(o);
      cases.push_back(MakeCase(
          std::string("CAST ") + DataTypeName(from) + "->" + DataTypeName(to),
          Op::CAST, {In(x)}, {{ToFb(to), {}}}, std::move(opts)));
    }
  }
  ExpectMatchesLiteRt(cases);
}

// float32 -> float16 rounding at the edges: subnormals, ties, overflow,
// infinities and NaN; and every half value back to float32.
TEST(CastOp, HalfConversionEdgesMatchLiteRt) {
  const std::vector<float> edges = {
      0.0f,           -0.0f,         1e-8f,   3e-8f,        5.96e-8f,  6e-8f,
      1e-6f,          -2.5e-6f,      6.1e-5f, 6.104e-5f,    0.1f,      1.0f / 3,
      1.00048828125f, 1.0009765625f, 2049.0f, 2051.0f,      65504.0f,  65519.0f,
      65520.0f,       1e6f,          -1e6f,   INFINITY,     -INFINITY, NAN,
      3.14159f,       -65504.0f,     1.5e-5f, 2.9802322e-8f};
  std::vector<OpTest> cases;
  cases.push_back(MakeCase(
      "CAST f32->f16 edges", Op::CAST,
      {In(Values<float>(DataType::kFloat32, {int64_t(edges.size())}, edges))},
      {{fb::TensorType::FLOAT16, {}}}));
  std::vector<uint16_t> halves(65536);
  for (int i = 0; i < 65536; ++i) halves[i] = static_cast<uint16_t>(i);
  cases.push_back(
      MakeCase("CAST f16->f32 all", Op::CAST,
               {In(MakeArray<uint16_t>(DataType::kFloat16, {65536}, halves))},
               {{kF32, {}}}));
  ExpectMatchesLiteRt(cases);
}

TEST(QuantizeOp, RejectsBadModels) {
  ExpectEmberError(
      Unary("quantize no params", Op::QUANTIZE,
            In(RandomArray(DataType::kFloat32, {3}, 1)), {kI8, {}}),
      "no quantization");
  ExpectEmberError(
      Unary("quantize to float", Op::QUANTIZE,
            In(RandomArray(DataType::kFloat32, {3}, 1)), {kF32, {}}),
      "not supported");
  QuantSpec bad;
  bad.scales = {0.1f, 0.2f};
  bad.zero_points = {0, 0};
  bad.dim = 1;
  ExpectEmberError(
      Unary("dequantize channel count", Op::DEQUANTIZE,
            Const(RandomArray(DataType::kInt8, {2, 3}, 1, 0, 0), bad),
            {kF32, {}}),
      "per-channel quantization has 2 scales");
  ExpectEmberError(
      Unary("requantize int8 to int32", Op::QUANTIZE,
            In(RandomArray(DataType::kInt8, {3}, 1, 0, 0), Quant(0.1f, 0)),
            {kI32, Quant(0.1f, 0)}),
      "not supported");
  ExpectEmberError(
      Unary("dequantize to int", Op::DEQUANTIZE,
            In(RandomArray(DataType::kInt8, {3}, 1, 0, 0), Quant(0.1f, 0)),
            {kI32, {}}),
      "expected float32");
  ExpectEmberError(Unary("cast string", Op::CAST,
                         In(RandomArray(DataType::kFloat32, {3}, 1)),
                         {fb::TensorType::FLOAT64, {}}),
                   "not supported");
}

}  // namespace
}  // namespace ember
