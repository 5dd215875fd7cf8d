// The trust layer in both build modes. With libsodium (the default) this
// only checks that TrustSupported() says so; built without it
// (-DEMBER_TRUST=OFF, e.g. the aarch64 cross build) every cryptographic
// operation must refuse with "built without trust support", while a plain
// model still loads under an empty policy and a policy that requires a
// signature refuses it rather than letting it through unchecked.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "model/model.h"
#include "trust/encryption.h"
#include "trust/keys.h"
#include "trust/signature.h"
#include "trust/trust_policy.h"
#include "util/sample_models.h"

namespace ember {
namespace {

constexpr char kNoSupport[] = "built without trust support";

TEST(TrustSupport, ReportsWhatTheBuildHas) {
  ErrorReporter errors;
  EXPECT_EQ(trust::RequireCrypto(errors).ok(), trust::TrustSupported());
}

TEST(TrustSupport, PlainModelLoadsUnderAnEmptyPolicy) {
  const std::vector<uint8_t> model = testing::AddChain().Build();
  ErrorReporter errors;
  std::unique_ptr<Model> loaded;
  ASSERT_TRUE(Model::FromBuffer(model.data(), model.size(), /*copy=*/true,
                                trust::TrustPolicy(), errors, &loaded)
                  .ok())
      << errors.message();
}

TEST(TrustSupport, WithoutCryptographyEveryOperationRefuses) {
  if (trust::TrustSupported()) GTEST_SKIP() << "built with libsodium";
  const std::vector<uint8_t> model = testing::AddChain().Build();
  ErrorReporter errors;
  trust::SecretKey secret;
  EXPECT_FALSE(trust::GenerateSigningKeyPair(errors, &secret).ok());
  EXPECT_NE(std::string(errors.message()).find(kNoSupport), std::string::npos)
      << errors.message();
  trust::DeviceKey device;
  EXPECT_FALSE(trust::GenerateDeviceKey(errors, &device).ok());
  trust::PublicKey pub;
  EXPECT_FALSE(trust::ParsePublicKey(
                   std::string("ember-ed25519-public ") + std::string(64, '0'),
                   errors, &pub)
                   .ok());
  std::vector<uint8_t> out;
  EXPECT_FALSE(
      trust::SignModel(model.data(), model.size(), secret, errors, &out).ok());
  EXPECT_FALSE(
      trust::EncryptModel(model.data(), model.size(), device, errors, &out)
          .ok());

  // A policy that requires a signature must refuse, never pass unchecked.
  trust::TrustPolicy policy;
  policy.trusted_keys.push_back(pub);
  std::unique_ptr<Model> loaded;
  errors.Clear();
  EXPECT_FALSE(Model::FromBuffer(model.data(), model.size(), /*copy=*/true,
                                 policy, errors, &loaded)
                   .ok());
  EXPECT_NE(std::string(errors.message()).find(kNoSupport), std::string::npos)
      << errors.message();
}

}  // namespace
}  // namespace ember
