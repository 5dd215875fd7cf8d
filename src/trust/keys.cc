#include "trust/keys.h"

#include <sodium.h>

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
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const uint8_t*>(domain),
                            strlen(domain) + 1);
  crypto_hash_sha256_update(&state, key, size);
  uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  KeyId id;
  memcpy(id.data(), digest, id.size());
  return id;
}

std::string Hex(const uint8_t* data, size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), data, size);
  hex.pop_back();
  return hex;
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
  size_t decoded = 0;
  const char* end = nullptr;
  if (hex.size() != size * 2 ||
      sodium_hex2bin(out, size, hex.data(), hex.size(), nullptr, &decoded,
                     &end) != 0 ||
      decoded != size || end != hex.data() + hex.size()) {
    sodium_memzero(out, size);
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
  sodium_memzero(contents.data(), contents.size());
  if (!status.ok()) errors.Prefix("%s '%s': ", what, path);
  return status;
}

}  // namespace

std::string KeyIdHex(const KeyId& id) { return Hex(id.data(), id.size()); }

KeyId PublicKey::Id() const {
  return HashId("ember-ed25519-key-id", bytes.data(), bytes.size());
}

SecretKey::~SecretKey() { sodium_memzero(bytes.data(), bytes.size()); }

PublicKey SecretKey::Public() const {
  PublicKey key;
  crypto_sign_ed25519_sk_to_pk(key.bytes.data(), bytes.data());
  return key;
}

DeviceKey::~DeviceKey() { sodium_memzero(bytes.data(), bytes.size()); }

KeyId DeviceKey::Id() const {
  return HashId("ember-device-key-id", bytes.data(), bytes.size());
}

bool InitCrypto() { return sodium_init() >= 0; }

Status GenerateSigningKeyPair(ErrorReporter& errors, SecretKey* secret) {
  if (!InitCrypto())
    return errors.Report(StatusCode::kInternal, "libsodium failed to start");
  uint8_t public_key[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_keypair(public_key, secret->bytes.data());
  return Status::Ok();
}

Status GenerateDeviceKey(ErrorReporter& errors, DeviceKey* key) {
  if (!InitCrypto())
    return errors.Report(StatusCode::kInternal, "libsodium failed to start");
  crypto_aead_xchacha20poly1305_ietf_keygen(key->bytes.data());
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
  if (text.compare(0, strlen(kPublicTag), kPublicTag) == 0) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "this is a public key; signing needs the secret key");
  }
  EMBER_RETURN_IF_ERROR(Parse(text, kSecretTag, "secret key", errors,
                              key->bytes.data(), key->bytes.size()));
  // The second half is the public key: a file edited by hand would sign
  // with a mismatched key id, so check it here.
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
  return Status::Ok();
}

Status ParseDeviceKey(const std::string& contents, ErrorReporter& errors,
                      DeviceKey* key) {
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
