// CONCATENATION / PACK / UNPACK against LiteRT.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/shape_test_util.h"

namespace ember::testing {
namespace {

QuantSpec Q(fb::TensorType t, float scale = 0.5f, int64_t zp = 0) {
  if (t == kI8 || t == kU8 || t == kI16)
    return QuantSpec{{scale}, {t == kU8 ? zp + 128 : (t == kI16 ? 0 : zp)}};
  return {};
}

TEST(ShapeOps, ConcatenationGrid) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  const std::vector<int32_t> base[] = {
      {5}, {2, 3}, {2, 3, 4}, {1, 2, 3, 2}, {2, 1, 2, 1, 3}};
  for (const auto& shape : base) {
    const int rank = static_cast<int>(shape.size());
    for (int axis = -rank; axis < rank; ++axis) {
      for (auto t : {kF32, kI8, kU8, kI16, kI32, fb::TensorType::INT64,
                     fb::TensorType::BOOL}) {
        OpCase c;
        const int a = axis < 0 ? axis + rank : axis;
        for (int k = 0; k < 3; ++k) {
          std::vector<int32_t> s = shape;
          s[a] = k + 1;  // differing sizes along the axis
          c.In(t, s, Q(t));
        }
        c.Out(t, {}, Q(t));
        fb::ConcatenationOptionsT o;
        o.axis = axis;
        cases.push_back(
            c.Build(fb::BuiltinOperator::CONCATENATION, Options(o)));
        labels.push_back("concat rank " + std::to_string(rank) + " axis " +
                         std::to_string(axis));
      }
    }
  }
  // One constant input, one input only.
  {
    OpCase c;
    c.In(kF32, {2, 3}).ConstRandom(kF32, {2, 4}).Out(kF32);
    fb::ConcatenationOptionsT o;
    o.axis = -1;
    cases.push_back(c.Build(fb::BuiltinOperator::CONCATENATION, Options(o)));
    labels.push_back("concat const");
    OpCase d;
    d.In(kI8, {3, 2}, Q(kI8)).Out(kI8, {}, Q(kI8));
    cases.push_back(d.Build(fb::BuiltinOperator::CONCATENATION, Options(o)));
    labels.push_back("concat single");
  }
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, ConcatenationRequantizes) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  for (auto t : {kU8}) {
    for (int axis : {0, 1, 2}) {
      OpCase c;
      c.In(t, {2, 3, 4}, Q(t, 0.05f, 3))
          .In(t, {2, 3, 4}, Q(t, 0.11f, -20))
          .In(t, {2, 3, 4}, Q(t, 0.08f, 1));
      std::vector<int32_t> out = {2, 3, 4};
      out[axis] *= 3;
      c.Out(t, out, Q(t, 0.08f, 1));
      fb::ConcatenationOptionsT o;
      o.axis = axis;
      cases.push_back(c.Build(fb::BuiltinOperator::CONCATENATION, Options(o)));
      labels.push_back(std::string("requant ") + fb::EnumNameTensorType(t) +
                       " axis " + std::to_string(axis));
    }
  }
  ExpectAllMatch(cases, labels);
}

// LiteRT rejects fused activations on CONCATENATION; Ember applies them
// to float outputs. Checked against LiteRT's plain concatenation, clamped.
TEST(ShapeOps, ConcatenationFloatActivation) {
  std::vector<OracleCase> plain, fused;
  const fb::ActivationFunctionType acts[] = {
      fb::ActivationFunctionType::RELU, fb::ActivationFunctionType::RELU6,
      fb::ActivationFunctionType::RELU_N1_TO_1};
  for (auto act : acts) {
    for (int with_act = 0; with_act < 2; ++with_act) {
      OpCase c;
      c.In(kF32, {2, 3}).In(kF32, {2, 2}).Out(kF32);
      fb::ConcatenationOptionsT o;
      o.axis = 1;
      if (with_act) o.fused_activation_function = act;
      (with_act ? fused : plain)
          .push_back(c.Build(fb::BuiltinOperator::CONCATENATION, Options(o)));
    }
  }
  const auto oracle = RunLiteRt(plain);
  const float lo[] = {0.f, 0.f, -1.f}, hi[] = {1e30f, 6.f, 1.f};
  for (size_t i = 0; i < fused.size(); ++i) {
    ASSERT_TRUE(oracle[i].ok) << oracle[i].error;
    const auto ours = RunEmber(fused[i].model, fused[i].inputs);
    ASSERT_TRUE(ours.ok) << ours.error;
    const auto& ref = oracle[i].outputs[0];
    ASSERT_EQ(ours.outputs[0].data.size(), ref.data.size());
    for (size_t k = 0; k < ref.data.size() / 4; ++k) {
      float r, o;
      memcpy(&r, ref.data.data() + 4 * k, 4);
      memcpy(&o, ours.outputs[0].data.data() + 4 * k, 4);
      EXPECT_EQ(o, std::min(std::max(r, lo[i]), hi[i])) << i << " " << k;
    }
  }
}

// LiteRT requires equal parameters for int8; Ember requantizes like uint8.
TEST(ShapeOps, ConcatenationInt8Requantizes) {
  OpCase c;
  QuantSpec qa{{0.05f}, {3}}, qb{{0.11f}, {-20}}, qo{{0.08f}, {1}};
  c.In(kI8, {2, 3}, qa).In(kI8, {2, 2}, qb).Out(kI8, {}, qo);
  fb::ConcatenationOptionsT o;
  o.axis = 1;
  const OracleCase oc = c.Build(fb::BuiltinOperator::CONCATENATION, Options(o));
  const auto ours = RunEmber(oc.model, oc.inputs);
  ASSERT_TRUE(ours.ok) << ours.error;
  const int8_t* a = reinterpret_cast<const int8_t*>(oc.inputs[0].data.data());
  const int8_t* b = reinterpret_cast<const int8_t*>(oc.inputs[1].data.data());
  const int8_t* out =
      reinterpret_cast<const int8_t*>(ours.outputs[0].data.data());
  for (int r = 0; r < 2; ++r) {
    for (int j = 0; j < 5; ++j) {
      const double real =
          j < 3 ? 0.05 * (a[r * 3 + j] - 3) : 0.11 * (b[r * 2 + j - 3] + 20);
      const double expect =
          std::clamp(std::round(real / 0.08) + 1, -128.0, 127.0);
      EXPECT_NEAR(out[r * 5 + j], expect, 1.0) << r << "," << j;
    }
  }
}

TEST(ShapeOps, ConcatenationErrors) {
  {
    OpCase c;
    c.In(kF32, {2, 3}).In(kF32, {3, 3}).Out(kF32);
    fb::ConcatenationOptionsT o;
    o.axis = 1;
    ExpectEmberError(c.Build(fb::BuiltinOperator::CONCATENATION, Options(o)),
                     "dim 0");
  }
  {
    OpCase c;
    c.In(kF32, {2, 3}).In(kF32, {2, 3}).Out(kF32);
    fb::ConcatenationOptionsT o;
    o.axis = 2;
    ExpectEmberError(c.Build(fb::BuiltinOperator::CONCATENATION, Options(o)),
                     "out of range");
  }
  {
    OpCase c;
    c.In(kF32, {2, 3}).In(kI32, {2, 3}).Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::CONCATENATION,
                             Options(fb::ConcatenationOptionsT())),
                     "same type");
  }
  {
    OpCase c;
    c.In(kI8, {2, 3}).In(kI8, {2, 3}).Out(kI8, {}, Q(kI8));
    ExpectEmberError(c.Build(fb::BuiltinOperator::CONCATENATION,
                             Options(fb::ConcatenationOptionsT())),
                     "no quantization");
  }
}

TEST(ShapeOps, PackUnpackGrid) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  const std::vector<int32_t> shapes[] = {{}, {4}, {2, 3}, {2, 3, 2}};
  for (const auto& s : shapes) {
    const int rank = static_cast<int>(s.size());
    for (int axis = -rank - 1; axis <= rank; ++axis) {
      for (auto t : {kF32, kI8, kU8, kI16, kI32, fb::TensorType::INT64}) {
        OpCase c;
        for (int k = 0; k < 3; ++k) c.In(t, s, Q(t));
        c.Out(t, {}, Q(t));
        fb::PackOptionsT o;
        o.values_count = 3;
        o.axis = axis;
        cases.push_back(c.Build(fb::BuiltinOperator::PACK, Options(o)));
        labels.push_back("pack axis " + std::to_string(axis));
      }
    }
    if (rank == 0) continue;
    for (int axis = -rank; axis < rank; ++axis) {
      for (auto t : {kF32, kI8, kU8, kI16, kI32, fb::TensorType::BOOL}) {
        OpCase c;
        c.In(t, s, Q(t));
        const int n = s[axis < 0 ? axis + rank : axis];
        for (int k = 0; k < n; ++k) c.Out(t, {}, Q(t));
        fb::UnpackOptionsT o;
        o.num = n;
        o.axis = axis;
        cases.push_back(c.Build(fb::BuiltinOperator::UNPACK, Options(o)));
        labels.push_back("unpack axis " + std::to_string(axis));
      }
    }
  }
  ExpectAllMatch(cases, labels);
}

}  // namespace
}  // namespace ember::testing
