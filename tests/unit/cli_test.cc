// Tests of the `ember` command-line tool: runs the built binary
// (EMBER_CLI_PATH) on models made with ModelBuilder and on broken files.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/npy.h"
#include "runtime/op_resolver.h"
#include "util/model_builder.h"
#include "util/oracle.h"

#ifndef EMBER_CLI_PATH
#error "EMBER_CLI_PATH must name the built ember binary"
#endif

namespace ember {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ModelBuilder;

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("ember_cli_test_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `ember ARGS` (ARGS already shell-quoted where needed).
  // `env`: "NAME=value ..." put before the command.
  CliResult Cli(const std::string& args, const std::string& env = "") {
    const fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    const std::string cmd = env + " '" + EMBER_CLI_PATH + "' " + args + " >'" +
                            out.string() + "' 2>'" + err.string() + "'";
    const int status = std::system(cmd.c_str());
    CliResult r;
    r.out = ReadText(out);
    r.err = ReadText(err);
    // A signal (crash) leaves exit_code at -1, which no test expects.
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
  std::string WriteArray(const std::string& name, const NpyArray& a) {
    ErrorReporter errors;
    EXPECT_TRUE(WriteNpy(Path(name), a.type, a.shape, a.data.data(),
                         a.data.size(), errors)
                    .ok())
        << errors.message();
    return Path(name);
  }
  NpyArray ReadArray(const std::string& path) {
    NpyArray a;
    ErrorReporter errors;
    EXPECT_TRUE(ReadNpy(path, &a, errors).ok()) << errors.message();
    return a;
  }

  fs::path dir_;
};

fb::BuiltinOptionsUnion AddOptions() {
  fb::BuiltinOptionsUnion opts;
  opts.Set(fb::AddOptionsT());
  return opts;
}

// z = x + y with x [2, 3] (batch dim dynamic) and y [3]; a metadata entry
// and a signature for inspect.
std::vector<uint8_t> FloatAddModel() {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {2, 3}, "x");
  b.SetShapeSignature(x, {-1, 3});
  const int y = b.AddTensor(testing::kF32, {3}, "y");
  const int z = b.AddTensor(testing::kF32, {2, 3}, "sum:0");
  b.AddOp(fb::BuiltinOperator::ADD, {x, y}, {z}, AddOptions());
  b.SetInputs({x, y});
  b.SetOutputs({z});
  b.AddSignature("serving_default", 0, {{"lhs", x}, {"rhs", y}}, {{"out", z}});
  auto version = std::make_unique<fb::BufferT>();
  const char text[16] = "1.14.0";
  version->data.assign(text, text + sizeof(text));
  b.model().buffers.push_back(std::move(version));
  auto meta = std::make_unique<fb::MetadataT>();
  meta->name = "min_runtime_version";
  meta->buffer = static_cast<uint32_t>(b.model().buffers.size() - 1);
  b.model().metadata.push_back(std::move(meta));
  b.model().description = "cli test model";
  return b.Build();
}

// Quantized int8 ADD of two [1, 10] inputs: a classifier-shaped output.
std::vector<uint8_t> Int8AddModel() {
  ModelBuilder b;
  testing::QuantSpec qa{{0.05f}, {3}}, qb{{0.02f}, {-7}}, qo{{0.07f}, {-1}};
  const int x = b.AddTensor(testing::kI8, {1, 10}, "a", qa);
  const int y = b.AddTensor(testing::kI8, {1, 10}, "b", qb);
  const int z = b.AddTensor(testing::kI8, {1, 10}, "scores", qo);
  b.AddOp(fb::BuiltinOperator::ADD, {x, y}, {z}, AddOptions(), 2);
  b.SetInputs({x, y});
  b.SetOutputs({z});
  return b.Build();
}

TEST_F(CliTest, HelpVersionAndUsageErrors) {
  CliResult r = Cli("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("inspect"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run"), std::string::npos) << r.out;
  r = Cli("run --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--random-inputs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--output-dir"), std::string::npos) << r.out;
  r = Cli("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("ember ", 0), 0u) << r.out;

  for (const char* bad : {"", "frobnicate", "inspect", "run --threads 0",
                          "run --no-such-flag", "inspect a.tflite b.tflite"}) {
    r = Cli(bad);
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_EQ(r.err.rfind("ember: error: ", 0), 0u) << bad << ": " << r.err;
  }
}

// `ember bench --peak`: one entry per ISA tier the CPU runs, positive
// rates (no timing assertion beyond that: the machine is shared), and the
// usage errors of MODEL with and without --peak.
TEST_F(CliTest, BenchPeakJson) {
  CliResult r = Cli("bench --peak --json --peak-ms 5 --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["threads_all"], 2);
  ASSERT_TRUE(j["probes"].is_array());
  ASSERT_FALSE(j["probes"].empty());
  bool fp32 = false, int8 = false;
  for (const auto& p : j["probes"]) {
    EXPECT_GT(p["gmacs"].get<double>(), 0) << p.dump();
    EXPECT_TRUE(p["threads"] == 1 || p["threads"] == 2) << p.dump();
    fp32 |= p["kind"] == "fp32_fma";
    int8 |= p["kind"] == "int8_dot";
  }
#if defined(__x86_64__) || defined(__aarch64__)
  EXPECT_TRUE(fp32 && int8) << r.out;
#endif
#if defined(__x86_64__) || defined(__aarch64__)
  // One thread: each tier once (it was skipped altogether).
  r = Cli("bench --peak --json --peak-ms 5 --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& p : nlohmann::json::parse(r.out)["probes"])
    EXPECT_EQ(p["threads"], 1) << p.dump();
#endif
  // EMBER_ISA caps the tiers probed, as it caps the kernels.
  r = Cli("bench --peak --json --peak-ms 5", "EMBER_ISA=portable");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find("no probe loop"), std::string::npos) << r.err;

  r = Cli("bench");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("MODEL is required"), std::string::npos) << r.err;
  const std::string model = WriteFile("add.tflite", FloatAddModel());
  r = Cli("bench --peak '" + model + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--peak takes no MODEL"), std::string::npos) << r.err;
}

TEST_F(CliTest, InspectTableAndJson) {
  const std::string model = WriteFile("add.tflite", FloatAddModel());
  CliResult r = Cli("inspect '" + model + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* expected :
       {"cli test model", "ADD", "sum:0", "[2, 3]", "[-1, 3]", "float32",
        "min_runtime_version", "1.14.0", "serving_default", "lhs", "yes"}) {
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n"
                                                       << r.out;
  }

  r = Cli("inspect --json '" + model + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);  // throws (fails the test) if invalid
  EXPECT_EQ(j["description"], "cli test model");
  ASSERT_EQ(j["subgraphs"].size(), 1u);
  const json& sg = j["subgraphs"][0];
  EXPECT_EQ(sg["ops"], 1);
  EXPECT_EQ(sg["tensors"], 3);
  ASSERT_EQ(sg["inputs"].size(), 2u);
  EXPECT_EQ(sg["inputs"][0]["name"], "x");
  EXPECT_EQ(sg["inputs"][0]["shape"], json({2, 3}));
  EXPECT_EQ(sg["inputs"][0]["shape_signature"], json({-1, 3}));
  EXPECT_EQ(sg["inputs"][0]["type"], "float32");
  EXPECT_TRUE(sg["inputs"][0]["quantization"].is_null());
  EXPECT_EQ(sg["outputs"][0]["name"], "sum:0");
  // Three [2, 3] float tensors, x and y live to the end: 24 + 12 + 24 bytes.
  EXPECT_EQ(j["planning"]["status"], "ok");
  EXPECT_GE(sg["arena_bytes"].get<size_t>(),
            sg["arena_lower_bound"].get<size_t>());
  EXPECT_GE(sg["arena_lower_bound"].get<size_t>(), 60u);
  ASSERT_EQ(j["ops"].size(), 1u);
  EXPECT_EQ(j["ops"][0], json({{"name", "ADD"},
                               {"version", 1},
                               {"count", 1},
                               {"supported", true}}));
  EXPECT_EQ(j["metadata"][0]["name"], "min_runtime_version");
  EXPECT_EQ(j["metadata"][0]["bytes"], 16);
  EXPECT_EQ(j["metadata"][0]["value"], "1.14.0");
  EXPECT_EQ(j["signatures"][0]["key"], "serving_default");
  EXPECT_EQ(j["signatures"][0]["inputs"][1]["name"], "rhs");
  EXPECT_EQ(j["signatures"][0]["inputs"][1]["tensor_name"], "y");
  EXPECT_EQ(j["signatures"][0]["outputs"][0]["tensor"], 2);
}

TEST_F(CliTest, InspectQuantizationAndUnsupportedOps) {
  ModelBuilder b;
  testing::QuantSpec per_channel{{0.5f, 0.25f, 0.125f}, {0, 0, 0}, 1};
  testing::QuantSpec per_tensor{{0.05f}, {-128}};
  const int x = b.AddTensor(testing::kI8, {2, 3}, "w", per_channel);
  const int y = b.AddTensor(testing::kI8, {2, 3}, "y", per_tensor);
  b.AddCustomOp("NotAnEmberOp", {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const std::string model = WriteFile("custom.tflite", b.Build());

  CliResult r = Cli("inspect '" + model + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* expected :
       {"CUSTOM(NotAnEmberOp)", "NO", "skipped", "NotAnEmberOp",
        "per-channel dim=1 n=3 scale=[0.125, 0.5] zero_point=0",
        "scale=0.05 zero_point=-128"}) {
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected << "\n"
                                                       << r.out;
  }
  r = Cli("inspect --json '" + model + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["planning"]["status"], "skipped");
  EXPECT_TRUE(j["subgraphs"][0]["arena_bytes"].is_null());
  EXPECT_EQ(j["ops"][0]["supported"], false);
  const json& q = j["subgraphs"][0]["inputs"][0]["quantization"];
  EXPECT_EQ(q["per_channel"], true);
  EXPECT_EQ(q["count"], 3);
  EXPECT_EQ(q["quantized_dimension"], 1);
  EXPECT_EQ(q["zero_points"], json({0}));
  EXPECT_EQ(j["subgraphs"][0]["outputs"][0]["quantization"]["zero_point"],
            -128);

  // Running it is an error, naming the op.
  r = Cli("run --random-inputs 1 '" + model + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("NotAnEmberOp"), std::string::npos) << r.err;
}

TEST_F(CliTest, InspectJsonSurvivesInvalidUtf8Names) {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {2}, "bad\xff\xfename");
  const int y = b.AddTensor(testing::kF32, {2}, "y");
  b.AddOp(fb::BuiltinOperator::ADD, {x, x}, {y}, AddOptions());
  b.SetInputs({x});
  b.SetOutputs({y});
  const std::string model = WriteFile("utf8.tflite", b.Build());
  for (const char* cmd : {"inspect --json", "run --random-inputs 1 --json"}) {
    CliResult r = Cli(std::string(cmd) + " '" + model + "'");
    ASSERT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    EXPECT_NO_THROW(json::parse(r.out)) << cmd;
  }
}

// `ember report`: one self-contained HTML file whose embedded JSON holds the
// graph, a consistent arena plan, the outputs and (with --profile) the
// per-node profile; bad arguments leave no file behind.
TEST_F(CliTest, ReportIsSelfContainedHtml) {
  const std::string model = WriteFile("add.tflite", FloatAddModel());
  const std::string html = Path("report.html");
  CliResult r =
      Cli("report '" + model + "' -o '" + html + "' --profile --runs 3 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["nodes"], 1);
  const std::string text = ReadText(html);
  EXPECT_EQ(text.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(text.find("window.EmberViews"), std::string::npos);  // views.js
  EXPECT_NE(text.find(".graph-scroller"), std::string::npos);    // CSS
  EXPECT_EQ(text.find("<script src="), std::string::npos);       // inlined
  EXPECT_EQ(text.find("<link"), std::string::npos);
  const std::string open =
      "<script id=\"ember-report-data\" type=\"application/json\">";
  const size_t begin = text.find(open);
  ASSERT_NE(begin, std::string::npos);
  const size_t start = begin + open.size();
  const json data =
      json::parse(text.substr(start, text.find("</script>", start) - start));
  const json& graph = data["model"]["graphs"][0];
  ASSERT_EQ(graph["nodes"].size(), 1u);
  EXPECT_EQ(graph["nodes"][0]["op"], "ADD");
  EXPECT_EQ(graph["tensors"].size(), 3u);
  const json& plan = graph["plan"];
  EXPECT_EQ(plan["arena_bytes"], data["model"]["subgraphs"][0]["arena_bytes"]);
  // x, y and the sum all live in the arena; none of them may overlap while
  // alive (x and y are inputs: alive from before the first step).
  ASSERT_EQ(plan["buffers"].size(), 3u);
  for (const json& a : plan["buffers"]) {
    EXPECT_LE(a["offset"].get<size_t>() + a["bytes"].get<size_t>(),
              plan["arena_bytes"].get<size_t>());
    for (const json& b : plan["buffers"]) {
      if (a["tensor"] == b["tensor"]) continue;
      const bool overlap =
          a["offset"].get<size_t>() <
              b["offset"].get<size_t>() + b["bytes"].get<size_t>() &&
          b["offset"].get<size_t>() <
              a["offset"].get<size_t>() + a["bytes"].get<size_t>();
      EXPECT_FALSE(overlap) << a.dump() << " " << b.dump();
    }
  }
  ASSERT_EQ(data["outputs"].size(), 1u);
  EXPECT_EQ(data["outputs"][0]["values"].size(), 6u);
  EXPECT_EQ(data["profile"]["runs"], 3);
  EXPECT_EQ(data["profile"]["profile"]["nodes"][0]["calls"], 3);

  // Errors: missing model, missing -o; no report file is left behind.
  const std::string missing = Path("missing.html");
  r = Cli("report '" + Path("nope.tflite") + "' -o '" + missing + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nope.tflite"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(missing));
  r = Cli("report '" + model + "'");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = Cli("report '" + model + "' -o '" + Path("no/such/dir/r.html") + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot write"), std::string::npos) << r.err;
}

TEST_F(CliTest, RunWithNpyInputsMatchesInterpreter) {
  const auto bytes = FloatAddModel();
  const std::string model = WriteFile("add.tflite", bytes);
  // x has 4 rows instead of the model's 2: the input is resized.
  const NpyArray x = testing::RandomArray(DataType::kFloat32, {4, 3}, 11);
  const NpyArray y = testing::RandomArray(DataType::kFloat32, {3}, 12);
  const std::string xs = WriteArray("x.npy", x), ys = WriteArray("y.npy", y);
  const std::string out_dir = Path("out/nested");

  CliResult r = Cli("run '" + model + "' --input x='" + xs + "' --input 1='" +
                    ys + "' --output-dir '" + out_dir + "' --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Invoke:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[4, 3]"), std::string::npos) << r.out;

  const auto expected = testing::RunEmber(bytes, {x, y});
  ASSERT_TRUE(expected.ok) << expected.error;
  // "sum:0" is written as sum_0.npy.
  const NpyArray got = ReadArray(out_dir + "/sum_0.npy");
  EXPECT_EQ(got.type, DataType::kFloat32);
  EXPECT_EQ(got.shape, (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(got.data, expected.outputs[0].data);

  // MODEL may also follow the options.
  r = Cli("run --json --input x='" + xs + "' --input y='" + ys + "' '" + model +
          "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_EQ(j["outputs"].size(), 1u);
  const json& out = j["outputs"][0];
  EXPECT_EQ(out["shape"], json({4, 3}));
  const float* v = reinterpret_cast<const float*>(got.data.data());
  const auto [lo, hi] = std::minmax_element(v, v + 12);
  EXPECT_FLOAT_EQ(out["min"].get<float>(), *lo);
  EXPECT_FLOAT_EQ(out["max"].get<float>(), *hi);
  EXPECT_FALSE(out.contains("file"));
  EXPECT_EQ(j["inputs"][1]["source"], ys);
  EXPECT_GE(j["invoke_ms"].get<double>(), 0.0);
}

TEST_F(CliTest, RunQuantizedShowsTop5) {
  const auto bytes = Int8AddModel();
  const std::string model = WriteFile("q.tflite", bytes);
  const NpyArray a = testing::RandomArray(DataType::kInt8, {1, 10}, 3, 0, 0);
  const NpyArray b = testing::RandomArray(DataType::kInt8, {1, 10}, 4, 0, 0);
  CliResult r =
      Cli("run --json '" + model + "' -i a='" + WriteArray("a.npy", a) +
          "' -i b='" + WriteArray("b.npy", b) + "' -o '" + Path("o") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto expected = testing::RunEmber(bytes, {a, b});
  ASSERT_TRUE(expected.ok) << expected.error;
  EXPECT_EQ(ReadArray(Path("o/scores.npy")).data, expected.outputs[0].data);
  const json j = json::parse(r.out);
  const json& top = j["outputs"][0]["top5"];
  ASSERT_EQ(top.size(), 5u);
  // Best first, values dequantized: 0.07 * (q + 1).
  const auto* q =
      reinterpret_cast<const int8_t*>(expected.outputs[0].data.data());
  const int best = top[0]["index"].get<int>();
  for (int i = 0; i < 10; ++i) EXPECT_LE(q[i], q[best]);
  EXPECT_NEAR(top[0]["value"].get<double>(), 0.07 * (q[best] + 1), 1e-6);
  EXPECT_TRUE(j["outputs"][0]["dequantized"].get<bool>());
}

// FULLY_CONNECTED 16 -> 40, float weights: one packed GEMM buffer.
std::vector<uint8_t> FloatFcModel() {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {4, 16}, "x");
  std::vector<float> w(40 * 16);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = 0.01f * static_cast<float>(i % 37) - 0.15f;
  const int wt = b.AddConstant(testing::kF32, {40, 16}, w, "w");
  const int y = b.AddTensor(testing::kF32, {4, 40}, "y");
  fb::BuiltinOptionsUnion opts;
  opts.Set(fb::FullyConnectedOptionsT());
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {x, wt, -1}, {y}, opts);
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

TEST_F(CliTest, WeightCacheFlag) {
  const std::string model = WriteFile("fc.tflite", FloatFcModel());
  const std::string cache = Path("wcache");
  auto bench = [&]() {
    CliResult r = Cli("bench --json '" + model +
                      "' --warmup-ms 0 --runs 1 "
                      "--min-ms 0 --weight-cache '" +
                      cache + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  };
  const json first = bench();
  const json second = bench();
  ASSERT_TRUE(first.contains("weight_cache")) << first.dump();
  const int packed = first["weight_cache"]["misses"].get<int>();
  if (packed == 0) GTEST_SKIP() << "reference kernels: nothing is packed";
  EXPECT_EQ(packed, 1);
  EXPECT_TRUE(first["weight_cache"]["wrote"].get<bool>());
  EXPECT_EQ(second["weight_cache"]["hits"].get<int>(), 1);
  EXPECT_EQ(second["weight_cache"]["misses"].get<int>(), 0);
  // `run` with the warm cache writes the outputs it writes without one.
  for (const char* dir : {"plain", "cached"}) {
    const std::string flag =
        std::string(dir) == "cached" ? " --weight-cache '" + cache + "'" : "";
    CliResult r = Cli("run '" + model + "' --random-inputs 5 --output-dir '" +
                      Path(dir) + "'" + flag);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(ReadArray(Path("plain/y.npy")).data,
            ReadArray(Path("cached/y.npy")).data);
}

TEST_F(CliTest, RandomInputsAreDeterministic) {
  const std::string model = WriteFile("q.tflite", Int8AddModel());
  const std::string fmodel = WriteFile("f.tflite", FloatAddModel());
  auto run = [&](const std::string& m, int seed, const std::string& dir) {
    CliResult r =
        Cli("run '" + m + "' --random-inputs " + std::to_string(seed) +
            " --output-dir '" + Path(dir) + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("random (seed " + std::to_string(seed) + ")"),
              std::string::npos)
        << r.out;
  };
  run(model, 7, "a");
  run(model, 7, "b");
  run(model, 8, "c");
  const NpyArray a = ReadArray(Path("a/scores.npy"));
  EXPECT_EQ(a.data, ReadArray(Path("b/scores.npy")).data);
  EXPECT_NE(a.data, ReadArray(Path("c/scores.npy")).data);

  // Floats lie in [-1, 1]: x + y in [-2, 2]; one input from a file, the
  // other random.
  const std::string ys = WriteArray(
      "y.npy", testing::MakeArray<float>(DataType::kFloat32, {3}, {0, 0, 0}));
  CliResult r =
      Cli("run --json '" + fmodel + "' --random-inputs 3 -i y='" + ys + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_GE(j["outputs"][0]["min"].get<double>(), -1.0);
  EXPECT_LE(j["outputs"][0]["max"].get<double>(), 1.0);
  EXPECT_LT(j["outputs"][0]["min"].get<double>(),
            j["outputs"][0]["max"].get<double>());
}

TEST_F(CliTest, BadModelFilesFailCleanly) {
  const auto good = FloatAddModel();
  std::vector<uint8_t> garbage(2048);
  uint32_t state = 12345;
  for (auto& byte : garbage)
    byte = static_cast<uint8_t>((state = state * 1664525u + 1013904223u) >> 24);
  std::vector<uint8_t> flipped = good;
  for (size_t i = 8; i < flipped.size(); i += 7) flipped[i] ^= 0x5a;
  const std::vector<std::pair<std::string, std::vector<uint8_t>>> files = {
      {"empty.tflite", {}},
      {"garbage.tflite", garbage},
      {"truncated.tflite",
       std::vector<uint8_t>(good.begin(), good.begin() + good.size() / 2)},
      {"short.tflite", std::vector<uint8_t>(good.begin(), good.begin() + 6)},
      {"flipped.tflite", flipped},
  };
  for (const auto& [name, bytes] : files) {
    const std::string path = WriteFile(name, bytes);
    for (const std::string cmd : {"inspect", "run --random-inputs 0"}) {
      CliResult r = Cli(cmd + " '" + path + "'");
      EXPECT_EQ(r.exit_code, 1) << name << " " << cmd << ": " << r.err;
      EXPECT_EQ(
          r.err.rfind("ember: error: cannot load model '" + path + "': ", 0),
          0u)
          << name << ": " << r.err;
    }
  }
  CliResult r = Cli("inspect '" + Path("missing.tflite") + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing.tflite"), std::string::npos) << r.err;
  r = Cli("run '" + Path("missing.tflite") + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing.tflite"), std::string::npos) << r.err;
}

TEST_F(CliTest, BadInputsFailCleanly) {
  const std::string model = WriteFile("add.tflite", FloatAddModel());
  const std::string ys = WriteArray(
      "y.npy", testing::MakeArray<float>(DataType::kFloat32, {3}, {1, 2, 3}));
  const std::string ints =
      WriteArray("ints.npy", testing::MakeArray<int32_t>(
                                 DataType::kInt32, {2, 3}, {1, 2, 3, 4, 5, 6}));
  const std::string garbage = WriteFile("garbage.npy", {1, 2, 3, 4, 5});
  const std::string m = "run '" + model + "' ";

  CliResult r = Cli(m + "-i x='" + ints + "' -i y='" + ys + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is float32 but"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("int32"), std::string::npos) << r.err;

  r = Cli(m + "-i nope='" + ys + "' --random-inputs 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown input 'nope'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("0 'x', 1 'y'"), std::string::npos) << r.err;
  r = Cli(m + "-i 2='" + ys + "' --random-inputs 1");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = Cli(m + "-i y='" + ys + "' -i 1='" + ys + "' --random-inputs 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("more than once"), std::string::npos) << r.err;
  r = Cli(m + "-i y");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("NAME=FILE.npy"), std::string::npos) << r.err;
  r = Cli(m + "-i y='" + ys + "'");  // x has no value
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("input 0 ('x') has no value"), std::string::npos)
      << r.err;

  r = Cli(m + "-i y='" + Path("missing.npy") + "' --random-inputs 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing.npy"), std::string::npos) << r.err;
  r = Cli(m + "-i y='" + garbage + "' --random-inputs 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a .npy file"), std::string::npos) << r.err;
  // A shape the op rejects: x [2, 4] does not broadcast with y [3].
  const std::string wide = WriteArray(
      "wide.npy", testing::RandomArray(DataType::kFloat32, {2, 4}, 5));
  r = Cli(m + "-i x='" + wide + "' -i y='" + ys + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ember: error: cannot prepare"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("ember: warning: input 0 ('x')"), std::string::npos)
      << r.err;

  // Output directory that cannot be created: its parent is a file.
  r = Cli(m + "--random-inputs 1 --output-dir '" + ys + "/sub'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot use output directory"), std::string::npos)
      << r.err;
  r = Cli(m + "--random-inputs 1 --output-dir '" + ys + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot use output directory"), std::string::npos)
      << r.err;
}

TEST_F(CliTest, OutputFileNamesAreSanitizedAndUnique) {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {2}, "x");
  const int c = b.AddConstant<float>(testing::kF32, {2}, {1.f, 2.f}, "c");
  const int o1 = b.AddTensor(testing::kF32, {2}, "out/a:0");
  const int o2 = b.AddTensor(testing::kF32, {2}, "out_a_0");
  const int o3 = b.AddTensor(testing::kF32, {2}, "..");
  b.AddOp(fb::BuiltinOperator::ADD, {x, c}, {o1}, AddOptions());
  b.AddOp(fb::BuiltinOperator::ADD, {o1, c}, {o2}, AddOptions());
  b.AddOp(fb::BuiltinOperator::ADD, {o2, c}, {o3}, AddOptions());
  b.SetInputs({x});
  b.SetOutputs({o1, o2, o3});
  const std::string model = WriteFile("names.tflite", b.Build());
  CliResult r =
      Cli("run '" + model + "' --random-inputs 1 -o '" + Path("o") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(Path("o/out_a_0.npy")));
  EXPECT_TRUE(fs::exists(Path("o/out_a_0_1.npy")));
  EXPECT_TRUE(fs::exists(Path("o/output_2.npy")));
  const NpyArray first = ReadArray(Path("o/out_a_0.npy"));
  const NpyArray second = ReadArray(Path("o/out_a_0_1.npy"));
  const float* f = reinterpret_cast<const float*>(first.data.data());
  const float* s = reinterpret_cast<const float*>(second.data.data());
  EXPECT_FLOAT_EQ(s[0], f[0] + 1.f);
  EXPECT_FLOAT_EQ(s[1], f[1] + 2.f);
}

// The committed default model (scripts/make_default_model.py) classifies its
// committed sample digits correctly in LiteRT, and `ember run` with no model
// gives the same answers once FULLY_CONNECTED and SOFTMAX are in Ember.
TEST_F(CliTest, DefaultModelMatchesLiteRt) {
  const std::string dir = std::string(EMBER_SOURCE_DIR) + "/models/default/";
  std::ifstream in(dir + "digits.tflite", std::ios::binary);
  const std::vector<uint8_t> model((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GT(model.size(), 1000u);
  ASSERT_LT(model.size(), 100u * 1024u);
  const NpyArray samples = ReadArray(dir + "samples.npy");
  const NpyArray labels = ReadArray(dir + "labels.npy");
  ASSERT_EQ(labels.type, DataType::kInt32);
  ASSERT_EQ(samples.shape, (std::vector<int64_t>{10, 64}));
  const auto oracle =
      testing::RunLiteRt({{model, {samples}}}, /*reference=*/true);
  ASSERT_TRUE(oracle[0].ok) << oracle[0].error;
  const NpyArray& probs = oracle[0].outputs[0];
  ASSERT_EQ(probs.shape, (std::vector<int64_t>{10, 10}));
  const float* p = reinterpret_cast<const float*>(probs.data.data());
  const int32_t* label = reinterpret_cast<const int32_t*>(labels.data.data());
  for (int r = 0; r < 10; ++r) {
    EXPECT_EQ(std::max_element(p + 10 * r, p + 10 * r + 10) - (p + 10 * r),
              label[r])
        << "sample " << r;
  }

  CliResult run = Cli("run --json -o '" + Path("o") + "'");
  const bool ember_has_ops =
      OpResolver::Builtins().FindBuiltin(
          static_cast<int32_t>(fb::BuiltinOperator::FULLY_CONNECTED)) &&
      OpResolver::Builtins().FindBuiltin(
          static_cast<int32_t>(fb::BuiltinOperator::SOFTMAX));
  if (!ember_has_ops) {
    // Until the ops land, the built-in run must fail cleanly, naming them.
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_NE(run.err.find("FULLY_CONNECTED"), std::string::npos) << run.err;
    return;
  }
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json j = json::parse(run.out);
  ASSERT_EQ(j["predictions"].size(), 10u);
  for (int r = 0; r < 10; ++r) {
    EXPECT_EQ(j["predictions"][r]["label"], label[r]);
    EXPECT_EQ(j["predictions"][r]["predicted"], label[r]);
  }
  const NpyArray ours = ReadArray(Path("o/probabilities.npy"));
  std::string why;
  EXPECT_LE(testing::MaxAbsDiff(ours, probs, &why), 1e-5) << why;
}

}  // namespace
}  // namespace ember
