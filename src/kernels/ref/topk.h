// TOPK_V2 along the last dim: the k largest values in descending order,
// equal values ordered by ascending index. Selection without scratch: the
// j-th pick is the largest element ordered after the (j-1)-th pick in the
// total order (value descending, index ascending). O(n * k), for clarity.
#pragma once

#include <cstdint>

namespace ember::ref {

template <typename T>
inline void TopK(const T* in, int64_t rows, int32_t row_size, int32_t k,
                 T* values, int32_t* indices) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = in + r * row_size;
    int32_t prev = -1;
    for (int32_t j = 0; j < k; ++j) {
      int32_t best = -1;
      for (int32_t i = 0; i < row_size; ++i) {
        if (prev >= 0) {
          // Skip elements ordered at or before the previous pick.
          const bool after =
              row[i] < row[prev] || (row[i] == row[prev] && i > prev);
          if (!after) continue;
        }
        if (best < 0 || row[i] > row[best]) best = i;
      }
      values[r * k + j] = row[best];
      indices[r * k + j] = best;
      prev = best;
    }
  }
}

}  // namespace ember::ref
