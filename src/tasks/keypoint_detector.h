// An SSD detector with keypoints run on a letterboxed picture, as MediaPipe's
// palm and pose detectors are: the picture letterboxed into the model's
// input, boxes and keypoints decoded on the anchors, weighted non-max
// suppression at IoU 0.3, and the letterbox removed, so that boxes and
// keypoints come out normalized to the picture.
#pragma once

#include <string>
#include <vector>

#include "processing/image.h"
#include "tasks/ssd_anchors.h"
#include "tasks/task_model.h"

namespace ember::tasks {

struct KeypointDetection {
  NormalizedBox box;
  float score = 0;
  std::vector<Keypoint> keypoints;
};

// `normalization` applies where the model's metadata gives none; at most
// `max_results` detections, best first.
bool DetectLetterboxedKeypoints(
    TaskModel& model, const processing::Image& image,
    const processing::InputNormalization& normalization, int boxes_output,
    int scores_output, const std::vector<Anchor>& anchors,
    const BoxDecodeOptions& decode, int max_results,
    std::vector<KeypointDetection>* out, std::string* error);

}  // namespace ember::tasks
