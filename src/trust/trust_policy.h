// What a model must prove before any of it is parsed: a signature by one of
// the trusted keys (when any are set) and, for encrypted files, the device
// key that opens them. OpenModelBytes applies the policy to raw bytes and
// yields the plain .tflite bytes that the loader may then verify.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/status.h"
#include "trust/encryption.h"
#include "trust/keys.h"

namespace ember::trust {

struct TrustPolicy {
  // Empty: signatures are not required (a signature trailer, if present,
  // is stripped unchecked). Otherwise a model must be signed by one of
  // these keys.
  std::vector<PublicKey> trusted_keys;
  // Opens encrypted models; an encrypted model without it is refused.
  std::optional<DeviceKey> device_key;

  bool requires_signature() const { return !trusted_keys.empty(); }
};

// The model bytes left after decryption and signature checks: either a
// prefix of the caller's bytes, or a decrypted copy held in `decrypted`.
struct OpenedModel {
  SecureBytes decrypted;  // empty unless the input was encrypted
  const uint8_t* data = nullptr;
  size_t size = 0;
};

// Sign-then-encrypt order: decrypts first (an encrypted file is the
// encryption of a signed model), then checks the signature of the
// plaintext, then strips the trailer. Nothing here looks inside the model.
Status OpenModelBytes(const uint8_t* data, size_t size,
                      const TrustPolicy& policy, ErrorReporter& errors,
                      OpenedModel* out);

}  // namespace ember::trust
