// FaceLandmarker on the shared models (label "models", run by
// scripts/ci_extra.sh): BlazeFace short range + face_landmark.tflite on
// TFLM's person.bmp. The mesh must sit on the face the detector found and
// its named points must be in a face's order. The model itself is checked
// against LiteRT on Ember's own crop by
// tests/tasks/face_landmarker_vs_litert.py.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "processing/image.h"
#include "shared_models.h"
#include "tasks/face_landmarker.h"

namespace ember::tasks {
namespace {

using testing_files::Shared;

// TFLM's person.bmp stores int8 pixels as bytes: the top bit flipped back
// gives the picture (see task_models_test.cc).
processing::Image Person() {
  processing::Image im;
  std::string error;
  EXPECT_TRUE(
      processing::ReadImageFile(Shared("data/images/person.bmp"), &im, &error))
      << error;
  for (uint8_t& p : im.pixels) p ^= 0x80;
  return im;
}

// MediaPipe face mesh indices (the canonical face model's numbering).
constexpr int kNoseTip = 1;
constexpr int kUpperLipInner = 13, kLowerLipInner = 14;
constexpr int kRightEyeOuter = 33;  // the person's right: the picture's left
constexpr int kLeftEyeOuter = 263;
constexpr int kForehead = 10, kChin = 152;

FaceLandmarkerOptions Options(const std::string& delegate, int threads) {
  FaceLandmarkerOptions o;
  o.base_options.model_asset_path = Shared("mediapipe/face_landmark.tflite");
  o.base_options.delegate = delegate;
  o.base_options.num_threads = threads;
  o.face_detector_model_path =
      Shared("mediapipe/face_detection_short_range.tflite");
  return o;
}

TEST(FaceLandmarkerModels, MeshSitsOnTheFaceInPersonBmp) {
  REQUIRE_FILE(Shared("mediapipe/face_landmark.tflite"));
  REQUIRE_FILE(Shared("mediapipe/face_detection_short_range.tflite"));
  std::unique_ptr<FaceLandmarker> lm;
  std::string error;
  ASSERT_TRUE(FaceLandmarker::CreateFromOptions(Options("cpu", 1), &lm, &error))
      << error;
  EXPECT_EQ(lm->num_landmarks(), 468);
  const processing::Image image = Person();
  FaceLandmarkerResult r;
  ASSERT_TRUE(lm->Detect(image, &r, &error)) << error;
  ASSERT_EQ(r.face_landmarks.size(), 1u);
  EXPECT_GT(r.presence_scores[0], 0.9f);
  const auto& mesh = r.face_landmarks[0];
  ASSERT_EQ(mesh.size(), 468u);

  // The detector's box, in pixels (its own test checks it is on the face).
  FaceDetectorOptions fo;
  fo.base_options.model_asset_path =
      Shared("mediapipe/face_detection_short_range.tflite");
  std::unique_ptr<FaceDetector> fd;
  ASSERT_TRUE(FaceDetector::CreateFromOptions(fo, &fd, &error)) << error;
  FaceDetectorResult faces;
  ASSERT_TRUE(fd->Detect(image, &faces, &error)) << error;
  ASSERT_EQ(faces.detections.size(), 1u);
  const BoundingBox& b = faces.detections[0].bounding_box;
  // The mesh covers forehead to chin, a little more than BlazeFace's box
  // (eyes to mouth): count points inside the box grown by a quarter.
  const float gx = b.width * 0.25f, gy = b.height * 0.25f;
  int inside = 0;
  for (const NormalizedLandmark& l : mesh) {
    const float x = l.x * image.width, y = l.y * image.height;
    inside += x >= b.origin_x - gx && x <= b.origin_x + b.width + gx &&
              y >= b.origin_y - gy && y <= b.origin_y + b.height + gy;
  }
  EXPECT_GE(inside, 468 * 9 / 10) << "of 468 inside the grown face box";

  const auto& m = mesh;
  // Eyes above the nose tip, above the lips, above the chin; forehead on
  // top; the person's right eye on the picture's left.
  EXPECT_LT(m[kRightEyeOuter].x, m[kLeftEyeOuter].x);
  EXPECT_LT(m[kForehead].y, m[kRightEyeOuter].y);
  EXPECT_LT(m[kRightEyeOuter].y, m[kNoseTip].y);
  EXPECT_LT(m[kLeftEyeOuter].y, m[kNoseTip].y);
  EXPECT_LT(m[kNoseTip].y, m[kUpperLipInner].y);
  EXPECT_LE(m[kUpperLipInner].y, m[kLowerLipInner].y);
  EXPECT_LT(m[kLowerLipInner].y, m[kChin].y);
  // The nose tip between the eyes (horizontally), nearest the camera.
  EXPECT_GT(m[kNoseTip].x, m[kRightEyeOuter].x);
  EXPECT_LT(m[kNoseTip].x, m[kLeftEyeOuter].x);
  EXPECT_LT(m[kNoseTip].z, m[kRightEyeOuter].z);
  EXPECT_LT(m[kNoseTip].z, m[kLeftEyeOuter].z);
  // BlazeFace's eye keypoints and the mesh's eyes agree (a few pixels on a
  // 96-pixel picture): the ROI and the projection back are consistent.
  const auto& kp = faces.detections[0].keypoints;
  const float eye_r_x = (m[33].x + m[133].x) / 2,
              eye_r_y = (m[33].y + m[133].y) / 2;
  EXPECT_NEAR(eye_r_x * image.width, kp[0].x * image.width, 4);
  EXPECT_NEAR(eye_r_y * image.height, kp[0].y * image.height, 4);
}

// The same mesh on the reference kernels (the oracle) and the optimized
// ones on one and two threads.
TEST(FaceLandmarkerModels, SameOnEveryDelegateAndThreadCount) {
  REQUIRE_FILE(Shared("mediapipe/face_landmark.tflite"));
  REQUIRE_FILE(Shared("mediapipe/face_detection_short_range.tflite"));
  const processing::Image image = Person();
  std::vector<FaceLandmarkerResult> results;
  for (const auto& [delegate, threads] :
       std::vector<std::pair<std::string, int>>{
           {"reference", 1}, {"cpu", 1}, {"cpu", 2}}) {
    std::unique_ptr<FaceLandmarker> lm;
    std::string error;
    ASSERT_TRUE(FaceLandmarker::CreateFromOptions(Options(delegate, threads),
                                                  &lm, &error))
        << error;
    FaceLandmarkerResult r;
    ASSERT_TRUE(lm->Detect(image, &r, &error)) << error;
    ASSERT_EQ(r.face_landmarks.size(), 1u) << delegate << " x" << threads;
    results.push_back(r);
  }
  for (size_t i = 1; i < results.size(); ++i) {
    const auto& a = results[0].face_landmarks[0];
    const auto& b = results[i].face_landmarks[0];
    for (size_t k = 0; k < a.size(); ++k) {
      // 1e-4 of the image: 0.01 pixel here.
      EXPECT_NEAR(a[k].x, b[k].x, 1e-4) << k;
      EXPECT_NEAR(a[k].y, b[k].y, 1e-4) << k;
    }
  }
}

// Wrong models are clear errors, not crashes.
TEST(FaceLandmarkerModels, WrongModelsAreErrors) {
  REQUIRE_FILE(Shared("mediapipe/face_landmark.tflite"));
  REQUIRE_FILE(Shared("mediapipe/face_detection_short_range.tflite"));
  FaceLandmarkerOptions o = Options("cpu", 1);
  std::swap(o.base_options.model_asset_path, o.face_detector_model_path);
  std::unique_ptr<FaceLandmarker> lm;
  std::string error;
  EXPECT_FALSE(FaceLandmarker::CreateFromOptions(o, &lm, &error));
  EXPECT_NE(error.find("face"), std::string::npos) << error;
}

}  // namespace
}  // namespace ember::tasks
