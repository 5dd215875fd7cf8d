// Ember's SentencePiece tokenizer (processing/sentencepiece.h) against the
// PyPI `sentencepiece` package: tests/text/make_spm_models.py trains a
// unigram and a BPE model on a generated corpus and records the package's
// ids and pieces for a few hundred strings (Unicode, empty, whitespace runs,
// characters never seen in training). Ember must give the same ids and
// pieces, bit for bit. Also: hostile model bytes are refused with an error,
// never a crash; and an ONNX conversion (libprotobuf) works before and after
// the SentencePiece module (its own protobuf-lite) is loaded into the same
// process, which is what loading it with RTLD_DEEPBIND is for.
#include "processing/sentencepiece.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "convert/convert.h"

namespace ember::processing {
namespace {

namespace fs = std::filesystem;

class SentencePieceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("ember_spm_test_" + std::to_string(getpid())));
    fs::remove_all(*dir_);
    const char* python =
        getenv("EMBER_PYTHON") ? getenv("EMBER_PYTHON") : "python3";
    const std::string cmd = std::string(python) + " " + EMBER_SOURCE_DIR +
                            "/tests/text/make_spm_models.py " + dir_->string() +
                            " >" + dir_->string() + ".log 2>&1";
    generated_ = std::system(cmd.c_str()) == 0;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    fs::remove(dir_->string() + ".log");
    delete dir_;
  }
  void SetUp() override {
    // The oracle needs python3 with sentencepiece and onnx: fail, never skip.
    ASSERT_TRUE(generated_) << "tests/text/make_spm_models.py failed; see "
                            << dir_->string() << ".log";
  }
  static std::string Path(const std::string& file) {
    return (*dir_ / file).string();
  }
  static std::vector<uint8_t> Read(const std::string& file) {
    std::ifstream in(Path(file), std::ios::binary);
    return {std::istreambuf_iterator<char>(in),
            std::istreambuf_iterator<char>()};
  }
  static nlohmann::json Json(const std::string& file) {
    std::ifstream in(Path(file));
    return nlohmann::json::parse(in);
  }
  static std::unique_ptr<SentencePieceTokenizer> Load(const std::string& kind) {
    std::unique_ptr<SentencePieceTokenizer> spm;
    std::string error;
    EXPECT_TRUE(
        SentencePieceTokenizer::Create(Read(kind + ".model"), &spm, &error))
        << error;
    return spm;
  }
  void ExpectSameAsPackage(const std::string& kind) {
    const auto spm = Load(kind);
    ASSERT_NE(spm, nullptr);
    const nlohmann::json strings = Json("strings.json");
    const nlohmann::json expected = Json(kind + ".expected.json");
    ASSERT_GT(strings.size(), 200u);
    int nonempty = 0;
    for (size_t i = 0; i < strings.size(); ++i) {
      const std::string text = strings[i].get<std::string>();
      std::vector<int32_t> ids;
      std::vector<std::string> pieces;
      std::string error;
      ASSERT_TRUE(spm->Encode(text, &ids, &pieces, &error)) << error;
      EXPECT_EQ(ids, expected["ids"][i].get<std::vector<int32_t>>())
          << kind << " ids of '" << text << "'";
      EXPECT_EQ(pieces, expected["pieces"][i].get<std::vector<std::string>>())
          << kind << " pieces of '" << text << "'";
      nonempty += !ids.empty();
    }
    EXPECT_GT(nonempty, 150);
    EXPECT_EQ(spm->pad_id(), expected["pad"].get<int>());
    EXPECT_EQ(spm->unknown_id(), expected["unk"].get<int>());
    EXPECT_EQ(spm->bos_id(), expected["bos"].get<int>());
    EXPECT_EQ(spm->eos_id(), expected["eos"].get<int>());
    EXPECT_EQ(spm->vocab_size(), expected["vocab_size"].get<int>());
  }
  static fs::path* dir_;
  static bool generated_;
};
fs::path* SentencePieceTest::dir_ = nullptr;
bool SentencePieceTest::generated_ = false;

TEST_F(SentencePieceTest, UnigramMatchesThePackage) {
  ExpectSameAsPackage("unigram");
}

TEST_F(SentencePieceTest, BpeMatchesThePackage) { ExpectSameAsPackage("bpe"); }

TEST_F(SentencePieceTest, UnknownCharactersGetTheUnknownId) {
  const auto spm = Load("unigram");
  ASSERT_NE(spm, nullptr);
  std::vector<int32_t> ids;
  std::string error;
  ASSERT_TRUE(spm->Encode("ж", &ids, nullptr, &error)) << error;
  EXPECT_NE(std::find(ids.begin(), ids.end(), spm->unknown_id()), ids.end());
  EXPECT_EQ(spm->PieceId("<pad>"), spm->pad_id());
  EXPECT_EQ(spm->PieceId("no such piece"), -1);
}

// Bytes that are not a model, cut models and models with bytes flipped:
// each is refused with an error or (a flip in a score or a piece's text)
// still loads and encodes; none may crash.
TEST_F(SentencePieceTest, HostileModelBytesAreRefusedOrHarmless) {
  std::unique_ptr<SentencePieceTokenizer> spm;
  std::string error;
  EXPECT_FALSE(SentencePieceTokenizer::Create({}, &spm, &error));
  EXPECT_NE(error.find("empty"), std::string::npos) << error;
  const std::vector<uint8_t> text = {'n', 'o', 't', ' ', 'a', ' ', 'm'};
  error.clear();
  EXPECT_FALSE(SentencePieceTokenizer::Create(text, &spm, &error));
  EXPECT_NE(error.find("not a valid SentencePiece model"), std::string::npos)
      << error;

  const std::vector<uint8_t> model = Read("unigram.model");
  ASSERT_GT(model.size(), 1000u);
  int refused = 0;
  for (size_t cut :
       {size_t{1}, size_t{5}, size_t{64}, model.size() / 3, model.size() - 1}) {
    std::vector<uint8_t> part(model.begin(), model.begin() + cut);
    error.clear();
    if (!SentencePieceTokenizer::Create(part, &spm, &error)) {
      EXPECT_FALSE(error.empty());
      ++refused;
    }
  }
  EXPECT_GE(refused, 3);
  std::mt19937 rng(14);
  for (int round = 0; round < 300; ++round) {
    std::vector<uint8_t> bad = model;
    // Flips concentrated in the pieces (the start of the file), where the
    // structure is; the normalizer's table follows them.
    const size_t span =
        round % 2 ? bad.size() : std::min<size_t>(2000, bad.size());
    for (int k = 0; k < 1 + round % 4; ++k)
      bad[rng() % span] ^= 1 + rng() % 255;
    error.clear();
    if (SentencePieceTokenizer::Create(bad, &spm, &error)) {
      std::vector<int32_t> ids;
      std::vector<std::string> pieces;
      spm->Encode("the movie was great 東京 😀", &ids, &pieces, &error);
    } else {
      EXPECT_FALSE(error.empty());
    }
  }
}

// The reason the module is dlopened with RTLD_DEEPBIND: converting ONNX
// (libprotobuf.so.32) and tokenizing (libsentencepiece's protobuf-lite) in
// one process, in both orders.
TEST_F(SentencePieceTest, OnnxConversionAndSentencePieceShareTheProcess) {
  auto convert = [&] {
    fb::ModelT model;
    convert::Diagnostics diag;
    const bool ok = convert::ConvertOnnx(Path("relu.onnx"), {}, &model, &diag);
    EXPECT_TRUE(ok) << (diag.errors.empty() ? "" : diag.errors[0]);
    EXPECT_EQ(model.subgraphs.size(), 1u);
  };
  convert();
  const auto spm = Load("bpe");
  ASSERT_NE(spm, nullptr);
  std::vector<int32_t> ids;
  std::string error;
  ASSERT_TRUE(spm->Encode("the movie was great", &ids, nullptr, &error))
      << error;
  EXPECT_EQ(ids,
            Json("bpe.expected.json")["ids"][4].get<std::vector<int32_t>>());
  convert();
  EXPECT_NE(SentencePieceTokenizer::ModulePath().find("libember_sentencepiece"),
            std::string::npos);
}

}  // namespace
}  // namespace ember::processing
