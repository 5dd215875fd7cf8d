// Key material for signed and encrypted models: Ed25519 signing key pairs
// (publisher side) and 32-byte device keys (the application's secret for
// encryption at rest). Only bytes in, bytes out: no model parsing here, so
// the microcontroller runtime can reuse the verify path.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace ember::trust {

constexpr size_t kPublicKeyBytes = 32;
constexpr size_t kSecretKeyBytes = 64;  // libsodium's seed || public key
constexpr size_t kDeviceKeyBytes = 32;
constexpr size_t kKeyIdBytes = 8;

// Names a key in signature trailers, containers and error messages without
// revealing it: the first 8 bytes of a SHA-256 over a domain tag and the key.
using KeyId = std::array<uint8_t, kKeyIdBytes>;
std::string KeyIdHex(const KeyId& id);

struct PublicKey {
  std::array<uint8_t, kPublicKeyBytes> bytes{};
  KeyId Id() const;
};

struct SecretKey {
  std::array<uint8_t, kSecretKeyBytes> bytes{};
  ~SecretKey();  // wipes the key
  PublicKey Public() const;
};

struct DeviceKey {
  std::array<uint8_t, kDeviceKeyBytes> bytes{};
  ~DeviceKey();  // wipes the key
  KeyId Id() const;
};

// Whether this build has the cryptography (libsodium). Builds configured
// with -DEMBER_TRUST=OFF, or cross builds without the target's libsodium,
// do not: every operation below that needs it refuses with "built without
// trust support" (src/trust/CMakeLists.txt).
bool TrustSupported();

// Initialises libsodium (idempotent, thread-safe); false if it cannot or
// when the build has no cryptography.
bool InitCrypto();

// Ok when the cryptography can be used; otherwise reports why not (built
// without trust support, or libsodium failed to start).
Status RequireCrypto(ErrorReporter& errors);

// Overwrites key material or plaintext so that it does not linger in
// freed memory (not optimised away).
void SecureZero(void* data, size_t size);

Status GenerateSigningKeyPair(ErrorReporter& errors, SecretKey* secret);
Status GenerateDeviceKey(ErrorReporter& errors, DeviceKey* key);

// Key files are one line of text: a tag naming the key kind, then the key
// in hex ("ember-ed25519-public <64 hex digits>\n"); see docs/trust.md.
// Device keys are read from that text form or from a raw 32-byte file.
std::string FormatPublicKey(const PublicKey& key);
std::string FormatSecretKey(const SecretKey& key);
std::string FormatDeviceKey(const DeviceKey& key);
Status ParsePublicKey(const std::string& text, ErrorReporter& errors,
                      PublicKey* key);
Status ParseSecretKey(const std::string& text, ErrorReporter& errors,
                      SecretKey* key);
Status ParseDeviceKey(const std::string& contents, ErrorReporter& errors,
                      DeviceKey* key);

// The same, reading a file; errors name the file.
Status LoadPublicKeyFile(const char* path, ErrorReporter& errors,
                         PublicKey* key);
Status LoadSecretKeyFile(const char* path, ErrorReporter& errors,
                         SecretKey* key);
Status LoadDeviceKeyFile(const char* path, ErrorReporter& errors,
                         DeviceKey* key);

// Reads a whole (small) file; key files are capped at 4 KiB.
Status ReadSmallFile(const char* path, size_t max_bytes, ErrorReporter& errors,
                     std::string* contents);

}  // namespace ember::trust
