// `ember task pose --model pose_landmark_lite.tflite [--detector
// pose_detection.tflite] PICTURE [--json] [-o out.png]`: 33 body landmarks
// (with visibility and presence) and world landmarks per person, as
// MediaPipe Tasks' PoseLandmarker. Without --detector the whole picture is
// the person's region (right when the person fills the frame). The
// annotated picture shows the skeleton (points seen with visibility and
// presence >= 0.5, as MediaPipe's drawing utilities do), the region the
// landmark model saw and, with --segmentation, the person mask.
#include "task_pose.h"

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
#include "tasks/pose_landmarker.h"

namespace ember::cli {
namespace {

using nlohmann::json;

struct PoseArgs {
  std::string model, detector, input, output, delegate = "cpu";
  bool json = false, segmentation = false;
  int threads = 1, repeat = 1, num_poses = 1;
  float min_detection = 0.5f, min_presence = 0.5f;
};

// MediaPipe's 33-point pose topology: face, arms and hands, torso, legs
// and feet.
constexpr int kBones[][2] = {
    {0, 1},   {1, 2},   {2, 3},   {3, 7},   {0, 4},   {4, 5},   {5, 6},
    {6, 8},   {9, 10},  {11, 12}, {11, 13}, {13, 15}, {15, 17}, {15, 19},
    {15, 21}, {17, 19}, {12, 14}, {14, 16}, {16, 18}, {16, 20}, {16, 22},
    {18, 20}, {11, 23}, {12, 24}, {23, 24}, {23, 25}, {24, 26}, {25, 27},
    {26, 28}, {27, 29}, {28, 30}, {29, 31}, {30, 32}, {27, 31}, {28, 32},
};

constexpr float kDrawThreshold = 0.5f;

int Px(float v, int size) { return static_cast<int>(std::lround(v * size)); }

bool Seen(const tasks::PoseLandmark& l) {
  return l.visibility >= kDrawThreshold && l.presence >= kDrawThreshold;
}

processing::Image Annotate(const processing::Image& image,
                           const tasks::PoseLandmarkerResult& r) {
  processing::Image canvas = processing::ConvertChannels(image, 3);
  // The person mask first, tinted green by its probability.
  for (const tasks::PoseMask& m : r.segmentation_masks)
    for (size_t i = 0; i < m.values.size(); ++i) {
      uint8_t* px = &canvas.pixels[3 * i];
      const float a = 0.5f * m.values[i];
      px[0] = static_cast<uint8_t>(std::lround(px[0] * (1 - a)));
      px[1] = static_cast<uint8_t>(std::lround(px[1] * (1 - a) + 255 * a));
      px[2] = static_cast<uint8_t>(std::lround(px[2] * (1 - a)));
    }
  const int thick = std::max(1, std::min(image.width, image.height) / 200);
  for (size_t f = 0; f < r.pose_landmarks.size(); ++f) {
    const auto& pose = r.pose_landmarks[f];
    const processing::RotatedRect& roi = r.pose_rois[f];
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
    for (const auto& b : kBones) {
      const auto& a = pose[b[0]];
      const auto& c = pose[b[1]];
      if (!Seen(a) || !Seen(c)) continue;
      processing::DrawLine(&canvas, Px(a.x, image.width), Px(a.y, image.height),
                           Px(c.x, image.width), Px(c.y, image.height),
                           {255, 255, 255}, thick);
    }
    // The person's left side (odd indices) orange, right side (even, but
    // the nose) blue, as MediaPipe's default pose style.
    for (size_t i = 0; i < pose.size(); ++i) {
      if (!Seen(pose[i])) continue;
      const processing::Color color = i == 0  ? processing::Color{255, 255, 255}
                                      : i % 2 ? processing::Color{255, 138, 0}
                                              : processing::Color{0, 217, 231};
      processing::DrawDot(&canvas, Px(pose[i].x, image.width),
                          Px(pose[i].y, image.height), thick + 1, color);
    }
  }
  return canvas;
}

json Points(const std::vector<tasks::PoseLandmark>& points) {
  json out = json::array();
  for (const auto& l : points)
    out.push_back({{"x", l.x},
                   {"y", l.y},
                   {"z", l.z},
                   {"visibility", l.visibility},
                   {"presence", l.presence}});
  return out;
}

int Run(const PoseArgs& a) {
  tasks::PoseLandmarkerOptions o;
  o.base_options.model_asset_path = a.model;
  o.base_options.num_threads = a.threads;
  o.base_options.delegate = a.delegate;
  o.pose_detector_model_path = a.detector;
  o.num_poses = a.num_poses;
  o.min_pose_detection_confidence = a.min_detection;
  o.min_pose_presence_confidence = a.min_presence;
  o.output_segmentation_masks = a.segmentation;
  std::unique_ptr<tasks::PoseLandmarker> task;
  processing::Image image;
  tasks::PoseLandmarkerResult result;
  double ms = 0, min_ms = 0;
  if (const int rc = CreateAndDetect(o, a.input, a.repeat, &task, &image,
                                     &result, &ms, &min_ms);
      rc >= 0)
    return rc;
  if (a.json) {
    json poses = json::array();
    for (size_t f = 0; f < result.pose_landmarks.size(); ++f) {
      const auto& roi = result.pose_rois[f];
      json pose = {{"presence", result.presence_scores[f]},
                   {"roi",
                    {{"center_x", roi.center_x},
                     {"center_y", roi.center_y},
                     {"width", roi.width},
                     {"height", roi.height},
                     {"rotation", roi.rotation}}},
                   {"landmarks", Points(result.pose_landmarks[f])},
                   {"world_landmarks", Points(result.pose_world_landmarks[f])}};
      if (f < result.detections.size()) {
        const auto& d = result.detections[f];
        json keypoints = json::array();
        for (const auto& k : d.keypoints)
          keypoints.push_back({{"x", k.x}, {"y", k.y}});
        pose["detection"] = {{"score", d.score},
                             {"box",
                              {{"xmin", d.box.xmin},
                               {"ymin", d.box.ymin},
                               {"xmax", d.box.xmax},
                               {"ymax", d.box.ymax}}},
                             {"keypoints", keypoints}};
      }
      poses.push_back(pose);
    }
    PrintJson({{"task", "pose"},
               {"model", a.model},
               {"detector", a.detector},
               {"input", a.input},
               {"image", {{"width", image.width}, {"height", image.height}}},
               {"latency_ms", ms},
               {"latency_min_ms", min_ms},
               {"poses", poses}});
  } else {
    printf("%s: %zu pose%s (%.2f ms end to end)\n", a.input.c_str(),
           result.pose_landmarks.size(),
           result.pose_landmarks.size() == 1 ? "" : "s", ms);
    for (size_t f = 0; f < result.pose_landmarks.size(); ++f) {
      int seen = 0;
      for (const auto& l : result.pose_landmarks[f]) seen += Seen(l);
      printf("  pose %zu: presence %.3f, %d of %zu landmarks visible\n", f,
             result.presence_scores[f], seen, result.pose_landmarks[f].size());
    }
  }
  if (a.output.empty()) return kExitOk;
  std::string err;
  if (!processing::WritePngFile(a.output, Annotate(image, result), &err))
    return Fail(kExitError, "%s", err.c_str());
  return kExitOk;
}

}  // namespace

std::function<int()> AddPoseTask(CLI::App* task, CLI::App** sub) {
  auto a = std::make_shared<PoseArgs>();
  CLI::App* c = task->add_subcommand(
      "pose",
      "Pose landmarks: 33 body points per person (pose_landmark_lite.tflite, "
      "optionally after the pose detector)");
  c->add_option("--model,-m", a->model,
                "Pose landmark model (pose_landmark_lite.tflite)")
      ->required();
  c->add_option("--detector", a->detector,
                "Pose detector (pose_detection.tflite); without it the whole "
                "picture is the person's region");
  c->add_option("INPUT", a->input, "JPEG, PNG or BMP picture")->required();
  c->add_flag("--json", a->json, "Print one JSON object");
  c->add_option("--output,-o", a->output,
                "Picture with the skeletons drawn (PNG)");
  c->add_flag("--segmentation", a->segmentation,
              "Compute the person mask (drawn on the -o picture)");
  c->add_option("--num-poses", a->num_poses, "At most N poses (default 1)")
      ->check(CLI::Range(1, 1000));
  c->add_option("--min-detection-confidence", a->min_detection,
                "Minimum pose detector score (default 0.5)");
  c->add_option("--min-presence-confidence", a->min_presence,
                "Minimum landmark model pose score (default 0.5)");
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
