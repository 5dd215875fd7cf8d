// Encryption at rest: a model sealed with XChaCha20-Poly1305 under the
// device key the application supplies. The container is a 64-byte header
// (authenticated as associated data) followed by the ciphertext and its
// 16-byte tag; layout in docs/trust.md. Plaintext only ever lives in memory
// (SecureBytes wipes it when freed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include "base/status.h"
#include "trust/keys.h"

namespace ember::trust {

constexpr size_t kEncryptedHeaderBytes = 64;
constexpr size_t kEncryptionTagBytes = 16;

// A 64-byte aligned byte buffer (weights are read in place) that is zeroed
// before it is freed, so decrypted models do not linger in freed memory.
class SecureBytes {
 public:
  SecureBytes() = default;
  SecureBytes(SecureBytes&& other) noexcept;
  SecureBytes& operator=(SecureBytes&& other) noexcept;
  ~SecureBytes();
  // Returns false when the allocation fails.
  bool Allocate(size_t size);
  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void Release();
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Whether `data` starts with the encrypted container's magic.
bool IsEncryptedModel(const uint8_t* data, size_t size);

// Seals `plain` (any bytes: a model, usually already signed) for `key`.
Status EncryptModel(const uint8_t* plain, size_t plain_size,
                    const DeviceKey& key, ErrorReporter& errors,
                    std::vector<uint8_t>* container);

// Opens a container into *plain. Refuses, naming why: wrong device key,
// truncated or extended file, unsupported version, failed authentication
// (any modified byte). *plain is untouched on failure.
Status DecryptModel(const uint8_t* data, size_t size, const DeviceKey& key,
                    ErrorReporter& errors, SecureBytes* plain);

}  // namespace ember::trust
