// Graph passes: each case is a small model with the pattern a pass targets.
// The optimized model must compute what the original computes (Ember on
// both; LiteRT on the optimized one, with the original's Ember outputs as
// the reference) within 1e-5 relative, and have the expected structure.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "convert/convert.h"
#include "convert/passes/pass_util.h"
#include "util/model_builder.h"
#include "util/oracle.h"

namespace ember::convert {
namespace {

using testing::kF32;
using testing::kI32;
using testing::kI8;
using testing::ModelBuilder;
using Op = fb::BuiltinOperator;

std::vector<float> Random(size_t n, uint32_t seed, float lo = -1.0f,
                          float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

template <typename T>
fb::BuiltinOptionsUnion Opt(T value) {
  fb::BuiltinOptionsUnion u;
  u.Set(std::move(value));
  return u;
}

struct Case {
  std::string name;
  std::function<void(ModelBuilder&)> build;
  std::vector<std::vector<int64_t>> input_shapes;
  std::vector<Op> expected_ops;  // the optimized model's operators, in order
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  cases.push_back(
      {"conv_mul_add_relu",
       [](ModelBuilder& b) {
         int x = b.AddTensor(kF32, {1, 5, 5, 3}, "x");
         int w = b.AddConstant(kF32, {4, 3, 3, 3}, Random(108, 1));
         int bias = b.AddConstant(kF32, {4}, Random(4, 2));
         int c = b.AddTensor(kF32, {1, 5, 5, 4});
         fb::Conv2DOptionsT co;
         co.stride_h = co.stride_w = 1;
         b.AddOp(Op::CONV_2D, {x, w, bias}, {c}, Opt(co), /*version=*/3);
         int s = b.AddConstant(kF32, {4}, Random(4, 3, 0.5f, 2.0f));
         int m = b.AddTensor(kF32, {1, 5, 5, 4});
         b.AddOp(Op::MUL, {c, s}, {m}, Opt(fb::MulOptionsT{}));
         int t = b.AddConstant(kF32, {1, 1, 1, 4}, Random(4, 4));
         int a = b.AddTensor(kF32, {1, 5, 5, 4});
         b.AddOp(Op::ADD, {t, m}, {a}, Opt(fb::AddOptionsT{}));
         int y = b.AddTensor(kF32, {1, 5, 5, 4}, "y");
         b.AddOp(Op::RELU, {a}, {y});
         b.SetInputs({x});
         b.SetOutputs({y});
       },
       {{1, 5, 5, 3}},
       {Op::CONV_2D}});
  cases.push_back({"depthwise_scale_scalar_shift_relu6",
                   [](ModelBuilder& b) {
                     int x = b.AddTensor(kF32, {1, 6, 6, 4}, "x");
                     int w = b.AddConstant(kF32, {1, 3, 3, 4}, Random(36, 5));
                     int bias = b.AddConstant(kF32, {4}, Random(4, 6));
                     int c = b.AddTensor(kF32, {1, 6, 6, 4});
                     fb::DepthwiseConv2DOptionsT o;
                     o.stride_h = o.stride_w = 1;
                     o.depth_multiplier = 1;
                     b.AddOp(Op::DEPTHWISE_CONV_2D, {x, w, bias}, {c}, Opt(o));
                     int s = b.AddConstant(kF32, {4}, Random(4, 7, 0.5f, 2.0f));
                     int m = b.AddTensor(kF32, {1, 6, 6, 4});
                     b.AddOp(Op::MUL, {c, s}, {m}, Opt(fb::MulOptionsT{}));
                     int t = b.AddConstant(kF32, {}, std::vector<float>{0.25f});
                     int a = b.AddTensor(kF32, {1, 6, 6, 4});
                     b.AddOp(Op::ADD, {m, t}, {a}, Opt(fb::AddOptionsT{}));
                     int y = b.AddTensor(kF32, {1, 6, 6, 4}, "y");
                     b.AddOp(Op::RELU6, {a}, {y});
                     b.SetInputs({x});
                     b.SetOutputs({y});
                   },
                   {{1, 6, 6, 4}},
                   {Op::DEPTHWISE_CONV_2D}});
  cases.push_back({"constant_subgraph_folds",
                   [](ModelBuilder& b) {
                     int x = b.AddTensor(kF32, {2, 3}, "x");
                     int p = b.AddConstant(kF32, {2, 3}, Random(6, 8));
                     int q = b.AddConstant(kF32, {3}, Random(3, 9));
                     int pq = b.AddTensor(kF32, {2, 3});
                     b.AddOp(Op::ADD, {p, q}, {pq}, Opt(fb::AddOptionsT{}));
                     int e = b.AddTensor(kF32, {2, 3});
                     b.AddOp(Op::EXP, {pq}, {e});
                     int y = b.AddTensor(kF32, {2, 3}, "y");
                     b.AddOp(Op::MUL, {x, e}, {y}, Opt(fb::MulOptionsT{}));
                     b.SetInputs({x});
                     b.SetOutputs({y});
                   },
                   {{2, 3}},
                   {Op::MUL}});
  cases.push_back(
      {"transposes_cancel",
       [](ModelBuilder& b) {
         int x = b.AddTensor(kF32, {1, 2, 3, 4}, "x");
         int perm = b.AddConstant(kI32, {4}, std::vector<int32_t>{0, 2, 1, 3});
         int t1 = b.AddTensor(kF32, {1, 3, 2, 4});
         b.AddOp(Op::TRANSPOSE, {x, perm}, {t1}, Opt(fb::TransposeOptionsT{}));
         int t2 = b.AddTensor(kF32, {1, 2, 3, 4});
         b.AddOp(Op::TRANSPOSE, {t1, perm}, {t2}, Opt(fb::TransposeOptionsT{}));
         int y = b.AddTensor(kF32, {1, 2, 3, 4}, "y");
         b.AddOp(Op::TANH, {t2}, {y});
         b.SetInputs({x});
         b.SetOutputs({y});
       },
       {{1, 2, 3, 4}},
       {Op::TANH}});
  cases.push_back(
      {"transposes_compose",
       [](ModelBuilder& b) {
         int x = b.AddTensor(kF32, {1, 2, 3, 4}, "x");
         int perm = b.AddConstant(kI32, {4}, std::vector<int32_t>{0, 2, 3, 1});
         int t1 = b.AddTensor(kF32, {1, 3, 4, 2});
         b.AddOp(Op::TRANSPOSE, {x, perm}, {t1}, Opt(fb::TransposeOptionsT{}));
         int y = b.AddTensor(kF32, {1, 4, 2, 3}, "y");
         b.AddOp(Op::TRANSPOSE, {t1, perm}, {y}, Opt(fb::TransposeOptionsT{}));
         b.SetInputs({x});
         b.SetOutputs({y});
       },
       {{1, 2, 3, 4}},
       {Op::TRANSPOSE}});
  cases.push_back(
      {"reshapes_merge_and_dead_code_goes",
       [](ModelBuilder& b) {
         int x = b.AddTensor(kF32, {1, 12}, "x");
         int s1 = b.AddConstant(kI32, {2}, std::vector<int32_t>{4, 3});
         int r1 = b.AddTensor(kF32, {4, 3});
         b.AddOp(Op::RESHAPE, {x, s1}, {r1});
         int s2 = b.AddConstant(kI32, {3}, std::vector<int32_t>{1, 2, 6});
         int y = b.AddTensor(kF32, {1, 2, 6}, "y");
         b.AddOp(Op::RESHAPE, {r1, s2}, {y});
         int unused = b.AddTensor(kF32, {1, 12});
         b.AddOp(Op::LOGISTIC, {x}, {unused});
         b.SetInputs({x});
         b.SetOutputs({y});
       },
       {{1, 12}},
       {Op::RESHAPE}});
  cases.push_back({"shared_weights_are_not_folded",
                   [](ModelBuilder& b) {
                     int x = b.AddTensor(kF32, {1, 3}, "x");
                     int w = b.AddConstant(kF32, {2, 3}, Random(6, 10));
                     int bias = b.AddConstant(kF32, {2}, Random(2, 11));
                     int f1 = b.AddTensor(kF32, {1, 2});
                     int f2 = b.AddTensor(kF32, {1, 2}, "y2");
                     b.AddOp(Op::FULLY_CONNECTED, {x, w, bias}, {f1},
                             Opt(fb::FullyConnectedOptionsT{}));
                     b.AddOp(Op::FULLY_CONNECTED, {x, w, bias}, {f2},
                             Opt(fb::FullyConnectedOptionsT{}));
                     int s =
                         b.AddConstant(kF32, {2}, Random(2, 12, 0.5f, 2.0f));
                     int y = b.AddTensor(kF32, {1, 2}, "y");
                     b.AddOp(Op::MUL, {f1, s}, {y}, Opt(fb::MulOptionsT{}));
                     b.SetInputs({x});
                     b.SetOutputs({y, f2});
                   },
                   {{1, 3}},
                   {Op::FULLY_CONNECTED, Op::FULLY_CONNECTED, Op::MUL}});
  cases.push_back({"graph_output_is_not_fused_away",
                   [](ModelBuilder& b) {
                     int x = b.AddTensor(kF32, {1, 3}, "x");
                     int w = b.AddConstant(kF32, {2, 3}, Random(6, 13));
                     int bias = b.AddConstant(kF32, {2}, Random(2, 14));
                     int f = b.AddTensor(kF32, {1, 2}, "pre");
                     b.AddOp(Op::FULLY_CONNECTED, {x, w, bias}, {f},
                             Opt(fb::FullyConnectedOptionsT{}));
                     int y = b.AddTensor(kF32, {1, 2}, "y");
                     b.AddOp(Op::RELU, {f}, {y});
                     b.SetInputs({x});
                     b.SetOutputs({f, y});
                   },
                   {{1, 3}},
                   {Op::FULLY_CONNECTED, Op::RELU}});
  return cases;
}

std::vector<Op> OpList(const fb::ModelT& m) {
  std::vector<Op> ops;
  for (const auto& op : m.subgraphs[0]->operators)
    ops.push_back(passes::OpCode(m, *op));
  return ops;
}

TEST(OptimizeModelTest, PassesKeepResultsAndReachExpectedGraphs) {
  std::vector<testing::OracleCase> litert_cases;
  std::vector<testing::RunResult> originals;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    ModelBuilder b;
    c.build(b);
    std::vector<uint8_t> before = b.Build();
    fb::ModelT model = b.model();
    Diagnostics diag;
    OptimizeModel(&model, &diag);
    EXPECT_FALSE(diag.notes.empty());
    EXPECT_EQ(OpList(model), c.expected_ops);
    std::vector<NpyArray> inputs;
    for (size_t i = 0; i < c.input_shapes.size(); ++i)
      inputs.push_back(
          testing::RandomArray(DataType::kFloat32, c.input_shapes[i], 100 + i));
    std::vector<uint8_t> after = SerializeTflite(model);
    testing::RunResult want = testing::RunEmber(before, inputs);
    testing::RunResult got = testing::RunEmber(after, inputs);
    ASSERT_TRUE(want.ok) << want.error;
    ASSERT_TRUE(got.ok) << got.error;
    ASSERT_EQ(want.outputs.size(), got.outputs.size());
    for (size_t k = 0; k < want.outputs.size(); ++k) {
      std::string why;
      const double diff =
          testing::MaxAbsDiff(got.outputs[k], want.outputs[k], &why);
      EXPECT_GE(diff, 0.0) << why;
      EXPECT_LE(diff, 1e-5 * std::max(1.0, testing::MaxAbs(want.outputs[k])));
    }
    litert_cases.push_back({after, inputs});
    originals.push_back(want);
  }
  std::vector<testing::RunResult> litert = testing::RunLiteRt(litert_cases);
  for (size_t c = 0; c < litert.size(); ++c) {
    ASSERT_TRUE(litert[c].ok) << litert[c].error;
    for (size_t k = 0; k < originals[c].outputs.size(); ++k) {
      std::string why;
      const double diff = testing::MaxAbsDiff(litert[c].outputs[k],
                                              originals[c].outputs[k], &why);
      EXPECT_GE(diff, 0.0) << why;
      EXPECT_LE(diff,
                1e-5 * std::max(1.0, testing::MaxAbs(originals[c].outputs[k])))
          << "case " << c;
    }
  }
}

TEST(OptimizeModelTest, LowestOpVersionsForFloatAndUntouchedForQuantized) {
  ModelBuilder b;
  int x = b.AddTensor(kF32, {1, 2, 3}, "x");
  int w = b.AddConstant(kF32, {4, 3}, Random(12, 20));
  int bias = b.AddConstant(kF32, {4}, Random(4, 21));
  int f = b.AddTensor(kF32, {1, 2, 4});
  fb::FullyConnectedOptionsT keep;
  keep.keep_num_dims = true;
  b.AddOp(Op::FULLY_CONNECTED, {x, w, bias}, {f}, Opt(keep), /*version=*/9);
  int y = b.AddTensor(kF32, {1, 2, 4}, "y");
  b.AddOp(Op::LOGISTIC, {f}, {y}, {}, /*version=*/2);
  int q = b.AddTensor(kI8, {4}, "q", {{0.5f}, {0}});
  int q2 = b.AddTensor(kI8, {4}, "q2", {{0.5f}, {0}});
  b.AddOp(Op::ADD, {q, q}, {q2}, Opt(fb::AddOptionsT{}), /*version=*/2);
  b.SetInputs({x, q});
  b.SetOutputs({y, q2});
  b.Build();
  fb::ModelT model = b.model();
  Diagnostics diag;
  OptimizeModel(&model, &diag);
  for (const auto& code : model.operator_codes) {
    if (code->builtin_code == Op::FULLY_CONNECTED)
      EXPECT_EQ(code->version, 5);  // keep_num_dims
    if (code->builtin_code == Op::LOGISTIC) EXPECT_EQ(code->version, 1);
    if (code->builtin_code == Op::ADD)
      EXPECT_EQ(code->version, 2);  // int8: left alone
  }
}

}  // namespace
}  // namespace ember::convert
