// The fixed keys of the microsig fuzz target and its seed writer: the
// signing key (from seed bytes 7, as in trust_fuzz.cc) and a second trusted
// key listed before it, so that the verifiers search past a key that did not
// sign.
#pragma once

#include <sodium.h>

#include <cstdlib>
#include <cstring>

#include "micro/micro_signature.h"
#include "trust/keys.h"

namespace ember::fuzz {

struct MicrosigKeys {
  trust::SecretKey secret;      // signs the seeds and the odd mode's models
  trust::PublicKey trusted[2];  // {other key, signing key}
  micro::MicroPublicKey micro_trusted[2];
};

inline const MicrosigKeys& Keys() {
  static const MicrosigKeys* keys = [] {
    if (!trust::InitCrypto()) abort();
    auto* k = new MicrosigKeys();
    uint8_t seed[crypto_sign_SEEDBYTES];
    for (int i = 0; i < 2; ++i) {
      memset(seed, i == 0 ? 3 : 7, sizeof(seed));
      uint8_t secret[crypto_sign_SECRETKEYBYTES];
      crypto_sign_seed_keypair(k->trusted[i].bytes.data(), secret, seed);
      if (i == 1) memcpy(k->secret.bytes.data(), secret, sizeof(secret));
      memcpy(k->micro_trusted[i].bytes, k->trusted[i].bytes.data(),
             sizeof(k->micro_trusted[i].bytes));
    }
    return k;
  }();
  return *keys;
}

}  // namespace ember::fuzz
