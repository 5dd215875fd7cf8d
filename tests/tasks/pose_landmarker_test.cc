// PoseLandmarker without the shared models: the person's region of interest
// (MediaPipe's pose ROI), the heatmap refinement, and the whole task on tiny
// pose detector and pose landmark models built here (tiny_pose_models.h),
// whose answers are known: every expected value below is worked out
// independently of the code.
#include "tasks/pose_landmarker.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tasks/task_test_files.h"
#include "tasks/tiny_pose_models.h"

namespace ember::tasks {
namespace {

using processing::RotatedRect;
using testing_files::Solid;

constexpr float kPi = 3.14159265358979f;

std::string WriteTemp(const std::string& name,
                      const std::vector<uint8_t>& bytes) {
  return testing_files::WriteTemp("pose_landmarker_test", name, bytes);
}

float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

TEST(PoseRoi, CentredOnTheHipsUprightAndTwoAndAHalfTimesTheBodySize) {
  // 200x100 image; hips at (100, 60) px, body size point 40 px above: the
  // body stands upright (rotation 0), side 2 * 40 * 1.25.
  PoseDetection d;
  d.keypoints = {{0.5f, 0.6f}, {0.5f, 0.2f}, {0, 0}, {0, 0}};
  RotatedRect r = PoseRoiFromDetection(d, 200, 100);
  EXPECT_NEAR(r.center_x, 100, 1e-3);
  EXPECT_NEAR(r.center_y, 60, 1e-3);
  EXPECT_NEAR(r.rotation, 0, 1e-6);
  EXPECT_NEAR(r.width, 100, 1e-3);
  EXPECT_NEAR(r.height, 100, 1e-3);
  // Lying down, head to the right (+x): the region turns 90 degrees
  // (clockwise on screen: its up axis points along +x) so that the body is
  // upright in it; the distance is in pixels (30 px of a 200 px width).
  d.keypoints = {{0.5f, 0.5f}, {0.65f, 0.5f}, {0, 0}, {0, 0}};
  r = PoseRoiFromDetection(d, 200, 100);
  EXPECT_NEAR(r.rotation, kPi / 2 + 0, 1e-5);  // pi/2 + atan2(0, 30)
  EXPECT_NEAR(r.width, 2 * 30 * 1.25f, 1e-3);
  // Head down: rotation pi (normalized to [-pi, pi)).
  d.keypoints = {{0.5f, 0.2f}, {0.5f, 0.6f}, {0, 0}, {0, 0}};
  r = PoseRoiFromDetection(d, 200, 100);
  EXPECT_NEAR(std::fabs(r.rotation), kPi, 1e-5);
}

TEST(PoseRoi, WholeImage) {
  const RotatedRect r = WholeImageRoi(30, 20);
  EXPECT_FLOAT_EQ(r.center_x, 15);
  EXPECT_FLOAT_EQ(r.center_y, 10);
  EXPECT_FLOAT_EQ(r.width, 30);
  EXPECT_FLOAT_EQ(r.height, 20);
  EXPECT_FLOAT_EQ(r.rotation, 0);
}

// The refined landmark 0 of the tiny model's heatmap (4x4, +10 at row 1,
// column 2, -10 elsewhere; the 7x7 window covers all 16 cells): the
// sigmoid-weighted mean cell over the grid size.
void TinyRefinedPoint(float* u, float* v) {
  const float hi = Sigmoid(10), lo = Sigmoid(-10);
  const float sum = hi + 15 * lo;
  // Columns 0..3 on 4 rows sum to 24; rows likewise.
  *u = (2 * hi + (24 - 2) * lo) / sum / 4;
  *v = (1 * hi + (24 - 1) * lo) / sum / 4;
}

TEST(PoseHeatmap, RefinesConfidentPointsOnly) {
  std::vector<float> heat = testing::TinyPoseHeatmap();
  std::vector<float> xy = {0.0625f, 0.0625f, 0.9f, 0.1f};
  RefineLandmarksFromHeatmap(&xy, 2, heat, 4, 4, 39);
  float u, v;
  TinyRefinedPoint(&u, &v);
  EXPECT_NEAR(xy[0], u, 1e-6);
  EXPECT_NEAR(xy[1], v, 1e-6);
  // Landmark 1's channel is -10 everywhere: under 0.5, left as it is.
  EXPECT_FLOAT_EQ(xy[2], 0.9f);
  EXPECT_FLOAT_EQ(xy[3], 0.1f);
  // Outside the heatmap (or not a number): left as it is.
  xy = {1.2f, 0.5f};
  RefineLandmarksFromHeatmap(&xy, 1, heat, 4, 4, 39);
  EXPECT_FLOAT_EQ(xy[0], 1.2f);
  xy = {std::nanf(""), 1e30f};
  RefineLandmarksFromHeatmap(&xy, 1, heat, 4, 4, 39);
  EXPECT_TRUE(std::isnan(xy[0]));
  // A 3x3 kernel around cell (0, 0) does not reach column 2: the window's
  // best probability is sigmoid(-10), nothing moves.
  xy = {0.0625f, 0.0625f};
  RefineLandmarksFromHeatmap(&xy, 1, heat, 4, 4, 39, 3);
  EXPECT_FLOAT_EQ(xy[0], 0.0625f);
}

PoseLandmarkerOptions TinyOptions() {
  PoseLandmarkerOptions o;
  o.base_options.model_asset_path =
      WriteTemp("pose_landmark.tflite", testing::TinyPoseLandmarkModel());
  o.pose_detector_model_path =
      WriteTemp("pose_detector.tflite", testing::TinyPoseDetectorModel());
  return o;
}

// Landmark i of the tiny model in the `roi` (side s, turned by a):
// normalized crop coordinates -> image pixels.
void Expect(const PoseLandmark& l, float u, float v, const RotatedRect& roi,
            int w, int h, int i) {
  const float c = std::cos(roi.rotation), s = std::sin(roi.rotation);
  const float dx = (u - 0.5f) * roi.width, dy = (v - 0.5f) * roi.height;
  EXPECT_NEAR(l.x * w, roi.center_x + c * dx - s * dy, 1e-3) << i;
  EXPECT_NEAR(l.y * h, roi.center_y + s * dx + c * dy, 1e-3) << i;
}

TEST(PoseLandmarker, TinyModelsEndToEnd) {
  std::unique_ptr<PoseLandmarker> p;
  std::string error;
  PoseLandmarkerOptions o = TinyOptions();
  o.output_segmentation_masks = true;
  ASSERT_TRUE(PoseLandmarker::CreateFromOptions(o, &p, &error)) << error;
  EXPECT_EQ(p->num_model_landmarks(), 39);
  PoseLandmarkerResult r;
  // 224x224: the detector's input, no letterbox; red 204: pose flag 0.8
  // (the region lies inside the picture, so the crop is uniform).
  ASSERT_TRUE(p->Detect(Solid(224, 224, 204, 0, 0), &r, &error)) << error;
  ASSERT_EQ(r.pose_landmarks.size(), 1u);
  ASSERT_EQ(r.detections.size(), 1u);
  EXPECT_NEAR(r.presence_scores[0], 0.8f, 1e-4);
  const float c0 = testing::kTinyPoseAnchorCenter * 224;  // 116 px
  // Keypoints decoded: hips on the anchor, body point (+20, -20) px.
  ASSERT_EQ(r.detections[0].keypoints.size(), 4u);
  EXPECT_NEAR(r.detections[0].keypoints[0].x * 224, c0, 1e-3);
  EXPECT_NEAR(r.detections[0].keypoints[1].x * 224, c0 + 20, 1e-3);
  EXPECT_NEAR(r.detections[0].keypoints[1].y * 224, c0 - 20, 1e-3);
  EXPECT_NEAR(r.detections[0].keypoints[3].y * 224, c0 - 30, 1e-3);
  EXPECT_NEAR(r.detections[0].box.xmax * 224, c0 + 24, 1e-3);
  // The region: centred on the hips, the (20, -20) vector at -45 degrees
  // turns it by 90 - 45 degrees; side 2.5 * 20 * sqrt(2).
  const RotatedRect& roi = r.pose_rois[0];
  EXPECT_NEAR(roi.center_x, c0, 1e-3);
  EXPECT_NEAR(roi.center_y, c0, 1e-3);
  EXPECT_NEAR(roi.rotation, kPi / 4, 1e-5);
  EXPECT_NEAR(roi.width, 2.5f * 20 * std::sqrt(2.0f), 1e-3);
  EXPECT_NEAR(roi.height, roi.width, 1e-3);
  ASSERT_EQ(r.pose_landmarks[0].size(), 33u);
  ASSERT_EQ(r.pose_world_landmarks[0].size(), 33u);
  const std::vector<float> t = testing::TinyPoseLandmarks();
  const std::vector<float> w = testing::TinyPoseWorld();
  const float c = std::cos(kPi / 4), s = std::sin(kPi / 4);
  for (int k = 0; k < 33; ++k) {
    const PoseLandmark& l = r.pose_landmarks[0][k];
    float u = t[5 * k] / 8, v = t[5 * k + 1] / 8;
    if (k == 0) TinyRefinedPoint(&u, &v);  // the heatmap moved it
    Expect(l, u, v, roi, 224, 224, k);
    // z: input pixels / input width, on the region's scale.
    EXPECT_NEAR(l.z, t[5 * k + 2] / 8 * roi.width / 224, 1e-5) << k;
    EXPECT_NEAR(l.visibility, Sigmoid(2.0f), 1e-5) << k;
    EXPECT_NEAR(l.presence, Sigmoid(-1.0f), 1e-5) << k;
    // World landmarks: metres, turned with the region, z as it is; the
    // screen landmark's visibility and presence.
    const PoseLandmark& m = r.pose_world_landmarks[0][k];
    EXPECT_NEAR(m.x, c * w[3 * k] - s * w[3 * k + 1], 1e-6) << k;
    EXPECT_NEAR(m.y, s * w[3 * k] + c * w[3 * k + 1], 1e-6) << k;
    EXPECT_NEAR(m.z, w[3 * k + 2], 1e-6) << k;
    EXPECT_NEAR(m.visibility, l.visibility, 1e-6) << k;
  }
  // The mask: sigmoid(2) inside the region, 0 outside it.
  ASSERT_EQ(r.segmentation_masks.size(), 1u);
  const PoseMask& mask = r.segmentation_masks[0];
  ASSERT_EQ(mask.width, 224);
  ASSERT_EQ(mask.height, 224);
  EXPECT_NEAR(mask.values[116 * 224 + 116], Sigmoid(2.0f), 1e-5);
  EXPECT_EQ(mask.values[0], 0.0f);
  EXPECT_EQ(mask.values[116 * 224 + 200], 0.0f);  // 84 px right: outside
  // Dark: flag 0 < 0.5, no pose.
  ASSERT_TRUE(p->Detect(Solid(224, 224, 0, 0, 0), &r, &error)) << error;
  EXPECT_TRUE(r.pose_landmarks.empty());
  EXPECT_TRUE(r.detections.empty());
}

TEST(PoseLandmarker, WholeImageWithoutDetector) {
  PoseLandmarkerOptions o = TinyOptions();
  o.pose_detector_model_path.clear();
  // A 16x8 picture: the region is widened to the square input, 16x16
  // around (8, 4); half the crop lies outside the picture, where the edge
  // pixels repeat (MediaPipe's replicate border), so the flag stays 0.8
  // (with a zero border it would be 0.4).
  std::unique_ptr<PoseLandmarker> p;
  std::string error;
  ASSERT_TRUE(PoseLandmarker::CreateFromOptions(o, &p, &error)) << error;
  PoseLandmarkerResult r;
  ASSERT_TRUE(p->Detect(Solid(16, 8, 204, 0, 0), &r, &error)) << error;
  ASSERT_EQ(r.pose_landmarks.size(), 1u);
  EXPECT_TRUE(r.detections.empty());
  EXPECT_NEAR(r.presence_scores[0], 0.8f, 1e-3);
  const RotatedRect& roi = r.pose_rois[0];
  EXPECT_FLOAT_EQ(roi.center_x, 8);
  EXPECT_FLOAT_EQ(roi.center_y, 4);
  EXPECT_FLOAT_EQ(roi.width, 16);
  EXPECT_FLOAT_EQ(roi.height, 16);
  const std::vector<float> t = testing::TinyPoseLandmarks();
  for (int k = 1; k < 33; ++k) {
    const PoseLandmark& l = r.pose_landmarks[0][k];
    EXPECT_NEAR(l.x * 16, 8 + (t[5 * k] / 8 - 0.5f) * 16, 1e-4) << k;
    EXPECT_NEAR(l.y * 8, 4 + (t[5 * k + 1] / 8 - 0.5f) * 16, 1e-4) << k;
  }
  // A region given by the caller: 4x4 around (4, 4), upright.
  PoseLandmarkerResult given;
  ASSERT_TRUE(p->DetectInRoi(Solid(16, 8, 204, 0, 0),
                             RotatedRect{4, 4, 4, 4, 0}, &given, &error))
      << error;
  ASSERT_EQ(given.pose_landmarks.size(), 1u);
  Expect(given.pose_landmarks[0][9], t[45] / 8, t[46] / 8, given.pose_rois[0],
         16, 8, 9);
  // An empty or non-finite region is an error, not a crash.
  EXPECT_FALSE(p->DetectInRoi(Solid(16, 8, 204, 0, 0),
                              RotatedRect{4, 4, 0, 0, 0}, &given, &error));
  EXPECT_NE(error.find("empty"), std::string::npos) << error;
  EXPECT_FALSE(p->DetectInRoi(Solid(16, 8, 204, 0, 0),
                              RotatedRect{4, 4, 4, 4, std::nanf("")}, &given,
                              &error));
  // Without a detector, its stage alone is an error.
  std::vector<PoseDetection> poses;
  EXPECT_FALSE(p->DetectPoses(Solid(16, 8, 0, 0, 0), &poses, &error));
  EXPECT_NE(error.find("no pose detector"), std::string::npos) << error;
}

TEST(PoseLandmarker, ErrorsNameWhatIsWrong) {
  std::unique_ptr<PoseLandmarker> p;
  std::string error;
  PoseLandmarkerOptions o = TinyOptions();
  std::swap(o.base_options.model_asset_path, o.pose_detector_model_path);
  EXPECT_FALSE(PoseLandmarker::CreateFromOptions(o, &p, &error));
  EXPECT_NE(error.find("not a pose detector"), std::string::npos) << error;
  o = TinyOptions();
  o.base_options.model_asset_path = o.pose_detector_model_path;
  EXPECT_FALSE(PoseLandmarker::CreateFromOptions(o, &p, &error));
  EXPECT_NE(error.find("not a pose landmark model"), std::string::npos)
      << error;
  // A hand-shaped model (other output count) is not a pose model either.
  o = TinyOptions();
  o.pose_detector_model_path.clear();
  o.base_options.model_asset_path =
      WriteTemp("face.tflite", testing::TinyFaceLandmarkModel());
  EXPECT_FALSE(PoseLandmarker::CreateFromOptions(o, &p, &error));
  EXPECT_NE(error.find("not a pose landmark model"), std::string::npos)
      << error;
  o = TinyOptions();
  o.base_options.model_asset_path = "/nonexistent/pose_landmark.tflite";
  EXPECT_FALSE(PoseLandmarker::CreateFromOptions(o, &p, &error));
  EXPECT_NE(error.find("/nonexistent/pose_landmark.tflite"), std::string::npos)
      << error;
  o = TinyOptions();
  o.num_poses = 0;
  EXPECT_FALSE(PoseLandmarker::CreateFromOptions(o, &p, &error));
  EXPECT_NE(error.find("num_poses"), std::string::npos) << error;
}

}  // namespace
}  // namespace ember::tasks
