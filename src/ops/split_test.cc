// SPLIT / SPLIT_V against LiteRT.
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

TEST(ShapeOps, SplitGrid) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  const std::vector<int32_t> shapes[] = {{6}, {4, 6}, {2, 6, 4}, {2, 2, 3, 4}};
  for (const auto& s : shapes) {
    const int rank = static_cast<int>(s.size());
    for (int axis = -rank; axis < rank; ++axis) {
      const int dim = s[axis < 0 ? axis + rank : axis];
      for (int n : {1, 2, 3}) {
        if (dim % n) continue;
        for (auto t : {kF32, kI8, kU8, kI16, kI32, fb::TensorType::INT64}) {
          for (int mode = 0; mode < 2; ++mode) {
            OpCase c;
            if (mode == 0)
              c.Const<int32_t>(kI32, {}, {axis});
            else
              c.InValues<int32_t>(kI32, {}, {axis});
            c.In(t, s, Q(t));
            for (int k = 0; k < n; ++k) c.Out(t, {}, Q(t));
            fb::SplitOptionsT o;
            o.num_splits = n;
            cases.push_back(c.Build(fb::BuiltinOperator::SPLIT, Options(o)));
            labels.push_back("split axis " + std::to_string(axis) + " n " +
                             std::to_string(n) + " mode " +
                             std::to_string(mode));
          }
        }
      }
      // SPLIT_V with one -1 and a zero-sized piece.
      const std::vector<int32_t> sizes = dim >= 4
                                             ? std::vector<int32_t>{1, -1, 0, 2}
                                             : std::vector<int32_t>{dim - 1, 1};
      for (auto t : {kF32, kI8, kI32, fb::TensorType::INT64}) {
        OpCase c;
        c.In(t, s, Q(t));
        const int32_t n = static_cast<int32_t>(sizes.size());
        c.Const<int32_t>(kI32, {n}, sizes).Const<int32_t>(kI32, {1}, {axis});
        for (int k = 0; k < n; ++k) c.Out(t, {}, Q(t));
        fb::SplitVOptionsT o;
        o.num_splits = n;
        cases.push_back(c.Build(fb::BuiltinOperator::SPLIT_V, Options(o)));
        labels.push_back("split_v axis " + std::to_string(axis));
      }
    }
  }
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, SplitErrors) {
  {
    OpCase c;
    c.Const<int32_t>(kI32, {}, {1}).In(kF32, {2, 5}).Out(kF32).Out(kF32);
    fb::SplitOptionsT o;
    o.num_splits = 2;
    ExpectEmberError(c.Build(fb::BuiltinOperator::SPLIT, Options(o)),
                     "equal parts");
  }
  {
    OpCase c;
    c.In(kF32, {2, 5})
        .Const<int32_t>(kI32, {2}, {2, 2})
        .Const<int32_t>(kI32, {}, {1})
        .Out(kF32)
        .Out(kF32);
    fb::SplitVOptionsT o;
    o.num_splits = 2;
    ExpectEmberError(c.Build(fb::BuiltinOperator::SPLIT_V, Options(o)),
                     "sum to");
  }
  {
    OpCase c;
    c.In(kF32, {2, 3}).Out(kF32).Out(kF32);
    fb::UnpackOptionsT o;
    o.num = 2;
    o.axis = 1;
    ExpectEmberError(c.Build(fb::BuiltinOperator::UNPACK, Options(o)),
                     "axis size");
  }
}

}  // namespace
}  // namespace ember::testing
