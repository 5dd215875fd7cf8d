#include "tasks/landmark_roi.h"

#include <algorithm>
#include <cmath>

namespace ember::tasks {
namespace {

constexpr float kPi = 3.14159265358979f;

// Angle in [-pi, pi).
float NormalizeRadians(float angle) {
  return angle - 2 * kPi * std::floor((angle + kPi) / (2 * kPi));
}

}  // namespace

processing::RotatedRect RoiFromDetection(const NormalizedBox& box,
                                         const std::vector<Keypoint>& keypoints,
                                         const RoiOptions& options,
                                         int image_width, int image_height) {
  const float w = static_cast<float>(image_width);
  const float h = static_cast<float>(image_height);
  processing::RotatedRect r;
  r.center_x = (box.xmin + box.xmax) / 2 * w;
  r.center_y = (box.ymin + box.ymax) / 2 * h;
  r.width = (box.xmax - box.xmin) * w;
  r.height = (box.ymax - box.ymin) * h;
  const int n = static_cast<int>(keypoints.size());
  if (options.start_keypoint < n && options.end_keypoint < n) {
    const Keypoint& a = keypoints[options.start_keypoint];
    const Keypoint& b = keypoints[options.end_keypoint];
    // The vector's angle in pixels (y down), turned to the target.
    r.rotation = NormalizeRadians(options.target_angle +
                                  std::atan2((b.y - a.y) * h, (b.x - a.x) * w));
  }
  // The shift is along the region's own (turned) axes.
  const float sx = r.width * options.shift_x, sy = r.height * options.shift_y;
  const float c = std::cos(r.rotation), s = std::sin(r.rotation);
  r.center_x += c * sx - s * sy;
  r.center_y += s * sx + c * sy;
  const float side = std::max(r.width, r.height) * options.scale;
  r.width = r.height = side;
  return r;
}

std::vector<ProjectedLandmark> ProjectToImage(
    const std::vector<float>& values, int num_landmarks, int input_width,
    int input_height, const processing::RotatedRect& roi, int image_width,
    int image_height, float z_scale) {
  std::vector<ProjectedLandmark> out;
  const int stride =
      num_landmarks > 0 ? static_cast<int>(values.size()) / num_landmarks : 0;
  if (stride < 2 || image_width <= 0 || image_height <= 0) return out;
  out.reserve(num_landmarks);
  for (int i = 0; i < num_landmarks; ++i) {
    const float* v = values.data() + static_cast<size_t>(i) * stride;
    float x, y;
    processing::RectToSource(roi, v[0] / input_width, v[1] / input_height, &x,
                             &y);
    ProjectedLandmark l;
    l.x = x / image_width;
    l.y = y / image_height;
    // Depth in input pixels -> the rect's scale -> normalized as x.
    if (stride >= 3)
      l.z = v[2] / input_width / z_scale * roi.width / image_width;
    out.push_back(l);
  }
  return out;
}

}  // namespace ember::tasks
