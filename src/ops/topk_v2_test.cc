// TOPK_V2 against LiteRT (ties included), plus a chain test checking that
// reshape-like ops alias their input correctly inside a larger graph.
#include <gtest/gtest.h>

#include "ops/shape_test_util.h"

namespace ember::testing {
namespace {

TEST(ShapeOps, TopKGrid) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  const std::vector<int32_t> shapes[] = {{6}, {3, 8}, {2, 3, 5}};
  for (const auto& s : shapes) {
    for (int32_t k : {1, 3, s.back()}) {
      for (auto t : {kF32, kI8, kU8, kI32, fb::TensorType::INT64}) {
        for (int mode = 0; mode < 2; ++mode) {
          OpCase c;
          if (t == kF32)
            c.In(t, s);
          else
            c.In(t, s, {}, t == kU8 ? 0.f : -3.f, 3.f);  // many ties
          if (mode == 0)
            c.Const<int32_t>(kI32, {}, {k});
          else
            c.InValues<int32_t>(kI32, {}, {k});
          c.Out(t).Out(kI32);
          cases.push_back(c.Build(fb::BuiltinOperator::TOPK_V2));
          labels.push_back("topk " + ShapeString({s.begin(), s.end()}) + " k " +
                           std::to_string(k) + " " + fb::EnumNameTensorType(t));
        }
      }
    }
  }
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, TopKErrors) {
  OpCase c;
  c.In(kF32, {2, 3}).InValues<int32_t>(kI32, {}, {4}).Out(kF32).Out(kI32);
  ExpectEmberError(c.Build(fb::BuiltinOperator::TOPK_V2), "outside");
}

// ADD -> RESHAPE -> SQUEEZE -> EXPAND_DIMS -> ADD: the reshape-like ops may
// share their input's buffer; results must still match LiteRT.
TEST(ShapeOps, ReshapeAliasChain) {
  ModelBuilder b;
  const int x = b.AddTensor(kF32, {2, 1, 6}, "x");
  const int c = b.AddConstant<float>(kF32, {6}, {1, 2, 3, 4, 5, 6}, "c");
  const int a = b.AddTensor(kF32, {2, 1, 6}, "a");
  const int r = b.AddTensor(kF32, {3, 1, 4}, "r");
  const int s = b.AddTensor(kF32, {3, 4}, "s");
  const int e = b.AddTensor(kF32, {3, 4, 1}, "e");
  const int y = b.AddTensor(kF32, {3, 4, 1}, "y");
  const int shape = b.AddConstant<int32_t>(kI32, {3}, {3, 1, -1}, "shape");
  const int axis = b.AddConstant<int32_t>(kI32, {}, {-1}, "axis");
  const int one = b.AddConstant<float>(kF32, {1}, {0.5f}, "one");
  b.AddOp(fb::BuiltinOperator::ADD, {x, c}, {a}, Options(fb::AddOptionsT()));
  b.AddOp(fb::BuiltinOperator::RESHAPE, {a, shape}, {r},
          Options(fb::ReshapeOptionsT()));
  b.AddOp(fb::BuiltinOperator::SQUEEZE, {r}, {s},
          Options(fb::SqueezeOptionsT()));
  b.AddOp(fb::BuiltinOperator::EXPAND_DIMS, {s, axis}, {e});
  b.AddOp(fb::BuiltinOperator::ADD, {e, one}, {y}, Options(fb::AddOptionsT()));
  b.SetInputs({x});
  b.SetOutputs({y});
  OracleCase oc{b.Build(), {RandomArray(DataType::kFloat32, {2, 1, 6}, 5)}};
  ExpectAllMatch({oc}, {"alias chain"});
}

}  // namespace
}  // namespace ember::testing
