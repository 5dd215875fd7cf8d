#include "planner/greedy_planner.h"

#include <algorithm>
#include <numeric>

namespace ember {
namespace {

size_t AlignUp(size_t n) {
  return (n + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

bool Overlaps(const BufferRequest& a, const BufferRequest& b) {
  return a.first_use <= b.last_use && b.first_use <= a.last_use;
}

}  // namespace

ArenaPlan PlanGreedyBySize(const std::vector<BufferRequest>& requests) {
  ArenaPlan plan;
  const size_t n = requests.size();
  plan.offsets.assign(n, 0);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return requests[a].bytes > requests[b].bytes;
  });
  std::vector<size_t> placed;  // request indices, sorted by offset
  placed.reserve(n);
  for (size_t idx : order) {
    const BufferRequest& req = requests[idx];
    const size_t need = AlignUp(req.bytes);
    size_t candidate = 0;
    if (need > 0) {
      // Walk placed buffers in offset order; take the first gap that fits.
      for (size_t other : placed) {
        if (!Overlaps(req, requests[other])) continue;
        const size_t other_begin = plan.offsets[other];
        const size_t other_end = other_begin + AlignUp(requests[other].bytes);
        if (other_end <= candidate) continue;
        if (other_begin >= candidate + need) break;
        candidate = other_end;
      }
    }
    plan.offsets[idx] = candidate;
    plan.arena_bytes = std::max(plan.arena_bytes, candidate + need);
    auto pos = std::upper_bound(
        placed.begin(), placed.end(), candidate,
        [&](size_t off, size_t other) { return off < plan.offsets[other]; });
    placed.insert(pos, idx);
  }
  // Lower bound: the largest sum of aligned live bytes at any step.
  int32_t last_step = 0;
  for (const auto& r : requests) last_step = std::max(last_step, r.last_use);
  std::vector<int64_t> delta(static_cast<size_t>(last_step) + 2, 0);
  for (const auto& r : requests) {
    if (r.first_use > r.last_use) continue;
    delta[r.first_use] += static_cast<int64_t>(AlignUp(r.bytes));
    delta[r.last_use + 1] -= static_cast<int64_t>(AlignUp(r.bytes));
  }
  int64_t live = 0;
  for (int64_t d : delta) {
    live += d;
    plan.lower_bound_bytes =
        std::max(plan.lower_bound_bytes, static_cast<size_t>(live));
  }
  return plan;
}

}  // namespace ember
