// Places buffers with known lifetimes into one arena: largest first, each at
// the lowest offset that does not overlap a placed buffer alive at the same
// time. Also reports the lower bound (peak of simultaneously live bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ember {

struct BufferRequest {
  size_t bytes = 0;
  int32_t first_use = 0;  // step index, inclusive
  int32_t last_use = 0;   // inclusive
};

struct ArenaPlan {
  std::vector<size_t> offsets;  // one per request
  size_t arena_bytes = 0;
  size_t lower_bound_bytes = 0;
};

constexpr size_t kArenaAlignment = 64;

ArenaPlan PlanGreedyBySize(const std::vector<BufferRequest>& requests);

}  // namespace ember
