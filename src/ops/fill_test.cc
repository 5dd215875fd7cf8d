// SHAPE, FILL, ZEROS_LIKE, RANGE, TILE, BROADCAST_TO, REVERSE_V2,
// ARG_MAX and ARG_MIN against LiteRT.
#include <gtest/gtest.h>

#include "ops/shape_test_util.h"

namespace ember::testing {
namespace {

const fb::TensorType kI64 = fb::TensorType::INT64;
const fb::TensorType kBool = fb::TensorType::BOOL;

QuantSpec Q(fb::TensorType t) {
  if (t == kI8 || t == kU8 || t == kI16) return {{0.5f}, {t == kU8 ? 128 : 0}};
  return {};
}

TEST(ShapeOps, ShapeFillLikeRangeGrid) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  const std::vector<int32_t> shapes[] = {{3}, {2, 3}, {1, 2, 3, 4}};
  for (const auto& s : shapes) {
    for (auto out : {kI32, kI64}) {
      OpCase c;
      c.In(kF32, s).Out(out);
      fb::ShapeOptionsT o;
      o.out_type = out;
      cases.push_back(c.Build(fb::BuiltinOperator::SHAPE, Options(o)));
      labels.push_back("shape");
    }
    for (auto t : {kF32, kI32, kI64}) {
      for (auto op : {fb::BuiltinOperator::ZEROS_LIKE}) {
        OpCase c;
        c.In(t, s).Out(t);
        cases.push_back(c.Build(op));
        labels.push_back(std::string(fb::EnumNameBuiltinOperator(op)) + " " +
                         fb::EnumNameTensorType(t));
      }
    }
    for (auto t : {kF32, kI32, kI64, kBool, kI8, kI16}) {
      for (int mode = 0; mode < 2; ++mode) {
        const int32_t r = static_cast<int32_t>(s.size());
        OpCase c;
        if (mode == 0)
          c.Const<int32_t>(kI32, {r}, s);
        else
          c.InValues<int64_t>(kI64, {r},
                              std::vector<int64_t>(s.begin(), s.end()));
        c.In(t, {}, Q(t)).Out(t, {}, Q(t));
        cases.push_back(c.Build(fb::BuiltinOperator::FILL));
        labels.push_back(std::string("fill ") + fb::EnumNameTensorType(t) +
                         " mode " + std::to_string(mode));
      }
    }
  }
  struct R {
    float start, limit, delta;
  };
  const R ranges[] = {
      {0, 10, 1}, {3, 18, 4}, {10, -3, -3}, {-5, 5, 2}, {2, 3, 5}};
  for (const auto& r : ranges) {
    for (int mode = 0; mode < 2; ++mode) {
      {
        OpCase c;
        const std::vector<int32_t> v = {static_cast<int32_t>(r.start),
                                        static_cast<int32_t>(r.limit),
                                        static_cast<int32_t>(r.delta)};
        for (int k = 0; k < 3; ++k) {
          if (mode == 0)
            c.Const<int32_t>(kI32, {}, {v[k]});
          else
            c.InValues<int32_t>(kI32, {}, {v[k]});
        }
        c.Out(kI32);
        cases.push_back(c.Build(fb::BuiltinOperator::RANGE));
        labels.push_back("range int mode " + std::to_string(mode));
      }
      {
        OpCase c;
        const std::vector<float> v = {r.start * 0.7f, r.limit * 1.3f,
                                      r.delta * 0.3f};
        for (int k = 0; k < 3; ++k) {
          if (mode == 0)
            c.Const<float>(kF32, {}, {v[k]});
          else
            c.InValues<float>(kF32, {}, {v[k]});
        }
        c.Out(kF32);
        cases.push_back(c.Build(fb::BuiltinOperator::RANGE));
        labels.push_back("range float mode " + std::to_string(mode));
      }
      {
        OpCase c;
        const std::vector<int64_t> v = {static_cast<int64_t>(r.start),
                                        static_cast<int64_t>(r.limit),
                                        static_cast<int64_t>(r.delta)};
        for (int k = 0; k < 3; ++k) {
          if (mode == 0)
            c.Const<int64_t>(kI64, {}, {v[k]});
          else
            c.InValues<int64_t>(kI64, {}, {v[k]});
        }
        c.Out(kI64);
        cases.push_back(c.Build(fb::BuiltinOperator::RANGE));
        labels.push_back("range int64 mode " + std::to_string(mode));
      }
    }
  }
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, TileBroadcastReverseGrid) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  struct T {
    std::vector<int32_t> in, mult;
  };
  const T tiles[] = {{{3}, {2}},
                     {{2, 3}, {2, 1}},
                     {{2, 3}, {1, 3}},
                     {{2, 1, 3}, {2, 3, 2}},
                     {{1, 2, 2, 2}, {2, 1, 2, 3}}};
  for (const auto& t0 : tiles) {
    const int32_t r = static_cast<int32_t>(t0.in.size());
    for (auto t : {kF32, kI8, kU8, kI16, kI32, kI64, kBool}) {
      for (int mode = 0; mode < 2; ++mode) {
        OpCase c;
        c.In(t, t0.in, Q(t));
        if (mode == 0)
          c.Const<int32_t>(kI32, {r}, t0.mult);
        else
          c.InValues<int64_t>(
              kI64, {r}, std::vector<int64_t>(t0.mult.begin(), t0.mult.end()));
        c.Out(t, {}, Q(t));
        cases.push_back(c.Build(fb::BuiltinOperator::TILE));
        labels.push_back("tile " + ShapeString({t0.in.begin(), t0.in.end()}));
      }
    }
  }
  struct B {
    std::vector<int32_t> in, shape;
  };
  const B bcasts[] = {{{3}, {2, 3}},          {{1}, {4}},
                      {{2, 1}, {2, 4}},       {{1, 3, 1}, {2, 3, 4}},
                      {{3, 1}, {2, 2, 3, 5}}, {{2, 3}, {2, 3}}};
  for (const auto& b0 : bcasts) {
    const int32_t r = static_cast<int32_t>(b0.shape.size());
    for (auto t : {kF32, kI8, kU8, kI16, kI32, kI64, kBool}) {
      for (int mode = 0; mode < 2; ++mode) {
        OpCase c;
        c.In(t, b0.in, Q(t));
        if (mode == 0)
          c.Const<int32_t>(kI32, {r}, b0.shape);
        else
          c.InValues<int32_t>(kI32, {r}, b0.shape);
        c.Out(t, {}, Q(t));
        cases.push_back(
            c.Build(fb::BuiltinOperator::BROADCAST_TO, {}, /*version=*/2));
        labels.push_back("broadcast_to " +
                         ShapeString({b0.shape.begin(), b0.shape.end()}));
      }
    }
  }
  struct V {
    std::vector<int32_t> in, axes;
  };
  const V revs[] = {{{5}, {0}},          {{3, 4}, {1}},
                    {{3, 4}, {-2}},      {{2, 3, 4}, {1}},
                    {{2, 3, 4}, {1, 2}}, {{2, 3, 4, 2}, {0, 1}},
                    {{2, 3, 4, 2}, {3}}};
  for (const auto& v0 : revs) {
    const int32_t n = static_cast<int32_t>(v0.axes.size());
    for (auto t : {kF32, kI8, kU8, kI16, kI32, kI64, kBool}) {
      OpCase c;
      c.In(t, v0.in, Q(t)).Const<int32_t>(kI32, {n}, v0.axes).Out(t, {}, Q(t));
      cases.push_back(c.Build(fb::BuiltinOperator::REVERSE_V2));
      labels.push_back("reverse " + ShapeString({v0.in.begin(), v0.in.end()}) +
                       " " + fb::EnumNameTensorType(t));
    }
  }
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, ArgMinMaxGrid) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  const std::vector<int32_t> shapes[] = {{7}, {3, 5}, {2, 3, 4}, {2, 3, 4, 5}};
  for (const auto& s : shapes) {
    const int rank = static_cast<int>(s.size());
    for (int axis = -rank; axis < rank; ++axis) {
      for (auto op :
           {fb::BuiltinOperator::ARG_MAX, fb::BuiltinOperator::ARG_MIN}) {
        for (auto t : {kF32, kI8, kU8, kI32}) {
          for (auto out : {kI32, kI64}) {
            OpCase c;
            // Narrow integer ranges make ties frequent (first index wins).
            if (t == kF32)
              c.In(t, s, Q(t));
            else
              c.In(t, s, Q(t), t == kU8 ? 0.f : -3.f, 3.f);
            c.Const<int32_t>(kI32, {1}, {axis}).Out(out);
            fb::BuiltinOptionsUnion o;
            if (op == fb::BuiltinOperator::ARG_MAX) {
              fb::ArgMaxOptionsT a;
              a.output_type = out;
              o.Set(a);
            } else {
              fb::ArgMinOptionsT a;
              a.output_type = out;
              o.Set(a);
            }
            cases.push_back(c.Build(op, std::move(o)));
            labels.push_back(std::string(fb::EnumNameBuiltinOperator(op)) +
                             " axis " + std::to_string(axis) + " " +
                             fb::EnumNameTensorType(t));
          }
        }
      }
    }
  }
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, FillTileErrors) {
  {
    OpCase c;
    c.InValues<int32_t>(kI32, {2}, {2, -1}).In(kF32, {}).Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::FILL), "invalid dimension");
  }
  {
    OpCase c;
    c.Const<int32_t>(kI32, {}, {0})
        .Const<int32_t>(kI32, {}, {5})
        .Const<int32_t>(kI32, {}, {-1})
        .Out(kI32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::RANGE), "wrong sign");
  }
  {
    OpCase c;
    c.InValues<float>(kF32, {}, {0})
        .InValues<float>(kF32, {}, {5})
        .InValues<float>(kF32, {}, {0})
        .Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::RANGE), "zero");
  }
  {
    OpCase c;
    c.In(kF32, {2, 3}).Const<int32_t>(kI32, {1}, {2}).Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::TILE), "multiples has 1");
  }
  {
    OpCase c;
    c.In(kF32, {2, 3}).Const<int32_t>(kI32, {2}, {2, 4}).Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::BROADCAST_TO),
                     "cannot broadcast");
  }
  {
    OpCase c;
    c.In(kF32, {2, 3}).Const<int32_t>(kI32, {2}, {1, -1}).Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::REVERSE_V2), "listed twice");
  }
  {
    OpCase c;
    c.In(kF32, {2, 3}).Const<int32_t>(kI32, {1}, {2}).Out(kI32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::ARG_MAX), "out of range");
  }
  {
    OpCase c;
    c.In(kF32, {2, 3}).Const<int32_t>(kI32, {1}, {0}).Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::ARG_MIN), "output has type");
  }
}

}  // namespace
}  // namespace ember::testing
