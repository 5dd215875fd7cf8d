#include "trust/signature.h"

#if EMBER_TRUST_CRYPTO
#include <sodium.h>
#endif

#include <cstring>

namespace ember::trust {
namespace {

constexpr uint8_t kMagic[8] = {'E', 'M', 'B', 'E', 'R', 'S', 'I', 'G'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kAlgorithmEd25519ph = 1;
// Offsets inside the trailer.
constexpr size_t kSignedHeaderBytes = 24;  // version .. key id
constexpr size_t kSignatureOffset = 24;
constexpr size_t kMagicOffset = 88;
static_assert(kMagicOffset + sizeof(kMagic) == kSignatureTrailerBytes);
constexpr size_t kSignatureBytes = 64;
static_assert(kSignatureOffset + kSignatureBytes == kMagicOffset);
#if EMBER_TRUST_CRYPTO
static_assert(crypto_sign_BYTES == kSignatureBytes);
#endif
// Separates these signatures from any other use of the same key.
constexpr char kDomain[] = "ember model signature v1";

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

const uint8_t* FindTrailer(const uint8_t* data, size_t size) {
  if (data == nullptr || size < kSignatureTrailerBytes) return nullptr;
  const uint8_t* trailer = data + size - kSignatureTrailerBytes;
  if (memcmp(trailer + kMagicOffset, kMagic, sizeof(kMagic)) != 0)
    return nullptr;
  return trailer;
}

SignatureTrailer ParseTrailer(const uint8_t* trailer) {
  SignatureTrailer t;
  t.version = ReadU32(trailer);
  t.algorithm = ReadU32(trailer + 4);
  t.payload_size = ReadU64(trailer + 8);
  memcpy(t.key_id.data(), trailer + 16, kKeyIdBytes);
  return t;
}

#if EMBER_TRUST_CRYPTO
// The signed message: domain tag, payload, trailer header (Ed25519ph, so a
// large model is hashed in one pass without a copy).
void HashMessage(crypto_sign_state* state, const uint8_t* payload,
                 size_t payload_size, const uint8_t* header) {
  crypto_sign_init(state);
  crypto_sign_update(state, reinterpret_cast<const uint8_t*>(kDomain),
                     sizeof(kDomain));
  crypto_sign_update(state, payload, payload_size);
  crypto_sign_update(state, header, kSignedHeaderBytes);
}
#endif

}  // namespace

bool HasSignatureTrailer(const uint8_t* data, size_t size,
                         size_t* payload_size) {
  const uint8_t* trailer = FindTrailer(data, size);
  if (trailer == nullptr) return false;
  const uint64_t recorded = ParseTrailer(trailer).payload_size;
  if (recorded != size - kSignatureTrailerBytes) return false;
  *payload_size = static_cast<size_t>(recorded);
  return true;
}

Status SignModel(const uint8_t* payload, size_t payload_size,
                 const SecretKey& key, ErrorReporter& errors,
                 std::vector<uint8_t>* trailer) {
  EMBER_RETURN_IF_ERROR(RequireCrypto(errors));
  if (payload == nullptr || payload_size == 0)
    return errors.Report(StatusCode::kInvalidArgument, "nothing to sign");
  trailer->assign(kSignatureTrailerBytes, 0);
  uint8_t* t = trailer->data();
  WriteU32(kVersion, t);
  WriteU32(kAlgorithmEd25519ph, t + 4);
  WriteU64(payload_size, t + 8);
  const KeyId id = key.Public().Id();
  memcpy(t + 16, id.data(), id.size());
  memcpy(t + kMagicOffset, kMagic, sizeof(kMagic));
  int failed = 1;
#if EMBER_TRUST_CRYPTO
  crypto_sign_state state;
  HashMessage(&state, payload, payload_size, t);
  failed = crypto_sign_final_create(&state, t + kSignatureOffset, nullptr,
                                    key.bytes.data());
#endif
  if (failed != 0)
    return errors.Report(StatusCode::kInternal, "signing failed");
  return Status::Ok();
}

Status VerifySignedModel(const uint8_t* data, size_t size,
                         const PublicKey* trusted, size_t trusted_count,
                         ErrorReporter& errors, size_t* payload_size,
                         SignatureTrailer* parsed) {
  EMBER_RETURN_IF_ERROR(RequireCrypto(errors));
  if (trusted == nullptr || trusted_count == 0) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "no trusted public key to verify against");
  }
  const uint8_t* trailer = FindTrailer(data, size);
  if (trailer == nullptr) {
    return errors.Report(StatusCode::kInvalidModel,
                         "untrusted model: not signed (no Ember signature "
                         "trailer at the end of the file; a signed file that "
                         "was truncated or had bytes appended reads the same)");
  }
  const SignatureTrailer t = ParseTrailer(trailer);
  if (parsed != nullptr) *parsed = t;
  if (t.version != kVersion || t.algorithm != kAlgorithmEd25519ph) {
    return errors.Report(StatusCode::kInvalidModel,
                         "untrusted model: signature format version %u, "
                         "algorithm %u is not supported (expected %u, %u)",
                         t.version, t.algorithm, kVersion, kAlgorithmEd25519ph);
  }
  const size_t actual = size - kSignatureTrailerBytes;
  if (t.payload_size != actual) {
    return errors.Report(StatusCode::kInvalidModel,
                         "untrusted model: the signature covers %llu bytes "
                         "but %zu precede it (bytes were inserted or removed)",
                         static_cast<unsigned long long>(t.payload_size),
                         actual);
  }
  const PublicKey* key = nullptr;
  for (size_t i = 0; i < trusted_count && key == nullptr; ++i)
    if (trusted[i].Id() == t.key_id) key = &trusted[i];
  if (key == nullptr) {
    return errors.Report(StatusCode::kInvalidModel,
                         "untrusted model: signed by key %s, which is not "
                         "among the %zu trusted key(s)",
                         KeyIdHex(t.key_id).c_str(), trusted_count);
  }
  int failed = 1;
#if EMBER_TRUST_CRYPTO
  crypto_sign_state state;
  HashMessage(&state, data, actual, trailer);
  failed = crypto_sign_final_verify(&state, trailer + kSignatureOffset,
                                    key->bytes.data());
#endif
  if (failed != 0) {
    return errors.Report(StatusCode::kInvalidModel,
                         "untrusted model: the signature by key %s does not "
                         "match the contents (the model or its signature was "
                         "modified)",
                         KeyIdHex(t.key_id).c_str());
  }
  *payload_size = actual;
  return Status::Ok();
}

}  // namespace ember::trust
