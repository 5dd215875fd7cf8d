// `ember task ...` end to end on models built here (the tiny SSD detector
// of tiny_detector.h among them): JSON results, the annotated PNG, exit
// codes (0 ok, 1 bad file or model, 2 usage) and no output file left
// behind by a failure.
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
#include "tasks/object_detector.h"
#include "tasks/tiny_detector.h"
#include "tasks/tiny_face_models.h"
#include "tasks/tiny_hand_models.h"
#include "util/model_builder.h"

namespace ember::tasks {
namespace {

namespace fs = std::filesystem;
namespace tfl = ember::fb;

struct CommandResult {
  int code = -1;
  std::string output;  // stdout and stderr
  std::string out;     // stdout only
};

CommandResult Ember(const std::string& args) {
  CommandResult r;
  const std::string err_file =
      (fs::temp_directory_path() /
       ("ember_task_cli_err_" + std::to_string(getpid())))
          .string();
  FILE* pipe = popen(
      (std::string(EMBER_CLI_PATH) + " " + args + " 2>" + err_file).c_str(),
      "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> chunk;
  size_t n;
  while ((n = fread(chunk.data(), 1, chunk.size(), pipe)) > 0)
    r.out.append(chunk.data(), n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_file);
  r.output = r.out + std::string(std::istreambuf_iterator<char>(err),
                                 std::istreambuf_iterator<char>());
  fs::remove(err_file);
  return r;
}

// [1,8,8,3] float -> `op` -> output; MEAN gives [1,3] scores, LOGISTIC a
// [1,8,8,3] per-pixel "mask".
std::vector<uint8_t> Model(bool segmenter) {
  testing::ModelBuilder b;
  const int in = b.AddTensor(testing::kF32, {1, 8, 8, 3}, "image");
  if (segmenter) {
    const int out = b.AddTensor(testing::kF32, {1, 8, 8, 3}, "mask");
    b.AddOp(tfl::BuiltinOperator::LOGISTIC, {in}, {out});
    b.SetOutputs({out});
  } else {
    const int axes =
        b.AddConstant(testing::kI32, {2}, std::vector<int32_t>{1, 2}, "axes");
    const int out = b.AddTensor(testing::kF32, {1, 3}, "scores");
    tfl::ReducerOptionsT reducer;
    tfl::BuiltinOptionsUnion options;
    options.Set(reducer);
    b.AddOp(tfl::BuiltinOperator::MEAN, {in, axes}, {out}, options);
    b.SetOutputs({out});
  }
  b.SetInputs({in});
  return b.Build();
}

class TaskCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ember_task_cli_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    Write("classifier.tflite", Model(false));
    Write("segmenter.tflite", Model(true));
    Write("detector.tflite", testing::TinyDetectorModel());
    processing::Image im(20, 10, 3);
    for (size_t i = 0; i < im.pixels.size(); i += 3) im.pixels[i + 2] = 255;
    std::vector<uint8_t> png;
    std::string error;
    ASSERT_TRUE(processing::EncodePng(im, &png, &error)) << error;
    Write("blue.png", png);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::vector<uint8_t>& bytes) {
    std::ofstream f(dir_ / name, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  }
  std::string P(const std::string& name) { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(TaskCli, ClassifyPrintsJson) {
  const CommandResult r =
      Ember("task classify --model " + P("classifier.tflite") + " " +
            P("blue.png") + " --labels red,green,blue --max-results 2 --json");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.out);
  const auto& cats = j["classifications"][0]["categories"];
  ASSERT_EQ(cats.size(), 2u);
  EXPECT_EQ(cats[0]["category_name"], "blue");
  EXPECT_NEAR(cats[0]["score"].get<double>(), 1.0, 1e-6);
}

TEST_F(TaskCli, SegmentWritesTheOverlayAndMask) {
  const CommandResult r = Ember(
      "task segment --model " + P("segmenter.tflite") + " " + P("blue.png") +
      " -o " + P("overlay.png") + " --mask " + P("mask.png") + " --json");
  ASSERT_EQ(r.code, 0) << r.output;
  processing::Image overlay, mask;
  std::string error;
  ASSERT_TRUE(processing::ReadImageFile(P("overlay.png"), &overlay, &error))
      << error;
  EXPECT_EQ(overlay.width, 20);
  EXPECT_EQ(overlay.height, 10);
  ASSERT_TRUE(processing::ReadImageFile(P("mask.png"), &mask, &error)) << error;
  // The last class (blue): segmenters take [0, 1] inputs without
  // metadata, so its mask is sigmoid(1.0) = 0.731 -> 186.
  EXPECT_NEAR(mask.pixels[0], 186, 1);
}

TEST_F(TaskCli, EmbedPrintsVectorsAndSimilarity) {
  // The classifier model's channel means are a 3-value embedding: a blue
  // picture in [-1, 1] is (-1, -1, 1), L2-normalized and quantized
  // round(128 / sqrt(3)) = 74.
  CommandResult r = Ember("task embed --model " + P("classifier.tflite") + " " +
                          P("blue.png") + " --compare " + P("blue.png") +
                          " --l2-normalize --quantize --json");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.out);
  const auto& e = j["embeddings"][0];
  EXPECT_EQ(e["head_name"], "scores");
  EXPECT_TRUE(e["quantized"].get<bool>());
  EXPECT_EQ(e["embedding"], nlohmann::json::parse("[-74, -74, 74]"));
  EXPECT_NEAR(j["cosine_similarity"][0].get<double>(), 1.0, 1e-9);
  // A segmentation model has no feature vector to give.
  r = Ember("task embed --model " + P("segmenter.tflite") + " " +
            P("blue.png"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("not one feature vector"), std::string::npos)
      << r.output;
}

// int32 [1,4] word ids -> GATHER of a [5,2] table -> MEAN: "good" (id 3)
// scores class 0, "bad" (id 4) class 1.
std::vector<uint8_t> TextModel() {
  testing::ModelBuilder b;
  const int ids = b.AddTensor(testing::kI32, {1, 4}, "ids");
  const int table =
      b.AddConstant(testing::kF32, {5, 2},
                    std::vector<float>{0, 0, 0, 0, 0, 0, 4, 0, 0, 4}, "words");
  const int rows = b.AddTensor(testing::kF32, {1, 4, 2}, "rows");
  b.AddOp(tfl::BuiltinOperator::GATHER, {table, ids}, {rows});
  const int axis =
      b.AddConstant(testing::kI32, {1}, std::vector<int32_t>{1}, "axis");
  const int scores = b.AddTensor(testing::kF32, {1, 2}, "scores");
  tfl::ReducerOptionsT reducer;
  tfl::BuiltinOptionsUnion options;
  options.Set(reducer);
  b.AddOp(tfl::BuiltinOperator::MEAN, {rows, axis}, {scores}, options);
  b.SetInputs({ids});
  b.SetOutputs({scores});
  return b.Build();
}

TEST_F(TaskCli, TextClassifierFromMetadataWrittenByTheCli) {
  Write("text.tflite", TextModel());
  const std::string vocab = "<PAD> 0\n<START> 1\n<UNKNOWN> 2\ngood 3\nbad 4\n";
  const std::string labels = "positive\nnegative\n";
  Write("vocab.txt", std::vector<uint8_t>(vocab.begin(), vocab.end()));
  Write("labels.txt", std::vector<uint8_t>(labels.begin(), labels.end()));
  // --vocab belongs to text_classifier; without it nothing is written.
  CommandResult r =
      Ember("metadata " + P("text.tflite") + " -o " + P("text_md.tflite") +
            " --task text_classifier --labels " + P("labels.txt"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_FALSE(fs::exists(P("text_md.tflite")));
  r = Ember("metadata " + P("text.tflite") + " -o " + P("text_md.tflite") +
            " --task text_classifier --labels " + P("labels.txt") +
            " --vocab " + P("vocab.txt"));
  ASSERT_EQ(r.code, 0) << r.output;
  r = Ember("task text --model " + P("text_md.tflite") +
            " \"Not bad at all\" --json");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.out);
  // <START> not bad at -> 1 2 4 2: bad's 4 over 4 words.
  EXPECT_EQ(j["token_ids"], nlohmann::json::parse("[1, 2, 4, 2]"));
  const auto& cats = j["classifications"][0]["categories"];
  EXPECT_EQ(cats[0]["category_name"], "negative");
  EXPECT_NEAR(cats[0]["score"].get<double>(), 1.0, 1e-6);
  // The bare model: a clear error naming the fix.
  r = Ember("task text --model " + P("text.tflite") + " hello");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("--task text_classifier"), std::string::npos)
      << r.output;
  // The same model as an embedder: (0, 4) / 4 and (4, 0) / 4 are orthogonal.
  r = Ember("metadata " + P("text.tflite") + " -o " + P("embed_md.tflite") +
            " --task text_embedder --vocab " + P("vocab.txt"));
  ASSERT_EQ(r.code, 0) << r.output;
  r = Ember("task text-embed --model " + P("embed_md.tflite") +
            " \"bad\" --compare \"good\" --json");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto e = nlohmann::json::parse(r.out);
  EXPECT_EQ(e["embeddings"][0]["embedding"],
            nlohmann::json::parse("[0.0, 1.0]"));
  EXPECT_NEAR(e["cosine_similarity"][0].get<double>(), 0.0, 1e-9);
}

// A 16-bit mono WAV of `samples` at `rate`.
std::vector<uint8_t> Wav(const std::vector<int16_t>& samples, uint32_t rate) {
  std::vector<uint8_t> w;
  auto put = [&w](uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) w.push_back((v >> (8 * i)) & 0xFF);
  };
  const uint32_t data = static_cast<uint32_t>(samples.size() * 2);
  w.insert(w.end(), {'R', 'I', 'F', 'F'});
  put(36 + data, 4);
  w.insert(w.end(), {'W', 'A', 'V', 'E', 'f', 'm', 't', ' '});
  put(16, 4);
  put(1, 2);  // PCM
  put(1, 2);  // mono
  put(rate, 4);
  put(rate * 2, 4);
  put(2, 2);
  put(16, 2);
  w.insert(w.end(), {'d', 'a', 't', 'a'});
  put(data, 4);
  for (int16_t s : samples) put(static_cast<uint16_t>(s), 2);
  return w;
}

TEST_F(TaskCli, AudioClassifiesChunksOfTheClip) {
  // [1,4] samples -> RELU: the scores are the samples themselves.
  testing::ModelBuilder b;
  const int in = b.AddTensor(testing::kF32, {1, 4}, "samples");
  const int out = b.AddTensor(testing::kF32, {1, 4}, "scores");
  b.AddOp(tfl::BuiltinOperator::RELU, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  Write("wave.tflite", b.Build());
  const std::string labels = "a\nb\nc\nd\n";
  Write("labels.txt", std::vector<uint8_t>(labels.begin(), labels.end()));
  CommandResult r =
      Ember("metadata " + P("wave.tflite") + " -o " + P("wave_md.tflite") +
            " --task audio_classifier --sample-rate 1000 "
            "--labels " +
            P("labels.txt"));
  ASSERT_EQ(r.code, 0) << r.output;
  // 6 samples at 1 kHz: chunks at 0 and 4 ms, the second padded.
  Write("clip.wav", Wav({0, 16384, 0, 0, 0, 0x2000}, 1000));
  r = Ember("task audio --model " + P("wave_md.tflite") + " " + P("clip.wav") +
            " --max-results 1 --json");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["windows"].size(), 2u);
  EXPECT_EQ(j["windows"][1]["timestamp_ms"], 4);
  EXPECT_EQ(j["windows"][0]["categories"][0]["category_name"], "b");
  EXPECT_NEAR(j["windows"][0]["categories"][0]["score"].get<double>(), 0.5,
              1e-6);
  EXPECT_EQ(j["windows"][1]["categories"][0]["category_name"], "b");
  EXPECT_NEAR(j["windows"][1]["categories"][0]["score"].get<double>(), 0.25,
              1e-6);
  // No rate in the metadata: a clear error naming the fix.
  r = Ember("task audio --model " + P("wave.tflite") + " " + P("clip.wav"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("--sample-rate"), std::string::npos) << r.output;
}

// `ember task detect` on the tiny SSD model (tiny_detector.h): a red block
// over the cell at row 1, column 2 of its 4x4 grid is one "red" object,
// whose box is that anchor's decoded box in pixels; -o draws it in class 0's
// colour (green).
TEST_F(TaskCli, DetectPrintsJsonAndDrawsTheBox) {
  processing::Image im(80, 40, 3);
  for (int y = 10; y < 20; ++y)
    for (int x = 40; x < 60; ++x) im.at(x, y)[0] = 255;
  std::vector<uint8_t> png;
  std::string error;
  ASSERT_TRUE(processing::EncodePng(im, &png, &error)) << error;
  Write("red.png", png);
  const CommandResult r =
      Ember("task detect --model " + P("detector.tflite") + " " + P("red.png") +
            " --labels red,blue --json -o " + P("boxes.png"));
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["detections"].size(), 1u) << r.out;
  const auto& det = j["detections"][0];
  EXPECT_EQ(det["categories"][0]["category_name"], "red");
  EXPECT_NEAR(det["categories"][0]["score"].get<double>(), 1.0, 1e-6);
  // The box the C++ API reports for the same picture and model (that one
  // is checked against the op's outputs in object_detector_test.cc).
  ObjectDetectorOptions o;
  o.base_options.model_asset_path = P("detector.tflite");
  o.labels = {"red", "blue"};
  std::unique_ptr<ObjectDetector> detector;
  ASSERT_TRUE(ObjectDetector::CreateFromOptions(o, &detector, &error)) << error;
  DetectionResult api;
  ASSERT_TRUE(detector->Detect(im, &api, &error)) << error;
  ASSERT_EQ(api.detections.size(), 1u);
  const BoundingBox& want = api.detections[0].bounding_box;
  const int x0 = want.origin_x, y0 = want.origin_y, h = want.height;
  EXPECT_EQ(det["bounding_box"]["origin_x"], x0);
  EXPECT_EQ(det["bounding_box"]["origin_y"], y0);
  EXPECT_EQ(det["bounding_box"]["width"], want.width);
  EXPECT_EQ(det["bounding_box"]["height"], h);
  // About the decoded anchor of the red cell, in pixels.
  const std::vector<float> b = testing::TinyDetectorBox(1, 2);
  EXPECT_NEAR(x0, b[1] * 80, 1.0);
  EXPECT_NEAR(y0, b[0] * 40, 1.0);
  processing::Image drawn;
  ASSERT_TRUE(processing::ReadImageFile(P("boxes.png"), &drawn, &error))
      << error;
  const uint8_t* edge = drawn.at(x0, y0 + h / 2);  // the box's left side
  EXPECT_EQ(edge[0], 0);
  EXPECT_EQ(edge[1], 255);
  EXPECT_EQ(edge[2], 0);
  EXPECT_EQ(drawn.at(5, 35)[1], 0);  // far from the box: untouched
  // The label's tag sits on the box's top edge, in the same colour, with
  // black text in it (somewhere in its first glyph, "R").
  const uint8_t* tag = drawn.at(x0, y0 - 1);
  EXPECT_EQ(tag[0], 0);
  EXPECT_EQ(tag[1], 255);
  int text_pixels = 0;
  for (int y = y0 - 6; y < y0 - 1; ++y)
    for (int x = x0 + 1; x < x0 + 4; ++x) text_pixels += drawn.at(x, y)[1] == 0;
  EXPECT_EQ(text_pixels, 10);  // R: 110 101 110 101 101
  // Threshold and max results filter; a plain-text run succeeds too.
  const CommandResult none =
      Ember("task detect --model " + P("detector.tflite") + " " + P("red.png") +
            " --score-threshold 1.5 --json");
  ASSERT_EQ(none.code, 0) << none.output;
  EXPECT_TRUE(nlohmann::json::parse(none.out)["detections"].empty());
  EXPECT_EQ(Ember("task detect --model " + P("detector.tflite") + " " +
                  P("red.png") + " --max-results 1")
                .code,
            0);
}

TEST_F(TaskCli, DetectErrors) {
  // A missing picture, and a model without the detection outputs: exit 1,
  // a message naming what is wrong, no output file.
  CommandResult r = Ember("task detect --model " + P("detector.tflite") + " " +
                          P("missing.png") + " -o " + P("out.png"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("missing.png"), std::string::npos) << r.output;
  r = Ember("task detect --model " + P("classifier.tflite") + " " +
            P("blue.png") + " -o " + P("out.png"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("TFLite_Detection_PostProcess"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("it has 1 output"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(P("out.png")));
  EXPECT_EQ(Ember("task detect " + P("blue.png")).code, 2);  // no --model
  EXPECT_EQ(Ember("task detect --model " + P("detector.tflite") + " " +
                  P("blue.png") + " --max-results 0")
                .code,
            2);
  EXPECT_EQ(Ember("task detect --help").code, 0);
}

TEST_F(TaskCli, ErrorsExitNonZeroAndLeaveNoFile) {
  CommandResult r = Ember("task classify --model " + P("classifier.tflite") +
                          " " + P("missing.png"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("missing.png"), std::string::npos) << r.output;
  Write("broken.jpg", {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J'});
  r = Ember("task segment --model " + P("segmenter.tflite") + " " +
            P("broken.jpg") + " -o " + P("out.png"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("damaged JPEG"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(P("out.png")));
  r = Ember("task faces --model " + P("classifier.tflite") + " " +
            P("blue.png"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("BlazeFace"), std::string::npos) << r.output;
  r = Ember("task segment --model " + P("segmenter.tflite") + " " +
            P("blue.png") + " -o " + P("no/such/dir/out.png"));
  EXPECT_EQ(r.code, 1);
  EXPECT_FALSE(fs::exists(P("no")));
  EXPECT_EQ(Ember("task").code, 2);
  EXPECT_EQ(Ember("task classify " + P("blue.png")).code, 2);  // no --model
  EXPECT_EQ(Ember("task classify --help").code, 0);
}

// face-landmarks on the tiny face models of tiny_face_models.h: the four
// landmarks (JSON), the annotated picture, and clear errors.
TEST_F(TaskCli, FaceLandmarksPrintsJsonAndDrawsTheMesh) {
  Write("face_detector.tflite", testing::TinyFaceDetectorModel());
  Write("face_landmark.tflite", testing::TinyFaceLandmarkModel());
  processing::Image im(128, 128, 3);
  for (size_t i = 0; i < im.pixels.size(); i += 3) im.pixels[i] = 220;
  std::vector<uint8_t> png;
  std::string error;
  ASSERT_TRUE(processing::EncodePng(im, &png, &error)) << error;
  Write("red.png", png);
  const std::string models = " --model " + P("face_landmark.tflite") +
                             " --detector " + P("face_detector.tflite") + " ";
  CommandResult r = Ember("task face-landmarks" + models + P("red.png") +
                          " --json -o " + P("mesh.png"));
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["faces"].size(), 1u);
  const auto& points = j["faces"][0]["landmarks"];
  ASSERT_EQ(points.size(), 4u);
  // Landmark 3 is the centre of the face's region: the anchor's centre.
  EXPECT_NEAR(points[3]["x"].get<double>(), testing::kTinyFaceAnchorCenter,
              1e-4);
  EXPECT_NEAR(points[3]["y"].get<double>(), testing::kTinyFaceAnchorCenter,
              1e-4);
  processing::Image drawn;
  ASSERT_TRUE(processing::ReadImageFile(P("mesh.png"), &drawn, &error))
      << error;
  EXPECT_EQ(drawn.width, 128);
  // A landmark dot (green) where landmark 3 is.
  EXPECT_EQ(drawn.at(68, 68)[1], 255);
  // The detector given as the landmark model: an error naming it, no file.
  r = Ember("task face-landmarks --model " + P("face_detector.tflite") +
            " --detector " + P("face_detector.tflite") + " " + P("red.png") +
            " -o " + P("bad.png"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("not a face landmark model"), std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(P("bad.png")));
  r = Ember("task face-landmarks" + models + P("missing.png"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("missing.png"), std::string::npos) << r.output;
  EXPECT_EQ(Ember("task face-landmarks --model " + P("face_landmark.tflite") +
                  " " + P("red.png"))
                .code,
            2);  // no --detector
}

// hands on the tiny palm/hand models of tiny_hand_models.h.
TEST_F(TaskCli, HandsPrintsJsonAndDrawsTheSkeleton) {
  Write("palm.tflite", testing::TinyPalmDetectorModel());
  Write("hand.tflite", testing::TinyHandLandmarkModel());
  processing::Image im(192, 192, 3);
  for (size_t i = 0; i < im.pixels.size(); i += 3) im.pixels[i] = 204;
  std::vector<uint8_t> png;
  std::string error;
  ASSERT_TRUE(processing::EncodePng(im, &png, &error)) << error;
  Write("red192.png", png);
  const std::string models =
      " --model " + P("hand.tflite") + " --detector " + P("palm.tflite") + " ";
  CommandResult r = Ember("task hands" + models + P("red192.png") +
                          " --json -o " + P("hand.png"));
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["hands"].size(), 1u);
  const auto& hand = j["hands"][0];
  EXPECT_EQ(hand["landmarks"].size(), 21u);
  EXPECT_EQ(hand["world_landmarks"].size(), 21u);
  EXPECT_EQ(hand["handedness"]["category_name"], "Left");
  EXPECT_NEAR(hand["presence"].get<double>(), 0.8, 1e-4);
  EXPECT_TRUE(fs::exists(P("hand.png")));
  r = Ember("task hands --model " + P("palm.tflite") + " --detector " +
            P("palm.tflite") + " " + P("red192.png") + " -o " + P("bad.png"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("not a hand landmark model"), std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(P("bad.png")));
  EXPECT_EQ(
      Ember("task hands --model " + P("hand.tflite") + " " + P("red192.png"))
          .code,
      2);  // no --detector
}

}  // namespace
}  // namespace ember::tasks
