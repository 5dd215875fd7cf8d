#include "tasks/ssd_anchors.h"

#include <algorithm>
#include <cmath>

namespace ember::tasks {
namespace {

float LayerScale(float min_scale, float max_scale, int layer, int layers) {
  if (layers == 1) return (min_scale + max_scale) * 0.5f;
  return min_scale + (max_scale - min_scale) * layer / (layers - 1.0f);
}

float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

}  // namespace

std::vector<Anchor> GenerateSsdAnchors(const SsdAnchorOptions& o) {
  std::vector<Anchor> anchors;
  const int layers = static_cast<int>(o.strides.size());
  int layer = 0;
  while (layer < layers) {
    // Consecutive layers with the same stride share one feature map.
    std::vector<float> ratios, scales;
    int last = layer;
    while (last < layers && o.strides[last] == o.strides[layer]) {
      const float scale = LayerScale(o.min_scale, o.max_scale, last, layers);
      if (last == 0 && o.reduce_boxes_in_lowest_layer) {
        ratios.insert(ratios.end(), {1.0f, 2.0f, 0.5f});
        scales.insert(scales.end(), {0.1f, scale, scale});
      } else {
        for (float r : o.aspect_ratios) {
          ratios.push_back(r);
          scales.push_back(scale);
        }
        if (o.interpolated_scale_aspect_ratio > 0) {
          const float next =
              last == layers - 1
                  ? 1.0f
                  : LayerScale(o.min_scale, o.max_scale, last + 1, layers);
          scales.push_back(std::sqrt(scale * next));
          ratios.push_back(o.interpolated_scale_aspect_ratio);
        }
      }
      ++last;
    }
    const int stride = o.strides[layer];
    const int fh = static_cast<int>(
        std::ceil(static_cast<float>(o.input_height) / stride));
    const int fw =
        static_cast<int>(std::ceil(static_cast<float>(o.input_width) / stride));
    for (int y = 0; y < fh; ++y) {
      for (int x = 0; x < fw; ++x) {
        for (size_t k = 0; k < ratios.size(); ++k) {
          Anchor a;
          a.x_center = (x + o.anchor_offset_x) / fw;
          a.y_center = (y + o.anchor_offset_y) / fh;
          if (!o.fixed_anchor_size) {
            const float root = std::sqrt(ratios[k]);
            a.w = scales[k] * root;
            a.h = scales[k] / root;
          }
          anchors.push_back(a);
        }
      }
    }
    layer = last;
  }
  return anchors;
}

bool DecodeBoxes(const std::vector<float>& regressors,
                 const std::vector<float>& scores,
                 const std::vector<Anchor>& anchors, const BoxDecodeOptions& o,
                 std::vector<Detection>* detections, std::string* error) {
  const size_t n = anchors.size();
  if (regressors.size() != n * o.num_coords || scores.size() != n) {
    *error = "the model's outputs (" + std::to_string(regressors.size()) +
             " box values, " + std::to_string(scores.size()) +
             " scores) do not match " + std::to_string(n) + " anchors x " +
             std::to_string(o.num_coords) + " values";
    return false;
  }
  detections->clear();
  for (size_t i = 0; i < n; ++i) {
    float raw = scores[i];
    if (o.sigmoid_score) {
      raw = std::clamp(raw, -o.score_clipping_thresh, o.score_clipping_thresh);
      raw = Sigmoid(raw);
    }
    if (raw < o.min_score_thresh) continue;
    const float* r = regressors.data() + i * o.num_coords;
    const float* box = r + o.box_coord_offset;
    const Anchor& a = anchors[i];
    float xc, yc, w, h;
    if (o.reverse_output_order) {
      xc = box[0], yc = box[1], w = box[2], h = box[3];
    } else {
      yc = box[0], xc = box[1], h = box[2], w = box[3];
    }
    xc = xc / o.x_scale * a.w + a.x_center;
    yc = yc / o.y_scale * a.h + a.y_center;
    w = w / o.w_scale * a.w;
    h = h / o.h_scale * a.h;
    Detection d;
    d.xmin = xc - w / 2;
    d.ymin = yc - h / 2;
    d.xmax = xc + w / 2;
    d.ymax = yc + h / 2;
    d.score = raw;
    for (int k = 0; k < o.num_keypoints; ++k) {
      const float* kp =
          r + o.keypoint_coord_offset + k * o.num_values_per_keypoint;
      Keypoint p;
      p.x = (o.reverse_output_order ? kp[0] : kp[1]) / o.x_scale * a.w +
            a.x_center;
      p.y = (o.reverse_output_order ? kp[1] : kp[0]) / o.y_scale * a.h +
            a.y_center;
      d.keypoints.push_back(p);
    }
    detections->push_back(std::move(d));
  }
  return true;
}

float IntersectionOverUnion(const Detection& a, const Detection& b) {
  const float ix = std::min(a.xmax, b.xmax) - std::max(a.xmin, b.xmin);
  const float iy = std::min(a.ymax, b.ymax) - std::max(a.ymin, b.ymin);
  if (ix <= 0 || iy <= 0) return 0;
  const float inter = ix * iy;
  const float uni = (a.xmax - a.xmin) * (a.ymax - a.ymin) +
                    (b.xmax - b.xmin) * (b.ymax - b.ymin) - inter;
  return uni > 0 ? inter / uni : 0;
}

std::vector<Detection> WeightedNonMaxSuppression(
    std::vector<Detection> remaining, float iou_threshold, int max_results) {
  std::stable_sort(
      remaining.begin(), remaining.end(),
      [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  while (!remaining.empty()) {
    if (max_results > 0 && static_cast<int>(kept.size()) >= max_results) break;
    const Detection best = remaining.front();
    std::vector<Detection> rest, cluster;
    for (const Detection& d : remaining) {
      (IntersectionOverUnion(best, d) > iou_threshold ? cluster : rest)
          .push_back(d);
    }
    // `best` is always in its own cluster (IoU 1); alone it stays as is.
    Detection merged = best;
    if (cluster.size() > 1) {
      float total = 0, xmin = 0, ymin = 0, xmax = 0, ymax = 0;
      std::vector<Keypoint> kps(best.keypoints.size());
      for (const Detection& d : cluster) {
        total += d.score;
        xmin += d.xmin * d.score;
        ymin += d.ymin * d.score;
        xmax += d.xmax * d.score;
        ymax += d.ymax * d.score;
        for (size_t k = 0; k < kps.size() && k < d.keypoints.size(); ++k) {
          kps[k].x += d.keypoints[k].x * d.score;
          kps[k].y += d.keypoints[k].y * d.score;
        }
      }
      merged.xmin = xmin / total;
      merged.ymin = ymin / total;
      merged.xmax = xmax / total;
      merged.ymax = ymax / total;
      for (size_t k = 0; k < kps.size(); ++k) {
        merged.keypoints[k].x = kps[k].x / total;
        merged.keypoints[k].y = kps[k].y / total;
      }
    }
    kept.push_back(std::move(merged));
    remaining = std::move(rest);
  }
  return kept;
}

}  // namespace ember::tasks
