// `--delegate PATH_OR_NAME` and `--delegate-option KEY=VALUE` for run, bench
// and inspect: loading external delegates, applying them, and what each
// took (JSON and text).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/interpreter.h"

namespace CLI {
class App;
}
namespace ember::delegate {
class AppliedDelegates;
}

namespace ember::cli {

struct DelegateFlags {
  std::vector<std::string> delegates;  // paths (or names of built-ins)
  std::vector<std::string> options;    // KEY=VALUE, given to every delegate
};

void AddDelegateFlags(CLI::App* command, DelegateFlags* flags);

// Loads and applies the delegates, before AllocateTensors. A delegate that
// cannot be loaded is skipped with a warning (the model runs on the CPU);
// returns non-zero (after printing why) only for a malformed option.
int ApplyDelegateFlags(const DelegateFlags& flags, Interpreter& interp,
                       std::shared_ptr<delegate::AppliedDelegates>* applied);

// Per delegate: name, nodes_taken, partitions (nodes, first ops, on_cpu,
// reason). Empty array without delegates.
nlohmann::json DelegatesJson(const delegate::AppliedDelegates* applied);
void PrintDelegates(const nlohmann::json& delegates);

}  // namespace ember::cli
