// Greedy-by-size placement of buffers with lifetimes in one arena (no
// heap): the largest buffer first, each at the lowest offset where it
// overlaps no placed buffer alive at the same time. Buffers may arrive
// already placed (an offline plan); the rest are placed around them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember::micro {

constexpr size_t kMicroBufferAlignment = 16;

struct MicroPlanBuffer {
  uint32_t size = 0;    // bytes (aligned by the caller)
  int32_t first = 0;    // first node that uses it
  int32_t last = 0;     // last node that uses it (inclusive)
  int32_t offset = -1;  // -1 until placed
};

// Places every buffer with offset -1; `order` and `by_offset` are caller
// scratch of n entries each. Returns the arena size the plan needs (the
// highest end of any buffer), or fails (false) when an offset would
// overflow 31 bits.
bool MicroPlanGreedyBySize(MicroPlanBuffer* buffers, int32_t n, int32_t* order,
                           int32_t* by_offset, size_t* peak_bytes);

inline size_t MicroAlignUp(size_t v, size_t a) { return (v + a - 1) / a * a; }

}  // namespace ember::micro
