// `ember bench --peak`: this CPU's fp32 FMA and int8 multiply-accumulate
// peak per ISA tier it runs (and EMBER_ISA allows), on one thread and on
// all threads, from the register-only loops of kernels/drivers/peak.h. A
// benchmark table divides a model's MACs per second by these to state the
// fraction of peak on the same machine.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli_util.h"
#include "commands.h"
#include "kernels/dispatch/cpu_features.h"
#include "kernels/dispatch/isa.h"
#include "kernels/drivers/peak.h"

namespace ember::cli {

int BenchPeak(const BenchOptions& o) {
  using json = nlohmann::json;
  std::string error;
  const kernels::IsaSet env = kernels::EnvIsaCap(&error);
  if (!error.empty()) return Fail(kExitUsage, "%s", error.c_str());
  const kernels::IsaSet allowed = kernels::DetectedIsas() & env;
  const int all = o.threads_given
                      ? o.threads
                      : std::max(1u, std::thread::hardware_concurrency());
  const double ghz = kernels::MeasureClockGhz(100);
  json r;
  r["engine"] = "ember";
  r["cpu_model"] = kernels::CpuModelName();
  r["cpu_features"] = dispatch::CpuFeaturesString();
  r["clock_ghz_measured"] = ghz;
  r["clock_ghz_reported"] = kernels::ReportedClockGhz();
  r["threads_all"] = all;
  r["probes"] = json::array();
  for (const kernels::PeakLoop& loop : kernels::PeakLoops()) {
    if (!allowed.contains(loop.isa)) continue;
    std::vector<int> counts = {1};
    if (all > 1) counts.push_back(all);  // with one thread, 1 is all
    for (int threads : counts) {
      const kernels::PeakResult p =
          kernels::MeasurePeak(loop, threads, o.peak_ms);
      json e;
      e["isa"] = kernels::IsaName(loop.isa);
      e["kind"] = loop.kind;
      e["instructions"] = loop.instructions;
      e["threads"] = threads;
      e["gmacs"] = p.gmacs;
      e[std::string(loop.kind) == "fp32_fma" ? "gflops" : "gops"] = p.gops();
      // Per core and cycle, at the clock measured on one thread.
      if (ghz > 0) e["mac_per_cycle_per_thread"] = p.gmacs / threads / ghz;
      r["probes"].push_back(e);
    }
  }
  if (r["probes"].empty())
    return Fail(kExitError,
                "bench --peak: no probe loop for this CPU's ISA tiers (%s)",
                allowed.ToString().c_str());
  if (o.json) {
    printf("%s\n", r.dump().c_str());
    return kExitOk;
  }
  printf("cpu             %s\n", r["cpu_model"].get<std::string>().c_str());
  printf("cpu features    %s\n", dispatch::CpuFeaturesString());
  printf("clock           %.2f GHz measured (dependent adds), %.2f reported\n",
         ghz, r["clock_ghz_reported"].get<double>());
  Table table({"isa", "kind", "instructions", "threads", "GMAC/s",
               "GFLOP/s|GOP/s", "MAC/cycle/thread"});
  for (const json& e : r["probes"]) {
    char gmacs[32], gops[32], per_cycle[32] = "-";
    snprintf(gmacs, sizeof(gmacs), "%.1f", e["gmacs"].get<double>());
    snprintf(gops, sizeof(gops), "%.1f", 2 * e["gmacs"].get<double>());
    if (e.contains("mac_per_cycle_per_thread"))
      snprintf(per_cycle, sizeof(per_cycle), "%.1f",
               e["mac_per_cycle_per_thread"].get<double>());
    table.Add({e["isa"], e["kind"], e["instructions"],
               std::to_string(e["threads"].get<int>()), gmacs, gops,
               per_cycle});
  }
  table.Print();
  return kExitOk;
}

}  // namespace ember::cli
