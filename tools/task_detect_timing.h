// Shared by the landmarker subcommands (`ember task face-landmarks`,
// `ember task hands`): create the task, then decode the picture and detect
// `repeat` times, end to end as the other tasks report it, and give the
// median and the fastest time. Returns the exit code of a failure (printed), or
// -1 to go on.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cli_util.h"
#include "processing/image.h"

namespace ember::cli {

template <typename Task, typename Options, typename Result>
int CreateAndDetect(const Options& o, const std::string& input, int repeat,
                    std::unique_ptr<Task>* task, processing::Image* image,
                    Result* result, double* median_ms, double* min_ms) {
  using Clock = std::chrono::steady_clock;
  std::string err;
  if (!Task::CreateFromOptions(o, task, &err))
    return Fail(kExitError, "%s", err.c_str());
  std::vector<double> times;
  for (int i = 0; i < std::max(1, repeat); ++i) {
    const auto t0 = Clock::now();
    if (!processing::ReadImageFile(input, image, &err) ||
        !(*task)->Detect(*image, result, &err))
      return Fail(kExitError, "%s", err.c_str());
    times.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  *median_ms = times[times.size() / 2];
  *min_ms = times.front();
  return -1;
}

}  // namespace ember::cli
