// Keras frontend end to end: tests/convert/keras_models.py builds small
// seeded Keras models with TensorFlow (in a subprocess) and saves Keras'
// own predictions; each model is converted here and run in Ember and in
// LiteRT, both compared with model.predict. Tolerance: max |diff| <=
// 1e-4 * max(1, max |expected|) (float32 math in a different order).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "convert/convert.h"
#include "io/npy.h"
#include "util/oracle.h"

namespace ember::convert {
namespace {

namespace fs = std::filesystem;
using testing::MaxAbs;
using testing::MaxAbsDiff;

constexpr double kRelTolerance = 1e-4;

class KerasFrontendTest : public ::testing::Test {
 protected:
  // ctest runs each test in its own process: the models are generated once
  // into a cache folder named after the generator script's contents, built
  // in a private folder and renamed into place (safe under ctest -j).
  static void SetUpTestSuite() {
    const std::string script =
        std::string(EMBER_SOURCE_DIR) + "/tests/convert/keras_models.py";
    std::ifstream in(script, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    const fs::path tmp = fs::temp_directory_path();
    dir_ = new fs::path(tmp / ("ember_keras_models_" +
                               std::to_string(std::hash<std::string>()(text))));
    scratch_ =
        new fs::path(tmp / ("ember_keras_test_" + std::to_string(getpid())));
    fs::remove_all(*scratch_);
    fs::create_directories(*scratch_);
    // One process generates; the others wait on the lock, then reuse.
    const std::string lock_path = dir_->string() + ".lock";
    const int lock = open(lock_path.c_str(), O_CREAT | O_RDWR, 0644);
    if (lock >= 0) flock(lock, LOCK_EX);
    struct Unlock {
      int fd;
      ~Unlock() {
        if (fd >= 0) close(fd);
      }
    } unlock{lock};
    if (fs::exists(*dir_ / "manifest.json")) {
      generated_ = true;
      return;
    }
    const fs::path build = *scratch_ / "models";
    const char* python =
        getenv("EMBER_PYTHON") ? getenv("EMBER_PYTHON") : "python3";
    const std::string cmd = std::string(python) + " '" + script + "' '" +
                            build.string() + "' >'" +
                            (*scratch_ / "make.log").string() + "' 2>&1";
    generated_ = std::system(cmd.c_str()) == 0;
    if (!generated_) return;
    std::error_code ec;
    fs::rename(build, *dir_, ec);  // another process may have won the race
    generated_ = fs::exists(*dir_ / "manifest.json");
  }
  static void TearDownTestSuite() {
    fs::remove_all(*scratch_);
    delete dir_;
    delete scratch_;
  }
  void SetUp() override {
    ASSERT_TRUE(generated_)
        << "tests/convert/keras_models.py failed (needs tensorflow); log: "
        << (*scratch_ / "make.log");
  }
  static NpyArray Load(const std::string& file) {
    NpyArray a;
    ErrorReporter errors;
    EXPECT_TRUE(ReadNpy((*dir_ / file).string(), &a, errors).ok()) << file;
    return a;
  }

  static fs::path* dir_;      // generated models (shared, read-only)
  static fs::path* scratch_;  // this process's own files
  static bool generated_;
};

fs::path* KerasFrontendTest::dir_ = nullptr;
fs::path* KerasFrontendTest::scratch_ = nullptr;
bool KerasFrontendTest::generated_ = false;

TEST_F(KerasFrontendTest, ConvertedModelsMatchKerasInEmberAndLiteRt) {
  std::ifstream in(*dir_ / "manifest.json");
  nlohmann::json manifest = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(manifest.is_array() && manifest.size() >= 10);
  std::vector<testing::OracleCase> cases;
  std::vector<std::vector<NpyArray>> expected;
  std::vector<std::string> labels;
  for (const auto& entry : manifest) {
    const std::string name = entry["name"];
    std::vector<NpyArray> inputs, outputs;
    for (int i = 0; i < entry["inputs"].get<int>(); ++i)
      inputs.push_back(Load(name + ".in" + std::to_string(i) + ".npy"));
    for (int i = 0; i < entry["outputs"].get<int>(); ++i)
      outputs.push_back(Load(name + ".out" + std::to_string(i) + ".npy"));
    for (const auto& file : entry["files"]) {
      const std::string label = file.get<std::string>();
      SCOPED_TRACE(label);
      fb::ModelT model;
      Diagnostics diag;
      ASSERT_TRUE(ConvertKeras((*dir_ / label).string(), {}, &model, &diag))
          << (diag.errors.empty() ? "" : diag.errors[0]);
      std::vector<uint8_t> bytes = SerializeTflite(model);
      // Two invokes: the second must still match (no state may leak from
      // one call to the next, as in Keras' stateless layers).
      testing::RunResult ember =
          testing::RunEmber(bytes, inputs, /*invokes=*/2);
      ASSERT_TRUE(ember.ok) << ember.error;
      ASSERT_EQ(ember.outputs.size(), outputs.size());
      for (size_t k = 0; k < outputs.size(); ++k) {
        std::string why;
        NpyArray got = ember.outputs[k];
        got.shape =
            outputs[k].shape;  // Keras drops nothing, but be layout-exact
        const double diff = MaxAbsDiff(got, outputs[k], &why);
        EXPECT_GE(diff, 0.0) << why;
        EXPECT_LE(diff, kRelTolerance * std::max(1.0, MaxAbs(outputs[k])))
            << "Ember vs Keras, output " << k;
      }
      cases.push_back({bytes, inputs, /*invokes=*/2});
      expected.push_back(outputs);
      labels.push_back(label);
    }
  }
  // LiteRT's default kernels: its reference resolver has no ELU.
  std::vector<testing::RunResult> litert =
      testing::RunLiteRt(cases, /*reference=*/false);
  for (size_t c = 0; c < cases.size(); ++c) {
    SCOPED_TRACE(labels[c]);
    ASSERT_TRUE(litert[c].ok) << litert[c].error;
    ASSERT_EQ(litert[c].outputs.size(), expected[c].size());
    for (size_t k = 0; k < expected[c].size(); ++k) {
      std::string why;
      NpyArray got = litert[c].outputs[k];
      got.shape = expected[c][k].shape;
      const double diff = MaxAbsDiff(got, expected[c][k], &why);
      EXPECT_GE(diff, 0.0) << why;
      EXPECT_LE(diff, kRelTolerance * std::max(1.0, MaxAbs(expected[c][k])))
          << "LiteRT vs Keras, output " << k;
    }
  }
}

TEST_F(KerasFrontendTest, KeepsInputAndOutputNamesAndWritesASignature) {
  fb::ModelT model;
  Diagnostics diag;
  ASSERT_TRUE(ConvertKeras((*dir_ / "merges_reshapes.keras").string(), {},
                           &model, &diag));
  const fb::SubGraphT& sg = *model.subgraphs[0];
  ASSERT_EQ(sg.inputs.size(), 2u);
  EXPECT_EQ(sg.tensors[sg.inputs[0]]->name, "a");
  EXPECT_EQ(sg.tensors[sg.inputs[1]]->name, "b");
  ASSERT_EQ(model.signature_defs.size(), 1u);
  const fb::SignatureDefT& sig = *model.signature_defs[0];
  EXPECT_EQ(sig.signature_key, "serving_default");
  ASSERT_EQ(sig.inputs.size(), 2u);
  EXPECT_EQ(sig.inputs[0]->name, "a");
  ASSERT_EQ(sig.outputs.size(), 2u);
  EXPECT_EQ(sig.outputs[1]->name, "up_bilinear_global");
}

TEST_F(KerasFrontendTest, UnsupportedLayersAreAllNamedWithClassAndPosition) {
  fb::ModelT model;
  Diagnostics diag;
  EXPECT_FALSE(
      ConvertKeras((*dir_ / "custom_layer.keras").string(), {}, &model, &diag));
  ASSERT_EQ(diag.errors.size(), 2u);
  EXPECT_NE(diag.errors[0].find("#3 'double_it' (Doubler)"), std::string::npos)
      << diag.errors[0];
  EXPECT_NE(diag.errors[1].find("#5 'halve_it' (Halver)"), std::string::npos)
      << diag.errors[1];
}

TEST_F(KerasFrontendTest, BrokenFilesGiveErrors) {
  auto expect_error = [](const fs::path& path, const std::string& needle) {
    fb::ModelT model;
    Diagnostics diag;
    EXPECT_FALSE(ConvertKeras(path.string(), {}, &model, &diag)) << path;
    ASSERT_FALSE(diag.errors.empty());
    EXPECT_NE(diag.errors[0].find(needle), std::string::npos) << diag.errors[0];
  };
  const fs::path& s = *scratch_;
  expect_error(s / "no_such_model.keras", "cannot open");
  std::ofstream(s / "corrupt.keras", std::ios::binary)
      << "PK\x03\x04 this is no zip";
  expect_error(s / "corrupt.keras", "corrupt .keras archive");
  std::ofstream(s / "text.h5") << "hello";
  expect_error(s / "text.h5", "not a Keras file");
  // A legacy .h5 cut in half.
  std::ifstream h5(*dir_ / "conv_bn_relu.h5", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(h5)), {});
  std::ofstream(s / "truncated.h5", std::ios::binary)
      << bytes.substr(0, bytes.size() / 2);
  expect_error(s / "truncated.h5", "truncated.h5");
}

// Found by ember_keras_fuzz: a .keras whose HDF5 global heap is damaged
// makes libhdf5 1.10 memcpy gigabytes past its buffer (`ember convert`
// died with SIGSEGV). The frontend runs in a child process, so the caller
// gets an error naming the file and lives on.
TEST_F(KerasFrontendTest, CrashInsideLibhdf5IsAnError) {
  const fs::path hostile = fs::path(EMBER_SOURCE_DIR) /
                           "tests/fuzz/regressions/keras/hdf5-heap-overread";
  ASSERT_TRUE(fs::exists(hostile));
  fb::ModelT model;
  Diagnostics diag;
  EXPECT_FALSE(ConvertKeras(hostile.string(), {}, &model, &diag));
  ASSERT_FALSE(diag.errors.empty());
  EXPECT_NE(diag.errors[0].find("hdf5-heap-overread"), std::string::npos)
      << diag.errors[0];
}

// The child process hands back exactly what the frontend made in-process.
TEST_F(KerasFrontendTest, IsolatedConversionMatchesInProcess) {
  for (const char* name :
       {"conv_bn_relu.keras", "conv_bn_relu.h5", "merges_reshapes.keras"}) {
    SCOPED_TRACE(name);
    fb::ModelT isolated, direct;
    Diagnostics diag_isolated, diag_direct;
    ASSERT_TRUE(
        ConvertKeras((*dir_ / name).string(), {}, &isolated, &diag_isolated));
    ASSERT_TRUE(ConvertKerasInProcess((*dir_ / name).string(), {}, &direct,
                                      &diag_direct));
    EXPECT_EQ(SerializeTflite(isolated), SerializeTflite(direct));
    EXPECT_EQ(diag_isolated.notes, diag_direct.notes);
    EXPECT_EQ(diag_isolated.warnings, diag_direct.warnings);
  }
}

#ifdef EMBER_CLI_PATH
// `ember convert` exit codes, output and --json/--verbose.
int RunCli(const std::string& args, std::string* out) {
  const fs::path log =
      fs::temp_directory_path() /
      ("ember_convert_cli_" + std::to_string(getpid()) + ".txt");
  const std::string cmd = std::string("'") + EMBER_CLI_PATH + "' " + args +
                          " >'" + log.string() + "' 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream in(log);
  out->assign(std::istreambuf_iterator<char>(in), {});
  fs::remove(log);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(KerasFrontendTest, CliConvertsReoptimizesAndFailsCleanly) {
  const fs::path& d = *dir_;
  const fs::path& w = *scratch_;
  std::string out;
  EXPECT_EQ(RunCli("convert '" + (d / "conv_bn_relu.keras").string() +
                       "' -o '" + (w / "cli.tflite").string() + "' --json",
                   &out),
            0)
      << out;
  nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << out;
  EXPECT_TRUE(j["ok"].get<bool>());
  EXPECT_FALSE(j["notes"].empty());
  EXPECT_TRUE(fs::exists(w / "cli.tflite"));
  // .tflite in: loaded, optimized again (nothing left to do), written.
  EXPECT_EQ(RunCli("convert '" + (w / "cli.tflite").string() + "' -o '" +
                       (w / "cli2.tflite").string() + "' --verbose",
                   &out),
            0)
      << out;
  EXPECT_NE(out.find("note: batch-norm folding"), std::string::npos) << out;
  EXPECT_EQ(fs::file_size(w / "cli.tflite"), fs::file_size(w / "cli2.tflite"));
  // Unsupported layers: exit 1, every layer named, no output file.
  EXPECT_EQ(RunCli("convert '" + (d / "custom_layer.keras").string() +
                       "' -o '" + (w / "bad.tflite").string() + "'",
                   &out),
            1);
  EXPECT_NE(out.find("'double_it' (Doubler)"), std::string::npos) << out;
  EXPECT_NE(out.find("'halve_it' (Halver)"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(w / "bad.tflite"));
  EXPECT_EQ(RunCli("convert '" + (d / "manifest.json").string() + "' -o '" +
                       (w / "bad.tflite").string() + "'",
                   &out),
            1);
  EXPECT_NE(out.find("unknown input format"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(w / "bad.tflite"));
}
#endif

}  // namespace
}  // namespace ember::convert
