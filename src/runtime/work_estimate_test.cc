// The threading cost model's whole-model rule: work estimates per node and
// which subgraphs run all their nodes on the caller.
#include "runtime/work_estimate.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "base/work_split.h"
#include "model/model.h"
#include "runtime/interpreter.h"
#include "util/model_builder.h"

namespace ember {
namespace {

using testing::ModelBuilder;

// x [m, k] -> FULLY_CONNECTED (weights [n, k]) -> TANH (not fused).
std::vector<uint8_t> FcModel(int m, int k, int n) {
  ModelBuilder b;
  const int x = b.AddTensor(fb::TensorType::FLOAT32, {m, k}, "x");
  const int w = b.AddConstant(fb::TensorType::FLOAT32, {n, k},
                              std::vector<float>(size_t(n) * k, 0.5f), "w");
  const int y = b.AddTensor(fb::TensorType::FLOAT32, {m, n}, "y");
  const int z = b.AddTensor(fb::TensorType::FLOAT32, {m, n}, "z");
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {x, w, -1}, {y}, {});
  b.AddOp(fb::BuiltinOperator::TANH, {y}, {z}, {});
  b.SetInputs({x});
  b.SetOutputs({z});
  return b.Build();
}

// x [1, 10, 10, 4] -> CONV_2D 3x3 SAME, 8 filters.
std::vector<uint8_t> ConvModel() {
  ModelBuilder b;
  const int x = b.AddTensor(fb::TensorType::FLOAT32, {1, 10, 10, 4}, "x");
  const int w =
      b.AddConstant(fb::TensorType::FLOAT32, {8, 3, 3, 4},
                    std::vector<float>(8 * 3 * 3 * 4, 0.25f), "filter");
  const int y = b.AddTensor(fb::TensorType::FLOAT32, {1, 10, 10, 8}, "y");
  fb::Conv2DOptionsT opt;
  opt.padding = fb::Padding::SAME;
  opt.stride_w = opt.stride_h = 1;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  b.AddOp(fb::BuiltinOperator::CONV_2D, {x, w, -1}, {y}, std::move(u));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

struct Loaded {
  std::vector<uint8_t> bytes;
  std::unique_ptr<Model> model;
  std::unique_ptr<Interpreter> interp;
};

std::unique_ptr<Loaded> Load(std::vector<uint8_t> bytes, int threads,
                             bool split_small_work = false) {
  auto l = std::make_unique<Loaded>();
  l->bytes = std::move(bytes);
  ErrorReporter errors;
  EXPECT_TRUE(Model::FromBuffer(l->bytes.data(), l->bytes.size(), true, errors,
                                &l->model)
                  .ok())
      << errors.message();
  InterpreterOptions options;
  options.num_threads = threads;
  options.split_small_work = split_small_work;
  EXPECT_TRUE(Interpreter::Create(*l->model, OpResolver::Builtins(), options,
                                  errors, &l->interp)
                  .ok())
      << errors.message();
  EXPECT_TRUE(l->interp->AllocateTensors().ok())
      << l->interp->errors().message();
  return l;
}

TEST(WorkEstimate, CountsMacsOfMatrixOpsAndElementsOfOthers) {
  auto fc = Load(FcModel(4, 32, 16), 1);
  const Subgraph& sg = fc->interp->primary();
  ASSERT_EQ(sg.nodes().size(), 2u);
  EXPECT_EQ(EstimateNodeMacs(sg, sg.nodes()[0]), 4 * 32 * 16);
  EXPECT_EQ(EstimateNodeMacs(sg, sg.nodes()[1]), 4 * 16);  // TANH
  EXPECT_EQ(EstimateSubgraphMacs(sg), 4 * 32 * 16 + 4 * 16);
  EXPECT_EQ(EstimateSubgraphMacs(sg, /*matrix_ops_only=*/true), 4 * 32 * 16);

  auto conv = Load(ConvModel(), 1);
  const Subgraph& csg = conv->interp->primary();
  EXPECT_EQ(EstimateSubgraphMacs(csg), 10 * 10 * 8 * (3 * 3 * 4));
}

TEST(WorkEstimate, TinyModelsRunOnTheCaller) {
  // 64 x 64 x 64 = 262k MACs: far below kTinyModelMacs.
  auto tiny = Load(FcModel(64, 64, 64), 2);
  EXPECT_LT(EstimateSubgraphMacs(tiny->interp->primary()), kTinyModelMacs);
  EXPECT_EQ(tiny->interp->primary().thread_pool(), nullptr);
  EXPECT_TRUE(tiny->interp->Invoke().ok());

  // The option keeps the pool (everything split as far as it goes).
  auto forced = Load(FcModel(64, 64, 64), 2, /*split_small_work=*/true);
  ASSERT_NE(forced->interp->primary().thread_pool(), nullptr);
  EXPECT_EQ(forced->interp->primary().thread_pool()->num_threads(), 2);
  EXPECT_TRUE(forced->interp->primary().thread_pool()->split_small_work());

  // 256^3 = 16.8M MACs: the pool is used.
  auto large = Load(FcModel(256, 256, 256), 2);
  EXPECT_GE(EstimateSubgraphMacs(large->interp->primary()), kTinyModelMacs);
  ASSERT_NE(large->interp->primary().thread_pool(), nullptr);
  EXPECT_FALSE(large->interp->primary().thread_pool()->split_small_work());

  // One thread: the pool (of one) is handed out as before.
  auto single = Load(FcModel(64, 64, 64), 1);
  ASSERT_NE(single->interp->primary().thread_pool(), nullptr);
}

}  // namespace
}  // namespace ember
