#include "base/shape.h"

namespace ember {

bool CheckedNumElements(const Shape& shape, int64_t* count) {
  if (shape.rank < 0 || shape.rank > kMaxRank) return false;
  // The non-zero dimensions' product is bounded too: a shape with a 0 has no
  // elements, but kernels still multiply its other dimensions into strides.
  int64_t n = 1, extent = 1;
  for (int i = 0; i < shape.rank; ++i) {
    const int32_t d = shape.dims[i];
    if (d < 0) return false;
    if (d != 0 && extent > kMaxTensorElements / d) return false;
    if (d != 0) extent *= d;
    n *= d;
  }
  if (n > kMaxTensorElements) return false;
  *count = n;
  return true;
}

}  // namespace ember
