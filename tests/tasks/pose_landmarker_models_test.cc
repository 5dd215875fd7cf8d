// PoseLandmarker on the shared models (label "models", run by
// scripts/ci_extra.sh): pose_landmark_lite on TFLM's person.bmp (a man's
// head, shoulders, torso and arms filling the frame; there is no pose
// detector in the shared data, so the whole picture is the region). The
// oracle for the face points is a second, independent model: BlazeFace
// (face_detection_short_range) on the same picture. Results must be the
// same on the reference kernels and the optimized ones on 1 and 2 threads.
// The landmark model against LiteRT on Ember's crop:
// python/tests/test_pose_landmarker.py.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "processing/image.h"
#include "shared_models.h"
#include "tasks/face_detector.h"
#include "tasks/pose_landmarker.h"

namespace ember::tasks {
namespace {

using testing_files::Shared;

const char kPoseModel[] = "mediapipe/pose_landmark_lite.tflite";
const char kFaceModel[] = "mediapipe/face_detection_short_range.tflite";

// person.bmp stores int8 pixels as bytes (see task_models_test.cc): the top
// bit flipped back gives the picture.
processing::Image Person() {
  processing::Image im;
  std::string error;
  EXPECT_TRUE(
      processing::ReadImageFile(Shared("data/images/person.bmp"), &im, &error))
      << error;
  for (uint8_t& p : im.pixels) p ^= 0x80;
  return im;
}

PoseLandmarkerOptions Options(const std::string& delegate, int threads) {
  PoseLandmarkerOptions o;
  o.base_options.model_asset_path = Shared(kPoseModel);
  o.base_options.delegate = delegate;
  o.base_options.num_threads = threads;
  return o;
}

float Distance(const PoseLandmark& l, const Keypoint& k, int w, int h) {
  return std::hypot((l.x - k.x) * w, (l.y - k.y) * h);
}

TEST(PoseLandmarkerModels, PersonLandmarksOnTheRightBodyParts) {
  REQUIRE_FILE(Shared(kPoseModel));
  REQUIRE_FILE(Shared(kFaceModel));
  const processing::Image image = Person();
  const int w = image.width, h = image.height;
  std::string error;
  // BlazeFace's keypoints: right eye, left eye, nose tip, mouth, right ear
  // tragion, left ear tragion (the person's own left and right).
  FaceDetectorOptions fo;
  fo.base_options.model_asset_path = Shared(kFaceModel);
  std::unique_ptr<FaceDetector> faces;
  ASSERT_TRUE(FaceDetector::CreateFromOptions(fo, &faces, &error)) << error;
  FaceDetectorResult face;
  ASSERT_TRUE(faces->Detect(image, &face, &error)) << error;
  ASSERT_EQ(face.detections.size(), 1u);
  const std::vector<Keypoint>& k = face.detections[0].keypoints;
  const NormalizedBox& box = face.detections[0].normalized_box;

  PoseLandmarkerOptions o = Options("cpu", 1);
  o.output_segmentation_masks = true;
  std::unique_ptr<PoseLandmarker> pose;
  ASSERT_TRUE(PoseLandmarker::CreateFromOptions(o, &pose, &error)) << error;
  PoseLandmarkerResult r;
  ASSERT_TRUE(pose->Detect(image, &r, &error)) << error;
  ASSERT_EQ(r.pose_landmarks.size(), 1u);
  EXPECT_GT(r.presence_scores[0], 0.9f);
  const std::vector<PoseLandmark>& p = r.pose_landmarks[0];
  ASSERT_EQ(p.size(), 33u);
  // Face points within 4 px of BlazeFace's on the 96-px picture (measured:
  // nose 0.7, eyes 1.3 and 1.6, ears 1.0 and 3.0 px; the pose model's ear
  // is the whole ear, BlazeFace's the tragion).
  EXPECT_LT(Distance(p[0], k[2], w, h), 4.0f) << "nose";
  EXPECT_LT(Distance(p[2], k[1], w, h), 4.0f) << "left eye";
  EXPECT_LT(Distance(p[5], k[0], w, h), 4.0f) << "right eye";
  EXPECT_LT(Distance(p[7], k[5], w, h), 4.0f) << "left ear";
  EXPECT_LT(Distance(p[8], k[4], w, h), 4.0f) << "right ear";
  // The person faces the camera: their left side is on the picture's
  // right. Eyes, ears and shoulders not swapped.
  EXPECT_GT(p[2].x, p[5].x);
  EXPECT_GT(p[7].x, p[8].x);
  EXPECT_GT(p[11].x, p[12].x);
  // Shoulders below the mouth and the face box's centre, each beyond the
  // face box on its own side.
  for (int s : {11, 12}) {
    EXPECT_GT(p[s].y, k[3].y) << s;
    EXPECT_GT(p[s].y, (box.ymin + box.ymax) / 2) << s;
    EXPECT_GT(p[s].visibility, 0.5f) << s;
  }
  EXPECT_GT(p[11].x, box.xmax);
  EXPECT_LT(p[12].x, box.xmin);
  // Elbows below the shoulders, hips below the shoulders.
  EXPECT_GT(p[13].y, p[11].y);
  EXPECT_GT(p[14].y, p[12].y);
  EXPECT_GT(p[23].y, p[11].y);
  EXPECT_GT(p[24].y, p[12].y);
  for (int i = 0; i <= 12; ++i)
    EXPECT_GT(p[i].visibility, 0.9f) << i;  // the face and shoulders show
  // No feet in the picture: ankles, heels and toes are not visible
  // (measured 0.02 to 0.15).
  for (int i = 27; i <= 32; ++i) EXPECT_LT(p[i].visibility, 0.5f) << i;
  // World landmarks: metres around the hips; the shoulders are ~0.2-0.5 m
  // apart and above the hips (y down).
  const auto& m = r.pose_world_landmarks[0];
  const float shoulders = std::hypot(m[11].x - m[12].x, m[11].y - m[12].y);
  EXPECT_GT(shoulders, 0.2f);
  EXPECT_LT(shoulders, 0.6f);
  EXPECT_LT(m[11].y, m[23].y);
  // The person mask: the nose is on the person, the top corners are not.
  ASSERT_EQ(r.segmentation_masks.size(), 1u);
  const PoseMask& mask = r.segmentation_masks[0];
  auto at = [&](float x, float y) {
    return mask.values[static_cast<int>(y * h) * w + static_cast<int>(x * w)];
  };
  EXPECT_GT(at(p[0].x, p[0].y), 0.5f);
  EXPECT_LT(mask.values[0], 0.5f);
  EXPECT_LT(mask.values[w - 1], 0.5f);
}

TEST(PoseLandmarkerModels, SameOnEveryDelegateAndThreadCount) {
  REQUIRE_FILE(Shared(kPoseModel));
  const processing::Image image = Person();
  std::vector<PoseLandmarkerResult> results;
  for (const auto& [delegate, threads] :
       std::vector<std::pair<std::string, int>>{
           {"reference", 1}, {"cpu", 1}, {"cpu", 2}}) {
    std::unique_ptr<PoseLandmarker> p;
    std::string error;
    ASSERT_TRUE(PoseLandmarker::CreateFromOptions(Options(delegate, threads),
                                                  &p, &error))
        << error;
    PoseLandmarkerResult r;
    ASSERT_TRUE(p->Detect(image, &r, &error)) << error;
    ASSERT_EQ(r.pose_landmarks.size(), 1u) << delegate << " x" << threads;
    results.push_back(r);
  }
  for (size_t i = 1; i < results.size(); ++i) {
    EXPECT_NEAR(results[i].presence_scores[0], results[0].presence_scores[0],
                1e-4);
    const auto& a = results[0].pose_landmarks[0];
    const auto& b = results[i].pose_landmarks[0];
    const auto& aw = results[0].pose_world_landmarks[0];
    const auto& bw = results[i].pose_world_landmarks[0];
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_NEAR(a[k].x, b[k].x, 1e-4) << k;
      EXPECT_NEAR(a[k].y, b[k].y, 1e-4) << k;
      EXPECT_NEAR(a[k].z, b[k].z, 1e-4) << k;
      EXPECT_NEAR(a[k].visibility, b[k].visibility, 1e-4) << k;
      EXPECT_NEAR(a[k].presence, b[k].presence, 1e-4) << k;
      EXPECT_NEAR(aw[k].x, bw[k].x, 1e-4) << k;
      EXPECT_NEAR(aw[k].y, bw[k].y, 1e-4) << k;
      EXPECT_NEAR(aw[k].z, bw[k].z, 1e-4) << k;
    }
  }
}

TEST(PoseLandmarkerModels, WrongModelsAreClearErrors) {
  REQUIRE_FILE(Shared("mediapipe/face_landmark.tflite"));
  REQUIRE_FILE(Shared(kPoseModel));
  std::unique_ptr<PoseLandmarker> p;
  std::string error;
  PoseLandmarkerOptions o = Options("cpu", 1);
  o.base_options.model_asset_path = Shared("mediapipe/face_landmark.tflite");
  EXPECT_FALSE(PoseLandmarker::CreateFromOptions(o, &p, &error));
  EXPECT_NE(error.find("not a pose landmark model"), std::string::npos)
      << error;
  // The landmark model given as the detector.
  o = Options("cpu", 1);
  o.pose_detector_model_path = Shared(kPoseModel);
  EXPECT_FALSE(PoseLandmarker::CreateFromOptions(o, &p, &error));
  EXPECT_NE(error.find("not a pose detector"), std::string::npos) << error;
}

}  // namespace
}  // namespace ember::tasks
