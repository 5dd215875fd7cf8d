// The task library's default suite (needs nothing but the repo): image and
// audio processing against hand-computed values, MediaPipe's SSD anchor
// layout and weighted NMS on constructed cases, and ImageClassifier on a
// model built here, with and without TFLite Metadata (labels and
// normalization read back from the model).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "metadata/model_metadata.h"
#include "metadata/task_metadata.h"
#include "processing/audio.h"
#include "processing/draw.h"
#include "processing/image.h"
#include "processing/transform.h"
#include "tasks/image_classifier.h"
#include "tasks/ssd_anchors.h"
#include "util/model_builder.h"

namespace ember::tasks {
namespace {

namespace fs = std::filesystem;
namespace tfl = ember::fb;
using processing::Image;

Image Solid(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  Image im(w, h, 3);
  for (int i = 0; i < w * h; ++i) {
    im.pixels[3 * i] = r;
    im.pixels[3 * i + 1] = g;
    im.pixels[3 * i + 2] = b;
  }
  return im;
}

std::string TempPath(const std::string& name) {
  return (fs::temp_directory_path() /
          ("ember_task_test_" + std::to_string(getpid()) + "_" + name))
      .string();
}

void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()),
          static_cast<std::streamsize>(bytes.size()));
}

TEST(Processing, PngRoundTripKeepsEveryPixel) {
  for (int channels : {1, 3, 4}) {
    Image im(5, 3, channels);
    for (size_t i = 0; i < im.pixels.size(); ++i)
      im.pixels[i] = static_cast<uint8_t>(i * 37);
    std::vector<uint8_t> png;
    std::string error;
    ASSERT_TRUE(processing::EncodePng(im, &png, &error)) << error;
    Image back;
    ASSERT_TRUE(processing::DecodeImage(png, &back, &error)) << error;
    EXPECT_EQ(back.width, 5);
    EXPECT_EQ(back.height, 3);
    // Gray stays gray, colour becomes RGB (alpha is dropped).
    EXPECT_EQ(back.channels, channels == 1 ? 1 : 3);
    if (channels != 4) EXPECT_EQ(back.pixels, im.pixels);
  }
}

// A 3x2 24-bit bottom-up BMP: rows are stored last first, BGR, padded to
// four bytes.
TEST(Processing, Bmp24Decodes) {
  const int w = 3, h = 2, stride = 12;
  std::vector<uint8_t> b(54 + stride * h, 0);
  auto le32 = [&](size_t at, uint32_t v) {
    for (int k = 0; k < 4; ++k) b[at + k] = static_cast<uint8_t>(v >> (8 * k));
  };
  b[0] = 'B';
  b[1] = 'M';
  le32(2, static_cast<uint32_t>(b.size()));
  le32(10, 54);
  le32(14, 40);
  le32(18, w);
  le32(22, h);
  b[26] = 1;
  b[28] = 24;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &b[54 + (h - 1 - y) * stride + 3 * x];
      p[0] = static_cast<uint8_t>(10 * x);       // blue
      p[1] = static_cast<uint8_t>(100 + y);      // green
      p[2] = static_cast<uint8_t>(200 + x + y);  // red
    }
  Image im;
  std::string error;
  ASSERT_TRUE(processing::DecodeImage(b, &im, &error)) << error;
  ASSERT_EQ(im.channels, 3);
  EXPECT_EQ(im.at(2, 1)[0], 203);
  EXPECT_EQ(im.at(2, 1)[1], 101);
  EXPECT_EQ(im.at(2, 1)[2], 20);
  EXPECT_EQ(im.at(0, 0)[0], 200);
  // Truncated pixel data: an error naming it, not a read past the end.
  b.resize(60);
  EXPECT_FALSE(processing::DecodeImage(b, &im, &error));
  EXPECT_NE(error.find("past the end"), std::string::npos) << error;
}

TEST(Processing, BadImagesGetClearErrors) {
  Image im;
  std::string error;
  EXPECT_FALSE(
      processing::DecodeImage(std::vector<uint8_t>{1, 2, 3, 4}, &im, &error));
  EXPECT_NE(error.find("not a JPEG, PNG or BMP"), std::string::npos);
  const std::vector<uint8_t> jpeg_start = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16};
  EXPECT_FALSE(processing::DecodeImage(jpeg_start, &im, &error));
  EXPECT_NE(error.find("damaged JPEG"), std::string::npos) << error;
  std::vector<uint8_t> png_start = {0x89, 'P',  'N', 'G', '\r', '\n',
                                    0x1a, '\n', 0,   0,   0,    13};
  EXPECT_FALSE(processing::DecodeImage(png_start, &im, &error));
  EXPECT_NE(error.find("PNG"), std::string::npos) << error;
  EXPECT_FALSE(processing::ReadImageFile("/nonexistent/x.jpg", &im, &error));
  EXPECT_NE(error.find("/nonexistent/x.jpg"), std::string::npos);
}

TEST(Processing, BilinearUpscaleUsesHalfPixelCentres) {
  Image im(2, 1, 1);
  im.pixels = {0, 100};
  const Image out = processing::ResizeBilinear(im, 4, 1);
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{0, 25, 75, 100}));
  // Corner sampling (MediaPipe's warp): output x reads input x / 2.
  EXPECT_EQ(processing::ResizeBilinear(im, 4, 1, processing::Sampling::kCorner)
                .pixels,
            (std::vector<uint8_t>{0, 50, 100, 100}));
  // Downscale by two averages each pair.
  Image row(4, 1, 1);
  row.pixels = {0, 100, 200, 250};
  EXPECT_EQ(processing::ResizeBilinear(row, 2, 1).pixels,
            (std::vector<uint8_t>{50, 225}));
}

TEST(Processing, CropRotateChannelsLetterbox) {
  Image im(3, 2, 1);
  im.pixels = {1, 2, 3, 4, 5, 6};
  Image out;
  std::string error;
  ASSERT_TRUE(processing::Rotate(im, 90, &out, &error));
  EXPECT_EQ(out.width, 2);
  EXPECT_EQ(out.height, 3);
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{4, 1, 5, 2, 6, 3}));
  ASSERT_TRUE(processing::Rotate(im, 180, &out, &error));
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{6, 5, 4, 3, 2, 1}));
  EXPECT_FALSE(processing::Rotate(im, 45, &out, &error));
  ASSERT_TRUE(processing::Crop(im, 1, 0, 2, 2, &out, &error));
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{2, 3, 5, 6}));
  EXPECT_FALSE(processing::Crop(im, 2, 0, 2, 2, &out, &error));
  EXPECT_EQ(processing::ConvertChannels(Solid(1, 1, 255, 0, 0), 1).pixels[0],
            76);
  processing::LetterboxPlacement place;
  const Image boxed =
      processing::Letterbox(Solid(4, 2, 9, 9, 9), 4, 4, 0, &place);
  EXPECT_EQ(place.pad_y, 1);
  EXPECT_EQ(boxed.at(0, 0)[0], 0);
  EXPECT_EQ(boxed.at(0, 1)[0], 9);
  float x = 0.5f, y = 0.25f;  // top edge of the picture in the letterbox
  place.ToSource(&x, &y, 4, 2);
  EXPECT_FLOAT_EQ(x, 0.5f);
  EXPECT_FLOAT_EQ(y, 0.0f);
}

TEST(Processing, DrawTextAndClippedShapes) {
  Image im(20, 12, 3);
  processing::DrawText(&im, 1, 2, "a1", {255, 255, 255}, 2);
  // "A" is 010 101 111 101 101; each font pixel is 2x2 here.
  auto lit = [&](int x, int y) { return im.at(x, y)[0] == 255; };
  EXPECT_FALSE(lit(1, 2));
  EXPECT_TRUE(lit(3, 2));
  EXPECT_TRUE(lit(4, 3));
  EXPECT_TRUE(lit(1, 6));  // the middle bar
  EXPECT_TRUE(lit(5, 6));
  EXPECT_FALSE(lit(3, 10));  // the bottom row's gap
  // "1" starts 8 pixels further: 010 110 ...
  EXPECT_TRUE(lit(11, 2));
  EXPECT_FALSE(lit(9, 2));
  EXPECT_TRUE(lit(9, 4));
  EXPECT_EQ(processing::TextWidth("a1", 2), 14);
  // Unknown characters are a box; text past the right edge is clipped.
  Image small(6, 6, 3);
  processing::DrawText(&small, 0, 0, "#ZZZZ", {255, 0, 0}, 1);
  EXPECT_EQ(small.at(0, 0)[0], 255);
  EXPECT_EQ(small.at(1, 1)[0], 0);
  // Shapes far outside the picture only touch what is inside.
  processing::FillRect(&small, -1000000000, 4, 1000000000, 1000000000,
                       {0, 255, 0});
  EXPECT_EQ(small.at(5, 5)[1], 255);
  EXPECT_EQ(small.at(5, 3)[1], 0);
  processing::DrawRect(&small, -1000000000, -1000000000, 1000000000, 2,
                       {0, 0, 255}, 1);
  EXPECT_EQ(small.at(3, 2)[2], 255);
  EXPECT_EQ(small.at(3, 1)[2], 0);
}

TEST(Processing, WriteImageTensorNormalizesPerType) {
  Image im(1, 1, 3);
  im.pixels = {0, 128, 255};
  float f[3];
  processing::InputNormalization norm;
  norm.mean = {127.5f};
  norm.std = {127.5f};
  std::string error;
  ASSERT_TRUE(processing::WriteImageTensor(
      im, norm, {DataType::kFloat32, f, sizeof(f)}, &error));
  EXPECT_FLOAT_EQ(f[0], -1.0f);
  EXPECT_FLOAT_EQ(f[2], 1.0f);
  int8_t q[3];
  ASSERT_TRUE(processing::WriteImageTensor(
      im, norm, {DataType::kInt8, q, sizeof(q)}, &error));
  EXPECT_EQ(q[0], -128);
  EXPECT_EQ(q[2], 127);
  EXPECT_FALSE(processing::WriteImageTensor(
      im, norm, {DataType::kFloat32, f, 8}, &error));
  EXPECT_NE(error.find("does not fill"), std::string::npos);
}

std::vector<uint8_t> Wav16(int rate, int channels,
                           const std::vector<int16_t>& interleaved) {
  std::vector<uint8_t> b;
  auto put = [&](uint32_t v, int n) {
    for (int k = 0; k < n; ++k) b.push_back(static_cast<uint8_t>(v >> (8 * k)));
  };
  const uint32_t data = static_cast<uint32_t>(interleaved.size() * 2);
  b.insert(b.end(), {'R', 'I', 'F', 'F'});
  put(36 + data, 4);
  b.insert(b.end(), {'W', 'A', 'V', 'E', 'f', 'm', 't', ' '});
  put(16, 4);
  put(1, 2);
  put(channels, 2);
  put(rate, 4);
  put(rate * channels * 2, 4);
  put(channels * 2, 2);
  put(16, 2);
  b.insert(b.end(), {'d', 'a', 't', 'a'});
  put(data, 4);
  for (int16_t s : interleaved) put(static_cast<uint16_t>(s), 2);
  return b;
}

TEST(Processing, WavStereoMixesToMonoAndRoundTripsInt16) {
  processing::AudioClip clip;
  std::string error;
  ASSERT_TRUE(processing::DecodeWav(
      Wav16(8000, 2, {1000, 3000, -32768, -32768, 32767, 32767}), &clip,
      &error))
      << error;
  EXPECT_EQ(clip.sample_rate, 8000);
  ASSERT_EQ(clip.samples.size(), 3u);
  EXPECT_EQ(processing::ToInt16(clip.samples),
            (std::vector<int16_t>{2000, -32768, 32767}));
  const processing::AudioClip up = processing::Resample(clip, 16000);
  EXPECT_EQ(up.samples.size(), 6u);
  EXPECT_NEAR(up.samples[1], (clip.samples[0] + clip.samples[1]) / 2, 1e-6);
  std::vector<uint8_t> bad = Wav16(8000, 1, {1});
  bad[20] = 2;  // format 2: ADPCM
  EXPECT_FALSE(processing::DecodeWav(bad, &clip, &error));
  EXPECT_NE(error.find("unsupported WAV encoding"), std::string::npos);
  EXPECT_FALSE(
      processing::DecodeWav(std::vector<uint8_t>(10, 0), &clip, &error));
  // A 1 Hz header would make resampling to 16 kHz allocate 16000x the clip.
  EXPECT_FALSE(processing::DecodeWav(Wav16(1, 1, {1, 2}), &clip, &error));
  EXPECT_NE(error.find("1 Hz"), std::string::npos) << error;
  EXPECT_TRUE(processing::DecodeWav(Wav16(1000, 1, {1, 2}), &clip, &error));
}

// MediaPipe's BlazeFace short-range layout: 16x16 cells x 2 anchors, then
// 8x8 cells x 6 anchors (three stride-16 layers share one map).
TEST(SsdAnchors, BlazeFaceShortRangeLayout) {
  SsdAnchorOptions o;
  o.input_width = o.input_height = 128;
  o.min_scale = 0.1484375f;
  o.max_scale = 0.75f;
  o.strides = {8, 16, 16, 16};
  o.fixed_anchor_size = true;
  const std::vector<Anchor> a = GenerateSsdAnchors(o);
  ASSERT_EQ(a.size(), 896u);
  EXPECT_FLOAT_EQ(a[0].x_center, 0.5f / 16);
  EXPECT_FLOAT_EQ(a[1].x_center, 0.5f / 16);
  EXPECT_FLOAT_EQ(a[2].x_center, 1.5f / 16);
  EXPECT_FLOAT_EQ(a[511].y_center, 15.5f / 16);
  EXPECT_FLOAT_EQ(a[512].x_center, 0.5f / 8);
  EXPECT_FLOAT_EQ(a[517].x_center, 0.5f / 8);
  EXPECT_FLOAT_EQ(a[518].x_center, 1.5f / 8);
  EXPECT_FLOAT_EQ(a[895].w, 1.0f);
}

TEST(SsdAnchors, DecodeAndWeightedNms) {
  std::vector<Anchor> anchors(3);
  anchors[0] = {0.25f, 0.25f, 1, 1};
  anchors[1] = {0.27f, 0.25f, 1, 1};
  anchors[2] = {0.75f, 0.75f, 1, 1};
  BoxDecodeOptions o;
  o.num_coords = 4;
  o.x_scale = o.y_scale = o.w_scale = o.h_scale = 100;
  // Each anchor's box: centre offset 0, size 20x20 (0.2 normalized).
  std::vector<float> boxes = {0, 0, 20, 20, 0, 0, 20, 20, 0, 0, 20, 20};
  std::vector<float> scores = {std::log(9.0f), std::log(3.0f),
                               -std::log(3.0f)};  // sigmoid: .9, .75, .25
  std::vector<Detection> d;
  std::string error;
  ASSERT_TRUE(DecodeBoxes(boxes, scores, anchors, o, &d, &error)) << error;
  ASSERT_EQ(d.size(), 2u);  // the third is under 0.5
  EXPECT_NEAR(d[0].score, 0.9f, 1e-5);
  EXPECT_NEAR(d[0].xmin, 0.15f, 1e-6);
  const std::vector<Detection> kept = WeightedNonMaxSuppression(d, 0.3f, -1);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_NEAR(kept[0].score, 0.9f, 1e-5);  // the best's score stays
  // The box is the score-weighted mean: xmin (0.15*.9 + 0.17*.75) / 1.65.
  EXPECT_NEAR(kept[0].xmin, (0.15f * 0.9f + 0.17f * 0.75f) / 1.65f, 1e-5);
  // Sizes that do not match the anchors are an error, not a read past.
  boxes.pop_back();
  EXPECT_FALSE(DecodeBoxes(boxes, scores, anchors, o, &d, &error));
}

// [1,8,8,3] float image -> MEAN over height and width: the score of class
// c is the mean normalized value of channel c.
std::vector<uint8_t> ChannelMeanModel() {
  testing::ModelBuilder b;
  const int in = b.AddTensor(testing::kF32, {1, 8, 8, 3}, "image");
  const int axes =
      b.AddConstant(testing::kI32, {2}, std::vector<int32_t>{1, 2}, "axes");
  const int out = b.AddTensor(testing::kF32, {1, 3}, "scores");
  tfl::ReducerOptionsT reducer;
  reducer.keep_dims = false;
  tfl::BuiltinOptionsUnion options;
  options.Set(reducer);
  b.AddOp(tfl::BuiltinOperator::MEAN, {in, axes}, {out}, options);
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

TEST(ImageClassifier, LabelsFromOptionsAndFallbackNormalization) {
  const std::string path = TempPath("plain.tflite");
  WriteBytes(path, ChannelMeanModel());
  ImageClassifierOptions o;
  o.base_options.model_asset_path = path;
  o.labels = {"red", "green", "blue"};
  std::unique_ptr<ImageClassifier> c;
  std::string error;
  ASSERT_TRUE(ImageClassifier::CreateFromOptions(o, &c, &error)) << error;
  ClassificationResult r;
  ASSERT_TRUE(c->Classify(Solid(20, 10, 0, 255, 0), &r, &error)) << error;
  const auto& cats = r.classifications[0].categories;
  ASSERT_EQ(cats.size(), 3u);
  EXPECT_EQ(cats[0].category_name, "green");
  EXPECT_NEAR(cats[0].score, 1.0f, 1e-6);   // (255 - 127.5) / 127.5
  EXPECT_NEAR(cats[1].score, -1.0f, 1e-6);  // ties keep the lower index
  EXPECT_EQ(cats[1].category_name, "red");
  // Top-k, threshold, allow and deny lists.
  o.classifier_options.max_results = 1;
  o.classifier_options.category_denylist = {"green"};
  ASSERT_TRUE(ImageClassifier::CreateFromOptions(o, &c, &error)) << error;
  ASSERT_TRUE(c->Classify(Solid(4, 4, 0, 255, 0), &r, &error));
  ASSERT_EQ(r.classifications[0].categories.size(), 1u);
  EXPECT_EQ(r.classifications[0].categories[0].category_name, "red");
  o.classifier_options = {};
  o.classifier_options.score_threshold = 0;
  o.classifier_options.category_allowlist = {"blue", "green"};
  ASSERT_TRUE(ImageClassifier::CreateFromOptions(o, &c, &error)) << error;
  ASSERT_TRUE(c->Classify(Solid(4, 4, 0, 0, 255), &r, &error));
  ASSERT_EQ(r.classifications[0].categories.size(), 1u);
  EXPECT_EQ(r.classifications[0].categories[0].category_name, "blue");
  // Both lists at once, or lists without labels: clear errors.
  o.classifier_options.category_denylist = {"red"};
  EXPECT_FALSE(ImageClassifier::CreateFromOptions(o, &c, &error));
  EXPECT_NE(error.find("mutually exclusive"), std::string::npos);
  o.classifier_options.category_denylist.clear();
  o.labels.clear();
  EXPECT_FALSE(ImageClassifier::CreateFromOptions(o, &c, &error));
  EXPECT_NE(error.find("ember metadata"), std::string::npos) << error;
  o.labels = {"a", "b"};
  EXPECT_FALSE(ImageClassifier::CreateFromOptions(o, &c, &error));
  EXPECT_NE(error.find("3 classes but 2 labels"), std::string::npos) << error;
  fs::remove(path);
}

TEST(ImageClassifier, ReadsLabelsAndNormalizationFromMetadata) {
  const std::vector<uint8_t> model = ChannelMeanModel();
  metadata::TaskMetadataOptions mo;
  mo.mean = {0.0f};
  mo.std = {255.0f};
  const std::string labels = "red\ngreen\nblue\n";
  mo.labels.assign(labels.begin(), labels.end());
  metadata::ModelMetadataBundle bundle;
  std::vector<uint8_t> with;
  std::string error;
  ASSERT_TRUE(metadata::BuildTaskMetadata(model, mo, &bundle, &error)) << error;
  ASSERT_TRUE(metadata::WriteModelMetadata(model, bundle, &with, &error))
      << error;
  const std::string path = TempPath("meta.tflite");
  WriteBytes(path, with);
  ImageClassifierOptions o;
  o.base_options.model_asset_path = path;
  std::unique_ptr<ImageClassifier> c;
  ASSERT_TRUE(ImageClassifier::CreateFromOptions(o, &c, &error)) << error;
  EXPECT_EQ(c->labels(), (std::vector<std::string>{"red", "green", "blue"}));
  ClassificationResult r;
  ASSERT_TRUE(c->Classify(Solid(8, 8, 255, 0, 51), &r, &error)) << error;
  const auto& cats = r.classifications[0].categories;
  EXPECT_EQ(cats[0].category_name, "red");
  EXPECT_NEAR(cats[0].score, 1.0f, 1e-6);  // 255 / 255: the metadata's std
  EXPECT_NEAR(cats[1].score, 0.2f, 1e-6);
  EXPECT_EQ(cats[1].category_name, "blue");
  fs::remove(path);
  // The metadata's score threshold is the default one.
  mo.score_threshold = 0.5f;
  ASSERT_TRUE(metadata::BuildTaskMetadata(model, mo, &bundle, &error)) << error;
  ASSERT_TRUE(metadata::WriteModelMetadata(model, bundle, &with, &error));
  WriteBytes(path, with);
  ASSERT_TRUE(ImageClassifier::CreateFromOptions(o, &c, &error)) << error;
  ASSERT_TRUE(c->Classify(Solid(8, 8, 255, 0, 51), &r, &error)) << error;
  ASSERT_EQ(r.classifications[0].categories.size(), 1u);
  EXPECT_EQ(r.classifications[0].categories[0].category_name, "red");
  o.classifier_options.score_threshold = 0.1f;  // options win
  ASSERT_TRUE(ImageClassifier::CreateFromOptions(o, &c, &error)) << error;
  ASSERT_TRUE(c->Classify(Solid(8, 8, 255, 0, 51), &r, &error)) << error;
  EXPECT_EQ(r.classifications[0].categories.size(), 2u);
  fs::remove(path);
}

// `ember metadata --task image_segmenter / face_detector`: the input's
// normalization without labels (what MediaPipe needs for BlazeFace and the
// selfie model); the task reads it back.
TEST(ImageClassifier, NormalizationOnlyMetadataKinds) {
  const std::vector<uint8_t> model = ChannelMeanModel();
  for (const char* kind : {"image_segmenter", "face_detector"}) {
    metadata::TaskMetadataOptions mo;
    ASSERT_TRUE(metadata::ParseTaskKind(kind, &mo.task));
    mo.mean = {100.0f};
    mo.std = {50.0f};
    metadata::ModelMetadataBundle bundle;
    std::vector<uint8_t> with;
    std::string error;
    ASSERT_TRUE(metadata::BuildTaskMetadata(model, mo, &bundle, &error))
        << error;
    EXPECT_TRUE(bundle.files.empty());
    ASSERT_TRUE(metadata::WriteModelMetadata(model, bundle, &with, &error))
        << error;
    const std::string path = TempPath(std::string(kind) + ".tflite");
    WriteBytes(path, with);
    ImageClassifierOptions o;
    o.base_options.model_asset_path = path;
    std::unique_ptr<ImageClassifier> c;
    ASSERT_TRUE(ImageClassifier::CreateFromOptions(o, &c, &error)) << error;
    ClassificationResult r;
    ASSERT_TRUE(c->Classify(Solid(8, 8, 200, 100, 0), &r, &error)) << error;
    const auto& cats = r.classifications[0].categories;
    EXPECT_NEAR(cats[0].score, 2.0f, 1e-6);  // (200 - 100) / 50
    EXPECT_NEAR(cats[2].score, -2.0f, 1e-6);
    EXPECT_EQ(cats[0].category_name, "");  // no labels anywhere
    fs::remove(path);
  }
}

// Metadata written by others: the TFLite Support writer's fixture
// (tests/metadata/data: a softmax over cat/dog/bird, [-1, 1] input
// normalization, LOG score calibration with default score 0.2 and the lines
// "1.0,2.0,0.5", "1.5,1.0,0.0,0.1" and "" for the three classes).
TEST(ImageClassifier, ReadsTheOfficialWritersMetadata) {
  const std::string path =
      std::string(EMBER_SOURCE_DIR) +
      "/tests/metadata/data/official_image_classifier.tflite";
  ImageClassifierOptions o;
  o.base_options.model_asset_path = path;
  std::unique_ptr<ImageClassifier> c;
  std::string error;
  ASSERT_TRUE(ImageClassifier::CreateFromOptions(o, &c, &error)) << error;
  EXPECT_EQ(c->labels(), (std::vector<std::string>{"cat", "dog", "bird"}));
  const Image image = Solid(30, 30, 10, 200, 90);
  // The raw softmax, through the same input path without the classifier.
  std::unique_ptr<TaskModel> m;
  ASSERT_TRUE(TaskModel::Create(o.base_options, &m, &error)) << error;
  ASSERT_TRUE(
      SetImageInput(*m, 0, image, FitMode::kStretch, {}, nullptr, &error) &&
      m->Invoke(&error))
      << error;
  std::vector<float> raw;
  ASSERT_TRUE(m->OutputAsFloat(0, &raw, &error)) << error;
  ASSERT_EQ(raw.size(), 3u);
  auto sigmoid = [](float x) { return 1.0f / (1.0f + std::exp(-x)); };
  const float expected[3] = {
      1.0f * sigmoid(2.0f * std::log(raw[0]) + 0.5f),
      raw[1] < 0.1f ? 0.2f : 1.5f * sigmoid(1.0f * std::log(raw[1]) + 0.0f),
      0.2f};
  ClassificationResult r;
  ASSERT_TRUE(c->Classify(image, &r, &error)) << error;
  const auto& cats = r.classifications[0].categories;
  ASSERT_EQ(cats.size(), 3u);
  for (const auto& cat : cats)
    EXPECT_NEAR(cat.score, expected[cat.index], 1e-5) << cat.category_name;
}

TEST(ScoreCalibration, MalformedLinesAreErrors) {
  ScoreCalibration cal;
  std::string error;
  const std::string bad = "1.0,2.0\n";
  EXPECT_FALSE(cal.Parse(std::vector<uint8_t>(bad.begin(), bad.end()), &error));
  EXPECT_NE(error.find("line 1"), std::string::npos) << error;
  const std::string text = "x,1,2\n";
  EXPECT_FALSE(
      cal.Parse(std::vector<uint8_t>(text.begin(), text.end()), &error));
}

TEST(ImageClassifier, MissingModelAndBadOptions) {
  ImageClassifierOptions o;
  std::unique_ptr<ImageClassifier> c;
  std::string error;
  EXPECT_FALSE(ImageClassifier::CreateFromOptions(o, &c, &error));
  EXPECT_NE(error.find("no model"), std::string::npos);
  o.base_options.model_asset_path = "/nonexistent/m.tflite";
  EXPECT_FALSE(ImageClassifier::CreateFromOptions(o, &c, &error));
  EXPECT_NE(error.find("/nonexistent/m.tflite"), std::string::npos);
  const std::string path = TempPath("d.tflite");
  WriteBytes(path, ChannelMeanModel());
  o.base_options.model_asset_path = path;
  o.base_options.delegate = "tpu";  // neither built in nor a library
  EXPECT_FALSE(ImageClassifier::CreateFromOptions(o, &c, &error));
  EXPECT_NE(error.find("delegate 'tpu' cannot run"), std::string::npos)
      << error;
  o.base_options.delegate = "reference";
  o.labels = {"r", "g", "b"};
  EXPECT_TRUE(ImageClassifier::CreateFromOptions(o, &c, &error)) << error;
  fs::remove(path);
}

}  // namespace
}  // namespace ember::tasks
