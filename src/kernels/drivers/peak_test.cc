#include "kernels/drivers/peak.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ember::kernels {
namespace {

// Each loop does the multiply-accumulates it claims: its result counts
// them (1 x 1 products), so a wrong macs_per_iteration (and so a wrong
// GMAC/s in `ember bench --peak`) fails here, not only a crash.
TEST(PeakProbe, EveryRunnableLoopCountsItsMacs) {
  const IsaSet detected = DetectedIsas();
  int ran = 0;
  for (const PeakLoop& loop : PeakLoops()) {
    if (!detected.contains(loop.isa)) continue;
    SCOPED_TRACE(std::string(IsaName(loop.isa)) + " " + loop.kind);
    for (int64_t iterations : {1, 7, 1000}) {
      EXPECT_EQ(loop.fn(iterations), iterations * loop.macs_per_iteration);
    }
    ++ran;
  }
#if defined(__x86_64__)
  // The CI machines all have AVX2 + FMA.
  if (detected.contains(Isa::kAvx2)) EXPECT_GE(ran, 2);
#endif
}

// The probe runs and reports positive, finite rates on one and two
// threads (no timing assertion beyond that: the machine is shared).
TEST(PeakProbe, MeasuresPositiveRates) {
  const IsaSet detected = DetectedIsas();
  for (const PeakLoop& loop : PeakLoops()) {
    if (!detected.contains(loop.isa)) continue;
    SCOPED_TRACE(std::string(IsaName(loop.isa)) + " " + loop.kind);
    for (int threads : {1, 2}) {
      const PeakResult r = MeasurePeak(loop, threads, /*ms=*/5);
      EXPECT_EQ(r.threads, threads);
      EXPECT_EQ(r.loop, &loop);
      EXPECT_GT(r.gmacs, 0);
      EXPECT_TRUE(std::isfinite(r.gmacs));
      EXPECT_DOUBLE_EQ(r.gops(), 2 * r.gmacs);
    }
  }
}

TEST(PeakProbe, ClockAndCpuName) {
#if defined(__x86_64__) || defined(__aarch64__)
  const double ghz = MeasureClockGhz(5);
  EXPECT_GT(ghz, 0);
  EXPECT_TRUE(std::isfinite(ghz));
#endif
  EXPECT_GE(ReportedClockGhz(), 0);
  (void)CpuModelName();  // may be empty (no /proc/cpuinfo): must not crash
}

}  // namespace
}  // namespace ember::kernels
