// `ember task pose` on the tiny pose models of tiny_pose_models.h: JSON,
// the annotated picture, and exit codes (1 for a wrong model, with no
// output file left behind; 2 for a usage error).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "processing/image.h"
#include "tasks/tiny_pose_models.h"

namespace ember::tasks {
namespace {

namespace fs = std::filesystem;

class PoseCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ember_pose_cli_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string P(const std::string& name) { return (dir_ / name).string(); }
  void Write(const std::string& name, const std::vector<uint8_t>& bytes) {
    std::ofstream(P(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
  // Exit code; stdout in *out, stdout + stderr in *all.
  int Ember(const std::string& args, std::string* out, std::string* all) {
    const std::string err = P("stderr.txt");
    FILE* pipe = popen(
        (std::string(EMBER_CLI_PATH) + " " + args + " 2>" + err).c_str(), "r");
    if (pipe == nullptr) return -1;
    std::array<char, 4096> chunk;
    size_t n;
    out->clear();
    while ((n = fread(chunk.data(), 1, chunk.size(), pipe)) > 0)
      out->append(chunk.data(), n);
    const int status = pclose(pipe);
    std::ifstream e(err);
    *all = *out + std::string(std::istreambuf_iterator<char>(e),
                              std::istreambuf_iterator<char>());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  fs::path dir_;
};

TEST_F(PoseCli, PrintsJsonAndDrawsTheSkeleton) {
  Write("detector.tflite", testing::TinyPoseDetectorModel());
  Write("pose.tflite", testing::TinyPoseLandmarkModel());
  processing::Image im(224, 224, 3);
  for (size_t i = 0; i < im.pixels.size(); i += 3) im.pixels[i] = 204;
  std::vector<uint8_t> png;
  std::string error, out, all;
  ASSERT_TRUE(processing::EncodePng(im, &png, &error)) << error;
  Write("red224.png", png);
  const std::string models = " --model " + P("pose.tflite") + " --detector " +
                             P("detector.tflite") + " ";
  ASSERT_EQ(Ember("task pose" + models + P("red224.png") +
                      " --json --segmentation -o " + P("pose.png"),
                  &out, &all),
            0)
      << all;
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["task"], "pose");
  ASSERT_EQ(j["poses"].size(), 1u);
  const auto& pose = j["poses"][0];
  EXPECT_EQ(pose["landmarks"].size(), 33u);
  EXPECT_EQ(pose["world_landmarks"].size(), 33u);
  EXPECT_NEAR(pose["presence"].get<double>(), 0.8, 1e-4);
  EXPECT_EQ(pose["detection"]["keypoints"].size(), 4u);
  EXPECT_NEAR(pose["landmarks"][3]["presence"].get<double>(),
              1 / (1 + std::exp(1.0)), 1e-5);
  EXPECT_TRUE(fs::exists(P("pose.png")));
  // Without the detector: the whole picture, no "detection".
  ASSERT_EQ(Ember("task pose --model " + P("pose.tflite") + " " +
                      P("red224.png") + " --json",
                  &out, &all),
            0)
      << all;
  const auto whole = nlohmann::json::parse(out);
  ASSERT_EQ(whole["poses"].size(), 1u);
  EXPECT_FALSE(whole["poses"][0].contains("detection"));
  EXPECT_NEAR(whole["poses"][0]["roi"]["width"].get<double>(), 224, 1e-3);
  // The detector given as the landmark model: exit 1, no picture written.
  EXPECT_EQ(Ember("task pose --model " + P("detector.tflite") + " " +
                      P("red224.png") + " -o " + P("bad.png"),
                  &out, &all),
            1);
  EXPECT_NE(all.find("not a pose landmark model"), std::string::npos) << all;
  EXPECT_FALSE(fs::exists(P("bad.png")));
  EXPECT_EQ(Ember("task pose " + P("red224.png"), &out, &all), 2);  // --model
}

}  // namespace
}  // namespace ember::tasks
