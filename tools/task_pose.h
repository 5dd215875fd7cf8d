// `ember task pose`: the PoseLandmarker from the command line (registered
// under `ember task` in task.cc).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace ember::cli {

// Adds the subcommand to `task`; the returned function runs it (an exit
// code) when it was parsed.
std::function<int()> AddPoseTask(CLI::App* task, CLI::App** sub);

}  // namespace ember::cli
