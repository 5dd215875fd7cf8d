// Tiny stand-ins for MediaPipe's hand models, built in the tests, whose
// answers are known by construction (as tiny_face_models.h: channel means
// -> a FULLY_CONNECTED head whose bias carries the answer):
//   TinyPalmDetectorModel: palm_detection_lite's shapes ([1,192,192,3] ->
//     regressors [1,2016,18], scores [1,2016,1]); anchor kTinyPalmAnchor
//     fires with TinyPalmRegressors();
//   TinyHandLandmarkModel: hand_landmark_lite's four outputs on an 8x8
//     input: landmarks [1,63] (TinyHandLandmarks, input pixels), presence
//     [1,1] = mean(red in [0, 1]) (a probability), handedness [1,1] = 0.2
//     (the score of "Right"), world landmarks [1,63] (TinyHandWorld).
#pragma once

#include <cstdint>
#include <vector>

#include "tasks/tiny_face_models.h"

namespace ember::testing {

// Palm anchors on 192x192: layer 0 is 24x24 cells (stride 8) with two
// anchors each, so anchor (12 * 24 + 12) * 2 is centred at 12.5 / 24.
constexpr int kTinyPalmAnchor = (12 * 24 + 12) * 2;
constexpr float kTinyPalmAnchorCenter = 12.5f / 24;
// A 24x24 box on the anchor (its region, 2.6 times larger, stays inside
// a 192x192 picture); wrist centre (keypoint 0) 8 px left and 8 px
// below the centre, middle finger knuckle (keypoint 2) 8 right and 8 up:
// the vector from wrist to knuckle is at -45 degrees (up and right).
inline std::vector<float> TinyPalmRegressors() {
  return {0, 0, 24, 24, -8, 8, 0, 0, 8, -8, 0, 0, 0, 0, 0, 0, 0, 0};
}
inline std::vector<float> TinyHandLandmarks() {
  std::vector<float> v;
  for (int i = 0; i < 21; ++i)
    v.insert(v.end(),
             {static_cast<float>(i % 8), static_cast<float>(i / 8), 0.1f * i});
  return v;
}
inline std::vector<float> TinyHandWorld() {
  std::vector<float> v;
  for (int i = 0; i < 21; ++i) v.insert(v.end(), {0.01f * i, -0.02f, 0.005f});
  return v;
}

inline std::vector<uint8_t> TinyPalmDetectorModel() {
  ModelBuilder b;
  const int image = b.AddTensor(kF32, {1, 192, 192, 3}, "input_1");
  const int mean = tiny_face_detail::Mean(b, image);
  std::vector<float> boxes(2016 * 18, 0.0f), scores(2016, -10.0f);
  const std::vector<float> r = TinyPalmRegressors();
  std::copy(r.begin(), r.end(), boxes.begin() + kTinyPalmAnchor * 18);
  scores[kTinyPalmAnchor] = 10.0f;
  const int box_out = tiny_face_detail::MeanHead(
      b, mean, boxes, std::vector<float>(boxes.size() * 3, 0.0f), {1, 2016, 18},
      "Identity");
  const int score_out = tiny_face_detail::MeanHead(
      b, mean, scores, std::vector<float>(scores.size() * 3, 0.0f),
      {1, 2016, 1}, "Identity_1");
  b.SetInputs({image});
  b.SetOutputs({box_out, score_out});
  return b.Build();
}

inline std::vector<uint8_t> TinyHandLandmarkModel() {
  ModelBuilder b;
  const int image = b.AddTensor(kF32, {1, 8, 8, 3}, "input_1");
  const int mean = tiny_face_detail::Mean(b, image);
  auto constant = [&](const std::vector<float>& v, const char* name) {
    return tiny_face_detail::MeanHead(
        b, mean, v, std::vector<float>(v.size() * 3, 0.0f),
        {1, static_cast<int32_t>(v.size())}, name);
  };
  const int landmarks = constant(TinyHandLandmarks(), "Identity");
  const int presence = tiny_face_detail::MeanHead(b, mean, {0.0f}, {1, 0, 0},
                                                  {1, 1}, "Identity_1");
  const int handedness = constant({0.2f}, "Identity_2");
  const int world = constant(TinyHandWorld(), "Identity_3");
  b.SetInputs({image});
  b.SetOutputs({landmarks, presence, handedness, world});
  return b.Build();
}

}  // namespace ember::testing
