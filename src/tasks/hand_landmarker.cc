#include "tasks/hand_landmarker.h"

#include <algorithm>
#include <cmath>

#include "processing/transform.h"
#include "tasks/landmark_roi.h"

namespace ember::tasks {
namespace {

constexpr int kHandLandmarks = 21;
constexpr int kPalmKeypoints = 7;
constexpr int kPalmCoords = 4 + 2 * kPalmKeypoints;  // 18

}  // namespace

bool HandLandmarker::CreateFromOptions(const HandLandmarkerOptions& options,
                                       std::unique_ptr<HandLandmarker>* out,
                                       std::string* error) {
  if (options.num_hands < 1) {
    *error = "num_hands must be at least 1, got " +
             std::to_string(options.num_hands);
    return false;
  }
  if (options.hand_detector_model_path.empty()) {
    *error = "no hand (palm) detector model given (palm_detection_lite.tflite)";
    return false;
  }
  std::unique_ptr<HandLandmarker> h(new HandLandmarker());
  h->options_ = options;
  BaseOptions palm = options.base_options;
  palm.model_asset_path = options.hand_detector_model_path;
  if (!TaskModel::Create(palm, &h->palm_model_, error)) return false;
  TaskModel& p = *h->palm_model_;
  ImageInputShape in;
  if (!GetImageInputShape(p, 0, &in, error)) return false;
  h->anchors_ = GenerateSsdAnchors(BlazeAnchorOptions(in.width, in.height));
  const int64_t n = static_cast<int64_t>(h->anchors_.size());
  bool found = p.num_outputs() == 2;
  if (found) {
    const Shape& a = p.output(0).shape;
    const bool a_is_boxes = a.rank == 3 && a.dim(2) == kPalmCoords;
    h->palm_boxes_output_ = a_is_boxes ? 0 : 1;
    h->palm_scores_output_ = a_is_boxes ? 1 : 0;
    const Shape& boxes = p.output(h->palm_boxes_output_).shape;
    const Shape& scores = p.output(h->palm_scores_output_).shape;
    found = boxes.rank == 3 && boxes.dim(1) == n &&
            boxes.dim(2) == kPalmCoords && scores.NumElements() == n;
  }
  if (!found) {
    *error = "model '" + p.path() +
             "' is not a palm detector: it needs two outputs, boxes [1," +
             std::to_string(n) + ",18] and scores [1," + std::to_string(n) +
             ",1] (MediaPipe's palm_detection_lite.tflite)";
    return false;
  }
  BoxDecodeOptions& dec = h->decode_;
  dec.num_coords = kPalmCoords;
  dec.keypoint_coord_offset = 4;
  dec.num_keypoints = kPalmKeypoints;
  dec.x_scale = dec.w_scale = static_cast<float>(in.width);
  dec.y_scale = dec.h_scale = static_cast<float>(in.height);
  dec.min_score_thresh = options.min_hand_detection_confidence;

  if (!TaskModel::Create(options.base_options, &h->landmark_model_, error))
    return false;
  TaskModel& m = *h->landmark_model_;
  if (!GetImageInputShape(m, 0, &h->landmark_input_, error)) return false;
  // Four outputs: two of 63 values (screen landmarks first, then world
  // ones, as the model lists them) and two single values (presence, then
  // handedness).
  std::vector<int> big, single;
  for (int i = 0; i < m.num_outputs(); ++i) {
    const int64_t k = m.output(i).shape.NumElements();
    if (k == 3 * kHandLandmarks) big.push_back(i);
    if (k == 1) single.push_back(i);
  }
  if (m.num_outputs() != 4 || big.size() != 2 || single.size() != 2 ||
      h->landmark_input_.channels != 3) {
    *error = "model '" + m.path() +
             "' is not a hand landmark model: it needs an RGB image input "
             "and four outputs, landmarks [1,63], hand presence [1,1], "
             "handedness [1,1] and world landmarks [1,63] "
             "(MediaPipe's hand_landmark_lite.tflite)";
    return false;
  }
  h->landmarks_output_ = big[0];
  h->world_output_ = big[1];
  h->presence_output_ = single[0];
  h->handedness_output_ = single[1];
  *out = std::move(h);
  return true;
}

bool HandLandmarker::DetectPalms(const processing::Image& image,
                                 std::vector<PalmDetection>* palms,
                                 std::string* error) {
  palms->clear();
  processing::InputNormalization norm;  // [0, 1] without metadata
  norm.mean = {0.0f};
  norm.std = {255.0f};
  return DetectLetterboxedKeypoints(
      *palm_model_, image, norm, palm_boxes_output_, palm_scores_output_,
      anchors_, decode_, options_.num_hands, palms, error);
}

bool HandLandmarker::Detect(const processing::Image& image,
                            HandLandmarkerResult* result, std::string* error) {
  *result = HandLandmarkerResult();
  std::vector<PalmDetection> palms;
  if (!DetectPalms(image, &palms, error)) return false;
  TaskModel& m = *landmark_model_;
  const ImageInputShape& in = landmark_input_;
  const processing::Image rgb = processing::ConvertChannels(image, 3);
  for (const PalmDetection& palm : palms) {
    processing::RotatedRect roi = RoiFromDetection(
        palm.box, palm.keypoints, PalmRoiOptions(), image.width, image.height);
    // A non-square input sees the region widened to its aspect ratio.
    const float aspect = static_cast<float>(in.width) / in.height;
    if (roi.width < roi.height * aspect)
      roi.width = roi.height * aspect;
    else
      roi.height = roi.width / aspect;
    const processing::Image crop = processing::WarpRotatedRect(
        rgb, roi, in.width, in.height, processing::Border::kZero);
    processing::InputNormalization norm;
    norm.mean = {0.0f};
    norm.std = {255.0f};
    if (!WriteImageInput(m, 0, crop, norm, error)) return false;
    if (!m.Invoke(error)) return false;
    std::vector<float> points, world, presence, handedness;
    if (!m.OutputAsFloat(landmarks_output_, &points, error) ||
        !m.OutputAsFloat(world_output_, &world, error) ||
        !m.OutputAsFloat(presence_output_, &presence, error) ||
        !m.OutputAsFloat(handedness_output_, &handedness, error))
      return false;
    // The hand flag is already a probability (MediaPipe thresholds it as
    // it is).
    if (presence[0] < options_.min_hand_presence_confidence) continue;
    std::vector<NormalizedLandmark> hand;
    // z: MediaPipe divides the model's depth by 0.4 more than x (its
    // normalize_z for this model).
    for (const ProjectedLandmark& p :
         ProjectToImage(points, kHandLandmarks, in.width, in.height, roi,
                        image.width, image.height, 0.4f))
      hand.push_back({p.x, p.y, p.z});
    // World landmarks: metres around the hand's centre, turned with the
    // region.
    const float c = std::cos(roi.rotation), s = std::sin(roi.rotation);
    std::vector<WorldLandmark> metres;
    for (int i = 0; i < kHandLandmarks; ++i) {
      const float* v = world.data() + 3 * i;
      metres.push_back({c * v[0] - s * v[1], s * v[0] + c * v[1], v[2]});
    }
    // One value: the score of "Right" (index 0); "Left" (index 1) is 1 - it,
    // as MediaPipe Tasks labels it (its legacy graph had the two swapped).
    Category side;
    const float right = handedness[0];
    side.index = right > 0.5f ? 0 : 1;
    side.score = right > 0.5f ? right : 1 - right;
    side.category_name = side.display_name = right > 0.5f ? "Right" : "Left";
    result->hand_landmarks.push_back(std::move(hand));
    result->hand_world_landmarks.push_back(std::move(metres));
    result->handedness.push_back(side);
    result->presence_scores.push_back(presence[0]);
    result->hand_rois.push_back(roi);
    result->palms.push_back(palm);
  }
  return true;
}

}  // namespace ember::tasks
