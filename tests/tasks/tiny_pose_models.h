// Tiny stand-ins for MediaPipe's pose models, built in the tests, whose
// answers are known by construction (as tiny_face_models.h: channel means
// -> a FULLY_CONNECTED head whose bias carries the answer):
//   TinyPoseDetectorModel: pose_detection's shapes ([1,224,224,3] ->
//     regressors [1,2254,12], scores [1,2254,1]); anchor kTinyPoseAnchor
//     fires with TinyPoseRegressors();
//   TinyPoseLandmarkModel: pose_landmark_lite's five outputs on an 8x8
//     input: landmarks [1,195] (39 x (x, y, z in input pixels, visibility
//     logit 2, presence logit -1)), pose flag [1,1] = mean(red in [0, 1])
//     (a probability), segmentation logits [1,4,4,1] = 2, heatmap
//     [1,4,4,39] (logits -10 but for landmark 0's channel, +10 at row 1,
//     column 2), world landmarks [1,117] (TinyPoseWorld).
#pragma once

#include <cstdint>
#include <vector>

#include "tasks/tiny_face_models.h"

namespace ember::testing {

constexpr int kTinyPoseModelLandmarks = 39;
// Pose anchors on 224x224: layer 0 is 28x28 cells (stride 8) with two
// anchors each, so anchor (14 * 28 + 14) * 2 is centred at 14.5 / 28.
constexpr int kTinyPoseAnchor = (14 * 28 + 14) * 2;
constexpr float kTinyPoseAnchorCenter = 14.5f / 28;
// A 48x48 box on the anchor; hip centre (keypoint 0) on the anchor, the
// body size point (keypoint 1) 20 px right and 20 px up: the vector is at
// -45 degrees, 20 * sqrt(2) px long (the region: side 2.5 times that,
// turned 45 degrees clockwise, inside a 224x224 picture).
inline std::vector<float> TinyPoseRegressors() {
  return {0, 0, 48, 48, 0, 0, 20, -20, 0, -10, 10, -30};
}
inline std::vector<float> TinyPoseLandmarks() {
  std::vector<float> v;
  for (int i = 0; i < kTinyPoseModelLandmarks; ++i)
    v.insert(v.end(),
             {static_cast<float>(i % 8) + 0.5f,
              static_cast<float>(i / 8) + 0.5f, 0.1f * i, 2.0f, -1.0f});
  return v;
}
inline std::vector<float> TinyPoseWorld() {
  std::vector<float> v;
  for (int i = 0; i < kTinyPoseModelLandmarks; ++i)
    v.insert(v.end(), {0.01f * i, -0.02f, 0.005f});
  return v;
}
// Heatmap: 4x4 cells, 39 channels (row-major, channels last).
inline std::vector<float> TinyPoseHeatmap() {
  std::vector<float> v(4 * 4 * kTinyPoseModelLandmarks, -10.0f);
  v[(1 * 4 + 2) * kTinyPoseModelLandmarks + 0] = 10.0f;
  return v;
}

inline std::vector<uint8_t> TinyPoseDetectorModel() {
  ModelBuilder b;
  const int image = b.AddTensor(kF32, {1, 224, 224, 3}, "input_1");
  const int mean = tiny_face_detail::Mean(b, image);
  std::vector<float> boxes(2254 * 12, 0.0f), scores(2254, -10.0f);
  const std::vector<float> r = TinyPoseRegressors();
  std::copy(r.begin(), r.end(), boxes.begin() + kTinyPoseAnchor * 12);
  scores[kTinyPoseAnchor] = 10.0f;
  const int box_out = tiny_face_detail::MeanHead(
      b, mean, boxes, std::vector<float>(boxes.size() * 3, 0.0f), {1, 2254, 12},
      "Identity");
  const int score_out = tiny_face_detail::MeanHead(
      b, mean, scores, std::vector<float>(scores.size() * 3, 0.0f),
      {1, 2254, 1}, "Identity_1");
  b.SetInputs({image});
  b.SetOutputs({box_out, score_out});
  return b.Build();
}

inline std::vector<uint8_t> TinyPoseLandmarkModel() {
  ModelBuilder b;
  const int image = b.AddTensor(kF32, {1, 8, 8, 3}, "input_1");
  const int mean = tiny_face_detail::Mean(b, image);
  auto constant = [&](const std::vector<float>& v,
                      const std::vector<int32_t>& shape, const char* name) {
    return tiny_face_detail::MeanHead(
        b, mean, v, std::vector<float>(v.size() * 3, 0.0f), shape, name);
  };
  const int landmarks = constant(TinyPoseLandmarks(), {1, 195}, "Identity");
  const int flag = tiny_face_detail::MeanHead(b, mean, {0.0f}, {1, 0, 0},
                                              {1, 1}, "Identity_1");
  const int mask =
      constant(std::vector<float>(16, 2.0f), {1, 4, 4, 1}, "Identity_2");
  const int heatmap = constant(TinyPoseHeatmap(), {1, 4, 4, 39}, "Identity_3");
  const int world = constant(TinyPoseWorld(), {1, 117}, "Identity_4");
  b.SetInputs({image});
  b.SetOutputs({landmarks, flag, mask, heatmap, world});
  return b.Build();
}

}  // namespace ember::testing
