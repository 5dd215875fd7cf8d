// Peak probe (`ember bench --peak`): tight register-only loops that measure
// how many fp32 FMA and int8 multiply-accumulates per second this CPU does
// on each instruction-set tier, so benchmark tables can state a fraction of
// the machine's own peak (issue 11). The loops touch no memory: they bound
// what any kernel of that tier could reach, not what a real kernel does.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kernels/dispatch/isa.h"

namespace ember::kernels {

// One loop: fn(iterations) executes iterations * macs_per_iteration
// multiply-accumulates of 1 x 1 and returns the sum of every accumulator
// lane, which is iterations * macs_per_iteration while no lane saturates
// (fp32 lanes stop counting at 2^24, int32 ones wrap): the tests check the
// claimed MAC count with it, and it keeps the compiler from dropping work.
using PeakLoopFn = int64_t (*)(int64_t iterations);

struct PeakLoop {
  Isa isa = Isa::kPortable;
  const char* kind = nullptr;  // "fp32_fma" or "int8_dot"
  // How the int8 loop multiplies: "vpdpbusd", "vpmaddubsw+vpmaddwd", ...
  const char* instructions = nullptr;
  int64_t macs_per_iteration = 0;
  PeakLoopFn fn = nullptr;
};

// Every loop built for this architecture (whether or not this CPU runs it).
std::span<const PeakLoop> PeakLoops();

struct PeakResult {
  const PeakLoop* loop = nullptr;
  int threads = 1;
  double gmacs = 0;  // 1e9 multiply-accumulates per second (all threads)
  // 1e9 operations per second, counting a multiply-accumulate as two
  // (GFLOP/s for fp32, GOP/s for int8).
  double gops() const { return 2 * gmacs; }
};

// Runs `loop` on `threads` threads at once (each its own copy) in windows
// of about 10 ms for about `ms` milliseconds (at least 3 windows); the
// best window's total MACs over its wall time.
PeakResult MeasurePeak(const PeakLoop& loop, int threads, double ms);

// Core clock in GHz measured with a chain of dependent register-register
// adds (one per cycle on every x86 and AArch64 core of interest), best
// window over about `ms`; 0 where the chain is not built (other
// architectures). A turbo clock shows as such.
double MeasureClockGhz(double ms);

// The clock the OS reports for CPU 0 ("cpu MHz" / cpufreq), in GHz; 0 when
// unknown.
double ReportedClockGhz();

// The CPU's model name ("AMD EPYC 9R14 ..."), empty when unknown.
std::string CpuModelName();

}  // namespace ember::kernels
