// AudioClassifier on a waveform model built here whose scores are its
// input samples (RELU of [1,4]): each chunk's best class is the position of
// its largest sample, so chunking, padding and timestamps are checked by
// hand.
#include "tasks/audio_classifier.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "metadata/model_metadata.h"
#include "metadata/task_metadata.h"
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
  return testing_files::WriteTemp("audio_test", name, bytes);
}

std::vector<uint8_t> WaveformModel() {
  testing::ModelBuilder b;
  const int in = b.AddTensor(testing::kF32, {1, 4}, "samples");
  const int out = b.AddTensor(testing::kF32, {1, 4}, "scores");
  b.AddOp(tfl::BuiltinOperator::RELU, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Build();
}

std::string ModelWithMetadata(int sample_rate) {
  const std::vector<uint8_t> model = WaveformModel();
  metadata::TaskMetadataOptions mo;
  EXPECT_TRUE(metadata::ParseTaskKind("audio_classifier", &mo.task));
  mo.sample_rate = sample_rate;
  const std::string labels = "a\nb\nc\nd\n";
  mo.labels.assign(labels.begin(), labels.end());
  metadata::ModelMetadataBundle bundle;
  std::vector<uint8_t> with;
  std::string error;
  EXPECT_TRUE(metadata::BuildTaskMetadata(model, mo, &bundle, &error)) << error;
  EXPECT_EQ(bundle.metadata.name, "AudioClassifier");
  EXPECT_TRUE(metadata::WriteModelMetadata(model, bundle, &with, &error))
      << error;
  return WriteTemp("audio.tflite", with);
}

TEST(AudioClassifier, ChunksOfTheInputLengthWithTimestamps) {
  const std::string path = ModelWithMetadata(1000);
  AudioClassifierOptions o;
  o.base_options.model_asset_path = path;
  o.classifier_options.max_results = 1;
  std::unique_ptr<AudioClassifier> c;
  std::string error;
  ASSERT_TRUE(AudioClassifier::CreateFromOptions(o, &c, &error)) << error;
  EXPECT_EQ(c->sample_rate(), 1000);
  EXPECT_EQ(c->chunk_samples(), 4);
  processing::AudioClip clip;
  clip.sample_rate = 1000;
  clip.samples = {0.1f, 0.9f, 0.2f, 0.3f, 0.5f, 0.4f, 0, 0, 0.7f};
  AudioClassifierResult r;
  ASSERT_TRUE(c->Classify(clip, &r, &error)) << error;
  ASSERT_EQ(r.chunks.size(), 3u);  // 4 + 4 + 1 padded with silence
  const int expected_ms[] = {0, 4, 8};
  const char* expected_best[] = {"b", "a", "a"};
  const float expected_score[] = {0.9f, 0.5f, 0.7f};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r.chunks[i].timestamp_ms, expected_ms[i]);
    const auto& cats = r.chunks[i].classifications.categories;
    ASSERT_EQ(cats.size(), 1u);
    EXPECT_EQ(cats[0].category_name, expected_best[i]);
    EXPECT_NEAR(cats[0].score, expected_score[i], 1e-6);
  }
  // A clip at twice the rate is resampled: still three chunks.
  clip.sample_rate = 2000;
  clip.samples.assign(18, 0.25f);
  ASSERT_TRUE(c->Classify(clip, &r, &error)) << error;
  EXPECT_EQ(r.chunks.size(), 3u);
  // An empty clip is one chunk of silence, not nothing or a crash.
  clip.samples.clear();
  ASSERT_TRUE(c->Classify(clip, &r, &error)) << error;
  ASSERT_EQ(r.chunks.size(), 1u);
  EXPECT_EQ(r.chunks[0].classifications.categories[0].score, 0.0f);
  fs::remove(path);
}

TEST(AudioClassifier, ModelsWithoutARateOrWaveformGetClearErrors) {
  AudioClassifierOptions o;
  std::unique_ptr<AudioClassifier> c;
  std::string error;
  const std::string bare = WriteTemp("bare.tflite", WaveformModel());
  o.base_options.model_asset_path = bare;
  EXPECT_FALSE(AudioClassifier::CreateFromOptions(o, &c, &error));
  EXPECT_NE(error.find("--task audio_classifier --sample-rate"),
            std::string::npos)
      << error;
  fs::remove(bare);
  // The writer refuses a rate no clip has, and an input that is no waveform.
  metadata::TaskMetadataOptions mo;
  mo.task = metadata::TaskKind::kAudioClassifier;
  mo.labels = {'a', '\n', 'b', '\n', 'c', '\n', 'd', '\n'};
  mo.sample_rate = 10;
  metadata::ModelMetadataBundle bundle;
  EXPECT_FALSE(
      metadata::BuildTaskMetadata(WaveformModel(), mo, &bundle, &error));
  EXPECT_NE(error.find("--sample-rate"), std::string::npos) << error;
  testing::ModelBuilder b;
  const int in = b.AddTensor(testing::kI32, {1, 4}, "ids");
  const int out = b.AddTensor(testing::kI32, {1, 4}, "same");
  b.AddOp(tfl::BuiltinOperator::ABS, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  mo.sample_rate = 16000;
  EXPECT_FALSE(metadata::BuildTaskMetadata(b.Build(), mo, &bundle, &error));
  EXPECT_NE(error.find("float32 [1,samples]"), std::string::npos) << error;
}

}  // namespace
}  // namespace ember::tasks
