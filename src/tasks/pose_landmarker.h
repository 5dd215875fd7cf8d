// PoseLandmarker: the 33 body landmarks (BlazePose topology: nose, eyes,
// ears, mouth, shoulders, elbows, wrists, hands, hips, knees, ankles, feet)
// of each person in an image, as MediaPipe Tasks' vision.PoseLandmarker
// (image mode). Two models:
//   - the pose detector (pose_detection.tflite: 224x224 RGB in [-1, 1],
//     letterboxed, 2254 SSD anchors, a box and 4 keypoints per person:
//     hip centre, a point whose distance from it is half the full body's
//     size, shoulder centre, the same for the upper body). Optional: without
//     it the whole image (or a region the caller gives) is the person's
//     region, which is right when the person fills the frame.
//   - the landmark model (pose_landmark_lite.tflite: 256x256 RGB in [0, 1])
//     on each person's region (sampled with the edge pixels repeated
//     outside the image, as MediaPipe's crop): centred on the hip centre,
//     turned so that the body stands upright, its side 2.5 times the hip ->
//     body-size distance (MediaPipe's AlignmentPointsRects +
//     RectTransformation, scale 1.25 of twice the distance).
// The landmark model gives 39 points (x, y, z, visibility and presence
// logits; the first 33 are the body), a pose flag (a probability), a
// 64x64x39 heatmap (its 7x7 window around each point refines it, as
// MediaPipe's RefineLandmarksFromHeatmap), world landmarks (metres, origin
// at the hips) and a 256x256 segmentation logit mask.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "processing/image.h"
#include "processing/rotated_crop.h"
#include "tasks/keypoint_detector.h"
#include "tasks/ssd_anchors.h"
#include "tasks/task_model.h"

namespace ember::tasks {

constexpr int kPoseLandmarks = 33;

// A body landmark: x, y normalized to the image (z, depth on the scale of x,
// smaller is nearer) or, for world landmarks, metres around the hips; the
// visibility (in the picture, not hidden) and presence (inside the picture)
// probabilities.
struct PoseLandmark {
  float x = 0, y = 0, z = 0;
  float visibility = 0, presence = 0;
};

struct PoseLandmarkerOptions {
  // The landmark model (pose_landmark_lite.tflite); its delegate and threads
  // run the detector too.
  BaseOptions base_options;
  // The pose detector (pose_detection.tflite); empty: no detector, the
  // whole image is the person's region.
  std::string pose_detector_model_path;
  int num_poses = 1;
  float min_pose_detection_confidence = 0.5f;
  // Poses whose landmark model flag (a probability) is below this are
  // dropped.
  float min_pose_presence_confidence = 0.5f;
  bool output_segmentation_masks = false;
};

// A person as the pose detector found it (normalized to the image).
// Keypoints (4): hip centre, full-body size point, shoulder centre,
// upper-body size point.
using PoseDetection = KeypointDetection;

// A per-pixel person probability in [0, 1], the image's size.
struct PoseMask {
  int width = 0, height = 0;
  std::vector<float> values;  // row-major
};

struct PoseLandmarkerResult {
  std::vector<std::vector<PoseLandmark>> pose_landmarks;
  std::vector<std::vector<PoseLandmark>> pose_world_landmarks;
  // When output_segmentation_masks: one per pose.
  std::vector<PoseMask> segmentation_masks;
  // Per pose: the landmark model's flag, the rotated region it saw (image
  // pixels) and the detection it came from (empty without a detector).
  std::vector<float> presence_scores;
  std::vector<processing::RotatedRect> pose_rois;
  std::vector<PoseDetection> detections;
};

// The region of a detected person (image pixels): centred on keypoint 0,
// turned so that keypoint 0 -> keypoint 1 points up, its side 2.5 times
// their distance.
processing::RotatedRect PoseRoiFromDetection(const PoseDetection& detection,
                                             int image_width, int image_height);
// The whole image as a region (no detector).
processing::RotatedRect WholeImageRoi(int image_width, int image_height);

// MediaPipe's heatmap refinement of landmarks normalized to the crop (x, y
// per landmark, in place): each point moves to the sigmoid-weighted mean
// cell of the kernel x kernel window around it in its heatmap channel
// (`heatmap` is [height, width, channels] logits, channel i for landmark
// i) when the window's best probability is at least `min_confidence`.
void RefineLandmarksFromHeatmap(std::vector<float>* xy, int num_landmarks,
                                const std::vector<float>& heatmap,
                                int heatmap_height, int heatmap_width,
                                int heatmap_channels, int kernel = 7,
                                float min_confidence = 0.5f);

class PoseLandmarker {
 public:
  static bool CreateFromOptions(const PoseLandmarkerOptions& options,
                                std::unique_ptr<PoseLandmarker>* out,
                                std::string* error);
  // Every pose (with a detector) or the one in the whole image (without).
  bool Detect(const processing::Image& image, PoseLandmarkerResult* result,
              std::string* error);
  // The landmark model on a region given by the caller (image pixels):
  // appends its pose to `result` when the flag passes the threshold.
  bool DetectInRoi(const processing::Image& image,
                   const processing::RotatedRect& roi,
                   PoseLandmarkerResult* result, std::string* error);
  // The pose detector's stage alone (false with an error without one).
  bool DetectPoses(const processing::Image& image,
                   std::vector<PoseDetection>* poses, std::string* error);
  int num_model_landmarks() const { return num_landmarks_; }

 private:
  PoseLandmarker() = default;
  bool CreateDetector(std::string* error);
  PoseLandmarkerOptions options_;
  std::unique_ptr<TaskModel> detector_, landmark_model_;
  std::vector<Anchor> anchors_;
  BoxDecodeOptions decode_;
  int boxes_output_ = 0, scores_output_ = 1;
  ImageInputShape input_;
  // Landmark model outputs, told apart by shape: landmarks [1, 5N], pose
  // flag [1, 1], segmentation [1, H, W, 1], heatmap [1, h, w, N], world
  // landmarks [1, 3N].
  int landmarks_output_ = 0, flag_output_ = 1, mask_output_ = 2,
      heatmap_output_ = 3, world_output_ = 4;
  int num_landmarks_ = 0;
};

}  // namespace ember::tasks
