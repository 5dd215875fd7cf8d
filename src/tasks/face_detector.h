// FaceDetector: faces in an image, each a box, a score and six keypoints
// (right eye, left eye, nose tip, mouth, right ear tragion, left ear
// tragion), as MediaPipe Tasks' vision.FaceDetector. Runs the BlazeFace
// short-range model (128x128 input, 896 anchors): the image is letterboxed
// to the input, the anchors are MediaPipe's SSD layout for that model, and
// overlapping detections are merged by weighted non-maximum suppression.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "processing/image.h"
#include "tasks/ssd_anchors.h"
#include "tasks/task_model.h"

namespace ember::tasks {

struct FaceDetectorOptions {
  BaseOptions base_options;
  float min_detection_confidence = 0.5f;
  float min_suppression_threshold = 0.3f;  // IoU above which faces merge
  int max_results = -1;                    // < 0: every face
};

struct FaceDetection {
  BoundingBox bounding_box;
  NormalizedBox normalized_box;
  float score = 0;
  std::vector<Keypoint> keypoints;  // normalized to the input image
};

struct FaceDetectorResult {
  std::vector<FaceDetection> detections;
};

class FaceDetector {
 public:
  static bool CreateFromOptions(const FaceDetectorOptions& options,
                                std::unique_ptr<FaceDetector>* out,
                                std::string* error);
  bool Detect(const processing::Image& image, FaceDetectorResult* result,
              std::string* error);

 private:
  FaceDetector() = default;
  FaceDetectorOptions options_;
  std::unique_ptr<TaskModel> model_;
  std::vector<Anchor> anchors_;
  BoxDecodeOptions decode_;
  int regressor_output_ = 0, score_output_ = 1;
};

}  // namespace ember::tasks
