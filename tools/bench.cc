// `ember bench`: load+prepare time, first inference, steady-state latency
// (min / median / p90), planned arena, peak RSS, kernel per op, and with
// --profile a per-op time table. Method as in BENCHMARKING.md.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "cli_util.h"
#include "commands.h"
#include "describe/run_json.h"
#include "inputs.h"
#include "kernels/dispatch/cpu_features.h"
#include "runtime/interpreter.h"
#include "runtime/weight_cache.h"
#include "runtime/work_estimate.h"

namespace ember::cli {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

long PeakRssKb() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

std::string NodeName(const Node& node) {
  if (node.reg == nullptr) return "?";
  return node.reg->name;
}

}  // namespace

int Bench(const BenchOptions& o) {
  const auto load_start = Clock::now();
  std::unique_ptr<Model> model;
  if (!LoadModelFile(o.model_path, o.trust, &model)) return kExitError;
  ErrorReporter errors;
  InterpreterOptions options;
  options.num_threads = o.threads;
  options.weight_cache_dir = o.weight_cache;
  std::unique_ptr<Interpreter> interp;
  if (!Interpreter::Create(*model, OpResolver::Builtins(), options, errors,
                           &interp)
           .ok()) {
    return Fail(kExitError, "%s", errors.message());
  }
  std::shared_ptr<delegate::AppliedDelegates> delegates;
  if (int rc = ApplyDelegateFlags(o.delegates, *interp, &delegates)) return rc;
  if (!interp->AllocateTensors().ok()) {
    return Fail(kExitError, "%s", interp->errors().message());
  }
  const double load_ms = MillisSince(load_start);
  Subgraph& sg = interp->primary();
  for (size_t i = 0; i < sg.inputs().size(); ++i) {
    if (!FillRandom(sg.tensors()[sg.inputs()[i]], /*seed=*/0,
                    static_cast<int>(i)))
      return kExitError;
  }
  auto invoke = [&]() -> bool {
    if (interp->Invoke().ok()) return true;
    Fail(kExitError, "%s", interp->errors().message());
    return false;
  };
  const auto first_start = Clock::now();
  if (!invoke()) return kExitError;
  const double first_ms = MillisSince(first_start);

  const auto warm_start = Clock::now();
  while (MillisSince(warm_start) < o.warmup_ms) {
    if (!invoke()) return kExitError;
  }
  if (o.profile) sg.EnableProfiling(true);
  std::vector<double> times;
  const auto runs_start = Clock::now();
  while (static_cast<int>(times.size()) < o.runs ||
         MillisSince(runs_start) < o.min_ms) {
    const auto start = Clock::now();
    if (!invoke()) return kExitError;
    times.push_back(MillisSince(start));
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  const double p90 = times[std::min(times.size() - 1, times.size() * 9 / 10)];

  json r;
  r["engine"] = "ember";
  r["model"] = o.model_path;
  r["threads"] = o.threads;
  r["load_prepare_ms"] = load_ms;
  r["first_ms"] = first_ms;
  r["min_ms"] = times.front();
  r["median_ms"] = median;
  r["p90_ms"] = p90;
  r["runs"] = times.size();
  // Multiply-accumulates of the convolution / matrix ops per inference
  // (runtime/work_estimate.h): with `ember bench --peak`, the fraction of
  // the machine's peak.
  r["matrix_macs"] = EstimateSubgraphMacs(sg, /*matrix_ops_only=*/true);
  r["arena_bytes"] = sg.arena_bytes();
  r["arena_lower_bound_bytes"] = sg.arena_lower_bound();
  r["peak_rss_kb"] = PeakRssKb();
  if (const WeightCache* cache = interp->weight_cache()) {
    r["weight_cache"] = {{"path", cache->path()},
                         {"hits", cache->hits()},
                         {"misses", cache->misses()},
                         {"wrote", cache->wrote()}};
  }
  // Kernel variant per op, as each op's Prepare chose it.
  std::map<std::string, int> kernels;
  for (size_t i = 0; i < sg.nodes().size(); ++i) {
    if (sg.node_evaluated(static_cast<int>(i))) {
      const Node& node = sg.nodes()[i];
      kernels[NodeName(node) + ":" +
              (node.kernel_variant ? node.kernel_variant : "ref")]++;
    }
  }
  r["kernels"] = kernels;
  r["cpu_features"] = dispatch::CpuFeaturesString();
  if (!o.delegates.delegates.empty())
    r["delegates"] = DelegatesJson(delegates.get());
  if (o.profile) {
    // Per "OP:kernel" (one row per delegate partition), slowest first
    // (describe/run_json.h, shared with `ember report` and Ember Studio).
    r["profile"] = describe::DescribeProfile(
        sg, static_cast<int64_t>(times.size()))["by_op"];
  }
  if (o.json) {
    printf("%s\n", r.dump().c_str());
    return kExitOk;
  }
  printf("model           %s\n", o.model_path.c_str());
  printf("threads         %d\n", o.threads);
  printf("load+prepare    %.2f ms\n", load_ms);
  printf("first inference %.2f ms\n", first_ms);
  printf("steady state    min %.3f  median %.3f  p90 %.3f ms (%zu runs)\n",
         times.front(), median, p90, times.size());
  printf("arena           %s (lower bound %s)\n",
         FormatBytes(sg.arena_bytes()).c_str(),
         FormatBytes(sg.arena_lower_bound()).c_str());
  printf("peak RSS        %.1f MiB\n", PeakRssKb() / 1024.0);
  printf("cpu features    %s\n", dispatch::CpuFeaturesString());
  printf("kernels        ");
  for (const auto& [name, count] : kernels)
    printf(" %s x%d", name.c_str(), count);
  printf("\n");
  if (r.contains("delegates")) PrintDelegates(r["delegates"]);
  if (o.profile) {
    Table table({"op", "ms/run", "share", "calls"});
    for (const auto& p : r["profile"]) {
      char ms[32], share[32];
      snprintf(ms, sizeof(ms), "%.3f", p["ms_per_run"].get<double>());
      snprintf(share, sizeof(share), "%.1f%%", 100 * p["share"].get<double>());
      table.Add(
          {p["op"], ms, share, std::to_string(p["calls"].get<int64_t>())});
    }
    printf("per-op profile:\n");
    table.Print();
  }
  return kExitOk;
}

}  // namespace ember::cli
