#include "trust/sha256.h"

#if EMBER_TRUST_CRYPTO
#include <sodium.h>
#endif

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "trust/keys.h"

namespace ember::trust {

#if EMBER_TRUST_CRYPTO
struct Sha256::State {
  crypto_hash_sha256_state sodium;
};
#else
struct Sha256::State {};
#endif

Sha256::Sha256() {
#if EMBER_TRUST_CRYPTO
  if (!InitCrypto()) return;
  state_ = std::make_unique<State>();
  crypto_hash_sha256_init(&state_->sodium);
#endif
}

Sha256::~Sha256() = default;

void Sha256::Update(const uint8_t* data, size_t size) {
#if EMBER_TRUST_CRYPTO
  if (state_ && size > 0)
    crypto_hash_sha256_update(&state_->sodium, data, size);
#endif
}

Sha256Digest Sha256::Final() {
  Sha256Digest digest{};
#if EMBER_TRUST_CRYPTO
  if (state_) crypto_hash_sha256_final(&state_->sodium, digest.data());
#endif
  return digest;
}

std::string DigestHex(const Sha256Digest& digest) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * digest.size());
  for (uint8_t b : digest) {
    hex.push_back(kDigits[b >> 4]);
    hex.push_back(kDigits[b & 15]);
  }
  return hex;
}

Status Sha256File(const char* path, ErrorReporter& errors, Sha256Digest* digest,
                  uint64_t* size) {
  EMBER_RETURN_IF_ERROR(RequireCrypto(errors));
  FILE* file = fopen(path, "rb");
  if (file == nullptr) {
    return errors.Report(
        errno == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
        "cannot open '%s': %s", path, strerror(errno));
  }
  Sha256 hash;
  std::vector<uint8_t> chunk(1 << 16);
  uint64_t total = 0;
  size_t n = 0;
  while ((n = fread(chunk.data(), 1, chunk.size(), file)) > 0) {
    hash.Update(chunk.data(), n);
    total += n;
  }
  const bool failed = ferror(file) != 0;
  fclose(file);
  if (failed)
    return errors.Report(StatusCode::kIoError, "cannot read '%s'", path);
  *digest = hash.Final();
  *size = total;
  return Status::Ok();
}

}  // namespace ember::trust
