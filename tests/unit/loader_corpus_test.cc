// Corrupted-model corpus: valid models built in-process, then broken on
// purpose (truncation, bit flips, targeted field edits). Every variant must
// either fail with a clean status and a message, or load, allocate and
// invoke cleanly. Never a crash (run this suite under the asan preset too).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "model/model.h"
#include "runtime/interpreter.h"
#include "util/model_builder.h"
#include "util/sample_models.h"

namespace ember {
namespace {

using testing::AddChain;
using testing::AddOptions;
using testing::Constants;
using testing::ModelBuilder;
using testing::OffsetBufferModel;
using testing::Quantized;
using testing::QuantSpec;
using testing::TwoSubgraphs;
using testing::WithSignatures;

// ---------------------------------------------------------------------------
// Running a candidate end to end.

struct Outcome {
  bool ok = false;
  StatusCode code = StatusCode::kOk;
  std::string stage;  // load, create, allocate, invoke, or "" when ok
  std::string message;
};

Outcome RunAll(const void* data, size_t size, const OpResolver& resolver) {
  Outcome r;
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  auto fail = [&](Status s, const char* stage, const char* message) {
    r.ok = false;
    r.code = s.code();
    r.stage = stage;
    r.message = message;
    return r;
  };
  Status s = Model::FromBuffer(data, size, /*copy=*/true, errors, &model);
  if (!s.ok()) return fail(s, "load", errors.message());
  InterpreterOptions options;
  options.max_tensor_bytes = size_t{64} << 20;
  std::unique_ptr<Interpreter> interp;
  s = Interpreter::Create(*model, resolver, options, errors, &interp);
  if (!s.ok()) return fail(s, "create", errors.message());
  s = interp->AllocateTensors();
  if (!s.ok()) return fail(s, "allocate", interp->errors().message());
  Subgraph& sg = interp->primary();
  for (int32_t in : sg.inputs()) {
    Tensor& t = sg.tensors()[in];
    if (t.data != nullptr && t.bytes > 0) memset(t.data, 0, t.bytes);
  }
  s = interp->Invoke();
  if (!s.ok()) return fail(s, "invoke", interp->errors().message());
  // Twice: a second invoke reuses every buffer.
  s = interp->Invoke();
  if (!s.ok()) return fail(s, "invoke", interp->errors().message());
  r.ok = true;
  return r;
}

Outcome RunAll(const std::vector<uint8_t>& bytes) {
  return RunAll(bytes.data(), bytes.size(), OpResolver::Builtins());
}

// Expects a failure whose message contains `substring`.
void ExpectFailure(const std::vector<uint8_t>& bytes,
                   const std::string& substring,
                   StatusCode code = StatusCode::kInvalidModel,
                   const char* stage = nullptr) {
  const Outcome r = RunAll(bytes);
  ASSERT_FALSE(r.ok) << "expected failure containing '" << substring << "'";
  EXPECT_NE(r.message.find(substring), std::string::npos)
      << "message: " << r.message << "\nexpected: " << substring;
  EXPECT_EQ(r.code, code) << r.message;
  if (stage != nullptr) EXPECT_EQ(r.stage, stage) << r.message;
}

void ExpectSuccess(const std::vector<uint8_t>& bytes) {
  const Outcome r = RunAll(bytes);
  EXPECT_TRUE(r.ok) << r.stage << ": " << r.message;
}

struct Base {
  const char* name;
  std::vector<uint8_t> bytes;
};

std::vector<Base> AllBases() {
  return {{"add_chain", AddChain().Build()},
          {"constants", Constants().Build()},
          {"quantized", Quantized().Build()},
          {"signatures", WithSignatures().Build()},
          {"two_subgraphs", TwoSubgraphs().Build()},
          {"offset_buffer", OffsetBufferModel()}};
}

TEST(LoaderCorpus, BaseModelsRun) {
  for (const Base& base : AllBases()) {
    SCOPED_TRACE(base.name);
    ExpectSuccess(base.bytes);
  }
}

TEST(LoaderCorpus, OffsetBufferDataIsUsed) {
  const auto bytes = OffsetBufferModel();
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  ASSERT_TRUE(
      Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model).ok())
      << errors.message();
  std::unique_ptr<Interpreter> interp;
  ASSERT_TRUE(
      Interpreter::Create(*model, OpResolver::Builtins(), {}, errors, &interp)
          .ok())
      << errors.message();
  ASSERT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
  Subgraph& sg = interp->primary();
  float* in = sg.tensors()[sg.inputs()[0]].data_as<float>();
  for (int i = 0; i < 4; ++i) in[i] = static_cast<float>(i);
  ASSERT_TRUE(interp->Invoke().ok()) << interp->errors().message();
  const float* out = sg.tensors()[sg.outputs()[0]].data_as<float>();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(out[i], 10.0f * (i + 1) + i);
}

// ---------------------------------------------------------------------------
// Mechanical corruption.

TEST(LoaderCorpus, EmptyAndTinyBuffers) {
  const Outcome empty = RunAll(nullptr, 0, OpResolver::Builtins());
  EXPECT_FALSE(empty.ok);
  EXPECT_NE(empty.message.find("model buffer is empty"), std::string::npos)
      << empty.message;
  const uint8_t four[4] = {1, 2, 3, 4};
  const Outcome tiny = RunAll(four, sizeof(four), OpResolver::Builtins());
  EXPECT_FALSE(tiny.ok);
  EXPECT_NE(tiny.message.find("too small to be a .tflite model (4 bytes)"),
            std::string::npos)
      << tiny.message;
}

TEST(LoaderCorpus, EmptyFile) {
  char path[] = "/tmp/ember_empty_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  const Status s = Model::Load(path, errors, &model);
  unlink(path);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(std::string(errors.message()).find("is empty"), std::string::npos)
      << errors.message();
  const Status missing =
      Model::Load("/nonexistent/ember.tflite", errors, &model);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
}

TEST(LoaderCorpus, WrongFileIdentifier) {
  auto bytes = AddChain().Build();
  memcpy(bytes.data() + 4, "XXXX", 4);
  ExpectFailure(bytes, "file identifier is 'XXXX', expected 'TFL3'");
}

TEST(LoaderCorpus, TruncatedAtEveryLength) {
  int rejected = 0;
  for (const Base& base : AllBases()) {
    SCOPED_TRACE(base.name);
    for (size_t len = 0; len < base.bytes.size(); ++len) {
      const Outcome r = RunAll(base.bytes.data(), len, OpResolver::Builtins());
      // A prefix never holds a whole valid model: the root table and the
      // data it references are spread over the buffer.
      ASSERT_FALSE(r.ok) << "prefix of " << len << " bytes ran";
      ASSERT_FALSE(r.message.empty());
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 1000);
}

// Flips 1..4 random bits; thousands of seeded variants per base.
TEST(LoaderCorpus, RandomBitFlips) {
  int ok = 0, failed = 0;
  std::mt19937 rng(1234);
  for (const Base& base : AllBases()) {
    SCOPED_TRACE(base.name);
    for (int iter = 0; iter < 1500; ++iter) {
      std::vector<uint8_t> bytes = base.bytes;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        const size_t bit = rng() % (bytes.size() * 8);
        bytes[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      }
      const Outcome r = RunAll(bytes);
      if (r.ok) {
        ++ok;
      } else {
        ++failed;
        ASSERT_FALSE(r.message.empty()) << "iteration " << iter;
      }
    }
  }
  printf("bit flips: %d variants still ran, %d were rejected cleanly\n", ok,
         failed);
  EXPECT_GT(ok, 0);
  EXPECT_GT(failed, 0);
}

// Overwrites aligned 32-bit words with boundary values: these hit offsets,
// lengths, indices and dims far more often than single bit flips.
TEST(LoaderCorpus, BoundaryWordOverwrites) {
  const uint32_t values[] = {0u,          1u,          0x7fu,       0x80u,
                             0xffu,       0x7fffu,     0xffffu,     0x7fffffffu,
                             0x80000000u, 0xfffffffeu, 0xffffffffu, 0x10000u};
  int ok = 0, failed = 0;
  for (const Base& base : AllBases()) {
    SCOPED_TRACE(base.name);
    for (size_t at = 0; at + 4 <= base.bytes.size(); at += 4) {
      for (uint32_t v : values) {
        std::vector<uint8_t> bytes = base.bytes;
        memcpy(bytes.data() + at, &v, 4);
        const Outcome r = RunAll(bytes);
        if (r.ok) {
          ++ok;
        } else {
          ++failed;
          ASSERT_FALSE(r.message.empty()) << "offset " << at << " value " << v;
        }
      }
    }
  }
  printf("word overwrites: %d variants still ran, %d were rejected cleanly\n",
         ok, failed);
  EXPECT_GT(failed, 0);
}

// ---------------------------------------------------------------------------
// Targeted corruption through the object API.

TEST(LoaderCorpus, TensorIndexOutOfRange) {
  {
    ModelBuilder b = AddChain();
    b.op(0).inputs[1] = 99;
    ExpectFailure(b.Build(),
                  "op input tensor index 99 out of range (4 tensors)");
  }
  {
    ModelBuilder b = AddChain();
    b.op(1).outputs[0] = -1;
    ExpectFailure(b.Build(), "op output tensor index -1 out of range");
  }
  {
    ModelBuilder b = AddChain();
    b.op(0).inputs[0] = -7;
    ExpectFailure(b.Build(), "op input tensor index -7 out of range");
  }
  {
    ModelBuilder b = AddChain();
    b.SetOutputs({4});
    ExpectFailure(b.Build(), "subgraph 0: output tensor index 4 out of range");
  }
  {
    ModelBuilder b = AddChain();
    b.SetInputs({-1});
    ExpectFailure(b.Build(), "subgraph 0: input tensor index -1 out of range");
  }
  {
    ModelBuilder b = AddChain();
    b.op(0).intermediates = {12};
    ExpectFailure(b.Build(), "op intermediate tensor index 12 out of range");
  }
}

TEST(LoaderCorpus, BufferIndexOutOfRange) {
  ModelBuilder b = AddChain();
  b.tensor(1).buffer = 77;
  ExpectFailure(b.Build(),
                "tensor 1 'c': buffer index 77 out of range (2 buffers)");
}

TEST(LoaderCorpus, OpcodeIndexOutOfRange) {
  ModelBuilder b = AddChain();
  b.op(1).opcode_index = 5;
  ExpectFailure(b.Build(),
                "op #1: opcode_index 5 out of range (1 operator codes)");
}

TEST(LoaderCorpus, SubgraphIndexOutOfRange) {
  ModelBuilder b = TwoSubgraphs();
  fb::WhileOptionsT w;
  w.cond_subgraph_index = 1;
  w.body_subgraph_index = 7;
  b.op(0).builtin_options.Set(w);
  ExpectFailure(b.Build(), "op #0 references subgraph 7 (model has 2)");
}

TEST(LoaderCorpus, OptionsTypeWithoutTable) {
  // Found by the fuzzer: a union type of IfOptions with no table behind it.
  // The object API cannot write that, so the options field is dropped from
  // the operators' (shared) vtable after building.
  for (const fb::BuiltinOptions type :
       {fb::BuiltinOptions::IfOptions, fb::BuiltinOptions::WhileOptions,
        fb::BuiltinOptions::CallOnceOptions, fb::BuiltinOptions::AddOptions}) {
    ModelBuilder b = AddChain();
    for (int i = 0; i < 2; ++i) {
      switch (type) {
        case fb::BuiltinOptions::IfOptions:
          b.op(i).builtin_options.Set(fb::IfOptionsT());
          break;
        case fb::BuiltinOptions::WhileOptions:
          b.op(i).builtin_options.Set(fb::WhileOptionsT());
          break;
        case fb::BuiltinOptions::CallOnceOptions:
          b.op(i).builtin_options.Set(fb::CallOnceOptionsT());
          break;
        default:
          break;
      }
    }
    std::vector<uint8_t> bytes = b.Build();
    const fb::Operator* op =
        fb::GetModel(bytes.data())->subgraphs()->Get(0)->operators()->Get(0);
    const uint8_t* table = reinterpret_cast<const uint8_t*>(op);
    int32_t soffset;
    memcpy(&soffset, table, 4);
    const size_t vtable = static_cast<size_t>(table - bytes.data()) - soffset;
    const size_t entry = vtable + fb::Operator::VT_BUILTIN_OPTIONS;
    ASSERT_NE(bytes[entry] | bytes[entry + 1], 0);
    bytes[entry] = bytes[entry + 1] = 0;
    ExpectFailure(bytes, "op #0: builtin_options_type " +
                             std::to_string(static_cast<int>(type)) +
                             " is set but the options table is missing");
  }
}

TEST(LoaderCorpus, NoSubgraphs) {
  ModelBuilder b = AddChain();
  b.model().subgraphs.clear();
  ExpectFailure(b.Build(), "model has no subgraphs");
}

TEST(LoaderCorpus, NegativeDims) {
  ModelBuilder b = AddChain();
  b.tensor(2).shape = {2, -3};
  ExpectFailure(b.Build(), "tensor 2 't': negative dimension -3 in shape");
}

TEST(LoaderCorpus, OversizedShapes) {
  {
    // Every partial product fits, the full one overflows int64.
    ModelBuilder b = AddChain();
    b.tensor(2).shape = {0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff,
                         0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff};
    ExpectFailure(b.Build(), "tensor 2 't': shape is too large");
  }
  {
    ModelBuilder b = AddChain();
    b.tensor(2).shape = {1 << 20, 1 << 21};
    ExpectFailure(b.Build(), "shape is too large");
  }
  {
    // 1 GiB of floats is a valid shape but over the 64 MiB test limit.
    ModelBuilder b = AddChain();
    b.tensor(0).shape = {1 << 28};
    b.tensor(2).shape = {1 << 28};
    b.tensor(3).shape = {1 << 28};
    b.tensor(1).shape = {1};
    b.model().buffers[1]->data.resize(4);
    ExpectFailure(b.Build(), "over the limit of 67108864 bytes",
                  StatusCode::kOutOfMemory, "allocate");
  }
  {
    ModelBuilder b = AddChain();
    b.tensor(2).shape = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    ExpectFailure(b.Build(), "tensor 2 't': rank 9 exceeds 8");
  }
}

TEST(LoaderCorpus, BufferSizeDoesNotMatchShape) {
  {
    ModelBuilder b = AddChain();
    b.model().buffers[1]->data.resize(8);
    ExpectFailure(
        b.Build(),
        "tensor 1 'c': buffer has 8 bytes but shape and type need 12");
  }
  {
    ModelBuilder b = AddChain();
    b.tensor(1).type = fb::TensorType::INT64;
    ExpectFailure(b.Build(), "buffer has 12 bytes but shape and type need 24");
  }
}

TEST(LoaderCorpus, QuantizationErrors) {
  {
    ModelBuilder b = Quantized();
    b.tensor(3).quantization->scale = {0.1f, 0.2f, 0.3f};
    b.tensor(3).quantization->zero_point = {0, 0, 0};
    ExpectFailure(b.Build(),
                  "tensor 3 'w': per-channel quantization has 3 scales but "
                  "dimension 0 has 4 entries");
  }
  {
    ModelBuilder b = Quantized();
    b.tensor(3).quantization->quantized_dimension = 5;
    ExpectFailure(
        b.Build(),
        "tensor 3 'w': quantized_dimension 5 is out of range for rank 2");
  }
  {
    ModelBuilder b = Quantized();
    b.tensor(3).quantization->quantized_dimension = -1;
    ExpectFailure(b.Build(), "quantized_dimension -1 is out of range");
  }
  {
    ModelBuilder b = Quantized();
    b.tensor(3).quantization->zero_point = {0, 0};
    ExpectFailure(b.Build(),
                  "tensor 3 'w': quantization has 4 scales but 2 zero points");
  }
  {
    ModelBuilder b = Quantized();
    b.tensor(0).quantization->scale = {0.0f};
    ExpectFailure(b.Build(),
                  "tensor 0 'x': quantization scale 0 is 0 (must be finite and "
                  "positive)");
  }
  {
    ModelBuilder b = Quantized();
    b.tensor(0).quantization->scale = {std::numeric_limits<float>::quiet_NaN()};
    ExpectFailure(b.Build(), "must be finite and positive");
  }
  {
    ModelBuilder b = Quantized();
    b.tensor(0).quantization->scale = {-0.5f};
    ExpectFailure(b.Build(), "must be finite and positive");
  }
  {
    ModelBuilder b = Quantized();
    b.tensor(0).quantization->zero_point = {300};
    ExpectFailure(
        b.Build(),
        "tensor 0 'x': zero point 0 is 300, outside [-128, 127] for int8");
  }
  {
    ModelBuilder b = Quantized();
    b.tensor(4).quantization->zero_point = {int64_t{1} << 40};
    ExpectFailure(b.Build(), "outside [-32768, 32767] for int16");
  }
  {
    // Scale without zero point: zero point 0 (the model still runs).
    ModelBuilder b = Quantized();
    b.tensor(0).quantization->zero_point.clear();
    ExpectSuccess(b.Build());
  }
  {
    // Valid but extreme scales with a fused RELU6: the activation bounds
    // saturate instead of overflowing the float -> int conversion.
    ModelBuilder b = Quantized();
    b.tensor(2).quantization->scale = {1e-12f};
    b.tensor(0).quantization->scale = {1e30f};
    fb::AddOptionsT relu6;
    relu6.fused_activation_function = fb::ActivationFunctionType::RELU6;
    b.op(0).builtin_options.Set(relu6);
    ExpectSuccess(b.Build());
  }
  {
    // A quantized ADD whose output lost its quantization: clean op error.
    ModelBuilder b = Quantized();
    b.tensor(2).quantization.reset();
    ExpectFailure(b.Build(), "'t' (int8) has no quantization parameters",
                  StatusCode::kInvalidModel, "allocate");
  }
}

TEST(LoaderCorpus, ReadBeforeProduced) {
  {
    // Op order swapped: op #0 reads the output of op #1.
    ModelBuilder b = AddChain();
    std::swap(b.model().subgraphs[0]->operators[0],
              b.model().subgraphs[0]->operators[1]);
    ExpectFailure(b.Build(),
                  "subgraph 0 op #0 reads tensor 2 before any op produces it");
  }
  {
    // A two-op cycle: t = ADD(x, y), y = ADD(t, x).
    ModelBuilder b = AddChain();
    b.op(0).inputs = {0, 3};
    ExpectFailure(b.Build(), "op #0 reads tensor 3 before any op produces it");
  }
  {
    // An op reading its own output.
    ModelBuilder b = AddChain();
    b.op(0).inputs = {0, 2};
    ExpectFailure(b.Build(), "op #0 reads tensor 2 before any op produces it");
  }
  {
    ModelBuilder b = AddChain();
    b.SetOutputs({2, 3});
    b.model().subgraphs[0]->operators.pop_back();
    ExpectFailure(b.Build(), "subgraph 0 output tensor 3 is never produced");
  }
}

TEST(LoaderCorpus, WritesToConstantsAndInputs) {
  {
    ModelBuilder b = AddChain();
    b.op(1).outputs = {1};
    b.SetOutputs({1});
    ExpectFailure(b.Build(), "subgraph 0 op #1 writes constant tensor 1");
  }
  {
    ModelBuilder b = AddChain();
    b.op(1).outputs = {2};
    b.op(1).inputs = {0, 0};
    b.SetOutputs({2});
    ExpectFailure(b.Build(),
                  "op #1 writes tensor 2, which op #0 already wrote");
  }
  {
    ModelBuilder b = AddChain();
    b.op(1).outputs = {0};
    b.SetOutputs({0});
    ExpectFailure(b.Build(),
                  "op #1 writes tensor 0, which is a subgraph input");
  }
}

TEST(LoaderCorpus, SubgraphInputsDuplicatedOrConstant) {
  {
    ModelBuilder b = AddChain();
    b.SetInputs({0, 0});
    ExpectFailure(b.Build(), "tensor 0 is listed twice as a subgraph input");
  }
  {
    ModelBuilder b = AddChain();
    b.SetInputs({0, 1});
    ExpectFailure(b.Build(), "subgraph 0: input tensor 1 is a constant");
  }
}

TEST(LoaderCorpus, RecursiveSubgraphs) {
  {
    // WHILE in subgraph 0 whose body is subgraph 0.
    ModelBuilder b = TwoSubgraphs();
    fb::WhileOptionsT w;
    w.cond_subgraph_index = 1;
    w.body_subgraph_index = 0;
    b.op(0).builtin_options.Set(w);
    ExpectFailure(b.Build(), "subgraph 0 calls itself through subgraph 0");
  }
  {
    // 0 -> 1 -> 0 through IF.
    ModelBuilder b = TwoSubgraphs();
    fb::IfOptionsT to1;
    to1.then_subgraph_index = 1;
    to1.else_subgraph_index = 1;
    b.op(0).builtin_options.Set(to1);
    b.SelectSubgraph(1);
    fb::IfOptionsT to0;
    to0.then_subgraph_index = 0;
    to0.else_subgraph_index = 0;
    b.op(0).builtin_options.Set(to0);
    ExpectFailure(b.Build(), "(recursive control flow)");
  }
}

TEST(LoaderCorpus, SignatureErrors) {
  {
    ModelBuilder b = WithSignatures();
    b.model().signature_defs[1]->outputs[0]->tensor_index = 50;
    ExpectFailure(b.Build(),
                  "signature 1 maps a name to tensor 50, out of range");
  }
  {
    ModelBuilder b = WithSignatures();
    b.model().signature_defs[0]->subgraph_index = 3;
    ExpectFailure(b.Build(), "signature 0 references subgraph 3");
  }
}

TEST(LoaderCorpus, CustomOpcodeWithoutCustomCode) {
  ModelBuilder b = AddChain();
  b.model().operator_codes[0]->builtin_code = fb::BuiltinOperator::CUSTOM;
  b.model().operator_codes[0]->deprecated_builtin_code = 32;
  b.model().operator_codes[0]->custom_code.clear();
  ExpectFailure(b.Build(), "operator code 0 is CUSTOM without a custom_code");
}

TEST(LoaderCorpus, OffsetBuffersOutsideTheFile) {
  ExpectFailure(OffsetBufferModel(/*offset_delta=*/1 << 20), "(offset");
  ExpectFailure(OffsetBufferModel(0, /*size_override=*/1 << 20),
                "lies outside the");
  ExpectFailure(OffsetBufferModel(0, /*size_override=*/~uint64_t{0} - 8),
                "lies outside the");
  // Inside the file but not the size the tensor needs.
  ExpectFailure(OffsetBufferModel(0, /*size_override=*/8),
                "buffer has 8 bytes but shape and type need 16");
}

TEST(LoaderCorpus, UnsupportedTensorTypes) {
  {
    ModelBuilder b = AddChain();
    b.tensor(2).type = fb::TensorType::STRING;
    ExpectFailure(b.Build(), "tensor 2 't': type string is not supported",
                  StatusCode::kUnsupported, "create");
  }
  {
    ModelBuilder b = AddChain();
    b.tensor(2).type = fb::TensorType::INT2;
    ExpectFailure(b.Build(), "type INT2 is not supported",
                  StatusCode::kUnsupported);
  }
  {
    ModelBuilder b = AddChain();
    b.tensor(2).type = static_cast<fb::TensorType>(99);
    ExpectFailure(b.Build(), "tensor 2 't': unknown type 99");
  }
  {
    // Valid type the op has no kernel for: a clean kUnsupported from ADD.
    ModelBuilder b = AddChain();
    for (int t = 0; t < 4; ++t) b.tensor(t).type = fb::TensorType::BOOL;
    b.model().buffers[1]->data.resize(3);
    ExpectFailure(b.Build(), "ADD: input type bool is not supported",
                  StatusCode::kUnsupported, "allocate");
  }
  {
    ModelBuilder b = AddChain();
    b.tensor(1).type = fb::TensorType::INT32;
    ExpectFailure(
        b.Build(),
        "tensors 'x' (float32) and 'c' (int32) must have the same type",
        StatusCode::kInvalidModel, "allocate");
  }
}

TEST(LoaderCorpus, ShapeSignatureErrors) {
  {
    ModelBuilder b = AddChain();
    b.SetShapeSignature(0, {-1, 3, 1});
    ExpectFailure(b.Build(),
                  "shape_signature rank 3 differs from shape rank 2");
  }
  {
    // A scalar (no shape) with a long signature once overflowed Shape::dims.
    ModelBuilder b = AddChain();
    b.tensor(1).shape.clear();
    b.model().buffers[1]->data.resize(4);
    b.SetShapeSignature(1, std::vector<int32_t>(20, -1));
    ExpectFailure(b.Build(),
                  "shape_signature rank 20 differs from shape rank 0");
  }
  {
    ModelBuilder b = AddChain();
    b.SetShapeSignature(0, {-2, 3});
    ExpectFailure(b.Build(), "shape_signature dim 0 is -2");
  }
  {
    ModelBuilder b = AddChain();
    b.SetShapeSignature(0, {-1, 3});
    ExpectSuccess(b.Build());
  }
}

TEST(LoaderCorpus, OpArityAndHugeLists) {
  {
    ModelBuilder b = AddChain();
    b.op(0).inputs = {0, 1, 1};
    ExpectFailure(b.Build(), "op #0 ADD: expects 2..2 inputs, has 3",
                  StatusCode::kInvalidModel, "allocate");
  }
  {
    ModelBuilder b = AddChain();
    b.op(0).inputs = {0, -1};
    ExpectFailure(b.Build(), "ADD: required input 1 is missing",
                  StatusCode::kInvalidModel, "allocate");
  }
  {
    ModelBuilder b = AddChain();
    b.op(0).inputs.assign(70000, 0);
    ExpectFailure(b.Build(),
                  "op input list has 70000 entries (at most 65536 supported)");
  }
}

TEST(LoaderCorpus, BroadcastOutputTooLarge) {
  // Each input is fine; their broadcast would have 2^41 elements.
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {1 << 20, 1}, "x");
  const int y = b.AddTensor(testing::kF32, {1, 1 << 21}, "y");
  const int z = b.AddTensor(testing::kF32, {1, 1}, "z");
  b.AddOp(fb::BuiltinOperator::ADD, {x, y}, {z}, AddOptions());
  b.SetInputs({x, y});
  b.SetOutputs({z});
  ExpectFailure(b.Build(), "output 0 ('z') would have more than 2^40 elements",
                StatusCode::kInvalidArgument, "allocate");
}

TEST(LoaderCorpus, SparseConstantOnlyForDensify) {
  ModelBuilder b = AddChain();
  b.tensor(1).sparsity = std::make_unique<fb::SparsityParametersT>();
  b.model().buffers[1]->data.resize(4);  // fewer bytes than the dense shape
  ExpectFailure(b.Build(), "input 1 ('c') is stored sparse; only DENSIFY",
                StatusCode::kUnsupported, "allocate");
}

TEST(LoaderCorpus, UnknownBuiltinIsNamed) {
  ModelBuilder b = AddChain();
  b.model().operator_codes[0]->builtin_code =
      static_cast<fb::BuiltinOperator>(4000);
  b.model().operator_codes[0]->deprecated_builtin_code = 127;
  ExpectFailure(b.Build(),
                "model uses ops Ember does not support: builtin operator 4000",
                StatusCode::kUnsupported, "create");
}

}  // namespace
}  // namespace ember
