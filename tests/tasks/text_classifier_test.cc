// TextClassifier, TextEmbedder and the regex tokenizer on a word-embedding
// model built
// here (GATHER of a word table, MEAN over the words): each word's row is
// chosen so that every score below is worked out by hand from the ids the
// tokenizer must produce.
#include "tasks/text_classifier.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "metadata/model_metadata.h"
#include "metadata/task_metadata.h"
#include "processing/text.h"
#include "processing/wordpiece.h"
#include "tasks/task_test_files.h"
#include "tasks/text_embedder.h"
#include "util/model_builder.h"

namespace ember::tasks {
namespace {

namespace fs = std::filesystem;
namespace tfl = ember::fb;
using testing_files::Bytes;
using testing_files::Solid;

std::string WriteTemp(const std::string& name,
                      const std::vector<uint8_t>& bytes) {
  return testing_files::WriteTemp("text_test", name, bytes);
}

const char* kVocab =
    "<PAD> 0\n<START> 1\n<UNKNOWN> 2\ngood 3\ngreat 4\nbad 5\nit's 6\n";

// int32 [1,6] word ids -> GATHER rows of a [7,2] table -> MEAN over the
// words: class 0 ("positive") sums good (1) and great (2), class 1
// ("negative") bad (1.5); <PAD>, <START>, <UNKNOWN> and it's add nothing.
std::vector<uint8_t> WordModel() {
  testing::ModelBuilder b;
  const int ids = b.AddTensor(testing::kI32, {1, 6}, "ids");
  const int table = b.AddConstant(
      testing::kF32, {7, 2},
      std::vector<float>{0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 1.5f, 0, 0}, "words");
  const int rows = b.AddTensor(testing::kF32, {1, 6, 2}, "rows");
  tfl::GatherOptionsT gather;
  gather.axis = 0;
  tfl::BuiltinOptionsUnion gather_options;
  gather_options.Set(gather);
  b.AddOp(tfl::BuiltinOperator::GATHER, {table, ids}, {rows}, gather_options);
  const int axis =
      b.AddConstant(testing::kI32, {1}, std::vector<int32_t>{1}, "axis");
  const int scores = b.AddTensor(testing::kF32, {1, 2}, "scores");
  tfl::ReducerOptionsT reducer;
  tfl::BuiltinOptionsUnion mean_options;
  mean_options.Set(reducer);
  b.AddOp(tfl::BuiltinOperator::MEAN, {rows, axis}, {scores}, mean_options);
  b.SetInputs({ids});
  b.SetOutputs({scores});
  return b.Build();
}

std::string ModelWithMetadata(const std::string& delim = "",
                              const std::string& task = "text_classifier") {
  const std::vector<uint8_t> model = WordModel();
  metadata::TaskMetadataOptions mo;
  EXPECT_TRUE(metadata::ParseTaskKind(task, &mo.task));
  mo.vocab = Bytes(kVocab);
  mo.labels = Bytes("positive\nnegative\n");
  if (!delim.empty()) mo.delim_regex = delim;
  metadata::ModelMetadataBundle bundle;
  std::vector<uint8_t> with;
  std::string error;
  EXPECT_TRUE(metadata::BuildTaskMetadata(model, mo, &bundle, &error)) << error;
  EXPECT_EQ(bundle.metadata.name,
            task == "text_classifier" ? "TextClassifier" : "TextEmbedder");
  // Labels and vocabulary; the embedder has no use for the labels.
  EXPECT_EQ(bundle.files.size(), task == "text_classifier" ? 2u : 1u);
  EXPECT_TRUE(metadata::WriteModelMetadata(model, bundle, &with, &error))
      << error;
  return WriteTemp("text.tflite", with);
}

TEST(RegexTokenizer, SplitsKeepsCaseAndPads) {
  processing::Vocabulary vocab;
  std::string error;
  ASSERT_TRUE(processing::ParseVocabulary(Bytes(kVocab), &vocab, &error));
  std::unique_ptr<processing::RegexTokenizer> t;
  ASSERT_TRUE(
      processing::RegexTokenizer::Create("[^\\w\\']+", vocab, &t, &error))
      << error;
  // Apostrophes and underscores stay inside words; anything else (here
  // UTF-8 bytes too, as the pattern's ASCII \w) splits. Case is kept, as
  // MediaPipe keeps it (measured against it): "Good" is not "good".
  EXPECT_EQ(t->Tokenize("It's a GOOD-day_2, \xC3\x9C"
                        "BER!"),
            (std::vector<std::string>{"It's", "a", "GOOD", "day_2", "BER"}));
  EXPECT_EQ(t->Encode("good, great Film!", 6),
            (std::vector<int32_t>{1, 3, 4, 2, 0, 0}));
  EXPECT_EQ(t->Encode("good good good good good good good", 6),
            (std::vector<int32_t>{1, 3, 3, 3, 3, 3}));
  EXPECT_EQ(t->Encode("", 3), (std::vector<int32_t>{1, 0, 0}));
  // One word per line: ids are line numbers (the WordPiece layout).
  ASSERT_TRUE(processing::ParseVocabulary(Bytes("<PAD>\n<UNKNOWN>\nyes\n"),
                                          &vocab, &error));
  int32_t id = -1;
  EXPECT_TRUE(vocab.Lookup("yes", &id));
  EXPECT_EQ(id, 2);
  ASSERT_TRUE(processing::RegexTokenizer::Create("", vocab, &t, &error));
  EXPECT_EQ(t->Encode("yes no", 3), (std::vector<int32_t>{2, 1, 0}));
  // What cannot work is refused up front.
  EXPECT_FALSE(processing::RegexTokenizer::Create("\\s+", vocab, &t, &error));
  EXPECT_NE(error.find("not supported"), std::string::npos) << error;
  ASSERT_TRUE(processing::ParseVocabulary(Bytes("a 0\nb 1\n"), &vocab, &error));
  EXPECT_FALSE(processing::RegexTokenizer::Create("", vocab, &t, &error));
  EXPECT_NE(error.find("<PAD>"), std::string::npos) << error;
  EXPECT_FALSE(processing::ParseVocabulary(Bytes("\n\n"), &vocab, &error));
}

TEST(TextClassifier, ScoresFromTheTokenizedText) {
  const std::string path = ModelWithMetadata();
  TextClassifierOptions o;
  o.base_options.model_asset_path = path;
  std::unique_ptr<TextClassifier> c;
  std::string error;
  ASSERT_TRUE(TextClassifier::CreateFromOptions(o, &c, &error)) << error;
  EXPECT_EQ(c->labels(), (std::vector<std::string>{"positive", "negative"}));
  ClassificationResult r;
  ASSERT_TRUE(c->Classify("good, great film!", &r, &error)) << error;
  auto cats = r.classifications[0].categories;
  ASSERT_EQ(cats.size(), 2u);
  EXPECT_EQ(cats[0].category_name, "positive");
  EXPECT_NEAR(cats[0].score, 3.0f / 6, 1e-6);  // (1 + 2) / 6 words
  EXPECT_NEAR(cats[1].score, 0.0f, 1e-6);
  ASSERT_TRUE(c->Classify("it's bad.", &r, &error)) << error;
  cats = r.classifications[0].categories;
  EXPECT_EQ(cats[0].category_name, "negative");
  EXPECT_NEAR(cats[0].score, 1.5f / 6, 1e-6);
  // Words past the input's length are dropped: <START> + 5 goods.
  ASSERT_TRUE(
      c->Classify("good good good good good good good bad bad", &r, &error));
  EXPECT_NEAR(r.classifications[0].categories[0].score, 5.0f / 6, 1e-6);
  // The classifier options apply as for images.
  o.classifier_options.max_results = 1;
  o.classifier_options.category_denylist = {"positive"};
  ASSERT_TRUE(TextClassifier::CreateFromOptions(o, &c, &error)) << error;
  ASSERT_TRUE(c->Classify("great", &r, &error));
  ASSERT_EQ(r.classifications[0].categories.size(), 1u);
  EXPECT_EQ(r.classifications[0].categories[0].category_name, "negative");
  fs::remove(path);
}

TEST(TextClassifier, ModelsItCannotTokenizeForGetClearErrors) {
  TextClassifierOptions o;
  std::unique_ptr<TextClassifier> c;
  std::string error;
  // No metadata: the error says how to add it.
  const std::string bare = WriteTemp("bare.tflite", WordModel());
  o.base_options.model_asset_path = bare;
  EXPECT_FALSE(TextClassifier::CreateFromOptions(o, &c, &error));
  EXPECT_NE(error.find("--task text_classifier --vocab"), std::string::npos)
      << error;
  fs::remove(bare);
  // A delimiter pattern Ember does not split on.
  const std::string odd = ModelWithMetadata("[ ]+");
  o.base_options.model_asset_path = odd;
  EXPECT_FALSE(TextClassifier::CreateFromOptions(o, &c, &error));
  EXPECT_NE(error.find("'[ ]+' is not supported"), std::string::npos) << error;
  fs::remove(odd);
  // An image model is not a text model.
  testing::ModelBuilder b;
  const int in = b.AddTensor(testing::kF32, {1, 4, 4, 3}, "image");
  const int out = b.AddTensor(testing::kF32, {1, 4, 4, 3}, "out");
  b.AddOp(tfl::BuiltinOperator::LOGISTIC, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  const std::string image = WriteTemp("image.tflite", b.Build());
  o.base_options.model_asset_path = image;
  EXPECT_FALSE(TextClassifier::CreateFromOptions(o, &c, &error));
  EXPECT_NE(error.find("int32 [1,length]"), std::string::npos) << error;
  // The metadata writer refuses it too, naming the input.
  metadata::TaskMetadataOptions mo;
  mo.task = metadata::TaskKind::kTextClassifier;
  mo.vocab = Bytes(kVocab);
  mo.labels = Bytes("a\nb\n");
  metadata::ModelMetadataBundle bundle;
  std::ifstream f(image, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)),
                                   std::istreambuf_iterator<char>());
  EXPECT_FALSE(metadata::BuildTaskMetadata(bytes, mo, &bundle, &error));
  EXPECT_NE(error.find("input 'image'"), std::string::npos) << error;
  fs::remove(image);
}

TEST(TextEmbedder, MeanWordVectorsAndSimilarity) {
  const std::string path = ModelWithMetadata("", "text_embedder");
  TextEmbedderOptions o;
  o.base_options.model_asset_path = path;
  std::unique_ptr<TextEmbedder> e;
  std::string error;
  ASSERT_TRUE(TextEmbedder::CreateFromOptions(o, &e, &error)) << error;
  EmbeddingResult good, bad, mixed;
  ASSERT_TRUE(e->Embed("good great", &good, &error)) << error;
  ASSERT_TRUE(e->Embed("bad", &bad, &error)) << error;
  ASSERT_TRUE(e->Embed("great bad", &mixed, &error)) << error;
  ASSERT_EQ(good.embeddings.size(), 1u);
  EXPECT_EQ(good.embeddings[0].head_name, "scores");
  ASSERT_EQ(good.embeddings[0].float_embedding.size(), 2u);
  EXPECT_NEAR(good.embeddings[0].float_embedding[0], 3.0f / 6, 1e-6);
  double s = 0;
  ASSERT_TRUE(TextEmbedder::CosineSimilarity(good.embeddings[0],
                                             bad.embeddings[0], &s, &error));
  EXPECT_NEAR(s, 0.0, 1e-9);  // (0.5, 0) and (0, 0.25)
  // (2, 1.5) / 6 against (1, 0): cos = 2 / 2.5.
  ASSERT_TRUE(TextEmbedder::CosineSimilarity(good.embeddings[0],
                                             mixed.embeddings[0], &s, &error));
  EXPECT_NEAR(s, 0.8, 1e-6);
  // Words with no vector embed to zero: no direction to compare.
  EmbeddingResult none;
  ASSERT_TRUE(e->Embed("nothing known", &none, &error));
  EXPECT_FALSE(TextEmbedder::CosineSimilarity(good.embeddings[0],
                                              none.embeddings[0], &s, &error));
  EXPECT_NE(error.find("norm is 0"), std::string::npos) << error;
  fs::remove(path);
}

const char* kWordPieces =
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\nplay\n##ing\n##ed\ngood\n,\n!\nun\n"
    "##believ\n##able\n";

TEST(WordPiece, LowercasesSplitsPunctuationAndCutsGreedily) {
  processing::Vocabulary vocab;
  std::string error;
  ASSERT_TRUE(processing::ParseVocabulary(Bytes(kWordPieces), &vocab, &error));
  std::unique_ptr<processing::WordPieceTokenizer> t;
  ASSERT_TRUE(processing::WordPieceTokenizer::Create(vocab, &t, &error))
      << error;
  EXPECT_EQ(
      t->Tokenize("The PLAYING, unbelievable!  played xyz"),
      (std::vector<std::string>{"the", "play", "##ing", ",", "un", "##believ",
                                "##able", "!", "play", "##ed", "[UNK]"}));
  // [CLS] the play ##ing [SEP], then padding; mask over the real ones.
  const processing::BertInputs in = t->Encode("the playing", 8);
  EXPECT_EQ(in.ids, (std::vector<int32_t>{2, 4, 5, 6, 3, 0, 0, 0}));
  EXPECT_EQ(in.mask, (std::vector<int32_t>{1, 1, 1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(in.segment_ids, (std::vector<int32_t>(8, 0)));
  // Too long: cut so that [SEP] still ends it.
  EXPECT_EQ(t->Encode("good good good good", 4).ids,
            (std::vector<int32_t>{2, 8, 8, 3}));
  // A word longer than 100 characters is [UNK] outright.
  EXPECT_EQ(t->Tokenize(std::string(101, 'a')),
            (std::vector<std::string>{"[UNK]"}));
  ASSERT_TRUE(processing::ParseVocabulary(Bytes("a\nb\n"), &vocab, &error));
  EXPECT_FALSE(processing::WordPieceTokenizer::Create(vocab, &t, &error));
  EXPECT_NE(error.find("[CLS]"), std::string::npos) << error;
}

// BERT layout: ids, mask, segment ids (int32 [1,8]); the scores are the
// sum over the positions of a word table (class 0: "good", class 1: "un")
// weighted by mask + segment ids, so that a mask fed to the wrong input, or
// segment ids other than 0, change them.
std::vector<uint8_t> BertModel() {
  testing::ModelBuilder b;
  const int ids = b.AddTensor(testing::kI32, {1, 8}, "input_word_ids");
  const int mask = b.AddTensor(testing::kI32, {1, 8}, "input_mask");
  const int segment = b.AddTensor(testing::kI32, {1, 8}, "segment_ids");
  std::vector<float> table(14 * 2, 0.0f);
  table[8 * 2] = 8;       // good -> class 0
  table[11 * 2 + 1] = 4;  // un -> class 1
  const int words = b.AddConstant(testing::kF32, {14, 2}, table, "words");
  const int rows = b.AddTensor(testing::kF32, {1, 8, 2}, "rows");
  b.AddOp(tfl::BuiltinOperator::GATHER, {words, ids}, {rows});
  const int both = b.AddTensor(testing::kI32, {1, 8}, "mask_plus_segment");
  b.AddOp(tfl::BuiltinOperator::ADD, {mask, segment}, {both});
  const int weight = b.AddTensor(testing::kF32, {1, 8}, "weight");
  b.AddOp(tfl::BuiltinOperator::CAST, {both}, {weight});
  const int column = b.AddTensor(testing::kF32, {1, 8, 1}, "weight_column");
  b.AddOp(tfl::BuiltinOperator::RESHAPE,
          {weight, b.AddConstant(testing::kI32, {3},
                                 std::vector<int32_t>{1, 8, 1}, "shape")},
          {column});
  const int weighted = b.AddTensor(testing::kF32, {1, 8, 2}, "weighted");
  b.AddOp(tfl::BuiltinOperator::MUL, {rows, column}, {weighted});
  const int axis =
      b.AddConstant(testing::kI32, {1}, std::vector<int32_t>{1}, "axis");
  const int scores = b.AddTensor(testing::kF32, {1, 2}, "scores");
  tfl::ReducerOptionsT reducer;
  tfl::BuiltinOptionsUnion sum_options;
  sum_options.Set(reducer);
  b.AddOp(tfl::BuiltinOperator::SUM, {weighted, axis}, {scores}, sum_options);
  b.SetInputs({ids, mask, segment});
  b.SetOutputs({scores});
  return b.Build();
}

TEST(TextClassifier, BertStyleModelWithWordPieceMetadata) {
  const std::vector<uint8_t> model = BertModel();
  metadata::TaskMetadataOptions mo;
  mo.task = metadata::TaskKind::kTextClassifier;
  mo.vocab = Bytes(kWordPieces);
  mo.labels = Bytes("pos\nneg\n");
  metadata::ModelMetadataBundle bundle;
  std::vector<uint8_t> with;
  std::string error;
  ASSERT_TRUE(metadata::BuildTaskMetadata(model, mo, &bundle, &error)) << error;
  const auto& sub = *bundle.metadata.subgraph_metadata[0];
  ASSERT_EQ(sub.input_tensor_metadata.size(), 3u);
  EXPECT_EQ(sub.input_tensor_metadata[1]->name, "mask");  // by tensor name
  ASSERT_EQ(sub.input_process_units.size(), 1u);
  EXPECT_NE(sub.input_process_units[0]->options.AsBertTokenizerOptions(),
            nullptr);
  ASSERT_TRUE(metadata::WriteModelMetadata(model, bundle, &with, &error));
  const std::string path = WriteTemp("bert.tflite", with);
  TextClassifierOptions o;
  o.base_options.model_asset_path = path;
  std::unique_ptr<TextClassifier> c;
  ASSERT_TRUE(TextClassifier::CreateFromOptions(o, &c, &error)) << error;
  EXPECT_EQ(c->Encode("Good!"),
            (std::vector<int32_t>{2, 8, 10, 3, 0, 0, 0, 0}));
  ClassificationResult r;
  ASSERT_TRUE(c->Classify("GOOD unbelievable", &r, &error)) << error;
  const auto& cats = r.classifications[0].categories;
  ASSERT_EQ(cats.size(), 2u);
  EXPECT_EQ(cats[0].category_name, "pos");
  EXPECT_NEAR(cats[0].score, 8.0f, 1e-6);  // mask 1, segment 0 on "good"
  EXPECT_NEAR(cats[1].score, 4.0f, 1e-6);
  fs::remove(path);
  // Three inputs without the tokenizer: the error says what to add.
  const std::string bare = WriteTemp("bert_bare.tflite", model);
  o.base_options.model_asset_path = bare;
  EXPECT_FALSE(TextClassifier::CreateFromOptions(o, &c, &error));
  EXPECT_NE(error.find("no WordPiece or SentencePiece tokenizer"),
            std::string::npos)
      << error;
  fs::remove(bare);
}

}  // namespace
}  // namespace ember::tasks
