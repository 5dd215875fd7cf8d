#include "tasks/face_detector.h"

#include <algorithm>
#include <cmath>

namespace ember::tasks {

bool FaceDetector::CreateFromOptions(const FaceDetectorOptions& options,
                                     std::unique_ptr<FaceDetector>* out,
                                     std::string* error) {
  std::unique_ptr<FaceDetector> d(new FaceDetector());
  d->options_ = options;
  if (!TaskModel::Create(options.base_options, &d->model_, error)) return false;
  TaskModel& m = *d->model_;
  ImageInputShape in;
  if (!GetImageInputShape(m, 0, &in, error)) return false;
  d->anchors_ = GenerateSsdAnchors(BlazeAnchorOptions(in.width, in.height));
  const int64_t n = static_cast<int64_t>(d->anchors_.size());
  // Outputs: regressors [1, anchors, 16] and scores [1, anchors, 1], in
  // either order.
  bool found = m.num_outputs() == 2;
  if (found) {
    const Shape& a = m.output(0).shape;
    const Shape& b = m.output(1).shape;
    const bool a_is_boxes = a.rank == 3 && a.dim(2) == 16;
    d->regressor_output_ = a_is_boxes ? 0 : 1;
    d->score_output_ = a_is_boxes ? 1 : 0;
    const Shape& boxes = a_is_boxes ? a : b;
    const Shape& scores = a_is_boxes ? b : a;
    found = boxes.rank == 3 && boxes.dim(1) == n && boxes.dim(2) == 16 &&
            scores.NumElements() == n;
  }
  if (!found) {
    *error = "model '" + m.path() +
             "' is not a BlazeFace short-range face detector: it needs two "
             "outputs, boxes [1," +
             std::to_string(n) + ",16] and scores [1," + std::to_string(n) +
             ",1] (MediaPipe's face_detection_short_range.tflite)";
    return false;
  }
  BoxDecodeOptions& dec = d->decode_;
  dec.num_coords = 16;
  dec.keypoint_coord_offset = 4;
  dec.num_keypoints = 6;
  dec.x_scale = static_cast<float>(in.width);
  dec.y_scale = static_cast<float>(in.height);
  dec.w_scale = static_cast<float>(in.width);
  dec.h_scale = static_cast<float>(in.height);
  dec.min_score_thresh = options.min_detection_confidence;
  *out = std::move(d);
  return true;
}

bool FaceDetector::Detect(const processing::Image& image,
                          FaceDetectorResult* result, std::string* error) {
  TaskModel& m = *model_;
  // BlazeFace takes [-1, 1].
  processing::InputNormalization norm;
  norm.mean = {127.5f};
  norm.std = {127.5f};
  processing::LetterboxPlacement place;
  if (!SetImageInput(m, 0, image, FitMode::kLetterbox, norm, &place, error) ||
      !m.Invoke(error))
    return false;
  std::vector<float> boxes, scores;
  if (!m.OutputAsFloat(regressor_output_, &boxes, error) ||
      !m.OutputAsFloat(score_output_, &scores, error))
    return false;
  std::vector<Detection> raw;
  if (!DecodeBoxes(boxes, scores, anchors_, decode_, &raw, error)) return false;
  const std::vector<Detection> faces = WeightedNonMaxSuppression(
      std::move(raw), options_.min_suppression_threshold, options_.max_results);
  result->detections.clear();
  for (const Detection& f : faces) {
    float x0 = f.xmin, y0 = f.ymin, x1 = f.xmax, y1 = f.ymax;
    place.ToSource(&x0, &y0, image.width, image.height);
    place.ToSource(&x1, &y1, image.width, image.height);
    FaceDetection out;
    out.score = f.score;
    out.normalized_box = {x0, y0, x1, y1};
    // Pixels as MediaPipe gives them: origin and size each rounded.
    out.bounding_box.origin_x = static_cast<int>(std::lround(x0 * image.width));
    out.bounding_box.origin_y =
        static_cast<int>(std::lround(y0 * image.height));
    out.bounding_box.width =
        static_cast<int>(std::lround((x1 - x0) * image.width));
    out.bounding_box.height =
        static_cast<int>(std::lround((y1 - y0) * image.height));
    for (Keypoint k : f.keypoints) {
      place.ToSource(&k.x, &k.y, image.width, image.height);
      out.keypoints.push_back(k);
    }
    result->detections.push_back(std::move(out));
  }
  return true;
}

}  // namespace ember::tasks
