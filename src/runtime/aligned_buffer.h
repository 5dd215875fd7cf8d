// 64-byte aligned heap memory that only grows: the arena, op data, and the
// storage of tensors and nodes that live outside the arena.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace ember {

constexpr size_t AlignUp(size_t n, size_t alignment) {
  return (n + alignment - 1) / alignment * alignment;
}

struct AlignedBuffer {
  struct Free {
    void operator()(uint8_t* p) const {
      ::operator delete[](p, std::align_val_t(64));
    }
  };
  std::unique_ptr<uint8_t[], Free> data;
  size_t capacity = 0;
  // Grows (never shrinks) to hold `bytes`; contents are not preserved.
  // False (buffer unchanged) when the memory cannot be had.
  bool Reserve(size_t bytes);
};

}  // namespace ember
