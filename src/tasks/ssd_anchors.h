// SSD anchors as MediaPipe's SsdAnchorsCalculator lays them out, box
// decoding as its TensorsToDetectionsCalculator does, and non-maximum
// suppression (plain and MediaPipe's weighted variant).
#pragma once

#include <string>
#include <vector>

namespace ember::tasks {

struct Anchor {
  float x_center = 0, y_center = 0, w = 1, h = 1;  // normalized
};

struct SsdAnchorOptions {
  int input_width = 0, input_height = 0;
  float min_scale = 0, max_scale = 0;
  float anchor_offset_x = 0.5f, anchor_offset_y = 0.5f;
  std::vector<int> strides;  // one per layer
  std::vector<float> aspect_ratios{1.0f};
  float interpolated_scale_aspect_ratio = 1.0f;  // <= 0: no extra anchor
  bool reduce_boxes_in_lowest_layer = false;
  bool fixed_anchor_size = false;  // w = h = 1
};

std::vector<Anchor> GenerateSsdAnchors(const SsdAnchorOptions& options);

// The layout MediaPipe gives both BlazeFace short range (128x128: 896
// anchors) and palm detection (192x192: 2016): 4 layers, strides 8, 16, 16,
// 16, scales 0.1484375 to 0.75, square unit anchors.
inline SsdAnchorOptions BlazeAnchorOptions(int width, int height) {
  SsdAnchorOptions o;
  o.input_width = width;
  o.input_height = height;
  o.min_scale = 0.1484375f;
  o.max_scale = 0.75f;
  o.strides = {8, 16, 16, 16};
  o.aspect_ratios = {1.0f};
  o.interpolated_scale_aspect_ratio = 1.0f;
  o.fixed_anchor_size = true;
  return o;
}

struct Keypoint {
  float x = 0, y = 0;  // normalized to the image
};

// A box normalized to the image, unrounded (what the landmark tasks'
// regions of interest start from).
struct NormalizedBox {
  float xmin = 0, ymin = 0, xmax = 0, ymax = 0;
};

struct Detection {
  float xmin = 0, ymin = 0, xmax = 0, ymax = 0;  // normalized
  float score = 0;
  int class_index = 0;
  std::vector<Keypoint> keypoints;
};

struct BoxDecodeOptions {
  int num_coords = 4;  // values per anchor in the regressor tensor
  int box_coord_offset = 0;
  int keypoint_coord_offset = 4;
  int num_keypoints = 0;
  int num_values_per_keypoint = 2;
  float x_scale = 1, y_scale = 1, w_scale = 1, h_scale = 1;
  bool reverse_output_order = true;  // x, y, w, h (else y, x, h, w)
  bool sigmoid_score = true;
  float score_clipping_thresh = 100;  // raw scores clipped to +-this first
  float min_score_thresh = 0.5f;
};

// Decodes the regressors [anchors, num_coords] and one score per anchor.
// False (with `error`) when the tensor sizes do not match the anchors.
bool DecodeBoxes(const std::vector<float>& regressors,
                 const std::vector<float>& scores,
                 const std::vector<Anchor>& anchors,
                 const BoxDecodeOptions& options,
                 std::vector<Detection>* detections, std::string* error);

float IntersectionOverUnion(const Detection& a, const Detection& b);

// Weighted NMS (MediaPipe's WEIGHTED algorithm): the best detection
// absorbs every remaining one overlapping it by more than `iou_threshold`;
// its box and keypoints become their score-weighted mean, its score stays.
std::vector<Detection> WeightedNonMaxSuppression(
    std::vector<Detection> detections, float iou_threshold, int max_results);

}  // namespace ember::tasks
