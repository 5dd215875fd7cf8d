// The arena plan: scratch buffers (any number per node) live in the arena,
// and the arena sizes of real models stay what they were before the
// subgraph was split into a pipeline (subgraph.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "model/model.h"
#include "runtime/interpreter.h"
#include "runtime/op_context.h"
#include "util/model_builder.h"
#include "util/shared_models.h"

namespace ember {
namespace {

using testing::ModelBuilder;

// More scratch buffers than the four a node could once have.
constexpr int kScratchBuffers = 9;
size_t ScratchBytes(int k) { return 100 * static_cast<size_t>(k + 1); }

struct ScratchSeen {
  void* data[kScratchBuffers] = {};
  bool intact = false;
};
ScratchSeen g_seen;

struct ScratchOpData {
  int index[kScratchBuffers];
};

// y = x; requests kScratchBuffers buffers and fills each with its own byte,
// then checks none was overwritten by another (they overlap otherwise).
Status ScratchPrepare(OpContext& ctx) {
  auto* d = ctx.op_data<ScratchOpData>();
  for (int k = 0; k < kScratchBuffers; ++k)
    EMBER_RETURN_IF_ERROR(ctx.RequestScratch(ScratchBytes(k), &d->index[k]));
  return ctx.ResizeOutput(0, ctx.input(0)->shape);
}

Status ScratchEval(OpContext& ctx) {
  const auto& d = *ctx.op_data<ScratchOpData>();
  for (int k = 0; k < kScratchBuffers; ++k) {
    g_seen.data[k] = ctx.scratch(d.index[k]);
    memset(g_seen.data[k], k + 1, ScratchBytes(k));
  }
  g_seen.intact = true;
  for (int k = 0; k < kScratchBuffers; ++k) {
    const auto* p = static_cast<const uint8_t*>(g_seen.data[k]);
    for (size_t b = 0; b < ScratchBytes(k); ++b)
      if (p[b] != k + 1) g_seen.intact = false;
  }
  memcpy(ctx.output(0)->data, ctx.input(0)->data, ctx.input(0)->bytes);
  return Status::Ok();
}

const OpRegistration kScratchOp = {
    -1,          "ManyScratch", sizeof(ScratchOpData), ScratchPrepare,
    ScratchEval, kOpFlagNone};

TEST(SubgraphPlan, ManyScratchBuffersLiveInTheArena) {
  ModelBuilder b;
  const int x = b.AddTensor(testing::kF32, {4}, "x");
  const int y = b.AddTensor(testing::kF32, {4}, "y");
  b.AddCustomOp("ManyScratch", {x}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const std::vector<uint8_t> bytes = b.Build();
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  ASSERT_TRUE(
      Model::FromBuffer(bytes.data(), bytes.size(), false, errors, &model).ok())
      << errors.message();
  OpResolver resolver;
  resolver.AddAll(OpResolver::Builtins());
  resolver.AddCustom("ManyScratch", &kScratchOp);
  std::unique_ptr<Interpreter> interp;
  ASSERT_TRUE(Interpreter::Create(*model, resolver, {}, errors, &interp).ok())
      << errors.message();
  ASSERT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
  g_seen = {};
  ASSERT_TRUE(interp->Invoke().ok()) << interp->errors().message();
  EXPECT_TRUE(g_seen.intact) << "scratch buffers overlap";

  // All nine are alive together: the arena holds each (64-byte aligned)
  // plus x and y, and every buffer lies inside one block of that size.
  const Subgraph& sg = interp->primary();
  size_t scratch_total = 0;
  for (int k = 0; k < kScratchBuffers; ++k)
    scratch_total += AlignUp(ScratchBytes(k), 64);
  EXPECT_EQ(sg.arena_lower_bound(), scratch_total + 2 * 64);
  uintptr_t begin = UINTPTR_MAX, end = 0;
  auto span = [&](const void* p, size_t bytes) {
    begin = std::min(begin, reinterpret_cast<uintptr_t>(p));
    end = std::max(end, reinterpret_cast<uintptr_t>(p) + bytes);
  };
  for (int32_t t : {x, y}) span(sg.tensors()[t].data, sg.tensors()[t].bytes);
  for (int k = 0; k < kScratchBuffers; ++k) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(g_seen.data[k]) % 64, 0u) << k;
    span(g_seen.data[k], ScratchBytes(k));
  }
  EXPECT_LE(end - begin, sg.arena_bytes());
}

struct PlannedSize {
  const char* model;
  bool preserve_all_tensors;
  size_t arena_bytes;
  size_t lower_bound;
};

// Reference kernels (the same on every CPU), one thread. Measured before
// the subgraph became a pipeline and unchanged by it; the int8 models then
// shrank (the "was" values) when the conv family moved its per-channel
// multipliers from arena scratch to persistent memory (house-ops, b37e308).
// A change here is a change of the memory plan: make it on purpose.
constexpr PlannedSize kPlannedSizes[] = {
    {"tflm/person_detect.tflite", false, 64512, 64512},   // was 64640
    {"tflm/person_detect.tflite", true, 241216, 241216},  // was 243264
    {"tflm/trained_lstm.tflite", false, 5824, 5824},
    {"tflm/micro_speech_quantized.tflite", false, 8000, 8000},  // was 8064
    {"mediapipe/selfie_segmentation.tflite", false, 4063232, 3932224},
};

TEST(SubgraphPlan, ArenaSizesOfRealModelsAreUnchanged) {
  EMBER_SKIP_WITHOUT_SHARED_MODELS();
  for (const PlannedSize& want : kPlannedSizes) {
    SCOPED_TRACE(std::string(want.model) +
                 (want.preserve_all_tensors ? " (preserve all)" : ""));
    std::ifstream file(testing::SharedModelsDir() + "/" + want.model,
                       std::ios::binary);
    ASSERT_TRUE(file.good());
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                                     std::istreambuf_iterator<char>());
    ErrorReporter errors;
    std::unique_ptr<Model> model;
    ASSERT_TRUE(
        Model::FromBuffer(bytes.data(), bytes.size(), false, errors, &model)
            .ok())
        << errors.message();
    InterpreterOptions options;
    options.force_reference_kernels = true;
    options.preserve_all_tensors = want.preserve_all_tensors;
    std::unique_ptr<Interpreter> interp;
    ASSERT_TRUE(Interpreter::Create(*model, OpResolver::Builtins(), options,
                                    errors, &interp)
                    .ok())
        << errors.message();
    ASSERT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
    EXPECT_EQ(interp->primary().arena_bytes(), want.arena_bytes);
    EXPECT_EQ(interp->primary().arena_lower_bound(), want.lower_bound);
  }
}

}  // namespace
}  // namespace ember
