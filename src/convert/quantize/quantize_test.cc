// Tests of src/quantize on small float models built in-process: the
// quantized model must run in LiteRT's reference kernels (the oracle) and
// in Ember with bit-identical integer outputs, follow the quantization spec
// (per-channel axes, bias scales, fixed output params), and stay close to
// the float model.
#include "convert/quantize/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "convert/quantize/equalize.h"
#include "convert/quantize/model_edit.h"
#include "util/model_builder.h"
#include "util/oracle.h"

namespace ember::quantize {
namespace {

using testing::kF32;
using testing::kI32;
using testing::ModelBuilder;

std::vector<float> Random(size_t n, uint32_t seed, float lo = -1,
                          float hi = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

template <typename T>
fb::BuiltinOptionsUnion Options(T options) {
  fb::BuiltinOptionsUnion u;
  u.Set(std::move(options));
  return u;
}

// x[1,8,8,3] -> CONV_2D(6, 3x3, relu) -> DEPTHWISE(x1, relu6) -> MAX_POOL 2x2
//  -> {CONV_2D 1x1 (3) -> LOGISTIC} concat with itself's input branch
//  -> ADD(pool, conv1x1 6) -> RESHAPE [1, 96+...] -> FC(10) -> SOFTMAX.
// `weights_scale` grows the FC so that dynamic range has >= 1024 weights.
std::vector<uint8_t> BuildFloatModel() {
  ModelBuilder b;
  const int x = b.AddTensor(kF32, {1, 8, 8, 3}, "x");
  const int w1 =
      b.AddConstant(kF32, {6, 3, 3, 3}, Random(6 * 27, 1, -0.5f, 0.5f), "w1");
  const int b1 = b.AddConstant(kF32, {6}, Random(6, 2, -0.1f, 0.1f), "b1");
  const int c1 = b.AddTensor(kF32, {1, 8, 8, 6}, "conv1");
  fb::Conv2DOptionsT conv;
  conv.padding = fb::Padding::SAME;
  conv.stride_h = conv.stride_w = 1;
  conv.fused_activation_function = fb::ActivationFunctionType::RELU;
  b.AddOp(fb::BuiltinOperator::CONV_2D, {x, w1, b1}, {c1}, Options(conv));

  const int wd =
      b.AddConstant(kF32, {1, 3, 3, 6}, Random(54, 3, -0.6f, 0.6f), "wd");
  const int bd = b.AddConstant(kF32, {6}, Random(6, 4, -0.1f, 0.1f), "bd");
  const int d1 = b.AddTensor(kF32, {1, 8, 8, 6}, "dw");
  fb::DepthwiseConv2DOptionsT dw;
  dw.padding = fb::Padding::SAME;
  dw.stride_h = dw.stride_w = 1;
  dw.depth_multiplier = 1;
  dw.fused_activation_function = fb::ActivationFunctionType::RELU6;
  b.AddOp(fb::BuiltinOperator::DEPTHWISE_CONV_2D, {c1, wd, bd}, {d1},
          Options(dw));

  const int p1 = b.AddTensor(kF32, {1, 4, 4, 6}, "pool");
  fb::Pool2DOptionsT pool;
  pool.padding = fb::Padding::VALID;
  pool.stride_h = pool.stride_w = pool.filter_height = pool.filter_width = 2;
  b.AddOp(fb::BuiltinOperator::MAX_POOL_2D, {d1}, {p1}, Options(pool));

  const int w2 = b.AddConstant(kF32, {6, 1, 1, 6}, Random(36, 5), "w2");
  const int b2 = b.AddConstant(kF32, {6}, Random(6, 6, -0.2f, 0.2f), "b2");
  const int c2 = b.AddTensor(kF32, {1, 4, 4, 6}, "conv2");
  conv.fused_activation_function = fb::ActivationFunctionType::NONE;
  b.AddOp(fb::BuiltinOperator::CONV_2D, {p1, w2, b2}, {c2}, Options(conv));
  const int sig = b.AddTensor(kF32, {1, 4, 4, 6}, "sigmoid");
  b.AddOp(fb::BuiltinOperator::LOGISTIC, {c2}, {sig});
  const int sum = b.AddTensor(kF32, {1, 4, 4, 6}, "sum");
  b.AddOp(fb::BuiltinOperator::ADD, {p1, c2}, {sum},
          Options(fb::AddOptionsT()));
  const int cat = b.AddTensor(kF32, {1, 4, 4, 12}, "concat");
  fb::ConcatenationOptionsT concat;
  concat.axis = 3;
  b.AddOp(fb::BuiltinOperator::CONCATENATION, {sum, sig}, {cat},
          Options(concat));

  const int shape =
      b.AddConstant<int32_t>(kI32, {2}, std::vector<int32_t>{1, 192}, "shape");
  const int flat = b.AddTensor(kF32, {1, 192}, "flat");
  fb::ReshapeOptionsT reshape;
  reshape.new_shape = {1, 192};
  b.AddOp(fb::BuiltinOperator::RESHAPE, {cat, shape}, {flat}, Options(reshape));
  const int wf =
      b.AddConstant(kF32, {10, 192}, Random(1920, 7, -0.2f, 0.2f), "wf");
  const int bf = b.AddConstant(kF32, {10}, Random(10, 8, -0.1f, 0.1f), "bf");
  const int logits = b.AddTensor(kF32, {1, 10}, "logits");
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {flat, wf, bf}, {logits},
          Options(fb::FullyConnectedOptionsT()));
  const int probs = b.AddTensor(kF32, {1, 10}, "probs");
  fb::SoftmaxOptionsT softmax;
  softmax.beta = 1.0f;
  b.AddOp(fb::BuiltinOperator::SOFTMAX, {logits}, {probs}, Options(softmax));
  b.SetInputs({x});
  b.SetOutputs({probs, logits});
  return b.Build();
}

std::vector<Sample> Samples(int count, uint32_t seed) {
  std::vector<Sample> samples;
  for (int i = 0; i < count; ++i)
    samples.push_back(
        {testing::RandomArray(DataType::kFloat32, {1, 8, 8, 3}, seed + i)});
  return samples;
}

fb::ModelT Unpack(const std::vector<uint8_t>& bytes) {
  fb::ModelT model;
  fb::GetModel(bytes.data())->UnPackTo(&model);
  return model;
}

std::vector<float> AsFloats(const NpyArray& a, float scale, int zero_point) {
  const size_t n = a.data.size() / DataTypeSize(a.type);
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    if (a.type == DataType::kFloat32)
      memcpy(&v[i], a.data.data() + 4 * i, 4);
    else if (a.type == DataType::kInt8)
      v[i] = scale * (static_cast<int8_t>(a.data[i]) - zero_point);
    else if (a.type == DataType::kInt16)
      v[i] = scale *
             (reinterpret_cast<const int16_t*>(a.data.data())[i] - zero_point);
  }
  return v;
}

double SqnrDb(const std::vector<float>& f, const std::vector<float>& q) {
  double s = 0, n = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    s += f[i] * f[i];
    n += (f[i] - q[i]) * (f[i] - q[i]);
  }
  return n == 0 ? 200 : 10 * std::log10(s / n);
}

// Quantizes the test model; returns the serialized result.
std::vector<uint8_t> Quantize(const QuantizeOptions& options,
                              QuantizeReport* report) {
  fb::ModelT model = Unpack(BuildFloatModel());
  convert::Diagnostics diag;
  EXPECT_TRUE(QuantizeModel(&model, Samples(24, 100), options, report, &diag))
      << (diag.errors.empty() ? "" : diag.errors[0]);
  return convert::SerializeTflite(model);
}

// Converts float samples to the model's integer input type.
NpyArray ToInput(const NpyArray& x, const fb::ModelT& model) {
  const fb::SubGraphT& sg = *model.subgraphs[0];
  const fb::TensorT& in = *sg.tensors[sg.inputs[0]];
  if (in.type == fb::TensorType::FLOAT32) return x;
  const float s = in.quantization->scale[0];
  const int64_t z = in.quantization->zero_point[0];
  NpyArray out = x;
  out.type = static_cast<DataType>(in.type);
  const size_t n = x.data.size() / 4;
  out.data.assign(n * DataTypeSize(out.type), 0);
  for (size_t i = 0; i < n; ++i) {
    float v;
    memcpy(&v, x.data.data() + 4 * i, 4);
    const double q = std::round(v / s) + z;
    if (out.type == DataType::kInt8)
      out.data[i] = static_cast<uint8_t>(
          static_cast<int8_t>(std::clamp(q, -128.0, 127.0)));
    else
      reinterpret_cast<int16_t*>(out.data.data())[i] =
          static_cast<int16_t>(std::clamp(q, -32768.0, 32767.0));
  }
  return out;
}

struct Checked {
  double min_sqnr_db = 1e9;  // over samples, output 1 (logits) and 0
};

// Runs float model (Ember), quantized model in Ember and LiteRT-REF on a
// few held-out samples; integer outputs must match exactly, float outputs
// within `float_tolerance` (absolute).
Checked CheckAgainstOracle(const std::vector<uint8_t>& quantized,
                           double float_tolerance) {
  const fb::ModelT model = Unpack(quantized);
  const fb::SubGraphT& sg = *model.subgraphs[0];
  const std::vector<uint8_t> float_model = BuildFloatModel();
  std::vector<testing::OracleCase> cases;
  const std::vector<Sample> held_out = Samples(4, 900);
  for (const Sample& s : held_out)
    cases.push_back({quantized, {ToInput(s[0], model)}, 1});
  const auto lite = testing::RunLiteRt(cases, /*reference=*/true);
  Checked checked;
  for (size_t i = 0; i < held_out.size(); ++i) {
    const auto ember = testing::RunEmber(quantized, cases[i].inputs);
    const auto reference = testing::RunEmber(float_model, held_out[i]);
    EXPECT_TRUE(lite[i].ok) << lite[i].error;
    EXPECT_TRUE(ember.ok) << ember.error;
    EXPECT_TRUE(reference.ok) << reference.error;
    if (!lite[i].ok || !ember.ok || !reference.ok) return checked;
    for (size_t k = 0; k < ember.outputs.size(); ++k) {
      std::string why;
      const double diff =
          testing::MaxAbsDiff(ember.outputs[k], lite[i].outputs[k], &why);
      if (ember.outputs[k].type == DataType::kFloat32)
        EXPECT_LE(diff, float_tolerance) << "output " << k << " " << why;
      else
        EXPECT_EQ(diff, 0.0)
            << "integer output " << k << " differs from LiteRT " << why;
      const fb::TensorT& t = *sg.tensors[sg.outputs[k]];
      const float scale = t.quantization && !t.quantization->scale.empty()
                              ? t.quantization->scale[0]
                              : 1.0f;
      const int zp = t.quantization && !t.quantization->zero_point.empty()
                         ? static_cast<int>(t.quantization->zero_point[0])
                         : 0;
      checked.min_sqnr_db = std::min(
          checked.min_sqnr_db, SqnrDb(AsFloats(reference.outputs[k], 1, 0),
                                      AsFloats(ember.outputs[k], scale, zp)));
    }
  }
  return checked;
}

const fb::TensorT* FindTensor(const fb::ModelT& model,
                              const std::string& name) {
  for (const auto& t : model.subgraphs[0]->tensors)
    if (t->name == name) return t.get();
  return nullptr;
}

TEST(QuantizeInt8Test, FollowsTheSpecAndMatchesLiteRtBitExactly) {
  QuantizeOptions options;
  QuantizeReport report;
  const std::vector<uint8_t> bytes = Quantize(options, &report);
  EXPECT_EQ(report.ops_float, 0);
  const fb::ModelT model = Unpack(bytes);
  const fb::SubGraphT& sg = *model.subgraphs[0];
  // Float I/O: the interface tensors stay float with QUANTIZE/DEQUANTIZE.
  EXPECT_EQ(sg.tensors[sg.inputs[0]]->type, fb::TensorType::FLOAT32);
  EXPECT_EQ(sg.tensors[sg.outputs[0]]->type, fb::TensorType::FLOAT32);
  for (const auto& op : sg.operators) {
    const fb::BuiltinOperator code = OpOf(model, *op);
    if (code != fb::BuiltinOperator::CONV_2D &&
        code != fb::BuiltinOperator::DEPTHWISE_CONV_2D &&
        code != fb::BuiltinOperator::FULLY_CONNECTED)
      continue;
    const fb::TensorT& in = *sg.tensors[op->inputs[0]];
    const fb::TensorT& w = *sg.tensors[op->inputs[1]];
    const fb::TensorT& bias = *sg.tensors[op->inputs[2]];
    ASSERT_EQ(w.type, fb::TensorType::INT8);
    ASSERT_EQ(bias.type, fb::TensorType::INT32);
    const int axis = code == fb::BuiltinOperator::DEPTHWISE_CONV_2D ? 3 : 0;
    EXPECT_EQ(w.quantization->quantized_dimension, axis);
    ASSERT_EQ(static_cast<int>(w.quantization->scale.size()), w.shape[axis]);
    for (size_t c = 0; c < w.quantization->scale.size(); ++c) {
      EXPECT_EQ(w.quantization->zero_point[c], 0);
      EXPECT_EQ(bias.quantization->zero_point[c], 0);
      EXPECT_FLOAT_EQ(bias.quantization->scale[c],
                      in.quantization->scale[0] * w.quantization->scale[c]);
    }
    for (int8_t v : std::vector<int8_t>(model.buffers[w.buffer]->data.begin(),
                                        model.buffers[w.buffer]->data.end()))
      EXPECT_GE(v, -127);  // symmetric range
  }
  const fb::TensorT* probs = FindTensor(model, "probs_int8");
  ASSERT_NE(probs, nullptr);
  EXPECT_FLOAT_EQ(probs->quantization->scale[0], 1.0f / 256);
  EXPECT_EQ(probs->quantization->zero_point[0], -128);
  const fb::TensorT* sig = FindTensor(model, "sigmoid");
  ASSERT_NE(sig, nullptr);
  EXPECT_EQ(sig->type, fb::TensorType::INT8);
  EXPECT_FLOAT_EQ(sig->quantization->scale[0], 1.0f / 256);
  // Same-scale op: the pool keeps the depthwise output's parameters.
  EXPECT_EQ(FindTensor(model, "pool")->quantization->scale[0],
            FindTensor(model, "dw")->quantization->scale[0]);
  const Checked c = CheckAgainstOracle(bytes, 0.0);
  EXPECT_GE(c.min_sqnr_db, 20.0);  // held-out data, vs the float model
}

TEST(QuantizeInt8Test, IntegerIoPerTensorAndMseMatchLiteRt) {
  QuantizeOptions options;
  options.integer_io = true;
  options.per_channel = false;
  options.method = RangeMethod::kMse;
  QuantizeReport report;
  const std::vector<uint8_t> bytes = Quantize(options, &report);
  const fb::ModelT model = Unpack(bytes);
  const fb::SubGraphT& sg = *model.subgraphs[0];
  EXPECT_EQ(sg.tensors[sg.inputs[0]]->type, fb::TensorType::INT8);
  EXPECT_EQ(sg.tensors[sg.outputs[0]]->type, fb::TensorType::INT8);
  EXPECT_EQ(FindTensor(model, "w1_int8")->quantization->scale.size(), 1u);
  const Checked c = CheckAgainstOracle(bytes, 0.0);
  EXPECT_GE(c.min_sqnr_db, 18.0);
}

TEST(QuantizeInt8Test, KeepFloatLeavesTheOpFloatBetweenDequantizeAndQuantize) {
  QuantizeOptions options;
  options.keep_float = {"^LOGISTIC$"};
  options.method = RangeMethod::kMinMax;
  QuantizeReport report;
  const std::vector<uint8_t> bytes = Quantize(options, &report);
  EXPECT_EQ(report.ops_float, 1);
  const fb::ModelT model = Unpack(bytes);
  EXPECT_EQ(FindTensor(model, "sigmoid")->type, fb::TensorType::FLOAT32);
  CheckAgainstOracle(bytes, 0.0);
}

TEST(QuantizeInt16x8Test, Int64BiasSymmetricActivationsAndBitExact) {
  QuantizeOptions options;
  options.mode = Mode::kInt16x8;
  QuantizeReport report;
  const std::vector<uint8_t> bytes = Quantize(options, &report);
  const fb::ModelT model = Unpack(bytes);
  const fb::TensorT* conv = FindTensor(model, "conv1");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->type, fb::TensorType::INT16);
  EXPECT_EQ(conv->quantization->zero_point[0], 0);
  EXPECT_EQ(FindTensor(model, "b1_int64")->type, fb::TensorType::INT64);
  const Checked c = CheckAgainstOracle(bytes, 0.0);
  EXPECT_GE(c.min_sqnr_db, 40.0);  // int16 activations: far closer than int8
}

TEST(QuantizeFloat16Test, HalvesWeightsAndStaysWithinTolerance) {
  QuantizeOptions options;
  options.mode = Mode::kFloat16;
  QuantizeReport report;
  const std::vector<uint8_t> bytes = Quantize(options, &report);
  // Weights are ~85% of the file; the DEQUANTIZE ops and tensors add a little.
  EXPECT_LT(report.bytes_after, report.bytes_before * 0.7);
  const Checked c = CheckAgainstOracle(bytes, 1e-5);
  // 1e-3 relative error corresponds to 60 dB.
  EXPECT_GE(c.min_sqnr_db, 60.0);
}

TEST(QuantizeDynamicTest, HybridWeightsRunInLiteRtCloseToFloat) {
  QuantizeOptions options;
  options.mode = Mode::kDynamic;
  QuantizeReport report;
  const std::vector<uint8_t> bytes = Quantize(options, &report);
  const fb::ModelT model = Unpack(bytes);
  // Only the FC has >= 1024 weights.
  EXPECT_EQ(FindTensor(model, "wf_int8")->type, fb::TensorType::INT8);
  EXPECT_EQ(FindTensor(model, "w1_int8"), nullptr);
  EXPECT_LT(report.bytes_after, report.bytes_before * 0.5);
  const Checked c = CheckAgainstOracle(bytes, 1e-4);
  EXPECT_GE(c.min_sqnr_db, 30.0);
}

TEST(QuantizeTest, AutoFallbackKeepsTheWorstOpsFloat) {
  QuantizeOptions options;
  options.auto_fallback = 2;
  options.method = RangeMethod::kPercentile;
  QuantizeReport report;
  const std::vector<uint8_t> bytes = Quantize(options, &report);
  EXPECT_EQ(report.ops_float, 2);
  // The float ops' outputs may differ from LiteRT's by float rounding.
  CheckAgainstOracle(bytes, 1e-5);
}

TEST(QuantizeTest, CrossLayerEqualizationKeepsTheFloatFunction) {
  const std::vector<uint8_t> original = BuildFloatModel();
  fb::ModelT model = Unpack(original);
  EXPECT_EQ(EqualizeCrossLayer(&model), 1);  // conv1 (relu) -> depthwise
  const std::vector<uint8_t> equalized = convert::SerializeTflite(model);
  // The weight ranges of the pair are now balanced per channel.
  const fb::SubGraphT& sg = *model.subgraphs[0];
  const std::vector<float> w1 =
      FloatValues(model, *sg.tensors[sg.operators[0]->inputs[1]]);
  const std::vector<float> wd =
      FloatValues(model, *sg.tensors[sg.operators[1]->inputs[1]]);
  for (int c = 0; c < 6; ++c) {
    float r1 = 0, r2 = 0;
    for (int i = 0; i < 27; ++i) r1 = std::max(r1, std::fabs(w1[c * 27 + i]));
    for (int i = 0; i < 9; ++i) r2 = std::max(r2, std::fabs(wd[i * 6 + c]));
    EXPECT_NEAR(r1, r2, 1e-5f * std::max(r1, r2)) << "channel " << c;
  }
  for (const Sample& s : Samples(3, 50)) {
    const auto a = testing::RunEmber(original, s);
    const auto b = testing::RunEmber(equalized, s);
    ASSERT_TRUE(a.ok && b.ok);
    std::string why;
    EXPECT_LE(testing::MaxAbsDiff(a.outputs[1], b.outputs[1], &why),
              1e-5 * std::max(1.0, testing::MaxAbs(a.outputs[1])))
        << why;
  }
}

// x[1, 64] (mean 1) -> FC(16): per-tensor weights round coarsely, which
// shifts each output's mean; bias correction must remove most of it.
TEST(QuantizeTest, BiasCorrectionRemovesTheMeanOutputError) {
  ModelBuilder b;
  const int x = b.AddTensor(kF32, {1, 64}, "x");
  std::vector<float> w = Random(16 * 64, 11, -0.3f, 0.3f);
  w[5] = 4.0f;  // one large weight makes the per-tensor step coarse
  const int wt = b.AddConstant(kF32, {16, 64}, w, "w");
  const int bt = b.AddConstant(kF32, {16}, Random(16, 12), "b");
  const int y = b.AddTensor(kF32, {1, 16}, "y");
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {x, wt, bt}, {y},
          Options(fb::FullyConnectedOptionsT()));
  b.SetInputs({x});
  b.SetOutputs({y});
  const std::vector<uint8_t> float_model = b.Build();
  std::vector<Sample> samples;
  for (int i = 0; i < 32; ++i)
    samples.push_back({testing::RandomArray(DataType::kFloat32, {1, 64},
                                            300 + i, 0.5f, 1.5f)});
  auto mean_abs_bias = [&](bool correct) {
    fb::ModelT model = Unpack(float_model);
    QuantizeOptions options;
    options.per_channel = false;
    options.bias_correction = correct;
    QuantizeReport report;
    convert::Diagnostics diag;
    EXPECT_TRUE(QuantizeModel(&model, samples, options, &report, &diag));
    const std::vector<uint8_t> q = convert::SerializeTflite(model);
    std::vector<double> mean_error(16, 0.0);
    for (int i = 0; i < 32; ++i) {  // held-out, same distribution
      const Sample s = {testing::RandomArray(DataType::kFloat32, {1, 64},
                                             700 + i, 0.5f, 1.5f)};
      const auto f = testing::RunEmber(float_model, s);
      const auto r = testing::RunEmber(q, s);
      EXPECT_TRUE(f.ok && r.ok);
      const std::vector<float> fv = AsFloats(f.outputs[0], 1, 0),
                               rv = AsFloats(r.outputs[0], 1, 0);
      for (int c = 0; c < 16; ++c) mean_error[c] += (rv[c] - fv[c]) / 32.0;
    }
    double total = 0;
    for (double e : mean_error) total += std::fabs(e);
    return total / 16;
  };
  const double without = mean_abs_bias(false), with = mean_abs_bias(true);
  EXPECT_LT(with, 0.5 * without) << "with " << with << " without " << without;
}

TEST(QuantizeTest, NoSamplesIsAnErrorForIntegerModes) {
  fb::ModelT model = Unpack(BuildFloatModel());
  convert::Diagnostics diag;
  QuantizeReport report;
  EXPECT_FALSE(QuantizeModel(&model, {}, QuantizeOptions(), &report, &diag));
  ASSERT_FALSE(diag.errors.empty());
  EXPECT_NE(diag.errors[0].find("calibration"), std::string::npos);
}

}  // namespace
}  // namespace ember::quantize
