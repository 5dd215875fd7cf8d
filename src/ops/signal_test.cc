// Signal (TFLM audio front-end) custom ops.
//
// 1. Golden tests: one-op models built here with ModelBuilder and
//    FlexBuffers options, run frame by frame (stateful ops keep state across
//    invokes) and compared bit for bit with outputs of TFLM's Python
//    interpreter, the oracle, stored in tests/signal/golden by
//    tests/signal/make_golden.py (LiteRT has no Signal ops).
// 2. Hand-computed small cases of each kernel.
// 3. Negative tests: malformed options, wrong types/shapes fail cleanly.
// 4. ResetVariables clears the spectral-subtraction noise estimate.
// signal_options.h first: it configures flexbuffers.h.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "io/npy.h"
#include "kernels/ref/signal_frontend.h"
#include "kernels/ref/signal_math.h"
#include "kernels/ref/signal_rfft.h"
#include "model/model.h"
#include "ops/signal_options.h"
#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"
#include "signal/golden_model.h"
#include "util/model_builder.h"
#include "util/oracle.h"

namespace ember {
namespace {

using testing::ModelBuilder;
using namespace testing::signal_golden;

struct Session {
  std::unique_ptr<Model> model;
  std::unique_ptr<Interpreter> interp;
  ErrorReporter errors;
  std::string error;

  bool Open(const std::vector<uint8_t>& bytes) {
    if (!Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model)
             .ok()) {
      error = errors.message();
      return false;
    }
    if (!Interpreter::Create(*model, OpResolver::Builtins(), {}, errors,
                             &interp)
             .ok()) {
      error = errors.message();
      return false;
    }
    if (!interp->AllocateTensors().ok()) {
      error = interp->errors().message();
      return false;
    }
    return true;
  }
  Tensor& In(int k) {
    Subgraph& sg = interp->primary();
    return sg.tensors()[sg.inputs()[k]];
  }
  Tensor& Out(int k) {
    Subgraph& sg = interp->primary();
    return sg.tensors()[sg.outputs()[k]];
  }
};

std::string GoldenDir(const std::string& name) {
  return std::string(EMBER_SOURCE_DIR) + "/tests/signal/golden/" + name + "/";
}

// Runs the golden case `name`: every frame in order on one interpreter,
// each output compared byte for byte. Returns the number of frames.
int RunGolden(const std::string& name, const std::string& code,
              const std::vector<bool>& constant, int num_outputs,
              const Options& options) {
  const std::string dir = GoldenDir(name);
  std::vector<NpyArray> ins, outs;
  for (size_t k = 0; k < constant.size(); ++k)
    ins.push_back(Load(dir + "in" + std::to_string(k) + ".npy"));
  for (int k = 0; k < num_outputs; ++k)
    outs.push_back(Load(dir + "out" + std::to_string(k) + ".npy"));
  if (::testing::Test::HasFailure()) return 0;
  Session s;
  if (!s.Open(OneOpModel(code, ins, constant, outs, Flex(options)))) {
    ADD_FAILURE() << name << ": " << s.error;
    return 0;
  }
  const int frames = static_cast<int>(outs[0].shape[0]);
  for (int f = 0; f < frames; ++f) {
    int var = 0;
    for (size_t k = 0; k < ins.size(); ++k) {
      if (constant[k]) continue;
      Tensor& t = s.In(var++);
      const size_t bytes = ins[k].data.size() / frames;
      EXPECT_EQ(t.bytes, bytes) << name;
      if (t.bytes != bytes) return 0;
      memcpy(t.data, ins[k].data.data() + f * bytes, bytes);
    }
    if (!s.interp->Invoke().ok()) {
      ADD_FAILURE() << name << " frame " << f << ": "
                    << s.interp->errors().message();
      return 0;
    }
    for (int k = 0; k < num_outputs; ++k) {
      const Tensor& t = s.Out(k);
      const size_t bytes = outs[k].data.size() / frames;
      EXPECT_EQ(t.bytes, bytes) << name << " output " << k;
      if (t.bytes != bytes) return 0;
      const size_t es = DataTypeSize(t.type);
      const uint8_t* want = outs[k].data.data() + f * bytes;
      const uint8_t* got = static_cast<const uint8_t*>(t.data);
      for (size_t e = 0; e < bytes / es; ++e) {
        if (memcmp(want + e * es, got + e * es, es) != 0) {
          int64_t w = 0, g = 0;
          memcpy(&w, want + e * es, es);
          memcpy(&g, got + e * es, es);
          ADD_FAILURE() << name << " frame " << f << " output " << k
                        << " element " << e << ": want (raw) " << w << ", got "
                        << g;
          return 0;
        }
      }
    }
  }
  return frames;
}

#define EMBER_SIGNAL_GOLDEN_SUITE SignalGolden
#include "signal/golden_tests.h"
#undef EMBER_SIGNAL_GOLDEN_SUITE

// ---------------------------------------------------------------- by hand

TEST(SignalKernels, WindowShiftAndSaturation) {
  const int16_t in[4] = {1000, -1000, 32767, -32768};
  const int16_t win[4] = {4096, 2048, 32767, 32767};
  int16_t out[4];
  ref::signal::ApplyWindow(in, win, 4, 12, out);
  EXPECT_EQ(out[0], 1000);
  EXPECT_EQ(out[1], -500);
  EXPECT_EQ(out[2], 32767);  // (32767 * 32767) >> 12 saturates
  EXPECT_EQ(out[3], -32768);
}

TEST(SignalKernels, AutoScale) {
  const int16_t in[3] = {100, -300, 5};  // 300 has 9 bits -> shift 6
  int16_t out[3];
  EXPECT_EQ(ref::signal::FftAutoScale(in, 3, out), 6);
  EXPECT_EQ(out[1], -300 * 64);
  const int16_t zeros[2] = {0, 0};
  EXPECT_EQ(ref::signal::FftAutoScale(zeros, 2, out), 0);
}

TEST(SignalKernels, Energy) {
  const int16_t spec[6] = {3, 4, -5, 12, 32767, -32768};
  uint32_t out[3];
  ref::signal::SpectrumEnergy(spec, 3, 0, 3, out);
  EXPECT_EQ(out[0], 25u);
  EXPECT_EQ(out[1], 169u);
  EXPECT_EQ(out[2], 32767u * 32767u + 32768u * 32768u);
  ref::signal::SpectrumEnergy(spec, 3, 1, 2, out);
  EXPECT_EQ(out[0], 0u);
  EXPECT_EQ(out[1], 169u);
  EXPECT_EQ(out[2], 0u);
}

TEST(SignalKernels, FilterBankCarriesUnweights) {
  // 2 channels (+ the helper channel 0) over 4 bins.
  const uint32_t in[4] = {10, 20, 30, 40};
  const int16_t w[4] = {1, 2, 3, 4}, uw[4] = {5, 6, 7, 8};
  const int16_t fs[3] = {0, 1, 2}, ws[3] = {0, 1, 2}, wd[3] = {1, 1, 2};
  uint64_t out[2];
  ref::signal::FilterBankAccumulate(in, w, uw, fs, ws, wd, 2, out);
  // ch1 = unweight of ch0 (5*10) + weight of its bin (2*20)
  EXPECT_EQ(out[0], 50u + 40u);
  // ch2 = unweight of ch1 (6*20) + weights of bins 2,3 (3*30 + 4*40)
  EXPECT_EQ(out[1], 120u + 90u + 160u);
}

TEST(SignalKernels, SqrtRoundsToNearest) {
  EXPECT_EQ(ref::signal::SqrtRounded64(0), 0u);
  EXPECT_EQ(ref::signal::SqrtRounded64(16), 4u);
  EXPECT_EQ(ref::signal::SqrtRounded64(20), 4u);  // 4.47
  EXPECT_EQ(ref::signal::SqrtRounded64(21), 5u);  // 4.58
  EXPECT_EQ(ref::signal::SqrtRounded64(uint64_t{1} << 40), 1u << 20);
  EXPECT_EQ(ref::signal::SqrtRounded64(~uint64_t{0}), 0xFFFFFFFFu);
  uint64_t in[1] = {1000000};
  uint32_t out[1];
  ref::signal::FilterBankSqrt(in, 1, 2, out);
  EXPECT_EQ(out[0], 250u);
}

TEST(SignalKernels, LogTableMatchesFormulaAndLogIsAccurate) {
  for (int i = 0; i <= 128; ++i) {
    const double f = i / 128.0;
    const double want = (std::log2(1.0 + f) - f) * 65536.0;
    EXPECT_NEAR(ref::signal::kLog2Correction[i], want, 1.0) << i;
  }
  for (uint32_t x : {2u, 3u, 100u, 65536u, 123456789u, 0xFFFFFFFFu}) {
    const double want = std::log(static_cast<double>(x)) * 64.0;
    EXPECT_NEAR(ref::signal::ScaledLog(x, 64), want, 1.0) << x;
  }
  const uint32_t in[3] = {0, 1, 1000};
  int16_t out[3];
  ref::signal::FilterBankLog(in, 3, 64, 0, out);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 0);
  EXPECT_NEAR(out[2], std::log(1000.0) * 64, 1.0);
}

TEST(SignalKernels, SpectralSubtractionByHand) {
  ref::signal::SpectralSubtractionParams p{};
  p.num_channels = 1;
  p.smoothing = 1 << 13;  // 0.5 in Q14
  p.one_minus_smoothing = 1 << 13;
  p.alternate_smoothing = p.alternate_one_minus_smoothing = 0;
  p.smoothing_bits = 0;
  p.spectral_subtraction_bits = 14;
  p.min_signal_remaining = 1 << 12;  // 0.25
  p.clamping = false;
  uint32_t noise = 0, out = 0;
  const uint32_t x = 1000;
  ref::signal::SpectralSubtraction(p, &x, &out, &noise);
  EXPECT_EQ(noise, 500u);  // 0.5 * 1000 + 0.5 * 0
  EXPECT_EQ(out, 500u);    // 1000 - 500 (floor 250)
  ref::signal::SpectralSubtraction(p, &x, &out, &noise);
  EXPECT_EQ(noise, 750u);
  EXPECT_EQ(out, 250u);  // 250, equal to the floor
  ref::signal::SpectralSubtraction(p, &x, &out, &noise);
  EXPECT_EQ(noise, 875u);
  EXPECT_EQ(out, 250u);  // 125 clamped up to the floor
}

TEST(SignalKernels, PcanShrink) {
  // snr has 12 fractional bits: 1.0 -> 1/4 (x^2/4) in 6 bits = 16.
  EXPECT_EQ(ref::signal::PcanShrink(1u << 12), 16u);
  // 3.0 -> 2.0 (x - 1) in 6 bits = 128.
  EXPECT_EQ(ref::signal::PcanShrink(3u << 12), 128u);
  int16_t lut[125] = {100, 200, 300};
  EXPECT_EQ(ref::signal::PcanGain(0, lut), 100);
  EXPECT_EQ(ref::signal::PcanGain(2, lut), 300);
}

TEST(SignalKernels, RfftOfImpulseIsFlat) {
  // An impulse of amplitude A gives A / N in every bin.
  ref::signal::RfftInt16State st;
  ref::signal::Cpx16 tables[ref::signal::RfftInt16TableEntries(16)];
  ASSERT_TRUE(ref::signal::RfftInt16Init(16, tables, &st));
  ref::signal::Cpx16 pairs[8] = {}, work[8];
  pairs[0].r = 16000;
  int16_t out[18];
  ref::signal::RfftInt16(st, pairs, work, out);
  for (int k = 0; k < 9; ++k) {
    EXPECT_NEAR(out[2 * k], 1000, 2) << k;
    EXPECT_NEAR(out[2 * k + 1], 0, 2) << k;
  }
  EXPECT_FALSE(ref::signal::RfftInt16Init(12, tables, &st));
  EXPECT_FALSE(ref::signal::RfftInt16Init(2, tables, &st));
}

// ------------------------------------------------------------ op behaviour

std::vector<uint8_t> SpectralModel(
    const std::vector<uint8_t>& options, int channels = 10,
    fb::TensorType type = fb::TensorType::UINT32) {
  ModelBuilder b;
  const int in = b.AddTensor(type, {channels});
  const int o0 = b.AddTensor(fb::TensorType::UINT32, {channels});
  const int o1 = b.AddTensor(fb::TensorType::UINT32, {channels});
  b.AddCustomOp("SignalFilterBankSpectralSubtraction", {in}, {o0, o1}, options);
  b.SetInputs({in});
  b.SetOutputs({o0, o1});
  return b.Build();
}

TEST(SignalOps, ResetVariablesClearsNoiseEstimate) {
  Session s;
  ASSERT_TRUE(s.Open(SpectralModel(Flex(SpectralOptions(false))))) << s.error;
  auto run = [&](uint32_t v) {
    uint32_t* p = s.In(0).data_as<uint32_t>();
    for (int i = 0; i < 10; ++i) p[i] = v;
    EXPECT_TRUE(s.interp->Invoke().ok());
    return s.Out(1).data_as<uint32_t>()[0];
  };
  const uint32_t first = run(3000);
  const uint32_t second = run(3000);
  EXPECT_GT(second, first);  // the estimate accumulates across invokes
  ASSERT_TRUE(s.interp->ResetVariables().ok());
  EXPECT_EQ(run(3000), first);
}

void ExpectError(const std::vector<uint8_t>& model, const char* fragment) {
  Session s;
  EXPECT_FALSE(s.Open(model)) << "expected failure with: " << fragment;
  EXPECT_NE(s.error.find(fragment), std::string::npos)
      << "error was: " << s.error;
}

TEST(SignalOps, MalformedOptionsFailCleanly) {
  // Missing key.
  ExpectError(SpectralModel(Flex(
                  [](flexbuffers::Builder& f) { f.Int("num_channels", 10); })),
              "missing");
  // Wrong kind.
  auto options_with = [](int bits, bool bits_as_string, bool clamp_as_float) {
    return [=](flexbuffers::Builder& f) {
      f.Int("alternate_one_minus_smoothing", 1);
      f.Int("alternate_smoothing", 1);
      if (clamp_as_float) {
        f.Float("clamping", 0.5f);
      } else {
        f.Bool("clamping", false);
      }
      f.Int("min_signal_remaining", 1);
      f.Int("num_channels", 10);
      f.Int("one_minus_smoothing", 1);
      f.Int("smoothing", 1);
      if (bits_as_string) {
        f.String("smoothing_bits", "ten");
      } else {
        f.Int("smoothing_bits", bits);
      }
      f.Int("spectral_subtraction_bits", 14);
    };
  };
  {
    Session ok;
    EXPECT_TRUE(ok.Open(SpectralModel(Flex(options_with(3, false, false)))))
        << ok.error;
  }
  // Wrong kinds.
  ExpectError(SpectralModel(Flex(options_with(3, true, false))),
              "'smoothing_bits' must be an integer");
  ExpectError(SpectralModel(Flex(options_with(3, false, true))),
              "'clamping' must be a boolean");
  // Out of range.
  ExpectError(SpectralModel(Flex(options_with(40, false, false))),
              "smoothing_bits");
  // Not a FlexBuffer at all, and no options.
  ExpectError(SpectralModel({1, 2, 3, 4, 5, 6, 7}), "FlexBuffer");
  ExpectError(SpectralModel({}), "custom options");
  // Not a map.
  flexbuffers::Builder vec;
  vec.Int(5);
  vec.Finish();
  ExpectError(SpectralModel(vec.GetBuffer()), "map");
  // Channel count mismatch and wrong input type.
  ExpectError(SpectralModel(Flex(SpectralOptions(false)), 12), "channels");
  ExpectError(
      SpectralModel(Flex(SpectralOptions(false)), 10, fb::TensorType::INT32),
      "uint32");
}

TEST(SignalOps, RfftRejectsUnsupportedConfigs) {
  auto model = [](int fft_length, int type, int frame) {
    ModelBuilder b;
    const int in = b.AddTensor(fb::TensorType::INT16, {frame});
    const int out = b.AddTensor(fb::TensorType::INT16, {fft_length + 2});
    b.AddCustomOp("SignalRfft", {in}, {out}, Flex([&](flexbuffers::Builder& f) {
                    f.Int("T", type);
                    f.Int("fft_length", fft_length);
                  }));
    b.SetInputs({in});
    b.SetOutputs({out});
    return b.Build();
  };
  ExpectError(model(48, 7, 48), "power of two");
  ExpectError(model(64, 0, 64), "int16");
  ExpectError(model(64, 7, 65), "exceeds fft_length");
  Session ok;
  EXPECT_TRUE(ok.Open(model(64, 7, 60))) << ok.error;
}

TEST(SignalOps, FilterBankRejectsOutOfRangeChannels) {
  ModelBuilder b;
  const int in = b.AddTensor(fb::TensorType::UINT32, {8});
  const std::vector<int16_t> w = {1, 2, 3, 4};
  const int wt = b.AddConstant(fb::TensorType::INT16, {4}, w);
  const int uw = b.AddConstant(fb::TensorType::INT16, {4}, w);
  const int fs = b.AddConstant(fb::TensorType::INT16, {3},
                               std::vector<int16_t>{0, 2, 7});  // 7 + 2 > 8
  const int ws =
      b.AddConstant(fb::TensorType::INT16, {3}, std::vector<int16_t>{0, 1, 2});
  const int wd =
      b.AddConstant(fb::TensorType::INT16, {3}, std::vector<int16_t>{1, 1, 2});
  const int out = b.AddTensor(fb::TensorType::UINT64, {2});
  b.AddCustomOp(
      "SignalFilterBank", {in, wt, uw, fs, ws, wd}, {out},
      Flex([](flexbuffers::Builder& f) { f.Int("num_channels", 2); }));
  b.SetInputs({in});
  b.SetOutputs({out});
  ExpectError(b.Build(), "channel 2");
}

TEST(SignalOps, SquareRootRejectsBadShiftAtEval) {
  ModelBuilder b;
  const int in = b.AddTensor(fb::TensorType::UINT64, {4});
  const int sh = b.AddTensor(fb::TensorType::INT32, {});
  const int out = b.AddTensor(fb::TensorType::UINT32, {4});
  b.AddCustomOp("SignalFilterBankSquareRoot", {in, sh}, {out}, Flex({}));
  b.SetInputs({in, sh});
  b.SetOutputs({out});
  Session s;
  ASSERT_TRUE(s.Open(b.Build())) << s.error;
  memset(s.In(0).data, 0, s.In(0).bytes);
  *s.In(1).data_as<int32_t>() = 40;
  EXPECT_FALSE(s.interp->Invoke().ok());
  EXPECT_NE(std::string(s.interp->errors().message()).find("scale_bits"),
            std::string::npos);
  *s.In(1).data_as<int32_t>() = 3;
  EXPECT_TRUE(s.interp->Invoke().ok());
}

TEST(SignalOps, PcanNeedsFullGainTable) {
  ModelBuilder b;
  const int in = b.AddTensor(fb::TensorType::UINT32, {4});
  const int noise = b.AddTensor(fb::TensorType::UINT32, {4});
  const int lut =
      b.AddConstant(fb::TensorType::INT16, {100}, std::vector<int16_t>(100, 1));
  const int out = b.AddTensor(fb::TensorType::UINT32, {4});
  b.AddCustomOp("SignalPCAN", {in, noise, lut}, {out},
                Flex([](flexbuffers::Builder& f) { f.Int("snr_shift", 6); }));
  b.SetInputs({in, noise});
  b.SetOutputs({out});
  ExpectError(b.Build(), "gain_lut");
}

}  // namespace
}  // namespace ember
