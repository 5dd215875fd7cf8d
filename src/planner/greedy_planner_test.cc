#include "planner/greedy_planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace ember {
namespace {

size_t Aligned(size_t n) {
  return (n + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

bool LiveTogether(const BufferRequest& a, const BufferRequest& b) {
  return a.first_use <= b.last_use && b.first_use <= a.last_use;
}

// Peak of simultaneously live aligned bytes, computed step by step.
size_t BruteLowerBound(const std::vector<BufferRequest>& requests) {
  int32_t last = 0;
  for (const auto& r : requests) last = std::max(last, r.last_use);
  size_t peak = 0;
  for (int32_t step = 0; step <= last; ++step) {
    size_t live = 0;
    for (const auto& r : requests)
      if (r.first_use <= step && step <= r.last_use) live += Aligned(r.bytes);
    peak = std::max(peak, live);
  }
  return peak;
}

// Every invariant a plan must satisfy.
void CheckPlan(const std::vector<BufferRequest>& requests,
               const ArenaPlan& plan) {
  ASSERT_EQ(plan.offsets.size(), requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(plan.offsets[i] % kArenaAlignment, 0u) << "request " << i;
    EXPECT_LE(plan.offsets[i] + requests[i].bytes, plan.arena_bytes)
        << "request " << i;
    for (size_t j = i + 1; j < requests.size(); ++j) {
      if (requests[i].bytes == 0 || requests[j].bytes == 0) continue;
      if (!LiveTogether(requests[i], requests[j])) continue;
      const size_t a0 = plan.offsets[i], a1 = a0 + requests[i].bytes;
      const size_t b0 = plan.offsets[j], b1 = b0 + requests[j].bytes;
      EXPECT_TRUE(a1 <= b0 || b1 <= a0)
          << "requests " << i << " [" << a0 << "," << a1 << ") and " << j
          << " [" << b0 << "," << b1 << ") are live together and overlap";
    }
  }
  EXPECT_EQ(plan.lower_bound_bytes, BruteLowerBound(requests));
  EXPECT_GE(plan.arena_bytes, plan.lower_bound_bytes);
}

TEST(GreedyPlanner, RandomizedNoOverlapOfLiveBuffers) {
  std::mt19937 rng(42);
  for (int iter = 0; iter < 300; ++iter) {
    SCOPED_TRACE(iter);
    const int n = 1 + static_cast<int>(rng() % 40);
    const int steps = 1 + static_cast<int>(rng() % 25);
    std::vector<BufferRequest> requests(n);
    for (auto& r : requests) {
      // Mix of tiny, odd, zero and large sizes.
      switch (rng() % 4) {
        case 0:
          r.bytes = rng() % 8;
          break;
        case 1:
          r.bytes = rng() % 300;
          break;
        case 2:
          r.bytes = 64 * (1 + rng() % 64);
          break;
        default:
          r.bytes = rng() % 100000;
          break;
      }
      r.first_use = static_cast<int32_t>(rng() % steps);
      r.last_use =
          r.first_use + static_cast<int32_t>(rng() % (steps - r.first_use));
    }
    const ArenaPlan plan = PlanGreedyBySize(requests);
    CheckPlan(requests, plan);
    if (HasFailure()) return;
  }
}

TEST(GreedyPlanner, ChainsReachTheLowerBound) {
  // Op i reads buffer i and writes buffer i+1: neighbours are live together.
  const std::vector<std::vector<size_t>> chains = {
      {1024, 1024, 1024, 1024, 1024}, {64, 128, 256, 512, 1024, 2048},
      {4096, 2048, 1024, 512, 256},   {640, 6400, 640, 6400, 640},
      {100, 1, 5000, 70, 5000, 3},
  };
  for (const auto& sizes : chains) {
    std::vector<BufferRequest> requests;
    for (size_t i = 0; i < sizes.size(); ++i)
      requests.push_back(
          {sizes[i], static_cast<int32_t>(i), static_cast<int32_t>(i + 1)});
    const ArenaPlan plan = PlanGreedyBySize(requests);
    CheckPlan(requests, plan);
    EXPECT_EQ(plan.arena_bytes, plan.lower_bound_bytes)
        << "chain starting with " << sizes[0];
  }
}

TEST(GreedyPlanner, DisjointLifetimesShareMemory) {
  const std::vector<BufferRequest> requests = {
      {1000, 0, 1}, {3000, 2, 3}, {2000, 4, 5}};
  const ArenaPlan plan = PlanGreedyBySize(requests);
  CheckPlan(requests, plan);
  for (size_t off : plan.offsets) EXPECT_EQ(off, 0u);
  EXPECT_EQ(plan.arena_bytes, Aligned(3000));
}

TEST(GreedyPlanner, Alignment) {
  const std::vector<BufferRequest> requests = {
      {1, 0, 3}, {65, 0, 3}, {100, 1, 2}, {63, 2, 3}, {129, 0, 0}};
  const ArenaPlan plan = PlanGreedyBySize(requests);
  CheckPlan(requests, plan);
  for (size_t off : plan.offsets) EXPECT_EQ(off % 64, 0u);
  EXPECT_EQ(plan.arena_bytes % 64, 0u);
}

TEST(GreedyPlanner, ZeroSizeBuffers) {
  {
    const ArenaPlan plan = PlanGreedyBySize({});
    EXPECT_EQ(plan.arena_bytes, 0u);
    EXPECT_EQ(plan.lower_bound_bytes, 0u);
    EXPECT_TRUE(plan.offsets.empty());
  }
  {
    const std::vector<BufferRequest> requests = {{0, 0, 5}, {0, 1, 2}};
    const ArenaPlan plan = PlanGreedyBySize(requests);
    CheckPlan(requests, plan);
    EXPECT_EQ(plan.arena_bytes, 0u);
  }
  {
    // Zero-size buffers neither take space nor push others up.
    const std::vector<BufferRequest> requests = {
        {0, 0, 3}, {256, 0, 3}, {0, 1, 1}, {128, 1, 2}};
    const ArenaPlan plan = PlanGreedyBySize(requests);
    CheckPlan(requests, plan);
    EXPECT_EQ(plan.arena_bytes, 384u);
    EXPECT_EQ(plan.lower_bound_bytes, 384u);
  }
}

TEST(GreedyPlanner, FillsGapsBetweenPlacedBuffers) {
  // A (big) and C live at step 0..2; B (small) only in between: B fits in
  // the hole left where a dead buffer was.
  const std::vector<BufferRequest> requests = {
      {4096, 0, 0}, {4096, 1, 2}, {1024, 0, 2}, {2048, 1, 1}};
  const ArenaPlan plan = PlanGreedyBySize(requests);
  CheckPlan(requests, plan);
  EXPECT_EQ(plan.arena_bytes, plan.lower_bound_bytes);
}

}  // namespace
}  // namespace ember
