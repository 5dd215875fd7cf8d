// `ember prune`'s library (src/prune): block magnitude pruning and the
// .tflite sparsity encoding. The pruned model must load and run in LiteRT
// (which densifies the DENSIFY-fed weights itself: an independent reader of
// the encoding) with outputs equal to Ember's within 1e-5, the right
// fraction of blocks must be zero, and Ember must pick the sparse kernel
// for the pruned 1x1 convolution and fully connected layer.
#include "convert/prune/prune.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch/cpu_features.h"
#include "kernels/drivers/gemm_f32.h"
#include "model/model.h"
#include "runtime/interpreter.h"
#include "util/model_builder.h"
#include "util/oracle.h"

namespace ember {
namespace {

std::vector<float> RandomFloats(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(gen);
  return v;
}

// x [1, 8, 8, 12] -> 3x3 conv (not prunable; LiteRT's CONV_2D needs a bias) ->
// 1x1 conv 12->32 (prunable)
// -> FC [10, 2048] (prunable) -> y.
std::vector<uint8_t> SmallNet() {
  testing::ModelBuilder b;
  const auto f32 = fb::TensorType::FLOAT32;
  const int x = b.AddTensor(f32, {1, 8, 8, 12}, "x");
  const int f1 = b.AddConstant<float>(f32, {12, 3, 3, 12},
                                      RandomFloats(12 * 108, 1), "f1");
  const int b1 = b.AddConstant<float>(f32, {12}, RandomFloats(12, 6), "b1");
  const int y1 = b.AddTensor(f32, {}, "y1");
  const int f2 =
      b.AddConstant<float>(f32, {32, 1, 1, 12}, RandomFloats(32 * 12, 2), "f2");
  const int b2 = b.AddConstant<float>(f32, {32}, RandomFloats(32, 3), "b2");
  const int y2 = b.AddTensor(f32, {}, "y2");
  const int f3 =
      b.AddConstant<float>(f32, {10, 2048}, RandomFloats(10 * 2048, 4), "f3");
  const int b3 = b.AddConstant<float>(f32, {10}, RandomFloats(10, 5), "b3");
  const int y3 = b.AddTensor(f32, {}, "y3");
  for (int i = 0; i < 2; ++i) {
    fb::Conv2DOptionsT opt;
    opt.padding = fb::Padding::SAME;
    opt.stride_h = opt.stride_w = 1;
    opt.fused_activation_function = fb::ActivationFunctionType::RELU;
    fb::BuiltinOptionsUnion u;
    u.Set(opt);
    if (i == 0)
      b.AddOp(fb::BuiltinOperator::CONV_2D, {x, f1, b1}, {y1}, std::move(u));
    else
      b.AddOp(fb::BuiltinOperator::CONV_2D, {y1, f2, b2}, {y2}, std::move(u));
  }
  fb::FullyConnectedOptionsT opt;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  b.AddOp(fb::BuiltinOperator::FULLY_CONNECTED, {y2, f3, b3}, {y3},
          std::move(u));
  b.SetInputs({x});
  b.SetOutputs({y3});
  return b.Build();
}

fb::ModelT Unpack(const std::vector<uint8_t>& bytes) {
  fb::ModelT m;
  fb::GetModel(bytes.data())->UnPackTo(&m);
  return m;
}

struct Pruned {
  std::vector<uint8_t> bytes;
  std::vector<prune::LayerReport> layers;
};

Pruned PruneBytes(const std::vector<uint8_t>& in, double s,
                  prune::BlockShape block) {
  fb::ModelT m = Unpack(in);
  prune::PruneOptions o;
  o.sparsity = s;
  o.block = block;
  convert::Diagnostics diag;
  Pruned p;
  EXPECT_TRUE(prune::PruneModel(&m, o, &p.layers, &diag))
      << (diag.errors.empty() ? "" : diag.errors[0]);
  p.bytes = convert::SerializeTflite(m);
  return p;
}

TEST(Prune, LiteRtReadsTheEncodingAndAgreesWithEmber) {
  const auto dense = SmallNet();
  const auto input = testing::RandomArray(DataType::kFloat32, {1, 8, 8, 12}, 7);
  std::vector<testing::OracleCase> cases;
  std::vector<testing::RunResult> ember;
  std::vector<std::string> names;
  for (auto block : {prune::BlockShape::k1x4, prune::BlockShape::k4x1,
                     prune::BlockShape::kNone}) {
    for (double s : {0.0, 0.5, 0.75}) {
      const Pruned p = PruneBytes(dense, s, block);
      ASSERT_EQ(p.layers.size(), 2u);  // the 3x3 conv is not prunable
      for (const auto& l : p.layers)
        EXPECT_NEAR(l.sparsity(), s, 0.02) << l.tensor;
      ember.push_back(testing::RunEmber(p.bytes, {input}));
      cases.push_back({p.bytes, {input}});
      names.push_back(std::string(prune::BlockShapeName(block)) + " sparsity " +
                      std::to_string(s));
    }
  }
  // One LiteRT process for all cases (its default kernels + XNNPACK).
  const auto lite = testing::RunLiteRt(cases, /*reference=*/false);
  ASSERT_EQ(lite.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    ASSERT_TRUE(ember[i].ok) << names[i] << ": " << ember[i].error;
    ASSERT_TRUE(lite[i].ok) << names[i] << ": " << lite[i].error;
    std::string why;
    const double diff =
        testing::MaxAbsDiff(ember[i].outputs[0], lite[i].outputs[0], &why);
    ASSERT_GE(diff, 0.0) << why;
    EXPECT_LE(diff, 1e-5 * std::max(1.0, testing::MaxAbs(lite[i].outputs[0])))
        << names[i];
  }
}

TEST(Prune, ZeroesWholeBlocksAndEncodesThemSparsely) {
  const Pruned p = PruneBytes(SmallNet(), 0.75, prune::BlockShape::k1x4);
  const fb::ModelT m = Unpack(p.bytes);
  const fb::SubGraphT& sg = *m.subgraphs[0];
  int densify_ops = 0;
  for (const auto& op : sg.operators) {
    if (m.operator_codes[op->opcode_index]->builtin_code !=
        fb::BuiltinOperator::DENSIFY)
      continue;
    ++densify_ops;
    const fb::TensorT& sparse = *sg.tensors[op->inputs[0]];
    const fb::TensorT& dense = *sg.tensors[op->outputs[0]];
    ASSERT_NE(sparse.sparsity, nullptr);
    EXPECT_TRUE(m.buffers[dense.buffer]->data.empty()) << dense.name;
    const auto& sp = *sparse.sparsity;
    ASSERT_EQ(sp.block_map.size(), 1u);
    EXPECT_EQ(sp.block_map[0], static_cast<int32_t>(dense.shape.size()) - 1);
    ASSERT_EQ(sp.dim_metadata.size(), dense.shape.size() + 1);
    EXPECT_EQ(sp.dim_metadata.back()->dense_size, 4);
    EXPECT_EQ(sp.dim_metadata[dense.shape.size() - 1]->format,
              fb::DimensionType::SPARSE_CSR);
    // A quarter of the blocks, four values each, are stored.
    const int64_t count = dense.shape[0] * dense.shape.back();
    EXPECT_EQ(m.buffers[sparse.buffer]->data.size(), sizeof(float) * count / 4)
        << dense.name;
  }
  EXPECT_EQ(densify_ops, 2);
  EXPECT_LT(p.bytes.size(), SmallNet().size() / 2);
}

TEST(Prune, EmberUsesSparseKernelForPrunedLayers) {
  if (!kernels::AllowedIsas().any_float())
    GTEST_SKIP() << "optimized kernels unavailable";
  const Pruned p = PruneBytes(SmallNet(), 0.75, prune::BlockShape::k1x4);
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  ASSERT_TRUE(
      Model::FromBuffer(p.bytes.data(), p.bytes.size(), true, errors, &model)
          .ok())
      << errors.message();
  std::unique_ptr<Interpreter> interp;
  ASSERT_TRUE(Interpreter::Create(*model, OpResolver::Builtins(),
                                  InterpreterOptions{}, errors, &interp)
                  .ok());
  ASSERT_TRUE(interp->AllocateTensors().ok()) << interp->errors().message();
  // The 1x1 conv and the batch-1 fully connected layer (DENSIFY ops first).
  int sparse = 0;
  for (const Node& n : interp->primary().nodes())
    sparse +=
        std::string(n.kernel_variant).find("spmm_1x4") != std::string::npos;
  EXPECT_EQ(sparse, 2);
}

TEST(Prune, RejectsBadSparsityAndModelsWithoutPrunableLayers) {
  fb::ModelT m = Unpack(SmallNet());
  std::vector<prune::LayerReport> layers;
  for (double s : {-0.1, 1.0, 1.5, std::nan("")}) {
    convert::Diagnostics diag;
    prune::PruneOptions o;
    o.sparsity = s;
    EXPECT_FALSE(prune::PruneModel(&m, o, &layers, &diag));
    ASSERT_FALSE(diag.errors.empty());
    EXPECT_NE(diag.errors[0].find("sparsity"), std::string::npos);
  }
  // Only a 3x3 convolution: nothing to prune.
  testing::ModelBuilder b;
  const auto f32 = fb::TensorType::FLOAT32;
  const int x = b.AddTensor(f32, {1, 4, 4, 2}, "x");
  const int f =
      b.AddConstant<float>(f32, {2, 3, 3, 2}, RandomFloats(36, 1), "f");
  const int y = b.AddTensor(f32, {}, "y");
  fb::Conv2DOptionsT opt;
  opt.padding = fb::Padding::SAME;
  opt.stride_h = opt.stride_w = 1;
  fb::BuiltinOptionsUnion u;
  u.Set(opt);
  b.AddOp(fb::BuiltinOperator::CONV_2D, {x, f, -1}, {y}, std::move(u));
  b.SetInputs({x});
  b.SetOutputs({y});
  fb::ModelT conv3 = Unpack(b.Build());
  convert::Diagnostics diag;
  prune::PruneOptions o;
  o.sparsity = 0.5;
  EXPECT_FALSE(prune::PruneModel(&conv3, o, &layers, &diag));
  ASSERT_FALSE(diag.errors.empty());
  EXPECT_NE(diag.errors[0].find("no prunable layer"), std::string::npos);
}

}  // namespace
}  // namespace ember
