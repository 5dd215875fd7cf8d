// The micro runtime's verify-only signature path (src/micro/micro_sha2,
// micro_ed25519, micro_signature) against libsodium, the host's oracle:
// hashes, the RFC 8032 Ed25519ph vector, thousands of libsodium
// signatures, every single-bit flip, and models signed by src/trust (what
// `ember sign` writes), accepted or refused for the right reason.
#include "micro/micro_signature.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>
#include <string>
#include <vector>

#include "micro/micro_ed25519.h"
#include "micro/micro_interpreter.h"
#include "micro/micro_sha2.h"
#include "micro/micro_test_util.h"
#include "trust/keys.h"
#include "trust/signature.h"
#include "util/model_builder.h"
#include "util/rng.h"

namespace ember::testing {
namespace {

using micro::Ed25519Result;
using micro::MicroStatus;

std::vector<uint8_t> Hex(const std::string& hex) {
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return out;
}

std::vector<uint8_t> RandomBytes(size_t n) {
  std::vector<uint8_t> v(n);
  if (n > 0) randombytes_buf(v.data(), n);
  return v;
}

class MicroSignature : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }
};

// libsodium's Ed25519ph signature of `message` and the SHA-512 prehash.
void SodiumSignPh(const std::vector<uint8_t>& message, const uint8_t* sk,
                  uint8_t signature[64], uint8_t prehash[64]) {
  crypto_sign_state state;
  crypto_sign_init(&state);
  crypto_sign_update(&state, message.data(), message.size());
  ASSERT_EQ(crypto_sign_final_create(&state, signature, nullptr, sk), 0);
  crypto_hash_sha512(prehash, message.data(), message.size());
}

bool SodiumVerifyPh(const std::vector<uint8_t>& message, const uint8_t* sig,
                    const uint8_t* pk) {
  crypto_sign_state state;
  crypto_sign_init(&state);
  crypto_sign_update(&state, message.data(), message.size());
  return crypto_sign_final_verify(&state, sig, pk) == 0;
}

TEST_F(MicroSignature, Sha512AndSha256MatchLibsodiumAtEveryLength) {
  const std::vector<uint8_t> data = RandomBytes(1000);
  // Every length 0..300 covers the padding boundaries (111/112, 127/128
  // for SHA-512; 55/56, 63/64 for SHA-256), whole and split in two.
  for (size_t n = 0; n <= 300; ++n) {
    uint8_t want512[64], got512[64], want256[32], got256[32];
    crypto_hash_sha512(want512, data.data(), n);
    crypto_hash_sha256(want256, data.data(), n);
    micro::MicroSha512 h512;
    h512.Update(data.data(), n);
    h512.Final(got512);
    EXPECT_EQ(memcmp(want512, got512, 64), 0) << "SHA-512 length " << n;
    micro::MicroSha256 h256;
    h256.Update(data.data(), n);
    h256.Final(got256);
    EXPECT_EQ(memcmp(want256, got256, 32), 0) << "SHA-256 length " << n;
    const size_t cut = n == 0 ? 0 : randombytes_uniform(n + 1);
    micro::MicroSha512 split;
    split.Update(data.data(), cut);
    split.Update(data.data() + cut, n - cut);
    split.Final(got512);
    EXPECT_EQ(memcmp(want512, got512, 64), 0) << "split " << cut << "/" << n;
  }
  // Many small pieces of a long message (the streaming path of a model).
  const std::vector<uint8_t> big = RandomBytes(100000);
  uint8_t want[64], got[64];
  crypto_hash_sha512(want, big.data(), big.size());
  micro::MicroSha512 h;
  for (size_t at = 0; at < big.size();) {
    const size_t n =
        std::min<size_t>(1 + randombytes_uniform(300), big.size() - at);
    h.Update(big.data() + at, n);
    at += n;
  }
  h.Final(got);
  EXPECT_EQ(memcmp(want, got, 64), 0);
}

// RFC 8032 7.3, "TEST abc" (Ed25519ph): libsodium signs it to the RFC's
// bytes and the micro verifier accepts them.
TEST_F(MicroSignature, Rfc8032Ed25519phVector) {
  const auto seed =
      Hex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42");
  const auto pk =
      Hex("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf");
  const auto want =
      Hex("98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"
          "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406");
  const std::vector<uint8_t> message = {'a', 'b', 'c'};
  uint8_t sodium_pk[32], sk[64], sig[64], prehash[64];
  crypto_sign_seed_keypair(sodium_pk, sk, seed.data());
  ASSERT_EQ(memcmp(sodium_pk, pk.data(), 32), 0);
  SodiumSignPh(message, sk, sig, prehash);
  ASSERT_EQ(memcmp(sig, want.data(), 64), 0) << "libsodium differs from RFC";
  EXPECT_EQ(micro::MicroEd25519phVerify(prehash, want.data(), pk.data()),
            Ed25519Result::kValid);
  uint8_t other[64];
  memcpy(other, prehash, 64);
  other[0] ^= 1;
  EXPECT_EQ(micro::MicroEd25519phVerify(other, want.data(), pk.data()),
            Ed25519Result::kBadSignature);
}

// The group arithmetic on its own: [a]B of a clamped secret scalar is
// libsodium's public key; [L]B is the identity (encoding of y = 1).
TEST_F(MicroSignature, BaseMultiplesMatchLibsodiumPublicKeys) {
  for (int i = 0; i < 50; ++i) {
    uint8_t pk[32], sk[64], h[64], got[32];
    crypto_sign_keypair(pk, sk);
    crypto_hash_sha512(h, sk, 32);  // the seed
    h[0] &= 248;
    h[31] &= 127;
    h[31] |= 64;
    micro::MicroEd25519BaseMultiple(h, got);
    EXPECT_EQ(memcmp(got, pk, 32), 0) << "key " << i;
  }
  uint8_t order[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                       0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14};
  order[31] = 0x10;
  uint8_t got[32], identity[32] = {1};
  micro::MicroEd25519BaseMultiple(order, got);
  EXPECT_EQ(memcmp(got, identity, 32), 0);
}

TEST_F(MicroSignature, ThousandsOfLibsodiumSignaturesVerify) {
  int valid = 0;
  for (int i = 0; i < 2000; ++i) {
    uint8_t pk[32], sk[64], sig[64], prehash[64];
    crypto_sign_keypair(pk, sk);
    const auto message = RandomBytes(randombytes_uniform(300));
    SodiumSignPh(message, sk, sig, prehash);
    valid +=
        micro::MicroEd25519phVerify(prehash, sig, pk) == Ed25519Result::kValid;
  }
  EXPECT_EQ(valid, 2000);
}

// Every single-bit flip of the signature, the key and the prehashed message
// is refused, as libsodium refuses it.
TEST_F(MicroSignature, EveryBitFlipOfSignatureKeyAndMessageIsRefused) {
  uint8_t pk[32], sk[64], sig[64], prehash[64];
  crypto_sign_keypair(pk, sk);
  const auto message = RandomBytes(77);
  SodiumSignPh(message, sk, sig, prehash);
  ASSERT_EQ(micro::MicroEd25519phVerify(prehash, sig, pk),
            Ed25519Result::kValid);
  int accepted = 0, sodium_accepted = 0;
  for (int bit = 0; bit < 512; ++bit) {
    uint8_t s[64];
    memcpy(s, sig, 64);
    s[bit / 8] ^= 1 << (bit % 8);
    accepted +=
        micro::MicroEd25519phVerify(prehash, s, pk) == Ed25519Result::kValid;
    sodium_accepted += SodiumVerifyPh(message, s, pk);
  }
  for (int bit = 0; bit < 256; ++bit) {
    uint8_t k[32];
    memcpy(k, pk, 32);
    k[bit / 8] ^= 1 << (bit % 8);
    accepted +=
        micro::MicroEd25519phVerify(prehash, sig, k) == Ed25519Result::kValid;
    sodium_accepted += SodiumVerifyPh(message, sig, k);
  }
  for (size_t bit = 0; bit < message.size() * 8; ++bit) {
    auto m = message;
    m[bit / 8] ^= 1 << (bit % 8);
    uint8_t ph[64];
    crypto_hash_sha512(ph, m.data(), m.size());
    accepted +=
        micro::MicroEd25519phVerify(ph, sig, pk) == Ed25519Result::kValid;
    sodium_accepted += SodiumVerifyPh(m, sig, pk);
  }
  EXPECT_EQ(accepted, 0);
  EXPECT_EQ(sodium_accepted, 0);
}

TEST_F(MicroSignature, NonCanonicalScalarsAndBadKeysAreRefused) {
  uint8_t pk[32], sk[64], sig[64], prehash[64];
  crypto_sign_keypair(pk, sk);
  const auto message = RandomBytes(40);
  SodiumSignPh(message, sk, sig, prehash);
  // S + L: the same scalar mod L, but not canonical (RFC 8032 5.1.7).
  const uint8_t order[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                             0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                             0,    0,    0,    0,    0,    0,    0,    0,
                             0,    0,    0,    0,    0,    0,    0,    0x10};
  uint8_t big[64];
  memcpy(big, sig, 64);
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    const unsigned v = big[32 + i] + order[i] + carry;
    big[32 + i] = static_cast<uint8_t>(v);
    carry = v >> 8;
  }
  ASSERT_EQ(carry, 0u);
  EXPECT_EQ(micro::MicroEd25519phVerify(prehash, big, pk),
            Ed25519Result::kNonCanonicalS);
  EXPECT_FALSE(SodiumVerifyPh(message, big, pk));
  // y = p (non-canonical zero), y = 2 (x^2 has no root), the identity and
  // the order-2 point (small order): none is a usable key.
  uint8_t y_is_p[32];
  memset(y_is_p, 0xff, 32);
  y_is_p[0] = 0xed;
  y_is_p[31] = 0x7f;
  uint8_t y_is_2[32] = {2};
  uint8_t identity[32] = {1};
  uint8_t order_two[32];  // y = -1 = p - 1
  memcpy(order_two, y_is_p, 32);
  order_two[0] = 0xec;
  for (const uint8_t* key : {y_is_p, y_is_2, identity, order_two}) {
    EXPECT_EQ(micro::MicroEd25519phVerify(prehash, sig, key),
              Ed25519Result::kBadPublicKey);
  }
}

// ---- models signed by src/trust (the bytes `ember sign` writes) --------

std::vector<uint8_t> SmallModel() {
  ModelBuilder b;
  const QuantSpec q{{0.05f}, {3}, 0};
  const int x = b.AddTensor(fb::TensorType::INT8, {1, 8}, "x", q);
  const int y = b.AddTensor(fb::TensorType::INT8, {1, 8}, "y", q);
  const int s = b.AddTensor(fb::TensorType::INT8, {1, 8}, "sum",
                            QuantSpec{{0.1f}, {-2}, 0});
  fb::AddOptionsT add;
  fb::BuiltinOptionsUnion u;
  u.Set(add);
  b.AddOp(fb::BuiltinOperator::ADD, {x, y}, {s}, u);
  b.SetInputs({x, y});
  b.SetOutputs({s});
  return b.Build();
}

struct SignedModel {
  trust::SecretKey secret;
  micro::MicroPublicKey key{};
  std::vector<uint8_t> model;  // unsigned
  std::vector<uint8_t> signed_model;
};

void SignWithTrust(const std::vector<uint8_t>& model, SignedModel* out) {
  ErrorReporter errors;
  ASSERT_TRUE(trust::GenerateSigningKeyPair(errors, &out->secret).ok());
  const trust::PublicKey pub = out->secret.Public();
  memcpy(out->key.bytes, pub.bytes.data(), 32);
  std::vector<uint8_t> trailer;
  ASSERT_TRUE(trust::SignModel(model.data(), model.size(), out->secret, errors,
                               &trailer)
                  .ok())
      << errors.message();
  out->model = model;
  out->signed_model = model;
  out->signed_model.insert(out->signed_model.end(), trailer.begin(),
                           trailer.end());
}

// The micro verdict and its message, for one set of bytes.
struct Verdict {
  MicroStatus status;
  std::string message;
  size_t model_size = 0;
};

Verdict MicroVerify(const std::vector<uint8_t>& bytes,
                    const micro::MicroPublicKey* keys, size_t n) {
  Verdict v;
  micro::MicroError error;
  v.status = micro::MicroVerifySignedModel(bytes.data(), bytes.size(), keys, n,
                                           &v.model_size, &error);
  v.message = error.message;
  return v;
}

bool TrustAccepts(const std::vector<uint8_t>& bytes,
                  const trust::PublicKey& key) {
  ErrorReporter errors;
  size_t payload = 0;
  return trust::VerifySignedModel(bytes.data(), bytes.size(), &key, 1, errors,
                                  &payload)
      .ok();
}

TEST_F(MicroSignature, KeyIdsMatchSrcTrust) {
  for (int i = 0; i < 20; ++i) {
    trust::PublicKey key;
    randombytes_buf(key.bytes.data(), 32);
    micro::MicroPublicKey mk;
    memcpy(mk.bytes, key.bytes.data(), 32);
    uint8_t id[8];
    micro::MicroKeyId(mk, id);
    EXPECT_EQ(memcmp(id, key.Id().data(), 8), 0);
  }
}

TEST_F(MicroSignature, ModelsSignedByTrustAreAcceptedAndNameTheirSize) {
  for (const auto& model : {SmallModel(), RandomBytes(1), RandomBytes(5000)}) {
    SignedModel s;
    SignWithTrust(model, &s);
    const Verdict v = MicroVerify(s.signed_model, &s.key, 1);
    EXPECT_EQ(v.status, MicroStatus::kOk) << v.message;
    EXPECT_EQ(v.model_size, model.size());
  }
}

TEST_F(MicroSignature, EveryBitFlipOfASignedModelIsRefusedAsTrustRefusesIt) {
  SignedModel s;
  SignWithTrust(SmallModel(), &s);
  const trust::PublicKey pub = s.secret.Public();
  int micro_accepted = 0, trust_accepted = 0, flips = 0;
  for (size_t bit = 0; bit < s.signed_model.size() * 8; ++bit) {
    auto bytes = s.signed_model;
    bytes[bit / 8] ^= 1 << (bit % 8);
    const Verdict v = MicroVerify(bytes, &s.key, 1);
    micro_accepted += v.status == MicroStatus::kOk;
    EXPECT_NE(v.status, MicroStatus::kOk) << "bit " << bit;
    trust_accepted += TrustAccepts(bytes, pub);
    ++flips;
  }
  EXPECT_EQ(micro_accepted, 0);
  EXPECT_EQ(trust_accepted, 0);
  EXPECT_GT(flips, 96 * 8);
}

TEST_F(MicroSignature, TamperCasesNameTheirCause) {
  SignedModel s, other;
  SignWithTrust(SmallModel(), &s);
  SignWithTrust(SmallModel(), &other);
  auto expect = [&](const std::vector<uint8_t>& bytes, const char* words,
                    const micro::MicroPublicKey* keys = nullptr, size_t n = 1) {
    const Verdict v = MicroVerify(bytes, keys ? keys : &s.key, n);
    EXPECT_EQ(v.status, MicroStatus::kUntrustedModel) << words;
    EXPECT_NE(v.message.find(words), std::string::npos)
        << "wanted '" << words << "' in: " << v.message;
  };
  const size_t payload = s.model.size();
  auto tampered = s.signed_model;
  tampered[payload / 2] ^= 0x40;  // one byte of the model
  expect(tampered, "does not match the contents");
  auto signature = s.signed_model;
  signature[payload + 30] ^= 1;  // R
  expect(signature, "does not match the contents");
  expect(s.model, "not signed");
  expect({s.signed_model.begin(), s.signed_model.end() - 1}, "not signed");
  auto appended = s.signed_model;
  appended.push_back(0);
  expect(appended, "not signed");
  expect({}, "not signed");
  expect(RandomBytes(50), "not signed");
  // Bytes removed at the front: the trailer is intact, the size is not.
  expect({s.signed_model.begin() + 4, s.signed_model.end()},
         "inserted or removed");
  auto version = s.signed_model;
  version[payload] = 2;
  expect(version, "not supported");
  auto algorithm = s.signed_model;
  algorithm[payload + 4] = 7;
  expect(algorithm, "not supported");
  expect(s.signed_model, "not among the trusted keys", &other.key);
  auto s_plus = s.signed_model;
  s_plus[payload + 24 + 63] |= 0xf0;  // S far above L
  expect(s_plus, "not canonical");
  // Any of several trusted keys; no key at all is the caller's error.
  const micro::MicroPublicKey both[2] = {other.key, s.key};
  EXPECT_EQ(MicroVerify(s.signed_model, both, 2).status, MicroStatus::kOk);
  EXPECT_EQ(MicroVerify(s.signed_model, nullptr, 0).status,
            MicroStatus::kInvalidArgument);
}

// Hostile bytes: trailers with the right magic and anything else random
// never crash, never read outside the buffer (ASan in the sanitizer
// build) and are never accepted.
TEST_F(MicroSignature, RandomTrailersNeverCrashOrPass) {
  SignedModel s;
  SignWithTrust(SmallModel(), &s);
  Rng rng(7);
  for (int i = 0; i < 3000; ++i) {
    const size_t n = randombytes_uniform(400);
    auto bytes = RandomBytes(n);
    if (n >= 96 && i % 2 == 0) memcpy(&bytes[n - 8], "EMBERSIG", 8);
    if (n >= 96 && i % 4 == 0) {  // right size and header, random signature
      const uint64_t payload = n - 96;
      bytes[n - 96] = 1;
      bytes[n - 92] = 1;
      for (int k = 0; k < 3; ++k) bytes[n - 95 + k] = bytes[n - 91 + k] = 0;
      for (int k = 0; k < 8; ++k)
        bytes[n - 88 + k] = static_cast<uint8_t>(payload >> (8 * k));
      uint8_t id[8];
      micro::MicroKeyId(s.key, id);
      memcpy(&bytes[n - 80], id, 8);
    }
    const std::vector<uint8_t> exact(bytes);  // exactly n bytes on the heap
    EXPECT_NE(MicroVerify(exact, &s.key, 1).status, MicroStatus::kOk);
  }
}

// ---- the interpreter hook ----------------------------------------------

struct MicroRun {
  MicroStatus status;
  std::string message;
  std::vector<uint8_t> output;
};

MicroRun RunMicro(const std::vector<uint8_t>& bytes,
                  const micro::MicroPublicKey* keys, size_t n) {
  std::vector<uint64_t> aligned(bytes.size() / 8 + 2);
  if (!bytes.empty()) memcpy(aligned.data(), bytes.data(), bytes.size());
  micro::MicroOpResolver<16> resolver;
  AddAllMicroOps(resolver);
  alignas(16) static uint8_t arena[64 * 1024];
  MicroErrorLog log;
  micro::MicroInterpreter interp(
      reinterpret_cast<const uint8_t*>(aligned.data()), bytes.size(), resolver,
      arena, sizeof(arena), MicroErrorLog::Callback, &log);
  if (keys != nullptr || n > 0) interp.RequireSignature(keys, n);
  MicroRun r;
  r.status = interp.AllocateTensors();
  if (r.status != MicroStatus::kOk) {
    r.message = log.errors.empty() ? "" : log.errors.back().message;
    return r;
  }
  for (int32_t i = 0; i < interp.inputs_size(); ++i) {
    const micro::MicroTensor t = interp.input(i);
    for (size_t k = 0; k < t.bytes; ++k)
      static_cast<uint8_t*>(t.data)[k] = static_cast<uint8_t>(k * 7 + i);
  }
  r.status = interp.Invoke();
  const micro::MicroTensor out = interp.output(0);
  r.output.assign(static_cast<uint8_t*>(out.data),
                  static_cast<uint8_t*>(out.data) + out.bytes);
  return r;
}

TEST_F(MicroSignature, InterpreterRunsSignedModelsAndRefusesOthersFirst) {
  SignedModel s, other;
  SignWithTrust(SmallModel(), &s);
  SignWithTrust(SmallModel(), &other);
  const MicroRun plain = RunMicro(s.model, nullptr, 0);
  ASSERT_EQ(plain.status, MicroStatus::kOk) << plain.message;
  const MicroRun trusted = RunMicro(s.signed_model, &s.key, 1);
  ASSERT_EQ(trusted.status, MicroStatus::kOk) << trusted.message;
  EXPECT_EQ(trusted.output, plain.output);
  EXPECT_FALSE(plain.output.empty());

  auto tampered = s.signed_model;
  tampered[s.model.size() - 10] ^= 1;
  const MicroRun t = RunMicro(tampered, &s.key, 1);
  EXPECT_EQ(t.status, MicroStatus::kUntrustedModel);
  EXPECT_NE(t.message.find("does not match"), std::string::npos) << t.message;
  const MicroRun u = RunMicro(s.model, &s.key, 1);
  EXPECT_EQ(u.status, MicroStatus::kUntrustedModel);
  EXPECT_NE(u.message.find("not signed"), std::string::npos) << u.message;
  const MicroRun w = RunMicro(s.signed_model, &other.key, 1);
  EXPECT_EQ(w.status, MicroStatus::kUntrustedModel);
  // Garbage is refused for its missing signature, before it is parsed
  // (without a policy the same bytes are an invalid model).
  const auto garbage = RandomBytes(300);
  EXPECT_EQ(RunMicro(garbage, &s.key, 1).status, MicroStatus::kUntrustedModel);
  EXPECT_EQ(RunMicro(garbage, nullptr, 0).status, MicroStatus::kInvalidModel);
}

}  // namespace
}  // namespace ember::testing
