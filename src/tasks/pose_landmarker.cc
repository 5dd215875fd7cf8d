#include "tasks/pose_landmarker.h"

#include <algorithm>
#include <cmath>

#include "processing/transform.h"
#include "tasks/landmark_roi.h"

namespace ember::tasks {
namespace {

constexpr float kPi = 3.14159265358979f;
constexpr int kPoseKeypoints = 4;
constexpr int kPoseCoords = 4 + 2 * kPoseKeypoints;  // 12
// The region is 1.25 times the square of side twice the hip centre -> body
// size point distance.
constexpr float kRoiScale = 1.25f;
constexpr int kHeatmapKernel = 7;

float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// MediaPipe's pose detector anchors: 224x224, 5 layers of strides 8, 16,
// 32, 32, 32 (the three 32s share one 7x7 grid), two unit anchors a cell:
// 28*28*2 + 14*14*2 + 7*7*6 = 2254.
SsdAnchorOptions PoseAnchorOptions(int width, int height) {
  SsdAnchorOptions o = BlazeAnchorOptions(width, height);
  o.strides = {8, 16, 32, 32, 32};
  return o;
}

float NormalizeRadians(float angle) {
  return angle - 2 * kPi * std::floor((angle + kPi) / (2 * kPi));
}

}  // namespace

processing::RotatedRect PoseRoiFromDetection(const PoseDetection& detection,
                                             int image_width,
                                             int image_height) {
  processing::RotatedRect r;
  if (detection.keypoints.size() < 2) return r;
  const float w = static_cast<float>(image_width);
  const float h = static_cast<float>(image_height);
  const Keypoint& centre = detection.keypoints[0];
  const Keypoint& size = detection.keypoints[1];
  const float dx = (size.x - centre.x) * w, dy = (size.y - centre.y) * h;
  r.center_x = centre.x * w;
  r.center_y = centre.y * h;
  // Target angle 90 degrees: the hip -> body vector pointing up (-y on
  // screen) gives rotation 0.
  r.rotation = NormalizeRadians(kPi / 2 + std::atan2(dy, dx));
  r.width = r.height = 2 * std::sqrt(dx * dx + dy * dy) * kRoiScale;
  return r;
}

processing::RotatedRect WholeImageRoi(int image_width, int image_height) {
  processing::RotatedRect r;
  r.center_x = image_width / 2.0f;
  r.center_y = image_height / 2.0f;
  r.width = static_cast<float>(image_width);
  r.height = static_cast<float>(image_height);
  return r;
}

void RefineLandmarksFromHeatmap(std::vector<float>* xy, int num_landmarks,
                                const std::vector<float>& heatmap,
                                int heatmap_height, int heatmap_width,
                                int heatmap_channels, int kernel,
                                float min_confidence) {
  const int half = (kernel - 1) / 2;
  const size_t needed = static_cast<size_t>(heatmap_height) * heatmap_width *
                        static_cast<size_t>(heatmap_channels);
  if (heatmap.size() < needed || num_landmarks > heatmap_channels) return;
  for (int i = 0; i < num_landmarks; ++i) {
    float& x = (*xy)[2 * i];
    float& y = (*xy)[2 * i + 1];
    // The cell the point falls in (truncated towards zero, as MediaPipe);
    // checked in float first so that NaN or huge values are never cast.
    const float fc = x * heatmap_width, fr = y * heatmap_height;
    if (!(fc > -1.0f && fc < heatmap_width && fr > -1.0f &&
          fr < heatmap_height))
      continue;
    const int col = static_cast<int>(fc), row = static_cast<int>(fr);
    if (col < 0 || row < 0) continue;
    float sum = 0, best = 0, weighted_col = 0, weighted_row = 0;
    for (int r = std::max(0, row - half);
         r < std::min(heatmap_height, row + half + 1); ++r)
      for (int c = std::max(0, col - half);
           c < std::min(heatmap_width, col + half + 1); ++c) {
        const float p =
            Sigmoid(heatmap[(static_cast<size_t>(r) * heatmap_width + c) *
                                heatmap_channels +
                            i]);
        sum += p;
        best = std::max(best, p);
        weighted_col += c * p;
        weighted_row += r * p;
      }
    if (best >= min_confidence && sum > 0) {
      x = weighted_col / heatmap_width / sum;
      y = weighted_row / heatmap_height / sum;
    }
  }
}

bool PoseLandmarker::CreateFromOptions(const PoseLandmarkerOptions& options,
                                       std::unique_ptr<PoseLandmarker>* out,
                                       std::string* error) {
  if (options.num_poses < 1) {
    *error = "num_poses must be at least 1, got " +
             std::to_string(options.num_poses);
    return false;
  }
  std::unique_ptr<PoseLandmarker> p(new PoseLandmarker());
  p->options_ = options;
  if (!options.pose_detector_model_path.empty() && !p->CreateDetector(error))
    return false;
  if (!TaskModel::Create(options.base_options, &p->landmark_model_, error))
    return false;
  TaskModel& m = *p->landmark_model_;
  if (!GetImageInputShape(m, 0, &p->input_, error)) return false;
  // Tell the five outputs apart by shape: the heatmap's channels are the
  // landmark count N; then landmarks are 5N values, world landmarks 3N.
  int flag = -1, mask = -1, heatmap = -1, points = -1, world = -1;
  const int n_out = m.num_outputs();
  for (int i = 0; i < n_out; ++i) {
    const Shape& s = m.output(i).shape;
    if (s.NumElements() == 1) flag = i;
    if (s.rank == 4 && s.dim(3) == 1 && s.NumElements() > 1) mask = i;
    if (s.rank == 4 && s.dim(3) > 1) heatmap = i;
  }
  int n = heatmap >= 0 ? static_cast<int>(m.output(heatmap).shape.dim(3)) : 0;
  for (int i = 0; i < n_out && n > 0; ++i) {
    const Shape& s = m.output(i).shape;
    if (s.rank == 2 && s.dim(1) == 5 * n) points = i;
    if (s.rank == 2 && s.dim(1) == 3 * n) world = i;
  }
  if (n_out != 5 || flag < 0 || mask < 0 || heatmap < 0 || points < 0 ||
      world < 0 || n < kPoseLandmarks || p->input_.channels != 3) {
    *error = "model '" + m.path() +
             "' is not a pose landmark model: it needs an RGB image input "
             "and five outputs, landmarks [1,5N], a pose flag [1,1], a "
             "segmentation mask [1,H,W,1], a heatmap [1,h,w,N] and world "
             "landmarks [1,3N] with N >= 33 (MediaPipe's "
             "pose_landmark_lite.tflite)";
    return false;
  }
  p->landmarks_output_ = points;
  p->flag_output_ = flag;
  p->mask_output_ = mask;
  p->heatmap_output_ = heatmap;
  p->world_output_ = world;
  p->num_landmarks_ = n;
  *out = std::move(p);
  return true;
}

bool PoseLandmarker::CreateDetector(std::string* error) {
  BaseOptions det = options_.base_options;
  det.model_asset_path = options_.pose_detector_model_path;
  if (!TaskModel::Create(det, &detector_, error)) return false;
  TaskModel& d = *detector_;
  ImageInputShape in;
  if (!GetImageInputShape(d, 0, &in, error)) return false;
  anchors_ = GenerateSsdAnchors(PoseAnchorOptions(in.width, in.height));
  const int64_t n = static_cast<int64_t>(anchors_.size());
  bool found = d.num_outputs() == 2;
  if (found) {
    const Shape& a = d.output(0).shape;
    const bool a_is_boxes = a.rank == 3 && a.dim(2) == kPoseCoords;
    boxes_output_ = a_is_boxes ? 0 : 1;
    scores_output_ = a_is_boxes ? 1 : 0;
    const Shape& boxes = d.output(boxes_output_).shape;
    const Shape& scores = d.output(scores_output_).shape;
    found = boxes.rank == 3 && boxes.dim(1) == n &&
            boxes.dim(2) == kPoseCoords && scores.NumElements() == n;
  }
  if (!found) {
    *error = "model '" + d.path() +
             "' is not a pose detector: it needs two outputs, boxes [1," +
             std::to_string(n) + ",12] and scores [1," + std::to_string(n) +
             ",1] (MediaPipe's pose_detection.tflite)";
    return false;
  }
  decode_.num_coords = kPoseCoords;
  decode_.keypoint_coord_offset = 4;
  decode_.num_keypoints = kPoseKeypoints;
  decode_.x_scale = decode_.w_scale = static_cast<float>(in.width);
  decode_.y_scale = decode_.h_scale = static_cast<float>(in.height);
  decode_.min_score_thresh = options_.min_pose_detection_confidence;
  return true;
}

bool PoseLandmarker::DetectPoses(const processing::Image& image,
                                 std::vector<PoseDetection>* poses,
                                 std::string* error) {
  poses->clear();
  if (!detector_) {
    *error = "no pose detector model given (pose_detection.tflite)";
    return false;
  }
  processing::InputNormalization norm;  // [-1, 1] without metadata
  norm.mean = {127.5f};
  norm.std = {127.5f};
  return DetectLetterboxedKeypoints(*detector_, image, norm, boxes_output_,
                                    scores_output_, anchors_, decode_,
                                    options_.num_poses, poses, error);
}

bool PoseLandmarker::DetectInRoi(const processing::Image& image,
                                 const processing::RotatedRect& roi,
                                 PoseLandmarkerResult* result,
                                 std::string* error) {
  TaskModel& m = *landmark_model_;
  const ImageInputShape& in = input_;
  // A region of another aspect ratio than the input is widened (or
  // heightened) to it: the rest of the input is what lies around it, as
  // MediaPipe keeps the aspect ratio. Outside the image the edge pixels
  // repeat: MediaPipe's pose landmark crop (Tasks and the legacy graph)
  // leaves ImageToTensor's border at its default, BORDER_REPLICATE (its
  // pose detector input is letterboxed with zeros).
  processing::RotatedRect fitted = roi;
  const float aspect = static_cast<float>(in.width) / in.height;
  if (fitted.width < fitted.height * aspect)
    fitted.width = fitted.height * aspect;
  else
    fitted.height = fitted.width / aspect;
  if (!(fitted.width > 0) || !(fitted.height > 0) ||
      !std::isfinite(fitted.width) || !std::isfinite(fitted.height) ||
      !std::isfinite(fitted.center_x) || !std::isfinite(fitted.center_y) ||
      !std::isfinite(fitted.rotation)) {
    *error = "the pose region is empty or not finite";
    return false;
  }
  const processing::Image rgb = processing::ConvertChannels(image, 3);
  const processing::Image crop = processing::WarpRotatedRect(
      rgb, fitted, in.width, in.height, processing::Border::kReplicate);
  // pose_landmark_lite.tflite takes [0, 1] unless its metadata says
  // otherwise.
  processing::InputNormalization norm;
  norm.mean = {0.0f};
  norm.std = {255.0f};
  if (!WriteImageInput(m, 0, crop, norm, error)) return false;
  if (!m.Invoke(error)) return false;
  std::vector<float> points, flag, heatmap, world;
  if (!m.OutputAsFloat(landmarks_output_, &points, error) ||
      !m.OutputAsFloat(flag_output_, &flag, error) ||
      !m.OutputAsFloat(heatmap_output_, &heatmap, error) ||
      !m.OutputAsFloat(world_output_, &world, error))
    return false;
  // The flag is already a probability (MediaPipe thresholds it as it is).
  const float presence = flag.empty() ? 0.0f : flag[0];
  if (presence < options_.min_pose_presence_confidence) return true;
  const int n = num_landmarks_;
  // Points normalized to the crop, refined by the heatmap, then projected
  // through the region (x, y, z in input pixels for ProjectToImage).
  std::vector<float> xy(2 * static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    xy[2 * i] = points[5 * i] / in.width;
    xy[2 * i + 1] = points[5 * i + 1] / in.height;
  }
  const Shape& hs = m.output(heatmap_output_).shape;
  RefineLandmarksFromHeatmap(&xy, n, heatmap, static_cast<int>(hs.dim(1)),
                             static_cast<int>(hs.dim(2)),
                             static_cast<int>(hs.dim(3)), kHeatmapKernel);
  std::vector<float> xyz;
  xyz.reserve(3 * kPoseLandmarks);
  for (int i = 0; i < kPoseLandmarks; ++i)
    xyz.insert(xyz.end(), {xy[2 * i] * in.width, xy[2 * i + 1] * in.height,
                           points[5 * i + 2]});
  const std::vector<ProjectedLandmark> projected =
      ProjectToImage(xyz, kPoseLandmarks, in.width, in.height, fitted,
                     image.width, image.height);
  std::vector<PoseLandmark> pose, metres;
  const float c = std::cos(fitted.rotation), s = std::sin(fitted.rotation);
  for (int i = 0; i < kPoseLandmarks; ++i) {
    PoseLandmark l;
    l.x = projected[i].x;
    l.y = projected[i].y;
    l.z = projected[i].z;
    // Visibility and presence are logits (MediaPipe's sigmoid activation).
    l.visibility = Sigmoid(points[5 * i + 3]);
    l.presence = Sigmoid(points[5 * i + 4]);
    pose.push_back(l);
    // World landmarks: metres around the hips, turned with the region;
    // they take the screen landmark's visibility and presence.
    const float* v = world.data() + 3 * i;
    PoseLandmark w = l;
    w.x = c * v[0] - s * v[1];
    w.y = s * v[0] + c * v[1];
    w.z = v[2];
    metres.push_back(w);
  }
  if (options_.output_segmentation_masks) {
    std::vector<float> logits;
    if (!m.OutputAsFloat(mask_output_, &logits, error)) return false;
    const Shape& ms = m.output(mask_output_).shape;
    const int mh = static_cast<int>(ms.dim(1)),
              mw = static_cast<int>(ms.dim(2));
    // The crop's mask (crop pixel i at u = i / mw, as WarpRotatedRect
    // samples) warped back onto the image, bilinear; outside the region 0.
    PoseMask mask;
    mask.width = image.width;
    mask.height = image.height;
    mask.values.assign(static_cast<size_t>(image.width) * image.height, 0.0f);
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x) {
        float u, v;
        processing::SourceToRect(fitted, static_cast<float>(x),
                                 static_cast<float>(y), &u, &v);
        const float fx = u * mw, fy = v * mh;
        if (!(fx >= 0 && fy >= 0 && fx <= mw - 1 && fy <= mh - 1)) continue;
        const int x0 = static_cast<int>(fx), y0 = static_cast<int>(fy);
        const int x1 = std::min(x0 + 1, mw - 1), y1 = std::min(y0 + 1, mh - 1);
        const float ax = fx - x0, ay = fy - y0;
        auto at = [&](int r, int col) {
          return Sigmoid(logits[static_cast<size_t>(r) * mw + col]);
        };
        mask.values[static_cast<size_t>(y) * image.width + x] =
            (1 - ay) * ((1 - ax) * at(y0, x0) + ax * at(y0, x1)) +
            ay * ((1 - ax) * at(y1, x0) + ax * at(y1, x1));
      }
    result->segmentation_masks.push_back(std::move(mask));
  }
  result->pose_landmarks.push_back(std::move(pose));
  result->pose_world_landmarks.push_back(std::move(metres));
  result->presence_scores.push_back(presence);
  result->pose_rois.push_back(fitted);
  return true;
}

bool PoseLandmarker::Detect(const processing::Image& image,
                            PoseLandmarkerResult* result, std::string* error) {
  *result = PoseLandmarkerResult();
  if (image.width <= 0 || image.height <= 0) {
    *error = "empty image";
    return false;
  }
  if (!detector_)
    return DetectInRoi(image, WholeImageRoi(image.width, image.height), result,
                       error);
  std::vector<PoseDetection> poses;
  if (!DetectPoses(image, &poses, error)) return false;
  for (const PoseDetection& pose : poses) {
    const size_t before = result->pose_landmarks.size();
    const processing::RotatedRect roi =
        PoseRoiFromDetection(pose, image.width, image.height);
    // A degenerate detection (hip centre on the body size point) has no
    // region: no pose there.
    if (!(roi.width > 0)) continue;
    if (!DetectInRoi(image, roi, result, error)) return false;
    if (result->pose_landmarks.size() > before)
      result->detections.push_back(pose);
  }
  return true;
}

}  // namespace ember::tasks
