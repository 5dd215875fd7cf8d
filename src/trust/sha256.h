// SHA-256 of byte streams and files (libsodium), for the update manager's
// bundle manifests. Refuses in builds without trust support.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"

namespace ember::trust {

constexpr size_t kSha256Bytes = 32;
using Sha256Digest = std::array<uint8_t, kSha256Bytes>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  // False when the build has no cryptography (nothing is hashed then).
  bool ok() const { return state_ != nullptr; }
  void Update(const uint8_t* data, size_t size);
  Sha256Digest Final();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Lower-case hex of a digest (64 characters).
std::string DigestHex(const Sha256Digest& digest);

// Hashes a whole file in chunks; *size gets its length. Errors name it.
Status Sha256File(const char* path, ErrorReporter& errors, Sha256Digest* digest,
                  uint64_t* size);

}  // namespace ember::trust
