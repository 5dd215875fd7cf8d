// Tiny stand-ins for MediaPipe's face models, built in the tests, whose
// answers are known by construction (each reduces its image to the channel
// means, then a FULLY_CONNECTED head whose bias carries the answer):
//   TinyFaceDetectorModel: BlazeFace short range's shapes ([1,128,128,3] ->
//     regressors [1,896,16], scores [1,896,1]); one anchor (kTinyFaceAnchor)
//     fires, with the box and keypoints of kTinyFaceRegressors;
//   TinyFaceLandmarkModel: face_landmark's layout on an 8x8 input ->
//     landmarks [1,1,1,N*3] (kTinyLandmarks, input pixels) and a face flag
//     [1,1,1,1] = 10 * mean(red in [0, 1]) - 5 (a logit: bright faces are
//     present, dark ones not).
#pragma once

#include <cstdint>
#include <vector>

#include "util/model_builder.h"

namespace ember::testing {

// MediaPipe's short-range anchors: layer 0 is 16x16 cells (stride 8) with
// two anchors each, row-major, so anchor (8 * 16 + 8) * 2 is centred at
// (8.5 / 16, 8.5 / 16) = (0.53125, 0.53125) of the input.
constexpr int kTinyFaceAnchor = (8 * 16 + 8) * 2;
constexpr float kTinyFaceAnchorCenter = 0.53125f;
// Box centre offset (x, y), size (w, h), then six keypoints (x, y), all in
// input pixels relative to the anchor: a 32x32 box, the right eye 8 px
// left and 4 px above the centre, the left eye 8 right and 4 below.
inline std::vector<float> TinyFaceRegressors() {
  return {0, 0, 32, 32, -8, -4, 8, 4, 0, 4, 0, 8, -14, 0, 14, 0};
}
// Landmarks (x, y, z) in the 8x8 input's pixels.
inline std::vector<float> TinyLandmarks() {
  return {0, 0, 0, 8, 0, 1, 0, 8, -2, 4, 4, 0.5f};
}

namespace tiny_face_detail {

// image -> MEAN over H, W [1,3] -> FULLY_CONNECTED (zero weights, `bias`)
// -> RESHAPE to `shape`.
inline int MeanHead(ModelBuilder& b, int mean, const std::vector<float>& bias,
                    const std::vector<float>& weights,
                    const std::vector<int32_t>& shape, const char* name) {
  const int n = static_cast<int>(bias.size());
  const int w = b.AddConstant(kF32, {n, 3}, weights);
  const int bb = b.AddConstant(kF32, {n}, bias);
  const int fc = b.AddTensor(kF32, {1, n});
  fb::FullyConnectedOptionsT fo;
  fb::BuiltinOptionsUnion fu;
  fu.Set(fo);
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {mean, w, bb}, {fc}, fu);
  const int s =
      b.AddConstant(kI32, {static_cast<int32_t>(shape.size())}, shape);
  const int out = b.AddTensor(kF32, shape, name);
  fb::ReshapeOptionsT ro;
  ro.new_shape = shape;
  fb::BuiltinOptionsUnion ru;
  ru.Set(ro);
  b.AddOp(fb::BuiltinOperator::RESHAPE, {fc, s}, {out}, ru);
  return out;
}

inline int Mean(ModelBuilder& b, int image) {
  const int axes = b.AddConstant(kI32, {2}, std::vector<int32_t>{1, 2});
  const int mean = b.AddTensor(kF32, {1, 3}, "mean");
  fb::ReducerOptionsT r;
  fb::BuiltinOptionsUnion u;
  u.Set(r);
  b.AddOp(fb::BuiltinOperator::MEAN, {image, axes}, {mean}, u);
  return mean;
}

}  // namespace tiny_face_detail

inline std::vector<uint8_t> TinyFaceDetectorModel() {
  ModelBuilder b;
  const int image = b.AddTensor(kF32, {1, 128, 128, 3}, "input");
  const int mean = tiny_face_detail::Mean(b, image);
  std::vector<float> boxes(896 * 16, 0.0f), scores(896, -10.0f);
  const std::vector<float> r = TinyFaceRegressors();
  std::copy(r.begin(), r.end(), boxes.begin() + kTinyFaceAnchor * 16);
  scores[kTinyFaceAnchor] = 10.0f;
  const int box_out = tiny_face_detail::MeanHead(
      b, mean, boxes, std::vector<float>(boxes.size() * 3, 0.0f), {1, 896, 16},
      "regressors");
  const int score_out = tiny_face_detail::MeanHead(
      b, mean, scores, std::vector<float>(scores.size() * 3, 0.0f), {1, 896, 1},
      "classificators");
  b.SetInputs({image});
  b.SetOutputs({box_out, score_out});
  return b.Build();
}

// `outputs` 2 as face_landmark.tflite; 3 adds a second flag (not a face
// landmark model).
inline std::vector<uint8_t> TinyFaceLandmarkModel(int outputs = 2) {
  ModelBuilder b;
  const int image = b.AddTensor(kF32, {1, 8, 8, 3}, "input_1");
  const int mean = tiny_face_detail::Mean(b, image);
  const std::vector<float> l = TinyLandmarks();
  const int n = static_cast<int>(l.size());
  const int landmarks = tiny_face_detail::MeanHead(
      b, mean, l, std::vector<float>(l.size() * 3, 0.0f), {1, 1, 1, n},
      "landmarks");
  const int flag = tiny_face_detail::MeanHead(
      b, mean, {-5.0f}, {10.0f, 0.0f, 0.0f}, {1, 1, 1, 1}, "face_flag");
  std::vector<int32_t> outs = {landmarks, flag};
  if (outputs == 3)
    outs.push_back(tiny_face_detail::MeanHead(b, mean, {0.0f}, {0, 0, 0},
                                              {1, 1, 1, 1}, "extra"));
  b.SetInputs({image});
  b.SetOutputs(outs);
  return b.Build();
}

}  // namespace ember::testing
