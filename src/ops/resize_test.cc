// RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR against LiteRT: integer paths
// bit-exact with BUILTIN_REF, float within 1e-5 relative.
#include <gtest/gtest.h>

#include "ops/shape_test_util.h"

namespace ember::testing {
namespace {

struct Geometry {
  std::vector<int32_t> in;
  int32_t h, w;
};

const Geometry kGeometries[] = {{{1, 2, 2, 1}, 4, 4},     {{1, 3, 5, 2}, 7, 4},
                                {{2, 4, 4, 3}, 2, 3},     {{1, 5, 3, 1}, 5, 3},
                                {{1, 1, 1, 2}, 3, 2},     {{1, 6, 7, 3}, 13, 9},
                                {{1, 16, 16, 2}, 64, 64}, {{1, 4, 4, 1}, 1, 1}};

const std::pair<bool, bool> kModes[] = {
    {false, false}, {true, false}, {false, true}};

QuantSpec Q(fb::TensorType t) {
  if (t == kI8) return {{0.1f}, {-3}};
  if (t == kU8) return {{0.1f}, {128}};
  if (t == kI16) return {{0.01f}, {0}};
  return {};
}

std::vector<OracleCase> Cases(fb::BuiltinOperator op,
                              std::vector<fb::TensorType> types,
                              std::vector<std::string>* labels) {
  std::vector<OracleCase> cases;
  for (const auto& g : kGeometries) {
    for (auto [align, half] : kModes) {
      for (auto t : types) {
        for (int dynamic = 0; dynamic < 2; ++dynamic) {
          OpCase c;
          c.In(t, g.in, Q(t));
          if (dynamic)
            c.InValues<int32_t>(kI32, {2}, {g.h, g.w});
          else
            c.Const<int32_t>(kI32, {2}, {g.h, g.w});
          c.Out(t, {}, Q(t));
          fb::BuiltinOptionsUnion o;
          if (op == fb::BuiltinOperator::RESIZE_BILINEAR) {
            fb::ResizeBilinearOptionsT r;
            r.align_corners = align;
            r.half_pixel_centers = half;
            o.Set(r);
          } else {
            fb::ResizeNearestNeighborOptionsT r;
            r.align_corners = align;
            r.half_pixel_centers = half;
            o.Set(r);
          }
          cases.push_back(c.Build(op, std::move(o)));
          labels->push_back(std::string(fb::EnumNameTensorType(t)) + " in " +
                            ShapeString({g.in.begin(), g.in.end()}) + " -> " +
                            std::to_string(g.h) + "x" + std::to_string(g.w) +
                            (align ? " align" : "") + (half ? " half" : "") +
                            (dynamic ? " dynamic" : ""));
        }
      }
    }
  }
  return cases;
}

TEST(ShapeOps, ResizeBilinearIntegerBitExact) {
  std::vector<std::string> labels;
  auto cases =
      Cases(fb::BuiltinOperator::RESIZE_BILINEAR, {kU8, kI8, kI16}, &labels);
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, ResizeBilinearFloat) {
  std::vector<std::string> labels;
  auto cases = Cases(fb::BuiltinOperator::RESIZE_BILINEAR, {kF32}, &labels);
  ExpectAllMatch(cases, labels, 1e-5, /*reference=*/false);
}

TEST(ShapeOps, ResizeNearestNeighbor) {
  std::vector<std::string> labels;
  auto cases = Cases(fb::BuiltinOperator::RESIZE_NEAREST_NEIGHBOR,
                     {kF32, kU8, kI8, kI16, kI32}, &labels);
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, ResizeErrors) {
  {
    OpCase c;
    c.In(kF32, {2, 2, 1}).Const<int32_t>(kI32, {2}, {4, 4}).Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::RESIZE_BILINEAR,
                             Options(fb::ResizeBilinearOptionsT())),
                     "4-D");
  }
  {
    OpCase c;
    c.In(kF32, {1, 2, 2, 1}).Const<int32_t>(kI32, {3}, {4, 4, 1}).Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::RESIZE_BILINEAR,
                             Options(fb::ResizeBilinearOptionsT())),
                     "shape [2]");
  }
  {
    OpCase c;
    c.In(kF32, {1, 2, 2, 1}).InValues<int32_t>(kI32, {2}, {0, 4}).Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::RESIZE_NEAREST_NEIGHBOR,
                             Options(fb::ResizeNearestNeighborOptionsT())),
                     "invalid");
  }
  {
    OpCase c;
    c.In(kI32, {1, 2, 2, 1}).Const<int32_t>(kI32, {2}, {4, 4}).Out(kI32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::RESIZE_BILINEAR,
                             Options(fb::ResizeBilinearOptionsT())),
                     "not supported");
  }
}

}  // namespace
}  // namespace ember::testing
