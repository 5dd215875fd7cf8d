#include "micro/micro_planner.h"

namespace ember::micro {
namespace {

bool Overlap(const MicroPlanBuffer& a, const MicroPlanBuffer& b) {
  return a.first <= b.last && b.first <= a.last;
}

// Inserts `index` into by_offset[0..count) kept sorted by offset.
void InsertByOffset(const MicroPlanBuffer* buffers, int32_t* by_offset,
                    int32_t count, int32_t index) {
  int32_t k = count;
  while (k > 0 && buffers[by_offset[k - 1]].offset > buffers[index].offset) {
    by_offset[k] = by_offset[k - 1];
    --k;
  }
  by_offset[k] = index;
}

}  // namespace

bool MicroPlanGreedyBySize(MicroPlanBuffer* buffers, int32_t n, int32_t* order,
                           int32_t* by_offset, size_t* peak_bytes) {
  // Unplaced buffers by decreasing size (ties: earlier first use, then
  // index, so the plan is deterministic). Insertion sort: n is small.
  int32_t unplaced = 0;
  int32_t placed = 0;
  for (int32_t i = 0; i < n; ++i) {
    if (buffers[i].offset >= 0) {
      InsertByOffset(buffers, by_offset, placed++, i);
      continue;
    }
    int32_t k = unplaced++;
    while (k > 0) {
      const MicroPlanBuffer& prev = buffers[order[k - 1]];
      const MicroPlanBuffer& cur = buffers[i];
      const bool before = prev.size < cur.size ||
                          (prev.size == cur.size && prev.first > cur.first);
      if (!before) break;
      order[k] = order[k - 1];
      --k;
    }
    order[k] = i;
  }
  for (int32_t u = 0; u < unplaced; ++u) {
    MicroPlanBuffer& b = buffers[order[u]];
    uint64_t candidate = 0;
    // Placed buffers in offset order: the first gap before a live one that
    // holds `b`, else past the last live one.
    for (int32_t k = 0; k < placed; ++k) {
      const MicroPlanBuffer& p = buffers[by_offset[k]];
      if (p.size == 0 || !Overlap(p, b)) continue;
      const uint64_t p_begin = static_cast<uint64_t>(p.offset);
      const uint64_t p_end = p_begin + p.size;
      if (candidate + b.size <= p_begin) break;
      if (p_end > candidate) {
        candidate = (p_end + kMicroBufferAlignment - 1) /
                    kMicroBufferAlignment * kMicroBufferAlignment;
      }
    }
    if (candidate + b.size > 0x7FFFFFFFull) return false;
    b.offset = static_cast<int32_t>(candidate);
    InsertByOffset(buffers, by_offset, placed++, order[u]);
  }
  uint64_t peak = 0;
  for (int32_t i = 0; i < n; ++i) {
    const uint64_t end =
        static_cast<uint64_t>(buffers[i].offset) + buffers[i].size;
    if (buffers[i].size > 0 && end > peak) peak = end;
  }
  *peak_bytes = static_cast<size_t>(peak);
  return true;
}

}  // namespace ember::micro
