// Low-level binding of the task library (src/tasks) for ember.tasks: each
// task is a class constructed from plain option values, taking numpy
// arrays (HxWxC uint8 pictures, float samples) and returning tuples. The
// MediaPipe Tasks-shaped API (options objects, result dataclasses) is
// python/ember/tasks/, on top of these.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "processing/audio.h"
#include "processing/image.h"
#include "processing/rotated_crop.h"
#include "tasks/audio_classifier.h"
#include "tasks/face_detector.h"
#include "tasks/face_landmarker.h"
#include "tasks/hand_landmarker.h"
#include "tasks/image_classifier.h"
#include "tasks/image_embedder.h"
#include "tasks/image_segmenter.h"
#include "tasks/keyword_spotter.h"
#include "tasks/object_detector.h"
#include "tasks/pose_landmarker.h"
#include "tasks/text_classifier.h"
#include "tasks/text_embedder.h"

namespace nb = nanobind;
using namespace ember;

namespace {

using ImageArray = nb::ndarray<const uint8_t, nb::c_contig, nb::device::cpu>;
using Categories = std::vector<std::tuple<int, float, std::string>>;

[[noreturn]] void Fail(const std::string& error) {
  throw nb::value_error(error.c_str());
}

processing::Image ToImage(const ImageArray& a) {
  if (a.ndim() != 2 && a.ndim() != 3) Fail("an image must be HxW or HxWxC");
  const int channels = a.ndim() == 3 ? static_cast<int>(a.shape(2)) : 1;
  if (channels != 1 && channels != 3 && channels != 4)
    Fail("an image needs 1, 3 or 4 channels");
  processing::Image im(static_cast<int>(a.shape(1)),
                       static_cast<int>(a.shape(0)), channels);
  std::memcpy(im.pixels.data(), a.data(), im.pixels.size());
  return im;
}

nb::ndarray<nb::numpy, uint8_t> FromImage(const processing::Image& im) {
  auto* copy = new std::vector<uint8_t>(im.pixels);
  nb::capsule owner(copy, [](void* p) noexcept {
    delete static_cast<std::vector<uint8_t>*>(p);
  });
  const size_t shape[3] = {static_cast<size_t>(im.height),
                           static_cast<size_t>(im.width),
                           static_cast<size_t>(im.channels)};
  return nb::ndarray<nb::numpy, uint8_t>(copy->data(), 3, shape, owner);
}

template <typename T>
nb::ndarray<nb::numpy, T> FromPlane(std::vector<T> values, size_t h, size_t w) {
  auto* copy = new std::vector<T>(std::move(values));
  nb::capsule owner(
      copy, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  const size_t shape[2] = {h, w};
  return nb::ndarray<nb::numpy, T>(copy->data(), 2, shape, owner);
}

tasks::BaseOptions Base(const std::string& path, int threads,
                        const std::string& delegate) {
  tasks::BaseOptions b;
  b.model_asset_path = path;
  b.num_threads = threads;
  b.delegate = delegate;
  return b;
}

tasks::ClassifierOptions Classifier(int max_results, float threshold,
                                    std::vector<std::string> allow,
                                    std::vector<std::string> deny) {
  tasks::ClassifierOptions c;
  c.max_results = max_results;
  c.score_threshold = threshold;
  c.category_allowlist = std::move(allow);
  c.category_denylist = std::move(deny);
  return c;
}

Categories ToTuples(const std::vector<tasks::Category>& cats) {
  Categories out;
  for (const auto& c : cats)
    out.emplace_back(c.index, c.score, c.category_name);
  return out;
}

class PyImageClassifier {
 public:
  PyImageClassifier(const std::string& path, int threads,
                    const std::string& delegate, int max_results,
                    float threshold, std::vector<std::string> allow,
                    std::vector<std::string> deny,
                    std::vector<std::string> labels) {
    tasks::ImageClassifierOptions o;
    o.base_options = Base(path, threads, delegate);
    o.classifier_options =
        Classifier(max_results, threshold, std::move(allow), std::move(deny));
    o.labels = std::move(labels);
    std::string error;
    if (!tasks::ImageClassifier::CreateFromOptions(o, &task_, &error))
      Fail(error);
  }
  Categories classify(const ImageArray& image) {
    tasks::ClassificationResult r;
    std::string error;
    if (!task_->Classify(ToImage(image), &r, &error)) Fail(error);
    return ToTuples(r.classifications[0].categories);
  }

 private:
  std::unique_ptr<tasks::ImageClassifier> task_;
};

using FaceTuple = std::tuple<float, std::tuple<int, int, int, int>,
                             std::vector<std::tuple<float, float>>>;

class PyFaceDetector {
 public:
  PyFaceDetector(const std::string& path, int threads,
                 const std::string& delegate, float min_confidence,
                 float min_suppression, int max_results) {
    tasks::FaceDetectorOptions o;
    o.base_options = Base(path, threads, delegate);
    o.min_detection_confidence = min_confidence;
    o.min_suppression_threshold = min_suppression;
    o.max_results = max_results;
    std::string error;
    if (!tasks::FaceDetector::CreateFromOptions(o, &task_, &error)) Fail(error);
  }
  std::vector<FaceTuple> detect(const ImageArray& image) {
    tasks::FaceDetectorResult r;
    std::string error;
    if (!task_->Detect(ToImage(image), &r, &error)) Fail(error);
    std::vector<FaceTuple> out;
    for (const auto& d : r.detections) {
      std::vector<std::tuple<float, float>> kps;
      for (const auto& k : d.keypoints) kps.emplace_back(k.x, k.y);
      const auto& b = d.bounding_box;
      out.emplace_back(
          d.score, std::make_tuple(b.origin_x, b.origin_y, b.width, b.height),
          std::move(kps));
    }
    return out;
  }

 private:
  std::unique_ptr<tasks::FaceDetector> task_;
};

// (presence, ROI (centre x, centre y, width, height, rotation) in pixels,
// landmarks [(x, y, z)])
using RoiTuple = std::tuple<float, float, float, float, float>;
using FaceMeshTuple =
    std::tuple<float, RoiTuple, std::vector<std::tuple<float, float, float>>>;

class PyFaceLandmarker {
 public:
  PyFaceLandmarker(const std::string& path, int threads,
                   const std::string& delegate, const std::string& detector,
                   int num_faces, float min_detection, float min_presence) {
    tasks::FaceLandmarkerOptions o;
    o.base_options = Base(path, threads, delegate);
    o.face_detector_model_path = detector;
    o.num_faces = num_faces;
    o.min_face_detection_confidence = min_detection;
    o.min_face_presence_confidence = min_presence;
    std::string error;
    if (!tasks::FaceLandmarker::CreateFromOptions(o, &task_, &error))
      Fail(error);
  }
  std::vector<FaceMeshTuple> detect(const ImageArray& image) {
    tasks::FaceLandmarkerResult r;
    std::string error;
    if (!task_->Detect(ToImage(image), &r, &error)) Fail(error);
    std::vector<FaceMeshTuple> out;
    for (size_t f = 0; f < r.face_landmarks.size(); ++f) {
      std::vector<std::tuple<float, float, float>> points;
      for (const auto& l : r.face_landmarks[f])
        points.emplace_back(l.x, l.y, l.z);
      const auto& roi = r.face_rois[f];
      out.emplace_back(r.presence_scores[f],
                       RoiTuple(roi.center_x, roi.center_y, roi.width,
                                roi.height, roi.rotation),
                       std::move(points));
    }
    return out;
  }

 private:
  std::unique_ptr<tasks::FaceLandmarker> task_;
};

// (presence, (index, score, name) handedness, ROI, landmarks, world
// landmarks)
using Points = std::vector<std::tuple<float, float, float>>;
using HandTuple = std::tuple<float, std::tuple<int, float, std::string>,
                             RoiTuple, Points, Points>;

class PyHandLandmarker {
 public:
  PyHandLandmarker(const std::string& path, int threads,
                   const std::string& delegate, const std::string& detector,
                   int num_hands, float min_detection, float min_presence) {
    tasks::HandLandmarkerOptions o;
    o.base_options = Base(path, threads, delegate);
    o.hand_detector_model_path = detector;
    o.num_hands = num_hands;
    o.min_hand_detection_confidence = min_detection;
    o.min_hand_presence_confidence = min_presence;
    std::string error;
    if (!tasks::HandLandmarker::CreateFromOptions(o, &task_, &error))
      Fail(error);
  }
  std::vector<HandTuple> detect(const ImageArray& image) {
    tasks::HandLandmarkerResult r;
    std::string error;
    if (!task_->Detect(ToImage(image), &r, &error)) Fail(error);
    std::vector<HandTuple> out;
    for (size_t f = 0; f < r.hand_landmarks.size(); ++f) {
      Points points, world;
      for (const auto& l : r.hand_landmarks[f])
        points.emplace_back(l.x, l.y, l.z);
      for (const auto& l : r.hand_world_landmarks[f])
        world.emplace_back(l.x, l.y, l.z);
      const auto& roi = r.hand_rois[f];
      const auto& side = r.handedness[f];
      out.emplace_back(
          r.presence_scores[f],
          std::make_tuple(side.index, side.score, side.category_name),
          RoiTuple(roi.center_x, roi.center_y, roi.width, roi.height,
                   roi.rotation),
          std::move(points), std::move(world));
    }
    return out;
  }

 private:
  std::unique_ptr<tasks::HandLandmarker> task_;
};

// Per pose: (presence, ROI, landmarks [(x, y, z, visibility, presence)],
// world landmarks [the same], mask (H x W float32, or None), detection
// keypoints [(x, y)] (empty without a detector)).
using PoseLandmarkTuple = std::tuple<float, float, float, float, float>;
using PosePoints = std::vector<PoseLandmarkTuple>;

class PyPoseLandmarker {
 public:
  PyPoseLandmarker(const std::string& path, int threads,
                   const std::string& delegate, const std::string& detector,
                   int num_poses, float min_detection, float min_presence,
                   bool masks) {
    tasks::PoseLandmarkerOptions o;
    o.base_options = Base(path, threads, delegate);
    o.pose_detector_model_path = detector;
    o.num_poses = num_poses;
    o.min_pose_detection_confidence = min_detection;
    o.min_pose_presence_confidence = min_presence;
    o.output_segmentation_masks = masks;
    std::string error;
    if (!tasks::PoseLandmarker::CreateFromOptions(o, &task_, &error))
      Fail(error);
  }
  nb::list detect(const ImageArray& image, nb::object roi) {
    tasks::PoseLandmarkerResult r;
    std::string error;
    const processing::Image im = ToImage(image);
    bool ok;
    if (roi.is_none()) {
      ok = task_->Detect(im, &r, &error);
    } else {
      const auto [cx, cy, w, h, rotation] = nb::cast<RoiTuple>(roi);
      ok = task_->DetectInRoi(
          im, processing::RotatedRect{cx, cy, w, h, rotation}, &r, &error);
    }
    if (!ok) Fail(error);
    auto points = [](const std::vector<tasks::PoseLandmark>& v) {
      PosePoints out;
      for (const auto& l : v)
        out.emplace_back(l.x, l.y, l.z, l.visibility, l.presence);
      return out;
    };
    nb::list out;
    for (size_t f = 0; f < r.pose_landmarks.size(); ++f) {
      const auto& roi_f = r.pose_rois[f];
      nb::object mask = nb::none();
      if (f < r.segmentation_masks.size()) {
        tasks::PoseMask& m = r.segmentation_masks[f];
        const size_t mh = static_cast<size_t>(m.height),
                     mw = static_cast<size_t>(m.width);
        mask = nb::cast(FromPlane(std::move(m.values), mh, mw));
      }
      std::vector<std::tuple<float, float>> keypoints;
      if (f < r.detections.size())
        for (const auto& k : r.detections[f].keypoints)
          keypoints.emplace_back(k.x, k.y);
      out.append(
          nb::make_tuple(r.presence_scores[f],
                         RoiTuple(roi_f.center_x, roi_f.center_y, roi_f.width,
                                  roi_f.height, roi_f.rotation),
                         points(r.pose_landmarks[f]),
                         points(r.pose_world_landmarks[f]), mask, keypoints));
    }
    return out;
  }

 private:
  std::unique_ptr<tasks::PoseLandmarker> task_;
};

// (box (x, y, w, h) in pixels, categories)
using ObjectTuple = std::tuple<std::tuple<int, int, int, int>, Categories>;

class PyObjectDetector {
 public:
  PyObjectDetector(const std::string& path, int threads,
                   const std::string& delegate, int max_results,
                   float threshold, std::vector<std::string> allow,
                   std::vector<std::string> deny,
                   std::vector<std::string> labels, bool letterbox) {
    tasks::ObjectDetectorOptions o;
    o.base_options = Base(path, threads, delegate);
    o.max_results = max_results;
    o.score_threshold = threshold;
    o.category_allowlist = std::move(allow);
    o.category_denylist = std::move(deny);
    o.labels = std::move(labels);
    o.fit = letterbox ? tasks::FitMode::kLetterbox : tasks::FitMode::kStretch;
    std::string error;
    if (!tasks::ObjectDetector::CreateFromOptions(o, &task_, &error))
      Fail(error);
  }
  std::vector<ObjectTuple> detect(const ImageArray& image) {
    tasks::DetectionResult r;
    std::string error;
    if (!task_->Detect(ToImage(image), &r, &error)) Fail(error);
    std::vector<ObjectTuple> out;
    for (const auto& d : r.detections) {
      const auto& b = d.bounding_box;
      out.emplace_back(
          std::make_tuple(b.origin_x, b.origin_y, b.width, b.height),
          ToTuples(d.categories));
    }
    return out;
  }

 private:
  std::unique_ptr<tasks::ObjectDetector> task_;
};

class PyImageSegmenter {
 public:
  PyImageSegmenter(const std::string& path, int threads,
                   const std::string& delegate) {
    tasks::ImageSegmenterOptions o;
    o.base_options = Base(path, threads, delegate);
    std::string error;
    if (!tasks::ImageSegmenter::CreateFromOptions(o, &task_, &error))
      Fail(error);
  }
  // (confidence masks HxW float32 each, category mask HxW uint8)
  nb::tuple segment(const ImageArray& image) {
    tasks::ImageSegmenterResult r;
    std::string error;
    if (!task_->Segment(ToImage(image), &r, &error)) Fail(error);
    const size_t h = static_cast<size_t>(r.height),
                 w = static_cast<size_t>(r.width);
    nb::list masks;
    for (auto& m : r.confidence_masks)
      masks.append(FromPlane(std::move(m), h, w));
    return nb::make_tuple(masks, FromPlane(std::move(r.category_mask), h, w));
  }

 private:
  std::unique_ptr<tasks::ImageSegmenter> task_;
};

// [(head index, head name, 1xD float32 or int8 array)]
nb::list EmbeddingTuples(tasks::EmbeddingResult r) {
  nb::list out;
  for (auto& e : r.embeddings) {
    const size_t n = e.size();
    nb::object values =
        e.quantized()
            ? nb::cast(FromPlane(std::move(e.quantized_embedding), 1, n))
            : nb::cast(FromPlane(std::move(e.float_embedding), 1, n));
    out.append(nb::make_tuple(e.head_index, e.head_name, values));
  }
  return out;
}

class PyImageEmbedder {
 public:
  PyImageEmbedder(const std::string& path, int threads,
                  const std::string& delegate, bool l2_normalize,
                  bool quantize) {
    tasks::ImageEmbedderOptions o;
    o.base_options = Base(path, threads, delegate);
    o.embedder_options.l2_normalize = l2_normalize;
    o.embedder_options.quantize = quantize;
    std::string error;
    if (!tasks::ImageEmbedder::CreateFromOptions(o, &task_, &error))
      Fail(error);
  }
  nb::list embed(const ImageArray& image) {
    tasks::EmbeddingResult r;
    std::string error;
    if (!task_->Embed(ToImage(image), &r, &error)) Fail(error);
    return EmbeddingTuples(std::move(r));
  }

 private:
  std::unique_ptr<tasks::ImageEmbedder> task_;
};

// The values of one embedding, float or quantized, for CosineSimilarity.
tasks::Embedding ToEmbedding(const std::vector<float>& values, bool quantized) {
  tasks::Embedding e;
  if (!quantized) {
    e.float_embedding = values;
    return e;
  }
  for (float v : values) {
    if (v < -128 || v > 127 || v != static_cast<int>(v))
      Fail("a quantized embedding holds int8 values");
    e.quantized_embedding.push_back(static_cast<int8_t>(v));
  }
  return e;
}

class PyTextClassifier {
 public:
  PyTextClassifier(const std::string& path, int threads,
                   const std::string& delegate, int max_results,
                   float threshold, std::vector<std::string> allow,
                   std::vector<std::string> deny) {
    tasks::TextClassifierOptions o;
    o.base_options = Base(path, threads, delegate);
    o.classifier_options =
        Classifier(max_results, threshold, std::move(allow), std::move(deny));
    std::string error;
    if (!tasks::TextClassifier::CreateFromOptions(o, &task_, &error))
      Fail(error);
  }
  Categories classify(const std::string& text) {
    tasks::ClassificationResult r;
    std::string error;
    if (!task_->Classify(text, &r, &error)) Fail(error);
    return ToTuples(r.classifications[0].categories);
  }
  std::vector<int32_t> encode(const std::string& text) {
    return task_->Encode(text);
  }

 private:
  std::unique_ptr<tasks::TextClassifier> task_;
};

class PyTextEmbedder {
 public:
  PyTextEmbedder(const std::string& path, int threads,
                 const std::string& delegate, bool l2_normalize,
                 bool quantize) {
    tasks::TextEmbedderOptions o;
    o.base_options = Base(path, threads, delegate);
    o.embedder_options.l2_normalize = l2_normalize;
    o.embedder_options.quantize = quantize;
    std::string error;
    if (!tasks::TextEmbedder::CreateFromOptions(o, &task_, &error)) Fail(error);
  }
  nb::list embed(const std::string& text) {
    tasks::EmbeddingResult r;
    std::string error;
    if (!task_->Embed(text, &r, &error)) Fail(error);
    return EmbeddingTuples(std::move(r));
  }

 private:
  std::unique_ptr<tasks::TextEmbedder> task_;
};

class PyAudioClassifier {
 public:
  PyAudioClassifier(const std::string& path, int threads,
                    const std::string& delegate, int max_results,
                    float threshold, std::vector<std::string> allow,
                    std::vector<std::string> deny) {
    tasks::AudioClassifierOptions o;
    o.base_options = Base(path, threads, delegate);
    o.classifier_options =
        Classifier(max_results, threshold, std::move(allow), std::move(deny));
    std::string error;
    if (!tasks::AudioClassifier::CreateFromOptions(o, &task_, &error))
      Fail(error);
  }
  std::vector<std::tuple<int, Categories>> classify(
      nb::ndarray<const float, nb::ndim<1>, nb::c_contig, nb::device::cpu>
          samples,
      int sample_rate) {
    if (sample_rate <= 0) Fail("sample_rate must be positive");
    processing::AudioClip clip;
    clip.sample_rate = sample_rate;
    clip.samples.assign(samples.data(), samples.data() + samples.shape(0));
    tasks::AudioClassifierResult r;
    std::string error;
    if (!task_->Classify(clip, &r, &error)) Fail(error);
    std::vector<std::tuple<int, Categories>> out;
    for (const auto& w : r.chunks)
      out.emplace_back(w.timestamp_ms, ToTuples(w.classifications.categories));
    return out;
  }

 private:
  std::unique_ptr<tasks::AudioClassifier> task_;
};

class PyKeywordSpotter {
 public:
  PyKeywordSpotter(const std::string& path, const std::string& frontend,
                   int threads, const std::string& delegate, int max_results,
                   float threshold, std::vector<std::string> allow,
                   std::vector<std::string> deny,
                   std::vector<std::string> labels, int window_stride_ms) {
    tasks::KeywordSpotterOptions o;
    o.base_options = Base(path, threads, delegate);
    o.frontend_model_path = frontend;
    o.classifier_options =
        Classifier(max_results, threshold, std::move(allow), std::move(deny));
    o.labels = std::move(labels);
    o.window_stride_ms = window_stride_ms;
    std::string error;
    if (!tasks::KeywordSpotter::CreateFromOptions(o, &task_, &error))
      Fail(error);
  }
  std::vector<std::tuple<int, Categories>> classify(
      nb::ndarray<const float, nb::ndim<1>, nb::c_contig, nb::device::cpu>
          samples,
      int sample_rate) {
    processing::AudioClip clip;
    clip.sample_rate = sample_rate;
    clip.samples.assign(samples.data(), samples.data() + samples.shape(0));
    tasks::KeywordSpotterResult r;
    std::string error;
    if (sample_rate <= 0) Fail("sample_rate must be positive");
    if (!task_->Classify(clip, &r, &error)) Fail(error);
    std::vector<std::tuple<int, Categories>> out;
    for (const auto& w : r.windows)
      out.emplace_back(w.timestamp_ms, ToTuples(w.classifications.categories));
    return out;
  }

 private:
  std::unique_ptr<tasks::KeywordSpotter> task_;
};

}  // namespace

void AddTaskBindings(nb::module_& m) {
  m.def("_decode_image_file", [](const std::string& path) {
    processing::Image im;
    std::string error;
    if (!processing::ReadImageFile(path, &im, &error)) Fail(error);
    return FromImage(im);
  });
  m.def("_read_wav_file", [](const std::string& path) {
    processing::AudioClip clip;
    std::string error;
    if (!processing::ReadWavFile(path, &clip, &error)) Fail(error);
    const size_t n = clip.samples.size();
    return nb::make_tuple(FromPlane(std::move(clip.samples), 1, n),
                          clip.sample_rate);
  });
  nb::class_<PyImageClassifier>(m, "_ImageClassifier")
      .def(nb::init<const std::string&, int, const std::string&, int, float,
                    std::vector<std::string>, std::vector<std::string>,
                    std::vector<std::string>>())
      .def("classify", &PyImageClassifier::classify);
  nb::class_<PyFaceDetector>(m, "_FaceDetector")
      .def(nb::init<const std::string&, int, const std::string&, float, float,
                    int>())
      .def("detect", &PyFaceDetector::detect);
  nb::class_<PyFaceLandmarker>(m, "_FaceLandmarker")
      .def(nb::init<const std::string&, int, const std::string&,
                    const std::string&, int, float, float>())
      .def("detect", &PyFaceLandmarker::detect);
  nb::class_<PyHandLandmarker>(m, "_HandLandmarker")
      .def(nb::init<const std::string&, int, const std::string&,
                    const std::string&, int, float, float>())
      .def("detect", &PyHandLandmarker::detect);
  nb::class_<PyPoseLandmarker>(m, "_PoseLandmarker")
      .def(nb::init<const std::string&, int, const std::string&,
                    const std::string&, int, float, float, bool>())
      .def("detect", &PyPoseLandmarker::detect, nb::arg("image"),
           nb::arg("roi").none() = nb::none());
  // The rotated crop the landmark tasks feed their models (zero border; the
  // pose landmarker's repeats the edge: replicate=True), for checking a
  // model on exactly what Ember gave it.
  m.def(
      "_warp_rotated_rect",
      [](const ImageArray& image, RoiTuple roi, int width, int height,
         bool replicate) {
        if (width < 1 || height < 1 || width > 4096 || height > 4096)
          Fail("crop size must be 1..4096");
        const auto [cx, cy, w, h, rotation] = roi;
        return FromImage(processing::WarpRotatedRect(
            ToImage(image), processing::RotatedRect{cx, cy, w, h, rotation},
            width, height,
            replicate ? processing::Border::kReplicate
                      : processing::Border::kZero));
      },
      nb::arg("image"), nb::arg("roi"), nb::arg("width"), nb::arg("height"),
      nb::arg("replicate") = false);
  nb::class_<PyObjectDetector>(m, "_ObjectDetector")
      .def(nb::init<const std::string&, int, const std::string&, int, float,
                    std::vector<std::string>, std::vector<std::string>,
                    std::vector<std::string>, bool>())
      .def("detect", &PyObjectDetector::detect);
  nb::class_<PyImageSegmenter>(m, "_ImageSegmenter")
      .def(nb::init<const std::string&, int, const std::string&>())
      .def("segment", &PyImageSegmenter::segment);
  nb::class_<PyImageEmbedder>(m, "_ImageEmbedder")
      .def(nb::init<const std::string&, int, const std::string&, bool, bool>())
      .def("embed", &PyImageEmbedder::embed);
  m.def("_cosine_similarity",
        [](const std::vector<float>& u, bool u_quantized,
           const std::vector<float>& v, bool v_quantized) {
          double s = 0;
          std::string error;
          if (!tasks::CosineSimilarity(ToEmbedding(u, u_quantized),
                                       ToEmbedding(v, v_quantized), &s, &error))
            Fail(error);
          return s;
        });
  nb::class_<PyTextClassifier>(m, "_TextClassifier")
      .def(nb::init<const std::string&, int, const std::string&, int, float,
                    std::vector<std::string>, std::vector<std::string>>())
      .def("classify", &PyTextClassifier::classify)
      .def("encode", &PyTextClassifier::encode);
  nb::class_<PyTextEmbedder>(m, "_TextEmbedder")
      .def(nb::init<const std::string&, int, const std::string&, bool, bool>())
      .def("embed", &PyTextEmbedder::embed);
  nb::class_<PyAudioClassifier>(m, "_AudioClassifier")
      .def(nb::init<const std::string&, int, const std::string&, int, float,
                    std::vector<std::string>, std::vector<std::string>>())
      .def("classify", &PyAudioClassifier::classify);
  nb::class_<PyKeywordSpotter>(m, "_KeywordSpotter")
      .def(nb::init<const std::string&, const std::string&, int,
                    const std::string&, int, float, std::vector<std::string>,
                    std::vector<std::string>, std::vector<std::string>, int>())
      .def("classify", &PyKeywordSpotter::classify);
}
