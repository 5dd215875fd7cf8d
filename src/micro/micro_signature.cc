#include "micro/micro_signature.h"

#include <cstring>

#include "micro/micro_ed25519.h"
#include "micro/micro_sha2.h"

namespace ember::micro {
namespace {

// The trailer (docs/trust.md, src/trust/signature.cc): little-endian
// version, algorithm, payload size, key id, then the signature and magic.
constexpr uint8_t kMagic[8] = {'E', 'M', 'B', 'E', 'R', 'S', 'I', 'G'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kAlgorithmEd25519ph = 1;
constexpr size_t kSignedHeaderBytes = 24;  // version .. key id
constexpr size_t kKeyIdOffset = 16;
constexpr size_t kSignatureOffset = 24;
constexpr size_t kMagicOffset = 88;
static_assert(kMagicOffset + sizeof(kMagic) == kMicroSignatureTrailerBytes);
static_assert(kSignatureOffset + kEd25519SignatureBytes == kMagicOffset);
// The signed message starts with this tag and its NUL.
constexpr char kDomain[] = "ember model signature v1";
constexpr char kKeyIdDomain[] = "ember-ed25519-key-id";

uint32_t ReadU32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 |
         uint32_t{p[3]} << 24;
}

MicroStatus Refuse(MicroError* error, MicroStatus status, const char* message) {
  if (error != nullptr) {
    *error = MicroError{};
    error->status = status;
    error->message = message;
  }
  return status;
}

}  // namespace

void MicroKeyId(const MicroPublicKey& key, uint8_t id[kMicroKeyIdBytes]) {
  MicroSha256 hash;
  hash.Update(reinterpret_cast<const uint8_t*>(kKeyIdDomain),
              sizeof(kKeyIdDomain));
  hash.Update(key.bytes, sizeof(key.bytes));
  uint8_t digest[kSha256Bytes];
  hash.Final(digest);
  memcpy(id, digest, kMicroKeyIdBytes);
}

MicroStatus MicroVerifySignedModel(const uint8_t* data, size_t size,
                                   const MicroPublicKey* trusted,
                                   size_t trusted_count, size_t* model_size,
                                   MicroError* error) {
  constexpr MicroStatus kUntrusted = MicroStatus::kUntrustedModel;
  if (trusted == nullptr || trusted_count == 0) {
    return Refuse(error, MicroStatus::kInvalidArgument,
                  EMBER_MICRO_MSG("no trusted public key to verify against"));
  }
  if (data == nullptr || size < kMicroSignatureTrailerBytes ||
      memcmp(data + size - kMicroSignatureTrailerBytes + kMagicOffset, kMagic,
             sizeof(kMagic)) != 0) {
    return Refuse(
        error, kUntrusted,
        EMBER_MICRO_MSG("not signed (no Ember signature trailer at the end of "
                        "the model; a signed model that was truncated or had "
                        "bytes appended reads the same)"));
  }
  const size_t payload = size - kMicroSignatureTrailerBytes;
  const uint8_t* trailer = data + payload;
  if (ReadU32(trailer) != kVersion ||
      ReadU32(trailer + 4) != kAlgorithmEd25519ph) {
    return Refuse(error, kUntrusted,
                  EMBER_MICRO_MSG("signature format version or algorithm not "
                                  "supported (expected version 1, "
                                  "Ed25519ph)"));
  }
  const uint64_t recorded =
      uint64_t{ReadU32(trailer + 8)} | uint64_t{ReadU32(trailer + 12)} << 32;
  if (recorded != uint64_t{payload}) {
    return Refuse(error, kUntrusted,
                  EMBER_MICRO_MSG("the signature covers a different size "
                                  "than the bytes before it (bytes were "
                                  "inserted or removed)"));
  }
  const MicroPublicKey* key = nullptr;
  for (size_t i = 0; i < trusted_count && key == nullptr; ++i) {
    uint8_t id[kMicroKeyIdBytes];
    MicroKeyId(trusted[i], id);
    if (memcmp(id, trailer + kKeyIdOffset, kMicroKeyIdBytes) == 0)
      key = &trusted[i];
  }
  if (key == nullptr) {
    return Refuse(error, kUntrusted,
                  EMBER_MICRO_MSG("signed by a key that is not among the "
                                  "trusted keys"));
  }
  // Ed25519ph: PH(M) = SHA-512(domain tag || model || trailer header), one
  // pass over the model in place.
  MicroSha512 hash;
  hash.Update(reinterpret_cast<const uint8_t*>(kDomain), sizeof(kDomain));
  hash.Update(data, payload);
  hash.Update(trailer, kSignedHeaderBytes);
  uint8_t prehash[kSha512Bytes];
  hash.Final(prehash);
  switch (
      MicroEd25519phVerify(prehash, trailer + kSignatureOffset, key->bytes)) {
    case Ed25519Result::kValid:
      *model_size = payload;
      return MicroStatus::kOk;
    case Ed25519Result::kNonCanonicalS:
      return Refuse(error, kUntrusted,
                    EMBER_MICRO_MSG("the signature is not canonical (S >= L): "
                                    "the signature was modified"));
    case Ed25519Result::kBadPublicKey:
      return Refuse(error, kUntrusted,
                    EMBER_MICRO_MSG("the trusted public key is not a valid "
                                    "Ed25519 key (does not decode, or has "
                                    "small order)"));
    case Ed25519Result::kBadSignature:
      break;
  }
  return Refuse(error, kUntrusted,
                EMBER_MICRO_MSG("the signature does not match the contents "
                                "(the model or its signature was modified)"));
}

}  // namespace ember::micro
