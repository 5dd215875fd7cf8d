// `ember task classify|detect|faces|segment|embed|audio|kws|text|text-embed
// --model M INPUT [--json] [-o out.png]`: the task library (src/tasks) from
// the command line (face-landmarks, hands: task_face_landmarks.cc,
// task_hands.cc). Vision tasks take a JPEG/PNG/BMP picture and can write it
// annotated (boxes and keypoints, mask overlay); embed prints feature vectors
// and, given a second picture, their cosine similarity; kws takes a WAV clip,
// text a sentence.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli_util.h"
#include "command_registry.h"
#include "processing/audio.h"
#include "processing/draw.h"
#include "processing/transform.h"
#include "task_face_landmarks.h"
#include "task_hands.h"
#include "task_pose.h"
#include "tasks/audio_classifier.h"
#include "tasks/face_detector.h"
#include "tasks/image_classifier.h"
#include "tasks/image_embedder.h"
#include "tasks/image_segmenter.h"
#include "tasks/keyword_spotter.h"
#include "tasks/object_detector.h"
#include "tasks/text_classifier.h"
#include "tasks/text_embedder.h"

namespace ember::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct TaskArgs {
  std::string model, input, output, labels, delegate = "cpu", frontend;
  std::string mask;     // segment: the confidence mask as a gray PNG
  std::string compare;  // embed: a second picture to compare with
  bool l2_normalize = false, quantize = false;  // embed
  std::vector<std::string> allow, deny;
  bool json = false;
  int threads = 1;
  int max_results = -1;
  float score_threshold = -1e30f;
  int repeat = 1;
  float min_confidence = 0.5f;
  bool letterbox = false;  // detect: keep the aspect ratio
};

std::string HexColor(processing::Color c) {
  char text[8];
  snprintf(text, sizeof(text), "%02x%02x%02x", c.r, c.g, c.b);
  return text;
}

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// --labels: a file with one label per line, or a comma-separated list.
std::vector<std::string> ParseLabels(const std::string& spec) {
  std::vector<std::string> labels;
  if (spec.empty()) return labels;
  std::error_code ec;
  std::string line;
  if (std::filesystem::is_regular_file(spec, ec)) {
    std::ifstream in(spec);
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      labels.push_back(line);
    }
    return labels;
  }
  std::stringstream s(spec);
  while (std::getline(s, line, ',')) labels.push_back(line);
  return labels;
}

tasks::BaseOptions Base(const TaskArgs& a) {
  tasks::BaseOptions b;
  b.model_asset_path = a.model;
  b.num_threads = a.threads;
  b.delegate = a.delegate;
  return b;
}

tasks::ClassifierOptions Classifier(const TaskArgs& a) {
  tasks::ClassifierOptions c;
  c.max_results = a.max_results;
  c.score_threshold = a.score_threshold;
  c.category_allowlist = a.allow;
  c.category_denylist = a.deny;
  return c;
}

json CategoriesJson(const std::vector<tasks::Category>& cats) {
  json out = json::array();
  for (const auto& c : cats)
    out.push_back({{"index", c.index},
                   {"score", c.score},
                   {"category_name", c.category_name}});
  return out;
}

void PrintCategories(const std::vector<tasks::Category>& cats) {
  for (size_t i = 0; i < cats.size(); ++i)
    printf("  %zu. %-16s %.4f (index %d)\n", i + 1,
           cats[i].category_name.empty() ? "-" : cats[i].category_name.c_str(),
           cats[i].score, cats[i].index);
}

// Runs `body` --repeat times (decoding the input each time, so that the
// figure is end to end) and reports the median wall time; the minimum goes
// to `g_min_ms` (on a loaded machine the least disturbed run).
double g_min_ms = 0;
template <typename Body>
bool Timed(const TaskArgs& a, Body body, double* median_ms, std::string* err) {
  std::vector<double> times;
  for (int i = 0; i < std::max(1, a.repeat); ++i) {
    const auto t0 = Clock::now();
    if (!body(err)) return false;
    times.push_back(Ms(Clock::now() - t0));
  }
  *median_ms = Median(times);
  g_min_ms = *std::min_element(times.begin(), times.end());
  return true;
}

// The shape every subcommand shares: creates the task from `o`, then runs
// `run` (which reads the input and runs the task on it) --repeat times.
// Returns the exit code of a failure (printed), or -1 to go on.
template <typename Task, typename Options, typename Run>
int CreateAndTime(const TaskArgs& a, const Options& o,
                  std::unique_ptr<Task>* task, Run run, double* ms) {
  std::string err;
  if (!Task::CreateFromOptions(o, task, &err) || !Timed(a, run, ms, &err))
    return Fail(kExitError, "%s", err.c_str());
  return -1;
}

int WriteAnnotated(const TaskArgs& a, const processing::Image& image) {
  if (a.output.empty()) return kExitOk;
  std::string err;
  if (!processing::WritePngFile(a.output, image, &err))
    return Fail(kExitError, "%s", err.c_str());
  return kExitOk;
}

int Classify(const TaskArgs& a) {
  tasks::ImageClassifierOptions o;
  o.base_options = Base(a);
  o.classifier_options = Classifier(a);
  o.labels = ParseLabels(a.labels);
  std::unique_ptr<tasks::ImageClassifier> task;
  processing::Image image;
  tasks::ClassificationResult result;
  double ms = 0;
  if (const int rc = CreateAndTime(
          a, o, &task,
          [&](std::string* e) {
            return processing::ReadImageFile(a.input, &image, e) &&
                   task->Classify(image, &result, e);
          },
          &ms);
      rc >= 0)
    return rc;
  const auto& cats = result.classifications[0].categories;
  if (a.json) {
    PrintJson({{"task", "classify"},
               {"model", a.model},
               {"input", a.input},
               {"latency_ms", ms},
               {"latency_min_ms", g_min_ms},
               {"classifications",
                json::array({{{"head_index", 0},
                              {"categories", CategoriesJson(cats)}}})}});
  } else {
    printf("%s: %zu categor%s (%.2f ms end to end)\n", a.input.c_str(),
           cats.size(), cats.size() == 1 ? "y" : "ies", ms);
    PrintCategories(cats);
  }
  return kExitOk;
}

int Faces(const TaskArgs& a) {
  tasks::FaceDetectorOptions o;
  o.base_options = Base(a);
  o.min_detection_confidence = a.min_confidence;
  o.max_results = a.max_results;
  std::unique_ptr<tasks::FaceDetector> task;
  processing::Image image;
  tasks::FaceDetectorResult result;
  double ms = 0;
  if (const int rc = CreateAndTime(
          a, o, &task,
          [&](std::string* e) {
            return processing::ReadImageFile(a.input, &image, e) &&
                   task->Detect(image, &result, e);
          },
          &ms);
      rc >= 0)
    return rc;
  json faces = json::array();
  for (const auto& d : result.detections) {
    json kps = json::array();
    for (const auto& k : d.keypoints) kps.push_back({{"x", k.x}, {"y", k.y}});
    const auto& b = d.bounding_box;
    faces.push_back({{"score", d.score},
                     {"bounding_box",
                      {{"origin_x", b.origin_x},
                       {"origin_y", b.origin_y},
                       {"width", b.width},
                       {"height", b.height}}},
                     {"keypoints", kps}});
  }
  if (a.json) {
    PrintJson({{"task", "faces"},
               {"model", a.model},
               {"input", a.input},
               {"image", {{"width", image.width}, {"height", image.height}}},
               {"latency_ms", ms},
               {"latency_min_ms", g_min_ms},
               {"detections", faces}});
  } else {
    printf("%s: %zu face%s (%.2f ms end to end)\n", a.input.c_str(),
           result.detections.size(), result.detections.size() == 1 ? "" : "s",
           ms);
    for (const auto& d : result.detections)
      printf("  score %.3f  box x=%d y=%d w=%d h=%d\n", d.score,
             d.bounding_box.origin_x, d.bounding_box.origin_y,
             d.bounding_box.width, d.bounding_box.height);
  }
  if (a.output.empty()) return kExitOk;
  processing::Image canvas = processing::ConvertChannels(image, 3);
  const int thick = std::max(1, std::min(image.width, image.height) / 150);
  for (const auto& d : result.detections) {
    const auto& b = d.bounding_box;
    processing::DrawRect(&canvas, b.origin_x, b.origin_y, b.origin_x + b.width,
                         b.origin_y + b.height, {0, 255, 0}, thick);
    for (const auto& k : d.keypoints)
      processing::DrawDot(&canvas, static_cast<int>(k.x * image.width),
                          static_cast<int>(k.y * image.height), thick + 1,
                          {255, 0, 0});
  }
  return WriteAnnotated(a, canvas);
}

// Box colours of `detect -o`, one per class id (cycled).
constexpr processing::Color kClassColors[] = {
    {0, 255, 0},   {255, 64, 64}, {64, 128, 255}, {255, 200, 0},
    {255, 0, 255}, {0, 255, 255}, {255, 128, 0},  {160, 96, 255},
};

int Detect(const TaskArgs& a) {
  tasks::ObjectDetectorOptions o;
  o.base_options = Base(a);
  o.max_results = a.max_results;
  o.score_threshold = a.score_threshold;
  o.category_allowlist = a.allow;
  o.category_denylist = a.deny;
  o.labels = ParseLabels(a.labels);
  if (a.letterbox) o.fit = tasks::FitMode::kLetterbox;
  std::unique_ptr<tasks::ObjectDetector> task;
  processing::Image image;
  tasks::DetectionResult result;
  double ms = 0;
  if (const int rc = CreateAndTime(
          a, o, &task,
          [&](std::string* e) {
            return processing::ReadImageFile(a.input, &image, e) &&
                   task->Detect(image, &result, e);
          },
          &ms);
      rc >= 0)
    return rc;
  constexpr int kColors = sizeof(kClassColors) / sizeof(kClassColors[0]);
  auto color_of = [](int index) {
    return kClassColors[(index % kColors + kColors) % kColors];
  };
  if (a.json) {
    json detections = json::array();
    for (const auto& d : result.detections) {
      const auto& b = d.bounding_box;
      detections.push_back({{"bounding_box",
                             {{"origin_x", b.origin_x},
                              {"origin_y", b.origin_y},
                              {"width", b.width},
                              {"height", b.height}}},
                            {"categories", CategoriesJson(d.categories)}});
    }
    PrintJson({{"task", "detect"},
               {"model", a.model},
               {"input", a.input},
               {"image", {{"width", image.width}, {"height", image.height}}},
               {"latency_ms", ms},
               {"latency_min_ms", g_min_ms},
               {"detections", detections}});
  } else {
    printf("%s: %zu object%s (%.2f ms end to end)\n", a.input.c_str(),
           result.detections.size(), result.detections.size() == 1 ? "" : "s",
           ms);
    for (const auto& d : result.detections) {
      const auto& c = d.categories[0];
      const processing::Color col = color_of(c.index);
      printf("  %-16s %.3f (index %d)  box x=%d y=%d w=%d h=%d%s\n",
             c.category_name.empty() ? "-" : c.category_name.c_str(), c.score,
             c.index, d.bounding_box.origin_x, d.bounding_box.origin_y,
             d.bounding_box.width, d.bounding_box.height,
             a.output.empty() ? "" : (" colour #" + HexColor(col)).c_str());
    }
  }
  if (a.output.empty()) return kExitOk;
  // Boxes coloured by class, each with its label and score written in a
  // tag of the same colour above it (inside it at the picture's top edge).
  processing::Image canvas = processing::ConvertChannels(image, 3);
  const int thick = std::max(1, std::min(image.width, image.height) / 150);
  const int scale = std::max(1, std::min(image.width, image.height) / 160);
  auto clampx = [&](int v) { return std::clamp(v, -1, image.width); };
  auto clampy = [&](int v) { return std::clamp(v, -1, image.height); };
  for (const auto& d : result.detections) {
    const auto& b = d.bounding_box;
    const auto& c = d.categories[0];
    const processing::Color col = color_of(c.index);
    // Clamped in 64 bits: a model's boxes may be anywhere.
    const int x0 = clampx(b.origin_x), y0 = clampy(b.origin_y);
    const int x1 = clampx(static_cast<int>(
        std::clamp<int64_t>(int64_t{b.origin_x} + b.width, -1, image.width)));
    const int y1 = clampy(static_cast<int>(
        std::clamp<int64_t>(int64_t{b.origin_y} + b.height, -1, image.height)));
    processing::DrawRect(&canvas, x0, y0, x1, y1, col, thick);
    char score[16];
    snprintf(score, sizeof(score), "%.2f", c.score);
    const std::string tag =
        (c.category_name.empty() ? std::to_string(c.index) : c.category_name) +
        " " + score;
    const int pad = scale;
    const int tag_h = processing::TextHeight(scale) + 2 * pad;
    const int ty = y0 - tag_h >= 0 ? y0 - tag_h : std::max(y0, 0);
    const int tx = std::max(x0, 0);
    processing::FillRect(&canvas, tx, ty,
                         tx + processing::TextWidth(tag, scale) + 2 * pad - 1,
                         ty + tag_h - 1, col);
    processing::DrawText(&canvas, tx + pad, ty + pad, tag, {0, 0, 0}, scale);
  }
  return WriteAnnotated(a, canvas);
}

int Segment(const TaskArgs& a) {
  tasks::ImageSegmenterOptions o;
  o.base_options = Base(a);
  std::unique_ptr<tasks::ImageSegmenter> task;
  processing::Image image;
  tasks::ImageSegmenterResult result;
  double ms = 0;
  if (const int rc = CreateAndTime(
          a, o, &task,
          [&](std::string* e) {
            return processing::ReadImageFile(a.input, &image, e) &&
                   task->Segment(image, &result, e);
          },
          &ms);
      rc >= 0)
    return rc;
  size_t fg = 0;
  for (uint8_t c : result.category_mask) fg += c == 1;
  const double fraction =
      result.category_mask.empty()
          ? 0.0
          : static_cast<double>(fg) / result.category_mask.size();
  if (a.json) {
    PrintJson({{"task", "segment"},
               {"model", a.model},
               {"input", a.input},
               {"image", {{"width", image.width}, {"height", image.height}}},
               {"latency_ms", ms},
               {"latency_min_ms", g_min_ms},
               {"masks", result.confidence_masks.size()},
               {"foreground_fraction", fraction}});
  } else {
    printf("%s: %.1f%% of the pixels foreground (%.2f ms end to end)\n",
           a.input.c_str(), 100 * fraction, ms);
  }
  if (!a.mask.empty() && !result.confidence_masks.empty()) {
    processing::Image gray(image.width, image.height, 1);
    const auto& m = result.confidence_masks.back();
    for (size_t i = 0; i < m.size(); ++i)
      gray.pixels[i] = static_cast<uint8_t>(std::lround(m[i] * 255));
    std::string err2;
    if (!processing::WritePngFile(a.mask, gray, &err2))
      return Fail(kExitError, "%s", err2.c_str());
  }
  if (a.output.empty() || result.confidence_masks.empty()) return kExitOk;
  processing::Image canvas = processing::ConvertChannels(image, 3);
  processing::BlendMask(&canvas, result.confidence_masks.back(), {255, 0, 255},
                        0.6f);
  return WriteAnnotated(a, canvas);
}

json EmbeddingJson(const tasks::Embedding& e) {
  json values = json::array();
  if (e.quantized()) {
    for (int8_t v : e.quantized_embedding) values.push_back(v);
  } else {
    for (float v : e.float_embedding) values.push_back(v);
  }
  return {{"head_index", e.head_index},
          {"head_name", e.head_name},
          {"quantized", e.quantized()},
          {"embedding", values}};
}

// The first values of an embedding, for people (--json has them all).
std::string Preview(const tasks::Embedding& e) {
  std::string s;
  const size_t n = std::min<size_t>(e.size(), 6);
  char buf[32];
  for (size_t i = 0; i < n; ++i) {
    if (e.quantized())
      snprintf(buf, sizeof(buf), "%s%d", i ? ", " : "",
               e.quantized_embedding[i]);
    else
      snprintf(buf, sizeof(buf), "%s%.4f", i ? ", " : "", e.float_embedding[i]);
    s += buf;
  }
  return s + (e.size() > n ? ", ..." : "");
}

// Prints embeddings and, when `other` has some (--compare), one cosine
// similarity per head. Shared by embed and text-embed.
int ReportEmbeddings(const TaskArgs& a, const char* task,
                     const tasks::EmbeddingResult& result,
                     const tasks::EmbeddingResult& other, double ms) {
  std::vector<double> similarity;
  std::string err;
  for (size_t h = 0; h < other.embeddings.size(); ++h) {
    double s = 0;
    if (h >= result.embeddings.size() ||
        !tasks::CosineSimilarity(result.embeddings[h], other.embeddings[h], &s,
                                 &err))
      return Fail(kExitError, "head %zu: %s", h, err.c_str());
    similarity.push_back(s);
  }
  if (a.json) {
    json heads = json::array();
    for (const auto& e : result.embeddings) heads.push_back(EmbeddingJson(e));
    json out = {{"task", task},
                {"model", a.model},
                {"input", a.input},
                {"latency_ms", ms},
                {"latency_min_ms", g_min_ms},
                {"embeddings", heads}};
    if (!a.compare.empty()) {
      out["compare"] = a.compare;
      out["cosine_similarity"] = similarity;
    }
    PrintJson(out);
  } else {
    printf("%s: %zu embedding%s (%.3f ms end to end)\n", a.input.c_str(),
           result.embeddings.size(), result.embeddings.size() == 1 ? "" : "s",
           ms);
    for (const auto& e : result.embeddings)
      printf("  head %d %s: %zu %s values [%s]\n", e.head_index,
             e.head_name.c_str(), e.size(), e.quantized() ? "int8" : "float",
             Preview(e).c_str());
    for (size_t h = 0; h < similarity.size(); ++h)
      printf("  cosine similarity with %s (head %zu): %.4f\n",
             a.compare.c_str(), h, similarity[h]);
  }
  return kExitOk;
}

tasks::EmbedderOptions EmbedderFlags(const TaskArgs& a) {
  tasks::EmbedderOptions o;
  o.l2_normalize = a.l2_normalize;
  o.quantize = a.quantize;
  return o;
}

int Embed(const TaskArgs& a) {
  tasks::ImageEmbedderOptions o;
  o.base_options = Base(a);
  o.embedder_options = EmbedderFlags(a);
  std::unique_ptr<tasks::ImageEmbedder> task;
  processing::Image image;
  tasks::EmbeddingResult result, other;
  double ms = 0;
  if (const int rc = CreateAndTime(
          a, o, &task,
          [&](std::string* e) {
            return processing::ReadImageFile(a.input, &image, e) &&
                   task->Embed(image, &result, e);
          },
          &ms);
      rc >= 0)
    return rc;
  if (!a.compare.empty()) {
    processing::Image second;
    std::string err;
    if (!processing::ReadImageFile(a.compare, &second, &err) ||
        !task->Embed(second, &other, &err))
      return Fail(kExitError, "%s", err.c_str());
  }
  return ReportEmbeddings(a, "embed", result, other, ms);
}

int TextEmbed(const TaskArgs& a) {
  tasks::TextEmbedderOptions o;
  o.base_options = Base(a);
  o.embedder_options = EmbedderFlags(a);
  std::unique_ptr<tasks::TextEmbedder> task;
  tasks::EmbeddingResult result, other;
  double ms = 0;
  if (const int rc = CreateAndTime(
          a, o, &task,
          [&](std::string* e) { return task->Embed(a.input, &result, e); },
          &ms);
      rc >= 0)
    return rc;
  std::string err;
  if (!a.compare.empty() && !task->Embed(a.compare, &other, &err))
    return Fail(kExitError, "%s", err.c_str());
  return ReportEmbeddings(a, "text-embed", result, other, ms);
}

// One line (or JSON object) per timed window: shared by kws and audio.
json WindowsJson(const std::vector<tasks::TimedClassification>& windows) {
  json out = json::array();
  for (const auto& w : windows)
    out.push_back(
        {{"timestamp_ms", w.timestamp_ms},
         {"categories", CategoriesJson(w.classifications.categories)}});
  return out;
}

void PrintWindows(const TaskArgs& a,
                  const std::vector<tasks::TimedClassification>& windows,
                  double ms) {
  printf("%s: %zu window%s (%.2f ms end to end)\n", a.input.c_str(),
         windows.size(), windows.size() == 1 ? "" : "s", ms);
  for (const auto& w : windows) {
    printf(" at %d ms:\n", w.timestamp_ms);
    PrintCategories(w.classifications.categories);
  }
}

int Kws(const TaskArgs& a) {
  tasks::KeywordSpotterOptions o;
  o.base_options = Base(a);
  o.frontend_model_path = a.frontend;
  o.classifier_options = Classifier(a);
  o.labels = ParseLabels(a.labels);
  std::unique_ptr<tasks::KeywordSpotter> task;
  processing::AudioClip clip;
  tasks::KeywordSpotterResult result;
  double ms = 0;
  if (const int rc = CreateAndTime(
          a, o, &task,
          [&](std::string* e) {
            return processing::ReadWavFile(a.input, &clip, e) &&
                   task->Classify(clip, &result, e);
          },
          &ms);
      rc >= 0)
    return rc;
  if (a.json) {
    PrintJson({{"task", "kws"},
               {"model", a.model},
               {"input", a.input},
               {"latency_ms", ms},
               {"latency_min_ms", g_min_ms},
               {"windows", WindowsJson(result.windows)}});
  } else {
    PrintWindows(a, result.windows, ms);
  }
  return kExitOk;
}

int Audio(const TaskArgs& a) {
  tasks::AudioClassifierOptions o;
  o.base_options = Base(a);
  o.classifier_options = Classifier(a);
  std::unique_ptr<tasks::AudioClassifier> task;
  processing::AudioClip clip;
  tasks::AudioClassifierResult result;
  double ms = 0;
  if (const int rc = CreateAndTime(
          a, o, &task,
          [&](std::string* e) {
            return processing::ReadWavFile(a.input, &clip, e) &&
                   task->Classify(clip, &result, e);
          },
          &ms);
      rc >= 0)
    return rc;
  if (a.json) {
    PrintJson({{"task", "audio"},
               {"model", a.model},
               {"input", a.input},
               {"sample_rate", task->sample_rate()},
               {"chunk_samples", task->chunk_samples()},
               {"latency_ms", ms},
               {"latency_min_ms", g_min_ms},
               {"windows", WindowsJson(result.chunks)}});
  } else {
    PrintWindows(a, result.chunks, ms);
  }
  return kExitOk;
}

int Text(const TaskArgs& a) {
  tasks::TextClassifierOptions o;
  o.base_options = Base(a);
  o.classifier_options = Classifier(a);
  std::unique_ptr<tasks::TextClassifier> task;
  tasks::ClassificationResult result;
  double ms = 0;
  if (const int rc = CreateAndTime(
          a, o, &task,
          [&](std::string* e) { return task->Classify(a.input, &result, e); },
          &ms);
      rc >= 0)
    return rc;
  const auto& cats = result.classifications[0].categories;
  if (a.json) {
    PrintJson({{"task", "text"},
               {"model", a.model},
               {"text", a.input},
               {"token_ids", task->Encode(a.input)},
               {"latency_ms", ms},
               {"latency_min_ms", g_min_ms},
               {"classifications",
                json::array({{{"head_index", 0},
                              {"categories", CategoriesJson(cats)}}})}});
  } else {
    printf("\"%s\": %zu categor%s (%.3f ms end to end)\n", a.input.c_str(),
           cats.size(), cats.size() == 1 ? "y" : "ies", ms);
    PrintCategories(cats);
  }
  return kExitOk;
}

CLI::App* AddTask(CLI::App* parent, const char* name, const char* help,
                  const char* input_help, TaskArgs* a) {
  CLI::App* c = parent->add_subcommand(name, help);
  c->add_option("--model,-m", a->model, ".tflite model")->required();
  c->add_option("INPUT", a->input, input_help)->required();
  c->add_flag("--json", a->json, "Print one JSON object");
  c->add_option("--threads", a->threads, "Threads (default 1)")
      ->check(CLI::Range(1, 256));
  c->add_option("--delegate", a->delegate,
                "cpu (default), reference, gpu (Vulkan) or the path of a "
                "delegate library");
  c->add_option("--repeat", a->repeat,
                "Run N times, report the median end-to-end time")
      ->check(CLI::Range(1, 100000));
  return c;
}

void AddClassifierFlags(CLI::App* c, TaskArgs* a) {
  c->add_option("--max-results", a->max_results, "Keep the best N")
      ->check(CLI::Range(1, 1000000));
  c->add_option("--score-threshold", a->score_threshold,
                "Drop categories scoring below this");
  c->add_option("--allow", a->allow, "Only these category names");
  c->add_option("--deny", a->deny, "Never these category names");
  c->add_option("--labels", a->labels,
                "Labels for a model without label metadata: a file (one a "
                "line) or a comma-separated list");
}

}  // namespace

RegisteredCommand AddTaskCommand(CLI::App& app) {
  auto a = std::make_shared<TaskArgs>();
  CLI::App* task = app.add_subcommand(
      "task",
      "Run a task (classify, detect, faces, face-landmarks, hands, pose, "
      "segment, "
      "embed, audio, kws, text, text-embed) on a picture, clip or sentence");
  task->require_subcommand(1);
  CLI::App* classify = AddTask(task, "classify", "Image classification",
                               "JPEG, PNG or BMP picture", a.get());
  AddClassifierFlags(classify, a.get());
  CLI::App* detect = AddTask(task, "detect",
                             "Object detection (SSD models ending in "
                             "TFLite_Detection_PostProcess)",
                             "JPEG, PNG or BMP picture", a.get());
  AddClassifierFlags(detect, a.get());
  detect->add_option("--output,-o", a->output,
                     "Picture with the labelled boxes drawn (PNG)");
  detect->add_flag("--letterbox", a->letterbox,
                   "Keep the picture's aspect ratio (default: stretch it to "
                   "the input, as SSD models are trained)");
  CLI::App* faces = AddTask(task, "faces", "Face detection (BlazeFace)",
                            "JPEG, PNG or BMP picture", a.get());
  faces->add_option("--output,-o", a->output, "Annotated picture (PNG)");
  faces->add_option("--min-confidence", a->min_confidence,
                    "Minimum face score (default 0.5)");
  faces->add_option("--max-results", a->max_results, "Keep the best N")
      ->check(CLI::Range(1, 1000000));
  CLI::App* segment = AddTask(task, "segment", "Image segmentation (mask)",
                              "JPEG, PNG or BMP picture", a.get());
  segment->add_option("--output,-o", a->output,
                      "Picture with the mask overlaid (PNG)");
  segment->add_option("--mask", a->mask,
                      "The confidence mask as a gray PNG (255 = 1.0)");
  CLI::App* embed = AddTask(task, "embed", "Image embedding (feature vector)",
                            "JPEG, PNG or BMP picture", a.get());
  embed->add_option("--compare", a->compare,
                    "A second picture: print the cosine similarity");
  embed->add_flag("--l2-normalize", a->l2_normalize,
                  "Divide each embedding by its L2 norm");
  embed->add_flag("--quantize", a->quantize,
                  "Scalar-quantize to int8 (round(v * 128))");
  CLI::App* text = AddTask(task, "text", "Text classification",
                           "The text (one argument; quote it)", a.get());
  text->add_option("--max-results", a->max_results, "Keep the best N")
      ->check(CLI::Range(1, 1000000));
  text->add_option("--score-threshold", a->score_threshold,
                   "Drop categories scoring below this");
  text->add_option("--allow", a->allow, "Only these category names");
  text->add_option("--deny", a->deny, "Never these category names");
  CLI::App* text_embed =
      AddTask(task, "text-embed", "Text embedding (feature vector)",
              "The text (one argument; quote it)", a.get());
  text_embed->add_option("--compare", a->compare,
                         "A second text: print the cosine similarity");
  text_embed->add_flag("--l2-normalize", a->l2_normalize,
                       "Divide each embedding by its L2 norm");
  text_embed->add_flag("--quantize", a->quantize,
                       "Scalar-quantize to int8 (round(v * 128))");
  CLI::App* audio = AddTask(task, "audio", "Audio classification (waveform)",
                            "WAV clip", a.get());
  AddClassifierFlags(audio, a.get());
  CLI::App* kws = AddTask(task, "kws", "Keyword spotting (micro_speech)",
                          "WAV clip", a.get());
  kws->add_option("--frontend", a->frontend,
                  "Feature front-end model (audio_preprocessor_int8.tflite)")
      ->required();
  AddClassifierFlags(kws, a.get());
  CLI::App* face_landmarks = nullptr;
  auto run_face_landmarks = AddFaceLandmarksTask(task, &face_landmarks);
  CLI::App* hands = nullptr;
  auto run_hands = AddHandsTask(task, &hands);
  CLI::App* pose = nullptr;
  auto run_pose = AddPoseTask(task, &pose);
  return {task, [a, classify, detect, faces, segment, embed, text, text_embed,
                 audio, kws, face_landmarks, run_face_landmarks, hands,
                 run_hands, pose, run_pose] {
            if (classify->parsed()) return Classify(*a);
            if (detect->parsed()) return Detect(*a);
            if (faces->parsed()) return Faces(*a);
            if (segment->parsed()) return Segment(*a);
            if (embed->parsed()) return Embed(*a);
            if (text->parsed()) return Text(*a);
            if (text_embed->parsed()) return TextEmbed(*a);
            if (audio->parsed()) return Audio(*a);
            if (kws->parsed()) return Kws(*a);
            if (face_landmarks->parsed()) return run_face_landmarks();
            if (hands->parsed()) return run_hands();
            if (pose->parsed()) return run_pose();
            return Fail(kExitUsage, "ember task needs a task name");
          }};
}

}  // namespace ember::cli
