// TFLite Metadata (src/metadata): round trips through Ember's writer and
// reader, the reader against a model whose metadata the official TFLite
// Support writer produced (tests/metadata/data, see make_official_fixture.py),
// the packed zip against Python's zipfile, damaged inputs, and the
// `ember metadata` / convert / quantize commands.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "metadata/model_metadata.h"
#include "metadata/task_metadata.h"
#include "metadata/zip_store.h"
#include "util/model_builder.h"

namespace ember::metadata {
namespace {

namespace fs = std::filesystem;
namespace tfl = ember::fb;  // the model schema (fb: the metadata schema)
using testing::kF32;
using testing::kI32;
using testing::ModelBuilder;

std::vector<uint8_t> Bytes(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

// [1,4,4,channels] float image -> reshape -> fully connected -> softmax over
// `classes` scores.
std::vector<uint8_t> TinyClassifier(int classes, int channels = 3) {
  ModelBuilder b;
  const int features = 16 * channels;
  const int in = b.AddTensor(kF32, {1, 4, 4, channels}, "image");
  const int shape = b.AddConstant(kI32, {2}, std::vector<int32_t>{1, features});
  const int flat = b.AddTensor(kF32, {1, features}, "flat");
  std::vector<float> w(static_cast<size_t>(classes * features));
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = 0.01f * static_cast<float>(i % 7);
  const int weights = b.AddConstant(kF32, {classes, features}, w, "weights");
  const int logits = b.AddTensor(kF32, {1, classes}, "logits");
  const int probs = b.AddTensor(kF32, {1, classes}, "probs");
  b.AddOp(tfl::BuiltinOperator::RESHAPE, {in, shape}, {flat});
  tfl::BuiltinOptionsUnion fc;
  fc.Set(tfl::FullyConnectedOptionsT{});
  b.AddOp(tfl::BuiltinOperator::FULLY_CONNECTED, {flat, weights, -1}, {logits},
          fc);
  tfl::SoftmaxOptionsT softmax_options;
  softmax_options.beta = 1.0f;
  tfl::BuiltinOptionsUnion softmax;
  softmax.Set(softmax_options);
  b.AddOp(tfl::BuiltinOperator::SOFTMAX, {logits}, {probs}, softmax);
  b.SetInputs({in});
  b.SetOutputs({probs});
  return b.Build();
}

TaskMetadataOptions ClassifierOptions() {
  TaskMetadataOptions o;
  o.labels = Bytes("cat\ndog\nbird\n");
  o.mean = {127.5f};
  o.std = {127.5f};
  o.name = "tiny";
  o.author = "ember tests";
  return o;
}

std::vector<uint8_t> WithClassifierMetadata(const std::vector<uint8_t>& model) {
  ModelMetadataBundle bundle;
  std::string error;
  EXPECT_TRUE(BuildTaskMetadata(model, ClassifierOptions(), &bundle, &error))
      << error;
  std::vector<uint8_t> out;
  EXPECT_TRUE(WriteModelMetadata(model, bundle, &out, &error)) << error;
  return out;
}

std::vector<uint8_t> ReadFixture(const std::string& name) {
  std::vector<uint8_t> bytes;
  std::string error;
  EXPECT_TRUE(ReadWholeFile(
      std::string(EMBER_SOURCE_DIR) + "/tests/metadata/data/" + name, &bytes,
      &error))
      << error;
  return bytes;
}

std::string FileText(const std::vector<PackedFile>& files,
                     const std::string& name) {
  for (const PackedFile& f : files)
    if (f.name == name) return std::string(f.data.begin(), f.data.end());
  return "<missing " + name + ">";
}

// A model whose TFLITE_METADATA entry points at a buffer holding `bytes`.
std::vector<uint8_t> ModelWithMetadataBuffer(const std::vector<uint8_t>& bytes,
                                             uint32_t buffer_delta = 0) {
  ModelBuilder b;
  const int in = b.AddTensor(kF32, {1, 2}, "x");
  const int out = b.AddTensor(kF32, {1, 2}, "y");
  b.AddOp(tfl::BuiltinOperator::RELU, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  auto buffer = std::make_unique<tfl::BufferT>();
  buffer->data = bytes;
  b.model().buffers.push_back(std::move(buffer));
  auto entry = std::make_unique<tfl::MetadataT>();
  entry->name = kMetadataEntryName;
  entry->buffer =
      static_cast<uint32_t>(b.model().buffers.size() - 1) + buffer_delta;
  b.model().metadata.push_back(std::move(entry));
  return b.Build();
}

// --- zip -----------------------------------------------------------------

TEST(MetadataZip, Crc32KnownValue) {
  // The standard check value of CRC-32/ISO-HDLC.
  const std::string text = "123456789";
  EXPECT_EQ(Crc32(Bytes(text)), 0xCBF43926u);
}

TEST(MetadataZip, RoundTripAfterPrefix) {
  std::vector<uint8_t> bytes = Bytes("not a zip, a model would be here");
  std::string error;
  ASSERT_TRUE(AppendStoredZip({{"a.txt", Bytes("alpha\n")}, {"empty.txt", {}}},
                              &bytes, &error));
  bool found = false;
  std::vector<PackedFile> files;
  ASSERT_TRUE(ReadStoredZip(bytes, &found, &files, &error)) << error;
  ASSERT_TRUE(found);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(FileText(files, "a.txt"), "alpha\n");
  EXPECT_EQ(FileText(files, "empty.txt"), "");
}

TEST(MetadataZip, NoArchiveIsNotAnError) {
  bool found = true;
  std::vector<PackedFile> files;
  std::string error;
  EXPECT_TRUE(
      ReadStoredZip(Bytes("plain bytes, no zip"), &found, &files, &error));
  EXPECT_FALSE(found);
}

TEST(MetadataZip, DamagedDataFailsCrc) {
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(AppendStoredZip({{"a.txt", Bytes("alpha")}}, &bytes, &error));
  bytes[30 + 5] ^= 0x20;  // first byte of the data, after header + name
  bool found = false;
  std::vector<PackedFile> files;
  EXPECT_FALSE(ReadStoredZip(bytes, &found, &files, &error));
  EXPECT_NE(error.find("CRC"), std::string::npos) << error;
}

TEST(MetadataZip, CompressedEntryIsRejectedByName) {
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(AppendStoredZip({{"a.txt", Bytes("alpha")}}, &bytes, &error));
  // Central header follows the local entry: patch its method to deflate.
  const size_t central = 30 + 5 + 5;
  ASSERT_EQ(bytes[central], 0x50);
  bytes[central + 10] = 8;
  bool found = false;
  std::vector<PackedFile> files;
  EXPECT_FALSE(ReadStoredZip(bytes, &found, &files, &error));
  EXPECT_NE(error.find("'a.txt' is compressed"), std::string::npos) << error;
}

TEST(MetadataZip, CentralDirectoryOutOfRange) {
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(AppendStoredZip({{"a.txt", Bytes("alpha")}}, &bytes, &error));
  bytes[bytes.size() - 22 + 12] = 0xff;  // central directory size
  bytes[bytes.size() - 22 + 13] = 0xff;
  bool found = false;
  std::vector<PackedFile> files;
  EXPECT_FALSE(ReadStoredZip(bytes, &found, &files, &error));
  EXPECT_TRUE(found);
  EXPECT_NE(error.find("central directory"), std::string::npos) << error;
}

// --- read / write -----------------------------------------------------------

TEST(Metadata, ImageClassifierRoundTrip) {
  const std::vector<uint8_t> model = TinyClassifier(3);
  const std::vector<uint8_t> with = WithClassifierMetadata(model);
  ModelMetadataBundle read;
  std::string error;
  ASSERT_EQ(ReadModelMetadata(with, &read, &error), ReadResult::kOk) << error;
  const fb::ModelMetadataT& m = read.metadata;
  EXPECT_EQ(m.name, "tiny");
  EXPECT_EQ(m.author, "ember tests");
  EXPECT_EQ(m.min_parser_version, "1.0.0");
  ASSERT_EQ(m.subgraph_metadata.size(), 1u);
  const auto& sg = *m.subgraph_metadata[0];
  ASSERT_EQ(sg.input_tensor_metadata.size(), 1u);
  const auto& image = *sg.input_tensor_metadata[0];
  ASSERT_TRUE(image.content);
  ASSERT_NE(image.content->content_properties.AsImageProperties(), nullptr);
  EXPECT_EQ(image.content->content_properties.AsImageProperties()->color_space,
            fb::ColorSpaceType::RGB);
  ASSERT_EQ(image.process_units.size(), 1u);
  const auto* norm = image.process_units[0]->options.AsNormalizationOptions();
  ASSERT_NE(norm, nullptr);
  EXPECT_EQ(norm->mean, std::vector<float>{127.5f});
  EXPECT_EQ(norm->std, std::vector<float>{127.5f});
  ASSERT_TRUE(image.stats);
  EXPECT_EQ(image.stats->min, std::vector<float>{-1.0f});
  EXPECT_EQ(image.stats->max, std::vector<float>{1.0f});
  ASSERT_EQ(sg.output_tensor_metadata.size(), 1u);
  const auto& scores = *sg.output_tensor_metadata[0];
  ASSERT_EQ(scores.associated_files.size(), 1u);
  EXPECT_EQ(scores.associated_files[0]->name, "labels.txt");
  EXPECT_EQ(scores.associated_files[0]->type,
            fb::AssociatedFileType::TENSOR_AXIS_LABELS);
  EXPECT_EQ(FileText(read.files, "labels.txt"), "cat\ndog\nbird\n");

  // Writing the read bundle again gives the same bytes.
  std::vector<uint8_t> again;
  ASSERT_TRUE(WriteModelMetadata(with, read, &again, &error)) << error;
  EXPECT_EQ(again, with);
}

TEST(Metadata, ModelWithoutMetadata) {
  ModelMetadataBundle read;
  std::string error;
  EXPECT_EQ(ReadModelMetadata(TinyClassifier(3), &read, &error),
            ReadResult::kNoMetadata);
}

TEST(Metadata, ObjectDetectorLayout) {
  ModelBuilder b;
  const int in = b.AddTensor(kF32, {1, 8, 8, 3}, "image");
  std::vector<int> outs;
  for (const char* name : {"boxes", "classes", "scores", "count"})
    outs.push_back(b.AddTensor(kF32, {1, 10}, name));
  b.AddCustomOp("TFLite_Detection_PostProcess", {in}, outs);
  b.SetInputs({in});
  b.SetOutputs(outs);
  const std::vector<uint8_t> model = b.Build();
  TaskMetadataOptions o = ClassifierOptions();
  o.task = TaskKind::kObjectDetector;
  o.score_threshold = 0.4f;
  ModelMetadataBundle bundle;
  std::string error;
  ASSERT_TRUE(BuildTaskMetadata(model, o, &bundle, &error)) << error;
  std::vector<uint8_t> with;
  ASSERT_TRUE(WriteModelMetadata(model, bundle, &with, &error)) << error;
  ModelMetadataBundle read;
  ASSERT_EQ(ReadModelMetadata(with, &read, &error), ReadResult::kOk) << error;
  const auto& sg = *read.metadata.subgraph_metadata[0];
  ASSERT_EQ(sg.output_tensor_metadata.size(), 4u);
  const auto* box = sg.output_tensor_metadata[0]
                        ->content->content_properties.AsBoundingBoxProperties();
  ASSERT_NE(box, nullptr);
  EXPECT_EQ(box->index, (std::vector<uint32_t>{1, 0, 3, 2}));
  EXPECT_EQ(box->type, fb::BoundingBoxType::BOUNDARIES);
  EXPECT_EQ(sg.output_tensor_metadata[1]->associated_files[0]->type,
            fb::AssociatedFileType::TENSOR_VALUE_LABELS);
  const auto* threshold = sg.output_tensor_metadata[2]
                              ->process_units[0]
                              ->options.AsScoreThresholdingOptions();
  ASSERT_NE(threshold, nullptr);
  EXPECT_FLOAT_EQ(threshold->global_score_threshold, 0.4f);
  ASSERT_EQ(sg.output_tensor_groups.size(), 1u);
  // Tensor groups came with parser version 1.2.0.
  EXPECT_EQ(read.metadata.min_parser_version, "1.2.0");
}

TEST(Metadata, TaskShapeErrorsNameTheProblem) {
  std::string error;
  ModelMetadataBundle bundle;
  // Labels do not match the classes.
  EXPECT_FALSE(BuildTaskMetadata(TinyClassifier(4), ClassifierOptions(),
                                 &bundle, &error));
  EXPECT_NE(error.find("3 labels"), std::string::npos) << error;
  // Two-channel image.
  EXPECT_FALSE(BuildTaskMetadata(TinyClassifier(3, 2), ClassifierOptions(),
                                 &bundle, &error));
  EXPECT_NE(error.find("[1,4,4,2]"), std::string::npos) << error;
  // Per-channel mean of the wrong length.
  TaskMetadataOptions o = ClassifierOptions();
  o.mean = {1, 2};
  EXPECT_FALSE(BuildTaskMetadata(TinyClassifier(3), o, &bundle, &error));
  EXPECT_NE(error.find("--mean/--std"), std::string::npos) << error;
  // A detector needs four outputs.
  o = ClassifierOptions();
  o.task = TaskKind::kObjectDetector;
  EXPECT_FALSE(BuildTaskMetadata(TinyClassifier(3), o, &bundle, &error));
  EXPECT_NE(error.find("4 outputs"), std::string::npos) << error;
}

TEST(Metadata, WriterChecksPackedFilesAgainstNames) {
  const std::vector<uint8_t> model = TinyClassifier(3);
  ModelMetadataBundle bundle;
  std::string error;
  ASSERT_TRUE(BuildTaskMetadata(model, ClassifierOptions(), &bundle, &error));
  ModelMetadataBundle missing = bundle;
  missing.files.clear();
  std::vector<uint8_t> out;
  EXPECT_FALSE(WriteModelMetadata(model, missing, &out, &error));
  EXPECT_NE(error.find("'labels.txt'"), std::string::npos) << error;
  ModelMetadataBundle extra = bundle;
  extra.files.push_back({"stray.txt", Bytes("x")});
  EXPECT_FALSE(WriteModelMetadata(model, extra, &out, &error));
  EXPECT_NE(error.find("'stray.txt'"), std::string::npos) << error;
}

TEST(Metadata, DamagedMetadataBuffers) {
  fb::ModelMetadataT m;
  m.name = "a name long enough to matter";
  m.min_parser_version = "1.0.0";
  const std::vector<uint8_t> good = SerializeMetadata(m);
  ModelMetadataBundle read;
  std::string error;
  ASSERT_EQ(ReadModelMetadata(ModelWithMetadataBuffer(good), &read, &error),
            ReadResult::kOk)
      << error;
  EXPECT_EQ(read.metadata.name, m.name);

  std::vector<uint8_t> truncated(good.begin(), good.begin() + good.size() / 2);
  EXPECT_EQ(
      ReadModelMetadata(ModelWithMetadataBuffer(truncated), &read, &error),
      ReadResult::kError);
  EXPECT_NE(error.find("malformed or truncated"), std::string::npos) << error;

  std::vector<uint8_t> wrong_id = good;
  std::copy_n("XXXX", 4, wrong_id.begin() + 4);
  EXPECT_EQ(ReadModelMetadata(ModelWithMetadataBuffer(wrong_id), &read, &error),
            ReadResult::kError);
  EXPECT_NE(error.find("M001"), std::string::npos) << error;

  EXPECT_EQ(ReadModelMetadata(ModelWithMetadataBuffer({}), &read, &error),
            ReadResult::kError);
  EXPECT_NE(error.find("0 bytes"), std::string::npos) << error;

  EXPECT_EQ(ReadModelMetadata(ModelWithMetadataBuffer(good, 5), &read, &error),
            ReadResult::kError);
  EXPECT_NE(error.find("does not have"), std::string::npos) << error;

  EXPECT_EQ(ReadModelMetadata(Bytes("definitely not a model"), &read, &error),
            ReadResult::kError);
  EXPECT_NE(error.find("TFL3"), std::string::npos) << error;
}

TEST(Metadata, TruncatedArchiveIsReported) {
  std::vector<uint8_t> with = WithClassifierMetadata(TinyClassifier(3));
  with.resize(with.size() - 10);  // cuts the zip's end record
  ModelMetadataBundle read;
  std::string error;
  EXPECT_EQ(ReadModelMetadata(with, &read, &error), ReadResult::kError);
  EXPECT_NE(error.find("'labels.txt'"), std::string::npos) << error;
}

// --- the official writer's output --------------------------------------------

TEST(MetadataOfficial, ReadsTfliteSupportImageClassifier) {
  const std::vector<uint8_t> bytes =
      ReadFixture("official_image_classifier.tflite");
  ModelMetadataBundle read;
  std::string error;
  ASSERT_EQ(ReadModelMetadata(bytes, &read, &error), ReadResult::kOk) << error;
  const fb::ModelMetadataT& m = read.metadata;
  EXPECT_EQ(m.name, "ImageClassifier");
  EXPECT_EQ(m.min_parser_version, "1.0.0");
  ASSERT_EQ(m.subgraph_metadata.size(), 1u);
  const auto& sg = *m.subgraph_metadata[0];
  const auto& image = *sg.input_tensor_metadata.at(0);
  EXPECT_EQ(image.name, "image");
  EXPECT_EQ(image.content->content_properties.AsImageProperties()->color_space,
            fb::ColorSpaceType::RGB);
  const auto* norm =
      image.process_units.at(0)->options.AsNormalizationOptions();
  ASSERT_NE(norm, nullptr);
  EXPECT_EQ(norm->mean, std::vector<float>{127.5f});
  EXPECT_EQ(image.stats->min, std::vector<float>{-1.0f});
  const auto& probs = *sg.output_tensor_metadata.at(0);
  EXPECT_EQ(probs.name, "probability");
  EXPECT_NE(probs.content->content_properties.AsFeatureProperties(), nullptr);
  const auto* calibration =
      probs.process_units.at(0)->options.AsScoreCalibrationOptions();
  ASSERT_NE(calibration, nullptr);
  EXPECT_EQ(calibration->score_transformation,
            fb::ScoreTransformationType::LOG);
  EXPECT_FLOAT_EQ(calibration->default_score, 0.2f);
  ASSERT_EQ(probs.associated_files.size(), 2u);
  EXPECT_EQ(probs.associated_files[0]->type,
            fb::AssociatedFileType::TENSOR_AXIS_LABELS);
  EXPECT_EQ(probs.associated_files[1]->type,
            fb::AssociatedFileType::TENSOR_AXIS_SCORE_CALIBRATION);
  EXPECT_EQ(FileText(read.files, "labels.txt"), "cat\ndog\nbird\n");
  EXPECT_EQ(FileText(read.files, "calibration.txt"),
            "1.0,2.0,0.5\n1.5,1.0,0.0,0.1\n\n");
  // Ember's serialization of what it read reads back to the same tree.
  fb::ModelMetadataT again;
  const std::vector<uint8_t> ours = SerializeMetadata(m);
  fb::GetModelMetadata(ours.data())->UnPackTo(&again);
  EXPECT_EQ(SerializeMetadata(again), ours);
}

// --- CLI -----------------------------------------------------------------

struct CommandResult {
  int code = -1;
  std::string output;
};

CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> chunk;
  size_t n;
  while ((n = fread(chunk.data(), 1, chunk.size(), pipe)) > 0)
    r.output.append(chunk.data(), n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class MetadataCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ember_metadata_cli_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    Write("model.tflite", TinyClassifier(3));
    Write("labels.txt", Bytes("cat\ndog\nbird\n"));
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::vector<uint8_t>& bytes) {
    std::ofstream(dir_ / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
  std::string P(const std::string& name) const {
    return (dir_ / name).string();
  }
  CommandResult Ember(const std::string& args) {
    return RunCommand(std::string(EMBER_CLI_PATH) + " " + args);
  }
  ModelMetadataBundle Read(const std::string& name) {
    std::vector<uint8_t> bytes;
    std::string error;
    EXPECT_TRUE(ReadWholeFile(P(name), &bytes, &error)) << error;
    ModelMetadataBundle bundle;
    EXPECT_EQ(ReadModelMetadata(bytes, &bundle, &error), ReadResult::kOk)
        << name << ": " << error;
    return bundle;
  }
  std::string WriteClassifierMetadata() {
    return "metadata " + P("model.tflite") + " -o " + P("md.tflite") +
           " --task image_classifier --labels " + P("labels.txt") +
           " --mean 0 --std 255 --name tiny --author me";
  }
  fs::path dir_;
};

TEST_F(MetadataCli, WriteShowConvertQuantizeKeepIt) {
  CommandResult r = Ember(WriteClassifierMetadata());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(Read("md.tflite").metadata.name, "tiny");

  r = Ember("metadata " + P("md.tflite"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("NormalizationOptions"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("packed labels.txt (13 bytes)"), std::string::npos)
      << r.output;
  r = Ember("metadata --json " + P("md.tflite"));
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["author"], "me");
  EXPECT_EQ(j["subgraph_metadata"][0]["input_tensor_metadata"][0]
             ["process_units"][0]["options"]["std"][0],
            255.0);

  // The model with metadata still loads and runs.
  r = Ember("run " + P("md.tflite") + " --random-inputs 1");
  EXPECT_EQ(r.code, 0) << r.output;

  for (const std::string& rewrite :
       {"convert " + P("md.tflite") + " -o " + P("converted.tflite"),
        "quantize " + P("md.tflite") + " -o " + P("quantized.tflite") +
            " --mode dynamic"}) {
    r = Ember(rewrite);
    ASSERT_EQ(r.code, 0) << rewrite << "\n" << r.output;
  }
  for (const char* name : {"converted.tflite", "quantized.tflite"}) {
    ModelMetadataBundle kept = Read(name);
    EXPECT_EQ(kept.metadata.author, "me") << name;
    EXPECT_EQ(FileText(kept.files, "labels.txt"), "cat\ndog\nbird\n") << name;
  }
}

TEST_F(MetadataCli, PythonZipfileReadsThePackedLabels) {
  ASSERT_EQ(Ember(WriteClassifierMetadata()).code, 0);
  // Python's zipfile is an independent reader of the archive Ember appends.
  CommandResult r = RunCommand(
      "python3 -c \"import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); "
      "assert z.testzip() is None; print(z.namelist(), "
      "repr(z.read('labels.txt').decode()))\" " +
      P("md.tflite"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("['labels.txt'] 'cat\\ndog\\nbird\\n'"),
            std::string::npos)
      << r.output;
}

TEST_F(MetadataCli, ErrorsExitNonZeroAndWriteNothing) {
  struct Case {
    std::string args, needle;
  };
  Write("four.txt", Bytes("a\nb\nc\nd\n"));
  Write("garbage.tflite", Bytes("this is not a flatbuffer at all"));
  const std::string write =
      "metadata " + P("model.tflite") + " -o " + P("out.tflite");
  const std::vector<Case> cases = {
      {"metadata " + P("missing.tflite"), "no such file"},
      {"metadata " + P("model.tflite"), "no TFLite metadata"},
      {"metadata " + P("garbage.tflite"), "TFL3"},
      {write + " --task image_classifier --labels " + P("four.txt"),
       "4 labels"},
      {write + " --task image_classifier --labels " + P("nope.txt"),
       "no such file"},
      {write + " --task pose --labels " + P("labels.txt"), "not supported"},
      {write + " --labels " + P("labels.txt"), "needs --task"},
      {write + " --task object_detector --labels " + P("labels.txt"),
       "4 outputs"},
  };
  for (const Case& c : cases) {
    CommandResult r = Ember(c.args);
    EXPECT_NE(r.code, 0) << c.args;
    EXPECT_NE(r.output.find(c.needle), std::string::npos) << c.args << "\n"
                                                          << r.output;
    EXPECT_FALSE(fs::exists(P("out.tflite"))) << c.args;
    EXPECT_FALSE(fs::exists(P("out.tflite.tmp"))) << c.args;
  }
}

}  // namespace
}  // namespace ember::metadata
