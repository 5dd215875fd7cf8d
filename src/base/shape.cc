#include "base/shape.h"

namespace ember {

bool CheckedNumElements(const Shape& shape, int64_t* count) {
  if (shape.rank < 0 || shape.rank > kMaxRank) return false;
  int64_t n = 1;
  for (int i = 0; i < shape.rank; ++i) {
    const int32_t d = shape.dims[i];
    if (d < 0) return false;
    if (d != 0 && n > kMaxTensorElements / d) return false;
    n *= d;
  }
  if (n > kMaxTensorElements) return false;
  *count = n;
  return true;
}

}  // namespace ember
