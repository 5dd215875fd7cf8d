// `ember run|bench|inspect --delegate PATH`: the example external delegate
// (examples/delegate/) through the built binary. Outputs must equal the
// CPU run's bit for bit; a delegate that fails must leave the run working.
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

#include "util/model_builder.h"

#ifndef EMBER_CLI_PATH
#error "EMBER_CLI_PATH must name the built ember binary"
#endif

namespace ember {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::kF32;

struct Result {
  int exit_code = -1;
  std::string out, err;
};

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// x -> ADD(x, c) -> t1 -> MUL(t1, x) -> t2 -> TANH -> t3 -> ADD(t3, t1) -> y
std::vector<uint8_t> Model() {
  testing::ModelBuilder b;
  const int x = b.AddTensor(kF32, {4, 8}, "x");
  const int c = b.AddConstant<float>(kF32, {1}, std::vector<float>{0.5f}, "c");
  const int t1 = b.AddTensor(kF32, {4, 8}, "t1");
  const int t2 = b.AddTensor(kF32, {4, 8}, "t2");
  const int t3 = b.AddTensor(kF32, {4, 8}, "t3");
  const int y = b.AddTensor(kF32, {4, 8}, "y");
  fb::BuiltinOptionsUnion add1, add2, mul;
  add1.Set(fb::AddOptionsT());
  add2.Set(fb::AddOptionsT());
  mul.Set(fb::MulOptionsT());
  b.AddOp(fb::BuiltinOperator::ADD, {x, c}, {t1}, std::move(add1));
  b.AddOp(fb::BuiltinOperator::MUL, {t1, x}, {t2}, std::move(mul));
  b.AddOp(fb::BuiltinOperator::TANH, {t2}, {t3});
  b.AddOp(fb::BuiltinOperator::ADD, {t3, t1}, {y}, std::move(add2));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

class CliDelegate : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ember_cli_delegate_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const std::vector<uint8_t> bytes = Model();
    model_ = (dir_ / "m.tflite").string();
    std::ofstream(model_, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  void TearDown() override { fs::remove_all(dir_); }

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
  // `ember run` on random inputs, outputs written to DIR/<tag>/.
  Result RunTo(const std::string& tag, const std::string& extra) {
    return Cli("run '" + model_ + "' --random-inputs 3 --json -o '" +
               (dir_ / tag).string() + "' " + extra);
  }
  std::string Output(const std::string& tag) {
    return ReadText(dir_ / tag / "y.npy");
  }

  const std::string example_ = std::string("'") + EMBER_EXAMPLE_DELEGATE + "'";
  fs::path dir_;
  std::string model_;
};

TEST_F(CliDelegate, RunReportsPartitionsAndMatchesTheCpu) {
  const Result cpu = RunTo("cpu", "");
  ASSERT_EQ(cpu.exit_code, 0) << cpu.err;
  EXPECT_FALSE(json::parse(cpu.out).contains("delegates"));
  const Result del = RunTo("del", "--delegate " + example_);
  ASSERT_EQ(del.exit_code, 0) << del.err;
  const json d = json::parse(del.out)["delegates"];
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]["name"], "example");
  EXPECT_EQ(d[0]["nodes_taken"], 3);
  ASSERT_EQ(d[0]["partitions"].size(), 2u);
  EXPECT_EQ(d[0]["partitions"][0]["first_ops"], json::parse("[0, 1]"));
  EXPECT_EQ(d[0]["partitions"][1]["first_ops"], json::parse("[3]"));
  EXPECT_FALSE(Output("cpu").empty());
  EXPECT_EQ(Output("del"), Output("cpu"));
  // Text output names the partitions too.
  const Result text =
      Cli("run '" + model_ + "' --random-inputs 3 --delegate " + example_);
  EXPECT_NE(text.out.find("delegate 'example': took 3 nodes in 2 partition"),
            std::string::npos)
      << text.out;
}

TEST_F(CliDelegate, FailingDelegateFallsBackToTheCpu) {
  const Result cpu = RunTo("cpu", "");
  for (const char* stage : {"init", "prepare", "invoke"}) {
    const Result del = RunTo(stage, "--delegate " + example_ +
                                        " --delegate-option fail_at=" + stage);
    ASSERT_EQ(del.exit_code, 0) << stage << ": " << del.err;
    const json d = json::parse(del.out)["delegates"][0];
    EXPECT_EQ(d["nodes_taken"], 0) << stage;
    EXPECT_TRUE(d["partitions"][0]["on_cpu"].get<bool>()) << stage;
    EXPECT_NE(d["partitions"][0]["reason"].get<std::string>().find(
                  std::string("fail_at=") + stage),
              std::string::npos)
        << d.dump();
    EXPECT_EQ(Output(stage), Output("cpu")) << stage;
  }
}

TEST_F(CliDelegate, DelegatesThatCannotStartAreSkippedWithAWarning) {
  const Result cpu = RunTo("cpu", "");
  const Result missing = RunTo("missing", "--delegate /nonexistent/libx.so");
  EXPECT_EQ(missing.exit_code, 0) << missing.err;
  EXPECT_NE(missing.err.find("/nonexistent/libx.so"), std::string::npos);
  EXPECT_NE(missing.err.find("running on the CPU"), std::string::npos);
  EXPECT_EQ(json::parse(missing.out)["delegates"].size(), 0u);
  EXPECT_EQ(Output("missing"), Output("cpu"));
  const Result bad =
      RunTo("bad", "--delegate " + example_ + " --delegate-option colour=blue");
  EXPECT_EQ(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("colour"), std::string::npos) << bad.err;
  EXPECT_EQ(Output("bad"), Output("cpu"));
}

// The built-in gpu delegate without Vulkan (no loader library; a loader
// that finds no driver): a warning naming why, exit 0, the CPU's outputs.
// Where the gpu delegate was not built, the warning says that instead.
TEST_F(CliDelegate, GpuDelegateWithoutVulkanRunsOnTheCpu) {
  const Result cpu = RunTo("cpu", "");
  const Result no_loader = RunTo("no_loader",
                                 "--delegate gpu --delegate-option "
                                 "vulkan_library=/nonexistent/libvulkan.so.1");
  ASSERT_EQ(no_loader.exit_code, 0) << no_loader.err;
  EXPECT_TRUE(no_loader.err.find("no Vulkan loader") != std::string::npos ||
              no_loader.err.find("not built") != std::string::npos)
      << no_loader.err;
  EXPECT_NE(no_loader.err.find("running on the CPU"), std::string::npos);
  EXPECT_EQ(Output("no_loader"), Output("cpu"));
  // VK_ICD_FILENAMES / VK_DRIVER_FILES point the loader at no driver.
  const std::string env =
      "VK_ICD_FILENAMES=/nonexistent.json VK_DRIVER_FILES=/nonexistent.json ";
  const fs::path out = dir_ / "nd.out", err = dir_ / "nd.err";
  const std::string cmd = env + "'" + EMBER_CLI_PATH + "' run '" + model_ +
                          "' --random-inputs 3 --json -o '" +
                          (dir_ / "nodev").string() + "' --delegate gpu >'" +
                          out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadText(err);
  const std::string why = ReadText(err);
  EXPECT_TRUE(why.find("gpu delegate: ") != std::string::npos ||
              why.find("not built") != std::string::npos)
      << why;
  EXPECT_NE(why.find("running on the CPU"), std::string::npos) << why;
  EXPECT_EQ(ReadText(dir_ / "nodev" / "y.npy"), Output("cpu"));
}

// precision=fp16 on a device without storageBuffer16BitAccess
// (EMBER_GPU_HIDE_FP16_STORAGE=1 makes lavapipe look like one): a warning
// naming the feature, exit 0, the CPU's outputs. Without Vulkan at all the
// warning names that instead (a failure under EMBER_REQUIRE_VULKAN=1).
TEST_F(CliDelegate, GpuFp16WithoutStorage16RunsOnTheCpu) {
  const Result cpu = RunTo("cpu", "");
  setenv("EMBER_GPU_HIDE_FP16_STORAGE", "1", 1);
  const Result r =
      RunTo("fp16", "--delegate gpu --delegate-option precision=fp16");
  unsetenv("EMBER_GPU_HIDE_FP16_STORAGE");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const char* require = std::getenv("EMBER_REQUIRE_VULKAN");
  if (require != nullptr && std::string(require) == "1") {
    EXPECT_NE(r.err.find("storageBuffer16BitAccess"), std::string::npos)
        << r.err;
  } else {
    EXPECT_NE(r.err.find("gpu delegate"), std::string::npos) << r.err;
  }
  EXPECT_NE(r.err.find("running on the CPU"), std::string::npos) << r.err;
  EXPECT_EQ(Output("fp16"), Output("cpu"));
}

TEST_F(CliDelegate, MalformedDelegateOptionsAreUsageErrors) {
  EXPECT_EQ(RunTo("x", "--delegate " + example_ + " --delegate-option novalue")
                .exit_code,
            2);
  const Result orphan = RunTo("y", "--delegate-option a=b");
  EXPECT_EQ(orphan.exit_code, 2);
  EXPECT_NE(orphan.err.find("without --delegate"), std::string::npos);
}

TEST_F(CliDelegate, InspectShowsThePartitioning) {
  const Result r = Cli("inspect '" + model_ + "' --json --delegate " +
                       example_ + " --delegate-option max_partitions=1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json d = json::parse(r.out)["delegates"];
  ASSERT_EQ(d[0]["partitions"].size(), 1u);
  EXPECT_EQ(d[0]["partitions"][0]["nodes"], 2);
  const Result text = Cli("inspect '" + model_ + "' --delegate " + example_);
  EXPECT_NE(text.out.find("partition 1: 1 nodes (ops #3)"), std::string::npos)
      << text.out;
}

TEST_F(CliDelegate, BenchProfilesEachPartition) {
  const Result r = Cli("bench '" + model_ +
                       "' --profile --json --runs 3 --warmup-ms 0 "
                       "--min-ms 0 --delegate " +
                       example_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["delegates"][0]["nodes_taken"], 3);
  int partitions = 0, cpu_rows = 0;
  for (const json& row : j["profile"]) {
    const std::string op = row["op"];
    partitions += op.rfind("DELEGATE:example #", 0) == 0;
    cpu_rows += op.rfind("TANH", 0) == 0;
    EXPECT_NE(op.rfind("MUL", 0), 0u) << "MUL ran on the CPU";
  }
  EXPECT_EQ(partitions, 2) << j["profile"].dump();
  EXPECT_EQ(cpu_rows, 1);
  EXPECT_EQ(j["kernels"].count("MUL:ref"), 0u) << j["kernels"].dump();
}

}  // namespace
}  // namespace ember
