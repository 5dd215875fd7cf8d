// Tests of `ember quantize` as a command: a full run with a report, the
// calibration file forms (.npy, directory, .npz written by numpy), and bad
// input that must fail with a clear message and leave no output file.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/npy.h"
#include "util/model_builder.h"
#include "util/oracle.h"

#ifndef EMBER_CLI_PATH
#error "EMBER_CLI_PATH must name the built ember binary"
#endif

namespace ember {
namespace {

namespace fs = std::filesystem;
using testing::ModelBuilder;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// y = relu(FC(x[1, 64], W[32, 64])) -> softmax: small, quantizable, with
// enough weights that quantizing shrinks the file.
std::vector<uint8_t> FloatModel() {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {1, 64}, "x");
  std::vector<float> w(32 * 64), bias(32);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = static_cast<float>((i * 37 % 19) - 9) / 20.0f;
  for (size_t i = 0; i < bias.size(); ++i)
    bias[i] = 0.05f * static_cast<float>(i);
  const int wt = b.AddConstant(testing::kF32, {32, 64}, w, "w");
  const int bt = b.AddConstant(testing::kF32, {32}, bias, "b");
  const int h = b.AddTensor(testing::kF32, {1, 32}, "h");
  fb::FullyConnectedOptionsT fc;
  fc.fused_activation_function = fb::ActivationFunctionType::RELU;
  fb::BuiltinOptionsUnion u;
  u.Set(fc);
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {x, wt, bt}, {h}, std::move(u));
  const int y = b.AddTensor(testing::kF32, {1, 32}, "y");
  fb::SoftmaxOptionsT sm;
  sm.beta = 1.0f;
  fb::BuiltinOptionsUnion s;
  s.Set(sm);
  b.AddOp(fb::BuiltinOperator::SOFTMAX, {h}, {y}, std::move(s));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

class QuantizeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        fs::temp_directory_path() /
        ("ember_quantize_cli_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const std::vector<uint8_t> model = FloatModel();
    std::ofstream(Path("float.tflite"), std::ios::binary)
        .write(reinterpret_cast<const char*>(model.data()), model.size());
  }
  void TearDown() override { fs::remove_all(dir_); }

  struct Result {
    int exit_code = -1;
    std::string out, err;
  };
  Result Cli(const std::string& args) {
    const fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    const std::string cmd = std::string("'") + EMBER_CLI_PATH + "' " + args +
                            " >'" + out.string() + "' 2>'" + err.string() + "'";
    const int status = std::system(cmd.c_str());
    Result r;
    r.out = ReadText(out);
    r.err = ReadText(err);
    if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    return r;
  }
  std::string Path(const std::string& name) const {
    return (dir_ / name).string();
  }
  void WriteNpyFile(const std::string& name, std::vector<int64_t> shape,
                    uint32_t seed) {
    const NpyArray a = testing::RandomArray(DataType::kFloat32, shape, seed);
    ErrorReporter errors;
    ASSERT_TRUE(WriteNpy(Path(name), a.type, a.shape, a.data.data(),
                         a.data.size(), errors)
                    .ok());
  }
  // Fails the test unless `r` failed with `needle` in its message and no
  // output (nor temporary) file exists.
  void ExpectCleanFailure(const Result& r, const std::string& needle) {
    EXPECT_NE(r.exit_code, 0) << r.err;
    EXPECT_NE(r.exit_code, -1) << "crashed";
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(Path("out.tflite")));
    EXPECT_FALSE(fs::exists(Path("out.tflite.tmp")));
  }

  fs::path dir_;
};

TEST_F(QuantizeCliTest, Int8WithNpyCalibrationWritesModelAndReport) {
  WriteNpyFile("cal.npy", {16, 1, 64}, 3);
  const Result r =
      Cli("quantize '" + Path("float.tflite") + "' -o '" + Path("out.tflite") +
          "' --mode int8 --calibration '" + Path("cal.npy") + "' --report '" +
          Path("report.json") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("SQNR"), std::string::npos) << r.out;
  const auto report = nlohmann::json::parse(ReadText(Path("report.json")));
  EXPECT_EQ(report["mode"], "int8");
  EXPECT_GT(report["bytes_before"].get<int>(),
            report["bytes_after"].get<int>());
  ASSERT_FALSE(report["tensors"].empty());
  for (const auto& t : report["tensors"]) {
    EXPECT_GT(t["scale"].get<double>(), 0.0);
    EXPECT_TRUE(t.contains("sqnr_db"));
  }
  EXPECT_GT(report["output_sqnr_db"][0].get<double>(), 20.0);
  // The result runs and its output is a probability vector.
  std::vector<uint8_t> bytes;
  {
    const std::string text = ReadText(Path("out.tflite"));
    bytes.assign(text.begin(), text.end());
  }
  const auto run = testing::RunEmber(
      bytes, {testing::RandomArray(DataType::kFloat32, {1, 64}, 77)});
  ASSERT_TRUE(run.ok) << run.error;
  EXPECT_EQ(run.outputs[0].type, DataType::kFloat32);
}

TEST_F(QuantizeCliTest, DirectoryAndNumpyNpzCalibration) {
  fs::create_directories(Path("cal"));
  WriteNpyFile("cal/a.npy", {1, 64}, 1);
  WriteNpyFile("cal/b.npy", {4, 1, 64}, 2);
  Result r =
      Cli("quantize '" + Path("float.tflite") + "' -o '" + Path("out.tflite") +
          "' --mode int16x8 --calibration '" + Path("cal") + "' --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["tensors"][0]["type"], "int16");
  const std::string python =
      getenv("EMBER_PYTHON") ? getenv("EMBER_PYTHON") : "python3";
  ASSERT_EQ(
      std::system(
          (python + " -c \"import numpy as np; np.savez('" + Path("cal.npz") +
           "', x=np.random.RandomState(0).rand(8, 1, 64).astype('float32'))\"")
              .c_str()),
      0);
  fs::remove(Path("out.tflite"));
  r = Cli("quantize '" + Path("float.tflite") + "' -o '" + Path("out.tflite") +
          "' --mode int8 --io int8 --calibration-method mse --calibration '" +
          Path("cal.npz") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(Path("out.tflite")));
}

TEST_F(QuantizeCliTest, NoCalibrationWarnsAndUsesRandomInputs) {
  const Result r = Cli("quantize '" + Path("float.tflite") + "' -o '" +
                       Path("out.tflite") + "' --mode int8");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: no --calibration"), std::string::npos)
      << r.err;
}

TEST_F(QuantizeCliTest, Fp16AndDynamicModes) {
  Result r = Cli("quantize '" + Path("float.tflite") + "' -o '" +
                 Path("out.tflite") + "' --mode fp16");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Cli("quantize '" + Path("float.tflite") + "' -o '" + Path("out2.tflite") +
          "' --mode dynamic --min-weight-elements 16");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ops quantized: 1"), std::string::npos) << r.out;
}

TEST_F(QuantizeCliTest, BadModeIsAUsageError) {
  const Result r = Cli("quantize '" + Path("float.tflite") + "' -o '" +
                       Path("out.tflite") + "' --mode int4");
  ExpectCleanFailure(r, "int4");
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(QuantizeCliTest, MissingModelFails) {
  ExpectCleanFailure(Cli("quantize '" + Path("nope.tflite") + "' -o '" +
                         Path("out.tflite") + "' --mode int8"),
                     "nope.tflite");
}

TEST_F(QuantizeCliTest, MalformedModelFails) {
  std::ofstream(Path("bad.tflite")) << "not a flatbuffer at all, just text";
  ExpectCleanFailure(Cli("quantize '" + Path("bad.tflite") + "' -o '" +
                         Path("out.tflite") + "' --mode fp16"),
                     "bad.tflite");
}

TEST_F(QuantizeCliTest, CalibrationShapeMismatchFails) {
  WriteNpyFile("cal.npy", {4, 1, 63}, 3);
  ExpectCleanFailure(
      Cli("quantize '" + Path("float.tflite") + "' -o '" + Path("out.tflite") +
          "' --mode int8 --calibration '" + Path("cal.npy") + "'"),
      "does not match input 'x'");
}

TEST_F(QuantizeCliTest, UnreadableNpzFails) {
  std::ofstream(Path("cal.npz")) << "PK this is no zip archive";
  ExpectCleanFailure(
      Cli("quantize '" + Path("float.tflite") + "' -o '" + Path("out.tflite") +
          "' --mode int8 --calibration '" + Path("cal.npz") + "'"),
      "not a readable .npz");
}

TEST_F(QuantizeCliTest, MissingCalibrationFails) {
  ExpectCleanFailure(
      Cli("quantize '" + Path("float.tflite") + "' -o '" + Path("out.tflite") +
          "' --mode int8 --calibration '" + Path("none.npy") + "'"),
      "none.npy");
}

}  // namespace
}  // namespace ember
