#include "tasks/classifier_options.h"

#include <algorithm>
#include <numeric>

namespace ember::tasks {

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

}  // namespace ember::tasks
