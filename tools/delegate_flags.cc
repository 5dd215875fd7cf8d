#include "delegate_flags.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli_util.h"
#include "delegate/delegate.h"

namespace ember::cli {

void AddDelegateFlags(CLI::App* command, DelegateFlags* flags) {
  command
      ->add_option("--delegate", flags->delegates,
                   "Offload supported ops to a delegate: 'gpu' (the built-in "
                   "Vulkan delegate) or the path of a delegate library "
                   "(repeatable, applied in order)")
      ->type_name("gpu|PATH")
      ->allow_extra_args(false);
  command
      ->add_option("--delegate-option", flags->options,
                   "KEY=VALUE option passed to every --delegate")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
}

int ApplyDelegateFlags(const DelegateFlags& flags, Interpreter& interp,
                       std::shared_ptr<delegate::AppliedDelegates>* applied) {
  delegate::DelegateOptions options;
  for (const std::string& kv : flags.options) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(kExitUsage, "--delegate-option '%s' is not KEY=VALUE",
                  kv.c_str());
    }
    options.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  if (!options.empty() && flags.delegates.empty())
    return Fail(kExitUsage, "--delegate-option given without --delegate");
  std::vector<std::shared_ptr<delegate::Delegate>> loaded;
  for (const std::string& path : flags.delegates) {
    std::shared_ptr<delegate::Delegate> d;
    std::string error;
    // "gpu" is the built-in Vulkan delegate; anything else a library path.
    if (!delegate::CreateDelegate(path, options, &d, &error).ok()) {
      Warn("%s; running on the CPU without it", error.c_str());
      continue;
    }
    loaded.push_back(std::move(d));
  }
  if (loaded.empty() && flags.delegates.empty()) return kExitOk;
  if (!delegate::ApplyDelegates(interp, loaded, applied).ok()) {
    return Fail(kExitError, "applying delegates: %s",
                interp.errors().message());
  }
  return kExitOk;
}

nlohmann::json DelegatesJson(const delegate::AppliedDelegates* applied) {
  nlohmann::json out = nlohmann::json::array();
  if (applied == nullptr) return out;
  for (const delegate::DelegateReport& r : applied->Report()) {
    nlohmann::json parts = nlohmann::json::array();
    for (const delegate::PartitionReport& p : r.partitions) {
      parts.push_back({{"nodes", p.nodes},
                       {"first_ops", p.first_ops},
                       {"on_cpu", p.on_cpu},
                       {"reason", p.reason}});
    }
    out.push_back({{"name", r.name},
                   {"nodes_supported", r.nodes_offered},
                   {"nodes_taken", r.NodesTaken()},
                   {"nodes_folded", r.nodes_folded},
                   {"partitions", parts}});
  }
  return out;
}

void PrintDelegates(const nlohmann::json& delegates) {
  for (const nlohmann::json& d : delegates) {
    printf(
        "delegate '%s': took %d nodes in %zu partition(s) (%d supported, "
        "%d constant nodes folded before partitioning)\n",
        d["name"].get<std::string>().c_str(), d["nodes_taken"].get<int>(),
        d["partitions"].size(), d["nodes_supported"].get<int>(),
        d["nodes_folded"].get<int>());
    int index = 0;
    for (const nlohmann::json& p : d["partitions"]) {
      std::string ops;
      for (const nlohmann::json& op : p["first_ops"])
        ops += (ops.empty() ? "#" : ", #") + op.dump();
      if (p["nodes"].get<int>() > static_cast<int>(p["first_ops"].size()))
        ops += ", ...";
      printf("  partition %d: %d nodes (ops %s)%s%s\n", index++,
             p["nodes"].get<int>(), ops.c_str(),
             p["on_cpu"].get<bool>() ? " on the CPU: " : "",
             p["reason"].get<std::string>().c_str());
    }
  }
}

}  // namespace ember::cli
