#include "base/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace ember {
namespace {

TEST(ThreadPool, CoversEveryIndexExactlyOnce) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    for (int64_t total : {0, 1, 7, 100, 1001}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(total));
      for (auto& h : hits) h = 0;
      pool.ParallelFor(total, 1, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) hits[i]++;
      });
      for (int64_t i = 0; i < total; ++i)
        ASSERT_EQ(hits[i], 1) << threads << " " << i;
    }
  }
}

TEST(ThreadPool, UsesAtMostNumThreadsChunks) {
  ThreadPool pool(3);
  std::atomic<int> calls{0};
  pool.ParallelFor(1000, 1, [&](int64_t, int64_t) { calls++; });
  EXPECT_EQ(calls.load(), 3);
  calls = 0;
  pool.ParallelFor(1000, 600, [&](int64_t, int64_t) { calls++; });
  EXPECT_EQ(calls.load(), 2);  // grain limits the split
}

TEST(ThreadPool, ManyRoundsDoNotDeadlock) {
  ThreadPool pool(2);
  std::atomic<int64_t> sum{0};
  for (int round = 0; round < 2000; ++round) {
    pool.ParallelFor(10, 1, [&](int64_t b, int64_t e) { sum += e - b; });
  }
  EXPECT_EQ(sum.load(), 20000);
}

// A chunk that stalls (a descheduled worker) must not keep the others from
// finishing on the remaining threads, and back-to-back jobs with a slow
// straggler from the previous generation must never run a chunk twice.
TEST(ThreadPool, SlowChunkDoesNotBreakLaterJobs) {
  ThreadPool pool(3);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::atomic<int>> hits(3);
    for (auto& h : hits) h = 0;
    pool.ParallelFor(3, 1, [&](int64_t b, int64_t e) {
      if (round % 50 == 0 && b == 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      for (int64_t i = b; i < e; ++i) hits[i]++;
    });
    for (int i = 0; i < 3; ++i) ASSERT_EQ(hits[i], 1) << round << " " << i;
  }
}

}  // namespace
}  // namespace ember
