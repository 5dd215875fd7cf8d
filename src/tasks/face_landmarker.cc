#include "tasks/face_landmarker.h"

#include <algorithm>
#include <cmath>

#include "processing/transform.h"
#include "tasks/landmark_roi.h"

namespace ember::tasks {
namespace {

float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

}  // namespace

processing::RotatedRect FaceRoiFromDetection(const FaceDetection& detection,
                                             int image_width,
                                             int image_height) {
  return RoiFromDetection(detection.normalized_box, detection.keypoints,
                          FaceRoiOptions(), image_width, image_height);
}

std::vector<NormalizedLandmark> ProjectLandmarks(
    const std::vector<float>& values, int num_landmarks, int input_width,
    int input_height, const processing::RotatedRect& roi, int image_width,
    int image_height) {
  std::vector<NormalizedLandmark> out;
  for (const ProjectedLandmark& p :
       ProjectToImage(values, num_landmarks, input_width, input_height, roi,
                      image_width, image_height))
    out.push_back({p.x, p.y, p.z});
  return out;
}

bool FaceLandmarker::CreateFromOptions(const FaceLandmarkerOptions& options,
                                       std::unique_ptr<FaceLandmarker>* out,
                                       std::string* error) {
  if (options.num_faces < 1) {
    *error = "num_faces must be at least 1, got " +
             std::to_string(options.num_faces);
    return false;
  }
  std::unique_ptr<FaceLandmarker> f(new FaceLandmarker());
  f->options_ = options;
  FaceDetectorOptions det;
  det.base_options = options.base_options;
  det.base_options.model_asset_path = options.face_detector_model_path;
  det.min_detection_confidence = options.min_face_detection_confidence;
  det.max_results = options.num_faces;
  if (options.face_detector_model_path.empty()) {
    *error = "no face detector model given (face_detection_short_range.tflite)";
    return false;
  }
  if (!FaceDetector::CreateFromOptions(det, &f->detector_, error)) return false;
  if (!TaskModel::Create(options.base_options, &f->model_, error)) return false;
  TaskModel& m = *f->model_;
  if (!GetImageInputShape(m, 0, &f->input_, error)) return false;
  // Outputs: the landmarks [.., N * 3] and the face flag (one value), in
  // either order.
  bool ok = m.num_outputs() == 2 && f->input_.channels == 3;
  if (ok) {
    const int64_t a = m.output(0).shape.NumElements();
    const int64_t b = m.output(1).shape.NumElements();
    f->landmarks_output_ = a == 1 ? 1 : 0;
    f->presence_output_ = a == 1 ? 0 : 1;
    const int64_t n = a == 1 ? b : a;
    ok = (a == 1) != (b == 1) && n >= 3 && n % 3 == 0 && n / 3 <= 100000;
    f->num_landmarks_ = ok ? static_cast<int>(n / 3) : 0;
  }
  if (!ok) {
    *error = "model '" + m.path() +
             "' is not a face landmark model: it needs an RGB image input "
             "and two outputs, landmarks [1,1,1,N*3] and a face flag "
             "[1,1,1,1] (MediaPipe's face_landmark.tflite)";
    return false;
  }
  *out = std::move(f);
  return true;
}

bool FaceLandmarker::DetectInRoi(const processing::Image& image,
                                 const processing::RotatedRect& roi,
                                 std::vector<NormalizedLandmark>* landmarks,
                                 float* presence, std::string* error) {
  landmarks->clear();
  TaskModel& m = *model_;
  // A non-square input sees the rect widened (or heightened) to its aspect
  // ratio, as MediaPipe keeps the ROI's aspect ratio with a border.
  processing::RotatedRect fitted = roi;
  const float aspect = static_cast<float>(input_.width) / input_.height;
  if (fitted.width < fitted.height * aspect)
    fitted.width = fitted.height * aspect;
  else
    fitted.height = fitted.width / aspect;
  const processing::Image rgb = processing::ConvertChannels(image, 3);
  const processing::Image crop = processing::WarpRotatedRect(
      rgb, fitted, input_.width, input_.height, processing::Border::kZero);
  // face_landmark.tflite takes [0, 1] unless its metadata says otherwise.
  processing::InputNormalization norm;
  norm.mean = {0.0f};
  norm.std = {255.0f};
  if (!WriteImageInput(m, 0, crop, norm, error)) return false;
  if (!m.Invoke(error)) return false;
  std::vector<float> values, flag;
  if (!m.OutputAsFloat(landmarks_output_, &values, error) ||
      !m.OutputAsFloat(presence_output_, &flag, error))
    return false;
  // The flag is a logit (MediaPipe applies a sigmoid to it).
  *presence = flag.empty() ? 0.0f : Sigmoid(flag[0]);
  if (*presence < options_.min_face_presence_confidence) return true;
  *landmarks =
      ProjectLandmarks(values, num_landmarks_, input_.width, input_.height,
                       fitted, image.width, image.height);
  return true;
}

bool FaceLandmarker::Detect(const processing::Image& image,
                            FaceLandmarkerResult* result, std::string* error) {
  *result = FaceLandmarkerResult();
  FaceDetectorResult faces;
  if (!detector_->Detect(image, &faces, error)) return false;
  for (const FaceDetection& face : faces.detections) {
    if (static_cast<int>(result->face_landmarks.size()) >= options_.num_faces)
      break;
    const processing::RotatedRect roi =
        FaceRoiFromDetection(face, image.width, image.height);
    std::vector<NormalizedLandmark> landmarks;
    float presence = 0;
    if (!DetectInRoi(image, roi, &landmarks, &presence, error)) return false;
    if (landmarks.empty()) continue;
    result->face_landmarks.push_back(std::move(landmarks));
    result->presence_scores.push_back(presence);
    result->face_rois.push_back(roi);
  }
  return true;
}

}  // namespace ember::tasks
