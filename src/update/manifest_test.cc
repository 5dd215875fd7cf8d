// The update manifest and its JSON reader: what a valid manifest holds,
// and that hostile or malformed ones are refused with a message naming the
// field. Versions compare numerically; the rollout bucket matches an
// independent SHA-256 computation (the Python fault tests check it too).
#include "update/manifest.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "trust/keys.h"
#include "update/json.h"

namespace ember::update {
namespace {

const char kHash[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string Valid() {
  return std::string(R"({"format": "ember-update-manifest/1",
    "model_id": "digits", "version": "1.2.0", "min_ember_version": "0.1",
    "rollout_percent": 25, "latency_budget_ms": 5.5,
    "model": {"name": "model.tflite", "sha256": ")") +
         kHash + R"(", "size": 1000},
    "probes": [{"inputs": [{"name": "in.npy", "sha256": ")" +
         kHash +
         R"(", "size": 10}], "outputs": [{"name": "out.npy", "sha256": ")" +
         kHash + R"(", "size": 12}], "tolerance": 0.001}]})";
}

std::string Refusal(const std::string &text) {
  ErrorReporter errors;
  Manifest m;
  if (ParseManifest(text, errors, &m).ok()) return "OK";
  return errors.message();
}

std::string Replace(std::string s, const std::string &from,
                    const std::string &to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(UpdateManifest, ParsesEveryField) {
  ErrorReporter errors;
  Manifest m;
  ASSERT_TRUE(ParseManifest(Valid(), errors, &m).ok()) << errors.message();
  EXPECT_EQ(m.model_id, "digits");
  EXPECT_EQ(m.version, "1.2.0");
  EXPECT_EQ(m.min_ember_version, "0.1");
  EXPECT_EQ(m.rollout_percent, 25);
  EXPECT_DOUBLE_EQ(m.latency_budget_ms, 5.5);
  EXPECT_EQ(m.model.name, "model.tflite");
  EXPECT_EQ(m.model.size, 1000u);
  ASSERT_EQ(m.probes.size(), 1u);
  EXPECT_EQ(m.probes[0].outputs[0].size, 12u);
  EXPECT_DOUBLE_EQ(m.probes[0].tolerance, 0.001);
  EXPECT_EQ(m.Files().size(), 3u);
  // Written back and read again: the same manifest.
  Manifest again;
  ASSERT_TRUE(ParseManifest(ManifestToJson(m).Dump(2), errors, &again).ok())
      << errors.message();
  EXPECT_EQ(ManifestToJson(again).Dump(), ManifestToJson(m).Dump());
}

TEST(UpdateManifest, RefusesBadFieldsNamingThem) {
  const std::string v = Valid();
  EXPECT_NE(
      Refusal(Replace(v, "ember-update-manifest/1", "other/9")).find("format"),
      std::string::npos);
  EXPECT_NE(Refusal(Replace(v, "\"1.2.0\"", "\"1.x\"")).find("version"),
            std::string::npos);
  EXPECT_NE(Refusal(Replace(v, "\"1.2.0\"", "3")).find("'version'"),
            std::string::npos);
  EXPECT_NE(Refusal(Replace(v, "25", "101")).find("rollout_percent"),
            std::string::npos);
  EXPECT_NE(Refusal(Replace(v, "model.tflite", "../etc/passwd"))
                .find("unsafe file name"),
            std::string::npos);
  EXPECT_NE(Refusal(Replace(v, "model.tflite", ".hidden")).find("unsafe"),
            std::string::npos);
  EXPECT_NE(Refusal(Replace(v, "model.tflite", "manifest.json")).find("unsafe"),
            std::string::npos);
  EXPECT_NE(Refusal(Replace(v, "model.tflite", "x.part")).find("unsafe"),
            std::string::npos);
  EXPECT_NE(Refusal(Replace(v, "1000", "-1")).find("size"), std::string::npos);
  EXPECT_NE(Refusal(Replace(v, "1000", "1.5")).find("size"), std::string::npos);
  EXPECT_NE(
      Refusal(Replace(v, std::string("\"") + kHash, "\"ABC")).find("sha256"),
      std::string::npos);
  EXPECT_NE(
      Refusal(Replace(v, "\"model_id\": \"digits\",", "")).find("model_id"),
      std::string::npos);
  EXPECT_NE(Refusal(Replace(v, "0.001", "-1")).find("tolerance"),
            std::string::npos);
  EXPECT_NE(Refusal("[1, 2]").find("object"), std::string::npos);
}

TEST(UpdateJson, RefusesMalformedAndHostileInput) {
  const char *bad[] = {
      "",           "{",    "{\"a\":}", "{\"a\" 1}",         "[1,]",
      "{\"a\":1,}", "01",   "1.",       "\"\\x\"",           "\"\\u00e9\"",
      "tru",        "{} x", "\"a\nb\"", "{\"a\":1,\"a\":2}", "-",
      "1e"};
  for (const char *text : bad) {
    ErrorReporter errors;
    JsonValue v;
    EXPECT_FALSE(ParseJson(text, strlen(text), "t", errors, &v).ok()) << text;
    EXPECT_NE(std::string(errors.message()).find("malformed JSON at byte"),
              std::string::npos)
        << text << ": " << errors.message();
  }
  // Nesting is bounded: no stack overflow on deep input.
  const std::string deep(100000, '[');
  ErrorReporter errors;
  JsonValue v;
  EXPECT_FALSE(ParseJson(deep.data(), deep.size(), "t", errors, &v).ok());
  EXPECT_NE(std::string(errors.message()).find("nested too deeply"),
            std::string::npos);
}

TEST(UpdateJson, RoundTripsValues) {
  const std::string text =
      R"({"a": [1, -2.5, 1e3, true, false, null], "b": "q\"\\\n\u0041"})";
  ErrorReporter errors;
  JsonValue v;
  ASSERT_TRUE(ParseJson(text.data(), text.size(), "t", errors, &v).ok())
      << errors.message();
  EXPECT_EQ(v.Find("b")->string(), "q\"\\\nA");
  EXPECT_EQ(v.Find("a")->array()[2].number(), 1000);
  EXPECT_EQ(v.Dump(), R"({"a":[1,-2.5,1000,true,false,null],"b":"q\"\\\nA"})");
}

TEST(UpdateVersions, CompareNumerically) {
  EXPECT_LT(CompareVersions("1.9.0", "1.10.0"), 0);
  EXPECT_EQ(CompareVersions("1.2", "1.2.0"), 0);
  EXPECT_GT(CompareVersions("2", "1.99.99"), 0);
  EXPECT_TRUE(IsValidVersion("1.2.3.4"));
  EXPECT_FALSE(IsValidVersion("1.2.3.4.5"));
  EXPECT_FALSE(IsValidVersion("1..2"));
  EXPECT_FALSE(IsValidVersion("v1"));
  EXPECT_FALSE(IsValidVersion("1234567890"));
}

TEST(UpdateRollout, BucketsAreStableAndSpread) {
  if (!trust::TrustSupported()) GTEST_SKIP() << "no SHA-256 in this build";
  // SHA-256("ember-rollout\0digits\0device-1")[0..3] little-endian % 100,
  // computed independently with Python's hashlib.
  EXPECT_EQ(RolloutBucket("digits", "device-1"), 68);
  int below_half = 0;
  for (int i = 0; i < 1000; ++i) {
    const int b = RolloutBucket("digits", "device-" + std::to_string(i));
    ASSERT_GE(b, 0);
    ASSERT_LT(b, 100);
    below_half += b < 50;
  }
  EXPECT_GT(below_half, 400);  // about half, not a skewed hash
  EXPECT_LT(below_half, 600);
}

}  // namespace
}  // namespace ember::update
