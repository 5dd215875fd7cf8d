#include "trust/trust_policy.h"

#include <utility>

#include "trust/signature.h"

namespace ember::trust {

Status OpenModelBytes(const uint8_t* data, size_t size,
                      const TrustPolicy& policy, ErrorReporter& errors,
                      OpenedModel* out) {
  out->decrypted = SecureBytes();
  out->data = data;
  out->size = size;
  if (IsEncryptedModel(data, size)) {
    if (!policy.device_key.has_value()) {
      return errors.Report(StatusCode::kInvalidModel,
                           "encrypted model: no device key was given to "
                           "decrypt it");
    }
    SecureBytes plain;
    EMBER_RETURN_IF_ERROR(
        DecryptModel(data, size, *policy.device_key, errors, &plain));
    out->decrypted = std::move(plain);
    out->data = out->decrypted.data();
    out->size = out->decrypted.size();
  }
  size_t payload = 0;
  if (policy.requires_signature()) {
    EMBER_RETURN_IF_ERROR(
        VerifySignedModel(out->data, out->size, policy.trusted_keys.data(),
                          policy.trusted_keys.size(), errors, &payload));
    out->size = payload;
  } else if (HasSignatureTrailer(out->data, out->size, &payload)) {
    out->size = payload;
  }
  return Status::Ok();
}

}  // namespace ember::trust
