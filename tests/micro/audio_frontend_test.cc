// The audio front end (TFLM's signal library custom ops and the int32 ops
// of audio_preprocessor_int8) on the micro runtime.
//
// 1. Each signal op, one-op models over the golden frames of
//    tests/signal/golden (TFLM's Python interpreter's outputs, made by
//    tests/signal/make_golden.py): the micro interpreter must give TFLM's
//    bits frame after frame (state carried), and Ember's host interpreter's.
// 2. The whole preprocessor on the micro_speech clips (../shared/models,
//    skipped without them unless EMBER_REQUIRE_SHARED_MODELS=1): 49 windows
//    per clip, the 49 x 40 features bit-identical to the host interpreter
//    and to TFLM (tests/micro/golden, made by `tests/micro/audio_app.py
//    golden`), then
//    micro_speech on the micro runtime: scores equal to TFLM's, "yes" for
//    the yes clip and "no" for the no clip.
// 3. Bad input: hostile / missing options, a custom op missing from the
//    resolver, an arena too small for the FFT tables fail with an error
//    status and a message; Reset() clears the noise estimate.
// ops/signal_options.h first: it configures flexbuffers.h.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "io/npy.h"
#include "micro/micro_interpreter.h"
#include "micro/micro_test_util.h"
#include "ops/signal_options.h"
#include "signal/golden_model.h"
#include "tasks/shared_models.h"
#include "util/model_builder.h"

namespace ember::testing {
namespace {

using micro::MicroStatus;
using namespace signal_golden;
using tasks::testing_files::Shared;

// A model in the micro interpreter with every op.
struct MicroRunner {
  std::vector<uint64_t> model_storage;
  std::vector<uint64_t> arena_storage;
  micro::MicroOpResolver<kAllMicroOps> resolver;
  MicroErrorLog log;
  std::unique_ptr<micro::MicroInterpreter> interp;

  MicroRunner(const std::vector<uint8_t>& model, size_t arena_size,
              bool all_ops = true) {
    model_storage.resize(model.size() / 8 + 2);
    std::memcpy(model_storage.data(), model.data(), model.size());
    arena_storage.resize(arena_size / 8 + 2);
    if (all_ops) AddAllMicroOps(resolver);
    interp = std::make_unique<micro::MicroInterpreter>(
        reinterpret_cast<const uint8_t*>(model_storage.data()), model.size(),
        resolver, reinterpret_cast<uint8_t*>(arena_storage.data()), arena_size,
        MicroErrorLog::Callback, &log);
  }
  std::string LastError() const {
    if (log.errors.empty()) return "(no error reported)";
    const micro::MicroError& e = log.errors.back();
    return std::string(micro::MicroStatusName(e.status)) + ": " + e.message +
           " (op " + std::to_string(e.op_index) + ")";
  }
};

// Runs golden case `name` on the micro interpreter frame by frame against
// TFLM's outputs, then the same frames against the host interpreter.
// Returns the number of frames checked.
int RunGolden(const std::string& name, const std::string& code,
              const std::vector<bool>& constant, int num_outputs,
              const Options& options) {
  const std::string dir =
      std::string(EMBER_SOURCE_DIR) + "/tests/signal/golden/" + name + "/";
  std::vector<NpyArray> ins, outs;
  for (size_t k = 0; k < constant.size(); ++k)
    ins.push_back(Load(dir + "in" + std::to_string(k) + ".npy"));
  for (int k = 0; k < num_outputs; ++k)
    outs.push_back(Load(dir + "out" + std::to_string(k) + ".npy"));
  if (::testing::Test::HasFailure()) return 0;
  const auto model = OneOpModel(code, ins, constant, outs, Flex(options));
  MicroRunner run(model, 256 * 1024);
  if (run.interp->AllocateTensors() != MicroStatus::kOk) {
    ADD_FAILURE() << name << ": " << run.LastError();
    return 0;
  }
  const int frames = static_cast<int>(outs[0].shape[0]);
  std::vector<std::vector<std::vector<uint8_t>>> frame_inputs(frames);
  for (int f = 0; f < frames; ++f) {
    int var = 0;
    for (size_t k = 0; k < ins.size(); ++k) {
      if (constant[k]) continue;
      const micro::MicroTensor t = run.interp->input(var++);
      const size_t bytes = ins[k].data.size() / frames;
      EXPECT_EQ(t.bytes, bytes) << name;
      if (t.bytes != bytes) return 0;
      const uint8_t* src = ins[k].data.data() + f * bytes;
      frame_inputs[f].emplace_back(src, src + bytes);
      std::memcpy(t.data, src, bytes);
    }
    if (run.interp->Invoke() != MicroStatus::kOk) {
      ADD_FAILURE() << name << " frame " << f << ": " << run.LastError();
      return 0;
    }
    for (int k = 0; k < num_outputs; ++k) {
      const micro::MicroTensor t = run.interp->output(k);
      const size_t bytes = outs[k].data.size() / frames;
      EXPECT_EQ(t.bytes, bytes) << name << " output " << k;
      if (t.bytes != bytes) return 0;
      if (std::memcmp(t.data, outs[k].data.data() + f * bytes, bytes) != 0) {
        ADD_FAILURE() << name << " frame " << f << " output " << k
                      << ": micro differs from TFLM";
        return 0;
      }
    }
  }
  const CompareResult host = CompareMicroWithHost(model, frame_inputs);
  EXPECT_TRUE(host.ok) << name << ": micro vs host: " << host.message;
  return frames;
}

#define EMBER_SIGNAL_GOLDEN_SUITE MicroSignalGolden
#include "signal/golden_tests.h"
#undef EMBER_SIGNAL_GOLDEN_SUITE

// ------------------------------------------------------------ bad input

std::vector<uint8_t> SpectralModel(const std::vector<uint8_t>& options) {
  ModelBuilder b;
  const int in = b.AddTensor(fb::TensorType::UINT32, {10});
  const int out = b.AddTensor(fb::TensorType::UINT32, {10});
  const int noise = b.AddTensor(fb::TensorType::UINT32, {10});
  b.AddCustomOp("SignalFilterBankSpectralSubtraction", {in}, {out, noise},
                options);
  b.SetInputs({in});
  b.SetOutputs({out, noise});
  return b.Build();
}

TEST(MicroSignalErrors, HostileOrMissingOptionsFailCleanly) {
  const std::vector<uint8_t> good = Flex(SpectralOptions(true));
  {
    MicroRunner run(SpectralModel(good), 16 * 1024);
    ASSERT_EQ(run.interp->AllocateTensors(), MicroStatus::kOk)
        << run.LastError();
  }
  // Every truncation and a few byte flips of valid options: an error or a
  // valid parse, never a read outside the bytes (ASan runs this too).
  for (size_t cut = 0; cut < good.size(); ++cut) {
    std::vector<uint8_t> bad(good.begin(), good.begin() + cut);
    MicroRunner run(SpectralModel(bad), 16 * 1024);
    EXPECT_NE(run.interp->AllocateTensors(), MicroStatus::kOk) << cut;
  }
  for (size_t i = 0; i < good.size(); ++i) {
    std::vector<uint8_t> bad = good;
    bad[i] ^= 0xA5;
    MicroRunner run(SpectralModel(bad), 16 * 1024);
    run.interp->AllocateTensors();  // must not crash
  }
  // A missing key names itself.
  MicroRunner run(SpectralModel(Flex([](flexbuffers::Builder& f) {
                    f.Int("num_channels", 10);
                  })),
                  16 * 1024);
  EXPECT_EQ(run.interp->AllocateTensors(), MicroStatus::kInvalidModel);
  EXPECT_NE(run.LastError().find("'smoothing'"), std::string::npos)
      << run.LastError();
}

TEST(MicroSignalErrors, CustomOpMissingFromResolver) {
  MicroRunner run(SpectralModel(Flex(SpectralOptions(true))), 16 * 1024,
                  /*all_ops=*/false);
  run.resolver.AddSignalPCAN();  // another custom op only
  EXPECT_EQ(run.interp->AllocateTensors(), MicroStatus::kMissingOp);
  EXPECT_NE(run.LastError().find("custom op"), std::string::npos)
      << run.LastError();
}

TEST(MicroSignalErrors, ArenaTooSmallForFftTables) {
  ModelBuilder b;
  const int in = b.AddTensor(fb::TensorType::INT16, {480});
  const int out = b.AddTensor(fb::TensorType::INT16, {514});
  b.AddCustomOp("SignalRfft", {in}, {out}, Flex([](flexbuffers::Builder& f) {
                  f.Int("T", 7);
                  f.Int("fft_length", 512);
                }));
  b.SetInputs({in});
  b.SetOutputs({out});
  const auto model = b.Build();
  MicroRunner run(model, 1024);  // the tables need 1,536 B
  EXPECT_EQ(run.interp->AllocateTensors(), MicroStatus::kArenaTooSmall);
  EXPECT_NE(run.LastError().find("state"), std::string::npos)
      << run.LastError();
  // Not a power of two.
  ModelBuilder c;
  const int in2 = c.AddTensor(fb::TensorType::INT16, {10});
  const int out2 = c.AddTensor(fb::TensorType::INT16, {14});
  c.AddCustomOp("SignalRfft", {in2}, {out2}, Flex([](flexbuffers::Builder& f) {
                  f.Int("T", 7);
                  f.Int("fft_length", 12);
                }));
  c.SetInputs({in2});
  c.SetOutputs({out2});
  MicroRunner run2(c.Build(), 64 * 1024);
  EXPECT_NE(run2.interp->AllocateTensors(), MicroStatus::kOk);
}

TEST(MicroSignalState, ResetClearsTheNoiseEstimate) {
  MicroRunner run(SpectralModel(Flex(SpectralOptions(false))), 16 * 1024);
  ASSERT_EQ(run.interp->AllocateTensors(), MicroStatus::kOk);
  auto frame = [&](uint32_t v) {
    uint32_t* x = run.interp->input(0).as<uint32_t>();
    for (int i = 0; i < 10; ++i) x[i] = v + 1000u * static_cast<uint32_t>(i);
    EXPECT_EQ(run.interp->Invoke(), MicroStatus::kOk);
    const micro::MicroTensor n = run.interp->output(1);
    return std::vector<uint32_t>(n.as<uint32_t>(), n.as<uint32_t>() + 10);
  };
  const auto first = frame(50000);
  const auto second = frame(50000);
  EXPECT_NE(first, second);  // the estimate moved
  ASSERT_EQ(run.interp->Reset(), MicroStatus::kOk);
  EXPECT_EQ(frame(50000), first);
}

// ------------------------------------------- the int32 ops of the graph

template <typename T>
fb::BuiltinOptionsUnion BuiltinOpts(T options) {
  fb::BuiltinOptionsUnion u;
  u.Set(std::move(options));
  return u;
}

std::vector<uint8_t> Bytes(const std::vector<int32_t>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// The preprocessor's tail of int32 ops, with a fused activation, a
// negative-stride slice and masks, against the host interpreter on inputs
// that hit the corners (INT32_MIN / -1, wrap-around, negatives).
TEST(MicroInt32Ops, ChainMatchesHost) {
  ModelBuilder b;
  const auto I32 = fb::TensorType::INT32;
  const int x = b.AddTensor(fb::TensorType::UINT32, {12});
  const int y = b.AddTensor(I32, {12});
  b.AddOp(fb::BuiltinOperator::CAST, {x}, {y});
  // y[10:1:-3] -> 3 values; y[::2] (masks) -> 6 values.
  const int s1 = b.AddTensor(I32, {3});
  b.AddOp(fb::BuiltinOperator::STRIDED_SLICE,
          {y, b.AddConstant(I32, {1}, std::vector<int32_t>{10}),
           b.AddConstant(I32, {1}, std::vector<int32_t>{1}),
           b.AddConstant(I32, {1}, std::vector<int32_t>{-3})},
          {s1}, BuiltinOpts(fb::StridedSliceOptionsT()));
  fb::StridedSliceOptionsT masked;
  masked.begin_mask = 1;
  masked.end_mask = 1;
  const int s2 = b.AddTensor(I32, {6});
  b.AddOp(fb::BuiltinOperator::STRIDED_SLICE,
          {y, b.AddConstant(I32, {1}, std::vector<int32_t>{5}),
           b.AddConstant(I32, {1}, std::vector<int32_t>{0}),
           b.AddConstant(I32, {1}, std::vector<int32_t>{2})},
          {s2}, BuiltinOpts(std::move(masked)));
  fb::ConcatenationOptionsT cat;
  cat.axis = 0;
  const int c = b.AddTensor(I32, {11});
  b.AddOp(fb::BuiltinOperator::CONCATENATION,
          {s1, b.AddConstant(I32, {2}, std::vector<int32_t>{7, -7}), s2}, {c},
          BuiltinOpts(std::move(cat)));
  const int d = b.AddTensor(I32, {11});
  const int divisor = b.AddTensor(I32, {11});
  b.AddOp(fb::BuiltinOperator::DIV, {c, divisor}, {d},
          BuiltinOpts(fb::DivOptionsT()));
  fb::MulOptionsT relu;
  relu.fused_activation_function = fb::ActivationFunctionType::RELU;
  const int m = b.AddTensor(I32, {11});
  b.AddOp(fb::BuiltinOperator::MUL,
          {d, b.AddConstant(I32, {}, std::vector<int32_t>{65537})}, {m},
          BuiltinOpts(std::move(relu)));
  const int a = b.AddTensor(I32, {11});
  b.AddOp(fb::BuiltinOperator::ADD,
          {b.AddConstant(I32, {}, std::vector<int32_t>{INT32_MAX}), m}, {a},
          BuiltinOpts(fb::AddOptionsT()));
  const int lo = b.AddTensor(I32, {11});
  b.AddOp(fb::BuiltinOperator::MINIMUM,
          {a, b.AddConstant(I32, {}, std::vector<int32_t>{-5})}, {lo});
  const int hi = b.AddTensor(I32, {11});
  b.AddOp(fb::BuiltinOperator::MAXIMUM, {lo, d}, {hi});
  const int out = b.AddTensor(fb::TensorType::INT8, {11});
  b.AddOp(fb::BuiltinOperator::CAST, {hi}, {out});
  b.SetInputs({x, divisor});
  b.SetOutputs({out, hi, d});
  const auto model = b.Build();

  const std::vector<int32_t> xs[] = {
      {0, 1, -1, INT32_MIN, INT32_MAX, 100000, -300, 7, 8, 9, -10, 11},
      {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};
  const std::vector<int32_t> divisors[] = {
      {-1, 1, 3, -1, 2, -5, 1, 7, -1, 4, 1}, {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}};
  std::vector<std::vector<std::vector<uint8_t>>> inputs;
  for (int k = 0; k < 2; ++k)
    inputs.push_back({Bytes(xs[k]), Bytes(divisors[k])});
  const CompareResult r = CompareMicroWithHost(model, inputs, 16 * 1024);
  EXPECT_TRUE(r.ok) << r.message;

  // A zero divisor is an error, not a trap.
  MicroRunner run(model, 16 * 1024);
  ASSERT_EQ(run.interp->AllocateTensors(), MicroStatus::kOk) << run.LastError();
  std::memset(run.interp->input(0).data, 0, run.interp->input(0).bytes);
  std::memset(run.interp->input(1).data, 0, run.interp->input(1).bytes);
  EXPECT_EQ(run.interp->Invoke(), MicroStatus::kInvalidArgument);
  EXPECT_NE(run.LastError().find("division by zero"), std::string::npos);
}

// ------------------------------------------- the whole front end, clips

constexpr int kWindow = 480, kStride = 320, kRows = 49, kFeatures = 40;

// 16 kHz mono int16 samples of a WAV file (the "data" chunk).
std::vector<int16_t> ReadWav(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<uint8_t> b((std::istreambuf_iterator<char>(f)),
                         std::istreambuf_iterator<char>());
  std::vector<int16_t> samples;
  if (b.size() < 12 || std::memcmp(b.data(), "RIFF", 4) != 0) return samples;
  size_t at = 12;
  while (at + 8 <= b.size()) {
    uint32_t size;
    std::memcpy(&size, b.data() + at + 4, 4);
    if (std::memcmp(b.data() + at, "data", 4) == 0) {
      size = static_cast<uint32_t>(std::min<size_t>(size, b.size() - at - 8));
      samples.resize(size / 2);
      std::memcpy(samples.data(), b.data() + at + 8, samples.size() * 2);
      return samples;
    }
    at += 8 + size + (size & 1);
  }
  return samples;
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

struct ClipCase {
  const char* clip;
  int label;  // 0 silence, 1 unknown, 2 yes, 3 no
};

void PrintTo(const ClipCase& c, std::ostream* os) { *os << c.clip; }

class MicroSpeechClips : public ::testing::TestWithParam<ClipCase> {};

TEST_P(MicroSpeechClips, FeaturesAndScoresMatchHostAndTflm) {
  const ClipCase c = GetParam();
  const std::string pre_path = Shared("tflm/audio_preprocessor_int8.tflite");
  const std::string cls_path = Shared("tflm/micro_speech_quantized.tflite");
  const std::string wav =
      Shared(std::string("data/audio/") + c.clip + "_1000ms.wav");
  REQUIRE_FILE(pre_path);
  REQUIRE_FILE(cls_path);
  REQUIRE_FILE(wav);
  const std::vector<int16_t> samples = ReadWav(wav);
  ASSERT_GE(samples.size(), size_t{(kRows - 1) * kStride + kWindow});
  const std::string golden =
      std::string(EMBER_SOURCE_DIR) + "/tests/micro/golden/" + c.clip;
  const NpyArray tflm_features = Load(golden + "_features.npy");
  const NpyArray tflm_scores = Load(golden + "_scores.npy");
  ASSERT_EQ(tflm_features.data.size(), size_t{kRows * kFeatures});

  // Micro vs host, window after window on one interpreter each.
  const std::vector<uint8_t> pre = ReadFile(pre_path);
  std::vector<std::vector<std::vector<uint8_t>>> windows(kRows);
  for (int k = 0; k < kRows; ++k) {
    const auto* p =
        reinterpret_cast<const uint8_t*>(samples.data() + k * kStride);
    windows[k].emplace_back(p, p + kWindow * sizeof(int16_t));
  }
  const CompareResult host = CompareMicroWithHost(pre, windows, 64 * 1024);
  EXPECT_TRUE(host.ok) << host.message;

  // Micro vs TFLM, and the arena.
  MicroRunner run(pre, 64 * 1024);
  ASSERT_EQ(run.interp->AllocateTensors(), MicroStatus::kOk) << run.LastError();
  std::vector<int8_t> features(kRows * kFeatures);
  for (int k = 0; k < kRows; ++k) {
    std::memcpy(run.interp->input(0).data, windows[k][0].data(),
                windows[k][0].size());
    ASSERT_EQ(run.interp->Invoke(), MicroStatus::kOk) << run.LastError();
    std::memcpy(features.data() + k * kFeatures, run.interp->output(0).data,
                kFeatures);
  }
  EXPECT_EQ(
      std::memcmp(features.data(), tflm_features.data.data(), features.size()),
      0)
      << c.clip << ": micro features differ from TFLM";
  // Reset() gives the state of a fresh interpreter: the same rows again.
  ASSERT_EQ(run.interp->Reset(), MicroStatus::kOk);
  for (int k = 0; k < 8; ++k) {
    std::memcpy(run.interp->input(0).data, windows[k][0].data(),
                windows[k][0].size());
    ASSERT_EQ(run.interp->Invoke(), MicroStatus::kOk) << run.LastError();
    EXPECT_EQ(std::memcmp(features.data() + k * kFeatures,
                          run.interp->output(0).data, kFeatures),
              0)
        << c.clip << " row " << k << " after Reset()";
  }
  const auto& r = run.interp->arena_report();
  RecordProperty("arena_head", static_cast<int>(r.head_bytes));
  RecordProperty("arena_tail", static_cast<int>(r.tail_bytes));

  // Classification on the micro runtime.
  MicroRunner cls(ReadFile(cls_path), 64 * 1024);
  ASSERT_EQ(cls.interp->AllocateTensors(), MicroStatus::kOk) << cls.LastError();
  ASSERT_EQ(cls.interp->input(0).bytes, features.size());
  std::memcpy(cls.interp->input(0).data, features.data(), features.size());
  ASSERT_EQ(cls.interp->Invoke(), MicroStatus::kOk) << cls.LastError();
  const micro::MicroTensor scores = cls.interp->output(0);
  ASSERT_EQ(scores.bytes, tflm_scores.data.size());
  EXPECT_EQ(std::memcmp(scores.data, tflm_scores.data.data(), scores.bytes), 0)
      << c.clip << ": micro scores differ from TFLM";
  const int8_t* s = scores.as<int8_t>();
  int best = 0;
  for (int i = 1; i < 4; ++i)
    if (s[i] > s[best]) best = i;
  EXPECT_EQ(best, c.label) << c.clip;
}

INSTANTIATE_TEST_SUITE_P(
    Clips, MicroSpeechClips,
    ::testing::Values(ClipCase{"yes", 2}, ClipCase{"no", 3},
                      ClipCase{"silence", 0}, ClipCase{"noise", 0}),
    [](const auto& info) { return std::string(info.param.clip); });

}  // namespace
}  // namespace ember::testing
