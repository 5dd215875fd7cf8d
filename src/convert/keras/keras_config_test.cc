// The Keras frontend's conversion step with weights from memory
// (keras::ConvertKerasConfig + a WeightSource), the seam the keras_config
// fuzz target uses: no TensorFlow, no HDF5. The oracle for the converted
// Dense layer is the same arithmetic written out here.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "convert/convert.h"
#include "convert/keras/keras_frontend.h"
#include "convert/keras/keras_layers.h"
#include "ember/ember.hpp"
#include "fuzz/keras_config_input.h"
#include "model/model.h"

namespace ember::convert {
namespace {

using nlohmann::json;

// Sequential: Input [None, 3] -> Dense(2, relu) named "dense".
json DenseModel() {
  return json::parse(R"({
    "class_name": "Sequential",
    "config": {"name": "seq", "layers": [
      {"class_name": "InputLayer",
       "config": {"name": "x", "batch_shape": [null, 3], "dtype": "float32"}},
      {"class_name": "Dense",
       "config": {"name": "dense", "units": 2, "activation": "relu",
                  "use_bias": true}}]}})");
}

fuzz::InMemoryWeights DenseWeights() {
  fuzz::InMemoryWeights w;
  keras::WeightArray kernel{{3, 2}, {1, -1, 2, 0.5f, -3, 1}};  // [in, out]
  keras::WeightArray bias{{2}, {0.25f, -0.5f}};
  w.layers["dense"] = {kernel, bias};
  return w;
}

TEST(KerasConfig, ConvertsWithWeightsFromMemory) {
  fb::ModelT model;
  Diagnostics diag;
  ASSERT_TRUE(keras::ConvertKerasConfig(DenseModel(), DenseWeights(), "mem", {},
                                        &model, &diag))
      << (diag.errors.empty() ? "" : diag.errors[0]);
  const std::vector<uint8_t> bytes = SerializeTflite(model);
  auto loaded = api::Model::FromBuffer(bytes.data(), bytes.size());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto created = api::Interpreter::Create(loaded.value(), {});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  api::Interpreter interp = std::move(created).value();
  ASSERT_TRUE(interp.AllocateTensors().ok()) << interp.last_error();
  const std::vector<float> x = {1, 2, -1};
  ASSERT_TRUE(interp.input(0).CopyFrom(x).ok());
  ASSERT_TRUE(interp.Invoke().ok()) << interp.last_error();
  // relu(x @ kernel + bias), kernel row-major [3, 2].
  const std::vector<float> kernel = {1, -1, 2, 0.5f, -3, 1};
  const std::vector<float> bias = {0.25f, -0.5f};
  std::vector<float> expected(2);
  for (int o = 0; o < 2; ++o) {
    float acc = bias[o];
    for (int i = 0; i < 3; ++i) acc += x[i] * kernel[i * 2 + o];
    expected[o] = acc > 0 ? acc : 0;
  }
  const auto out = interp.output(0).ToVector<float>();
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 2u);
  for (int o = 0; o < 2; ++o) EXPECT_NEAR((*out)[o], expected[o], 1e-6);
}

TEST(KerasConfig, MissingOrMisshapenWeightsNameTheLayer) {
  for (int variant = 0; variant < 2; ++variant) {
    fuzz::InMemoryWeights w = DenseWeights();
    if (variant == 0)
      w.layers.clear();
    else
      w.layers["dense"][0].data.pop_back();
    fb::ModelT model;
    Diagnostics diag;
    EXPECT_FALSE(
        keras::ConvertKerasConfig(DenseModel(), w, "mem", {}, &model, &diag));
    ASSERT_FALSE(diag.errors.empty());
    EXPECT_NE(diag.errors[0].find("'dense' (Dense)"), std::string::npos)
        << diag.errors[0];
    EXPECT_NE(diag.errors[0].find("kernel"), std::string::npos)
        << diag.errors[0];
  }
}

// A stride of 0 divided by zero while sizing the output (found by
// ember_keras_config_fuzz); window parameters are now checked first.
TEST(KerasConfig, ConvAndPoolingWindowsOutOfRangeAreErrors) {
  const char* cases[][3] = {
      {"Conv2D", "strides", "[0, 1]"},
      {"Conv2D", "kernel_size", "[3, -2]"},
      {"Conv2D", "dilation_rate", "[1, 40000]"},
      {"MaxPooling2D", "strides", "[1, 0]"},
      {"AveragePooling2D", "pool_size", "[0, 2]"},
      {"Conv2DTranspose", "strides", "[0, 0]"},
  };
  for (const auto& [cls, key, value] : cases) {
    json model = json::parse(R"({
      "class_name": "Sequential",
      "config": {"name": "seq", "layers": [
        {"class_name": "InputLayer",
         "config": {"name": "x", "batch_shape": [null, 8, 8, 2]}},
        {"class_name": "", "config": {"name": "layer", "filters": 2,
                                      "kernel_size": [3, 3]}}]}})");
    json& layer = model["config"]["layers"][1];
    layer["class_name"] = cls;
    layer["config"][key] = json::parse(value);
    fuzz::InMemoryWeights w;
    w.layers["layer"] = {
        keras::WeightArray{{3, 3, 2, 2}, std::vector<float>(36)},
        keras::WeightArray{{2}, {0, 0}}};
    fb::ModelT out;
    Diagnostics diag;
    EXPECT_FALSE(keras::ConvertKerasConfig(model, w, "mem", {}, &out, &diag))
        << cls << " " << key;
    ASSERT_FALSE(diag.errors.empty());
    EXPECT_NE(diag.errors[0].find(std::string(key) + " must be in [1, 32768]"),
              std::string::npos)
        << diag.errors[0];
  }
}

// Weight sizes expected from hostile config values (units near 2^31,
// negative filters) are -1, never a wrapped product that could match.
TEST(KerasConfig, ExpectedWeightCountsDoNotOverflow) {
  EXPECT_EQ(keras::ExpectedCount({3, 3, 2, 4}), 72);
  EXPECT_EQ(keras::ExpectedCount({}), 1);
  EXPECT_EQ(keras::ExpectedCount({3, -2}), -1);
  EXPECT_EQ(keras::ExpectedCount({1 << 20, 4, 1 << 20}), int64_t{1} << 42);
  EXPECT_EQ(keras::ExpectedCount({INT32_MAX, 4, INT32_MAX}), -1);
  EXPECT_EQ(keras::ExpectedCount({INT32_MAX, INT32_MAX, 4, INT32_MAX}), -1);
  EXPECT_EQ(keras::ExpectedCount({32768, 32768, INT32_MAX, INT32_MAX}), -1);
}

// The fuzz input format round-trips: what the seed writer encodes, the
// target decodes, shapes and stored values intact, the rest the pattern.
TEST(KerasConfig, FuzzInputFormatRoundTrips) {
  fuzz::KerasConfigInput in;
  in.config = DenseModel().dump();
  in.weights = DenseWeights();
  in.weights.layers["outer/inner"] = {keras::WeightArray{{4}, {9, 8, 7, 6}}};
  const std::string bytes = fuzz::EncodeKerasConfigInput(in, /*budget=*/8);
  fuzz::KerasConfigInput out;
  fuzz::DecodeKerasConfigInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                               bytes.size(), &out);
  EXPECT_EQ(out.config, in.config);
  ASSERT_EQ(out.weights.layers.size(), 2u);
  EXPECT_EQ(out.weights.layers["dense"][0].shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(out.weights.layers["dense"][0].data,
            in.weights.layers["dense"][0].data);
  EXPECT_EQ(out.weights.layers["dense"][1].data,
            in.weights.layers["dense"][1].data);
  // Budget spent (6 + 2): the nested layer's values are the pattern.
  const auto& inner = out.weights.layers["outer/inner"][0];
  ASSERT_EQ(inner.data.size(), 4u);
  EXPECT_NE(inner.data[0], 9.0f);
}

// Every input the keras_config fuzzer once failed on converts to a model
// the runtime accepts, or is refused with a reason.
TEST(KerasConfig, FuzzRegressionsAreRefusedOrConvertCleanly) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::path(EMBER_SOURCE_DIR) / "tests/fuzz/regressions/keras_config";
  // The reproducers are committed: a missing folder is a broken checkout.
  ASSERT_TRUE(fs::is_directory(dir)) << dir << " is missing";
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::ifstream file(entry.path(), std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(file)), {});
    fuzz::KerasConfigInput in;
    fuzz::DecodeKerasConfigInput(reinterpret_cast<const uint8_t*>(data.data()),
                                 data.size(), &in);
    const json config = json::parse(in.config, nullptr, false);
    if (config.is_discarded() || !config.is_object()) continue;
    fb::ModelT model;
    Diagnostics diag;
    if (keras::ConvertKerasConfig(config, in.weights, "regression", {}, &model,
                                  &diag)) {
      const std::vector<uint8_t> bytes = SerializeTflite(model);
      ErrorReporter errors;
      std::unique_ptr<Model> loaded;
      EXPECT_TRUE(
          Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &loaded)
              .ok())
          << entry.path() << ": " << errors.message();
    } else {
      EXPECT_FALSE(diag.errors.empty()) << entry.path();
    }
  }
}

}  // namespace
}  // namespace ember::convert
