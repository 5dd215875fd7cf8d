// HandLandmarker without the shared models: the palm's region of interest
// (MediaPipe's hand ROI), and the whole task on tiny palm detector and hand
// landmark models built here (tiny_hand_models.h), whose answers are known:
// every expected value below is worked out independently of the code.
#include "tasks/hand_landmarker.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tasks/landmark_roi.h"
#include "tasks/task_test_files.h"
#include "tasks/tiny_hand_models.h"

namespace ember::tasks {
namespace {

using processing::RotatedRect;
using testing_files::Solid;

constexpr float kPi = 3.14159265358979f;
// MediaPipe Tasks' hand ROI target angle: 90 radians, i.e. 90 - 28 pi
// (2.0354 rad) in [-pi, pi) (see PalmRoiOptions).
constexpr float kTarget = 90.0f - 28 * kPi;

std::string WriteTemp(const std::string& name,
                      const std::vector<uint8_t>& bytes) {
  return testing_files::WriteTemp("hand_landmarker_test", name, bytes);
}

TEST(PalmRoi, TurnedByTheWristToKnuckleVectorShiftedAndEnlarged) {
  // A 40x20 px box centred at (100, 50) on a 200x100 image; the wrist below
  // the knuckle (the vector points up: -pi/2).
  const NormalizedBox box{0.4f, 0.4f, 0.6f, 0.6f};
  std::vector<Keypoint> k(7);
  k[0] = {0.5f, 0.55f};
  k[2] = {0.5f, 0.45f};
  RotatedRect r = RoiFromDetection(box, k, PalmRoiOptions(), 200, 100);
  float a = kTarget - kPi / 2;
  EXPECT_NEAR(r.rotation, a, 1e-5);
  // Half the box height (10 px) along the region's -y axis.
  EXPECT_NEAR(r.center_x, 100 + std::sin(a) * 10, 1e-3);
  EXPECT_NEAR(r.center_y, 50 - std::cos(a) * 10, 1e-3);
  EXPECT_NEAR(r.width, 40 * 2.6f, 1e-3);  // the long side
  EXPECT_NEAR(r.height, 40 * 2.6f, 1e-3);
  // The vector pointing right (0): the target angle itself.
  k[0] = {0.45f, 0.5f};
  k[2] = {0.55f, 0.5f};
  r = RoiFromDetection(box, k, PalmRoiOptions(), 200, 100);
  a = kTarget;
  EXPECT_NEAR(r.rotation, a, 1e-5);
  EXPECT_NEAR(r.center_x, 100 + std::sin(a) * 10, 1e-3);
  EXPECT_NEAR(r.center_y, 50 - std::cos(a) * 10, 1e-3);
}

HandLandmarkerOptions TinyOptions() {
  HandLandmarkerOptions o;
  o.base_options.model_asset_path =
      WriteTemp("hand.tflite", testing::TinyHandLandmarkModel());
  o.hand_detector_model_path =
      WriteTemp("palm.tflite", testing::TinyPalmDetectorModel());
  return o;
}

TEST(HandLandmarker, TinyModelsEndToEnd) {
  std::unique_ptr<HandLandmarker> h;
  std::string error;
  ASSERT_TRUE(HandLandmarker::CreateFromOptions(TinyOptions(), &h, &error))
      << error;
  HandLandmarkerResult r;
  // 192x192: the palm detector's input, no letterbox; red 204: presence
  // 0.8 (the crop lies inside the picture, so it is uniform).
  ASSERT_TRUE(h->Detect(Solid(192, 192, 204, 0, 0), &r, &error)) << error;
  ASSERT_EQ(r.hand_landmarks.size(), 1u);
  EXPECT_NEAR(r.presence_scores[0], 0.8f, 1e-4);
  // Handedness 0.2 is the score of "Right": "Left", 0.8.
  EXPECT_EQ(r.handedness[0].category_name, "Left");
  EXPECT_EQ(r.handedness[0].index, 1);
  EXPECT_NEAR(r.handedness[0].score, 0.8f, 1e-5);
  // The ROI: the wrist -> knuckle vector (16, -16) is at -45 degrees, so
  // the region turns by the target angle minus 45 degrees; its
  // centre moves half the 24 px box along the fingers; side 24 * 2.6.
  const float a = kTarget - kPi / 4;
  const float c0 = testing::kTinyPalmAnchorCenter * 192;
  const RotatedRect& roi = r.hand_rois[0];
  EXPECT_NEAR(roi.rotation, a, 1e-5);
  EXPECT_NEAR(roi.center_x, c0 + std::sin(a) * 12, 1e-3);
  EXPECT_NEAR(roi.center_y, c0 - std::cos(a) * 12, 1e-3);
  EXPECT_NEAR(roi.width, 62.4f, 1e-3);
  const std::vector<float> t = testing::TinyHandLandmarks();
  const std::vector<float> w = testing::TinyHandWorld();
  const float c = std::cos(a), s = std::sin(a);
  ASSERT_EQ(r.hand_landmarks[0].size(), 21u);
  for (int k = 0; k < 21; ++k) {
    const float dx = (t[3 * k] / 8 - 0.5f) * 62.4f;
    const float dy = (t[3 * k + 1] / 8 - 0.5f) * 62.4f;
    const NormalizedLandmark& l = r.hand_landmarks[0][k];
    EXPECT_NEAR(l.x * 192, roi.center_x + c * dx - s * dy, 1e-3) << k;
    EXPECT_NEAR(l.y * 192, roi.center_y + s * dx + c * dy, 1e-3) << k;
    // z: input pixels / width / 0.4, on the region's scale.
    EXPECT_NEAR(l.z, t[3 * k + 2] / 8 / 0.4f * 62.4f / 192, 1e-5) << k;
    // World landmarks: metres, turned with the region, z as it is.
    const WorldLandmark& m = r.hand_world_landmarks[0][k];
    EXPECT_NEAR(m.x, c * w[3 * k] - s * w[3 * k + 1], 1e-6) << k;
    EXPECT_NEAR(m.y, s * w[3 * k] + c * w[3 * k + 1], 1e-6) << k;
    EXPECT_NEAR(m.z, w[3 * k + 2], 1e-6) << k;
  }
  // Dark: presence 0 < 0.5, no hand.
  ASSERT_TRUE(h->Detect(Solid(192, 192, 0, 0, 0), &r, &error)) << error;
  EXPECT_TRUE(r.hand_landmarks.empty());
}

TEST(HandLandmarker, ErrorsNameWhatIsWrong) {
  std::unique_ptr<HandLandmarker> h;
  std::string error;
  HandLandmarkerOptions o = TinyOptions();
  std::swap(o.base_options.model_asset_path, o.hand_detector_model_path);
  EXPECT_FALSE(HandLandmarker::CreateFromOptions(o, &h, &error));
  EXPECT_NE(error.find("not a palm detector"), std::string::npos) << error;
  o = TinyOptions();
  o.base_options.model_asset_path = o.hand_detector_model_path;
  EXPECT_FALSE(HandLandmarker::CreateFromOptions(o, &h, &error));
  EXPECT_NE(error.find("not a hand landmark model"), std::string::npos)
      << error;
  o = TinyOptions();
  o.hand_detector_model_path.clear();
  EXPECT_FALSE(HandLandmarker::CreateFromOptions(o, &h, &error));
  EXPECT_NE(error.find("palm"), std::string::npos) << error;
  o = TinyOptions();
  o.num_hands = 0;
  EXPECT_FALSE(HandLandmarker::CreateFromOptions(o, &h, &error));
}

}  // namespace
}  // namespace ember::tasks
