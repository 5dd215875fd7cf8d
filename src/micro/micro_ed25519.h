// Ed25519ph signature verification (RFC 8032, 5.1.7 with the SHA-512
// prehash and an empty context) for the micro runtime: no heap, no libc
// beyond memcpy/memset, written from the RFC. Only verification: it
// handles public data (key, message, signature) alone, so it is variable
// time on purpose (simpler and smaller); never reuse it for signing.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember::micro {

constexpr size_t kEd25519PublicKeyBytes = 32;
constexpr size_t kEd25519SignatureBytes = 64;

enum class Ed25519Result : int32_t {
  kValid = 0,
  kNonCanonicalS,  // S >= L (RFC 8032 5.1.7 step 1)
  kBadPublicKey,   // A does not decode, or has small order
  kBadSignature,   // [S]B != R + [k]A
};

// Checks `signature` (R || S) over the SHA-512 prehash `prehash` (64 bytes,
// PH(M) of RFC 8032 5.1) under `public_key`. Like libsodium, the check is
// R == encode([S]B - [k]A) (the cofactorless equation RFC 8032 allows), it
// refuses public keys of small order, and non-canonical encodings of A
// (y >= p) or R (a recomputed R is always canonical).
Ed25519Result MicroEd25519phVerify(const uint8_t prehash[64],
                                   const uint8_t signature[64],
                                   const uint8_t public_key[32]);

// Field and group self-check for tests: the encoding of [n]B for a 32-byte
// little-endian scalar n (any value; no reduction mod L is needed).
void MicroEd25519BaseMultiple(const uint8_t scalar[32], uint8_t out[32]);

}  // namespace ember::micro
