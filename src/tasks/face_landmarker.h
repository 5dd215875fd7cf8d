// FaceLandmarker: the 468-point face mesh of each face in an image, as
// MediaPipe Tasks' vision.FaceLandmarker (image mode). Two models: the
// BlazeFace short-range detector finds the faces; each face's region of
// interest is the detection box made square on its long side, enlarged 1.5
// times and turned so that the eyes lie level (MediaPipe's face ROI); that
// rotated square is sampled into the landmark model's input
// (face_landmark.tflite, 192x192 RGB in [0, 1]) and the model's landmarks
// (input pixels) are mapped back through the same rectangle to coordinates
// normalized to the image.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "processing/image.h"
#include "processing/rotated_crop.h"
#include "tasks/face_detector.h"
#include "tasks/task_model.h"

namespace ember::tasks {

// A landmark normalized to the image: x by its width, y by its height, z
// (depth, smaller is nearer the camera) on the scale of x.
struct NormalizedLandmark {
  float x = 0, y = 0, z = 0;
};

struct FaceLandmarkerOptions {
  // The landmark model (face_landmark.tflite); its delegate and threads
  // run the detector too.
  BaseOptions base_options;
  // The face detector (face_detection_short_range.tflite).
  std::string face_detector_model_path;
  int num_faces = 1;
  float min_face_detection_confidence = 0.5f;
  // Faces whose landmark model presence score (sigmoid of its face flag)
  // is below this are dropped.
  float min_face_presence_confidence = 0.5f;
};

struct FaceLandmarkerResult {
  // Per face, its landmarks (468 for face_landmark.tflite).
  std::vector<std::vector<NormalizedLandmark>> face_landmarks;
  // Per face, the landmark model's presence score and the rotated region
  // of interest it saw (image pixels).
  std::vector<float> presence_scores;
  std::vector<processing::RotatedRect> face_rois;
};

// The region of interest of a face (MediaPipe's face ROI, image pixels):
// the detection box's centre, its long side times 1.5 squared, turned so
// that keypoint 0 (right eye) -> keypoint 1 (left eye) points along +x.
processing::RotatedRect FaceRoiFromDetection(const FaceDetection& detection,
                                             int image_width, int image_height);

// Landmark model values (x, y, z per landmark, in input pixels of an
// input_width x input_height input that showed `roi`) -> landmarks
// normalized to the image_width x image_height image. z is scaled as x.
std::vector<NormalizedLandmark> ProjectLandmarks(
    const std::vector<float>& values, int num_landmarks, int input_width,
    int input_height, const processing::RotatedRect& roi, int image_width,
    int image_height);

class FaceLandmarker {
 public:
  static bool CreateFromOptions(const FaceLandmarkerOptions& options,
                                std::unique_ptr<FaceLandmarker>* out,
                                std::string* error);
  bool Detect(const processing::Image& image, FaceLandmarkerResult* result,
              std::string* error);
  // The landmarks of one face in a given region of interest (the second
  // half of Detect; exposed so that tests can check it on a known crop).
  // False with `error` on failure; `present` false (and no landmarks) when
  // the presence score is under the threshold.
  bool DetectInRoi(const processing::Image& image,
                   const processing::RotatedRect& roi,
                   std::vector<NormalizedLandmark>* landmarks, float* presence,
                   std::string* error);
  int num_landmarks() const { return num_landmarks_; }

 private:
  FaceLandmarker() = default;
  FaceLandmarkerOptions options_;
  std::unique_ptr<FaceDetector> detector_;
  std::unique_ptr<TaskModel> model_;
  ImageInputShape input_;
  int landmarks_output_ = 0, presence_output_ = 1;
  int num_landmarks_ = 0;
};

}  // namespace ember::tasks
