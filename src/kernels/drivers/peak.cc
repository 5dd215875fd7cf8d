#include "kernels/drivers/peak.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "kernels/dispatch/registry.h"

namespace ember::kernels {

// Declared here, defined in the per-ISA files (kernels/x86/peak_*.cc,
// kernels/arm/peak_*.cc), each built with its own ISA's flags.
#define EMBER_PEAK_LOOP(isa, kind, instructions, macs, fn) int64_t fn(int64_t);
#include "kernels/drivers/peak_kernels.def"
#undef EMBER_PEAK_LOOP

std::span<const PeakLoop> PeakLoops() {
  static const PeakLoop kList[] = {
#define EMBER_PEAK_LOOP(isa, kind, instructions, macs, fn) \
  {Isa::isa, kind, instructions, macs, fn},
#include "kernels/drivers/peak_kernels.def"
#undef EMBER_PEAK_LOOP
      {}};
  return ListWithoutEnd(kList);
}

namespace {

using Clock = std::chrono::steady_clock;

// Length of one timed window: short enough that some windows run without
// being descheduled on a busy machine, long enough to dwarf the clock's
// own cost and the threads' start.
constexpr double kWindowMs = 10;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Iterations of `fn` that take about `ms` on one thread.
int64_t Calibrate(PeakLoopFn fn, double ms) {
  int64_t iterations = 1024;
  for (;;) {
    const auto start = Clock::now();
    volatile int64_t sink = fn(iterations);
    (void)sink;
    const double s = Seconds(start, Clock::now());
    if (s * 1e3 >= ms / 4 || iterations > (int64_t{1} << 40)) {
      return std::max<int64_t>(
          1, static_cast<int64_t>(iterations * (ms / 1e3) / std::max(s, 1e-9)));
    }
    iterations *= 4;
  }
}

}  // namespace

PeakResult MeasurePeak(const PeakLoop& loop, int threads, double ms) {
  PeakResult result;
  result.loop = &loop;
  result.threads = std::max(1, threads);
  const int64_t iterations = Calibrate(loop.fn, kWindowMs);
  double best = 0;
  const auto begin = Clock::now();
  for (int r = 0; r < 3 || Seconds(begin, Clock::now()) * 1e3 < ms; ++r) {
    // Every thread waits at a start line, so the wall time covers the
    // threads running together.
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> others;
    std::atomic<int64_t> sink{0};
    auto body = [&] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) {
      }
      sink.fetch_add(loop.fn(iterations));
    };
    for (int t = 1; t < result.threads; ++t) others.emplace_back(body);
    while (ready.load() != result.threads - 1) std::this_thread::yield();
    const auto start = Clock::now();
    go.store(true, std::memory_order_release);
    sink.fetch_add(loop.fn(iterations));
    for (auto& t : others) t.join();
    const double s = Seconds(start, Clock::now());
    const double macs = static_cast<double>(iterations) *
                        loop.macs_per_iteration * result.threads;
    best = std::max(best, macs / s / 1e9);
  }
  result.gmacs = best;
  return result;
}

double MeasureClockGhz(double ms) {
#if defined(__x86_64__) || defined(__aarch64__)
  // 16 dependent adds per iteration: the loop's own counter and branch run
  // beside them, so the chain sets the pace at one add per cycle.
  auto chain = [](int64_t iterations) {
    uint64_t x = 0;
    for (int64_t i = 0; i < iterations; ++i) {
#if defined(__x86_64__)
      asm volatile(
          "add %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\t"
          "add %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\t"
          "add %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\t"
          "add %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\tadd %0, %0"
          : "+r"(x));
#else
      asm volatile(
          "add %0, %0, %0\n\tadd %0, %0, %0\n\tadd %0, %0, %0\n\t"
          "add %0, %0, %0\n\tadd %0, %0, %0\n\tadd %0, %0, %0\n\t"
          "add %0, %0, %0\n\tadd %0, %0, %0\n\tadd %0, %0, %0\n\t"
          "add %0, %0, %0\n\tadd %0, %0, %0\n\tadd %0, %0, %0\n\t"
          "add %0, %0, %0\n\tadd %0, %0, %0\n\tadd %0, %0, %0\n\t"
          "add %0, %0, %0"
          : "+r"(x));
#endif
    }
    return x;  // doubled each add: only the chain matters
  };
  // Many short windows, best one: on a shared machine a short window is
  // likelier to run undisturbed than a long one.
  int64_t iterations = 1 << 12;
  for (;;) {
    const auto start = Clock::now();
    chain(iterations);
    if (Seconds(start, Clock::now()) * 1e3 >= kWindowMs / 4) break;
    iterations *= 2;
  }
  double best = 0;
  const auto begin = Clock::now();
  while (Seconds(begin, Clock::now()) * 1e3 < ms) {
    const auto start = Clock::now();
    const uint64_t adds = chain(iterations);
    const double s = Seconds(start, Clock::now());
    (void)adds;
    best = std::max(best, static_cast<double>(iterations) * 16 / s / 1e9);
  }
  return best;
#else
  (void)ms;
  return 0;
#endif
}

double ReportedClockGhz() {
  std::ifstream max_freq(
      "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
  double khz = 0;
  if (max_freq >> khz && khz > 0) return khz / 1e6;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("cpu MHz", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos)
        return std::atof(line.c_str() + colon + 1) / 1e3;
    }
  }
  return 0;
}

std::string CpuModelName() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        const size_t start = line.find_first_not_of(' ', colon + 1);
        return start == std::string::npos ? "" : line.substr(start);
      }
    }
  }
  return "";
}

}  // namespace ember::kernels
