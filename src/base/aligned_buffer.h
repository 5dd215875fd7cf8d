// 64-byte aligned heap storage: the arena, op data and weights copied out of
// a model are read by SIMD kernels that assume cache-line alignment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace ember {

inline constexpr size_t kBufferAlignment = 64;

constexpr size_t AlignUp(size_t n, size_t alignment) {
  return (n + alignment - 1) / alignment * alignment;
}

// Deleter for bytes allocated with aligned new[] (`new
// (std::align_val_t(kBufferAlignment)) uint8_t[n]`): frees with the matching
// aligned delete[].
struct AlignedDelete {
  void operator()(uint8_t* p) const {
    ::operator delete[](p, std::align_val_t(kBufferAlignment));
  }
};

struct AlignedBuffer {
  std::unique_ptr<uint8_t[], AlignedDelete> data;
  size_t capacity = 0;
  // Grows (never shrinks) to hold `bytes`; contents are not preserved.
  // False (buffer unchanged) when the memory cannot be had.
  bool Reserve(size_t bytes);
};

}  // namespace ember
