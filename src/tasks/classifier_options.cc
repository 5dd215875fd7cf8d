#include "tasks/classifier_options.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <sstream>

namespace ember::tasks {

bool ScoreCalibration::Parse(const std::vector<uint8_t>& file,
                             std::string* error) {
  classes.clear();
  std::string line;
  std::stringstream in(std::string(file.begin(), file.end()));
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    Class c;
    if (!line.empty()) {
      std::vector<float> v;
      std::stringstream fields(line);
      std::string field;
      while (std::getline(fields, field, ',')) {
        char* end = nullptr;
        const float x = std::strtof(field.c_str(), &end);
        if (end == field.c_str() || !std::isfinite(x)) {
          *error = "score calibration line " +
                   std::to_string(classes.size() + 1) + " ('" + line +
                   "') is not 3 or 4 numbers";
          return false;
        }
        v.push_back(x);
      }
      if (v.size() != 3 && v.size() != 4) {
        *error = "score calibration line " +
                 std::to_string(classes.size() + 1) + " has " +
                 std::to_string(v.size()) +
                 " values; scale,slope,offset[,min_score] expected";
        return false;
      }
      c.present = true;
      c.scale = v[0];
      c.slope = v[1];
      c.offset = v[2];
      c.has_min = v.size() == 4;
      c.min_score = c.has_min ? v[3] : 0;
    }
    classes.push_back(c);
  }
  return true;
}

float ScoreCalibration::Calibrate(size_t i, float s) const {
  if (i >= classes.size() || !classes[i].present ||
      (classes[i].has_min && s < classes[i].min_score))
    return default_score;
  const Class& c = classes[i];
  float t = s;
  if (transform == Transform::kLog) {
    t = std::log(s);
  } else if (transform == Transform::kInverseLogistic) {
    t = std::log(s) - std::log(1 - s);
  }
  return c.scale / (1 + std::exp(-(c.slope * t + c.offset)));
}

void ScoreCalibration::Apply(std::vector<float>* scores) const {
  for (size_t i = 0; i < scores->size(); ++i)
    (*scores)[i] = Calibrate(i, (*scores)[i]);
}

bool ValidateClassifierOptions(const ClassifierOptions& options,
                               std::string* error) {
  if (!options.category_allowlist.empty() &&
      !options.category_denylist.empty()) {
    *error = "category_allowlist and category_denylist are mutually exclusive";
    return false;
  }
  if (options.max_results == 0) {
    *error = "max_results must be positive or -1 (every category)";
    return false;
  }
  return true;
}

std::vector<Category> SelectCategories(const std::vector<float>& scores,
                                       const std::vector<std::string>& labels,
                                       const ClassifierOptions& options) {
  auto name_of = [&](size_t i) {
    return i < labels.size() ? labels[i] : std::string();
  };
  auto listed = [](const std::vector<std::string>& list,
                   const std::string& name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  // Stable: ties keep the lower index first.
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  std::vector<Category> out;
  for (size_t i : order) {
    if (options.max_results > 0 &&
        static_cast<int>(out.size()) >= options.max_results)
      break;
    if (scores[i] < options.score_threshold) break;  // sorted: none follow
    const std::string name = name_of(i);
    if (!options.category_allowlist.empty() &&
        !listed(options.category_allowlist, name))
      continue;
    if (listed(options.category_denylist, name)) continue;
    Category c;
    c.index = static_cast<int>(i);
    c.score = scores[i];
    c.category_name = name;
    out.push_back(c);
  }
  return out;
}

bool ClassifierHead::Init(TaskModel& m, int output,
                          const ClassifierOptions& options,
                          const std::vector<std::string>& fallback_labels,
                          const std::string& task, std::string* error) {
  if (!ValidateClassifierOptions(options, error)) return false;
  if (output >= m.num_outputs()) {
    *error = "model '" + m.path() + "' has no output";
    return false;
  }
  output_ = output;
  options_ = options;
  const Tensor& scores = m.output(output);
  num_classes_ =
      scores.shape.rank > 0 ? scores.shape.dim(scores.shape.rank - 1) : 1;
  labels_ = m.OutputLabels(output);
  if (labels_.empty()) labels_ = fallback_labels;
  if (!labels_.empty() && static_cast<int>(labels_.size()) != num_classes_) {
    *error = "model '" + m.path() + "' scores " + std::to_string(num_classes_) +
             " classes but " + std::to_string(labels_.size()) +
             " labels were given";
    return false;
  }
  calibrate_ = m.OutputScoreCalibration(output, &calibration_, error);
  if (!calibrate_ && !error->empty()) return false;
  float threshold = 0;
  if (options.score_threshold <= -1e29f &&
      m.OutputScoreThreshold(output, &threshold))
    options_.score_threshold = threshold;
  const bool lists =
      !options.category_allowlist.empty() || !options.category_denylist.empty();
  if (lists && labels_.empty()) {
    *error = "model '" + m.path() +
             "' has no labels, so category allow/deny lists cannot match "
             "anything; pass labels, or " +
             MetadataHint(m.path(), task);
    return false;
  }
  return true;
}

bool ClassifierHead::Classify(TaskModel& m, Classifications* out,
                              std::string* error) const {
  std::vector<float> scores;
  if (!m.OutputAsFloat(output_, &scores, error)) return false;
  if (static_cast<int>(scores.size()) < num_classes_) {
    *error = "output of model '" + m.path() + "' has fewer scores than classes";
    return false;
  }
  scores.resize(static_cast<size_t>(num_classes_));  // batch 1
  if (calibrate_) calibration_.Apply(&scores);
  out->categories = SelectCategories(scores, labels_, options_);
  out->head_index = output_;
  return true;
}

}  // namespace ember::tasks
