// ObjectDetector on the tiny SSD model of tiny_detector.h, where the answer
// is known: a red and a blue block in an 80x40 picture fire the anchors of
// their cells, and the task's boxes must be the op's decoded boxes scaled
// to the picture. Labels, normalization and score calibration come from
// metadata written by Ember's writer (labels also from the options); then
// the filters (max results, threshold, allow/deny lists) and the errors for
// models that are not detectors.
#include "tasks/object_detector.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "metadata/model_metadata.h"
#include "metadata/task_metadata.h"
#include "tasks/tiny_detector.h"

namespace ember::tasks {
namespace {

namespace fs = std::filesystem;
using processing::Image;

std::string TempPath(const std::string& name) {
  return (fs::temp_directory_path() /
          ("ember_detector_test_" + std::to_string(getpid()) + "_" + name))
      .string();
}

void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()),
          static_cast<std::streamsize>(bytes.size()));
}

void Fill(Image* im, int x0, int y0, int x1, int y1, uint8_t r, uint8_t g,
          uint8_t b) {
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) {
      uint8_t* p = im->at(x, y);
      p[0] = r;
      p[1] = g;
      p[2] = b;
    }
}

// 80x40, black; red over cell (row 1, col 2), dimmer blue over cell
// (row 3, col 0) of the model's 4x4 grid (the image is stretched to it).
Image TwoBlocks() {
  Image im(80, 40, 3);
  Fill(&im, 40, 10, 60, 20, 255, 0, 0);
  Fill(&im, 0, 30, 20, 40, 0, 0, 204);
  return im;
}

// MediaPipe's pixel box of a normalized one (ymin, xmin, ymax, xmax):
// origin and size truncated, the origin clamped at 0.
BoundingBox MediaPipePixels(const float* b, int width, int height) {
  BoundingBox px;
  px.origin_x = std::max(0, static_cast<int>(b[1] * width));
  px.origin_y = std::max(0, static_cast<int>(b[0] * height));
  px.width = static_cast<int>((b[3] - b[1]) * width);
  px.height = static_cast<int>((b[2] - b[0]) * height);
  return px;
}

void ExpectBox(const BoundingBox& got, const BoundingBox& want,
               int tolerance = 0) {
  EXPECT_NEAR(got.origin_x, want.origin_x, tolerance);
  EXPECT_NEAR(got.origin_y, want.origin_y, tolerance);
  EXPECT_NEAR(got.width, want.width, tolerance);
  EXPECT_NEAR(got.height, want.height, tolerance);
}

// The decoded box of a cell in pixels. Exact up to truncation at an
// integer edge (the op's float arithmetic may land either side of it).
void ExpectCellBox(const BoundingBox& got, int row, int col, int width,
                   int height) {
  const std::vector<float> b = testing::TinyDetectorBox(row, col);
  ExpectBox(got, MediaPipePixels(b.data(), width, height), 1);
}

// The op's own outputs for `image` (the model run by hand, fed as the task
// feeds it: stretched, normalized by the metadata).
std::vector<float> RawBoxes(const std::string& path, const Image& image) {
  BaseOptions base;
  base.model_asset_path = path;
  std::unique_ptr<TaskModel> m;
  std::string error;
  std::vector<float> boxes;
  EXPECT_TRUE(TaskModel::Create(base, &m, &error)) << error;
  EXPECT_TRUE(
      SetImageInput(*m, 0, image, FitMode::kStretch, {}, nullptr, &error) &&
      m->Invoke(&error))
      << error;
  EXPECT_TRUE(m->OutputAsFloat(0, &boxes, &error)) << error;
  return boxes;
}

// The tiny model with Ember's object_detector metadata: labels red, blue;
// inputs normalized to [0, 1].
std::string ModelWithMetadata(const std::string& name,
                              float score_threshold = -1) {
  metadata::TaskMetadataOptions mo;
  mo.task = metadata::TaskKind::kObjectDetector;
  mo.mean = {0.0f};
  mo.std = {255.0f};
  const std::string labels = "red\nblue\n";
  mo.labels.assign(labels.begin(), labels.end());
  mo.score_threshold = score_threshold;
  const std::vector<uint8_t> model = testing::TinyDetectorModel();
  metadata::ModelMetadataBundle bundle;
  std::vector<uint8_t> with;
  std::string error;
  EXPECT_TRUE(metadata::BuildTaskMetadata(model, mo, &bundle, &error)) << error;
  EXPECT_TRUE(metadata::WriteModelMetadata(model, bundle, &with, &error))
      << error;
  const std::string path = TempPath(name);
  WriteBytes(path, with);
  return path;
}

TEST(ObjectDetector, FindsTheBlocksWithMetadataLabels) {
  const std::string path = ModelWithMetadata("meta.tflite");
  ObjectDetectorOptions o;
  o.base_options.model_asset_path = path;
  std::unique_ptr<ObjectDetector> d;
  std::string error;
  ASSERT_TRUE(ObjectDetector::CreateFromOptions(o, &d, &error)) << error;
  EXPECT_EQ(d->labels(), (std::vector<std::string>{"red", "blue"}));
  DetectionResult r;
  const Image image = TwoBlocks();
  ASSERT_TRUE(d->Detect(image, &r, &error)) << error;
  ASSERT_EQ(r.detections.size(), 2u);
  const auto& red = r.detections[0];
  ASSERT_EQ(red.categories.size(), 1u);
  EXPECT_EQ(red.categories[0].category_name, "red");
  EXPECT_EQ(red.categories[0].index, 0);
  EXPECT_NEAR(red.categories[0].score, 1.0f, 1e-6);  // 255 / 255
  // The op's rows: its decoded boxes (checked against the documented
  // decoding) become the task's pixels exactly as MediaPipe converts them.
  const std::vector<float> raw = RawBoxes(path, image);
  ASSERT_GE(raw.size(), 8u);
  const std::vector<float> red_cell = testing::TinyDetectorBox(1, 2);
  const std::vector<float> blue_cell = testing::TinyDetectorBox(3, 0);
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR(raw[k], red_cell[k], 1e-6);
    EXPECT_NEAR(raw[4 + k], blue_cell[k], 1e-6);
  }
  ExpectBox(red.bounding_box, MediaPipePixels(&raw[0], 80, 40));
  const auto& blue = r.detections[1];
  EXPECT_EQ(blue.categories[0].category_name, "blue");
  EXPECT_EQ(blue.categories[0].index, 1);
  EXPECT_NEAR(blue.categories[0].score, 0.8f, 1e-6);  // 204 / 255
  ExpectBox(blue.bounding_box, MediaPipePixels(&raw[4], 80, 40));
  // Not just any numbers: the red box is about (36, 10) 20x11 here.
  ExpectCellBox(red.bounding_box, 1, 2, 80, 40);
  EXPECT_NEAR(red.bounding_box.origin_x, 36, 1);
  EXPECT_NEAR(red.bounding_box.width, 20, 1);
  // Nothing in an empty picture.
  ASSERT_TRUE(d->Detect(Image(80, 40, 3), &r, &error)) << error;
  EXPECT_TRUE(r.detections.empty());
  fs::remove(path);
}

// Score calibration from the metadata (applied before the threshold):
// red's line is "2.0,1.0,0.0" (2 * sigmoid(score)), blue's is
// empty (the default score, 0.1).
TEST(ObjectDetector, AppliesTheMetadatasScoreCalibration) {
  metadata::TaskMetadataOptions mo;
  mo.task = metadata::TaskKind::kObjectDetector;
  mo.mean = {0.0f};
  mo.std = {255.0f};
  const std::string labels = "red\nblue\n";
  mo.labels.assign(labels.begin(), labels.end());
  const std::vector<uint8_t> model = testing::TinyDetectorModel();
  metadata::ModelMetadataBundle bundle;
  std::string error;
  ASSERT_TRUE(metadata::BuildTaskMetadata(model, mo, &bundle, &error)) << error;
  auto& score_md =
      *bundle.metadata.subgraph_metadata[0]->output_tensor_metadata[2];
  ASSERT_EQ(score_md.name, "score");
  metadata::fb::ScoreCalibrationOptionsT calibration;
  calibration.score_transformation =
      metadata::fb::ScoreTransformationType::IDENTITY;
  calibration.default_score = 0.1f;
  auto unit = std::make_unique<metadata::fb::ProcessUnitT>();
  unit->options.Set(std::move(calibration));
  score_md.process_units.push_back(std::move(unit));
  auto file = std::make_unique<metadata::fb::AssociatedFileT>();
  file->name = "calibration.txt";
  file->type = metadata::fb::AssociatedFileType::TENSOR_AXIS_SCORE_CALIBRATION;
  score_md.associated_files.push_back(std::move(file));
  const std::string lines = "2.0,1.0,0.0\n\n";
  metadata::PackedFile packed;
  packed.name = "calibration.txt";
  packed.data.assign(lines.begin(), lines.end());
  bundle.files.push_back(packed);
  std::vector<uint8_t> with;
  ASSERT_TRUE(metadata::WriteModelMetadata(model, bundle, &with, &error))
      << error;
  const std::string path = TempPath("calibrated.tflite");
  WriteBytes(path, with);
  ObjectDetectorOptions o;
  o.base_options.model_asset_path = path;
  std::unique_ptr<ObjectDetector> d;
  ASSERT_TRUE(ObjectDetector::CreateFromOptions(o, &d, &error)) << error;
  DetectionResult r;
  ASSERT_TRUE(d->Detect(TwoBlocks(), &r, &error)) << error;
  ASSERT_EQ(r.detections.size(), 2u);
  EXPECT_EQ(r.detections[0].categories[0].category_name, "red");
  EXPECT_NEAR(r.detections[0].categories[0].score,
              2.0f / (1.0f + std::exp(-1.0f)), 1e-5);
  EXPECT_EQ(r.detections[1].categories[0].category_name, "blue");
  EXPECT_NEAR(r.detections[1].categories[0].score, 0.1f, 1e-6);
  // The threshold applies to calibrated scores.
  o.score_threshold = 0.5f;
  ASSERT_TRUE(ObjectDetector::CreateFromOptions(o, &d, &error)) << error;
  ASSERT_TRUE(d->Detect(TwoBlocks(), &r, &error)) << error;
  ASSERT_EQ(r.detections.size(), 1u);
  EXPECT_EQ(r.detections[0].categories[0].category_name, "red");
  fs::remove(path);
}

TEST(ObjectDetector, FiltersLikeMediaPipe) {
  const std::string path = ModelWithMetadata("filters.tflite");
  ObjectDetectorOptions o;
  o.base_options.model_asset_path = path;
  std::unique_ptr<ObjectDetector> d;
  std::string error;
  DetectionResult r;
  auto names = [&]() {
    std::vector<std::string> n;
    for (const auto& det : r.detections)
      n.push_back(det.categories[0].category_name);
    return n;
  };
  using Names = std::vector<std::string>;
  o.max_results = 1;
  ASSERT_TRUE(ObjectDetector::CreateFromOptions(o, &d, &error)) << error;
  ASSERT_TRUE(d->Detect(TwoBlocks(), &r, &error)) << error;
  EXPECT_EQ(names(), Names{"red"});
  o.max_results = -1;
  o.score_threshold = 0.9f;
  ASSERT_TRUE(ObjectDetector::CreateFromOptions(o, &d, &error)) << error;
  ASSERT_TRUE(d->Detect(TwoBlocks(), &r, &error)) << error;
  EXPECT_EQ(names(), Names{"red"});
  o.score_threshold = -1e30f;
  o.category_denylist = {"red"};
  ASSERT_TRUE(ObjectDetector::CreateFromOptions(o, &d, &error)) << error;
  ASSERT_TRUE(d->Detect(TwoBlocks(), &r, &error)) << error;
  EXPECT_EQ(names(), Names{"blue"});
  o.category_denylist.clear();
  o.category_allowlist = {"blue", "green"};
  ASSERT_TRUE(ObjectDetector::CreateFromOptions(o, &d, &error)) << error;
  ASSERT_TRUE(d->Detect(TwoBlocks(), &r, &error)) << error;
  EXPECT_EQ(names(), Names{"blue"});
  o.category_denylist = {"red"};
  EXPECT_FALSE(ObjectDetector::CreateFromOptions(o, &d, &error));
  EXPECT_NE(error.find("mutually exclusive"), std::string::npos) << error;
  o.category_allowlist.clear();
  o.category_denylist.clear();
  o.max_results = 0;
  EXPECT_FALSE(ObjectDetector::CreateFromOptions(o, &d, &error));
  EXPECT_NE(error.find("max_results"), std::string::npos) << error;
  fs::remove(path);
  // The metadata's score threshold is the default one.
  const std::string strict = ModelWithMetadata("strict.tflite", 0.9f);
  o = {};
  o.base_options.model_asset_path = strict;
  ASSERT_TRUE(ObjectDetector::CreateFromOptions(o, &d, &error)) << error;
  ASSERT_TRUE(d->Detect(TwoBlocks(), &r, &error)) << error;
  EXPECT_EQ(names(), Names{"red"});
  fs::remove(strict);
}

TEST(ObjectDetector, WithoutMetadataUsesOptionLabelsAndLetterbox) {
  const std::string path = TempPath("plain.tflite");
  WriteBytes(path, testing::TinyDetectorModel());
  ObjectDetectorOptions o;
  o.base_options.model_asset_path = path;
  o.base_options.delegate = "reference";
  o.labels = {"red", "blue"};
  std::unique_ptr<ObjectDetector> d;
  std::string error;
  ASSERT_TRUE(ObjectDetector::CreateFromOptions(o, &d, &error)) << error;
  DetectionResult r;
  ASSERT_TRUE(d->Detect(TwoBlocks(), &r, &error)) << error;
  // [-1, 1] without metadata: red 1.0, blue (204 - 127.5) / 127.5 = 0.6.
  ASSERT_EQ(r.detections.size(), 2u);
  EXPECT_EQ(r.detections[0].categories[0].category_name, "red");
  EXPECT_NEAR(r.detections[1].categories[0].score, 0.6f, 1e-6);
  ExpectCellBox(r.detections[0].bounding_box, 1, 2, 80, 40);
  // Letterboxed: a 40x40 picture with red over its top-left quarter's
  // cell (row 1, col 1) maps 1:1, so the box is the cell's, in pixels.
  o.fit = FitMode::kLetterbox;
  ASSERT_TRUE(ObjectDetector::CreateFromOptions(o, &d, &error)) << error;
  Image square(40, 40, 3);
  Fill(&square, 10, 10, 20, 20, 255, 0, 0);
  ASSERT_TRUE(d->Detect(square, &r, &error)) << error;
  ASSERT_EQ(r.detections.size(), 1u);
  ExpectCellBox(r.detections[0].bounding_box, 1, 1, 40, 40);
  fs::remove(path);
}

TEST(ObjectDetector, ModelsThatAreNotDetectorsGetClearErrors) {
  ObjectDetectorOptions o;
  std::unique_ptr<ObjectDetector> d;
  std::string error;
  o.base_options.model_asset_path = "/nonexistent/det.tflite";
  EXPECT_FALSE(ObjectDetector::CreateFromOptions(o, &d, &error));
  EXPECT_NE(error.find("/nonexistent/det.tflite"), std::string::npos);
  const std::string path = TempPath("head.tflite");
  WriteBytes(path, testing::TinyDetectorModel(/*with_postprocess=*/false));
  o.base_options.model_asset_path = path;
  EXPECT_FALSE(ObjectDetector::CreateFromOptions(o, &d, &error));
  EXPECT_NE(error.find("needs the 4 outputs of TFLite_Detection_PostProcess"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("it has 2 outputs"), std::string::npos) << error;
  // Allow/deny lists need labels.
  WriteBytes(path, testing::TinyDetectorModel());
  o.category_allowlist = {"red"};
  EXPECT_FALSE(ObjectDetector::CreateFromOptions(o, &d, &error));
  EXPECT_NE(error.find("ember metadata"), std::string::npos) << error;
  fs::remove(path);
}

}  // namespace
}  // namespace ember::tasks
