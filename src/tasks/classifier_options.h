// Turning a score vector into MediaPipe-style classification results:
// labels, top-k, score threshold, allow/deny lists.
#pragma once

#include <string>
#include <vector>

#include "tasks/task_model.h"

namespace ember::tasks {

struct ClassifierOptions {
  int max_results = -1;            // < 0: every category
  float score_threshold = -1e30f;  // categories below it are dropped
  // At most one of the two: only these categories, or all but these
  // (matched against the category names, i.e. the labels).
  std::vector<std::string> category_allowlist;
  std::vector<std::string> category_denylist;
};

struct Classifications {
  std::vector<Category> categories;  // best first
  int head_index = 0;
  std::string head_name;
};

struct ClassificationResult {
  std::vector<Classifications> classifications;
};

// Sigmoid score calibration (the metadata's ScoreCalibrationOptions and
// its TENSOR_AXIS_SCORE_CALIBRATION file, one "scale,slope,offset[,min]"
// line per class): score = scale / (1 + exp(-(slope * t(x) + offset))),
// t the transformation (identity, log, inverse logistic); classes with an
// empty line, or whose raw score is under `min`, get `default_score`.
struct ScoreCalibration {
  enum class Transform { kIdentity, kLog, kInverseLogistic };
  struct Class {
    bool present = false;
    float scale = 1, slope = 1, offset = 0;
    bool has_min = false;
    float min_score = 0;
  };
  Transform transform = Transform::kIdentity;
  float default_score = 0;
  std::vector<Class> classes;

  // Parses the file; false (with `error`) for a malformed line.
  bool Parse(const std::vector<uint8_t>& file, std::string* error);
  void Apply(std::vector<float>* scores) const;
  // One score of class `index`.
  float Calibrate(size_t index, float score) const;
};

bool ValidateClassifierOptions(const ClassifierOptions& options,
                               std::string* error);

// The categories of `scores` that pass `options`, best first. `labels`
// (empty: none) names index i when it has an entry i.
std::vector<Category> SelectCategories(const std::vector<float>& scores,
                                       const std::vector<std::string>& labels,
                                       const ClassifierOptions& options);

// The score output of a classifier model (image or text) and what its
// metadata says of it: labels (else `fallback_labels`), score calibration,
// the default score threshold (used when the options set none).
class ClassifierHead {
 public:
  // False with `error` when the labels do not fit the scores, the
  // calibration is malformed, or allow/deny lists have no labels to match
  // (the hint names `task` for `ember metadata --task`).
  bool Init(TaskModel& model, int output, const ClassifierOptions& options,
            const std::vector<std::string>& fallback_labels,
            const std::string& task, std::string* error);
  // The categories of the output after an Invoke (batch 1).
  bool Classify(TaskModel& model, Classifications* out,
                std::string* error) const;
  const std::vector<std::string>& labels() const { return labels_; }

 private:
  int output_ = 0;
  int num_classes_ = 0;
  std::vector<std::string> labels_;
  ClassifierOptions options_;
  bool calibrate_ = false;
  ScoreCalibration calibration_;
};

}  // namespace ember::tasks
