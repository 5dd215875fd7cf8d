// C ABI of the trust policy (include/ember/ember.h, "Trust policy"): key
// handling for signed and encrypted models, and the model constructors
// that apply it.
#include <cstring>
#include <memory>
#include <string>

#include "capi/capi_internal.h"
#include "trust/keys.h"

namespace ember::capi {
namespace {

// The model constructors' shared body: load under the policy, hand out a
// handle, or copy the message into the caller's buffer.
template <typename Load>
EmberStatus CreateTrustedModel(const EmberTrustPolicy* policy, EmberModel** out,
                               char* error, size_t error_size, Load&& load) {
  if (out == nullptr) {
    WriteError(error, error_size, "out (EmberModel**) is NULL");
    return EMBER_STATUS_INVALID_ARGUMENT;
  }
  *out = nullptr;
  ErrorReporter errors;
  const trust::TrustPolicy empty;
  const trust::TrustPolicy& rules = policy ? policy->policy : empty;
  const EmberStatus status = Guard(&errors, [&]() -> EmberStatus {
    std::unique_ptr<Model> model;
    const Status s = load(rules, errors, &model);
    if (!s.ok()) return ToC(s);
    auto handle = std::make_unique<EmberModel>();
    handle->model = std::shared_ptr<const Model>(std::move(model));
    *out = handle.release();
    return EMBER_STATUS_OK;
  });
  if (status != EMBER_STATUS_OK)
    WriteError(error, error_size, errors.message());
  return status;
}

EmberStatus CheckKeySize(EmberTrustPolicy* policy, const uint8_t* key,
                         size_t size, size_t expected, const char* what) {
  if (key == nullptr || size != expected) {
    return ToC(policy->errors.Report(
        StatusCode::kInvalidArgument, "%s must be %zu bytes (got %zu%s)", what,
        expected, size, key == nullptr ? ", NULL" : ""));
  }
  return EMBER_STATUS_OK;
}

}  // namespace
}  // namespace ember::capi

using namespace ember;        // NOLINT: C entry points below
using namespace ember::capi;  // NOLINT

extern "C" {

EmberStatus EmberTrustPolicyCreate(EmberTrustPolicy** out, char* error,
                                   size_t error_size) {
  if (out == nullptr) {
    WriteError(error, error_size, "out (EmberTrustPolicy**) is NULL");
    return EMBER_STATUS_INVALID_ARGUMENT;
  }
  *out = new (std::nothrow) EmberTrustPolicy();
  if (*out == nullptr) {
    WriteError(error, error_size, "out of memory");
    return EMBER_STATUS_OUT_OF_MEMORY;
  }
  return EMBER_STATUS_OK;
}

void EmberTrustPolicyDestroy(EmberTrustPolicy* policy) { delete policy; }

EmberStatus EmberTrustPolicyAddPublicKeyFile(EmberTrustPolicy* policy,
                                             const char* path) {
  if (policy == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  return Guard(&policy->errors, [&]() -> EmberStatus {
    if (path == nullptr) {
      return ToC(policy->errors.Report(StatusCode::kInvalidArgument,
                                       "public key path is NULL"));
    }
    trust::PublicKey key;
    const Status s = trust::LoadPublicKeyFile(path, policy->errors, &key);
    if (!s.ok()) return ToC(s);
    policy->policy.trusted_keys.push_back(key);
    return EMBER_STATUS_OK;
  });
}

EmberStatus EmberTrustPolicyAddPublicKey(EmberTrustPolicy* policy,
                                         const uint8_t* key, size_t size) {
  if (policy == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  return Guard(&policy->errors, [&]() -> EmberStatus {
    const EmberStatus s =
        CheckKeySize(policy, key, size, trust::kPublicKeyBytes, "public key");
    if (s != EMBER_STATUS_OK) return s;
    trust::PublicKey k;
    memcpy(k.bytes.data(), key, k.bytes.size());
    policy->policy.trusted_keys.push_back(k);
    return EMBER_STATUS_OK;
  });
}

EmberStatus EmberTrustPolicySetDeviceKeyFile(EmberTrustPolicy* policy,
                                             const char* path) {
  if (policy == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  return Guard(&policy->errors, [&]() -> EmberStatus {
    if (path == nullptr) {
      return ToC(policy->errors.Report(StatusCode::kInvalidArgument,
                                       "device key path is NULL"));
    }
    trust::DeviceKey key;
    const Status s = trust::LoadDeviceKeyFile(path, policy->errors, &key);
    if (!s.ok()) return ToC(s);
    policy->policy.device_key.emplace();
    policy->policy.device_key->bytes = key.bytes;
    return EMBER_STATUS_OK;
  });
}

EmberStatus EmberTrustPolicySetDeviceKey(EmberTrustPolicy* policy,
                                         const uint8_t* key, size_t size) {
  if (policy == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  const EmberStatus s =
      CheckKeySize(policy, key, size, trust::kDeviceKeyBytes, "device key");
  if (s != EMBER_STATUS_OK) return s;
  policy->policy.device_key.emplace();
  memcpy(policy->policy.device_key->bytes.data(), key, size);
  return EMBER_STATUS_OK;
}

const char* EmberTrustPolicyGetLastError(const EmberTrustPolicy* policy) {
  if (policy == nullptr) return kNullHandleMessage;
  return policy->errors.message();
}

EmberStatus EmberModelCreateFromFileWithPolicy(const char* path,
                                               const EmberTrustPolicy* policy,
                                               EmberModel** out, char* error,
                                               size_t error_size) {
  return CreateTrustedModel(
      policy, out, error, error_size,
      [&](const trust::TrustPolicy& rules, ErrorReporter& errors,
          std::unique_ptr<Model>* m) {
        if (path == nullptr) {
          return errors.Report(StatusCode::kInvalidArgument,
                               "model path is NULL");
        }
        return Model::Load(path, rules, errors, m);
      });
}

EmberStatus EmberModelCreateFromBufferWithPolicy(const void* data, size_t size,
                                                 const EmberTrustPolicy* policy,
                                                 EmberModel** out, char* error,
                                                 size_t error_size) {
  return CreateTrustedModel(
      policy, out, error, error_size,
      [&](const trust::TrustPolicy& rules, ErrorReporter& errors,
          std::unique_ptr<Model>* m) {
        return Model::FromBuffer(data, size, /*copy=*/true, rules, errors, m);
      });
}

}  // extern "C"
