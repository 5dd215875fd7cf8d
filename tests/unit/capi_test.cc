// The C ABI (include/ember/ember.h) and its C++ wrappers (ember.hpp), driven
// the way users drive them: models built in memory with ModelBuilder, no
// runtime internals.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ember/ember.h"
#include "ember/ember.hpp"
#include "util/model_builder.h"

namespace ember {
namespace {

using testing::ModelBuilder;

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

fb::BuiltinOptionsUnion AddOptions() {
  fb::BuiltinOptionsUnion opts;
  opts.Set(fb::AddOptionsT());
  return opts;
}

// y = x + [1, 2, 3]; x is [1, 3] (resizable rows); signature
// "serving_default" (x -> y).
std::vector<uint8_t> AddModel() {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {1, 3}, "x");
  const int c = b.AddConstant<float>(testing::kF32, {3}, {1.f, 2.f, 3.f}, "c");
  const int y = b.AddTensor(testing::kF32, {1, 3}, "y");
  b.SetShapeSignature(x, {-1, 3});
  b.SetShapeSignature(y, {-1, 3});
  b.AddOp(fb::BuiltinOperator::ADD, {x, c}, {y}, AddOptions());
  b.SetInputs({x});
  b.SetOutputs({y});
  b.AddSignature("serving_default", 0, {{"x", x}}, {{"y", y}});
  return b.Build();
}

// Two subgraphs, one signature each:
//   "add"    (subgraph 0): sum = lhs + rhs, all [2]
//   "double" (subgraph 1): twice = value + value, all [3]
std::vector<uint8_t> TwoSignatureModel() {
  ModelBuilder b;
  const int a = b.AddTensor(testing::kF32, {2}, "a");
  const int bb = b.AddTensor(testing::kF32, {2}, "b");
  const int s = b.AddTensor(testing::kF32, {2}, "s");
  b.AddOp(fb::BuiltinOperator::ADD, {a, bb}, {s}, AddOptions());
  b.SetInputs({a, bb});
  b.SetOutputs({s});
  const int sg = b.AddSubgraph("double");
  const int u = b.AddTensor(testing::kF32, {3}, "u");
  const int d = b.AddTensor(testing::kF32, {3}, "d");
  b.AddOp(fb::BuiltinOperator::ADD, {u, u}, {d}, AddOptions());
  b.SetInputs({u});
  b.SetOutputs({d});
  b.SelectSubgraph(0);
  b.AddSignature("add", 0, {{"lhs", a}, {"rhs", bb}}, {{"sum", s}});
  b.AddSignature("double", sg, {{"value", u}}, {{"twice", d}});
  return b.Build();
}

// t = TimesTwo(x); u = TimesTwo(t); y = u + [1, 2, 3]. x is [2, 3]
// (resizable rows). The first TimesTwo carries custom options [5, 6, 7].
std::vector<uint8_t> TimesTwoModel() {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {2, 3}, "x");
  const int t = b.AddTensor(testing::kF32, {2, 3}, "t");
  const int u = b.AddTensor(testing::kF32, {2, 3}, "u");
  const int c = b.AddConstant<float>(testing::kF32, {3}, {1.f, 2.f, 3.f}, "c");
  const int y = b.AddTensor(testing::kF32, {2, 3}, "y");
  b.AddCustomOp("TimesTwo", {x}, {t}, {5, 6, 7});
  b.AddCustomOp("TimesTwo", {t}, {u});
  b.AddOp(fb::BuiltinOperator::ADD, {u, c}, {y}, AddOptions());
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

// out = Iota(n): int32 [n] = 0, 1, ..., n-1 (shape known only at eval).
std::vector<uint8_t> IotaModel() {
  ModelBuilder b;
  const int n = b.AddTensor(testing::kI32, {}, "n");
  const int out = b.AddTensor(testing::kI32, {1}, "out");
  b.AddCustomOp("Iota", {n}, {out});
  b.SetInputs({n});
  b.SetOutputs({out});
  return b.Build();
}

// Quantized tensors: an int8 input with per-tensor parameters and an int8
// constant with per-channel parameters (axis 1), added together.
std::vector<uint8_t> QuantizedModel() {
  ModelBuilder b;
  testing::QuantSpec per_tensor{{0.5f}, {-3}, 0};
  testing::QuantSpec per_channel{{0.25f, 0.125f}, {0, 0}, 1};
  const int x = b.AddTensor(testing::kI8, {2, 2}, "x", per_tensor);
  const int w = b.AddConstant<int8_t>(testing::kI8, {2, 2}, {1, 2, 3, 4}, "w",
                                      per_channel);
  (void)w;
  b.SetInputs({x});
  b.SetOutputs({x});
  return b.Build();
}

// ---------------------------------------------------------------------------
// Small helpers over the C ABI
// ---------------------------------------------------------------------------

struct ModelDeleter {
  void operator()(EmberModel* m) const { EmberModelDestroy(m); }
};
struct InterpDeleter {
  void operator()(EmberInterpreter* i) const { EmberInterpreterDestroy(i); }
};
struct RunnerDeleter {
  void operator()(EmberSignatureRunner* r) const {
    EmberSignatureRunnerDestroy(r);
  }
};
struct ResolverDeleter {
  void operator()(EmberOpResolver* r) const { EmberOpResolverDestroy(r); }
};
using ModelPtr = std::unique_ptr<EmberModel, ModelDeleter>;
using InterpPtr = std::unique_ptr<EmberInterpreter, InterpDeleter>;
using RunnerPtr = std::unique_ptr<EmberSignatureRunner, RunnerDeleter>;
using ResolverPtr = std::unique_ptr<EmberOpResolver, ResolverDeleter>;

ModelPtr LoadModel(const std::vector<uint8_t>& bytes) {
  char error[256] = "";
  EmberModel* model = nullptr;
  EXPECT_EQ(EmberModelCreateFromBuffer(bytes.data(), bytes.size(), &model,
                                       error, sizeof(error)),
            EMBER_STATUS_OK)
      << error;
  return ModelPtr(model);
}

InterpPtr MakeInterpreter(const EmberModel* model,
                          const EmberOpResolver* resolver = nullptr) {
  char error[256] = "";
  EmberInterpreter* interp = nullptr;
  EXPECT_EQ(EmberInterpreterCreate(model, nullptr, resolver, &interp, error,
                                   sizeof(error)),
            EMBER_STATUS_OK)
      << error;
  return InterpPtr(interp);
}

std::vector<int32_t> Dims(const EmberTensor* t) {
  std::vector<int32_t> dims;
  for (int32_t i = 0; i < EmberTensorNumDims(t); ++i)
    dims.push_back(EmberTensorDim(t, i));
  return dims;
}

template <typename T>
std::vector<T> Read(const EmberTensor* t) {
  std::vector<T> values(EmberTensorByteSize(t) / sizeof(T));
  EXPECT_EQ(
      EmberTensorCopyToBuffer(t, values.data(), values.size() * sizeof(T)),
      EMBER_STATUS_OK);
  return values;
}

template <typename T>
void Write(EmberTensor* t, const std::vector<T>& values) {
  ASSERT_EQ(
      EmberTensorCopyFromBuffer(t, values.data(), values.size() * sizeof(T)),
      EMBER_STATUS_OK);
}

bool Contains(const char* haystack, const char* needle) {
  return haystack != nullptr && strstr(haystack, needle) != nullptr;
}

// ---------------------------------------------------------------------------
// Basics
// ---------------------------------------------------------------------------

TEST(CApi, VersionStatusAndTypeNames) {
  EXPECT_EQ(EmberVersionNumber(), EMBER_VERSION_NUMBER);
  const std::string expected = std::to_string(EMBER_VERSION_MAJOR) + "." +
                               std::to_string(EMBER_VERSION_MINOR) + "." +
                               std::to_string(EMBER_VERSION_PATCH);
  EXPECT_EQ(std::string(EmberVersion()), expected);
  EXPECT_STREQ(EmberStatusName(EMBER_STATUS_OK), "ok");
  EXPECT_STREQ(EmberStatusName(EMBER_STATUS_FAILED_PRECONDITION),
               "failed precondition");
  EXPECT_STREQ(EmberStatusName(static_cast<EmberStatus>(99)), "unknown status");
  EXPECT_STREQ(EmberTypeName(EMBER_TYPE_FLOAT32), "float32");
  EXPECT_STREQ(EmberTypeName(EMBER_TYPE_BFLOAT16), "bfloat16");
  EXPECT_STREQ(EmberTypeName(EMBER_TYPE_INVALID), "unknown");
  EXPECT_EQ(EmberTypeSize(EMBER_TYPE_INT16), 2u);
  EXPECT_EQ(EmberTypeSize(EMBER_TYPE_INT4), 0u);
  EXPECT_EQ(EmberTypeSize(static_cast<EmberType>(77)), 0u);
}

TEST(CApi, FullLifecycle) {
  const auto bytes = AddModel();
  ModelPtr model = LoadModel(bytes);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(EmberModelGetSubgraphCount(model.get()), 1);
  EXPECT_EQ(EmberModelGetSignatureCount(model.get()), 1);

  EmberInterpreterOptions* options = nullptr;
  ASSERT_EQ(EmberInterpreterOptionsCreate(&options, nullptr, 0),
            EMBER_STATUS_OK);
  ASSERT_EQ(EmberInterpreterOptionsSetNumThreads(options, 3), EMBER_STATUS_OK);
  EmberInterpreter* raw = nullptr;
  char error[128] = "";
  ASSERT_EQ(EmberInterpreterCreate(model.get(), options, nullptr, &raw, error,
                                   sizeof(error)),
            EMBER_STATUS_OK)
      << error;
  InterpPtr interp(raw);
  EmberInterpreterOptionsDestroy(options);
  model.reset();  // the interpreter holds its own reference

  EXPECT_STREQ(EmberInterpreterGetLastError(interp.get()), "");
  ASSERT_EQ(EmberInterpreterGetInputCount(interp.get()), 1);
  ASSERT_EQ(EmberInterpreterGetOutputCount(interp.get()), 1);
  EXPECT_EQ(EmberInterpreterGetTensorCount(interp.get()), 3);
  EmberTensor* in = EmberInterpreterGetInputTensor(interp.get(), 0);
  const EmberTensor* out = EmberInterpreterGetOutputTensor(interp.get(), 0);
  ASSERT_NE(in, nullptr);
  ASSERT_NE(out, nullptr);
  EXPECT_STREQ(EmberTensorName(in), "x");
  EXPECT_STREQ(EmberTensorName(out), "y");
  EXPECT_EQ(EmberTensorType(in), EMBER_TYPE_FLOAT32);
  EXPECT_EQ(Dims(in), (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(EmberTensorNumElements(in), 3);
  EXPECT_EQ(EmberTensorData(in), nullptr);  // not allocated yet
  EXPECT_EQ(EmberTensorByteSize(in), 0u);
  EXPECT_EQ(EmberInterpreterGetTensor(interp.get(), 1),
            EmberInterpreterGetTensorByName(interp.get(), "c"));

  ASSERT_EQ(EmberInterpreterAllocateTensors(interp.get()), EMBER_STATUS_OK);
  EXPECT_EQ(EmberTensorByteSize(in), 3 * sizeof(float));
  EXPECT_NE(EmberTensorMutableData(in), nullptr);
  Write<float>(in, {10.f, 20.f, 30.f});
  ASSERT_EQ(EmberInterpreterInvoke(interp.get()), EMBER_STATUS_OK)
      << EmberInterpreterGetLastError(interp.get());
  EXPECT_EQ(Read<float>(out), (std::vector<float>{11.f, 22.f, 33.f}));
  // Direct data access sees the same values.
  EXPECT_EQ(static_cast<const float*>(EmberTensorData(out))[2], 33.f);

  // Invoke again with new inputs, written through the data pointer.
  float* x = static_cast<float*>(EmberTensorMutableData(in));
  x[0] = -1.f;
  ASSERT_EQ(EmberInterpreterInvoke(interp.get()), EMBER_STATUS_OK);
  EXPECT_EQ(Read<float>(out)[0], 0.f);

  EXPECT_EQ(EmberInterpreterSetNumThreads(interp.get(), 2), EMBER_STATUS_OK);
  EXPECT_EQ(EmberInterpreterSetNumThreads(interp.get(), 0),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_TRUE(
      Contains(EmberInterpreterGetLastError(interp.get()), "num_threads"));
  EXPECT_EQ(EmberInterpreterResetVariables(interp.get()), EMBER_STATUS_OK);
}

TEST(CApi, ModelFromBufferNoCopyAndFromFile) {
  const auto bytes = AddModel();
  // 64-byte aligned storage the caller owns for the model's lifetime.
  struct alignas(64) Block {
    uint8_t b[64];
  };
  std::vector<Block> storage(bytes.size() / 64 + 1);
  memcpy(storage.data(), bytes.data(), bytes.size());
  EmberModel* model = nullptr;
  ASSERT_EQ(EmberModelCreateFromBufferNoCopy(storage.data(), bytes.size(),
                                             &model, nullptr, 0),
            EMBER_STATUS_OK);
  ModelPtr owned(model);
  InterpPtr interp = MakeInterpreter(model);
  ASSERT_EQ(EmberInterpreterAllocateTensors(interp.get()), EMBER_STATUS_OK);
  // The constant is read in place from the caller's bytes.
  const EmberTensor* c = EmberInterpreterGetTensorByName(interp.get(), "c");
  const auto* begin = reinterpret_cast<const uint8_t*>(storage.data());
  const auto* data = static_cast<const uint8_t*>(EmberTensorData(c));
  EXPECT_TRUE(data >= begin && data < begin + bytes.size());

  // From a file (mmap).
  const std::string path =
      std::string(::testing::TempDir()) + "/ember_capi_add_model.tflite";
  FILE* f = fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
  fclose(f);
  EmberModel* from_file = nullptr;
  char error[256] = "";
  ASSERT_EQ(
      EmberModelCreateFromFile(path.c_str(), &from_file, error, sizeof(error)),
      EMBER_STATUS_OK)
      << error;
  InterpPtr interp2 = MakeInterpreter(from_file);
  EmberModelDestroy(from_file);
  ASSERT_EQ(EmberInterpreterAllocateTensors(interp2.get()), EMBER_STATUS_OK);
  Write<float>(EmberInterpreterGetInputTensor(interp2.get(), 0),
               {1.f, 1.f, 1.f});
  ASSERT_EQ(EmberInterpreterInvoke(interp2.get()), EMBER_STATUS_OK);
  EXPECT_EQ(Read<float>(EmberInterpreterGetOutputTensor(interp2.get(), 0)),
            (std::vector<float>{2.f, 3.f, 4.f}));
  remove(path.c_str());
}

TEST(CApi, ResizeAndReallocate) {
  ModelPtr model = LoadModel(AddModel());
  InterpPtr interp = MakeInterpreter(model.get());
  EmberInterpreter* ip = interp.get();
  ASSERT_EQ(EmberInterpreterAllocateTensors(ip), EMBER_STATUS_OK);

  const int32_t dims[2] = {4, 3};
  ASSERT_EQ(EmberInterpreterResizeInputTensor(ip, 0, dims, 2), EMBER_STATUS_OK);
  // Shapes change at once; memory only at the next allocate.
  EXPECT_EQ(Dims(EmberInterpreterGetInputTensor(ip, 0)),
            (std::vector<int32_t>{4, 3}));
  EXPECT_EQ(EmberInterpreterInvoke(ip), EMBER_STATUS_FAILED_PRECONDITION);
  EXPECT_TRUE(Contains(EmberInterpreterGetLastError(ip), "not allocated"));
  ASSERT_EQ(EmberInterpreterAllocateTensors(ip), EMBER_STATUS_OK);

  EmberTensor* in = EmberInterpreterGetInputTensor(ip, 0);
  const EmberTensor* out = EmberInterpreterGetOutputTensor(ip, 0);
  EXPECT_EQ(Dims(out), (std::vector<int32_t>{4, 3}));
  EXPECT_EQ(EmberTensorByteSize(in), 12 * sizeof(float));
  std::vector<float> x(12);
  for (int i = 0; i < 12; ++i) x[i] = static_cast<float>(i);
  Write(in, x);
  ASSERT_EQ(EmberInterpreterInvoke(ip), EMBER_STATUS_OK);
  const auto y = Read<float>(out);
  ASSERT_EQ(y.size(), 12u);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(y[i], i + 1.f + (i % 3)) << i;

  // Back to one row: the old buffer size is now wrong.
  const int32_t one[2] = {1, 3};
  ASSERT_EQ(EmberInterpreterResizeInputTensor(ip, 0, one, 2), EMBER_STATUS_OK);
  ASSERT_EQ(EmberInterpreterAllocateTensors(ip), EMBER_STATUS_OK);
  EXPECT_EQ(EmberTensorCopyFromBuffer(in, x.data(), x.size() * sizeof(float)),
            EMBER_STATUS_INVALID_ARGUMENT);
  Write<float>(in, {0.f, 0.f, 0.f});
  ASSERT_EQ(EmberInterpreterInvoke(ip), EMBER_STATUS_OK);
  EXPECT_EQ(Read<float>(out), (std::vector<float>{1.f, 2.f, 3.f}));
}

TEST(CApi, SignaturesByKeyAndName) {
  ModelPtr model = LoadModel(TwoSignatureModel());
  InterpPtr interp = MakeInterpreter(model.get());
  EmberInterpreter* ip = interp.get();
  ASSERT_EQ(EmberInterpreterGetSignatureCount(ip), 2);
  EXPECT_STREQ(EmberInterpreterGetSignatureKey(ip, 0), "add");
  EXPECT_STREQ(EmberInterpreterGetSignatureKey(ip, 1), "double");
  EXPECT_EQ(EmberInterpreterGetSignatureKey(ip, 2), nullptr);
  EXPECT_EQ(EmberInterpreterGetSignatureKey(ip, -1), nullptr);

  // Unknown key, and an empty key with two signatures: NOT_FOUND, listing
  // the keys the model has.
  EmberSignatureRunner* raw = reinterpret_cast<EmberSignatureRunner*>(1);
  EXPECT_EQ(EmberSignatureRunnerCreate(ip, "triple", &raw),
            EMBER_STATUS_NOT_FOUND);
  EXPECT_EQ(raw, nullptr);
  EXPECT_TRUE(Contains(EmberInterpreterGetLastError(ip), "'triple'"));
  EXPECT_TRUE(Contains(EmberInterpreterGetLastError(ip), "'double'"));
  EXPECT_EQ(EmberSignatureRunnerCreate(ip, "", &raw), EMBER_STATUS_NOT_FOUND);
  EXPECT_EQ(EmberSignatureRunnerCreate(ip, nullptr, &raw),
            EMBER_STATUS_NOT_FOUND);
  EXPECT_EQ(EmberSignatureRunnerCreate(ip, "add", nullptr),
            EMBER_STATUS_INVALID_ARGUMENT);

  ASSERT_EQ(EmberSignatureRunnerCreate(ip, "double", &raw), EMBER_STATUS_OK);
  RunnerPtr twice(raw);
  ASSERT_EQ(EmberSignatureRunnerCreate(ip, "add", &raw), EMBER_STATUS_OK);
  RunnerPtr add(raw);
  EXPECT_STREQ(EmberSignatureRunnerGetKey(add.get()), "add");
  ASSERT_EQ(EmberSignatureRunnerGetInputCount(add.get()), 2);
  ASSERT_EQ(EmberSignatureRunnerGetOutputCount(add.get()), 1);
  EXPECT_STREQ(EmberSignatureRunnerGetInputName(add.get(), 0), "lhs");
  EXPECT_STREQ(EmberSignatureRunnerGetInputName(add.get(), 1), "rhs");
  EXPECT_EQ(EmberSignatureRunnerGetInputName(add.get(), 2), nullptr);
  EXPECT_STREQ(EmberSignatureRunnerGetOutputName(add.get(), 0), "sum");
  EXPECT_EQ(EmberSignatureRunnerGetOutputName(add.get(), 1), nullptr);

  // Unknown names: NULL + NOT_FOUND message naming the known ones.
  EXPECT_EQ(EmberSignatureRunnerGetInputTensor(add.get(), "sum"), nullptr);
  EXPECT_TRUE(Contains(EmberSignatureRunnerGetLastError(add.get()), "'sum'"));
  EXPECT_TRUE(Contains(EmberSignatureRunnerGetLastError(add.get()), "'lhs'"));
  EXPECT_EQ(EmberSignatureRunnerGetOutputTensor(add.get(), "lhs"), nullptr);
  EXPECT_EQ(EmberSignatureRunnerGetInputTensor(add.get(), nullptr), nullptr);
  const int32_t dims[1] = {5};
  EXPECT_EQ(EmberSignatureRunnerResizeInputTensor(add.get(), "nope", dims, 1),
            EMBER_STATUS_NOT_FOUND);

  // Invoke before allocate.
  EXPECT_EQ(EmberSignatureRunnerInvoke(add.get()),
            EMBER_STATUS_FAILED_PRECONDITION);
  EXPECT_TRUE(
      Contains(EmberSignatureRunnerGetLastError(add.get()), "not allocated"));

  ASSERT_EQ(EmberSignatureRunnerAllocateTensors(add.get()), EMBER_STATUS_OK);
  Write<float>(EmberSignatureRunnerGetInputTensor(add.get(), "lhs"),
               {1.f, 2.f});
  Write<float>(EmberSignatureRunnerGetInputTensor(add.get(), "rhs"),
               {10.f, 20.f});
  ASSERT_EQ(EmberSignatureRunnerInvoke(add.get()), EMBER_STATUS_OK)
      << EmberSignatureRunnerGetLastError(add.get());
  EXPECT_EQ(Read<float>(EmberSignatureRunnerGetOutputTensor(add.get(), "sum")),
            (std::vector<float>{11.f, 22.f}));

  // The second signature runs its own subgraph; resize through the runner.
  const int32_t five[1] = {5};
  ASSERT_EQ(
      EmberSignatureRunnerResizeInputTensor(twice.get(), "value", five, 1),
      EMBER_STATUS_OK);
  EXPECT_EQ(EmberSignatureRunnerInvoke(twice.get()),
            EMBER_STATUS_FAILED_PRECONDITION);
  ASSERT_EQ(EmberSignatureRunnerAllocateTensors(twice.get()), EMBER_STATUS_OK);
  EmberTensor* value = EmberSignatureRunnerGetInputTensor(twice.get(), "value");
  EXPECT_EQ(Dims(value), (std::vector<int32_t>{5}));
  Write<float>(value, {1.f, 2.f, 3.f, 4.f, 5.f});
  ASSERT_EQ(EmberSignatureRunnerInvoke(twice.get()), EMBER_STATUS_OK);
  EXPECT_EQ(
      Read<float>(EmberSignatureRunnerGetOutputTensor(twice.get(), "twice")),
      (std::vector<float>{2.f, 4.f, 6.f, 8.f, 10.f}));

  // Runners outlive the interpreter handle.
  interp.reset();
  model.reset();
  ASSERT_EQ(EmberSignatureRunnerInvoke(add.get()), EMBER_STATUS_OK);
  EXPECT_EQ(Read<float>(EmberSignatureRunnerGetOutputTensor(add.get(), "sum")),
            (std::vector<float>{11.f, 22.f}));
}

TEST(CApi, EmptyKeyPicksTheOnlySignature) {
  ModelPtr model = LoadModel(AddModel());
  InterpPtr interp = MakeInterpreter(model.get());
  EmberSignatureRunner* raw = nullptr;
  ASSERT_EQ(EmberSignatureRunnerCreate(interp.get(), nullptr, &raw),
            EMBER_STATUS_OK);
  RunnerPtr runner(raw);
  EXPECT_STREQ(EmberSignatureRunnerGetKey(runner.get()), "serving_default");
}

TEST(CApi, QuantizationParameters) {
  ModelPtr model = LoadModel(QuantizedModel());
  InterpPtr interp = MakeInterpreter(model.get());
  const EmberTensor* x = EmberInterpreterGetTensorByName(interp.get(), "x");
  const EmberTensor* w = EmberInterpreterGetTensorByName(interp.get(), "w");
  ASSERT_NE(x, nullptr);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(EmberTensorType(x), EMBER_TYPE_INT8);
  EXPECT_FLOAT_EQ(EmberTensorQuantizationScale(x), 0.5f);
  EXPECT_EQ(EmberTensorQuantizationZeroPoint(x), -3);
  EmberQuantization q;
  ASSERT_EQ(EmberTensorGetQuantization(x, &q), EMBER_STATUS_OK);
  EXPECT_EQ(q.count, 1);
  ASSERT_EQ(EmberTensorGetQuantization(w, &q), EMBER_STATUS_OK);
  ASSERT_EQ(q.count, 2);
  EXPECT_EQ(q.quantized_dimension, 1);
  EXPECT_FLOAT_EQ(q.scales[0], 0.25f);
  EXPECT_FLOAT_EQ(q.scales[1], 0.125f);
  ASSERT_NE(q.zero_points, nullptr);
  EXPECT_EQ(q.zero_points[1], 0);
  EXPECT_TRUE(EmberTensorIsConstant(w));
  EXPECT_EQ(static_cast<const int8_t*>(EmberTensorData(w))[3], 4);

  // Not quantized: all zero.
  ModelPtr float_model = LoadModel(AddModel());
  InterpPtr float_interp = MakeInterpreter(float_model.get());
  const EmberTensor* f = EmberInterpreterGetInputTensor(float_interp.get(), 0);
  ASSERT_EQ(EmberTensorGetQuantization(f, &q), EMBER_STATUS_OK);
  EXPECT_EQ(q.count, 0);
  EXPECT_EQ(q.scales, nullptr);
  EXPECT_EQ(EmberTensorQuantizationScale(f), 0.f);
  EXPECT_EQ(EmberTensorGetQuantization(f, nullptr),
            EMBER_STATUS_INVALID_ARGUMENT);
}

// ---------------------------------------------------------------------------
// Custom ops from C
// ---------------------------------------------------------------------------

struct TimesTwoConfig {
  int prepares = 0;
  int evals = 0;
  int destroyed = 0;
  size_t first_options_size = 0;
  uint8_t first_option = 0;
  void* op_data_seen[2] = {nullptr, nullptr};
  bool scratch_ok = true;
  // Failure injection.
  bool fail_prepare_with_message = false;
  bool fail_eval_silently = false;
  bool resize_in_eval = false;
};

struct TimesTwoState {
  int64_t count;
  int32_t scratch;
  int32_t prepared;
};

EmberStatus TimesTwoPrepare(EmberOpContext* ctx, void* user_data) {
  auto* cfg = static_cast<TimesTwoConfig*>(user_data);
  if (cfg->fail_prepare_with_message) {
    return EmberOpContextReportError(ctx, EMBER_STATUS_INVALID_ARGUMENT,
                                     "bad thing %d", 42);
  }
  auto* state = static_cast<TimesTwoState*>(EmberOpContextGetOpData(ctx));
  if (state == nullptr) return EMBER_STATUS_INTERNAL;
  if (cfg->prepares < 2) cfg->op_data_seen[cfg->prepares] = state;
  if (cfg->prepares++ == 0) {
    size_t size = 0;
    const auto* options =
        static_cast<const uint8_t*>(EmberOpContextGetCustomOptions(ctx, &size));
    cfg->first_options_size = size;
    cfg->first_option = options ? options[0] : 0;
  }
  if (EmberOpContextIsPreparing(ctx) != 1) return EMBER_STATUS_INTERNAL;
  if (EmberOpContextGetInputCount(ctx) != 1 ||
      EmberOpContextGetOutputCount(ctx) != 1) {
    return EmberOpContextReportError(ctx, EMBER_STATUS_INVALID_MODEL,
                                     "wants one input and one output");
  }
  const EmberTensor* in = EmberOpContextGetInput(ctx, 0);
  if (EmberOpContextGetInput(ctx, 1) != nullptr ||
      EmberOpContextGetOutput(ctx, 1) != nullptr)
    return EMBER_STATUS_INTERNAL;
  if (EmberTensorType(in) != EMBER_TYPE_FLOAT32) {
    return EmberOpContextReportError(ctx, EMBER_STATUS_UNSUPPORTED,
                                     "input is %s",
                                     EmberTypeName(EmberTensorType(in)));
  }
  state->count = EmberTensorNumElements(in);
  state->prepared = 1;
  EmberStatus s = EmberOpContextRequestScratch(ctx, 100, &state->scratch);
  if (s != EMBER_STATUS_OK) return s;
  return EmberOpContextResizeOutput(ctx, 0, EmberTensorDims(in),
                                    EmberTensorNumDims(in));
}

EmberStatus TimesTwoEval(EmberOpContext* ctx, void* user_data) {
  auto* cfg = static_cast<TimesTwoConfig*>(user_data);
  ++cfg->evals;
  if (cfg->fail_eval_silently) return EMBER_STATUS_UNSUPPORTED;
  const auto* state =
      static_cast<const TimesTwoState*>(EmberOpContextGetOpData(ctx));
  if (state->prepared != 1 || EmberOpContextIsPreparing(ctx) != 0)
    return EMBER_STATUS_INTERNAL;
  if (cfg->resize_in_eval) {
    const int32_t dims[1] = {99};
    return EmberOpContextResizeOutput(ctx, 0, dims, 1);
  }
  void* scratch = EmberOpContextGetScratch(ctx, state->scratch);
  if (scratch == nullptr || reinterpret_cast<uintptr_t>(scratch) % 64 != 0 ||
      EmberOpContextGetScratch(ctx, state->scratch + 1) != nullptr)
    cfg->scratch_ok = false;
  else
    memset(scratch, 0xAB, 100);  // must be writable
  const float* in = static_cast<const float*>(
      EmberTensorData(EmberOpContextGetInput(ctx, 0)));
  float* out = static_cast<float*>(
      EmberTensorMutableData(EmberOpContextGetOutput(ctx, 0)));
  for (int64_t i = 0; i < state->count; ++i) out[i] = 2.f * in[i];
  return EMBER_STATUS_OK;
}

void TimesTwoDestroy(void* user_data) {
  ++static_cast<TimesTwoConfig*>(user_data)->destroyed;
}

EmberCustomOp TimesTwoOp(TimesTwoConfig* cfg) {
  EmberCustomOp op{};
  op.struct_size = sizeof(op);
  op.prepare = &TimesTwoPrepare;
  op.eval = &TimesTwoEval;
  op.user_data = cfg;
  op.destroy = &TimesTwoDestroy;
  op.op_data_size = sizeof(TimesTwoState);
  return op;
}

ResolverPtr MakeResolver() {
  EmberOpResolver* raw = nullptr;
  EXPECT_EQ(EmberOpResolverCreate(&raw, nullptr, 0), EMBER_STATUS_OK);
  return ResolverPtr(raw);
}

TEST(CApi, CustomOpFromCRunsInsideAModel) {
  ModelPtr model = LoadModel(TimesTwoModel());
  // Without the op the interpreter names what is missing.
  char error[256] = "";
  EmberInterpreter* raw = nullptr;
  EXPECT_EQ(EmberInterpreterCreate(model.get(), nullptr, nullptr, &raw, error,
                                   sizeof(error)),
            EMBER_STATUS_UNSUPPORTED);
  EXPECT_EQ(raw, nullptr);
  EXPECT_TRUE(Contains(error, "custom op 'TimesTwo'")) << error;

  TimesTwoConfig cfg;
  ResolverPtr resolver = MakeResolver();
  const EmberCustomOp op = TimesTwoOp(&cfg);
  ASSERT_EQ(EmberOpResolverAddCustomOp(resolver.get(), "TimesTwo", &op),
            EMBER_STATUS_OK);
  InterpPtr interp = MakeInterpreter(model.get(), resolver.get());
  resolver.reset();  // the interpreter keeps the op alive
  model.reset();
  EXPECT_EQ(cfg.destroyed, 0);

  EmberInterpreter* ip = interp.get();
  ASSERT_EQ(EmberInterpreterAllocateTensors(ip), EMBER_STATUS_OK)
      << EmberInterpreterGetLastError(ip);
  EXPECT_EQ(cfg.prepares, 2);
  EXPECT_EQ(cfg.first_options_size, 3u);
  EXPECT_EQ(cfg.first_option, 5);
  // Each op instance has its own zeroed, aligned state.
  ASSERT_NE(cfg.op_data_seen[0], nullptr);
  EXPECT_NE(cfg.op_data_seen[0], cfg.op_data_seen[1]);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(cfg.op_data_seen[0]) % 64, 0u);

  Write<float>(EmberInterpreterGetInputTensor(ip, 0),
               {1.f, 2.f, 3.f, 4.f, 5.f, 6.f});
  ASSERT_EQ(EmberInterpreterInvoke(ip), EMBER_STATUS_OK)
      << EmberInterpreterGetLastError(ip);
  EXPECT_EQ(cfg.evals, 2);
  EXPECT_TRUE(cfg.scratch_ok);
  EXPECT_EQ(Read<float>(EmberInterpreterGetOutputTensor(ip, 0)),
            (std::vector<float>{5.f, 10.f, 15.f, 17.f, 22.f, 27.f}));

  // Resizing re-runs prepare with the new shape.
  const int32_t dims[2] = {1, 3};
  ASSERT_EQ(EmberInterpreterResizeInputTensor(ip, 0, dims, 2), EMBER_STATUS_OK);
  ASSERT_EQ(EmberInterpreterAllocateTensors(ip), EMBER_STATUS_OK);
  EXPECT_EQ(cfg.prepares, 4);
  Write<float>(EmberInterpreterGetInputTensor(ip, 0), {1.f, 1.f, 1.f});
  ASSERT_EQ(EmberInterpreterInvoke(ip), EMBER_STATUS_OK);
  EXPECT_EQ(Read<float>(EmberInterpreterGetOutputTensor(ip, 0)),
            (std::vector<float>{5.f, 6.f, 7.f}));

  interp.reset();
  EXPECT_EQ(cfg.destroyed, 1);  // exactly once, when the last user is gone
}

TEST(CApi, CustomOpErrorsReachTheCaller) {
  const auto bytes = TimesTwoModel();
  ModelPtr model = LoadModel(bytes);
  {
    TimesTwoConfig cfg;
    cfg.fail_prepare_with_message = true;
    ResolverPtr resolver = MakeResolver();
    const EmberCustomOp op = TimesTwoOp(&cfg);
    ASSERT_EQ(EmberOpResolverAddCustomOp(resolver.get(), "TimesTwo", &op),
              EMBER_STATUS_OK);
    InterpPtr interp = MakeInterpreter(model.get(), resolver.get());
    EXPECT_EQ(EmberInterpreterAllocateTensors(interp.get()),
              EMBER_STATUS_INVALID_ARGUMENT);
    const char* message = EmberInterpreterGetLastError(interp.get());
    EXPECT_TRUE(Contains(message, "TimesTwo")) << message;
    EXPECT_TRUE(Contains(message, "bad thing 42")) << message;
  }
  {
    TimesTwoConfig cfg;
    cfg.fail_eval_silently = true;
    ResolverPtr resolver = MakeResolver();
    const EmberCustomOp op = TimesTwoOp(&cfg);
    ASSERT_EQ(EmberOpResolverAddCustomOp(resolver.get(), "TimesTwo", &op),
              EMBER_STATUS_OK);
    InterpPtr interp = MakeInterpreter(model.get(), resolver.get());
    ASSERT_EQ(EmberInterpreterAllocateTensors(interp.get()), EMBER_STATUS_OK);
    EXPECT_EQ(EmberInterpreterInvoke(interp.get()), EMBER_STATUS_UNSUPPORTED);
    const char* message = EmberInterpreterGetLastError(interp.get());
    EXPECT_TRUE(Contains(message, "custom op eval failed")) << message;
  }
  {
    // Resizing a non-dynamic output to a new shape in eval is refused.
    TimesTwoConfig cfg;
    cfg.resize_in_eval = true;
    ResolverPtr resolver = MakeResolver();
    const EmberCustomOp op = TimesTwoOp(&cfg);
    ASSERT_EQ(EmberOpResolverAddCustomOp(resolver.get(), "TimesTwo", &op),
              EMBER_STATUS_OK);
    InterpPtr interp = MakeInterpreter(model.get(), resolver.get());
    ASSERT_EQ(EmberInterpreterAllocateTensors(interp.get()), EMBER_STATUS_OK);
    EXPECT_NE(EmberInterpreterInvoke(interp.get()), EMBER_STATUS_OK);
    EXPECT_TRUE(Contains(EmberInterpreterGetLastError(interp.get()),
                         "not marked dynamic"))
        << EmberInterpreterGetLastError(interp.get());
  }
}

TEST(CApi, CustomOpRegistrationErrors) {
  ResolverPtr resolver = MakeResolver();
  TimesTwoConfig cfg;
  EmberCustomOp op = TimesTwoOp(&cfg);
  EXPECT_EQ(EmberOpResolverAddCustomOp(resolver.get(), nullptr, &op),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberOpResolverAddCustomOp(resolver.get(), "", &op),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberOpResolverAddCustomOp(resolver.get(), "X", nullptr),
            EMBER_STATUS_INVALID_ARGUMENT);
  op.struct_size = 4;
  EXPECT_EQ(EmberOpResolverAddCustomOp(resolver.get(), "X", &op),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_TRUE(
      Contains(EmberOpResolverGetLastError(resolver.get()), "struct_size"));
  op.struct_size = sizeof(op);
  op.eval = nullptr;
  EXPECT_EQ(EmberOpResolverAddCustomOp(resolver.get(), "X", &op),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_TRUE(Contains(EmberOpResolverGetLastError(resolver.get()), "eval"));
  resolver.reset();
  EXPECT_EQ(cfg.destroyed, 0);  // never registered: user data not taken
}

// Output shape known only at eval (from the input's value).
EmberStatus IotaPrepare(EmberOpContext* ctx, void*) {
  return EmberOpContextSetOutputDynamic(ctx, 0);
}

EmberStatus IotaEval(EmberOpContext* ctx, void*) {
  const int32_t n = *static_cast<const int32_t*>(
      EmberTensorData(EmberOpContextGetInput(ctx, 0)));
  if (n < 0 || n > 1000) {
    return EmberOpContextReportError(ctx, EMBER_STATUS_INVALID_ARGUMENT,
                                     "n = %d is out of range", n);
  }
  EmberStatus s = EmberOpContextResizeOutput(ctx, 0, &n, 1);
  if (s != EMBER_STATUS_OK) return s;
  auto* out = static_cast<int32_t*>(
      EmberTensorMutableData(EmberOpContextGetOutput(ctx, 0)));
  for (int32_t i = 0; i < n; ++i) out[i] = i;
  return EMBER_STATUS_OK;
}

TEST(CApi, CustomOpWithDynamicOutput) {
  ModelPtr model = LoadModel(IotaModel());
  ResolverPtr resolver = MakeResolver();
  EmberCustomOp op{};
  op.struct_size = sizeof(op);
  op.prepare = &IotaPrepare;
  op.eval = &IotaEval;
  ASSERT_EQ(EmberOpResolverAddCustomOp(resolver.get(), "Iota", &op),
            EMBER_STATUS_OK);
  InterpPtr interp = MakeInterpreter(model.get(), resolver.get());
  EmberInterpreter* ip = interp.get();
  ASSERT_EQ(EmberInterpreterAllocateTensors(ip), EMBER_STATUS_OK)
      << EmberInterpreterGetLastError(ip);
  for (int32_t n : {5, 2, 7}) {
    Write<int32_t>(EmberInterpreterGetInputTensor(ip, 0), {n});
    ASSERT_EQ(EmberInterpreterInvoke(ip), EMBER_STATUS_OK)
        << EmberInterpreterGetLastError(ip);
    const EmberTensor* out = EmberInterpreterGetOutputTensor(ip, 0);
    EXPECT_EQ(Dims(out), (std::vector<int32_t>{n}));
    std::vector<int32_t> expected(n);
    for (int32_t i = 0; i < n; ++i) expected[i] = i;
    EXPECT_EQ(Read<int32_t>(out), expected);
  }
  Write<int32_t>(EmberInterpreterGetInputTensor(ip, 0), {-4});
  EXPECT_EQ(EmberInterpreterInvoke(ip), EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_TRUE(Contains(EmberInterpreterGetLastError(ip), "n = -4"));
}

// ---------------------------------------------------------------------------
// Error paths
// ---------------------------------------------------------------------------

TEST(CApi, NullHandlesNeverCrash) {
  const int32_t dims[1] = {1};
  float buf[1];
  EmberQuantization q;
  EXPECT_EQ(EmberModelCreateFromFile("x", nullptr, nullptr, 0),
            EMBER_STATUS_INVALID_ARGUMENT);
  EmberModel* model = nullptr;
  char error[64] = "";
  EXPECT_EQ(EmberModelCreateFromFile(nullptr, &model, error, sizeof(error)),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_TRUE(Contains(error, "NULL"));
  EXPECT_EQ(EmberModelCreateFromBuffer(nullptr, 10, &model, nullptr, 0),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberModelGetSubgraphCount(nullptr), 0);
  EXPECT_EQ(EmberModelGetSignatureCount(nullptr), 0);
  EXPECT_EQ(EmberOpResolverCreate(nullptr, nullptr, 0),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberOpResolverAddCustomOp(nullptr, "x", nullptr),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(EmberOpResolverGetLastError(nullptr), nullptr);
  EXPECT_EQ(EmberInterpreterOptionsCreate(nullptr, nullptr, 0),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberInterpreterOptionsSetNumThreads(nullptr, 2),
            EMBER_STATUS_INVALID_ARGUMENT);
  EmberInterpreter* interp = nullptr;
  EXPECT_EQ(EmberInterpreterCreate(nullptr, nullptr, nullptr, &interp, error,
                                   sizeof(error)),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_TRUE(Contains(error, "model is NULL"));
  EXPECT_EQ(
      EmberInterpreterCreate(nullptr, nullptr, nullptr, nullptr, nullptr, 0),
      EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(EmberInterpreterGetLastError(nullptr), "invalid (NULL) handle");
  EXPECT_EQ(EmberInterpreterGetInputCount(nullptr), 0);
  EXPECT_EQ(EmberInterpreterGetOutputCount(nullptr), 0);
  EXPECT_EQ(EmberInterpreterGetInputTensor(nullptr, 0), nullptr);
  EXPECT_EQ(EmberInterpreterGetOutputTensor(nullptr, 0), nullptr);
  EXPECT_EQ(EmberInterpreterGetTensorCount(nullptr), 0);
  EXPECT_EQ(EmberInterpreterGetTensor(nullptr, 0), nullptr);
  EXPECT_EQ(EmberInterpreterGetTensorByName(nullptr, "x"), nullptr);
  EXPECT_EQ(EmberInterpreterResizeInputTensor(nullptr, 0, dims, 1),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberInterpreterAllocateTensors(nullptr),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberInterpreterInvoke(nullptr), EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberInterpreterResetVariables(nullptr),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberInterpreterSetNumThreads(nullptr, 1),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberInterpreterGetSignatureCount(nullptr), 0);
  EXPECT_EQ(EmberInterpreterGetSignatureKey(nullptr, 0), nullptr);
  EmberSignatureRunner* runner = reinterpret_cast<EmberSignatureRunner*>(1);
  EXPECT_EQ(EmberSignatureRunnerCreate(nullptr, "k", &runner),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(runner, nullptr);
  EXPECT_NE(EmberSignatureRunnerGetLastError(nullptr), nullptr);
  EXPECT_EQ(EmberSignatureRunnerGetKey(nullptr), nullptr);
  EXPECT_EQ(EmberSignatureRunnerGetInputCount(nullptr), 0);
  EXPECT_EQ(EmberSignatureRunnerGetOutputCount(nullptr), 0);
  EXPECT_EQ(EmberSignatureRunnerGetInputName(nullptr, 0), nullptr);
  EXPECT_EQ(EmberSignatureRunnerGetOutputName(nullptr, 0), nullptr);
  EXPECT_EQ(EmberSignatureRunnerGetInputTensor(nullptr, "x"), nullptr);
  EXPECT_EQ(EmberSignatureRunnerGetOutputTensor(nullptr, "x"), nullptr);
  EXPECT_EQ(EmberSignatureRunnerResizeInputTensor(nullptr, "x", dims, 1),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberSignatureRunnerAllocateTensors(nullptr),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberSignatureRunnerInvoke(nullptr), EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberTensorType(nullptr), EMBER_TYPE_INVALID);
  EXPECT_EQ(EmberTensorNumDims(nullptr), -1);
  EXPECT_EQ(EmberTensorDim(nullptr, 0), -1);
  EXPECT_EQ(EmberTensorDims(nullptr), nullptr);
  EXPECT_EQ(EmberTensorNumElements(nullptr), 0);
  EXPECT_EQ(EmberTensorByteSize(nullptr), 0u);
  EXPECT_EQ(EmberTensorName(nullptr), nullptr);
  EXPECT_EQ(EmberTensorIsConstant(nullptr), 0);
  EXPECT_EQ(EmberTensorData(nullptr), nullptr);
  EXPECT_EQ(EmberTensorMutableData(nullptr), nullptr);
  EXPECT_EQ(EmberTensorGetQuantization(nullptr, &q),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberTensorQuantizationScale(nullptr), 0.f);
  EXPECT_EQ(EmberTensorQuantizationZeroPoint(nullptr), 0);
  EXPECT_EQ(EmberTensorCopyFromBuffer(nullptr, buf, 4),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberTensorCopyToBuffer(nullptr, buf, 4),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberOpContextGetInputCount(nullptr), 0);
  EXPECT_EQ(EmberOpContextGetOutputCount(nullptr), 0);
  EXPECT_EQ(EmberOpContextGetInput(nullptr, 0), nullptr);
  EXPECT_EQ(EmberOpContextGetOutput(nullptr, 0), nullptr);
  EXPECT_EQ(EmberOpContextGetOpData(nullptr), nullptr);
  size_t size = 7;
  EXPECT_EQ(EmberOpContextGetCustomOptions(nullptr, &size), nullptr);
  EXPECT_EQ(size, 0u);
  EXPECT_EQ(EmberOpContextIsPreparing(nullptr), 0);
  EXPECT_EQ(EmberOpContextGetNumThreads(nullptr), 1);
  EXPECT_EQ(EmberOpContextResizeOutput(nullptr, 0, dims, 1),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberOpContextSetOutputDynamic(nullptr, 0),
            EMBER_STATUS_INVALID_ARGUMENT);
  int32_t index = 0;
  EXPECT_EQ(EmberOpContextRequestScratch(nullptr, 4, &index),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberOpContextGetScratch(nullptr, 0), nullptr);
  EXPECT_EQ(EmberOpContextReportError(nullptr, EMBER_STATUS_INTERNAL, "x"),
            EMBER_STATUS_INVALID_ARGUMENT);
  EmberModelDestroy(nullptr);
  EmberOpResolverDestroy(nullptr);
  EmberInterpreterOptionsDestroy(nullptr);
  EmberInterpreterDestroy(nullptr);
  EmberSignatureRunnerDestroy(nullptr);
}

TEST(CApi, BadModelBytesGiveStatusAndMessage) {
  EmberModel* model = reinterpret_cast<EmberModel*>(1);
  char error[256] = "";
  const char junk[] = "this is certainly not a flatbuffer";
  EXPECT_EQ(EmberModelCreateFromBuffer(junk, sizeof(junk), &model, error,
                                       sizeof(error)),
            EMBER_STATUS_INVALID_MODEL);
  EXPECT_EQ(model, nullptr);
  EXPECT_TRUE(Contains(error, "TFL3")) << error;

  // Right identifier, truncated body.
  auto bytes = AddModel();
  bytes.resize(bytes.size() / 2);
  EXPECT_EQ(EmberModelCreateFromBuffer(bytes.data(), bytes.size(), &model,
                                       error, sizeof(error)),
            EMBER_STATUS_INVALID_MODEL);
  EXPECT_NE(error[0], '\0');

  EXPECT_EQ(EmberModelCreateFromBuffer(junk, 0, &model, error, sizeof(error)),
            EMBER_STATUS_INVALID_ARGUMENT);
  // A tiny error buffer gets a truncated, terminated message.
  char tiny[8];
  memset(tiny, 'z', sizeof(tiny));
  EXPECT_EQ(EmberModelCreateFromBuffer(junk, sizeof(junk), &model, tiny,
                                       sizeof(tiny)),
            EMBER_STATUS_INVALID_MODEL);
  EXPECT_EQ(strlen(tiny), sizeof(tiny) - 1);

  EXPECT_EQ(EmberModelCreateFromFile("/no/such/dir/m.tflite", &model, error,
                                     sizeof(error)),
            EMBER_STATUS_NOT_FOUND);
  EXPECT_TRUE(Contains(error, "/no/such/dir/m.tflite"));
}

TEST(CApi, ArgumentErrorsLeaveMessages) {
  ModelPtr model = LoadModel(AddModel());
  InterpPtr interp = MakeInterpreter(model.get());
  EmberInterpreter* ip = interp.get();

  EXPECT_EQ(EmberInterpreterGetInputTensor(ip, 1), nullptr);
  EXPECT_TRUE(
      Contains(EmberInterpreterGetLastError(ip), "input 1 out of range"));
  EXPECT_EQ(EmberInterpreterGetOutputTensor(ip, -1), nullptr);
  EXPECT_EQ(EmberInterpreterGetTensor(ip, 3), nullptr);
  EXPECT_EQ(EmberInterpreterGetTensorByName(ip, "nope"), nullptr);
  EXPECT_TRUE(Contains(EmberInterpreterGetLastError(ip), "'nope'"));
  EXPECT_EQ(EmberInterpreterGetTensorByName(ip, nullptr), nullptr);

  const int32_t dims[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  EXPECT_EQ(EmberInterpreterResizeInputTensor(ip, 0, dims, 9),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_TRUE(Contains(EmberInterpreterGetLastError(ip), "rank 9"));
  EXPECT_EQ(EmberInterpreterResizeInputTensor(ip, 0, nullptr, 2),
            EMBER_STATUS_INVALID_ARGUMENT);
  const int32_t negative[2] = {1, -3};
  EXPECT_EQ(EmberInterpreterResizeInputTensor(ip, 0, negative, 2),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberInterpreterResizeInputTensor(ip, 4, dims, 2),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_TRUE(Contains(EmberInterpreterGetLastError(ip), "out of range"));

  // Copies before allocation, with a wrong size, into a constant.
  EmberTensor* in = EmberInterpreterGetInputTensor(ip, 0);
  float buf[4] = {};
  EXPECT_EQ(EmberTensorCopyFromBuffer(in, buf, 3 * sizeof(float)),
            EMBER_STATUS_FAILED_PRECONDITION);
  EXPECT_EQ(EmberTensorCopyToBuffer(in, buf, 3 * sizeof(float)),
            EMBER_STATUS_FAILED_PRECONDITION);
  ASSERT_EQ(EmberInterpreterAllocateTensors(ip), EMBER_STATUS_OK);
  EXPECT_EQ(EmberTensorCopyFromBuffer(in, buf, 4 * sizeof(float)),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberTensorCopyToBuffer(in, buf, 2 * sizeof(float)),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberTensorCopyFromBuffer(in, nullptr, 3 * sizeof(float)),
            EMBER_STATUS_INVALID_ARGUMENT);
  EmberTensor* c = EmberInterpreterGetTensorByName(ip, "c");
  EXPECT_EQ(EmberTensorCopyFromBuffer(c, buf, 3 * sizeof(float)),
            EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(EmberTensorMutableData(c), nullptr);
  EXPECT_EQ(EmberTensorCopyToBuffer(c, buf, 3 * sizeof(float)),
            EMBER_STATUS_OK);
  EXPECT_EQ(buf[2], 3.f);
  EXPECT_EQ(EmberTensorDim(in, 2), -1);
  EXPECT_EQ(EmberTensorDim(in, -1), -1);
}

// ---------------------------------------------------------------------------
// C++ wrappers
// ---------------------------------------------------------------------------

TEST(CppApi, LifecycleAndTypedAccess) {
  const auto bytes = AddModel();
  auto model = api::Model::FromBuffer(bytes.data(), bytes.size());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->num_signatures(), 1);
  auto interp = api::Interpreter::Create(*model, {2});
  ASSERT_TRUE(interp.ok()) << interp.status().ToString();
  api::Interpreter ip = std::move(interp).value();  // movable handle

  api::Tensor in = ip.input(0);
  EXPECT_TRUE(in.valid());
  EXPECT_STREQ(in.name(), "x");
  EXPECT_EQ(in.type(), EMBER_TYPE_FLOAT32);
  EXPECT_EQ(in.shape(), (std::vector<int32_t>{1, 3}));
  // Data access before allocation fails cleanly.
  auto early = in.data<float>();
  EXPECT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), EMBER_STATUS_FAILED_PRECONDITION);

  api::Status s = ip.Invoke();
  EXPECT_EQ(s.code(), EMBER_STATUS_FAILED_PRECONDITION);
  EXPECT_NE(s.message().find("not allocated"), std::string::npos);
  ASSERT_TRUE(ip.AllocateTensors().ok());

  // Type checks.
  auto wrong = in.mutable_data<int8_t>();
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(wrong.status().message().find("float32, not int8"),
            std::string::npos)
      << wrong.status().message();
  EXPECT_FALSE(in.CopyFrom(std::vector<int32_t>{1, 2, 3}).ok());
  api::Status count = in.CopyFrom(std::vector<float>{1.f, 2.f});
  EXPECT_EQ(count.code(), EMBER_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(count.message().find("holds 3 elements, got 2"), std::string::npos);

  ASSERT_TRUE(in.CopyFrom(std::vector<float>{1.f, 2.f, 3.f}).ok());
  ASSERT_TRUE(ip.Invoke().ok());
  auto y = ip.output(0).ToVector<float>();
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(*y, (std::vector<float>{2.f, 4.f, 6.f}));

  auto span = in.mutable_data<float>();
  ASSERT_TRUE(span.ok());
  ASSERT_EQ(span->size(), 3u);
  for (float& v : *span) v = 0.f;
  ASSERT_TRUE(ip.Invoke().ok());
  auto out_span = ip.output(0).data<float>();
  ASSERT_TRUE(out_span.ok());
  EXPECT_EQ((*out_span)[2], 3.f);

  // Constants: readable, not writable.
  auto c = ip.tensor("c");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->is_constant());
  EXPECT_TRUE(c->data<float>().ok());
  EXPECT_FALSE(c->mutable_data<float>().ok());
  EXPECT_FALSE(c->CopyFrom(std::vector<float>{0.f, 0.f, 0.f}).ok());

  auto missing = ip.tensor("nope");
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), EMBER_STATUS_NOT_FOUND);

  // Out-of-range views are invalid, and their accessors are safe.
  api::Tensor none = ip.input(5);
  EXPECT_FALSE(none.valid());
  EXPECT_EQ(none.rank(), 0);
  EXPECT_TRUE(none.shape().empty());
  EXPECT_FALSE(none.ToVector<float>().ok());
  EXPECT_FALSE(none.CopyFromBytes(nullptr, 0).ok());

  // Resize.
  ASSERT_TRUE(ip.ResizeInput(0, {2, 3}).ok());
  ASSERT_TRUE(ip.AllocateTensors().ok());
  ASSERT_TRUE(ip.input(0).CopyFrom(std::vector<float>(6, 1.f)).ok());
  ASSERT_TRUE(ip.Invoke().ok());
  EXPECT_EQ(ip.output(0).shape(), (std::vector<int32_t>{2, 3}));
  EXPECT_FALSE(ip.ResizeInput(0, {-1}).ok());
  EXPECT_FALSE(ip.SetNumThreads(0).ok());
  EXPECT_TRUE(ip.ResetVariables().ok());
}

TEST(CppApi, ErrorsAreValues) {
  const char junk[] = "junk junk junk junk";
  auto model = api::Model::FromBuffer(junk, sizeof(junk));
  ASSERT_FALSE(model.ok());
  EXPECT_FALSE(static_cast<bool>(model));
  EXPECT_EQ(model.status().code(), EMBER_STATUS_INVALID_MODEL);
  EXPECT_NE(model.status().ToString().find("invalid model: "),
            std::string::npos);
  auto file = api::Model::FromFile("/does/not/exist.tflite");
  EXPECT_EQ(file.status().code(), EMBER_STATUS_NOT_FOUND);

  const auto bytes = TimesTwoModel();
  auto ok_model = api::Model::FromBufferNoCopy(bytes.data(), bytes.size());
  ASSERT_TRUE(ok_model.ok());
  auto interp = api::Interpreter::Create(*ok_model);
  ASSERT_FALSE(interp.ok());
  EXPECT_EQ(interp.status().code(), EMBER_STATUS_UNSUPPORTED);
  EXPECT_NE(interp.status().message().find("TimesTwo"), std::string::npos);
  auto threads = api::Interpreter::Create(*ok_model, {0});
  EXPECT_EQ(threads.status().code(), EMBER_STATUS_INVALID_ARGUMENT);

  EXPECT_TRUE(api::Status::Ok().ok());
  EXPECT_EQ(api::Status::Ok().ToString(), "ok");
}

TEST(CppApi, SignatureRunner) {
  const auto bytes = TwoSignatureModel();
  auto model = api::Model::FromBuffer(bytes.data(), bytes.size());
  ASSERT_TRUE(model.ok());
  auto interp = api::Interpreter::Create(*model);
  ASSERT_TRUE(interp.ok());
  EXPECT_EQ(interp->signature_keys(),
            (std::vector<std::string>{"add", "double"}));
  auto bad = interp->GetSignatureRunner("nope");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), EMBER_STATUS_NOT_FOUND);
  EXPECT_NE(bad.status().message().find("'add'"), std::string::npos);

  auto runner = interp->GetSignatureRunner("add");
  ASSERT_TRUE(runner.ok());
  EXPECT_STREQ(runner->key(), "add");
  EXPECT_EQ(runner->input_names(), (std::vector<std::string>{"lhs", "rhs"}));
  EXPECT_EQ(runner->output_names(), (std::vector<std::string>{"sum"}));
  auto missing = runner->input("sum");
  EXPECT_EQ(missing.status().code(), EMBER_STATUS_NOT_FOUND);
  EXPECT_NE(runner->last_error().find("'sum'"), std::string::npos);
  ASSERT_TRUE(runner->ResizeInput("lhs", {3}).ok());
  ASSERT_TRUE(runner->ResizeInput("rhs", {3}).ok());
  ASSERT_TRUE(runner->AllocateTensors().ok());
  ASSERT_TRUE(runner->input("lhs")->CopyFrom(std::vector<float>{1, 2, 3}).ok());
  ASSERT_TRUE(runner->input("rhs")->CopyFrom(std::vector<float>{4, 5, 6}).ok());
  ASSERT_TRUE(runner->Invoke().ok());
  EXPECT_EQ(*runner->output("sum")->ToVector<float>(),
            (std::vector<float>{5, 7, 9}));

  // Mismatched shapes fail at allocate with the op's message.
  ASSERT_TRUE(runner->ResizeInput("rhs", {2}).ok());
  api::Status s = runner->AllocateTensors();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("signature 'add'"), std::string::npos)
      << s.message();
}

struct Counter {
  int prepares = 0;
  int evals = 0;
};

TEST(CppApi, CustomOpFromLambdas) {
  const auto bytes = TimesTwoModel();
  auto model = api::Model::FromBuffer(bytes.data(), bytes.size());
  ASSERT_TRUE(model.ok());
  auto resolver = api::OpResolver::Create();
  ASSERT_TRUE(resolver.ok());
  auto counter = std::make_shared<Counter>();

  api::CustomOp op;
  op.op_data_size = sizeof(int64_t);
  op.prepare = [counter](api::OpContext& ctx) -> api::Status {
    ++counter->prepares;
    if (ctx.num_inputs() != 1)
      return ctx.Error(EMBER_STATUS_INVALID_MODEL, "one input");
    api::Tensor in = ctx.input(0);
    if (in.type() != EMBER_TYPE_FLOAT32)
      return api::Status(EMBER_STATUS_UNSUPPORTED, "float32 only");
    *ctx.op_data<int64_t>() = in.num_elements();
    return ctx.ResizeOutput(0, in.shape());
  };
  op.eval = [counter](api::OpContext& ctx) -> api::Status {
    ++counter->evals;
    auto in = ctx.input(0).data<float>();
    auto out = ctx.output(0).mutable_data<float>();
    if (!in.ok()) return in.status();
    if (!out.ok()) return out.status();
    const int64_t n = *ctx.op_data<int64_t>();
    for (int64_t i = 0; i < n; ++i) (*out)[i] = 2.f * (*in)[i];
    return api::Status::Ok();
  };
  EXPECT_FALSE(resolver->AddCustomOp("Empty", api::CustomOp{}).ok());
  ASSERT_TRUE(resolver->AddCustomOp("TimesTwo", std::move(op)).ok());
  EXPECT_EQ(counter.use_count(), 3);  // two lambdas hold it

  std::optional<api::Interpreter> interp;
  {
    auto created = api::Interpreter::Create(*model, {}, &*resolver);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    interp.emplace(std::move(created).value());
    api::OpResolver dropped = std::move(resolver).value();
  }  // the resolver handle is gone; the interpreter keeps the op
  ASSERT_TRUE(interp->AllocateTensors().ok()) << interp->last_error();
  ASSERT_TRUE(
      interp->input(0).CopyFrom(std::vector<float>{1, 2, 3, 4, 5, 6}).ok());
  ASSERT_TRUE(interp->Invoke().ok()) << interp->last_error();
  EXPECT_EQ(*interp->output(0).ToVector<float>(),
            (std::vector<float>{5, 10, 15, 17, 22, 27}));
  EXPECT_EQ(counter->prepares, 2);
  EXPECT_EQ(counter->evals, 2);
  EXPECT_EQ(counter.use_count(), 3);  // still registered
  interp.reset();
  EXPECT_EQ(counter.use_count(), 1);  // lambdas freed with the last user
}

TEST(CppApi, CustomOpStatusMessagesReachTheInterpreter) {
  const auto bytes = TimesTwoModel();
  auto model = api::Model::FromBuffer(bytes.data(), bytes.size());
  ASSERT_TRUE(model.ok());
  auto resolver = api::OpResolver::Create();
  ASSERT_TRUE(resolver.ok());
  api::CustomOp op;
  op.prepare = [](api::OpContext&) {
    return api::Status(EMBER_STATUS_UNSUPPORTED, "no luck today");
  };
  op.eval = [](api::OpContext&) { return api::Status::Ok(); };
  ASSERT_TRUE(resolver->AddCustomOp("TimesTwo", std::move(op)).ok());
  auto interp = api::Interpreter::Create(*model, {}, &*resolver);
  ASSERT_TRUE(interp.ok());
  api::Status s = interp->AllocateTensors();
  EXPECT_EQ(s.code(), EMBER_STATUS_UNSUPPORTED);
  EXPECT_NE(s.message().find("TimesTwo"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("no luck today"), std::string::npos)
      << s.message();
}

TEST(CppApi, CustomOpExceptionsStayInside) {
  const auto bytes = TimesTwoModel();
  auto model = api::Model::FromBuffer(bytes.data(), bytes.size());
  auto resolver = api::OpResolver::Create();
  ASSERT_TRUE(model.ok() && resolver.ok());
  api::CustomOp op;
  op.eval = [](api::OpContext&) -> api::Status {
    throw std::runtime_error("kaboom");
  };
  ASSERT_TRUE(resolver->AddCustomOp("TimesTwo", std::move(op)).ok());
  auto interp = api::Interpreter::Create(*model, {}, &*resolver);
  ASSERT_TRUE(interp.ok());
  ASSERT_TRUE(interp->AllocateTensors().ok());
  api::Status s = interp->Invoke();
  EXPECT_EQ(s.code(), EMBER_STATUS_INTERNAL);
  EXPECT_NE(s.message().find("kaboom"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace ember
