// Signed and encrypted models end to end: Model::Load under a trust policy,
// the C ABI (EmberTrustPolicy), and the `ember keygen|sign|verify|encrypt|
// decrypt` commands with --trust/--device-key on run/inspect/bench. Every
// tamper case is refused before the model is parsed, with a message that
// names the reason; the models that pass run and give y = 2x + c.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "model/model.h"
#include "trust/encryption.h"
#include "trust/keys.h"
#include "trust/signature.h"
#include "util/sample_models.h"

namespace ember {
namespace {

namespace fs = std::filesystem;

::testing::AssertionResult Contains(const std::string& text,
                                    const std::string& part) {
  if (text.find(part) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "'" << text << "' does not contain '" << part << "'";
}

std::vector<uint8_t> ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void WriteBytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

class TrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        fs::temp_directory_path() /
        ("ember_trust_test_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    model_ = testing::AddChain().Build();
    ErrorReporter errors;
    ASSERT_TRUE(trust::GenerateSigningKeyPair(errors, &signer_).ok());
    ASSERT_TRUE(trust::GenerateSigningKeyPair(errors, &stranger_).ok());
    ASSERT_TRUE(trust::GenerateDeviceKey(errors, &device_).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const {
    return (dir_ / name).string();
  }

  std::vector<uint8_t> Sign(const std::vector<uint8_t>& bytes,
                            const trust::SecretKey& key) {
    ErrorReporter errors;
    std::vector<uint8_t> trailer;
    EXPECT_TRUE(
        trust::SignModel(bytes.data(), bytes.size(), key, errors, &trailer)
            .ok());
    std::vector<uint8_t> out = bytes;
    out.insert(out.end(), trailer.begin(), trailer.end());
    return out;
  }

  std::vector<uint8_t> Encrypt(const std::vector<uint8_t>& bytes) {
    ErrorReporter errors;
    std::vector<uint8_t> out;
    EXPECT_TRUE(
        trust::EncryptModel(bytes.data(), bytes.size(), device_, errors, &out)
            .ok());
    return out;
  }

  trust::TrustPolicy Policy(bool with_device_key = false) const {
    trust::TrustPolicy policy;
    policy.trusted_keys.push_back(signer_.Public());
    if (with_device_key) policy.device_key = device_;
    return policy;
  }

  // Loads `bytes` from a file under `policy`: "OK" or the error message.
  std::string LoadFile(const std::vector<uint8_t>& bytes,
                       const trust::TrustPolicy& policy,
                       std::unique_ptr<Model>* model = nullptr) {
    WriteBytes(dir_ / "model.bin", bytes);
    ErrorReporter errors;
    std::unique_ptr<Model> loaded;
    const Status s = Model::Load(Path("model.bin").c_str(), policy, errors,
                                 model ? model : &loaded);
    return s.ok() ? "OK" : errors.message();
  }

  fs::path dir_;
  std::vector<uint8_t> model_;
  trust::SecretKey signer_, stranger_;
  trust::DeviceKey device_;
};

// y = (x + c) + x through the C ABI: the loaded model really runs.
void ExpectRuns(EmberModel* model) {
  EmberInterpreter* interp = nullptr;
  char error[256] = "";
  ASSERT_EQ(EmberInterpreterCreate(model, nullptr, nullptr, &interp, error,
                                   sizeof(error)),
            EMBER_STATUS_OK)
      << error;
  ASSERT_EQ(EmberInterpreterAllocateTensors(interp), EMBER_STATUS_OK);
  const float x[6] = {1, 2, 3, 4, 5, 6}, c[3] = {1, 2, 3};
  ASSERT_EQ(EmberTensorCopyFromBuffer(EmberInterpreterGetInputTensor(interp, 0),
                                      x, sizeof(x)),
            EMBER_STATUS_OK);
  ASSERT_EQ(EmberInterpreterInvoke(interp), EMBER_STATUS_OK);
  float y[6] = {};
  ASSERT_EQ(EmberTensorCopyToBuffer(EmberInterpreterGetOutputTensor(interp, 0),
                                    y, sizeof(y)),
            EMBER_STATUS_OK);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(y[i], 2 * x[i] + c[i % 3]) << i;
  EmberInterpreterDestroy(interp);
}

TEST_F(TrustTest, SignedAndSignedEncryptedModelsLoad) {
  std::unique_ptr<Model> model;
  ASSERT_EQ(LoadFile(Sign(model_, signer_), Policy(), &model), "OK");
  EXPECT_EQ(model->size(), model_.size());  // the trailer is not the model
  ASSERT_EQ(LoadFile(Encrypt(Sign(model_, signer_)), Policy(true), &model),
            "OK");
  EXPECT_EQ(
      std::vector<uint8_t>(model->bytes(), model->bytes() + model->size()),
      model_);
  // Without a policy a signed model still loads (the trailer is ignored).
  EXPECT_EQ(LoadFile(Sign(model_, signer_), trust::TrustPolicy()), "OK");
  // Buffers go through the same checks.
  ErrorReporter errors;
  const auto sealed = Encrypt(Sign(model_, signer_));
  EXPECT_TRUE(Model::FromBuffer(sealed.data(), sealed.size(), false,
                                Policy(true), errors, &model)
                  .ok())
      << errors.message();
}

// Every case is refused by the trust layer, not by the .tflite verifier:
// the messages name the signature or the container, never the flatbuffer.
TEST_F(TrustTest, TamperedModelsAreRefusedBeforeParsing) {
  const auto good = Sign(model_, signer_);
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    bool device_key;
    const char* expected;
  };
  std::vector<Case> cases;
  auto flip = [](std::vector<uint8_t> b, size_t i) {
    b[i] ^= 0x20;
    return b;
  };
  // Breaking the identifier would make the parser say "not a .tflite".
  cases.push_back({"flipped model byte (file identifier)", flip(good, 5), false,
                   "does not match the contents"});
  cases.push_back({"flipped model byte (weights)",
                   flip(good, model_.size() / 2), false,
                   "does not match the contents"});
  cases.push_back({"flipped signature byte", flip(good, model_.size() + 40),
                   false, "does not match the contents"});
  cases.push_back({"flipped key id byte", flip(good, model_.size() + 17), false,
                   "not among the 1 trusted key"});
  cases.push_back({"truncated",
                   std::vector<uint8_t>(good.begin(), good.end() - 1), false,
                   "not signed"});
  cases.push_back({"truncated inside the model",
                   std::vector<uint8_t>(good.begin(), good.begin() + 100),
                   false, "not signed"});
  auto appended = good;
  appended.insert(appended.end(), {1, 2, 3});
  cases.push_back({"appended bytes", appended, false, "not signed"});
  auto removed = good;
  removed.erase(removed.begin() + 50);
  cases.push_back(
      {"byte removed from the model", removed, false, "inserted or removed"});
  cases.push_back({"unsigned", model_, false, "not signed"});
  cases.push_back({"signed by an untrusted key", Sign(model_, stranger_), false,
                   "not among the 1 trusted key"});
  const auto sealed = Encrypt(good);
  cases.push_back({"encrypted, no device key", sealed, false, "no device key"});
  cases.push_back(
      {"encrypted, unsigned inside", Encrypt(model_), true, "not signed"});
  cases.push_back({"corrupted ciphertext", flip(sealed, sealed.size() / 2),
                   true, "authentication failed"});
  cases.push_back({"corrupted container header (nonce)", flip(sealed, 33), true,
                   "authentication failed"});
  cases.push_back({"truncated ciphertext",
                   std::vector<uint8_t>(sealed.begin(), sealed.end() - 1), true,
                   "truncated or extended"});
  for (const Case& c : cases) {
    const std::string message = LoadFile(c.bytes, Policy(c.device_key));
    EXPECT_TRUE(Contains(message, c.expected)) << c.name;
    EXPECT_TRUE(Contains(message, "model.bin")) << c.name;
    EXPECT_FALSE(Contains(message, "flatbuffer")) << c.name;
  }
  // The wrong device key.
  trust::TrustPolicy wrong = Policy();
  wrong.device_key.emplace();
  ErrorReporter errors;
  ASSERT_TRUE(trust::GenerateDeviceKey(errors, &*wrong.device_key).ok());
  EXPECT_TRUE(Contains(LoadFile(sealed, wrong), "wrong device key"));
}

TEST_F(TrustTest, SignatureValidButModelBrokenFailsInTheVerifier) {
  // Signing vouches for bytes, not for their sense: the .tflite checks
  // still run afterwards.
  std::vector<uint8_t> garbage(model_.size(), 0x41);
  EXPECT_TRUE(Contains(LoadFile(Sign(garbage, signer_), Policy()),
                       "not a .tflite model"));
}

TEST_F(TrustTest, CApiPolicy) {
  const fs::path pub = dir_ / "key.pub", device = dir_ / "device.key";
  std::ofstream(pub) << trust::FormatPublicKey(signer_.Public());
  WriteBytes(device,
             std::vector<uint8_t>(device_.bytes.begin(), device_.bytes.end()));
  WriteBytes(dir_ / "signed.tflite", Sign(model_, signer_));
  WriteBytes(dir_ / "sealed.tflite", Encrypt(Sign(model_, signer_)));
  WriteBytes(dir_ / "stranger.tflite", Sign(model_, stranger_));

  EmberTrustPolicy* policy = nullptr;
  ASSERT_EQ(EmberTrustPolicyCreate(&policy, nullptr, 0), EMBER_STATUS_OK);
  ASSERT_EQ(EmberTrustPolicyAddPublicKeyFile(policy, pub.c_str()),
            EMBER_STATUS_OK);
  EXPECT_EQ(EmberTrustPolicyAddPublicKeyFile(policy, Path("nope.pub").c_str()),
            EMBER_STATUS_NOT_FOUND);
  EXPECT_TRUE(Contains(EmberTrustPolicyGetLastError(policy), "nope.pub"));
  EXPECT_EQ(EmberTrustPolicyAddPublicKeyFile(policy, device.c_str()),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberTrustPolicyAddPublicKey(policy, device_.bytes.data(), 31),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_TRUE(Contains(EmberTrustPolicyGetLastError(policy), "32 bytes"));
  EXPECT_EQ(EmberTrustPolicySetDeviceKey(policy, nullptr, 32),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberTrustPolicyAddPublicKey(nullptr, nullptr, 0),
            EMBER_STATUS_INVALID_ARGUMENT);

  char error[512] = "";
  EmberModel* model = nullptr;
  ASSERT_EQ(
      EmberModelCreateFromFileWithPolicy(Path("signed.tflite").c_str(), policy,
                                         &model, error, sizeof(error)),
      EMBER_STATUS_OK)
      << error;
  ExpectRuns(model);
  EmberModelDestroy(model);

  EXPECT_EQ(
      EmberModelCreateFromFileWithPolicy(Path("stranger.tflite").c_str(),
                                         policy, &model, error, sizeof(error)),
      EMBER_STATUS_INVALID_MODEL);
  EXPECT_EQ(model, nullptr);
  EXPECT_TRUE(Contains(error, "not among the 1 trusted key"));

  EXPECT_EQ(
      EmberModelCreateFromFileWithPolicy(Path("sealed.tflite").c_str(), policy,
                                         &model, error, sizeof(error)),
      EMBER_STATUS_INVALID_MODEL);
  EXPECT_TRUE(Contains(error, "no device key"));
  ASSERT_EQ(EmberTrustPolicySetDeviceKeyFile(policy, device.c_str()),
            EMBER_STATUS_OK);
  ASSERT_EQ(
      EmberModelCreateFromFileWithPolicy(Path("sealed.tflite").c_str(), policy,
                                         &model, error, sizeof(error)),
      EMBER_STATUS_OK)
      << error;
  ExpectRuns(model);
  EmberModelDestroy(model);

  const auto unsigned_model = model_;
  EXPECT_EQ(EmberModelCreateFromBufferWithPolicy(unsigned_model.data(),
                                                 unsigned_model.size(), policy,
                                                 &model, error, sizeof(error)),
            EMBER_STATUS_INVALID_MODEL);
  EXPECT_TRUE(Contains(error, "not signed"));
  // A NULL policy is an empty one: unsigned models load.
  ASSERT_EQ(EmberModelCreateFromBufferWithPolicy(unsigned_model.data(),
                                                 unsigned_model.size(), nullptr,
                                                 &model, error, sizeof(error)),
            EMBER_STATUS_OK);
  EmberModelDestroy(model);
  EmberTrustPolicyDestroy(policy);
}

#ifdef EMBER_CLI_PATH
struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

class TrustCliTest : public TrustTest {
 protected:
  CliResult Cli(const std::string& args) {
    const fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    const std::string cmd = std::string("'") + EMBER_CLI_PATH + "' " + args +
                            " >'" + out.string() + "' 2>'" + err.string() + "'";
    const int status = std::system(cmd.c_str());
    CliResult r;
    const auto o = ReadBytes(out), e = ReadBytes(err);
    r.out.assign(o.begin(), o.end());
    r.err.assign(e.begin(), e.end());
    if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    return r;
  }
};

unsigned Mode(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0;
}

TEST_F(TrustCliTest, KeygenSignVerifyEncryptRun) {
  WriteBytes(dir_ / "m.tflite", model_);
  const std::string d = dir_.string() + "/";
  CliResult r = Cli("keygen -o " + d + "k");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Mode(d + "k"), 0600u);
  EXPECT_EQ(Mode(d + "k.pub"), 0644u);
  r = Cli("keygen -o " + d + "k");  // never overwrites a key silently
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "already exists"));
  ASSERT_EQ(Cli("keygen -o " + d + "other").exit_code, 0);
  r = Cli("keygen --symmetric -o " + d + "dev");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Mode(d + "dev"), 0600u);
  EXPECT_EQ(fs::file_size(d + "dev"), 32u);

  r = Cli("sign " + d + "m.tflite --key " + d + "k -o " + d + "s.tflite");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Cli("verify " + d + "s.tflite --pubkey " + d + "k.pub");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "OK"));
  r = Cli("verify " + d + "s.tflite --pubkey " + d + "other.pub");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "not among the 1 trusted key"));
  r = Cli("verify " + d + "s.tflite --pubkey " + d + "other.pub --pubkey " + d +
          "k.pub");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Cli("verify " + d + "m.tflite --pubkey " + d + "k.pub");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "not signed"));
  auto tampered = ReadBytes(d + "s.tflite");
  tampered[tampered.size() / 3] ^= 1;
  WriteBytes(d + "t.tflite", tampered);
  r = Cli("verify " + d + "t.tflite --pubkey " + d + "k.pub");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "does not match"));
  r = Cli("verify " + d + "s.tflite --pubkey " + d + "k");  // secret as pub
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "secret signing key"));
  r = Cli("verify " + d + "s.tflite");
  EXPECT_EQ(r.exit_code, 2);
  r = Cli("sign " + d + "s.tflite --key " + d + "k -o " + d + "ss.tflite");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "already signed"));
  EXPECT_FALSE(fs::exists(d + "ss.tflite"));
  WriteBytes(d + "junk.tflite", std::vector<uint8_t>(100, 7));
  r = Cli("sign " + d + "junk.tflite --key " + d + "k -o " + d + "j.tflite");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "refusing to sign"));
  EXPECT_FALSE(fs::exists(d + "j.tflite"));

  // run/inspect/bench under --trust.
  r = Cli("run " + d + "s.tflite --random-inputs 1 --trust " + d + "k.pub");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Cli("run " + d + "m.tflite --random-inputs 1 --trust " + d + "k.pub");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "not signed"));
  r = Cli("inspect " + d + "t.tflite --trust " + d + "k.pub");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "does not match"));
  r = Cli("inspect " + d + "s.tflite --trust " + d + "k.pub");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Cli("bench " + d + "s.tflite --runs 1 --warmup-ms 0 --min-ms 0 --trust " +
          d + "other.pub");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "not among"));
  r = Cli("run --trust " + d + "k.pub");  // the built-in demo is unsigned
  EXPECT_EQ(r.exit_code, 2);

  // Sign, then encrypt for the device.
  r = Cli("encrypt " + d + "s.tflite --key " + d + "dev -o " + d + "e.tflite");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Cli("run " + d + "e.tflite --random-inputs 1 --trust " + d +
          "k.pub --device-key " + d + "dev");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Cli("run " + d + "e.tflite --random-inputs 1 --trust " + d + "k.pub");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "no device key"));
  r = Cli("verify " + d + "e.tflite --pubkey " + d + "k.pub --device-key " + d +
          "dev");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Cli("keygen --symmetric -o " + d + "dev2").exit_code, 0);
  r = Cli("run " + d + "e.tflite --random-inputs 1 --device-key " + d + "dev2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "wrong device key"));
  r = Cli("decrypt " + d + "e.tflite --key " + d + "dev2 -o " + d + "p.tflite");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(fs::exists(d + "p.tflite"));  // no partial output
  r = Cli("decrypt " + d + "e.tflite --key " + d + "dev -o " + d + "p.tflite");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadBytes(d + "p.tflite"), ReadBytes(d + "s.tflite"));
  EXPECT_EQ(Mode(d + "p.tflite"), 0600u);
  auto corrupt = ReadBytes(d + "e.tflite");
  corrupt[corrupt.size() - 5] ^= 1;
  WriteBytes(d + "c.tflite", corrupt);
  r = Cli("run " + d + "c.tflite --random-inputs 1 --device-key " + d + "dev");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "authentication failed"));
  // Nothing but the files the commands were asked for: no temporaries.
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_FALSE(Contains(entry.path().filename().string(), ".ember-tmp"))
        << entry.path();
}
#endif  // EMBER_CLI_PATH

}  // namespace
}  // namespace ember
