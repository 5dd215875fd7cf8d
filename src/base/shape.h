// Tensor shapes (rank and dims) and the element-count limits every layer
// checks against; plain data, no heap (shared with the micro runtime).
#pragma once

#include <cstdint>

namespace ember {

constexpr int kMaxRank = 8;
// Largest element count a tensor may have (model shapes, resized inputs and
// shapes computed by ops are all checked against it, so products of dims
// never overflow int64 and byte sizes never overflow size_t).
constexpr int64_t kMaxTensorElements = int64_t{1} << 40;

struct Shape {
  int32_t rank = 0;
  int32_t dims[kMaxRank] = {};

  int32_t dim(int i) const { return dims[i]; }
  // Product of dims; 1 for a scalar. Callers validated against overflow.
  int64_t NumElements() const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
  bool operator==(const Shape& other) const {
    if (rank != other.rank) return false;
    for (int i = 0; i < rank; ++i)
      if (dims[i] != other.dims[i]) return false;
    return true;
  }
  bool operator!=(const Shape& other) const { return !(*this == other); }
};

// Element count of `shape` computed without overflow. False when the rank
// is out of [0, kMaxRank], a dim is negative, or the count exceeds
// kMaxTensorElements.
bool CheckedNumElements(const Shape& shape, int64_t* count);

}  // namespace ember
