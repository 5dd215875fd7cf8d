// A model made of MediaPipe's geometric custom ops (Landmarks2TransformMatrix
// -> TransformTensorBilinear, TransformLandmarks; the attention face mesh's
// pattern), written with Ember's model builder, loads and runs through
// `ember run` (EMBER_CLI_PATH): the files it writes equal the interpreter's
// outputs, and the crop of a whole-image box is the image itself. A bad
// option fails with exit code 1 and the field's name. The ops' numerics are
// checked in src/ops/mediapipe_transforms_test.cc.
//
// signal_options.h first: it configures flexbuffers.h.
#include "ops/signal_options.h"
// (keep the order)
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "io/npy.h"
#include "util/model_builder.h"
#include "util/oracle.h"
#include "util/rng.h"

#ifndef EMBER_CLI_PATH
#error "EMBER_CLI_PATH must name the built ember binary"
#endif

namespace ember {
namespace {

namespace fs = std::filesystem;
using testing::kF32;
using testing::ModelBuilder;

std::vector<uint8_t> Options(
    const std::function<void(flexbuffers::Builder&)>& fill) {
  flexbuffers::Builder fbb;
  const size_t map = fbb.StartMap();
  fill(fbb);
  fbb.EndMap(map);
  fbb.Finish();
  return fbb.GetBuffer();
}

int AddOp(ModelBuilder& b, const std::string& name, std::vector<int32_t> ins,
          std::vector<int32_t> outs, std::vector<uint8_t> options,
          int version) {
  const int op =
      b.AddCustomOp(name, std::move(ins), std::move(outs), std::move(options));
  b.model().operator_codes[b.op(op).opcode_index]->version = version;
  return op;
}

// `output_width` set to `crop_w`; 0 leaves the field out.
std::vector<uint8_t> ChainModel(int crop_w) {
  ModelBuilder b;
  const int lm = b.AddTensor(kF32, {1, 4, 3}, "landmarks");
  const int image = b.AddTensor(kF32, {1, 16, 16, 3}, "image");
  const int crop_lm = b.AddTensor(kF32, {1, 5, 3}, "crop_landmarks");
  const int m = b.AddTensor(kF32, {1, 4, 4}, "matrix");
  const int crop = b.AddTensor(kF32, {1, 16, 16, 3}, "crop");
  const int back = b.AddTensor(kF32, {1, 5, 3}, "landmarks_back");
  AddOp(b, "Landmarks2TransformMatrix", {lm}, {m},
        Options([&](flexbuffers::Builder& f) {
          const size_t v = f.StartVector("subset_idxs");
          for (int i = 0; i < 4; ++i) f.Int(i);
          f.EndVector(v, true, false);
          f.Int("left_rotation_idx", 0);
          f.Int("right_rotation_idx", 1);
          f.Float("target_rotation_radians", 0.0f);
          f.Int("output_height", 16);
          if (crop_w > 0) f.Int("output_width", crop_w);
          f.Float("scale_x", 1.0f);
          f.Float("scale_y", 1.0f);
        }),
        2);
  AddOp(b, "TransformTensorBilinear", {image, m}, {crop},
        Options([](flexbuffers::Builder& f) {
          f.Int("output_height", 16);
          f.Int("output_width", 16);
        }),
        2);
  AddOp(b, "TransformLandmarks", {crop_lm, m}, {back}, {}, 2);
  b.SetInputs({lm, image, crop_lm});
  b.SetOutputs({m, crop, back});
  return b.Build();
}

class MediaPipeOpsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ember_mediapipe_ops_cli_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const {
    return (dir_ / name).string();
  }
  std::string Write(const std::string& name, const std::vector<uint8_t>& b) {
    std::ofstream(Path(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), b.size());
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
  // Runs `ember ARGS`; returns the exit code (-1 for a crash), stderr in
  // *err.
  int Cli(const std::string& args, std::string* err) {
    const std::string cmd = std::string("'") + EMBER_CLI_PATH + "' " + args +
                            " >'" + Path("out.txt") + "' 2>'" +
                            Path("err.txt") + "'";
    const int status = std::system(cmd.c_str());
    std::ifstream in(Path("err.txt"));
    *err = std::string(std::istreambuf_iterator<char>(in), {});
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  fs::path dir_;
};

TEST_F(MediaPipeOpsCli, ChainRunsThroughEmberRun) {
  const auto model = ChainModel(16);
  // The corners of the image's pixel area: the box is the whole image.
  const NpyArray lm = testing::MakeArray<float>(
      DataType::kFloat32, {1, 4, 3}, {0, 0, 0, 16, 0, 0, 0, 16, 0, 16, 16, 0});
  const NpyArray image =
      testing::RandomArray(DataType::kFloat32, {1, 16, 16, 3}, 5);
  const NpyArray crop_lm =
      testing::RandomArray(DataType::kFloat32, {1, 5, 3}, 6);
  std::string err;
  ASSERT_EQ(
      Cli("run '" + Write("chain.tflite", model) + "' -i landmarks='" +
              WriteArray("lm.npy", lm) + "' -i image='" +
              WriteArray("image.npy", image) + "' -i crop_landmarks='" +
              WriteArray("crop_lm.npy", crop_lm) + "' -o '" + Path("out") + "'",
          &err),
      0)
      << err;
  const auto want = testing::RunEmber(model, {lm, image, crop_lm});
  ASSERT_TRUE(want.ok) << want.error;
  const NpyArray crop = ReadArray(Path("out/crop.npy"));
  EXPECT_EQ(ReadArray(Path("out/matrix.npy")).data, want.outputs[0].data);
  EXPECT_EQ(crop.data, want.outputs[1].data);
  EXPECT_EQ(ReadArray(Path("out/landmarks_back.npy")).data,
            want.outputs[2].data);
  // The matrix is the identity, so the crop is the image.
  ASSERT_EQ(crop.shape, (std::vector<int64_t>{1, 16, 16, 3}));
  const auto* c = reinterpret_cast<const float*>(crop.data.data());
  const auto* x = reinterpret_cast<const float*>(image.data.data());
  for (int k = 0; k < 16 * 16 * 3; ++k) ASSERT_NEAR(c[k], x[k], 1e-5) << k;
}

TEST_F(MediaPipeOpsCli, MissingFieldFailsNamingIt) {
  std::string err;
  EXPECT_EQ(
      Cli("run --random-inputs 1 '" + Write("bad.tflite", ChainModel(0)) + "'",
          &err),
      1);
  EXPECT_NE(err.find("Landmarks2TransformMatrix"), std::string::npos) << err;
  EXPECT_NE(err.find("'output_width' missing"), std::string::npos) << err;
}

}  // namespace
}  // namespace ember
