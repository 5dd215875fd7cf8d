// HandLandmarker: 21 landmarks, world landmarks and handedness of each hand
// in an image, as MediaPipe Tasks' vision.HandLandmarker (image mode). Two
// models: the palm detector (palm_detection_lite.tflite: 192x192 [0, 1],
// letterboxed, 2016 SSD anchors, a box and 7 keypoints per palm) and the
// hand landmark model (hand_landmark_lite.tflite: 224x224 [0, 1]) run on
// each palm's region (MediaPipe Tasks' hand ROI: turned by the wrist ->
// middle finger knuckle vector, shifted half a box towards the fingers, the
// box squared and enlarged 2.6 times; tasks/landmark_roi.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "processing/image.h"
#include "processing/rotated_crop.h"
#include "tasks/face_landmarker.h"  // NormalizedLandmark
#include "tasks/keypoint_detector.h"
#include "tasks/ssd_anchors.h"
#include "tasks/task_model.h"

namespace ember::tasks {

// A landmark in metres, origin at the hand's centre (MediaPipe's world
// landmarks).
struct WorldLandmark {
  float x = 0, y = 0, z = 0;
};

struct HandLandmarkerOptions {
  // The hand landmark model (hand_landmark_lite.tflite); its delegate and
  // threads run the palm detector too.
  BaseOptions base_options;
  // The palm detector (palm_detection_lite.tflite).
  std::string hand_detector_model_path;
  int num_hands = 1;
  float min_hand_detection_confidence = 0.5f;
  float min_hand_presence_confidence = 0.5f;
};

// A palm as the detector found it (normalized to the image).
// Keypoints (7): wrist centre, knuckles, thumb...
using PalmDetection = KeypointDetection;

struct HandLandmarkerResult {
  // Per hand: 21 landmarks normalized to the image, the same in metres,
  // and its handedness ("Left" or "Right" with its score, as MediaPipe
  // labels it: for a mirrored, selfie-view picture).
  std::vector<std::vector<NormalizedLandmark>> hand_landmarks;
  std::vector<std::vector<WorldLandmark>> hand_world_landmarks;
  std::vector<Category> handedness;
  // Per hand, the landmark model's presence score and the rotated region
  // of interest it saw (image pixels).
  std::vector<float> presence_scores;
  std::vector<processing::RotatedRect> hand_rois;
  // Per hand, the palm detection its region came from.
  std::vector<PalmDetection> palms;
};

class HandLandmarker {
 public:
  static bool CreateFromOptions(const HandLandmarkerOptions& options,
                                std::unique_ptr<HandLandmarker>* out,
                                std::string* error);
  bool Detect(const processing::Image& image, HandLandmarkerResult* result,
              std::string* error);
  // The palm detector's stage alone.
  bool DetectPalms(const processing::Image& image,
                   std::vector<PalmDetection>* palms, std::string* error);

 private:
  HandLandmarker() = default;
  HandLandmarkerOptions options_;
  std::unique_ptr<TaskModel> palm_model_, landmark_model_;
  std::vector<Anchor> anchors_;
  BoxDecodeOptions decode_;
  int palm_boxes_output_ = 0, palm_scores_output_ = 1;
  ImageInputShape landmark_input_;
  // Output indices: landmarks [1,63], presence [1,1], handedness [1,1],
  // world landmarks [1,63] (told apart by name order as the model lists
  // them; the two 63-value ones by position).
  int landmarks_output_ = 0, presence_output_ = 1, handedness_output_ = 2,
      world_output_ = 3;
};

}  // namespace ember::tasks
