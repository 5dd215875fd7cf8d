#include "tasks/keypoint_detector.h"

#include <utility>

namespace ember::tasks {

bool DetectLetterboxedKeypoints(
    TaskModel& model, const processing::Image& image,
    const processing::InputNormalization& normalization, int boxes_output,
    int scores_output, const std::vector<Anchor>& anchors,
    const BoxDecodeOptions& decode, int max_results,
    std::vector<KeypointDetection>* out, std::string* error) {
  out->clear();
  processing::LetterboxPlacement place;
  if (!SetImageInput(model, 0, image, FitMode::kLetterbox, normalization,
                     &place, error) ||
      !model.Invoke(error))
    return false;
  std::vector<float> boxes, scores;
  if (!model.OutputAsFloat(boxes_output, &boxes, error) ||
      !model.OutputAsFloat(scores_output, &scores, error))
    return false;
  std::vector<Detection> raw;
  if (!DecodeBoxes(boxes, scores, anchors, decode, &raw, error)) return false;
  for (const Detection& d :
       WeightedNonMaxSuppression(std::move(raw), 0.3f, max_results)) {
    KeypointDetection k;
    k.score = d.score;
    float x0 = d.xmin, y0 = d.ymin, x1 = d.xmax, y1 = d.ymax;
    place.ToSource(&x0, &y0, image.width, image.height);
    place.ToSource(&x1, &y1, image.width, image.height);
    k.box = {x0, y0, x1, y1};
    for (Keypoint p : d.keypoints) {
      place.ToSource(&p.x, &p.y, image.width, image.height);
      k.keypoints.push_back(p);
    }
    out->push_back(std::move(k));
  }
  return true;
}

}  // namespace ember::tasks
