// FaceLandmarker without the shared models: the region-of-interest
// geometry, the rotated crop against a direct computation, the projection
// back, and the whole task on tiny models built here (tiny_face_models.h)
// whose answers are known, so every expected value below is worked out
// independently of the code under test.
#include "tasks/face_landmarker.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "processing/rotated_crop.h"
#include "tasks/task_test_files.h"
#include "tasks/tiny_face_models.h"

namespace ember::tasks {
namespace {

using processing::Image;
using processing::RotatedRect;
using testing_files::Solid;

constexpr float kPi = 3.14159265358979f;

std::string WriteTemp(const std::string& name,
                      const std::vector<uint8_t>& bytes) {
  return testing_files::WriteTemp("face_landmarker_test", name, bytes);
}

FaceDetection Detection(float xmin, float ymin, float xmax, float ymax,
                        Keypoint right_eye, Keypoint left_eye) {
  FaceDetection d;
  d.normalized_box = {xmin, ymin, xmax, ymax};
  d.keypoints = {right_eye, left_eye};
  return d;
}

TEST(FaceRoi, SquareOnTheLongSideEnlargedAndLevelledByTheEyes) {
  // 200x100 image; box 40 px wide, 20 px high, centred at (60, 40).
  FaceDetection d =
      Detection(0.2f, 0.3f, 0.4f, 0.5f, {0.25f, 0.4f}, {0.35f, 0.4f});
  RotatedRect r = FaceRoiFromDetection(d, 200, 100);
  EXPECT_FLOAT_EQ(r.center_x, 60);
  EXPECT_FLOAT_EQ(r.center_y, 40);
  EXPECT_FLOAT_EQ(r.width, 60);  // 40 * 1.5, square
  EXPECT_FLOAT_EQ(r.height, 60);
  EXPECT_NEAR(r.rotation, 0, 1e-6);  // eyes level
  // Left eye 20 px right and 20 px below the right one (pixels, not
  // normalized units: 0.1 of 200 and 0.2 of 100): 45 degrees clockwise.
  d.keypoints = {{0.25f, 0.3f}, {0.35f, 0.5f}};
  EXPECT_NEAR(FaceRoiFromDetection(d, 200, 100).rotation, kPi / 4, 1e-5);
  // The face upside down: the left eye on the picture's left.
  d.keypoints = {{0.35f, 0.4f}, {0.25f, 0.4f}};
  EXPECT_NEAR(std::fabs(FaceRoiFromDetection(d, 200, 100).rotation), kPi, 1e-5);
  // A tall box: the height sets the side.
  d = Detection(0.1f, 0.1f, 0.2f, 0.9f, {0.1f, 0.5f}, {0.2f, 0.5f});
  EXPECT_FLOAT_EQ(FaceRoiFromDetection(d, 100, 100).width, 120);
}

TEST(RotatedCrop, RectToSourceAndBackRoundTrip) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> U(-3, 3);
  for (int i = 0; i < 200; ++i) {
    RotatedRect r{50 + 10 * U(rng), 40 + 10 * U(rng), 20 + 5 * U(rng),
                  30 + 5 * U(rng), U(rng)};
    const float u = U(rng), v = U(rng);
    float x, y, u2, v2;
    processing::RectToSource(r, u, v, &x, &y);
    processing::SourceToRect(r, x, y, &u2, &v2);
    EXPECT_NEAR(u2, u, 1e-4);
    EXPECT_NEAR(v2, v, 1e-4);
  }
  // Corners: a 90-degree turn takes the rect's top-left corner to the
  // source's top-right of the centre (y points down).
  RotatedRect r{10, 20, 4, 2, kPi / 2};
  float x, y;
  processing::RectToSource(r, 0, 0, &x, &y);
  EXPECT_NEAR(x, 11, 1e-5);  // centre + (1, -2)
  EXPECT_NEAR(y, 18, 1e-5);
}

// A picture whose channels are linear in x and y: bilinear sampling of it
// is exact inside, so every crop pixel is known from the rect alone.
Image Gradient(int w, int h) {
  Image im(w, h, 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      im.at(x, y)[0] = static_cast<uint8_t>(2 * x);
      im.at(x, y)[1] = static_cast<uint8_t>(3 * y);
      im.at(x, y)[2] = 77;
    }
  return im;
}

TEST(RotatedCrop, WarpMatchesADirectComputation) {
  const Image src = Gradient(100, 80);
  const RotatedRect r{50, 40, 30, 24, 0.3f};
  const int W = 15, H = 12;
  const Image crop = processing::WarpRotatedRect(src, r, W, H);
  ASSERT_EQ(crop.width, W);
  ASSERT_EQ(crop.height, H);
  const float c = std::cos(0.3f), s = std::sin(0.3f);
  for (int j = 0; j < H; ++j)
    for (int i = 0; i < W; ++i) {
      // Output pixel corner (i, j) is the rect point (i/W, j/H).
      const float dx = (static_cast<float>(i) / W - 0.5f) * 30;
      const float dy = (static_cast<float>(j) / H - 0.5f) * 24;
      const float x = 50 + c * dx - s * dy, y = 40 + s * dx + c * dy;
      EXPECT_NEAR(crop.at(i, j)[0], 2 * x, 0.51) << i << "," << j;
      EXPECT_NEAR(crop.at(i, j)[1], 3 * y, 0.51) << i << "," << j;
      EXPECT_EQ(crop.at(i, j)[2], 77);
    }
}

TEST(RotatedCrop, BordersOutsideTheImage) {
  const Image src = Solid(10, 10, 200, 100, 50);
  // Entirely to the right of the image.
  const RotatedRect r{30, 5, 4, 4, 0.2f};
  const Image zero = processing::WarpRotatedRect(src, r, 4, 4);
  for (uint8_t p : zero.pixels) EXPECT_EQ(p, 0);
  const Image rep =
      processing::WarpRotatedRect(src, r, 4, 4, processing::Border::kReplicate);
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(rep.pixels[3 * i], 200);
    EXPECT_EQ(rep.pixels[3 * i + 2], 50);
  }
  // Half out (zero border): the left column inside, bright; the right out.
  const Image half =
      processing::WarpRotatedRect(src, RotatedRect{10, 5, 8, 4, 0}, 8, 4);
  EXPECT_EQ(half.at(1, 1)[0], 200);
  EXPECT_EQ(half.at(7, 1)[0], 0);
  // Hostile rects (huge, NaN) give zeros, not a crash.
  const Image nan =
      processing::WarpRotatedRect(src, RotatedRect{NAN, 5, 1e30f, 4, 1}, 3, 3);
  for (uint8_t p : nan.pixels) EXPECT_EQ(p, 0);
}

TEST(FaceLandmarks, ProjectThroughTheRect) {
  const RotatedRect roi{68, 40, 48, 48, 0.5f};
  const std::vector<float> values = {0, 0, 0, 192, 96, 19.2f};
  const auto l = ProjectLandmarks(values, 2, 192, 192, roi, 160, 80);
  ASSERT_EQ(l.size(), 2u);
  const float c = std::cos(0.5f), s = std::sin(0.5f);
  // (0, 0): the rect's top-left corner, offset (-24, -24) turned.
  EXPECT_NEAR(l[0].x * 160, 68 + c * -24 - s * -24, 1e-3);
  EXPECT_NEAR(l[0].y * 80, 40 + s * -24 + c * -24, 1e-3);
  // (192, 96): the middle of the right edge, offset (24, 0) turned.
  EXPECT_NEAR(l[1].x * 160, 68 + c * 24, 1e-3);
  EXPECT_NEAR(l[1].y * 80, 40 + s * 24, 1e-3);
  // z: 19.2 of 192 input pixels = 0.1 of the rect = 4.8 px = 0.03 of 160.
  EXPECT_NEAR(l[1].z, 0.03f, 1e-6);
}

FaceLandmarkerOptions TinyOptions() {
  FaceLandmarkerOptions o;
  o.base_options.model_asset_path =
      WriteTemp("landmark.tflite", testing::TinyFaceLandmarkModel());
  o.face_detector_model_path =
      WriteTemp("detector.tflite", testing::TinyFaceDetectorModel());
  return o;
}

TEST(FaceLandmarker, TinyModelsEndToEnd) {
  std::unique_ptr<FaceLandmarker> lm;
  std::string error;
  ASSERT_TRUE(FaceLandmarker::CreateFromOptions(TinyOptions(), &lm, &error))
      << error;
  EXPECT_EQ(lm->num_landmarks(), 4);
  FaceLandmarkerResult r;
  // 128x128: the detector's input, no letterbox. Bright red: present.
  ASSERT_TRUE(lm->Detect(Solid(128, 128, 200, 10, 10), &r, &error)) << error;
  ASSERT_EQ(r.face_landmarks.size(), 1u);
  // Face flag 10 * 200/255 - 5, through a sigmoid (the crop is inside the
  // image, so uniform).
  EXPECT_NEAR(r.presence_scores[0],
              1 / (1 + std::exp(-(10 * 200 / 255.0f - 5))), 1e-4);
  // The ROI: the anchor's centre (68, 68), side 32 * 1.5, turned by the
  // eye line (16 px right, 8 px down).
  const float cx = testing::kTinyFaceAnchorCenter * 128;
  const float angle = std::atan2(8.0f, 16.0f);
  const RotatedRect& roi = r.face_rois[0];
  EXPECT_NEAR(roi.center_x, cx, 1e-3);
  EXPECT_NEAR(roi.center_y, cx, 1e-3);
  EXPECT_NEAR(roi.width, 48, 1e-3);
  EXPECT_NEAR(roi.rotation, angle, 1e-5);
  const std::vector<float> t = testing::TinyLandmarks();
  const float c = std::cos(angle), s = std::sin(angle);
  for (int k = 0; k < 4; ++k) {
    const float dx = (t[3 * k] / 8 - 0.5f) * 48;
    const float dy = (t[3 * k + 1] / 8 - 0.5f) * 48;
    const NormalizedLandmark& l = r.face_landmarks[0][k];
    EXPECT_NEAR(l.x * 128, cx + c * dx - s * dy, 1e-3) << k;
    EXPECT_NEAR(l.y * 128, cx + s * dx + c * dy, 1e-3) << k;
    EXPECT_NEAR(l.z, t[3 * k + 2] / 8 * 48 / 128, 1e-5) << k;
  }
  // Dark: the landmark model says no face (0.0067 < 0.5), so none.
  ASSERT_TRUE(lm->Detect(Solid(128, 128, 0, 0, 0), &r, &error)) << error;
  EXPECT_TRUE(r.face_landmarks.empty());
}

TEST(FaceLandmarker, NonSquareImagesMapBackToTheirOwnPixels) {
  std::unique_ptr<FaceLandmarker> lm;
  std::string error;
  ASSERT_TRUE(FaceLandmarker::CreateFromOptions(TinyOptions(), &lm, &error))
      << error;
  // 256 wide, 128 high: letterboxed into the detector's 128x128 (scale
  // 0.5, 32 px bars top and bottom), so the face is at twice the
  // detector's coordinates, the bars removed.
  FaceLandmarkerResult r;
  ASSERT_TRUE(lm->Detect(Solid(256, 128, 255, 0, 0), &r, &error)) << error;
  ASSERT_EQ(r.face_landmarks.size(), 1u);
  const RotatedRect& roi = r.face_rois[0];
  EXPECT_NEAR(roi.center_x, 68 * 2, 1e-2);
  EXPECT_NEAR(roi.center_y, (68 - 32) * 2, 1e-2);
  EXPECT_NEAR(roi.width, 96, 1e-2);
  // Landmark 3 sits at the rect's centre (4, 4 of 8).
  EXPECT_NEAR(r.face_landmarks[0][3].x * 256, 136, 1e-2);
  EXPECT_NEAR(r.face_landmarks[0][3].y * 128, 72, 1e-2);
}

TEST(FaceLandmarker, ErrorsNameWhatIsWrong) {
  std::unique_ptr<FaceLandmarker> lm;
  std::string error;
  FaceLandmarkerOptions o = TinyOptions();
  o.base_options.model_asset_path =
      WriteTemp("three.tflite", testing::TinyFaceLandmarkModel(3));
  EXPECT_FALSE(FaceLandmarker::CreateFromOptions(o, &lm, &error));
  EXPECT_NE(error.find("not a face landmark model"), std::string::npos)
      << error;
  o = TinyOptions();
  o.face_detector_model_path = "/nonexistent/detector.tflite";
  EXPECT_FALSE(FaceLandmarker::CreateFromOptions(o, &lm, &error));
  EXPECT_NE(error.find("/nonexistent/detector.tflite"), std::string::npos)
      << error;
  o = TinyOptions();
  o.face_detector_model_path.clear();
  EXPECT_FALSE(FaceLandmarker::CreateFromOptions(o, &lm, &error));
  EXPECT_NE(error.find("detector"), std::string::npos) << error;
  o = TinyOptions();
  o.num_faces = 0;
  EXPECT_FALSE(FaceLandmarker::CreateFromOptions(o, &lm, &error));
  // The landmark model as the detector: not a BlazeFace model.
  o = TinyOptions();
  o.face_detector_model_path = o.base_options.model_asset_path;
  EXPECT_FALSE(FaceLandmarker::CreateFromOptions(o, &lm, &error));
  EXPECT_NE(error.find("BlazeFace"), std::string::npos) << error;
}

}  // namespace
}  // namespace ember::tasks
