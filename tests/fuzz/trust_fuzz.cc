// libFuzzer target: arbitrary bytes -> the trust layer's parsers: the
// signature trailer and encrypted container (OpenModelBytes under a policy
// with a fixed trusted key and device key), and the key-file parsers. Any
// crash or sanitizer report is a bug; refusals are the expected outcome.
// Needs only src/trust and src/base, so it builds in seconds.
//
// Build: cmake --preset fuzz && cmake --build build/fuzz --target
// ember_trust_fuzz
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "trust/keys.h"
#include "trust/signature.h"
#include "trust/trust_policy.h"

namespace {

using namespace ember;

// Fixed keys (from fixed seeds) so that runs reproduce.
const trust::TrustPolicy& Policy() {
  static const trust::TrustPolicy* policy = [] {
    trust::InitCrypto();
    auto* p = new trust::TrustPolicy();
    uint8_t seed[crypto_sign_SEEDBYTES];
    memset(seed, 7, sizeof(seed));
    trust::PublicKey pub;
    uint8_t secret[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pub.bytes.data(), secret, seed);
    p->trusted_keys.push_back(pub);
    p->device_key.emplace();
    memset(p->device_key->bytes.data(), 9, trust::kDeviceKeyBytes);
    return p;
  }();
  return *policy;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ErrorReporter errors;
  trust::OpenedModel opened;
  if (trust::OpenModelBytes(data, size, Policy(), errors, &opened).ok()) {
    // Only reachable with a genuine signature: the result lies in bounds.
    if (opened.size > 0) {
      volatile uint8_t last = opened.data[opened.size - 1];
      (void)last;
    }
  }
  trust::OpenModelBytes(data, size, trust::TrustPolicy(), errors, &opened)
      .IgnoreError();
  const std::string text(reinterpret_cast<const char*>(data), size);
  trust::PublicKey pub;
  trust::SecretKey secret;
  trust::DeviceKey device;
  trust::ParsePublicKey(text, errors, &pub).IgnoreError();
  trust::ParseSecretKey(text, errors, &secret).IgnoreError();
  trust::ParseDeviceKey(text, errors, &device).IgnoreError();
  return 0;
}
