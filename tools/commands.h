// The `ember` subcommands. Each returns the process exit code (cli_util.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli_util.h"
#include "delegate_flags.h"

namespace ember::cli {

struct InspectOptions {
  std::string model_path;
  bool json = false;
  DelegateFlags delegates;
  TrustFlags trust;
};
int Inspect(const InspectOptions& options);

struct RunOptions {
  std::string model_path;           // empty: the embedded default model
  std::vector<std::string> inputs;  // "NAME=FILE.npy"
  bool random_inputs = false;
  uint64_t seed = 0;
  std::string output_dir;  // empty: outputs are not written
  int threads = 1;
  bool json = false;
  std::string weight_cache;  // InterpreterOptions::weight_cache_dir
  DelegateFlags delegates;
  TrustFlags trust;
};
int Run(const RunOptions& options);

struct BenchOptions {
  std::string model_path;
  int threads = 1;
  double warmup_ms = 1000;  // run untimed for this long first
  int runs = 50;            // then at least this many timed runs
  double min_ms = 3000;     // and for at least this long
  bool profile = false;
  bool json = false;
  // --peak: measure the CPU's fp32 FMA / int8 peak per ISA tier instead of
  // a model (bench_peak.cc); threads_given: --threads was on the line.
  bool peak = false;
  bool threads_given = false;
  double peak_ms = 200;
  std::string weight_cache;  // InterpreterOptions::weight_cache_dir
  DelegateFlags delegates;
  TrustFlags trust;
};
int Bench(const BenchOptions& options);
int BenchPeak(const BenchOptions& options);

}  // namespace ember::cli
