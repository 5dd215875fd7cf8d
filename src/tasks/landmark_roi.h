// The region of interest a landmark model sees, from a detection (boxes
// and keypoints normalized to the image), as MediaPipe's
// DetectionsToRects + RectTransformation calculators compute it: the box's
// centre, turned so that the vector from one keypoint to another points at
// a target angle, shifted (in the turned frame, by fractions of the box),
// squared on its long side and scaled. All in image pixels.
#pragma once

#include <vector>

#include "processing/rotated_crop.h"
#include "tasks/ssd_anchors.h"

namespace ember::tasks {

struct RoiOptions {
  int start_keypoint = 0, end_keypoint = 1;
  // Where start -> end should point in the region, radians (0: along +x,
  // pi/2: up the region's y axis).
  float target_angle = 0;
  float shift_x = 0, shift_y = 0;  // fractions of the box's width, height
  float scale = 1;                 // of the squared side
};

// Faces (MediaPipe's face_detection_front_detection_to_roi): right eye ->
// left eye level, 1.5 times the squared box.
inline RoiOptions FaceRoiOptions() { return {0, 1, 0.0f, 0, 0, 1.5f}; }
// Hands: wrist centre -> middle finger knuckle, shifted half the box
// towards the fingers, 2.6 times the squared box. The target angle is 90
// *radians* (116.6 degrees mod 2 pi), not 90 degrees: MediaPipe Tasks'
// hand detector graph gives 90 to DetectionsToRects' radians field (its
// legacy palm_detection_detection_to_roi graph says 90 degrees). Ember
// follows Tasks so that its hands agree with MediaPipe Tasks' (on the
// shared pictures' palm candidates: 0.19 px mean landmark difference this
// way, 8.6 px with pi / 2;
// tests/tasks/compare_hand_landmarker_with_mediapipe.py).
inline RoiOptions PalmRoiOptions() { return {0, 2, 90.0f, 0, -0.5f, 2.6f}; }

processing::RotatedRect RoiFromDetection(const NormalizedBox& box,
                                         const std::vector<Keypoint>& keypoints,
                                         const RoiOptions& options,
                                         int image_width, int image_height);

// Landmark model values (`stride` values per landmark: x, y[, z, ...], in
// input pixels of an input_width x input_height input that showed `roi`)
// -> points normalized to the image_width x image_height image; z (the
// third value, 0 without) divided by input_width and `z_scale`, then
// scaled as x.
struct ProjectedLandmark {
  float x = 0, y = 0, z = 0;
};
std::vector<ProjectedLandmark> ProjectToImage(
    const std::vector<float>& values, int num_landmarks, int input_width,
    int input_height, const processing::RotatedRect& roi, int image_width,
    int image_height, float z_scale = 1.0f);

}  // namespace ember::tasks
