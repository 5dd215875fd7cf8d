#include "trust/keys.h"

#if EMBER_TRUST_CRYPTO
#include <sodium.h>
#endif
#include <string.h>  // explicit_bzero

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ember::trust {
namespace {

constexpr char kPublicTag[] = "ember-ed25519-public";
constexpr char kSecretTag[] = "ember-ed25519-secret";
constexpr char kDeviceTag[] = "ember-device-key";
constexpr size_t kMaxKeyFileBytes = 4096;

KeyId HashId(const char* domain, const uint8_t* key, size_t size) {
  KeyId id{};
#if EMBER_TRUST_CRYPTO
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const uint8_t*>(domain),
                            strlen(domain) + 1);
  crypto_hash_sha256_update(&state, key, size);
  uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  memcpy(id.data(), digest, id.size());
#endif  // without cryptography no key can be loaded: ids stay zero
  return id;
}

std::string Hex(const uint8_t* data, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    hex[2 * i] = kDigits[data[i] >> 4];
    hex[2 * i + 1] = kDigits[data[i] & 15];
  }
  return hex;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Exactly size * 2 hex digits into out[size].
bool DecodeHex(const std::string& hex, uint8_t* out, size_t size) {
  if (hex.size() != size * 2) return false;
  for (size_t i = 0; i < size; ++i) {
    const int hi = HexDigit(hex[2 * i]);
    const int lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

std::string Format(const char* tag, const uint8_t* data, size_t size) {
  return std::string(tag) + " " + Hex(data, size) + "\n";
}

// "<tag> <hex>" with optional trailing whitespace, exactly `size` bytes.
Status Parse(const std::string& text, const char* tag, const char* what,
             ErrorReporter& errors, uint8_t* out, size_t size) {
  const std::string prefix = std::string(tag) + " ";
  if (text.compare(0, prefix.size(), prefix) != 0) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "not an Ember %s file (expected it to start with "
                         "'%s')",
                         what, tag);
  }
  std::string hex = text.substr(prefix.size());
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' ||
                          hex.back() == ' ' || hex.back() == '\t'))
    hex.pop_back();
  const bool decoded = DecodeHex(hex, out, size);
  SecureZero(hex.data(), hex.size());
  if (!decoded) {
    SecureZero(out, size);
    return errors.Report(StatusCode::kInvalidArgument,
                         "malformed %s: expected %zu hex digits after '%s'",
                         what, size * 2, tag);
  }
  return Status::Ok();
}

template <typename Key, typename ParseFn>
Status LoadKeyFile(const char* path, const char* what, ErrorReporter& errors,
                   Key* key, ParseFn parse) {
  std::string contents;
  EMBER_RETURN_IF_ERROR(
      ReadSmallFile(path, kMaxKeyFileBytes, errors, &contents));
  const Status status = parse(contents, errors, key);
  SecureZero(contents.data(), contents.size());
  if (!status.ok()) errors.Prefix("%s '%s': ", what, path);
  return status;
}

}  // namespace

std::string KeyIdHex(const KeyId& id) { return Hex(id.data(), id.size()); }

KeyId PublicKey::Id() const {
  return HashId("ember-ed25519-key-id", bytes.data(), bytes.size());
}

SecretKey::~SecretKey() { SecureZero(bytes.data(), bytes.size()); }

PublicKey SecretKey::Public() const {
  PublicKey key;
#if EMBER_TRUST_CRYPTO
  crypto_sign_ed25519_sk_to_pk(key.bytes.data(), bytes.data());
#endif
  return key;
}

DeviceKey::~DeviceKey() { SecureZero(bytes.data(), bytes.size()); }

KeyId DeviceKey::Id() const {
  return HashId("ember-device-key-id", bytes.data(), bytes.size());
}

#if EMBER_TRUST_CRYPTO
bool TrustSupported() { return true; }
bool InitCrypto() { return sodium_init() >= 0; }
#else
bool TrustSupported() { return false; }
bool InitCrypto() { return false; }
#endif

Status RequireCrypto(ErrorReporter& errors) {
  if (!TrustSupported()) {
    return errors.Report(StatusCode::kUnsupported,
                         "built without trust support (configured with "
                         "-DEMBER_TRUST=OFF or without libsodium for this "
                         "target): signatures and encrypted models are "
                         "unavailable");
  }
  if (!InitCrypto())
    return errors.Report(StatusCode::kInternal, "libsodium failed to start");
  return Status::Ok();
}

void SecureZero(void* data, size_t size) {
  if (data != nullptr && size > 0) explicit_bzero(data, size);
}

Status GenerateSigningKeyPair(ErrorReporter& errors, SecretKey* secret) {
  EMBER_RETURN_IF_ERROR(RequireCrypto(errors));
#if EMBER_TRUST_CRYPTO
  uint8_t public_key[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_keypair(public_key, secret->bytes.data());
#endif
  return Status::Ok();
}

Status GenerateDeviceKey(ErrorReporter& errors, DeviceKey* key) {
  EMBER_RETURN_IF_ERROR(RequireCrypto(errors));
#if EMBER_TRUST_CRYPTO
  crypto_aead_xchacha20poly1305_ietf_keygen(key->bytes.data());
#endif
  return Status::Ok();
}

std::string FormatPublicKey(const PublicKey& key) {
  return Format(kPublicTag, key.bytes.data(), key.bytes.size());
}
std::string FormatSecretKey(const SecretKey& key) {
  return Format(kSecretTag, key.bytes.data(), key.bytes.size());
}
std::string FormatDeviceKey(const DeviceKey& key) {
  return Format(kDeviceTag, key.bytes.data(), key.bytes.size());
}

Status ParsePublicKey(const std::string& text, ErrorReporter& errors,
                      PublicKey* key) {
  EMBER_RETURN_IF_ERROR(RequireCrypto(errors));
  if (text.compare(0, strlen(kSecretTag), kSecretTag) == 0) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "this is a secret signing key, not a public key "
                         "(use the .pub file)");
  }
  return Parse(text, kPublicTag, "public key", errors, key->bytes.data(),
               key->bytes.size());
}

Status ParseSecretKey(const std::string& text, ErrorReporter& errors,
                      SecretKey* key) {
  EMBER_RETURN_IF_ERROR(RequireCrypto(errors));
  if (text.compare(0, strlen(kPublicTag), kPublicTag) == 0) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "this is a public key; signing needs the secret key");
  }
  EMBER_RETURN_IF_ERROR(Parse(text, kSecretTag, "secret key", errors,
                              key->bytes.data(), key->bytes.size()));
  // The second half is the public key: a file edited by hand would sign
  // with a mismatched key id, so check it here.
#if EMBER_TRUST_CRYPTO
  uint8_t derived[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_ed25519_sk_to_pk(derived, key->bytes.data());
  uint8_t from_seed[crypto_sign_PUBLICKEYBYTES];
  uint8_t scratch[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(from_seed, scratch, key->bytes.data());
  sodium_memzero(scratch, sizeof(scratch));
  if (sodium_memcmp(derived, from_seed, sizeof(derived)) != 0) {
    sodium_memzero(key->bytes.data(), key->bytes.size());
    return errors.Report(StatusCode::kInvalidArgument,
                         "corrupted secret key: its public half does not "
                         "match its seed");
  }
#endif
  return Status::Ok();
}

Status ParseDeviceKey(const std::string& contents, ErrorReporter& errors,
                      DeviceKey* key) {
  EMBER_RETURN_IF_ERROR(RequireCrypto(errors));
  if (contents.size() == kDeviceKeyBytes &&
      contents.compare(0, strlen(kDeviceTag), kDeviceTag) != 0) {
    memcpy(key->bytes.data(), contents.data(), kDeviceKeyBytes);
    return Status::Ok();
  }
  if (contents.compare(0, strlen(kDeviceTag), kDeviceTag) != 0) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "not a device key: expected 32 raw bytes or a "
                         "'%s' line (got %zu bytes)",
                         kDeviceTag, contents.size());
  }
  return Parse(contents, kDeviceTag, "device key", errors, key->bytes.data(),
               key->bytes.size());
}

Status LoadPublicKeyFile(const char* path, ErrorReporter& errors,
                         PublicKey* key) {
  return LoadKeyFile(path, "public key", errors, key, ParsePublicKey);
}
Status LoadSecretKeyFile(const char* path, ErrorReporter& errors,
                         SecretKey* key) {
  return LoadKeyFile(path, "secret key", errors, key, ParseSecretKey);
}
Status LoadDeviceKeyFile(const char* path, ErrorReporter& errors,
                         DeviceKey* key) {
  return LoadKeyFile(path, "device key", errors, key, ParseDeviceKey);
}

Status ReadSmallFile(const char* path, size_t max_bytes, ErrorReporter& errors,
                     std::string* contents) {
  FILE* file = fopen(path, "rb");
  if (file == nullptr) {
    return errors.Report(
        errno == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
        "cannot open '%s': %s", path, strerror(errno));
  }
  contents->assign(max_bytes + 1, '\0');
  const size_t got = fread(contents->data(), 1, contents->size(), file);
  const bool failed = ferror(file) != 0;
  fclose(file);
  if (failed) {
    return errors.Report(StatusCode::kIoError, "cannot read '%s'", path);
  }
  if (got > max_bytes) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "'%s' is too large for a key file (over %zu bytes)",
                         path, max_bytes);
  }
  contents->resize(got);
  return Status::Ok();
}

}  // namespace ember::trust
