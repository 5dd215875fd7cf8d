// A tiny SSD-style detector built in the tests, whose answer is known: a
// [1,4,4,3] float image, a 1x1 conv head per output (box encodings with a
// constant bias, class scores that copy the red and blue channels), 16
// constant anchors (one per cell, centred, 0.25 x 0.25) and
// TFLite_Detection_PostProcess (fast NMS, score threshold 0.5). A cell
// whose pixel is red fires class 0 ("red"), a blue one class 1 ("blue").
#pragma once

// flexbuffers.h's number parsing needs a locale object from libflatbuffers
// unless this is off (as in src/ops/signal_options.h).
#ifdef FLATBUFFERS_LOCALE_INDEPENDENT
#undef FLATBUFFERS_LOCALE_INDEPENDENT
#endif
#define FLATBUFFERS_LOCALE_INDEPENDENT 0
#include <flatbuffers/flexbuffers.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "util/model_builder.h"

namespace ember::testing {

// The box encodings every anchor gets (the conv's bias), and the options'
// scales: the decoded box of cell (row, col) is TinyDetectorBox(row, col).
constexpr float kTinyEncoding[4] = {1.0f, -2.0f, 0.5f, 0.0f};
constexpr float kTinyScales[4] = {10.0f, 10.0f, 5.0f, 5.0f};

// ymin, xmin, ymax, xmax normalized, from the op's documented decoding.
inline std::vector<float> TinyDetectorBox(int row, int col) {
  const float ya = (row + 0.5f) / 4, xa = (col + 0.5f) / 4, ha = 0.25f,
              wa = 0.25f;
  const float yc = kTinyEncoding[0] / kTinyScales[0] * ha + ya;
  const float xc = kTinyEncoding[1] / kTinyScales[1] * wa + xa;
  const float h = std::exp(kTinyEncoding[2] / kTinyScales[2]) * ha;
  const float w = std::exp(kTinyEncoding[3] / kTinyScales[3]) * wa;
  return {yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2};
}

// with_postprocess = false: the head's two outputs only (not a detector).
inline std::vector<uint8_t> TinyDetectorModel(bool with_postprocess = true) {
  ModelBuilder b;
  const int image = b.AddTensor(kF32, {1, 4, 4, 3}, "image");
  fb::Conv2DOptionsT conv;
  conv.padding = fb::Padding::VALID;
  conv.stride_w = conv.stride_h = 1;
  fb::BuiltinOptionsUnion conv_options;
  conv_options.Set(conv);
  // Box head: zero weights, the encodings as bias.
  const int box_w =
      b.AddConstant(kF32, {4, 1, 1, 3}, std::vector<float>(12, 0.0f), "box_w");
  const int box_b = b.AddConstant(
      kF32, {4}, std::vector<float>(kTinyEncoding, kTinyEncoding + 4), "box_b");
  const int box_map = b.AddTensor(kF32, {1, 4, 4, 4}, "box_map");
  b.AddOp(fb::BuiltinOperator::CONV_2D, {image, box_w, box_b}, {box_map},
          conv_options);
  // Class head: background 0, "red" = R, "blue" = B.
  const int cls_w =
      b.AddConstant(kF32, {3, 1, 1, 3},
                    std::vector<float>{0, 0, 0, 1, 0, 0, 0, 0, 1}, "cls_w");
  const int cls_b =
      b.AddConstant(kF32, {3}, std::vector<float>(3, 0.0f), "cls_b");
  const int cls_map = b.AddTensor(kF32, {1, 4, 4, 3}, "cls_map");
  b.AddOp(fb::BuiltinOperator::CONV_2D, {image, cls_w, cls_b}, {cls_map},
          conv_options);
  auto reshape = [&](int in, int32_t depth, const char* name) {
    const int shape =
        b.AddConstant(kI32, {3}, std::vector<int32_t>{1, 16, depth});
    const int out = b.AddTensor(kF32, {1, 16, depth}, name);
    fb::ReshapeOptionsT r;
    r.new_shape = {1, 16, depth};
    fb::BuiltinOptionsUnion o;
    o.Set(r);
    b.AddOp(fb::BuiltinOperator::RESHAPE, {in, shape}, {out}, o);
    return out;
  };
  const int encodings = reshape(box_map, 4, "box_encodings");
  const int scores = reshape(cls_map, 3, "class_predictions");
  b.SetInputs({image});
  if (!with_postprocess) {
    b.SetOutputs({encodings, scores});
    return b.Build();
  }
  std::vector<float> anchors;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      anchors.insert(anchors.end(),
                     {(r + 0.5f) / 4, (c + 0.5f) / 4, 0.25f, 0.25f});
  const int anchor_t = b.AddConstant(kF32, {16, 4}, anchors, "anchors");
  flexbuffers::Builder fbb;
  const size_t map = fbb.StartMap();
  fbb.Int("max_detections", 5);
  fbb.Int("max_classes_per_detection", 1);
  fbb.Int("detections_per_class", 5);
  fbb.Bool("use_regular_nms", false);
  fbb.Float("nms_score_threshold", 0.5f);
  fbb.Float("nms_iou_threshold", 0.5f);
  fbb.Int("num_classes", 2);
  fbb.Float("y_scale", kTinyScales[0]);
  fbb.Float("x_scale", kTinyScales[1]);
  fbb.Float("h_scale", kTinyScales[2]);
  fbb.Float("w_scale", kTinyScales[3]);
  fbb.EndMap(map);
  fbb.Finish();
  const int boxes = b.AddTensor(kF32, {1, 5, 4}, "detection_boxes");
  const int classes = b.AddTensor(kF32, {1, 5}, "detection_classes");
  const int det_scores = b.AddTensor(kF32, {1, 5}, "detection_scores");
  const int count = b.AddTensor(kF32, {1}, "num_detections");
  b.AddCustomOp("TFLite_Detection_PostProcess", {encodings, scores, anchor_t},
                {boxes, classes, det_scores, count}, fbb.GetBuffer());
  b.SetOutputs({boxes, classes, det_scores, count});
  return b.Build();
}

}  // namespace ember::testing
