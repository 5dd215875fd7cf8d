// `ember task hands --model hand_landmark_lite.tflite --detector
// palm_detection_lite.tflite PICTURE [--json] [-o out.png]`: 21 landmarks,
// world landmarks and handedness per hand, as MediaPipe Tasks'
// HandLandmarker. The annotated picture shows the hand skeleton and the
// rotated region the landmark model saw.
#include "task_hands.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cli_util.h"
#include "processing/draw.h"
#include "processing/rotated_crop.h"
#include "processing/transform.h"
#include "task_detect_timing.h"
#include "tasks/hand_landmarker.h"

namespace ember::cli {
namespace {

using nlohmann::json;

struct HandsArgs {
  std::string model, detector, input, output, delegate = "cpu";
  bool json = false;
  int threads = 1, repeat = 1, num_hands = 1;
  float min_detection = 0.5f, min_presence = 0.5f;
};

// MediaPipe's hand skeleton: wrist (0) to each finger's four joints.
constexpr int kBones[][2] = {
    {0, 1},   {1, 2},   {2, 3},   {3, 4},   {0, 5},   {5, 6},   {6, 7},
    {7, 8},   {5, 9},   {9, 10},  {10, 11}, {11, 12}, {9, 13},  {13, 14},
    {14, 15}, {15, 16}, {13, 17}, {0, 17},  {17, 18}, {18, 19}, {19, 20},
};

int Px(float v, int size) { return static_cast<int>(std::lround(v * size)); }

processing::Image Annotate(const processing::Image& image,
                           const tasks::HandLandmarkerResult& r) {
  processing::Image canvas = processing::ConvertChannels(image, 3);
  const int thick = std::max(1, std::min(image.width, image.height) / 200);
  for (size_t f = 0; f < r.hand_landmarks.size(); ++f) {
    const auto& hand = r.hand_landmarks[f];
    const processing::RotatedRect& roi = r.hand_rois[f];
    const float corners[5][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}};
    for (int k = 0; k < 4; ++k) {
      float x0, y0, x1, y1;
      processing::RectToSource(roi, corners[k][0], corners[k][1], &x0, &y0);
      processing::RectToSource(roi, corners[k + 1][0], corners[k + 1][1], &x1,
                               &y1);
      processing::DrawLine(
          &canvas, static_cast<int>(std::lround(x0)),
          static_cast<int>(std::lround(y0)), static_cast<int>(std::lround(x1)),
          static_cast<int>(std::lround(y1)), {255, 220, 0}, thick);
    }
    for (const auto& b : kBones)
      processing::DrawLine(
          &canvas, Px(hand[b[0]].x, image.width),
          Px(hand[b[0]].y, image.height), Px(hand[b[1]].x, image.width),
          Px(hand[b[1]].y, image.height), {255, 64, 64}, thick);
    for (const auto& l : hand)
      processing::DrawDot(&canvas, Px(l.x, image.width), Px(l.y, image.height),
                          thick + 1, {0, 255, 0});
  }
  return canvas;
}

int Run(const HandsArgs& a) {
  tasks::HandLandmarkerOptions o;
  o.base_options.model_asset_path = a.model;
  o.base_options.num_threads = a.threads;
  o.base_options.delegate = a.delegate;
  o.hand_detector_model_path = a.detector;
  o.num_hands = a.num_hands;
  o.min_hand_detection_confidence = a.min_detection;
  o.min_hand_presence_confidence = a.min_presence;
  std::unique_ptr<tasks::HandLandmarker> task;
  processing::Image image;
  tasks::HandLandmarkerResult result;
  double ms = 0, min_ms = 0;
  if (const int rc = CreateAndDetect(o, a.input, a.repeat, &task, &image,
                                     &result, &ms, &min_ms);
      rc >= 0)
    return rc;
  if (a.json) {
    json hands = json::array();
    for (size_t f = 0; f < result.hand_landmarks.size(); ++f) {
      json points = json::array(), world = json::array();
      for (const auto& l : result.hand_landmarks[f])
        points.push_back({{"x", l.x}, {"y", l.y}, {"z", l.z}});
      for (const auto& l : result.hand_world_landmarks[f])
        world.push_back({{"x", l.x}, {"y", l.y}, {"z", l.z}});
      const auto& roi = result.hand_rois[f];
      const auto& side = result.handedness[f];
      const auto& palm = result.palms[f];
      json palm_points = json::array();
      for (const auto& k : palm.keypoints)
        palm_points.push_back({{"x", k.x}, {"y", k.y}});
      hands.push_back({{"presence", result.presence_scores[f]},
                       {"palm",
                        {{"score", palm.score},
                         {"box",
                          {{"xmin", palm.box.xmin},
                           {"ymin", palm.box.ymin},
                           {"xmax", palm.box.xmax},
                           {"ymax", palm.box.ymax}}},
                         {"keypoints", palm_points}}},
                       {"handedness",
                        {{"index", side.index},
                         {"score", side.score},
                         {"category_name", side.category_name}}},
                       {"roi",
                        {{"center_x", roi.center_x},
                         {"center_y", roi.center_y},
                         {"width", roi.width},
                         {"height", roi.height},
                         {"rotation", roi.rotation}}},
                       {"landmarks", points},
                       {"world_landmarks", world}});
    }
    PrintJson({{"task", "hands"},
               {"model", a.model},
               {"detector", a.detector},
               {"input", a.input},
               {"image", {{"width", image.width}, {"height", image.height}}},
               {"latency_ms", ms},
               {"latency_min_ms", min_ms},
               {"hands", hands}});
  } else {
    printf("%s: %zu hand%s (%.2f ms end to end)\n", a.input.c_str(),
           result.hand_landmarks.size(),
           result.hand_landmarks.size() == 1 ? "" : "s", ms);
    for (size_t f = 0; f < result.hand_landmarks.size(); ++f)
      printf("  hand %zu: %s %.3f, presence %.3f\n", f,
             result.handedness[f].category_name.c_str(),
             result.handedness[f].score, result.presence_scores[f]);
  }
  if (a.output.empty()) return kExitOk;
  std::string err;
  if (!processing::WritePngFile(a.output, Annotate(image, result), &err))
    return Fail(kExitError, "%s", err.c_str());
  return kExitOk;
}

}  // namespace

std::function<int()> AddHandsTask(CLI::App* task, CLI::App** sub) {
  auto a = std::make_shared<HandsArgs>();
  CLI::App* c = task->add_subcommand(
      "hands",
      "Hand landmarks: 21 points and handedness per hand (palm detector + "
      "hand_landmark_lite.tflite)");
  c->add_option("--model,-m", a->model,
                "Hand landmark model (hand_landmark_lite.tflite)")
      ->required();
  c->add_option("--detector", a->detector,
                "Palm detector (palm_detection_lite.tflite)")
      ->required();
  c->add_option("INPUT", a->input, "JPEG, PNG or BMP picture")->required();
  c->add_flag("--json", a->json, "Print one JSON object");
  c->add_option("--output,-o", a->output,
                "Picture with the hand skeletons drawn (PNG)");
  c->add_option("--num-hands", a->num_hands, "At most N hands (default 1)")
      ->check(CLI::Range(1, 1000));
  c->add_option("--min-detection-confidence", a->min_detection,
                "Minimum palm detector score (default 0.5)");
  c->add_option("--min-presence-confidence", a->min_presence,
                "Minimum landmark model presence score (default 0.5)");
  c->add_option("--threads", a->threads, "Threads (default 1)")
      ->check(CLI::Range(1, 256));
  c->add_option("--delegate", a->delegate,
                "cpu (default), reference, gpu (Vulkan) or the path of a "
                "delegate library");
  c->add_option("--repeat", a->repeat,
                "Run N times, report the median end-to-end time")
      ->check(CLI::Range(1, 100000));
  *sub = c;
  return [a] { return Run(*a); };
}

}  // namespace ember::cli
