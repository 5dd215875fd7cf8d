// libFuzzer target: the micro runtime's signature verifier
// (MicroVerifySignedModel: its own SHA-512 and Ed25519ph) against src/trust's
// verifier over libsodium, its oracle, with fixed keys so that runs
// reproduce. The first byte picks the mode:
//   even  the rest is a file as it arrives (the seeds are models signed by
//         the trusted key, so the fuzzer mutates valid signed models): both
//         verifiers must agree, and on acceptance name the same model size,
//         inside the input;
//   odd   the rest is [4-byte position][1-byte mask][model]: the target signs
//         the model with the trusted key (what `ember sign` writes), which
//         must verify; then it xors the signed file's byte at position
//         (modulo its size) with the mask, or with bit 1 of the mode byte set
//         cuts the file there, and both verifiers must refuse a changed byte
//         and agree on a cut.
// Any disagreement, crash or sanitizer report is a bug.
//
// Build and run: tests/fuzz/run_parser_fuzz.sh SECONDS microsig (seeds:
// ember_microsig_seeds).
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fuzz/microsig_keys.h"
#include "micro/micro_signature.h"
#include "trust/keys.h"
#include "trust/signature.h"

namespace {

using namespace ember;

struct Verdict {
  bool ok = false;
  size_t model_size = 0;
};

// Verifies with both implementations; aborts when they disagree.
Verdict VerifyBoth(const uint8_t* data, size_t size) {
  const fuzz::MicrosigKeys& keys = fuzz::Keys();
  micro::MicroError error;
  size_t micro_size = 0;
  const bool micro_ok = micro::MicroVerifySignedModel(
                            data, size, keys.micro_trusted, 2, &micro_size,
                            &error) == micro::MicroStatus::kOk;
  // A refusal must say why (messages are compiled in on the host).
  if (!micro_ok && (error.message == nullptr || error.message[0] == '\0'))
    abort();
  ErrorReporter errors;
  size_t sodium_size = 0;
  const bool sodium_ok = trust::VerifySignedModel(data, size, keys.trusted, 2,
                                                  errors, &sodium_size)
                             .ok();
  if (micro_ok != sodium_ok) abort();
  if (micro_ok && (micro_size != sodium_size ||
                   micro_size + micro::kMicroSignatureTrailerBytes != size))
    abort();
  return {micro_ok, micro_size};
}

uint32_t ReadU32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 |
         uint32_t{p[3]} << 24;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  ++data;
  --size;
  if ((mode & 1) == 0) {
    VerifyBoth(data, size);
    return 0;
  }
  if (size < 5) return 0;
  const uint32_t position = ReadU32(data);
  const uint8_t mask = data[4];
  const uint8_t* model = data + 5;
  const size_t model_size = size - 5;
  ErrorReporter errors;
  std::vector<uint8_t> trailer;
  if (!trust::SignModel(model, model_size, fuzz::Keys().secret, errors,
                        &trailer)
           .ok()) {
    if (model_size == 0) return 0;  // refused: there is nothing to sign
    abort();
  }
  std::vector<uint8_t> file(model, model + model_size);
  file.insert(file.end(), trailer.begin(), trailer.end());
  const Verdict signed_verdict = VerifyBoth(file.data(), file.size());
  if (!signed_verdict.ok || signed_verdict.model_size != model_size) abort();
  const size_t at = position % file.size();
  if (mode & 2) {  // cut: agreeing is all (the model may hold a signed file)
    VerifyBoth(file.data(), at);
  } else if (mask != 0) {
    file[at] ^= mask;
    if (VerifyBoth(file.data(), file.size()).ok) abort();
  }
  return 0;
}
