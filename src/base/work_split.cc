#include "base/work_split.h"

#include <algorithm>
#include <cstdint>

namespace ember {

int SplitCount(int64_t work, int64_t min_per_task, int threads,
               int64_t max_tasks, bool split_small_work) {
  int64_t tasks = std::min<int64_t>(std::max(threads, 1), max_tasks);
  if (!split_small_work) {
    tasks = std::min(tasks, work / std::max<int64_t>(min_per_task, 1));
  }
  return static_cast<int>(std::max<int64_t>(tasks, 1));
}

namespace {

// Largest chunk over the even share, scaled by `units` to stay integral:
// ceil(units / tasks) * tasks; a single piece per task (or fewer pieces
// than tasks) counts as the worst balance.
int64_t Imbalance(int64_t units, int tasks) {
  if (units < tasks) return INT64_MAX;
  const int64_t largest = (units + tasks - 1) / tasks;
  return largest * tasks;
}

}  // namespace

SplitAxis ChooseSplitAxis(int64_t row_units, int64_t column_units, int tasks) {
  if (tasks <= 1) return SplitAxis::kRows;
  // Compare largest*tasks/units across axes without division:
  // a/ua <= b/ub  <=>  a*ub <= b*ua.
  const int64_t rows = Imbalance(row_units, tasks);
  const int64_t cols = Imbalance(column_units, tasks);
  if (rows == INT64_MAX && cols == INT64_MAX)
    return row_units >= column_units ? SplitAxis::kRows : SplitAxis::kColumns;
  if (cols == INT64_MAX) return SplitAxis::kRows;
  if (rows == INT64_MAX) return SplitAxis::kColumns;
  // Exact in double: both products stay far below 2^53 for real layers.
  const double r =
      static_cast<double>(rows) * static_cast<double>(column_units);
  const double c = static_cast<double>(cols) * static_cast<double>(row_units);
  return r <= c ? SplitAxis::kRows : SplitAxis::kColumns;
}

}  // namespace ember
