// ImageEmbedder and the embedding helpers (MediaPipe Tasks' embedder
// semantics) on models built here: the feature vectors are channel means
// and maxima of the normalized picture, so every value, norm and
// similarity below is worked out by hand.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "metadata/model_metadata.h"
#include "metadata/task_metadata.h"
#include "tasks/embedding.h"
#include "tasks/image_embedder.h"
#include "tasks/task_test_files.h"
#include "util/model_builder.h"

namespace ember::tasks {
namespace {

namespace fs = std::filesystem;
namespace tfl = ember::fb;
using testing_files::Bytes;
using testing_files::Solid;

std::string WriteTemp(const std::string& name,
                      const std::vector<uint8_t>& bytes) {
  return testing_files::WriteTemp("embedder_test", name, bytes);
}
using processing::Image;

// [1,8,8,3] float image -> MEAN over height and width ("mean", [1,3]) and,
// with `two_heads`, REDUCE_MAX as well ("max", [1,1,1,3]: keep_dims).
std::vector<uint8_t> PoolingModel(bool two_heads) {
  testing::ModelBuilder b;
  const int in = b.AddTensor(testing::kF32, {1, 8, 8, 3}, "image");
  const int axes =
      b.AddConstant(testing::kI32, {2}, std::vector<int32_t>{1, 2}, "axes");
  const int mean = b.AddTensor(testing::kF32, {1, 3}, "mean");
  tfl::ReducerOptionsT reducer;
  tfl::BuiltinOptionsUnion options;
  options.Set(reducer);
  b.AddOp(tfl::BuiltinOperator::MEAN, {in, axes}, {mean}, options);
  std::vector<int> outputs = {mean};
  if (two_heads) {
    const int max = b.AddTensor(testing::kF32, {1, 1, 1, 3}, "max");
    reducer.keep_dims = true;
    tfl::BuiltinOptionsUnion keep;
    keep.Set(reducer);
    b.AddOp(tfl::BuiltinOperator::REDUCE_MAX, {in, axes}, {max}, keep);
    outputs.push_back(max);
  }
  b.SetInputs({in});
  b.SetOutputs(outputs);
  return b.Build();
}

TEST(Embedding, NormalizeAndQuantizeAsMediaPipe) {
  EmbedderOptions o;
  Embedding e = MakeEmbedding({3, 4}, o, 0, "h");
  EXPECT_FALSE(e.quantized());
  EXPECT_EQ(e.float_embedding, (std::vector<float>{3, 4}));
  o.l2_normalize = true;
  e = MakeEmbedding({3, 4}, o, 1, "h");
  EXPECT_FLOAT_EQ(e.float_embedding[0], 0.6f);
  EXPECT_FLOAT_EQ(e.float_embedding[1], 0.8f);
  EXPECT_EQ(e.head_index, 1);
  // An all-zero vector has no direction: left as it is, not NaN.
  e = MakeEmbedding({0, 0}, o, 0, "");
  EXPECT_EQ(e.float_embedding, (std::vector<float>{0, 0}));
  // round(v * 128), clamped: 1.0 -> 127, -1.0 -> -128, 0.6 -> 77.
  o.l2_normalize = false;
  o.quantize = true;
  e = MakeEmbedding({1.0f, -1.0f, 0.6f, -0.3f, 2.0f}, o, 0, "");
  ASSERT_TRUE(e.quantized());
  EXPECT_EQ(e.quantized_embedding,
            (std::vector<int8_t>{127, -128, 77, -38, 127}));
}

TEST(Embedding, CosineSimilarityAndItsErrors) {
  EmbedderOptions f, q;
  q.quantize = true;
  double s = 0;
  std::string error;
  ASSERT_TRUE(CosineSimilarity(MakeEmbedding({1, 0}, f, 0, ""),
                               MakeEmbedding({0, 2}, f, 0, ""), &s, &error));
  EXPECT_NEAR(s, 0.0, 1e-12);
  ASSERT_TRUE(CosineSimilarity(MakeEmbedding({1, 2, 3}, f, 0, ""),
                               MakeEmbedding({-2, -4, -6}, f, 0, ""), &s,
                               &error));
  EXPECT_NEAR(s, -1.0, 1e-12);
  // (0.5, 0.5) and (0.5, 0) quantize to (64, 64) and (64, 0): cos 45 deg.
  ASSERT_TRUE(CosineSimilarity(MakeEmbedding({0.5f, 0.5f}, q, 0, ""),
                               MakeEmbedding({0.5f, 0}, q, 0, ""), &s, &error));
  EXPECT_NEAR(s, std::sqrt(0.5), 1e-12);
  EXPECT_FALSE(CosineSimilarity(MakeEmbedding({1, 0}, f, 0, ""),
                                MakeEmbedding({1, 0}, q, 0, ""), &s, &error));
  EXPECT_NE(error.find("quantized embedding with a float"), std::string::npos)
      << error;
  EXPECT_FALSE(CosineSimilarity(MakeEmbedding({1, 0}, f, 0, ""),
                                MakeEmbedding({1, 0, 0}, f, 0, ""), &s,
                                &error));
  EXPECT_NE(error.find("different sizes (2 and 3)"), std::string::npos)
      << error;
  EXPECT_FALSE(CosineSimilarity(MakeEmbedding({0, 0}, f, 0, ""),
                                MakeEmbedding({1, 0}, f, 0, ""), &s, &error));
  EXPECT_NE(error.find("norm is 0"), std::string::npos) << error;
}

TEST(ImageEmbedder, FeatureVectorsPerHeadWithoutMetadata) {
  const std::string path = WriteTemp("two_heads.tflite", PoolingModel(true));
  ImageEmbedderOptions o;
  o.base_options.model_asset_path = path;
  std::unique_ptr<ImageEmbedder> e;
  std::string error;
  ASSERT_TRUE(ImageEmbedder::CreateFromOptions(o, &e, &error)) << error;
  // No metadata: [-1, 1] normalization, (v - 127.5) / 127.5.
  Image im = Solid(16, 12, 255, 0, 51);
  im.pixels[0] = 0;  // one dark red pixel: the mean moves, the max does not
  EmbeddingResult r;
  ASSERT_TRUE(e->Embed(im, &r, &error)) << error;
  ASSERT_EQ(r.embeddings.size(), 2u);
  EXPECT_EQ(r.embeddings[0].head_name, "mean");
  EXPECT_EQ(r.embeddings[1].head_name, "max");
  EXPECT_EQ(r.embeddings[1].head_index, 1);
  const auto& mean = r.embeddings[0].float_embedding;
  const auto& max = r.embeddings[1].float_embedding;
  ASSERT_EQ(mean.size(), 3u);
  ASSERT_EQ(max.size(), 3u);
  EXPECT_NEAR(max[0], 1.0f, 1e-6);
  EXPECT_NEAR(max[1], -1.0f, 1e-6);
  EXPECT_NEAR(max[2], (51 - 127.5f) / 127.5f, 1e-6);
  EXPECT_LT(mean[0], 1.0f);  // the 16x12 picture is resized to 8x8
  EXPECT_GT(mean[0], 0.9f);
  EXPECT_NEAR(mean[1], -1.0f, 1e-6);
  // Two pictures of the same colour are one direction; red and cyan are
  // opposite in [-1, 1] space.
  EmbeddingResult red, cyan;
  ASSERT_TRUE(e->Embed(Solid(8, 8, 255, 0, 0), &red, &error));
  ASSERT_TRUE(e->Embed(Solid(8, 8, 0, 255, 255), &cyan, &error));
  double s = 0;
  ASSERT_TRUE(ImageEmbedder::CosineSimilarity(red.embeddings[0],
                                              cyan.embeddings[0], &s, &error));
  EXPECT_NEAR(s, -1.0, 1e-6);
  ASSERT_TRUE(ImageEmbedder::CosineSimilarity(red.embeddings[0],
                                              r.embeddings[0], &s, &error));
  EXPECT_GT(s, 0.5);
  EXPECT_LT(s, 1.0);
  // L2-normalized and quantized: (1, -1, -1) / sqrt(3) * 128 = 73.9.
  o.embedder_options.l2_normalize = true;
  o.embedder_options.quantize = true;
  ASSERT_TRUE(ImageEmbedder::CreateFromOptions(o, &e, &error)) << error;
  ASSERT_TRUE(e->Embed(Solid(8, 8, 255, 0, 0), &r, &error)) << error;
  EXPECT_EQ(r.embeddings[0].quantized_embedding,
            (std::vector<int8_t>{74, -74, -74}));
  fs::remove(path);
}

TEST(ImageEmbedder, ReadsNormalizationFromMetadata) {
  const std::vector<uint8_t> model = PoolingModel(false);
  metadata::TaskMetadataOptions mo;
  ASSERT_TRUE(metadata::ParseTaskKind("image_embedder", &mo.task));
  mo.mean = {0.0f};
  mo.std = {255.0f};
  metadata::ModelMetadataBundle bundle;
  std::vector<uint8_t> with;
  std::string error;
  ASSERT_TRUE(metadata::BuildTaskMetadata(model, mo, &bundle, &error)) << error;
  EXPECT_EQ(bundle.metadata.name, "ImageEmbedder");
  ASSERT_TRUE(metadata::WriteModelMetadata(model, bundle, &with, &error))
      << error;
  const std::string path = WriteTemp("meta.tflite", with);
  ImageEmbedderOptions o;
  o.base_options.model_asset_path = path;
  std::unique_ptr<ImageEmbedder> e;
  ASSERT_TRUE(ImageEmbedder::CreateFromOptions(o, &e, &error)) << error;
  EmbeddingResult r;
  ASSERT_TRUE(e->Embed(Solid(8, 8, 255, 0, 51), &r, &error)) << error;
  const auto& v = r.embeddings[0].float_embedding;
  ASSERT_EQ(v.size(), 3u);
  EXPECT_NEAR(v[0], 1.0f, 1e-6);  // 255 / 255: the metadata's std
  EXPECT_NEAR(v[1], 0.0f, 1e-6);
  EXPECT_NEAR(v[2], 0.2f, 1e-6);
  fs::remove(path);
}

TEST(ImageEmbedder, ModelsThatAreNotEmbeddersGetClearErrors) {
  // An output that is a feature map, not a vector.
  testing::ModelBuilder b;
  const int in = b.AddTensor(testing::kF32, {1, 8, 8, 3}, "image");
  const int out = b.AddTensor(testing::kF32, {1, 8, 8, 3}, "map");
  b.AddOp(tfl::BuiltinOperator::LOGISTIC, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  const std::string path = WriteTemp("map.tflite", b.Build());
  ImageEmbedderOptions o;
  o.base_options.model_asset_path = path;
  std::unique_ptr<ImageEmbedder> e;
  std::string error;
  EXPECT_FALSE(ImageEmbedder::CreateFromOptions(o, &e, &error));
  EXPECT_NE(error.find("output 'map'"), std::string::npos) << error;
  EXPECT_NE(error.find("not one feature vector"), std::string::npos) << error;
  fs::remove(path);
  o.base_options.model_asset_path = path;  // now missing
  EXPECT_FALSE(ImageEmbedder::CreateFromOptions(o, &e, &error));
  EXPECT_NE(error.find(path), std::string::npos) << error;
}

// Every task goes through TaskModel, so one task shows the delegates: the
// reference kernels and the gpu delegate give the CPU's embedding (within
// the gpu delegate's fp32 tolerance, 1e-4); without a Vulkan device "gpu"
// is a clear error (a failure under EMBER_REQUIRE_VULKAN=1, as in CI), and
// so is a delegate library that does not exist.
TEST(ImageEmbedder, RunsOnEveryDelegate) {
  const std::string path = WriteTemp("delegates.tflite", PoolingModel(true));
  Image im = Solid(16, 12, 200, 30, 90);
  im.pixels[5] = 7;
  std::vector<std::vector<float>> results;
  for (const char* name : {"cpu", "reference", "gpu"}) {
    ImageEmbedderOptions o;
    o.base_options.model_asset_path = path;
    o.base_options.delegate = name;
    std::unique_ptr<ImageEmbedder> e;
    std::string error;
    if (!ImageEmbedder::CreateFromOptions(o, &e, &error)) {
      ASSERT_EQ(std::string(name), "gpu") << error;
      EXPECT_NE(error.find("delegate 'gpu' cannot run"), std::string::npos)
          << error;
      const char* require = std::getenv("EMBER_REQUIRE_VULKAN");
      EXPECT_FALSE(require != nullptr && std::string(require) == "1")
          << "no Vulkan device under EMBER_REQUIRE_VULKAN=1: " << error;
      continue;
    }
    EmbeddingResult r;
    ASSERT_TRUE(e->Embed(im, &r, &error)) << name << ": " << error;
    std::vector<float> all;
    for (const auto& h : r.embeddings)
      all.insert(all.end(), h.float_embedding.begin(), h.float_embedding.end());
    results.push_back(all);
  }
  for (size_t k = 1; k < results.size(); ++k) {
    ASSERT_EQ(results[k].size(), results[0].size());
    for (size_t i = 0; i < results[0].size(); ++i)
      EXPECT_NEAR(results[k][i], results[0][i], 1e-4) << k << " " << i;
  }
  ImageEmbedderOptions o;
  o.base_options.model_asset_path = path;
  o.base_options.delegate = "/nonexistent/libdelegate.so";
  std::unique_ptr<ImageEmbedder> e;
  std::string error;
  EXPECT_FALSE(ImageEmbedder::CreateFromOptions(o, &e, &error));
  EXPECT_NE(error.find("cannot run"), std::string::npos) << error;
  fs::remove(path);
}

}  // namespace
}  // namespace ember::tasks
