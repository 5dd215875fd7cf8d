// Signature trailers, encrypted containers and key files on plain bytes:
// every tamper case is refused with the message that names it.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "trust/encryption.h"
#include "trust/keys.h"
#include "trust/signature.h"
#include "trust/trust_policy.h"

namespace ember::trust {
namespace {

::testing::AssertionResult Contains(const std::string& text,
                                    const std::string& part) {
  if (text.find(part) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "'" << text << "' does not contain '" << part << "'";
}

std::vector<uint8_t> Payload(size_t size = 1000) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(i * 7 + 3);
  return bytes;
}

SecretKey NewSigningKey() {
  ErrorReporter errors;
  SecretKey key;
  EXPECT_TRUE(GenerateSigningKeyPair(errors, &key).ok());
  return key;
}

DeviceKey NewDeviceKey() {
  ErrorReporter errors;
  DeviceKey key;
  EXPECT_TRUE(GenerateDeviceKey(errors, &key).ok());
  return key;
}

std::vector<uint8_t> Signed(const std::vector<uint8_t>& payload,
                            const SecretKey& key) {
  ErrorReporter errors;
  std::vector<uint8_t> trailer;
  EXPECT_TRUE(
      SignModel(payload.data(), payload.size(), key, errors, &trailer).ok())
      << errors.message();
  std::vector<uint8_t> out = payload;
  out.insert(out.end(), trailer.begin(), trailer.end());
  return out;
}

// The verification message, or "OK".
std::string Check(const std::vector<uint8_t>& file,
                  const std::vector<PublicKey>& trusted) {
  ErrorReporter errors;
  size_t payload = 0;
  const Status s = VerifySignedModel(file.data(), file.size(), trusted.data(),
                                     trusted.size(), errors, &payload);
  if (s.ok()) return "OK";
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  return errors.message();
}

TEST(TrustSignature, ValidSignatureVerifiesAndNamesThePayload) {
  const SecretKey key = NewSigningKey();
  const auto payload = Payload();
  const auto file = Signed(payload, key);
  ASSERT_EQ(file.size(), payload.size() + kSignatureTrailerBytes);
  ErrorReporter errors;
  size_t size = 0;
  const PublicKey pub = key.Public();
  ASSERT_TRUE(
      VerifySignedModel(file.data(), file.size(), &pub, 1, errors, &size).ok())
      << errors.message();
  EXPECT_EQ(size, payload.size());
  EXPECT_TRUE(HasSignatureTrailer(file.data(), file.size(), &size));
  EXPECT_FALSE(HasSignatureTrailer(payload.data(), payload.size(), &size));
}

TEST(TrustSignature, EveryFlippedByteIsRefused) {
  const SecretKey key = NewSigningKey();
  const auto file = Signed(Payload(200), key);
  const std::vector<PublicKey> trusted = {key.Public()};
  for (size_t i = 0; i < file.size(); ++i) {
    auto bad = file;
    bad[i] ^= 0x01;
    EXPECT_NE(Check(bad, trusted), "OK") << "byte " << i;
  }
}

TEST(TrustSignature, TamperCasesNameTheirCause) {
  const SecretKey key = NewSigningKey();
  const auto payload = Payload();
  const auto file = Signed(payload, key);
  const std::vector<PublicKey> trusted = {key.Public()};

  auto model_byte = file;
  model_byte[10] ^= 0x80;
  EXPECT_TRUE(Contains(Check(model_byte, trusted), "does not match"));

  auto signature_byte = file;
  signature_byte[payload.size() + 30] ^= 0x01;
  EXPECT_TRUE(Contains(Check(signature_byte, trusted), "does not match"));

  auto truncated = file;
  truncated.pop_back();
  EXPECT_TRUE(Contains(Check(truncated, trusted), "not signed"));

  auto appended = file;
  appended.push_back(0);
  EXPECT_TRUE(Contains(Check(appended, trusted), "not signed"));

  auto removed = file;
  removed.erase(removed.begin() + 5);
  EXPECT_TRUE(Contains(Check(removed, trusted), "inserted or removed"));

  EXPECT_TRUE(Contains(Check(payload, trusted), "not signed"));

  auto version = file;
  version[payload.size()] = 2;
  EXPECT_TRUE(Contains(Check(version, trusted), "not supported"));

  const std::vector<PublicKey> other = {NewSigningKey().Public()};
  EXPECT_TRUE(Contains(Check(file, other), "not among the 1 trusted"));
  EXPECT_TRUE(Contains(Check(file, other), KeyIdHex(key.Public().Id())));
}

TEST(TrustSignature, AnyOfSeveralTrustedKeysIsAccepted) {
  const SecretKey key = NewSigningKey();
  const auto file = Signed(Payload(), key);
  EXPECT_EQ(Check(file, {NewSigningKey().Public(), key.Public()}), "OK");
}

TEST(TrustSignature, NoTrustedKeysIsAnArgumentError) {
  const auto file = Signed(Payload(), NewSigningKey());
  ErrorReporter errors;
  size_t size = 0;
  EXPECT_EQ(
      VerifySignedModel(file.data(), file.size(), nullptr, 0, errors, &size)
          .code(),
      StatusCode::kInvalidArgument);
}

std::string Open(const std::vector<uint8_t>& file, const DeviceKey& key,
                 SecureBytes* plain) {
  ErrorReporter errors;
  const Status s = DecryptModel(file.data(), file.size(), key, errors, plain);
  return s.ok() ? "OK" : errors.message();
}

TEST(TrustEncryption, RoundTripAndTamperCases) {
  const DeviceKey key = NewDeviceKey();
  const auto payload = Payload(5000);
  ErrorReporter errors;
  std::vector<uint8_t> sealed;
  ASSERT_TRUE(
      EncryptModel(payload.data(), payload.size(), key, errors, &sealed).ok());
  EXPECT_TRUE(IsEncryptedModel(sealed.data(), sealed.size()));
  // The ciphertext does not contain the plaintext.
  EXPECT_EQ(std::search(sealed.begin(), sealed.end(), payload.begin(),
                        payload.begin() + 64),
            sealed.end());
  SecureBytes plain;
  ASSERT_EQ(Open(sealed, key, &plain), "OK");
  EXPECT_EQ(std::vector<uint8_t>(plain.data(), plain.data() + plain.size()),
            payload);

  EXPECT_TRUE(
      Contains(Open(sealed, NewDeviceKey(), &plain), "wrong device key"));
  for (size_t i :
       {size_t{kEncryptedHeaderBytes}, sealed.size() / 2, sealed.size() - 1,
        size_t{40} /* nonce */, size_t{60} /* reserved */}) {
    auto bad = sealed;
    bad[i] ^= 0x04;
    EXPECT_TRUE(Contains(Open(bad, key, &plain), "authentication failed"))
        << "byte " << i;
  }
  auto truncated = sealed;
  truncated.resize(sealed.size() - 100);
  EXPECT_TRUE(Contains(Open(truncated, key, &plain), "truncated or extended"));
  auto appended = sealed;
  appended.push_back(1);
  EXPECT_TRUE(Contains(Open(appended, key, &plain), "truncated or extended"));
  auto header_only = sealed;
  header_only.resize(20);
  EXPECT_TRUE(Contains(Open(header_only, key, &plain), "truncated header"));
  auto version = sealed;
  version[8] = 9;
  EXPECT_TRUE(Contains(Open(version, key, &plain), "not supported"));
  // The failed attempts left the earlier plaintext alone.
  EXPECT_EQ(plain.size(), payload.size());
}

TEST(TrustEncryption, TwoEncryptionsDifferAndNeitherIsTheInput) {
  const DeviceKey key = NewDeviceKey();
  const auto payload = Payload();
  ErrorReporter errors;
  std::vector<uint8_t> a, b;
  ASSERT_TRUE(
      EncryptModel(payload.data(), payload.size(), key, errors, &a).ok());
  ASSERT_TRUE(
      EncryptModel(payload.data(), payload.size(), key, errors, &b).ok());
  EXPECT_NE(a, b);  // fresh random nonce each time
  EXPECT_EQ(EncryptModel(a.data(), a.size(), key, errors, &b).code(),
            StatusCode::kInvalidArgument);  // already encrypted
}

TEST(TrustPolicy, SignThenEncryptOpensUnderBothChecks) {
  const SecretKey signer = NewSigningKey();
  const DeviceKey device = NewDeviceKey();
  const auto payload = Payload();
  const auto signed_file = Signed(payload, signer);
  ErrorReporter errors;
  std::vector<uint8_t> sealed;
  ASSERT_TRUE(EncryptModel(signed_file.data(), signed_file.size(), device,
                           errors, &sealed)
                  .ok());
  TrustPolicy policy;
  policy.trusted_keys.push_back(signer.Public());
  policy.device_key = device;
  OpenedModel opened;
  ASSERT_TRUE(
      OpenModelBytes(sealed.data(), sealed.size(), policy, errors, &opened)
          .ok())
      << errors.message();
  EXPECT_EQ(std::vector<uint8_t>(opened.data, opened.data + opened.size),
            payload);

  TrustPolicy no_device;
  no_device.trusted_keys = policy.trusted_keys;
  EXPECT_FALSE(
      OpenModelBytes(sealed.data(), sealed.size(), no_device, errors, &opened)
          .ok());
  EXPECT_TRUE(Contains(errors.message(), "no device key"));

  // Encrypted but unsigned: decrypts, then the signature check refuses it.
  ASSERT_TRUE(
      EncryptModel(payload.data(), payload.size(), device, errors, &sealed)
          .ok());
  EXPECT_FALSE(
      OpenModelBytes(sealed.data(), sealed.size(), policy, errors, &opened)
          .ok());
  EXPECT_TRUE(Contains(errors.message(), "not signed"));
}

TEST(TrustPolicy, WithoutKeysASignatureTrailerIsStripped) {
  const auto payload = Payload();
  const auto file = Signed(payload, NewSigningKey());
  ErrorReporter errors;
  OpenedModel opened;
  ASSERT_TRUE(
      OpenModelBytes(file.data(), file.size(), TrustPolicy(), errors, &opened)
          .ok());
  EXPECT_EQ(opened.size, payload.size());
  EXPECT_EQ(opened.data, file.data());
}

TEST(TrustKeys, FilesRoundTripAndMalformedOnesAreRefused) {
  const SecretKey key = NewSigningKey();
  ErrorReporter errors;
  PublicKey pub;
  ASSERT_TRUE(ParsePublicKey(FormatPublicKey(key.Public()), errors, &pub).ok());
  EXPECT_EQ(pub.bytes, key.Public().bytes);
  SecretKey back;
  ASSERT_TRUE(ParseSecretKey(FormatSecretKey(key), errors, &back).ok());
  EXPECT_EQ(back.bytes, key.bytes);

  EXPECT_FALSE(ParsePublicKey(FormatSecretKey(key), errors, &pub).ok());
  EXPECT_TRUE(Contains(errors.message(), "secret signing key"));
  EXPECT_FALSE(ParseSecretKey(FormatPublicKey(pub), errors, &back).ok());
  EXPECT_TRUE(Contains(errors.message(), "public key"));
  std::string shortened = FormatPublicKey(pub);
  shortened.erase(30, 2);
  EXPECT_FALSE(ParsePublicKey(shortened, errors, &pub).ok());
  EXPECT_TRUE(Contains(errors.message(), "malformed public key"));
  EXPECT_FALSE(ParsePublicKey("hello", errors, &pub).ok());
  std::string not_hex = FormatPublicKey(key.Public());
  not_hex[25] = 'z';
  EXPECT_FALSE(ParsePublicKey(not_hex, errors, &pub).ok());
  // A secret key whose public half was edited no longer matches its seed.
  std::string edited = FormatSecretKey(key);
  edited[edited.size() - 3] = edited[edited.size() - 3] == '0' ? '1' : '0';
  EXPECT_FALSE(ParseSecretKey(edited, errors, &back).ok());
  EXPECT_TRUE(Contains(errors.message(), "does not match its seed"));

  const DeviceKey device = NewDeviceKey();
  DeviceKey parsed;
  ASSERT_TRUE(ParseDeviceKey(FormatDeviceKey(device), errors, &parsed).ok());
  EXPECT_EQ(parsed.bytes, device.bytes);
  const std::string raw(device.bytes.begin(), device.bytes.end());
  ASSERT_TRUE(ParseDeviceKey(raw, errors, &parsed).ok());
  EXPECT_EQ(parsed.bytes, device.bytes);
  EXPECT_FALSE(ParseDeviceKey(raw.substr(1), errors, &parsed).ok());
  EXPECT_TRUE(Contains(errors.message(), "not a device key"));
}

}  // namespace
}  // namespace ember::trust
