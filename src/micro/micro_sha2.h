// SHA-512 and SHA-256 (FIPS 180-4) for the micro runtime's signature
// check: streaming, no heap, no libc. SHA-512 is Ed25519's hash; SHA-256
// only names keys (the trailer's key id). They hash public data only, so
// nothing here tries to be constant time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember::micro {

constexpr size_t kSha512Bytes = 64;
constexpr size_t kSha256Bytes = 32;

class MicroSha512 {
 public:
  MicroSha512();
  void Update(const uint8_t* data, size_t size);
  void Final(uint8_t digest[kSha512Bytes]);

 private:
  void Block(const uint8_t* block);
  uint64_t state_[8];
  uint64_t total_bytes_ = 0;
  uint8_t buffer_[128];
  size_t buffered_ = 0;
};

class MicroSha256 {
 public:
  MicroSha256();
  void Update(const uint8_t* data, size_t size);
  void Final(uint8_t digest[kSha256Bytes]);

 private:
  void Block(const uint8_t* block);
  uint32_t state_[8];
  uint64_t total_bytes_ = 0;
  uint8_t buffer_[64];
  size_t buffered_ = 0;
};

}  // namespace ember::micro
