// The task library on the real models and data in ../shared/models (CI
// only: scripts/ci_extra.sh; label "models"). What each task must find:
//   ImageClassifier  person_detect: person.bmp -> person, no_person.bmp ->
//                    no_person (the model has no metadata: labels given);
//   FaceDetector     BlazeFace short range: one face in person.bmp, where
//                    the face is; none in dino.jpg (a dinosaur skeleton);
//   ImageSegmenter   selfie segmentation: the mask covers the person in
//                    person.bmp (centre) and not the ceiling (corners);
//   KeywordSpotter   micro_speech: "yes" and "no" in the 1 s clips,
//                    silence in the silent clip.
// Models missing from the directory are skipped (GTEST_SKIP), named, or
// fail with EMBER_REQUIRE_SHARED_MODELS=1 (scripts/ci_extra.sh).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "processing/audio.h"
#include "processing/image.h"
#include "shared_models.h"
#include "tasks/face_detector.h"
#include "tasks/image_classifier.h"
#include "tasks/image_segmenter.h"
#include "tasks/keyword_spotter.h"

namespace ember::tasks {
namespace {

using testing_files::Shared;

processing::Image Load(const std::string& rel) {
  processing::Image im;
  std::string error;
  EXPECT_TRUE(processing::ReadImageFile(Shared(rel), &im, &error)) << error;
  return im;
}

// TFLM's person/no_person BMPs hold the bytes of the int8 test images
// (pixel - 128) as they are, so dark pixels wrapped to bright: flipping the
// top bit gives the real picture back (checked against TFLM: person_detect
// scores the flipped person.bmp 0.94 person, the file as is 0.52 no person).
processing::Image LoadTflmBmp(const std::string& rel) {
  processing::Image im = Load(rel);
  for (uint8_t& p : im.pixels) p ^= 0x80;
  return im;
}

TEST(TaskModels, PersonDetectClassifiesPersonAndNoPerson) {
  const std::string model = Shared("tflm/person_detect.tflite");
  REQUIRE_FILE(model);
  ImageClassifierOptions o;
  o.base_options.model_asset_path = model;
  o.labels = {"no_person", "person"};  // TFLM's order; no metadata
  std::unique_ptr<ImageClassifier> c;
  std::string error;
  ASSERT_TRUE(ImageClassifier::CreateFromOptions(o, &c, &error)) << error;
  for (const char* name : {"person", "no_person"}) {
    ClassificationResult r;
    ASSERT_TRUE(c->Classify(
        LoadTflmBmp(std::string("data/images/") + name + ".bmp"), &r, &error))
        << error;
    const auto& top = r.classifications[0].categories[0];
    EXPECT_EQ(top.category_name, name) << "score " << top.score;
    EXPECT_GT(top.score, 0.5f);
  }
}

TEST(TaskModels, BlazeFaceFindsTheFace) {
  const std::string model =
      Shared("mediapipe/face_detection_short_range.tflite");
  REQUIRE_FILE(model);
  FaceDetectorOptions o;
  o.base_options.model_asset_path = model;
  std::unique_ptr<FaceDetector> d;
  std::string error;
  ASSERT_TRUE(FaceDetector::CreateFromOptions(o, &d, &error)) << error;
  FaceDetectorResult r;
  ASSERT_TRUE(d->Detect(LoadTflmBmp("data/images/person.bmp"), &r, &error))
      << error;
  ASSERT_EQ(r.detections.size(), 1u);
  const FaceDetection& f = r.detections[0];
  // The face in person.bmp (96x96): about x 40..62, y 14..42.
  const float cx = f.bounding_box.origin_x + f.bounding_box.width / 2.0f;
  const float cy = f.bounding_box.origin_y + f.bounding_box.height / 2.0f;
  EXPECT_NEAR(cx, 51, 8);
  EXPECT_NEAR(cy, 28, 10);
  EXPECT_GT(f.bounding_box.width, 10);
  EXPECT_LT(f.bounding_box.width, 40);
  ASSERT_EQ(f.keypoints.size(), 6u);
  // Right eye (the person's right: the picture's left) left of the left eye,
  // both above the mouth.
  EXPECT_LT(f.keypoints[0].x, f.keypoints[1].x);
  EXPECT_LT(f.keypoints[0].y, f.keypoints[3].y);
  ASSERT_TRUE(d->Detect(Load("data/images/dino.jpg"), &r, &error)) << error;
  EXPECT_EQ(r.detections.size(), 0u);
}

// The same faces on every delegate and thread count: reference kernels
// (the oracle), optimized ones on one and two threads.
TEST(TaskModels, BlazeFaceSameOnEveryDelegateAndThreadCount) {
  const std::string model =
      Shared("mediapipe/face_detection_short_range.tflite");
  REQUIRE_FILE(model);
  const processing::Image image = LoadTflmBmp("data/images/person.bmp");
  std::vector<FaceDetectorResult> results;
  for (const auto& [delegate, threads] :
       std::vector<std::pair<std::string, int>>{
           {"reference", 1}, {"cpu", 1}, {"cpu", 2}}) {
    FaceDetectorOptions o;
    o.base_options.model_asset_path = model;
    o.base_options.delegate = delegate;
    o.base_options.num_threads = threads;
    std::unique_ptr<FaceDetector> d;
    std::string error;
    ASSERT_TRUE(FaceDetector::CreateFromOptions(o, &d, &error)) << error;
    FaceDetectorResult r;
    ASSERT_TRUE(d->Detect(image, &r, &error)) << error;
    ASSERT_EQ(r.detections.size(), 1u) << delegate << " x" << threads;
    results.push_back(r);
  }
  for (size_t i = 1; i < results.size(); ++i) {
    const FaceDetection& a = results[0].detections[0];
    const FaceDetection& b = results[i].detections[0];
    EXPECT_NEAR(a.score, b.score, 1e-4);
    for (size_t k = 0; k < a.keypoints.size(); ++k) {
      EXPECT_NEAR(a.keypoints[k].x, b.keypoints[k].x, 1e-4);
      EXPECT_NEAR(a.keypoints[k].y, b.keypoints[k].y, 1e-4);
    }
  }
}

TEST(TaskModels, SelfieMaskCoversThePerson) {
  const std::string model = Shared("mediapipe/selfie_segmentation.tflite");
  REQUIRE_FILE(model);
  ImageSegmenterOptions o;
  o.base_options.model_asset_path = model;
  std::unique_ptr<ImageSegmenter> s;
  std::string error;
  ASSERT_TRUE(ImageSegmenter::CreateFromOptions(o, &s, &error)) << error;
  ImageSegmenterResult r;
  ASSERT_TRUE(s->Segment(LoadTflmBmp("data/images/person.bmp"), &r, &error))
      << error;
  ASSERT_EQ(r.width, 96);
  ASSERT_EQ(r.confidence_masks.size(), 1u);
  auto mean = [&](int x0, int y0, int x1, int y1) {
    double sum = 0;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) sum += r.confidence_masks[0][y * 96 + x];
    return sum / ((x1 - x0) * (y1 - y0));
  };
  EXPECT_GT(mean(38, 20, 60, 70), 0.7);  // face and chest
  EXPECT_LT(mean(0, 0, 15, 15), 0.3);    // top-left ceiling
  EXPECT_LT(mean(81, 0, 96, 15), 0.3);   // top-right ceiling
}

TEST(TaskModels, MicroSpeechHearsYesAndNo) {
  const std::string model = Shared("tflm/micro_speech_quantized.tflite");
  const std::string frontend = Shared("tflm/audio_preprocessor_int8.tflite");
  REQUIRE_FILE(model);
  REQUIRE_FILE(frontend);
  KeywordSpotterOptions o;
  o.base_options.model_asset_path = model;
  o.frontend_model_path = frontend;
  o.labels = {"silence", "unknown", "yes", "no"};
  std::unique_ptr<KeywordSpotter> k;
  std::string error;
  ASSERT_TRUE(KeywordSpotter::CreateFromOptions(o, &k, &error)) << error;
  for (const char* word : {"yes", "no", "silence"}) {
    processing::AudioClip clip;
    ASSERT_TRUE(processing::ReadWavFile(
        Shared(std::string("data/audio/") + word + "_1000ms.wav"), &clip,
        &error))
        << error;
    KeywordSpotterResult r;
    ASSERT_TRUE(k->Classify(clip, &r, &error)) << error;
    ASSERT_EQ(r.windows.size(), 1u);  // one second: one window
    EXPECT_EQ(r.windows[0].classifications.categories[0].category_name, word)
        << "score " << r.windows[0].classifications.categories[0].score;
  }
}

// Streaming: silence, "yes", "no" one after the other (3 s); windows of
// one second every 500 ms, the front end's state carried across them.
TEST(TaskModels, MicroSpeechStreamsOverAThreeSecondClip) {
  const std::string model = Shared("tflm/micro_speech_quantized.tflite");
  const std::string frontend = Shared("tflm/audio_preprocessor_int8.tflite");
  REQUIRE_FILE(model);
  REQUIRE_FILE(frontend);
  KeywordSpotterOptions o;
  o.base_options.model_asset_path = model;
  o.frontend_model_path = frontend;
  o.labels = {"silence", "unknown", "yes", "no"};
  std::unique_ptr<KeywordSpotter> k;
  std::string error;
  ASSERT_TRUE(KeywordSpotter::CreateFromOptions(o, &k, &error)) << error;
  processing::AudioClip clip;
  clip.sample_rate = 16000;
  for (const char* word : {"silence", "yes", "no"}) {
    processing::AudioClip part;
    ASSERT_TRUE(processing::ReadWavFile(
        Shared(std::string("data/audio/") + word + "_1000ms.wav"), &part,
        &error))
        << error;
    clip.samples.insert(clip.samples.end(), part.samples.begin(),
                        part.samples.end());
  }
  KeywordSpotterResult r;
  ASSERT_TRUE(k->Classify(clip, &r, &error)) << error;
  ASSERT_EQ(r.windows.size(), 5u);  // at 0, 500, 1000, 1500, 2000 ms
  auto top = [&](int i) {
    return r.windows[i].classifications.categories[0].category_name;
  };
  EXPECT_EQ(r.windows[2].timestamp_ms, 1000);
  EXPECT_EQ(top(0), "silence");
  EXPECT_EQ(top(2), "yes");
  EXPECT_EQ(top(4), "no");
}

}  // namespace
}  // namespace ember::tasks
