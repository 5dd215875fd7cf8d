// ONNX -> .tflite conversion, end to end: tests/convert_onnx/make_models.py
// builds ONNX models shaped like PyTorch exports and runs them in ONNX
// Runtime (the oracle); each is converted with ConvertOnnx and run in Ember
// and in LiteRT (reference kernels) on the same inputs.
//
// Tolerances: float models within 1e-4 x max(1, max|ORT output|): the ops
// are the same math in another order (and GELU/LayerNorm decomposed), so
// only float rounding differs. QDQ models within 2 output LSB of ORT: ORT
// requantizes with float multipliers and rounds half to even where TFLite
// uses fixed-point multipliers with round half away from zero, so each int8
// layer may differ by one LSB and the differences propagate through the
// four int8 layers to the output (measured: 0 LSB on these models). Ember and
// LiteRT implement the same TFLite int8 arithmetic and must agree within 1 LSB.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "convert/convert.h"
#include "io/npy.h"
#include "model/model.h"
#include "util/oracle.h"

namespace ember {
namespace {

namespace fs = std::filesystem;
using convert::ConvertOnnx;
using convert::ConvertOptions;
using convert::Diagnostics;

class OnnxConvertTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("ember_onnx_test_" + std::to_string(getpid())));
    fs::remove_all(*dir_);
    const char* python =
        getenv("EMBER_PYTHON") ? getenv("EMBER_PYTHON") : "python3";
    const std::string cmd = std::string(python) + " " + EMBER_SOURCE_DIR +
                            "/tests/convert_onnx/make_models.py " +
                            dir_->string() + " >" + dir_->string() +
                            ".log 2>&1";
    generated_ = std::system(cmd.c_str()) == 0;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    fs::remove(dir_->string() + ".log");
    delete dir_;
  }
  void SetUp() override {
    // The models need python3 with onnx + onnxruntime: fail, never skip.
    ASSERT_TRUE(generated_) << "tests/convert_onnx/make_models.py failed; see "
                            << dir_->string() << ".log";
  }

  static std::string Path(const std::string& file) {
    return (*dir_ / file).string();
  }

  static std::vector<NpyArray> Load(const std::string& name, const char* kind) {
    std::vector<NpyArray> arrays;
    ErrorReporter errors;
    for (int k = 0;; ++k) {
      const std::string path =
          Path(name + "_" + kind + "_" + std::to_string(k) + ".npy");
      if (!fs::exists(path)) break;
      NpyArray a;
      EXPECT_TRUE(ReadNpy(path, &a, errors).ok()) << errors.message();
      arrays.push_back(std::move(a));
    }
    return arrays;
  }

  static int CountOps(const fb::ModelT& model, fb::BuiltinOperator op) {
    int n = 0;
    for (const auto& o : model.subgraphs[0]->operators)
      n += model.operator_codes[o->opcode_index]->builtin_code == op;
    return n;
  }

  // Converts `name`.onnx; runs it in Ember and LiteRT; compares with ORT
  // within `tolerance` (absolute, per output) and Ember with LiteRT within
  // `engine_tolerance`.
  static void CheckModel(const std::string& name, const fb::ModelT& model,
                         const std::vector<double>& tolerance,
                         double engine_tolerance,
                         std::vector<NpyArray> inputs = {}) {
    if (inputs.empty()) inputs = Load(name, "in");
    const std::vector<NpyArray> expected = Load(name, "out");
    ASSERT_FALSE(expected.empty());
    const std::vector<uint8_t> bytes = convert::SerializeTflite(model);
    const testing::RunResult ember = testing::RunEmber(bytes, inputs);
    ASSERT_TRUE(ember.ok) << ember.error;
    const std::vector<testing::RunResult> litert =
        testing::RunLiteRt({{bytes, inputs}});
    ASSERT_TRUE(litert[0].ok) << litert[0].error;
    ASSERT_EQ(ember.outputs.size(), expected.size());
    ASSERT_EQ(litert[0].outputs.size(), expected.size());
    for (size_t k = 0; k < expected.size(); ++k) {
      std::string why;
      const double vs_ort =
          testing::MaxAbsDiff(ember.outputs[k], expected[k], &why);
      ASSERT_GE(vs_ort, 0) << name << " output " << k << ": " << why;
      EXPECT_LE(vs_ort, tolerance[k])
          << name << " output " << k << ": Ember vs ONNX Runtime";
      const double litert_vs_ort =
          testing::MaxAbsDiff(litert[0].outputs[k], expected[k], &why);
      EXPECT_LE(litert_vs_ort, tolerance[k])
          << name << " output " << k << ": LiteRT vs ORT";
      const double engines =
          testing::MaxAbsDiff(ember.outputs[k], litert[0].outputs[k], &why);
      EXPECT_LE(engines, engine_tolerance)
          << name << " output " << k << ": Ember vs LiteRT";
      std::printf(
          "[ onnx ] %-13s out %zu: |Ember-ORT| %.3g  |LiteRT-ORT| %.3g  "
          "|Ember-LiteRT| %.3g  (max|ORT| %.3g)\n",
          name.c_str(), k, vs_ort, litert_vs_ort, engines,
          testing::MaxAbs(expected[k]));
    }
  }

  static void CheckFloatModel(const std::string& name,
                              const ConvertOptions& options = {},
                              std::vector<NpyArray> inputs = {},
                              fb::ModelT* out = nullptr) {
    fb::ModelT model;
    Diagnostics diag;
    ASSERT_TRUE(ConvertOnnx(Path(name + ".onnx"), options, &model, &diag))
        << (diag.errors.empty() ? "" : diag.errors[0]);
    std::vector<double> tolerance;
    for (const NpyArray& a : Load(name, "out"))
      tolerance.push_back(1e-4 * std::max(1.0, testing::MaxAbs(a)));
    CheckModel(name, model, tolerance, tolerance[0], std::move(inputs));
    if (out) *out = std::move(model);
  }

  static fs::path* dir_;
  static bool generated_;
};

fs::path* OnnxConvertTest::dir_ = nullptr;
bool OnnxConvertTest::generated_ = false;

TEST_F(OnnxConvertTest, SmallCnnMatchesOrtWithOneTransposeAtTheInput) {
  fb::ModelT model;
  CheckFloatModel("small_cnn", {}, {}, &model);
  // NCHW interface kept: one TRANSPOSE at the input, none inside (the
  // Flatten after global pooling reads the NHWC tensor directly).
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::TRANSPOSE), 1);
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::CONV_2D), 2);
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::FULLY_CONNECTED), 1);
  // The ONNX io names survive, in the tensors and a serving_default
  // signature.
  ASSERT_EQ(model.signature_defs.size(), 1u);
  const fb::SignatureDefT& sig = *model.signature_defs[0];
  EXPECT_EQ(sig.signature_key, "serving_default");
  const fb::SubGraphT& sg = *model.subgraphs[0];
  ASSERT_EQ(sig.inputs.size(), sg.inputs.size());
  ASSERT_EQ(sig.outputs.size(), sg.outputs.size());
  for (const auto& m : sig.inputs) {
    EXPECT_FALSE(m->name.empty());
    EXPECT_EQ(m->name, sg.tensors[m->tensor_index]->name);
  }
  for (size_t i = 0; i < sig.outputs.size(); ++i)
    EXPECT_EQ(sig.outputs[i]->tensor_index, sg.outputs[i]);
}

TEST_F(OnnxConvertTest, NhwcIoHasNoTranspose) {
  ConvertOptions options;
  options.nhwc_io = true;
  std::vector<NpyArray> inputs = Load("small_cnn", "in");
  // NCHW -> NHWC on the host for the NHWC interface.
  NpyArray& x = inputs[0];
  const int64_t c = x.shape[1], h = x.shape[2], w = x.shape[3];
  std::vector<uint8_t> nhwc(x.data.size());
  for (int64_t ci = 0; ci < c; ++ci)
    for (int64_t hi = 0; hi < h; ++hi)
      for (int64_t wi = 0; wi < w; ++wi)
        std::memcpy(&nhwc[((hi * w + wi) * c + ci) * 4],
                    &x.data[((ci * h + hi) * w + wi) * 4], 4);
  x.data = nhwc;
  x.shape = {1, h, w, c};
  fb::ModelT model;
  CheckFloatModel("small_cnn", options, inputs, &model);
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::TRANSPOSE), 0);
}

TEST_F(OnnxConvertTest, FlattenIntoGemmPermutesWeightsNotActivations) {
  fb::ModelT model;
  CheckFloatModel("lenet", {}, {}, &model);
  // None at all: the 1-channel NCHW input becomes NHWC with a RESHAPE, and
  // the flatten reads the NHWC map directly.
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::TRANSPOSE), 0);
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::FULLY_CONNECTED), 2);
}

TEST_F(OnnxConvertTest, AxisOpsWorkOnNhwcValues) {
  fb::ModelT model;
  CheckFloatModel("layout_ops", {}, {}, &model);
  // The input only: the NHWC Transpose output is already stored that way
  // and [1,1,H,W] reaches NCHW with a RESHAPE.
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::TRANSPOSE), 1);
}

TEST_F(OnnxConvertTest, ExternalDataModel) { CheckFloatModel("external_cnn"); }

TEST_F(OnnxConvertTest, DepthwiseGroupedAndFriendsKeepNhwcInside) {
  fb::ModelT model;
  CheckFloatModel("mobile_net", {}, {}, &model);
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::DEPTHWISE_CONV_2D), 1);
  // One at the input, one at the NCHW output.
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::TRANSPOSE), 2);
}

TEST_F(OnnxConvertTest, TransformerBlock) {
  fb::ModelT model;
  CheckFloatModel("transformer", {}, {}, &model);
  // Shape/Gather/Concat were folded; the erf GELU became one GELU op.
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::SHAPE), 0);
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::GELU), 1);
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::SOFTMAX), 1);
  // MatMul + Add(bias) pairs became FULLY_CONNECTED with bias (q, k, v,
  // out, fc1, fc2); the ADDs left are the residuals and LayerNorm ones.
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::FULLY_CONNECTED), 6);
  std::printf("[ onnx ] transformer: %d ADD ops\n",
              CountOps(model, fb::BuiltinOperator::ADD));
  std::printf("[ onnx ] transformer: %d TRANSPOSE ops\n",
              CountOps(model, fb::BuiltinOperator::TRANSPOSE));
}

TEST_F(OnnxConvertTest, QdqInt8ActivationsBecomeInt8Ops) {
  const std::string name = "qdq_int8";
  fb::ModelT model;
  Diagnostics diag;
  ASSERT_TRUE(ConvertOnnx(Path(name + ".onnx"), {}, &model, &diag))
      << (diag.errors.empty() ? "" : diag.errors[0]);
  // Float only at the model's edges: one QUANTIZE in, one DEQUANTIZE out.
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::QUANTIZE), 1);
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::DEQUANTIZE), 1);
  const auto& sg = *model.subgraphs[0];
  int int8_convs = 0;
  for (const auto& op : sg.operators) {
    const auto code = model.operator_codes[op->opcode_index]->builtin_code;
    if (code != fb::BuiltinOperator::CONV_2D &&
        code != fb::BuiltinOperator::DEPTHWISE_CONV_2D)
      continue;
    const fb::TensorT& weights = *sg.tensors[op->inputs[1]];
    const fb::TensorT& bias = *sg.tensors[op->inputs[2]];
    EXPECT_EQ(weights.type, fb::TensorType::INT8);
    EXPECT_EQ(bias.type, fb::TensorType::INT32);
    ASSERT_TRUE(weights.quantization);
    EXPECT_EQ(weights.quantization->scale.size(), 8u);  // per channel
    ++int8_convs;
  }
  EXPECT_EQ(int8_convs, 3);
  // The output's LSB: the scale of the tensor the final DEQUANTIZE reads.
  double lsb = 0;
  for (const auto& op : sg.operators)
    if (model.operator_codes[op->opcode_index]->builtin_code ==
        fb::BuiltinOperator::DEQUANTIZE)
      lsb = sg.tensors[op->inputs[0]]->quantization->scale[0];
  ASSERT_GT(lsb, 0);
  CheckModel(name, model, {2 * lsb + 1e-6}, lsb + 1e-6);
}

TEST_F(OnnxConvertTest, QdqLenetRunsInt8FullyConnected) {
  const std::string name = "qdq_lenet";
  fb::ModelT model;
  Diagnostics diag;
  ASSERT_TRUE(ConvertOnnx(Path(name + ".onnx"), {}, &model, &diag))
      << (diag.errors.empty() ? "" : diag.errors[0]);
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::QUANTIZE), 1);
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::DEQUANTIZE), 1);
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::TRANSPOSE), 0);
  const auto& sg = *model.subgraphs[0];
  int int8_fc = 0;
  double lsb = 0;
  for (const auto& op : sg.operators) {
    const auto code = model.operator_codes[op->opcode_index]->builtin_code;
    if (code == fb::BuiltinOperator::FULLY_CONNECTED)
      int8_fc += sg.tensors[op->inputs[1]]->type == fb::TensorType::INT8;
    if (code == fb::BuiltinOperator::DEQUANTIZE)
      lsb = sg.tensors[op->inputs[0]]->quantization->scale[0];
  }
  EXPECT_EQ(int8_fc, 2);
  ASSERT_GT(lsb, 0);
  CheckModel(name, model, {2 * lsb + 1e-6}, lsb + 1e-6);
}

TEST_F(OnnxConvertTest, QdqTransformerMixesInt8AndFloat) {
  const std::string name = "qdq_transformer";
  fb::ModelT model;
  Diagnostics diag;
  ASSERT_TRUE(ConvertOnnx(Path(name + ".onnx"), {}, &model, &diag))
      << (diag.errors.empty() ? "" : diag.errors[0]);
  const auto& sg = *model.subgraphs[0];
  int int8_fc = 0;
  for (const auto& op : sg.operators)
    if (model.operator_codes[op->opcode_index]->builtin_code ==
        fb::BuiltinOperator::FULLY_CONNECTED)
      int8_fc += sg.tensors[op->inputs[1]]->type == fb::TensorType::INT8;
  std::printf(
      "[ onnx ] qdq_transformer: %d int8 FC, %d QUANTIZE, %d DEQUANTIZE\n",
      int8_fc, CountOps(model, fb::BuiltinOperator::QUANTIZE),
      CountOps(model, fb::BuiltinOperator::DEQUANTIZE));
  EXPECT_EQ(int8_fc, 6);
  // Float tails (softmax, LayerNorm, erf) between int8 projections: one
  // int8 rounding flip upstream moves the output by about one activation
  // LSB (~1/250 of its range), hence 2% of the output range vs ORT
  // (measured: ~2e-7). Ember and LiteRT share the TFLite int8 arithmetic.
  std::vector<double> tolerance;
  for (const NpyArray& a : Load(name, "out"))
    tolerance.push_back(0.02 * std::max(1.0, testing::MaxAbs(a)));
  CheckModel(name, model, tolerance, 1e-4 * 4);
}

TEST_F(OnnxConvertTest, QdqUint8ActivationsShiftToInt8) {
  const std::string name = "qdq_uint8";
  fb::ModelT model;
  Diagnostics diag;
  ASSERT_TRUE(ConvertOnnx(Path(name + ".onnx"), {}, &model, &diag))
      << (diag.errors.empty() ? "" : diag.errors[0]);
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::QUANTIZE), 1);
  EXPECT_EQ(CountOps(model, fb::BuiltinOperator::DEQUANTIZE), 1);
  const auto& sg = *model.subgraphs[0];
  double lsb = 0;
  for (const auto& op : sg.operators)
    if (model.operator_codes[op->opcode_index]->builtin_code ==
        fb::BuiltinOperator::DEQUANTIZE)
      lsb = sg.tensors[op->inputs[0]]->quantization->scale[0];
  ASSERT_GT(lsb, 0);
  CheckModel(name, model, {2 * lsb + 1e-6}, lsb + 1e-6);
}

TEST_F(OnnxConvertTest, UnsupportedOpsAreAllReported) {
  fb::ModelT model;
  Diagnostics diag;
  EXPECT_FALSE(ConvertOnnx(Path("unsupported.onnx"), {}, &model, &diag));
  ASSERT_EQ(diag.errors.size(), 2u);
  for (const auto& e : diag.errors)
    std::printf("[ onnx ] error: %s\n", e.c_str());
  EXPECT_NE(diag.errors[0].find("NonMaxSuppression"), std::string::npos)
      << diag.errors[0];
  EXPECT_NE(diag.errors[0].find("my_nms"), std::string::npos) << diag.errors[0];
  EXPECT_NE(diag.errors[0].find("#1"), std::string::npos) << diag.errors[0];
  EXPECT_NE(diag.errors[1].find("Det"), std::string::npos) << diag.errors[1];
  EXPECT_NE(diag.errors[1].find("my_det"), std::string::npos) << diag.errors[1];
  EXPECT_NE(diag.errors[1].find("#3"), std::string::npos) << diag.errors[1];
}

TEST_F(OnnxConvertTest, MalformedNodesAreErrorsNotCrashes) {
  fb::ModelT model;
  Diagnostics diag;
  EXPECT_FALSE(ConvertOnnx(Path("malformed.onnx"), {}, &model, &diag));
  ASSERT_EQ(diag.errors.size(), 2u);
  EXPECT_NE(diag.errors[0].find("conv_no_weights"), std::string::npos)
      << diag.errors[0];
  EXPECT_NE(diag.errors[1].find("gemm_bad_k"), std::string::npos)
      << diag.errors[1];
  for (const auto& e : diag.errors)
    std::printf("[ onnx ] error: %s\n", e.c_str());
}

TEST_F(OnnxConvertTest, CorruptProtobufIsAnError) {
  for (const char* file :
       {"garbage.onnx", "truncated.onnx", "no_such_file.onnx"}) {
    fb::ModelT model;
    Diagnostics diag;
    EXPECT_FALSE(ConvertOnnx(Path(file), {}, &model, &diag)) << file;
    ASSERT_FALSE(diag.errors.empty()) << file;
    EXPECT_NE(diag.errors[0].find(file), std::string::npos) << diag.errors[0];
    std::printf("[ onnx ] error: %s\n", diag.errors[0].c_str());
  }
}

TEST_F(OnnxConvertTest, MissingExternalDataFileIsAnError) {
  fb::ModelT model;
  Diagnostics diag;
  EXPECT_FALSE(ConvertOnnx(Path("missing_data.onnx"), {}, &model, &diag));
  ASSERT_FALSE(diag.errors.empty());
  EXPECT_NE(diag.errors[0].find("missing_data.bin"), std::string::npos)
      << diag.errors[0];
  std::printf("[ onnx ] error: %s\n", diag.errors[0].c_str());
}

// Every input ember_onnx_fuzz once failed on (tests/fuzz/regressions/onnx),
// converted under the name the fuzz target gives it (model.onnx, which
// external data entries may name): each is refused with an error or
// converts into a model the runtime's verifier accepts.
TEST_F(OnnxConvertTest, FuzzRegressionsAreRefusedOrConvertCleanly) {
  const fs::path regressions =
      fs::path(EMBER_SOURCE_DIR) / "tests/fuzz/regressions/onnx";
  const fs::path dir = *dir_ / "fuzz_regressions";
  fs::create_directories(dir);
  int count = 0;
  for (const auto& entry : fs::directory_iterator(regressions)) {
    const std::string name = entry.path().filename().string();
    fs::copy_file(entry.path(), dir / "model.onnx",
                  fs::copy_options::overwrite_existing);
    fb::ModelT model;
    Diagnostics diag;
    if (ConvertOnnx((dir / "model.onnx").string(), {}, &model, &diag)) {
      const std::vector<uint8_t> bytes = convert::SerializeTflite(model);
      ErrorReporter errors;
      std::unique_ptr<Model> loaded;
      EXPECT_TRUE(
          Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &loaded)
              .ok())
          << name << ": " << errors.message();
    } else {
      ASSERT_FALSE(diag.errors.empty()) << name << ": refused without a why";
      std::printf("[ onnx ] %s: %s\n", name.c_str(), diag.errors[0].c_str());
    }
    ++count;
  }
  EXPECT_GE(count, 13);
}

// External data offsets and lengths are whole byte counts inside the file
// (an offset near 2^63 once overflowed offset + length).
TEST_F(OnnxConvertTest, ExternalDataRangeOutsideTheFileIsAnError) {
  const fs::path dir = *dir_ / "external_range";
  fs::create_directories(dir);
  fs::copy_file(fs::path(EMBER_SOURCE_DIR) /
                    "tests/fuzz/regressions/onnx/external-offset-overflow",
                dir / "model.onnx", fs::copy_options::overwrite_existing);
  fb::ModelT model;
  Diagnostics diag;
  EXPECT_FALSE(ConvertOnnx((dir / "model.onnx").string(), {}, &model, &diag));
  ASSERT_FALSE(diag.errors.empty());
  EXPECT_NE(diag.errors[0].find("external data range [9223372036854775807"),
            std::string::npos)
      << diag.errors[0];
  std::printf("[ onnx ] error: %s\n", diag.errors[0].c_str());
}

}  // namespace
}  // namespace ember

namespace ember {
namespace {

// Byte-level corruption of valid models: conversion may succeed or fail, but
// must never crash, hang or abort (run under ASan in the sanitizer build).
TEST_F(OnnxConvertTest, CorruptedModelsNeverCrash) {
  for (const char* name :
       {"small_cnn", "mobile_net", "transformer", "qdq_int8"}) {
    std::ifstream in(Path(std::string(name) + ".onnx"), std::ios::binary);
    const std::vector<uint8_t> good((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
    ASSERT_FALSE(good.empty());
    uint32_t state = 12345;
    auto next = [&] { return state = state * 1664525u + 1013904223u; };
    int converted = 0;
    for (int trial = 0; trial < 150; ++trial) {
      std::vector<uint8_t> bytes = good;
      const int flips = 1 + next() % 4;
      for (int f = 0; f < flips; ++f)
        bytes[next() % bytes.size()] = static_cast<uint8_t>(next() >> 24);
      const std::string path = Path(std::string("corrupt_") + name + ".onnx");
      std::ofstream(path, std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()),
                 static_cast<std::streamsize>(bytes.size()));
      fb::ModelT model;
      Diagnostics diag;
      const bool ok = ConvertOnnx(path, {}, &model, &diag);
      EXPECT_EQ(ok, diag.errors.empty());
      converted += ok;
    }
    std::printf("[ onnx ] %s: %d of 150 corrupted copies still converted\n",
                name, converted);
  }
}

}  // namespace
}  // namespace ember
