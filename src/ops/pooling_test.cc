// AVERAGE_POOL_2D / MAX_POOL_2D / L2_POOL_2D against LiteRT.
#include "ops/nn_test_util.h"

namespace ember {
namespace {

using testing::NnCase;

struct TypeSpec {
  DataType type;
  testing::QuantSpec quant;
};

std::vector<uint8_t> PoolModel(fb::BuiltinOperator op, const TypeSpec& t,
                               std::vector<int32_t> shape, fb::Padding padding,
                               int sh, int sw, int fh, int fw,
                               fb::ActivationFunctionType act,
                               const testing::QuantSpec* out_quant = nullptr) {
  testing::ModelBuilder b;
  const int x = b.AddTensor(testing::ToFb(t.type), shape, "x", t.quant);
  const int y = b.AddTensor(testing::ToFb(t.type), {1}, "y",
                            out_quant ? *out_quant : t.quant);
  fb::Pool2DOptionsT o;
  o.padding = padding;
  o.stride_h = sh;
  o.stride_w = sw;
  o.filter_height = fh;
  o.filter_width = fw;
  o.fused_activation_function = act;
  b.AddOp(op, {x}, {y}, testing::MakeOptions(o));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Build();
}

const TypeSpec kTypes[] = {
    {DataType::kFloat32, {}},
    {DataType::kInt8, {{0.05f}, {3}}},
    {DataType::kUInt8, {{0.03f}, {120}}},
    {DataType::kInt16, {{0.001f}, {0}}},
};

TEST(Pooling, AverageAndMaxMatchLiteRt) {
  std::vector<NnCase> cases;
  const std::vector<std::vector<int32_t>> shapes = {
      {1, 5, 7, 3}, {2, 8, 8, 2}, {1, 1, 4, 1}};
  const fb::ActivationFunctionType acts[] = {
      fb::ActivationFunctionType::NONE, fb::ActivationFunctionType::RELU,
      fb::ActivationFunctionType::RELU6,
      fb::ActivationFunctionType::RELU_N1_TO_1};
  const int strides[][2] = {{1, 1}, {2, 2}, {3, 2}};
  const int filters[][2] = {{2, 2}, {3, 3}, {1, 3}, {4, 2}};
  uint32_t seed = 1;
  int act_i = 0;
  for (auto op : {fb::BuiltinOperator::AVERAGE_POOL_2D,
                  fb::BuiltinOperator::MAX_POOL_2D}) {
    for (const auto& t : kTypes) {
      for (const auto& shape : shapes) {
        for (auto pad : {fb::Padding::SAME, fb::Padding::VALID}) {
          for (const auto& s : strides) {
            for (const auto& f : filters) {
              if (pad == fb::Padding::VALID &&
                  (f[0] > shape[1] || f[1] > shape[2]))
                continue;
              const auto act = acts[act_i++ % 4];
              NnCase c;
              c.name =
                  std::string(fb::EnumNameBuiltinOperator(op)) + " " +
                  DataTypeName(t.type) + " pad=" + fb::EnumNamePadding(pad) +
                  " s=" + std::to_string(s[0]) + "x" + std::to_string(s[1]) +
                  " f=" + std::to_string(f[0]) + "x" + std::to_string(f[1]) +
                  " act=" + fb::EnumNameActivationFunctionType(act) +
                  " shape[1]=" + std::to_string(shape[1]);
              c.model =
                  PoolModel(op, t, shape, pad, s[0], s[1], f[0], f[1], act);
              std::vector<int64_t> shape64(shape.begin(), shape.end());
              c.inputs = {
                  t.type == DataType::kFloat32
                      ? testing::RandomArray(t.type, shape64, seed++, -3.f, 8.f)
                      : testing::RandomArray(t.type, shape64, seed++, 0, 0)};
              c.rel_tol = t.type == DataType::kFloat32 ? 1e-5 : 0.0;
              cases.push_back(std::move(c));
            }
          }
        }
      }
    }
  }
  testing::RunAndCompare(cases);
}

TEST(Pooling, L2FloatMatchesLiteRt) {
  std::vector<NnCase> cases;
  uint32_t seed = 100;
  for (auto pad : {fb::Padding::SAME, fb::Padding::VALID}) {
    for (int s : {1, 2}) {
      for (int f : {2, 3}) {
        for (auto act : {fb::ActivationFunctionType::NONE,
                         fb::ActivationFunctionType::RELU6}) {
          NnCase c;
          c.name = std::string("L2 pad=") + fb::EnumNamePadding(pad) +
                   " s=" + std::to_string(s) + " f=" + std::to_string(f);
          c.model = PoolModel(fb::BuiltinOperator::L2_POOL_2D, kTypes[0],
                              {2, 6, 5, 3}, pad, s, s, f, f, act);
          c.inputs = {testing::RandomArray(DataType::kFloat32, {2, 6, 5, 3},
                                           seed++, -4.f, 4.f)};
          c.rel_tol = 1e-5;
          cases.push_back(std::move(c));
        }
      }
    }
  }
  testing::RunAndCompare(cases);
}

TEST(Pooling, RejectsBadModels) {
  const auto none = fb::ActivationFunctionType::NONE;
  // Rank 3 input.
  testing::ExpectEmberError(
      PoolModel(fb::BuiltinOperator::MAX_POOL_2D, kTypes[0], {4, 4, 2},
                fb::Padding::VALID, 1, 1, 2, 2, none),
      {testing::RandomArray(DataType::kFloat32, {4, 4, 2}, 1)}, "4-D");
  // Quantized L2 pool.
  testing::ExpectEmberError(
      PoolModel(fb::BuiltinOperator::L2_POOL_2D, kTypes[1], {1, 4, 4, 2},
                fb::Padding::VALID, 1, 1, 2, 2, none),
      {testing::RandomArray(DataType::kInt8, {1, 4, 4, 2}, 1, 0, 0)},
      "not supported");
  // Missing quantization.
  testing::ExpectEmberError(
      PoolModel(fb::BuiltinOperator::AVERAGE_POOL_2D, {DataType::kInt8, {}},
                {1, 4, 4, 2}, fb::Padding::VALID, 1, 1, 2, 2, none),
      {testing::RandomArray(DataType::kInt8, {1, 4, 4, 2}, 1, 0, 0)},
      "quantization");
  // Output quantization differs from input.
  testing::QuantSpec other{{0.1f}, {0}};
  testing::ExpectEmberError(
      PoolModel(fb::BuiltinOperator::AVERAGE_POOL_2D, kTypes[1], {1, 4, 4, 2},
                fb::Padding::VALID, 1, 1, 2, 2, none, &other),
      {testing::RandomArray(DataType::kInt8, {1, 4, 4, 2}, 1, 0, 0)},
      "must match");
  // Zero stride.
  testing::ExpectEmberError(
      PoolModel(fb::BuiltinOperator::MAX_POOL_2D, kTypes[0], {1, 4, 4, 2},
                fb::Padding::VALID, 0, 1, 2, 2, none),
      {testing::RandomArray(DataType::kFloat32, {1, 4, 4, 2}, 1)}, "stride");
  // Unsupported type.
  testing::ExpectEmberError(
      PoolModel(fb::BuiltinOperator::MAX_POOL_2D, {DataType::kInt32, {}},
                {1, 4, 4, 2}, fb::Padding::VALID, 1, 1, 2, 2, none),
      {testing::RandomArray(DataType::kInt32, {1, 4, 4, 2}, 1)},
      "not supported");
}

}  // namespace
}  // namespace ember
