// The update manager through its C ABI (EmberUpdater*) and C++ API, with
// bundles made by update::MakeBundle and fetched from file:// URLs (the
// HTTP faults are in tests/update/test_update_faults.py): install, first
// use, upgrade, rollback, refusals, and that a failed update leaves the
// active model as it was.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "trust/keys.h"
#include "update/bundle.h"
#include "update/update_manager.h"
#include "util/sample_models.h"

namespace ember {
namespace {

namespace fs = std::filesystem;

class UpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        fs::temp_directory_path() /
        ("ember_update_test_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ErrorReporter errors;
    ASSERT_TRUE(trust::GenerateSigningKeyPair(errors, &key_).ok());
    ASSERT_TRUE(trust::GenerateSigningKeyPair(errors, &other_).ok());
    const std::vector<uint8_t> model = testing::AddChain().Build();
    std::ofstream(dir_ / "model.tflite", std::ios::binary)
        .write(reinterpret_cast<const char*>(model.data()),
               static_cast<std::streamsize>(model.size()));
    std::ofstream(dir_ / "pub.pub") << trust::FormatPublicKey(key_.Public());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Bundle(const std::string& version,
                     const trust::SecretKey* key = nullptr) {
    update::BundleOptions o;
    o.model_path = (dir_ / "model.tflite").string();
    o.model_id = "chain";
    o.version = version;
    o.output_dir = (dir_ / ("bundle-" + version)).string();
    ErrorReporter errors;
    update::Manifest m;
    EXPECT_TRUE(update::MakeBundle(o, key ? *key : key_, errors, &m).ok())
        << errors.message();
    return "file://" + o.output_dir + "/manifest.json";
  }

  EmberUpdater* Open() {
    EmberTrustPolicy* policy = nullptr;
    char error[256] = "";
    EXPECT_EQ(EmberTrustPolicyCreate(&policy, error, sizeof(error)),
              EMBER_STATUS_OK);
    EXPECT_EQ(EmberTrustPolicyAddPublicKeyFile(
                  policy, (dir_ / "pub.pub").string().c_str()),
              EMBER_STATUS_OK);
    EmberUpdater* updater = nullptr;
    EXPECT_EQ(EmberUpdaterCreate((dir_ / "state").string().c_str(), policy,
                                 "device-1", &updater, error, sizeof(error)),
              EMBER_STATUS_OK)
        << error;
    EmberTrustPolicyDestroy(policy);
    return updater;
  }

  fs::path dir_;
  trust::SecretKey key_, other_;
};

TEST_F(UpdateTest, InstallUpgradeRollbackThroughTheCAbi) {
  const std::string v1 = Bundle("1.0.0");
  const std::string v2 = Bundle("2.0.0");
  EmberUpdater* u = Open();
  ASSERT_NE(u, nullptr);
  EXPECT_STREQ(EmberUpdaterGetActiveModelPath(u), "");
  int installed = 0;
  ASSERT_EQ(EmberUpdaterApply(u, v1.c_str(), &installed), EMBER_STATUS_OK)
      << EmberUpdaterGetLastError(u);
  EXPECT_EQ(installed, 1);
  const std::string first = EmberUpdaterGetActiveModelPath(u);
  EXPECT_TRUE(fs::exists(first)) << first;
  EXPECT_EQ(EmberUpdaterBeginFirstUse(u), EMBER_STATUS_OK);
  EXPECT_EQ(EmberUpdaterConfirmFirstUse(u), EMBER_STATUS_OK);
  ASSERT_EQ(EmberUpdaterApply(u, v1.c_str(), &installed), EMBER_STATUS_OK);
  EXPECT_EQ(installed, 0);  // up to date
  ASSERT_EQ(EmberUpdaterApply(u, v2.c_str(), &installed), EMBER_STATUS_OK)
      << EmberUpdaterGetLastError(u);
  EXPECT_EQ(installed, 1);
  EXPECT_NE(EmberUpdaterGetActiveModelPath(u), first);

  // The active model loads under the publisher's key.
  EmberTrustPolicy* policy = nullptr;
  ASSERT_EQ(EmberTrustPolicyCreate(&policy, nullptr, 0), EMBER_STATUS_OK);
  ASSERT_EQ(EmberTrustPolicyAddPublicKeyFile(
                policy, (dir_ / "pub.pub").string().c_str()),
            EMBER_STATUS_OK);
  EmberModel* model = nullptr;
  char error[256] = "";
  EXPECT_EQ(
      EmberModelCreateFromFileWithPolicy(EmberUpdaterGetActiveModelPath(u),
                                         policy, &model, error, sizeof(error)),
      EMBER_STATUS_OK)
      << error;
  EmberModelDestroy(model);
  EmberTrustPolicyDestroy(policy);

  ASSERT_EQ(EmberUpdaterRollback(u), EMBER_STATUS_OK)
      << EmberUpdaterGetLastError(u);
  EXPECT_EQ(EmberUpdaterGetActiveModelPath(u), first);
  const std::string status = EmberUpdaterGetStatusJson(u);
  EXPECT_NE(status.find("rolled-back"), std::string::npos) << status;
  EXPECT_NE(status.find("\"2.0.0\""), std::string::npos) << status;
  // Rolled back from: rejected from now on.
  EXPECT_NE(EmberUpdaterApply(u, v2.c_str(), &installed), EMBER_STATUS_OK);
  EXPECT_NE(std::string(EmberUpdaterGetLastError(u)).find("rejected"),
            std::string::npos);
  EmberUpdaterDestroy(u);

  // A new process sees the same state.
  u = Open();
  EXPECT_EQ(EmberUpdaterGetActiveModelPath(u), first);
  EmberUpdaterDestroy(u);
}

TEST_F(UpdateTest, RefusalsLeaveTheActiveModel) {
  const std::string v1 = Bundle("1.0.0");
  const std::string v2 = Bundle("2.0.0");
  const std::string stranger = Bundle("3.0.0", &other_);
  EmberUpdater* u = Open();
  ASSERT_EQ(EmberUpdaterApply(u, v2.c_str(), nullptr), EMBER_STATUS_OK)
      << EmberUpdaterGetLastError(u);
  const std::string active = EmberUpdaterGetActiveModelPath(u);

  EXPECT_NE(EmberUpdaterApply(u, v1.c_str(), nullptr), EMBER_STATUS_OK);
  EXPECT_NE(std::string(EmberUpdaterGetLastError(u)).find("downgrade refused"),
            std::string::npos)
      << EmberUpdaterGetLastError(u);
  EXPECT_NE(EmberUpdaterApply(u, stranger.c_str(), nullptr), EMBER_STATUS_OK);
  EXPECT_NE(std::string(EmberUpdaterGetLastError(u)).find("not among"),
            std::string::npos)
      << EmberUpdaterGetLastError(u);
  EXPECT_NE(EmberUpdaterApply(u, "file:///nonexistent/manifest.json", nullptr),
            EMBER_STATUS_OK);
  EXPECT_EQ(EmberUpdaterApply(u, nullptr, nullptr),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberUpdaterGetActiveModelPath(u), active);
  EXPECT_NE(EmberUpdaterRollback(u), EMBER_STATUS_OK);  // no previous
  EmberUpdaterDestroy(u);

  // Without a trusted key nothing is installed.
  EmberUpdater* open = nullptr;
  char error[256] = "";
  ASSERT_EQ(EmberUpdaterCreate((dir_ / "state2").string().c_str(), nullptr, "d",
                               &open, error, sizeof(error)),
            EMBER_STATUS_OK)
      << error;
  EXPECT_NE(EmberUpdaterApply(open, v1.c_str(), nullptr), EMBER_STATUS_OK);
  EXPECT_NE(std::string(EmberUpdaterGetLastError(open)).find("trusted"),
            std::string::npos);
  EmberUpdaterDestroy(open);
  EXPECT_EQ(EmberUpdaterCreate(nullptr, nullptr, nullptr, &open, nullptr, 0),
            EMBER_STATUS_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace ember
