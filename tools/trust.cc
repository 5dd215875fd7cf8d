// Signing and encryption at rest (src/trust, format in docs/trust.md):
//   ember keygen -o KEY [--symmetric] [--force]
//   ember sign MODEL --key KEY -o OUT
//   ember verify MODEL --pubkey KEY.pub [--pubkey ...] [--device-key K]
//   ember encrypt MODEL --key DEVICE_KEY -o OUT
//   ember decrypt MODEL --key DEVICE_KEY -o OUT
// Outputs are written atomically (temporary file, fsync, rename): an error
// leaves no partial file. Secret keys and decrypted models are mode 0600.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cli_util.h"
#include "command_registry.h"
#include "trust/atomic_file.h"
#include "trust/encryption.h"
#include "trust/keys.h"
#include "trust/signature.h"
#include "trust/trust_policy.h"

namespace ember::cli {
namespace {

constexpr unsigned kSecretMode = 0600;
constexpr unsigned kPublicMode = 0644;

bool ReadWholeFile(const std::string& path, std::vector<uint8_t>* bytes) {
  FILE* file = fopen(path.c_str(), "rb");
  if (file == nullptr) {
    Fail(kExitError, "cannot open '%s': %s", path.c_str(), strerror(errno));
    return false;
  }
  bytes->clear();
  uint8_t chunk[1 << 16];
  size_t n = 0;
  while ((n = fread(chunk, 1, sizeof(chunk), file)) > 0)
    bytes->insert(bytes->end(), chunk, chunk + n);
  const bool failed = ferror(file) != 0;
  fclose(file);
  if (failed) {
    Fail(kExitError, "cannot read '%s'", path.c_str());
    return false;
  }
  if (bytes->empty()) {
    Fail(kExitError, "'%s' is empty", path.c_str());
    return false;
  }
  return true;
}

bool Write(const std::string& path, const uint8_t* data, size_t size,
           unsigned mode) {
  ErrorReporter errors;
  if (!trust::WriteFileAtomically(path.c_str(), data, size, mode, errors)
           .ok()) {
    Fail(kExitError, "%s", errors.message());
    return false;
  }
  return true;
}

bool Write(const std::string& path, const std::string& text, unsigned mode) {
  return Write(path, reinterpret_cast<const uint8_t*>(text.data()), text.size(),
               mode);
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// --- keygen -----------------------------------------------------------------

struct KeygenArgs {
  std::string output;
  bool symmetric = false, force = false;
};

int Keygen(const KeygenArgs& a) {
  const std::string pub = a.output + ".pub";
  if (!a.force && (Exists(a.output) || (!a.symmetric && Exists(pub)))) {
    return Fail(kExitUsage,
                "'%s' already exists: a key is never overwritten without "
                "--force",
                Exists(a.output) ? a.output.c_str() : pub.c_str());
  }
  ErrorReporter errors;
  if (a.symmetric) {
    trust::DeviceKey key;
    if (!trust::GenerateDeviceKey(errors, &key).ok())
      return Fail(kExitError, "%s", errors.message());
    if (!Write(a.output, key.bytes.data(), key.bytes.size(), kSecretMode))
      return kExitError;
    printf("wrote device key %s (32 bytes, mode 0600), key id %s\n",
           a.output.c_str(), trust::KeyIdHex(key.Id()).c_str());
    return kExitOk;
  }
  trust::SecretKey secret;
  if (!trust::GenerateSigningKeyPair(errors, &secret).ok())
    return Fail(kExitError, "%s", errors.message());
  const trust::PublicKey public_key = secret.Public();
  std::string secret_text = trust::FormatSecretKey(secret);
  const bool ok = Write(a.output, secret_text, kSecretMode) &&
                  Write(pub, trust::FormatPublicKey(public_key), kPublicMode);
  std::fill(secret_text.begin(), secret_text.end(), '\0');
  if (!ok) return kExitError;
  printf("wrote secret key %s (mode 0600) and public key %s, key id %s\n",
         a.output.c_str(), pub.c_str(),
         trust::KeyIdHex(public_key.Id()).c_str());
  return kExitOk;
}

// --- sign -------------------------------------------------------------------

struct SignArgs {
  std::string model, key, output;
};

int Sign(const SignArgs& a) {
  ErrorReporter errors;
  trust::SecretKey key;
  if (!trust::LoadSecretKeyFile(a.key.c_str(), errors, &key).ok())
    return Fail(kExitError, "--key: %s", errors.message());
  std::vector<uint8_t> model;
  if (!ReadWholeFile(a.model, &model)) return kExitError;
  size_t payload = 0;
  if (trust::IsEncryptedModel(model.data(), model.size())) {
    return Fail(kExitError,
                "'%s' is encrypted: sign the plain model, then encrypt it "
                "(docs/trust.md)",
                a.model.c_str());
  }
  if (trust::HasSignatureTrailer(model.data(), model.size(), &payload))
    return Fail(kExitError, "'%s' is already signed", a.model.c_str());
  // Only sign what Ember can load: a signature vouches for a model.
  std::unique_ptr<Model> check;
  if (!Model::FromBuffer(model.data(), model.size(), /*copy=*/true, errors,
                         &check)
           .ok()) {
    return Fail(kExitError, "refusing to sign '%s': %s", a.model.c_str(),
                errors.message());
  }
  std::vector<uint8_t> trailer;
  if (!trust::SignModel(model.data(), model.size(), key, errors, &trailer).ok())
    return Fail(kExitError, "%s", errors.message());
  model.insert(model.end(), trailer.begin(), trailer.end());
  if (!Write(a.output, model.data(), model.size(), kPublicMode))
    return kExitError;
  printf("signed %s -> %s with key %s\n", a.model.c_str(), a.output.c_str(),
         trust::KeyIdHex(key.Public().Id()).c_str());
  return kExitOk;
}

// --- verify -----------------------------------------------------------------

struct VerifyArgs {
  std::string model, device_key;
  std::vector<std::string> pubkeys;
};

int Verify(const VerifyArgs& a) {
  ErrorReporter errors;
  trust::TrustPolicy policy;
  for (const std::string& path : a.pubkeys) {
    trust::PublicKey key;
    if (!trust::LoadPublicKeyFile(path.c_str(), errors, &key).ok())
      return Fail(kExitError, "--pubkey: %s", errors.message());
    policy.trusted_keys.push_back(key);
  }
  if (!a.device_key.empty()) {
    policy.device_key.emplace();
    if (!trust::LoadDeviceKeyFile(a.device_key.c_str(), errors,
                                  &*policy.device_key)
             .ok())
      return Fail(kExitError, "--device-key: %s", errors.message());
  }
  std::vector<uint8_t> bytes;
  if (!ReadWholeFile(a.model, &bytes)) return kExitError;
  trust::OpenedModel opened;
  if (!trust::OpenModelBytes(bytes.data(), bytes.size(), policy, errors,
                             &opened)
           .ok()) {
    return Fail(kExitError, "%s: %s", a.model.c_str(), errors.message());
  }
  trust::SignatureTrailer trailer;
  size_t payload = 0;
  const uint8_t* signed_bytes = opened.decrypted.data() != nullptr
                                    ? opened.decrypted.data()
                                    : bytes.data();
  const size_t signed_size = opened.decrypted.data() != nullptr
                                 ? opened.decrypted.size()
                                 : bytes.size();
  if (!trust::VerifySignedModel(
           signed_bytes, signed_size, policy.trusted_keys.data(),
           policy.trusted_keys.size(), errors, &payload, &trailer)
           .ok())
    return Fail(kExitError, "%s: %s", a.model.c_str(), errors.message());
  printf("OK: %s: %zu model bytes signed by key %s\n", a.model.c_str(), payload,
         trust::KeyIdHex(trailer.key_id).c_str());
  return kExitOk;
}

// --- encrypt / decrypt ------------------------------------------------------

struct CipherArgs {
  std::string model, key, output;
};

int Encrypt(const CipherArgs& a) {
  ErrorReporter errors;
  trust::DeviceKey key;
  if (!trust::LoadDeviceKeyFile(a.key.c_str(), errors, &key).ok())
    return Fail(kExitError, "--key: %s", errors.message());
  std::vector<uint8_t> model;
  if (!ReadWholeFile(a.model, &model)) return kExitError;
  std::vector<uint8_t> sealed;
  if (!trust::EncryptModel(model.data(), model.size(), key, errors, &sealed)
           .ok())
    return Fail(kExitError, "%s: %s", a.model.c_str(), errors.message());
  if (!Write(a.output, sealed.data(), sealed.size(), kPublicMode))
    return kExitError;
  printf("encrypted %s -> %s for device key %s\n", a.model.c_str(),
         a.output.c_str(), trust::KeyIdHex(key.Id()).c_str());
  return kExitOk;
}

int Decrypt(const CipherArgs& a) {
  ErrorReporter errors;
  trust::DeviceKey key;
  if (!trust::LoadDeviceKeyFile(a.key.c_str(), errors, &key).ok())
    return Fail(kExitError, "--key: %s", errors.message());
  std::vector<uint8_t> sealed;
  if (!ReadWholeFile(a.model, &sealed)) return kExitError;
  trust::SecureBytes plain;
  if (!trust::DecryptModel(sealed.data(), sealed.size(), key, errors, &plain)
           .ok())
    return Fail(kExitError, "%s: %s", a.model.c_str(), errors.message());
  if (!Write(a.output, plain.data(), plain.size(), kSecretMode))
    return kExitError;
  printf("decrypted %s -> %s (mode 0600)\n", a.model.c_str(), a.output.c_str());
  return kExitOk;
}

}  // namespace

void AddTrustFlags(CLI::App* command, TrustFlags* flags) {
  command
      ->add_option("--trust", flags->trusted_keys,
                   "Require a signature by this public key (repeatable)")
      ->type_name("KEY.pub")
      ->allow_extra_args(false);
  command
      ->add_option("--device-key", flags->device_key,
                   "Device key that decrypts an encrypted model")
      ->type_name("KEY");
}

RegisteredCommand AddKeygenCommand(CLI::App& app) {
  auto args = std::make_shared<KeygenArgs>();
  CLI::App* cmd = app.add_subcommand(
      "keygen",
      "Make an Ed25519 signing key pair (KEY, KEY.pub) or a device key");
  cmd->add_option("-o,--output", args->output, "Key file to write")->required();
  cmd->add_flag("--symmetric", args->symmetric,
                "Write a 32-byte device key for encrypt/decrypt instead");
  cmd->add_flag("--force", args->force, "Overwrite existing key files");
  return {cmd, [args] { return Keygen(*args); }};
}

RegisteredCommand AddSignCommand(CLI::App& app) {
  auto args = std::make_shared<SignArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sign", "Append an Ed25519 signature over the whole model");
  cmd->add_option("MODEL", args->model, ".tflite file")->required();
  cmd->add_option("--key,-k", args->key, "Secret key (from keygen)")
      ->required();
  cmd->add_option("-o,--output", args->output, "Signed model to write")
      ->required();
  return {cmd, [args] { return Sign(*args); }};
}

RegisteredCommand AddVerifyCommand(CLI::App& app) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify", "Check a model's signature (exit 0 only when valid)");
  cmd->add_option("MODEL", args->model, "Signed (or encrypted) model")
      ->required();
  cmd->add_option("--pubkey,-p", args->pubkeys,
                  "Trusted public key (repeatable)")
      ->required()
      ->allow_extra_args(false);
  cmd->add_option("--device-key", args->device_key,
                  "Device key, for an encrypted model");
  return {cmd, [args] { return Verify(*args); }};
}

RegisteredCommand AddEncryptCommand(CLI::App& app) {
  auto args = std::make_shared<CipherArgs>();
  CLI::App* cmd = app.add_subcommand(
      "encrypt", "Seal a (signed) model with XChaCha20-Poly1305");
  cmd->add_option("MODEL", args->model, "Model to encrypt")->required();
  cmd->add_option("--key,-k", args->key, "Device key (keygen --symmetric)")
      ->required();
  cmd->add_option("-o,--output", args->output, "Encrypted model to write")
      ->required();
  return {cmd, [args] { return Encrypt(*args); }};
}

RegisteredCommand AddDecryptCommand(CLI::App& app) {
  auto args = std::make_shared<CipherArgs>();
  CLI::App* cmd =
      app.add_subcommand("decrypt", "Open an encrypted model (written 0600)");
  cmd->add_option("MODEL", args->model, "Encrypted model")->required();
  cmd->add_option("--key,-k", args->key, "Device key")->required();
  cmd->add_option("-o,--output", args->output, "Plain model to write")
      ->required();
  return {cmd, [args] { return Decrypt(*args); }};
}

}  // namespace ember::cli
