#include "trust/encryption.h"

#if EMBER_TRUST_CRYPTO
#include <sodium.h>
#endif

#include <cstring>
#include <utility>

namespace ember::trust {
namespace {

constexpr uint8_t kMagic[8] = {'E', 'M', 'B', 'E', 'R', 'E', 'N', 'C'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kAlgorithmXChaCha20Poly1305 = 1;
constexpr size_t kKeyIdOffset = 24;
constexpr size_t kNonceOffset = 32;
constexpr size_t kNonceBytes = 24;
#if EMBER_TRUST_CRYPTO
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kNonceBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kEncryptionTagBytes);
#endif
static_assert(kNonceOffset + kNonceBytes + 8 == kEncryptedHeaderBytes);

uint32_t ReadU32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 |
         uint32_t{p[3]} << 24;
}
uint64_t ReadU64(const uint8_t* p) {
  return uint64_t{ReadU32(p)} | uint64_t{ReadU32(p + 4)} << 32;
}
void WriteU32(uint32_t v, uint8_t* p) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void WriteU64(uint64_t v, uint8_t* p) {
  WriteU32(static_cast<uint32_t>(v), p);
  WriteU32(static_cast<uint32_t>(v >> 32), p + 4);
}

}  // namespace

SecureBytes::SecureBytes(SecureBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecureBytes::~SecureBytes() { Release(); }

bool SecureBytes::Allocate(size_t size) {
  Release();
  data_ =
      new (std::align_val_t(64), std::nothrow) uint8_t[size == 0 ? 1 : size];
  if (data_ == nullptr) return false;
  size_ = size;
  return true;
}

void SecureBytes::Release() {
  if (data_ == nullptr) return;
  SecureZero(data_, size_);
  ::operator delete[](data_, std::align_val_t(64));
  data_ = nullptr;
  size_ = 0;
}

bool IsEncryptedModel(const uint8_t* data, size_t size) {
  return data != nullptr && size >= sizeof(kMagic) &&
         memcmp(data, kMagic, sizeof(kMagic)) == 0;
}

Status EncryptModel(const uint8_t* plain, size_t plain_size,
                    const DeviceKey& key, ErrorReporter& errors,
                    std::vector<uint8_t>* container) {
  EMBER_RETURN_IF_ERROR(RequireCrypto(errors));
  if (plain == nullptr || plain_size == 0)
    return errors.Report(StatusCode::kInvalidArgument, "nothing to encrypt");
  if (IsEncryptedModel(plain, plain_size)) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "the input is already an encrypted model");
  }
  container->assign(kEncryptedHeaderBytes + plain_size + kEncryptionTagBytes,
                    0);
  uint8_t* header = container->data();
  memcpy(header, kMagic, sizeof(kMagic));
  WriteU32(kVersion, header + 8);
  WriteU32(kAlgorithmXChaCha20Poly1305, header + 12);
  WriteU64(plain_size, header + 16);
  const KeyId id = key.Id();
  memcpy(header + kKeyIdOffset, id.data(), id.size());
  // A random 192-bit nonce: safe to draw at random for every encryption.
#if EMBER_TRUST_CRYPTO
  randombytes_buf(header + kNonceOffset, kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      header + kEncryptedHeaderBytes, &written, plain, plain_size, header,
      kEncryptedHeaderBytes, nullptr, header + kNonceOffset, key.bytes.data());
#endif
  return Status::Ok();
}

Status DecryptModel(const uint8_t* data, size_t size, const DeviceKey& key,
                    ErrorReporter& errors, SecureBytes* plain) {
  EMBER_RETURN_IF_ERROR(RequireCrypto(errors));
  if (!IsEncryptedModel(data, size)) {
    return errors.Report(StatusCode::kInvalidModel,
                         "not an Ember encrypted model (no EMBERENC magic)");
  }
  if (size < kEncryptedHeaderBytes) {
    return errors.Report(StatusCode::kInvalidModel,
                         "encrypted model: truncated header (%zu of %zu "
                         "bytes)",
                         size, kEncryptedHeaderBytes);
  }
  const uint32_t version = ReadU32(data + 8);
  const uint32_t algorithm = ReadU32(data + 12);
  if (version != kVersion || algorithm != kAlgorithmXChaCha20Poly1305) {
    return errors.Report(StatusCode::kInvalidModel,
                         "encrypted model: container version %u, algorithm "
                         "%u is not supported (expected %u, %u)",
                         version, algorithm, kVersion,
                         kAlgorithmXChaCha20Poly1305);
  }
  const uint64_t plain_size = ReadU64(data + 16);
  const size_t body = size - kEncryptedHeaderBytes;
  if (body < kEncryptionTagBytes || plain_size != body - kEncryptionTagBytes) {
    return errors.Report(
        StatusCode::kInvalidModel,
        "encrypted model: the header announces %llu bytes of "
        "model but the file holds %zu (truncated or extended "
        "file)",
        static_cast<unsigned long long>(plain_size),
        body >= kEncryptionTagBytes ? body - kEncryptionTagBytes : 0);
  }
  KeyId recorded;
  memcpy(recorded.data(), data + kKeyIdOffset, recorded.size());
  if (recorded != key.Id()) {
    return errors.Report(StatusCode::kInvalidModel,
                         "encrypted model: sealed for device key %s, but the "
                         "given device key is %s (wrong device key)",
                         KeyIdHex(recorded).c_str(),
                         KeyIdHex(key.Id()).c_str());
  }
  SecureBytes out;
  if (!out.Allocate(static_cast<size_t>(plain_size))) {
    return errors.Report(StatusCode::kOutOfMemory,
                         "encrypted model: cannot allocate %llu bytes",
                         static_cast<unsigned long long>(plain_size));
  }
  unsigned long long written = 0;
  int failed = 1;
#if EMBER_TRUST_CRYPTO
  failed = crypto_aead_xchacha20poly1305_ietf_decrypt(
      out.data(), &written, nullptr, data + kEncryptedHeaderBytes, body, data,
      kEncryptedHeaderBytes, data + kNonceOffset, key.bytes.data());
#endif
  if (failed != 0 || written != plain_size) {
    return errors.Report(StatusCode::kInvalidModel,
                         "encrypted model: authentication failed (the "
                         "ciphertext or its header was modified or "
                         "corrupted)");
  }
  *plain = std::move(out);
  return Status::Ok();
}

}  // namespace ember::trust
