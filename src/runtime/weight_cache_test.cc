// The packed-weight cache (runtime/weight_cache.h) on small built models
// (int8 and fp32 CONV_2D 3x3 + FULLY_CONNECTED): outputs with the cache,
// from the file it wrote, and without it are identical bit for bit (and the
// int8 ones equal the reference kernels', the oracle of the packed path);
// the second start maps every packed buffer instead of packing; damaged,
// truncated, foreign (other ISA set or model) files are ignored with a
// warning and rewritten; concurrent writers leave one valid file.
#include "runtime/weight_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kernels/dispatch/cpu_features.h"
#include "kernels/drivers/gemm_f32.h"
#include "kernels/drivers/gemm_s8.h"
#include "runtime/interpreter.h"
#include "util/model_builder.h"

namespace ember {
namespace {

using testing::kF32;
using testing::kI32;
using testing::kI8;
using testing::ModelBuilder;
using testing::QuantSpec;
namespace fs = std::filesystem;

fb::BuiltinOptionsUnion Conv3x3() {
  fb::Conv2DOptionsT opt;
  opt.padding = fb::Padding::SAME;
  opt.stride_h = opt.stride_w = 1;
  opt.dilation_h_factor = opt.dilation_w_factor = 1;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  return u;
}

fb::BuiltinOptionsUnion Fc() {
  fb::FullyConnectedOptionsT opt;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  return u;
}

template <typename T>
std::vector<T> Random(size_t n, uint32_t seed, int lo, int hi) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(d(gen));
  return v;
}

// input [1,8,8,16] -> CONV 3x3 -> [1,8,8,32] -> FC (24 units) -> [64,24]
std::vector<uint8_t> Int8Model() {
  ModelBuilder b;
  const int x = b.AddTensor(kI8, {1, 8, 8, 16}, "x", {{0.05f}, {-3}});
  std::vector<float> scales(32);
  for (int c = 0; c < 32; ++c) scales[c] = 0.002f + 0.0001f * c;
  QuantSpec wq{scales, std::vector<int64_t>(32, 0), 0};
  const int w = b.AddConstant(
      kI8, {32, 3, 3, 16}, Random<int8_t>(32 * 9 * 16, 1, -127, 127), "w", wq);
  std::vector<float> bscales(32);
  for (int c = 0; c < 32; ++c) bscales[c] = 0.05f * scales[c];
  const int bias =
      b.AddConstant(kI32, {32}, Random<int32_t>(32, 2, -2000, 2000), "b",
                    {bscales, std::vector<int64_t>(32, 0), 0});
  const int y = b.AddTensor(kI8, {1, 8, 8, 32}, "y", {{0.2f}, {5}});
  b.AddOp(fb::BuiltinOperator::CONV_2D, {x, w, bias}, {y}, Conv3x3());
  const int fw =
      b.AddConstant(kI8, {24, 32}, Random<int8_t>(24 * 32, 3, -127, 127), "fw",
                    {{0.004f}, {0}});
  const int fb_ = b.AddConstant(kI32, {24}, Random<int32_t>(24, 4, -500, 500),
                                "fb", {{0.2f * 0.004f}, {0}});
  const int z = b.AddTensor(kI8, {64, 24}, "z", {{0.3f}, {-2}});
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {y, fw, fb_}, {z}, Fc());
  b.SetInputs({x});
  b.SetOutputs({z});
  return b.Build();
}

std::vector<uint8_t> FloatModel() {
  ModelBuilder b;
  const int x = b.AddTensor(kF32, {1, 8, 8, 16}, "x");
  std::vector<float> w(32 * 9 * 16), bias(32), fw(24 * 32), fbias(24);
  std::mt19937 gen(9);
  std::uniform_real_distribution<float> d(-0.5f, 0.5f);
  for (auto* v : {&w, &bias, &fw, &fbias})
    for (float& f : *v) f = d(gen);
  const int wt = b.AddConstant(kF32, {32, 3, 3, 16}, w, "w");
  const int bt = b.AddConstant(kF32, {32}, bias, "b");
  const int y = b.AddTensor(kF32, {1, 8, 8, 32}, "y");
  b.AddOp(fb::BuiltinOperator::CONV_2D, {x, wt, bt}, {y}, Conv3x3());
  const int fwt = b.AddConstant(kF32, {24, 32}, fw, "fw");
  const int fbt = b.AddConstant(kF32, {24}, fbias, "fb");
  const int z = b.AddTensor(kF32, {64, 24}, "z");
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {y, fwt, fbt}, {z}, Fc());
  b.SetInputs({x});
  b.SetOutputs({z});
  return b.Build();
}

struct Start {
  std::vector<uint8_t> output;
  int hits = -1, misses = -1;
  bool wrote = false;
  std::string path;
};

// One start: load, prepare (with the cache in `dir` unless empty), invoke
// on fixed inputs.
Start RunOnce(const std::vector<uint8_t>& bytes, const std::string& dir,
              const std::string& isa = "", bool force_ref = false) {
  Start s;
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  if (!Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model)
           .ok()) {
    ADD_FAILURE() << errors.message();
    return s;
  }
  InterpreterOptions options;
  options.weight_cache_dir = dir;
  options.isa = isa;
  options.force_reference_kernels = force_ref;
  options.num_threads = 2;
  std::unique_ptr<Interpreter> interp;
  if (!Interpreter::Create(*model, OpResolver::Builtins(), options, errors,
                           &interp)
           .ok() ||
      !interp->AllocateTensors().ok()) {
    ADD_FAILURE() << errors.message() << " "
                  << (interp ? interp->errors().message() : "");
    return s;
  }
  Subgraph& sg = interp->primary();
  Tensor& in = sg.tensors()[sg.inputs()[0]];
  std::mt19937 gen(11);
  if (in.type == DataType::kFloat32) {
    std::uniform_real_distribution<float> d(-1.0f, 1.0f);
    for (int64_t i = 0; i < in.NumElements(); ++i)
      static_cast<float*>(in.data)[i] = d(gen);
  } else {
    for (size_t i = 0; i < in.bytes; ++i)
      static_cast<uint8_t*>(in.data)[i] = static_cast<uint8_t>(gen());
  }
  if (!interp->Invoke().ok()) {
    ADD_FAILURE() << interp->errors().message();
    return s;
  }
  const Tensor& out = sg.tensors()[sg.outputs()[0]];
  const auto* p = static_cast<const uint8_t*>(out.data);
  s.output.assign(p, p + out.bytes);
  if (const WeightCache* c = interp->weight_cache()) {
    s.hits = c->hits();
    s.misses = c->misses();
    s.wrote = c->wrote();
    s.path = c->path();
  }
  return s;
}

class WeightCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Both models need the int8 tile and the fp32 GEMM (any x86 / ARM
    // tier); without them nothing is packed and there is nothing to cache.
    if (dispatch::EnvForcesReference() ||
        x86::SelectS8Kernel(kernels::AllowedIsas()) == nullptr ||
        x86::SelectGemmF32(kernels::AllowedIsas()) == nullptr) {
      GTEST_SKIP() << "no optimized int8 / fp32 GEMM on this CPU";
    }
    char tmpl[] = "/tmp/ember-wcache-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string dir_;
};

// Every file in the folder (temporaries of writers included).
std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  return names;
}

TEST_F(WeightCacheTest, SecondStartMapsIdenticalWeights) {
  for (const auto& bytes : {Int8Model(), FloatModel()}) {
    const Start plain = RunOnce(bytes, "");
    const Start first = RunOnce(bytes, dir_);
    const Start second = RunOnce(bytes, dir_);
    ASSERT_FALSE(plain.output.empty());
    EXPECT_EQ(plain.hits, -1);  // no cache object without a folder
    // CONV_2D and FULLY_CONNECTED each pack one buffer.
    EXPECT_EQ(first.misses, 2);
    EXPECT_EQ(first.hits, 0);
    EXPECT_TRUE(first.wrote);
    EXPECT_TRUE(fs::exists(first.path));
    EXPECT_EQ(second.hits, 2);
    EXPECT_EQ(second.misses, 0);
    EXPECT_FALSE(second.wrote);
    EXPECT_EQ(first.output, plain.output);
    EXPECT_EQ(second.output, plain.output);
  }
  // The int8 outputs are also those of the reference kernels.
  const Start ref = RunOnce(Int8Model(), "", "", /*force_ref=*/true);
  EXPECT_EQ(RunOnce(Int8Model(), dir_).output, ref.output);
  // One file per model, no temporaries left.
  EXPECT_EQ(Files(dir_).size(), 2u);
}

TEST_F(WeightCacheTest, EnvironmentVariableEnablesIt) {
  setenv("EMBER_WEIGHT_CACHE", dir_.c_str(), 1);
  const Start first = RunOnce(Int8Model(), "");
  const Start second = RunOnce(Int8Model(), "");
  unsetenv("EMBER_WEIGHT_CACHE");
  EXPECT_TRUE(first.wrote);
  EXPECT_EQ(second.hits, 2);
  EXPECT_EQ(first.output, second.output);
}

// Damages the file in `how` and checks the next start ignores it (with a
// warning naming the problem), packs, gets the same output and rewrites a
// file the start after maps again.
void ExpectFallback(const std::string& dir, const std::vector<uint8_t>& model,
                    void (*damage)(const std::string& path),
                    const char* warning) {
  const Start first = RunOnce(model, dir);  // writes or maps the file
  ASSERT_TRUE(fs::exists(first.path));
  damage(first.path);
  ::testing::internal::CaptureStderr();
  const Start again = RunOnce(model, dir);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find(warning), std::string::npos) << err;
  EXPECT_EQ(again.hits, 0);
  EXPECT_EQ(again.misses, 2);
  EXPECT_TRUE(again.wrote);
  EXPECT_EQ(again.output, first.output);
  const Start healed = RunOnce(model, dir);
  EXPECT_EQ(healed.hits, 2);
  EXPECT_EQ(healed.output, first.output);
}

TEST_F(WeightCacheTest, DamagedFileIsIgnoredAndRewritten) {
  ExpectFallback(
      dir_, Int8Model(),
      [](const std::string& path) {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(0, std::ios::end);
        const std::streamoff size = f.tellg();
        f.seekp(size - 100);  // inside the last packed buffer
        char c = 0;
        f.seekg(size - 100);
        f.read(&c, 1);
        c = static_cast<char>(c ^ 0x5A);
        f.seekp(size - 100);
        f.write(&c, 1);
      },
      "checksum");
}

TEST_F(WeightCacheTest, TruncatedFileIsIgnoredAndRewritten) {
  ExpectFallback(
      dir_, Int8Model(),
      [](const std::string& path) {
        fs::resize_file(path, fs::file_size(path) / 2);
      },
      "truncated");
  ExpectFallback(
      dir_, FloatModel(),
      [](const std::string& path) { fs::resize_file(path, 10); }, "truncated");
  ExpectFallback(
      dir_, FloatModel(),
      [](const std::string& path) { fs::resize_file(path, 0); }, "truncated");
}

TEST_F(WeightCacheTest, FileOfAnotherIsaOrModelIsIgnored) {
  // Another ISA set is another file name: never confused.
  const Start wide = RunOnce(Int8Model(), dir_);
#if defined(__aarch64__)
  const char* lower_tier = "neon";  // below dotprod / i8mm
#else
  const char* lower_tier = "avx2";
#endif
  const Start avx2 = RunOnce(Int8Model(), dir_, lower_tier);
  if (avx2.path == wide.path) GTEST_SKIP() << "this CPU has only one tier";
  if (!avx2.wrote && !fs::exists(avx2.path))
    GTEST_SKIP() << lower_tier << " packs no int8 weights on this CPU";
  EXPECT_TRUE(avx2.wrote);
  EXPECT_EQ(avx2.hits, 0);
  EXPECT_EQ(avx2.output, wide.output);
  // A file forged under the other name (copied) fails the header check.
  fs::copy_file(avx2.path, wide.path, fs::copy_options::overwrite_existing);
  ::testing::internal::CaptureStderr();
  const Start again = RunOnce(Int8Model(), dir_);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("another model, ISA set"), std::string::npos) << err;
  EXPECT_EQ(again.hits, 0);
  EXPECT_TRUE(again.wrote);
  EXPECT_EQ(again.output, wide.output);
  // The file of another model under this model's name: the same.
  const Start other = RunOnce(FloatModel(), dir_);
  fs::copy_file(other.path, wide.path, fs::copy_options::overwrite_existing);
  ::testing::internal::CaptureStderr();
  const Start third = RunOnce(Int8Model(), dir_);
  const std::string err3 = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err3.find("another model"), std::string::npos) << err3;
  EXPECT_EQ(third.hits, 0);
  EXPECT_EQ(third.output, wide.output);
}

TEST_F(WeightCacheTest, NotAFileOrUnwritableFolderOnlyWarns) {
  const Start first = RunOnce(Int8Model(), dir_);
  // A folder where the file should be: ignored, and it cannot be replaced.
  fs::remove(first.path);
  fs::create_directory(first.path);
  ::testing::internal::CaptureStderr();
  const Start s = RunOnce(Int8Model(), dir_);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("weight cache"), std::string::npos) << err;
  EXPECT_EQ(s.output, first.output);
  EXPECT_FALSE(s.wrote);
  // A cache folder below a regular file cannot exist at all.
  const std::string file = dir_ + "/plain";
  std::ofstream(file) << "x";
  ::testing::internal::CaptureStderr();
  const Start t = RunOnce(Int8Model(), file + "/cache");
  const std::string err2 = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err2.find("cannot write"), std::string::npos) << err2;
  EXPECT_EQ(t.output, first.output);
  EXPECT_FALSE(t.wrote);
}

TEST_F(WeightCacheTest, ConcurrentWritersLeaveOneValidFile) {
  const std::vector<uint8_t> model = Int8Model();
  const Start plain = RunOnce(model, "");
  std::vector<Start> starts(6);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < starts.size(); ++i) {
    threads.emplace_back([&, i] { starts[i] = RunOnce(model, dir_); });
  }
  for (auto& t : threads) t.join();
  for (const Start& s : starts) EXPECT_EQ(s.output, plain.output);
  // Only the finished file remains (every temporary renamed), and it maps.
  EXPECT_EQ(Files(dir_).size(), 1u);
  const Start after = RunOnce(model, dir_);
  EXPECT_EQ(after.hits, 2);
  EXPECT_EQ(after.output, plain.output);
}

}  // namespace
}  // namespace ember
