// HandLandmarker on the shared models (label "models", run by
// scripts/ci_extra.sh): palm_detection_lite + hand_landmark_lite. The
// shared pictures have no hand in them: at the default thresholds none is
// found; with the palm threshold lowered the detector picks a few regions
// and the landmark model runs on them, which must give the same numbers on
// the reference kernels (the oracle) and the optimized ones on 1 and 2
// threads. The model against LiteRT: python/tests/test_hand_landmarker.py.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "processing/image.h"
#include "shared_models.h"
#include "tasks/hand_landmarker.h"

namespace ember::tasks {
namespace {

using testing_files::Shared;

processing::Image Load(const std::string& rel, bool tflm_bmp) {
  processing::Image im;
  std::string error;
  EXPECT_TRUE(processing::ReadImageFile(Shared(rel), &im, &error)) << error;
  if (tflm_bmp)  // int8 pixels stored as bytes (see task_models_test.cc)
    for (uint8_t& p : im.pixels) p ^= 0x80;
  return im;
}

HandLandmarkerOptions Options(const std::string& delegate, int threads) {
  HandLandmarkerOptions o;
  o.base_options.model_asset_path =
      Shared("mediapipe/hand_landmark_lite.tflite");
  o.base_options.delegate = delegate;
  o.base_options.num_threads = threads;
  o.hand_detector_model_path = Shared("mediapipe/palm_detection_lite.tflite");
  return o;
}

TEST(HandLandmarkerModels, NoHandInTheSharedPictures) {
  REQUIRE_FILE(Shared("mediapipe/hand_landmark_lite.tflite"));
  REQUIRE_FILE(Shared("mediapipe/palm_detection_lite.tflite"));
  std::unique_ptr<HandLandmarker> h;
  std::string error;
  ASSERT_TRUE(HandLandmarker::CreateFromOptions(Options("cpu", 1), &h, &error))
      << error;
  for (const auto& [rel, bmp] : std::vector<std::pair<std::string, bool>>{
           {"data/images/person.bmp", true},
           {"data/images/dino.jpg", false},
           {"data/images/input.jpg", false}}) {
    HandLandmarkerResult r;
    ASSERT_TRUE(h->Detect(Load(rel, bmp), &r, &error)) << error;
    EXPECT_TRUE(r.hand_landmarks.empty()) << rel;
  }
}

TEST(HandLandmarkerModels, SameOnEveryDelegateAndThreadCount) {
  REQUIRE_FILE(Shared("mediapipe/hand_landmark_lite.tflite"));
  REQUIRE_FILE(Shared("mediapipe/palm_detection_lite.tflite"));
  const processing::Image image = Load("data/images/person.bmp", true);
  std::vector<HandLandmarkerResult> results;
  for (const auto& [delegate, threads] :
       std::vector<std::pair<std::string, int>>{
           {"reference", 1}, {"cpu", 1}, {"cpu", 2}}) {
    HandLandmarkerOptions o = Options(delegate, threads);
    o.num_hands = 2;
    o.min_hand_detection_confidence = 0.02f;  // no real hand: take regions
    o.min_hand_presence_confidence = 0.0f;
    std::unique_ptr<HandLandmarker> h;
    std::string error;
    ASSERT_TRUE(HandLandmarker::CreateFromOptions(o, &h, &error)) << error;
    HandLandmarkerResult r;
    ASSERT_TRUE(h->Detect(image, &r, &error)) << error;
    ASSERT_GE(r.hand_landmarks.size(), 1u) << delegate << " x" << threads;
    results.push_back(r);
  }
  for (size_t i = 1; i < results.size(); ++i) {
    ASSERT_EQ(results[i].hand_landmarks.size(),
              results[0].hand_landmarks.size());
    for (size_t f = 0; f < results[0].hand_landmarks.size(); ++f) {
      EXPECT_NEAR(results[i].presence_scores[f], results[0].presence_scores[f],
                  1e-4);
      EXPECT_EQ(results[i].handedness[f].category_name,
                results[0].handedness[f].category_name);
      const auto& a = results[0].hand_landmarks[f];
      const auto& b = results[i].hand_landmarks[f];
      // 5e-4 of the 96-pixel picture: 0.05 pixel (float summation order;
      // measured up to 1.1e-4 on these non-hand regions).
      for (size_t k = 0; k < a.size(); ++k) {
        EXPECT_NEAR(a[k].x, b[k].x, 5e-4) << k;
        EXPECT_NEAR(a[k].y, b[k].y, 5e-4) << k;
      }
    }
  }
}

}  // namespace
}  // namespace ember::tasks
