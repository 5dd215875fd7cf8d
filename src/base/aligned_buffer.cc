#include "base/aligned_buffer.h"

#include <algorithm>
#include <cstdint>

namespace ember {

bool AlignedBuffer::Reserve(size_t bytes) {
  if (bytes <= capacity && data) return true;
  // Far beyond any real arena; also keeps the rounding below from wrapping.
  if (bytes > (SIZE_MAX >> 2)) return false;
  const size_t size =
      std::max<size_t>(AlignUp(bytes, kBufferAlignment), kBufferAlignment);
  uint8_t* p = static_cast<uint8_t*>(
      ::operator new[](size, std::align_val_t(kBufferAlignment), std::nothrow));
  if (p == nullptr) return false;
  data.reset(p);
  capacity = size;
  return true;
}

}  // namespace ember
