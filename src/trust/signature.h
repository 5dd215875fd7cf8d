// Signed models: the model's bytes followed by a fixed 96-byte trailer that
// holds an Ed25519ph signature over the whole model (metadata included) and
// the trailer's own header fields. Other runtimes still read the file: a
// .tflite flatbuffer ignores bytes after its end. Layout in docs/trust.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/status.h"
#include "trust/keys.h"

namespace ember::trust {

constexpr size_t kSignatureTrailerBytes = 96;

// Parsed trailer fields (the signature bytes are checked, not kept).
struct SignatureTrailer {
  uint32_t version = 0;
  uint32_t algorithm = 0;
  uint64_t payload_size = 0;
  KeyId key_id{};
};

// True when the last bytes of `data` are a signature trailer whose payload
// size matches the bytes before it; *payload_size is then the model's size.
bool HasSignatureTrailer(const uint8_t* data, size_t size,
                         size_t* payload_size);

// The trailer that signs `payload` with `key` (append it to the payload).
Status SignModel(const uint8_t* payload, size_t payload_size,
                 const SecretKey& key, ErrorReporter& errors,
                 std::vector<uint8_t>* trailer);

// Checks that `data` ends in a valid signature by one of `trusted` (count
// `trusted_count`, at least one) over everything before the trailer.
// Reads nothing but the bytes; every failure names its cause (unsigned,
// size mismatch, untrusted key, bad signature). On success *payload_size
// is the signed model's size.
Status VerifySignedModel(const uint8_t* data, size_t size,
                         const PublicKey* trusted, size_t trusted_count,
                         ErrorReporter& errors, size_t* payload_size,
                         SignatureTrailer* trailer = nullptr);

}  // namespace ember::trust
