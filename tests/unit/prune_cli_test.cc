// `ember prune` end to end: runs the built binary (EMBER_CLI_PATH) on a
// small model with prunable layers, checks the report (text and --json),
// that the written model loads and runs in Ember, and that bad arguments
// and bad files fail with a clear message, a non-zero exit and no output.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "util/model_builder.h"
#include "util/oracle.h"

// Built only with the tools (EMBER_CLI_PATH names the binary then).
#ifdef EMBER_CLI_PATH

namespace ember {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<uint8_t> ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::vector<float> RandomFloats(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(gen);
  return v;
}

// x [1, 6, 6, 8] -> 1x1 conv 8->16 -> FC [4, 576] (both prunable).
std::vector<uint8_t> PrunableModel() {
  testing::ModelBuilder b;
  const auto f32 = fb::TensorType::FLOAT32;
  const int x = b.AddTensor(f32, {1, 6, 6, 8}, "x");
  const int f =
      b.AddConstant<float>(f32, {16, 1, 1, 8}, RandomFloats(128, 1), "conv_w");
  const int fb_ =
      b.AddConstant<float>(f32, {16}, RandomFloats(16, 2), "conv_b");
  const int y = b.AddTensor(f32, {}, "y");
  const int w =
      b.AddConstant<float>(f32, {4, 576}, RandomFloats(4 * 576, 3), "fc_w");
  const int z = b.AddTensor(f32, {}, "z");
  fb::Conv2DOptionsT copt;
  copt.padding = fb::Padding::VALID;
  copt.stride_h = copt.stride_w = 1;
  fb::BuiltinOptionsUnion cu;
  cu.Set(copt);
  b.AddOp(fb::BuiltinOperator::CONV_2D, {x, f, fb_}, {y}, std::move(cu));
  fb::BuiltinOptionsUnion fu;
  fu.Set(fb::FullyConnectedOptionsT());
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {y, w, -1}, {z}, std::move(fu));
  b.SetInputs({x});
  b.SetOutputs({z});
  return b.Build();
}

// z = x + y: nothing to prune.
std::vector<uint8_t> AddModel() {
  testing::ModelBuilder b;
  const auto f32 = fb::TensorType::FLOAT32;
  const int x = b.AddTensor(f32, {2, 3}, "x");
  const int y = b.AddTensor(f32, {2, 3}, "y");
  const int z = b.AddTensor(f32, {2, 3}, "z");
  fb::BuiltinOptionsUnion u;
  u.Set(fb::AddOptionsT());
  b.AddOp(fb::BuiltinOperator::ADD, {x, y}, {z}, std::move(u));
  b.SetInputs({x, y});
  b.SetOutputs({z});
  return b.Build();
}

class PruneCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("ember_prune_cli_test_" + std::to_string(getpid()) + "_" +
            info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliResult Cli(const std::string& args) {
    const fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    const std::string cmd = std::string("'") + EMBER_CLI_PATH + "' " + args +
                            " >'" + out.string() + "' 2>'" + err.string() + "'";
    const int status = std::system(cmd.c_str());
    CliResult r;
    r.out = ReadText(out);
    r.err = ReadText(err);
    if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    return r;
  }
  std::string Path(const std::string& name) const {
    return (dir_ / name).string();
  }
  std::string WriteFile(const std::string& name,
                        const std::vector<uint8_t>& bytes) {
    std::ofstream(Path(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return Path(name);
  }

  fs::path dir_;
};

TEST_F(PruneCliTest, PrunesReportsAndWritesARunnableModel) {
  const std::string in = WriteFile("in.tflite", PrunableModel());
  const std::string out = Path("out.tflite");
  CliResult r = Cli("prune '" + in + "' -o '" + out + "' --sparsity 0.5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("pruned 2 layer(s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("size"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("conv_w"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("50.0%"), std::string::npos) << r.out;
  ASSERT_TRUE(fs::exists(out));

  const std::string out2 = Path("out2.tflite");
  r = Cli("prune '" + in + "' -o '" + out2 +
          "' --sparsity 0.75 --block 4x1 --norm l1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["block"], "4x1");
  EXPECT_LT(j["bytes_after"].get<int64_t>(), j["bytes_before"].get<int64_t>());
  ASSERT_EQ(j["layers"].size(), 2u);
  for (const auto& l : j["layers"]) {
    EXPECT_NEAR(l["sparsity"].get<double>(), 0.75, 0.02) << l.dump();
    EXPECT_EQ(l["block"], "4x1");
  }

  // The pruned model runs in Ember and LiteRT alike.
  const auto bytes = ReadBytes(out2);
  const auto input = testing::RandomArray(DataType::kFloat32, {1, 6, 6, 8}, 5);
  const auto ember = testing::RunEmber(bytes, {input});
  ASSERT_TRUE(ember.ok) << ember.error;
  const auto lite = testing::RunLiteRt({{bytes, {input}}}, /*reference=*/true);
  ASSERT_TRUE(lite[0].ok) << lite[0].error;
  std::string why;
  const double diff =
      testing::MaxAbsDiff(ember.outputs[0], lite[0].outputs[0], &why);
  ASSERT_GE(diff, 0.0) << why;
  EXPECT_LE(diff, 1e-5 * std::max(1.0, testing::MaxAbs(lite[0].outputs[0])));
}

TEST_F(PruneCliTest, BadArgumentsAndFilesFailCleanly) {
  const std::string in = WriteFile("in.tflite", PrunableModel());
  const std::string out = Path("out.tflite");
  struct Case {
    std::string args;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"prune '" + in + "' -o '" + out + "' --sparsity 1", 2,
       "--sparsity must be in [0, 1)"},
      {"prune '" + in + "' -o '" + out + "' --sparsity -0.25", 2, "--sparsity"},
      {"prune '" + in + "' -o '" + out + "' --sparsity 0.5 --block 2x2", 2,
       "--block"},
      {"prune '" + in + "' -o '" + out + "' --sparsity 0.5 --norm max", 2,
       "--norm"},
      {"prune '" + in + "' --sparsity 0.5", 2, "output"},
      {"prune '" + in + "' -o '" + in + "' --sparsity 0.5", 2, "overwrite"},
      {"prune '" + Path("missing.tflite") + "' -o '" + out + "' --sparsity 0.5",
       1, "missing.tflite"},
      {"prune '" + WriteFile("junk.tflite", {1, 2, 3, 4, 5, 6, 7, 8}) +
           "' -o '" + out + "' --sparsity 0.5",
       1, "junk.tflite"},
      {"prune '" + WriteFile("add.tflite", AddModel()) + "' -o '" + out +
           "' --sparsity 0.5",
       1, "no prunable layer"},
  };
  for (const Case& c : cases) {
    const CliResult r = Cli(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n"
                                                        << r.err;
    EXPECT_FALSE(fs::exists(out)) << c.args;
    EXPECT_FALSE(fs::exists(out + ".tmp")) << c.args;
  }
}

}  // namespace
}  // namespace ember

#endif  // EMBER_CLI_PATH
