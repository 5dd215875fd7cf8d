// `ember task face-landmarks --model face_landmark.tflite --detector
// face_detection_short_range.tflite PICTURE [--json] [-o out.png]`: the face
// mesh of each face, as MediaPipe Tasks' FaceLandmarker. The annotated
// picture shows the 468 points, the face oval, eyes and lips, and the
// rotated region the landmark model saw.
#include "task_face_landmarks.h"

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
#include "tasks/face_landmarker.h"

namespace ember::cli {
namespace {

using nlohmann::json;

struct FaceLandmarksArgs {
  std::string model, detector, input, output, delegate = "cpu";
  bool json = false;
  int threads = 1, repeat = 1, num_faces = 1;
  float min_detection = 0.5f, min_presence = 0.5f;
};

// Closed contours of MediaPipe's face mesh (its published connection
// lists, as vertex rings): face oval, the two eyes, the outer lips.
const std::vector<std::vector<int>>& Contours() {
  static const std::vector<std::vector<int>> rings = {
      {10,  338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288,
       397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136,
       172, 58,  132, 93,  234, 127, 162, 21,  54,  103, 67,  109},
      {33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161,
       246},
      {263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387,
       388, 466},
      {61,  146, 91,  181, 84,  17, 314, 405, 321, 375,
       291, 409, 270, 269, 267, 0,  37,  39,  40,  185},
  };
  return rings;
}

processing::Image Annotate(const processing::Image& image,
                           const tasks::FaceLandmarkerResult& r) {
  processing::Image canvas = processing::ConvertChannels(image, 3);
  const int thick = std::max(1, std::min(image.width, image.height) / 300);
  auto px = [&](const tasks::NormalizedLandmark& l) {
    return std::make_pair(static_cast<int>(std::lround(l.x * image.width)),
                          static_cast<int>(std::lround(l.y * image.height)));
  };
  for (size_t f = 0; f < r.face_landmarks.size(); ++f) {
    const auto& mesh = r.face_landmarks[f];
    // The region of interest, as the landmark model saw it (yellow).
    const processing::RotatedRect& roi = r.face_rois[f];
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
    for (const auto& ring : Contours()) {
      for (size_t k = 0; k < ring.size(); ++k) {
        const size_t a = ring[k], b = ring[(k + 1) % ring.size()];
        if (a >= mesh.size() || b >= mesh.size()) continue;
        const auto [x0, y0] = px(mesh[a]);
        const auto [x1, y1] = px(mesh[b]);
        processing::DrawLine(&canvas, x0, y0, x1, y1, {255, 64, 64}, thick);
      }
    }
    for (const auto& l : mesh) {
      const auto [x, y] = px(l);
      processing::DrawDot(&canvas, x, y, thick > 1 ? thick - 1 : 0,
                          {0, 255, 0});
    }
  }
  return canvas;
}

int Run(const FaceLandmarksArgs& a) {
  tasks::FaceLandmarkerOptions o;
  o.base_options.model_asset_path = a.model;
  o.base_options.num_threads = a.threads;
  o.base_options.delegate = a.delegate;
  o.face_detector_model_path = a.detector;
  o.num_faces = a.num_faces;
  o.min_face_detection_confidence = a.min_detection;
  o.min_face_presence_confidence = a.min_presence;
  std::unique_ptr<tasks::FaceLandmarker> task;
  processing::Image image;
  tasks::FaceLandmarkerResult result;
  double ms = 0, min_ms = 0;
  if (const int rc = CreateAndDetect(o, a.input, a.repeat, &task, &image,
                                     &result, &ms, &min_ms);
      rc >= 0)
    return rc;
  if (a.json) {
    json faces = json::array();
    for (size_t f = 0; f < result.face_landmarks.size(); ++f) {
      json points = json::array();
      for (const auto& l : result.face_landmarks[f])
        points.push_back({{"x", l.x}, {"y", l.y}, {"z", l.z}});
      const auto& roi = result.face_rois[f];
      faces.push_back({{"presence", result.presence_scores[f]},
                       {"roi",
                        {{"center_x", roi.center_x},
                         {"center_y", roi.center_y},
                         {"width", roi.width},
                         {"height", roi.height},
                         {"rotation", roi.rotation}}},
                       {"landmarks", points}});
    }
    PrintJson({{"task", "face-landmarks"},
               {"model", a.model},
               {"detector", a.detector},
               {"input", a.input},
               {"image", {{"width", image.width}, {"height", image.height}}},
               {"latency_ms", ms},
               {"latency_min_ms", min_ms},
               {"faces", faces}});
  } else {
    printf("%s: %zu face%s (%.2f ms end to end)\n", a.input.c_str(),
           result.face_landmarks.size(),
           result.face_landmarks.size() == 1 ? "" : "s", ms);
    for (size_t f = 0; f < result.face_landmarks.size(); ++f) {
      const auto& roi = result.face_rois[f];
      printf(
          "  face %zu: %zu landmarks, presence %.3f, region %.1fx%.1f at "
          "(%.1f, %.1f) turned %.1f deg\n",
          f, result.face_landmarks[f].size(), result.presence_scores[f],
          roi.width, roi.height, roi.center_x, roi.center_y,
          roi.rotation * 180 / 3.14159265358979);
    }
  }
  if (a.output.empty()) return kExitOk;
  std::string err;
  if (!processing::WritePngFile(a.output, Annotate(image, result), &err))
    return Fail(kExitError, "%s", err.c_str());
  return kExitOk;
}

}  // namespace

std::function<int()> AddFaceLandmarksTask(CLI::App* task, CLI::App** sub) {
  auto a = std::make_shared<FaceLandmarksArgs>();
  CLI::App* c = task->add_subcommand(
      "face-landmarks",
      "Face landmarks: the 468-point face mesh (BlazeFace detector + "
      "face_landmark.tflite)");
  c->add_option("--model,-m", a->model,
                "Face landmark model (face_landmark.tflite)")
      ->required();
  c->add_option("--detector", a->detector,
                "Face detector (face_detection_short_range.tflite)")
      ->required();
  c->add_option("INPUT", a->input, "JPEG, PNG or BMP picture")->required();
  c->add_flag("--json", a->json, "Print one JSON object");
  c->add_option("--output,-o", a->output, "Picture with the mesh drawn (PNG)");
  c->add_option("--num-faces", a->num_faces, "At most N faces (default 1)")
      ->check(CLI::Range(1, 1000));
  c->add_option("--min-detection-confidence", a->min_detection,
                "Minimum face detector score (default 0.5)");
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
