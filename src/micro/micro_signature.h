// Signed models on the microcontroller: the verify-only side of
// src/trust's signature trailer (docs/trust.md), with the micro runtime's
// own SHA-512 / SHA-256 and Ed25519ph (no libsodium on bare metal). It
// reads the model's bytes only, never parses them, and never reads outside
// [data, data + size) whatever the bytes say.
#pragma once

#include <cstddef>
#include <cstdint>

#include "micro/micro_error.h"

namespace ember::micro {

constexpr size_t kMicroSignatureTrailerBytes = 96;
constexpr size_t kMicroKeyIdBytes = 8;

// An Ed25519 public key (the 32 bytes of an `ember keygen` .pub file).
struct MicroPublicKey {
  uint8_t bytes[32];
};

// The key id the trailer names its key by: the first 8 bytes of
// SHA-256("ember-ed25519-key-id\0" || key), as src/trust computes it.
void MicroKeyId(const MicroPublicKey& key, uint8_t id[kMicroKeyIdBytes]);

// Checks that `data` ends in a signature trailer by one of `trusted`
// (`trusted_count` keys, at least one) over everything before it. On
// success *model_size is the signed model's size (the bytes to interpret).
// Otherwise the status is kUntrustedModel (kInvalidArgument without keys)
// and error->message names why: not signed, size mismatch, unsupported
// version or algorithm, key not trusted, signature not canonical, or
// signature does not match the contents.
MicroStatus MicroVerifySignedModel(const uint8_t* data, size_t size,
                                   const MicroPublicKey* trusted,
                                   size_t trusted_count, size_t* model_size,
                                   MicroError* error);

}  // namespace ember::micro
