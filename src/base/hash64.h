// A fast 64-bit checksum of a byte range (about memory speed), for telling
// files and buffers apart and catching accidental corruption. Not a
// cryptographic hash: anyone who can write the bytes can forge it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember {

uint64_t Hash64(const void* data, size_t size, uint64_t seed = 0);

}  // namespace ember
