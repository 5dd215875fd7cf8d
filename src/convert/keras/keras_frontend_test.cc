// Keras frontend end to end: tests/convert/keras_models.py builds small
// seeded Keras models with TensorFlow (in a subprocess) and saves Keras'
// own predictions; each model is converted here and run in Ember and in
// LiteRT, both compared with model.predict. Tolerance: max |diff| <=
// 1e-4 * max(1, max |expected|) (float32 math in a different order).
#include <gtest/gtest.h>
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
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("ember_keras_test_" + std::to_string(getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    const std::string cmd = "python3 '" + std::string(EMBER_SOURCE_DIR) +
                            "/tests/convert/keras_models.py' '" + dir_->string() +
                            "' >'" + (*dir_ / "make.log").string() + "' 2>&1";
    generated_ = std::system(cmd.c_str()) == 0;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    ASSERT_TRUE(generated_) << "tests/convert/keras_models.py failed (needs tensorflow); log: "
                            << (*dir_ / "make.log");
  }
  static NpyArray Load(const std::string& file) {
    NpyArray a;
    ErrorReporter errors;
    EXPECT_TRUE(ReadNpy((*dir_ / file).string(), &a, errors).ok()) << file;
    return a;
  }

  static fs::path* dir_;
  static bool generated_;
};

fs::path* KerasFrontendTest::dir_ = nullptr;
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
      testing::RunResult ember = testing::RunEmber(bytes, inputs);
      ASSERT_TRUE(ember.ok) << ember.error;
      ASSERT_EQ(ember.outputs.size(), outputs.size());
      for (size_t k = 0; k < outputs.size(); ++k) {
        std::string why;
        NpyArray got = ember.outputs[k];
        got.shape = outputs[k].shape;  // Keras drops nothing, but be layout-exact
        const double diff = MaxAbsDiff(got, outputs[k], &why);
        EXPECT_GE(diff, 0.0) << why;
        EXPECT_LE(diff, kRelTolerance * std::max(1.0, MaxAbs(outputs[k])))
            << "Ember vs Keras, output " << k;
      }
      cases.push_back({bytes, inputs});
      expected.push_back(outputs);
      labels.push_back(label);
    }
  }
  // LiteRT's default kernels: its reference resolver has no ELU.
  std::vector<testing::RunResult> litert = testing::RunLiteRt(cases, /*reference=*/false);
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
  ASSERT_TRUE(ConvertKeras((*dir_ / "merges_reshapes.keras").string(), {}, &model, &diag));
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
  EXPECT_FALSE(ConvertKeras((*dir_ / "custom_layer.keras").string(), {}, &model, &diag));
  ASSERT_EQ(diag.errors.size(), 2u);
  EXPECT_NE(diag.errors[0].find("#3 'double_it' (Doubler)"), std::string::npos) << diag.errors[0];
  EXPECT_NE(diag.errors[1].find("#5 'halve_it' (Halver)"), std::string::npos) << diag.errors[1];
}

TEST_F(KerasFrontendTest, BrokenFilesGiveErrors) {
  auto expect_error = [](const fs::path& path, const std::string& needle) {
    fb::ModelT model;
    Diagnostics diag;
    EXPECT_FALSE(ConvertKeras(path.string(), {}, &model, &diag)) << path;
    ASSERT_FALSE(diag.errors.empty());
    EXPECT_NE(diag.errors[0].find(needle), std::string::npos) << diag.errors[0];
  };
  expect_error(*dir_ / "no_such_model.keras", "cannot open");
  std::ofstream(*dir_ / "corrupt.keras", std::ios::binary) << "PK\x03\x04 this is no zip";
  expect_error(*dir_ / "corrupt.keras", "corrupt .keras archive");
  std::ofstream(*dir_ / "text.h5") << "hello";
  expect_error(*dir_ / "text.h5", "not a Keras file");
  // A legacy .h5 cut in half.
  std::ifstream h5(*dir_ / "conv_bn_relu.h5", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(h5)), {});
  std::ofstream(*dir_ / "truncated.h5", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  expect_error(*dir_ / "truncated.h5", "truncated.h5");
}

}  // namespace
}  // namespace ember::convert
