// PAD / PADV2 / MIRROR_PAD and the space<->depth / space<->batch
// rearrangements against LiteRT (all exact: pure data movement).
#include <gtest/gtest.h>

#include "ops/shape_test_util.h"

namespace ember::testing {
namespace {

QuantSpec Q(fb::TensorType t) {
  if (t == kI8) return {{0.1f}, {-5}};
  if (t == kU8) return {{0.1f}, {131}};
  if (t == kI16) return {{0.01f}, {0}};
  return {};
}

struct PadCase {
  std::vector<int32_t> in;
  std::vector<int32_t> pads;
};

const PadCase kPads[] = {{{3}, {1, 2}},
                         {{2, 3}, {0, 0, 1, 1}},
                         {{2, 3}, {2, 1, 0, 3}},
                         {{1, 4, 4, 2}, {0, 0, 1, 1, 2, 0, 0, 0}},
                         {{1, 3, 3, 1}, {0, 0, 1, 2, 2, 1, 0, 0}},
                         {{2, 1, 2, 3, 2}, {1, 0, 0, 1, 1, 1, 0, 0, 1, 1}}};

TEST(ShapeOps, PadGrid) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  for (const auto& pc : kPads) {
    const int32_t rank = static_cast<int32_t>(pc.in.size());
    for (auto t : {kF32, kI8, kU8, kI16, kI32, fb::TensorType::INT64}) {
      for (int mode = 0; mode < 4;
           ++mode) {  // PAD const, PAD dynamic, PADV2, PADV2 int64 pads
        OpCase c;
        c.In(t, pc.in, Q(t));
        if (mode == 1)
          c.InValues<int32_t>(kI32, {rank, 2}, pc.pads);
        else if (mode == 3)
          c.Const<int64_t>(
              fb::TensorType::INT64, {rank, 2},
              std::vector<int64_t>(pc.pads.begin(), pc.pads.end()));
        else
          c.Const<int32_t>(kI32, {rank, 2}, pc.pads);
        if (mode >= 2) c.ConstRandom(t, {}, Q(t));
        c.Out(t, {}, Q(t));
        cases.push_back(c.Build(mode >= 2 ? fb::BuiltinOperator::PADV2
                                          : fb::BuiltinOperator::PAD));
        labels.push_back(std::string(fb::EnumNameTensorType(t)) + " rank " +
                         std::to_string(rank) + " mode " +
                         std::to_string(mode));
      }
    }
  }
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, MirrorPadGrid) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  const PadCase mirror[] = {{{4}, {2, 3}},
                            {{3, 4}, {2, 2, 1, 3}},
                            {{1, 4, 5, 2}, {0, 0, 3, 2, 1, 4, 0, 0}},
                            {{2, 3, 3}, {1, 1, 2, 2, 0, 2}}};
  for (const auto& pc : mirror) {
    const int32_t rank = static_cast<int32_t>(pc.in.size());
    for (auto mode :
         {fb::MirrorPadMode::REFLECT, fb::MirrorPadMode::SYMMETRIC}) {
      for (auto t : {kF32, kI8, kU8, kI32, fb::TensorType::INT64}) {
        std::vector<int32_t> pads = pc.pads;
        if (mode == fb::MirrorPadMode::REFLECT)  // reflect allows at most n-1
          for (int d = 0; d < rank; ++d)
            for (int k = 0; k < 2; ++k)
              pads[2 * d + k] = std::min(pads[2 * d + k], pc.in[d] - 1);
        OpCase c;
        c.In(t, pc.in, Q(t))
            .Const<int32_t>(kI32, {rank, 2}, pads)
            .Out(t, {}, Q(t));
        fb::MirrorPadOptionsT o;
        o.mode = mode;
        cases.push_back(c.Build(fb::BuiltinOperator::MIRROR_PAD, Options(o)));
        labels.push_back(std::string("mirror ") +
                         fb::EnumNameMirrorPadMode(mode) + " " +
                         fb::EnumNameTensorType(t));
      }
    }
  }
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, PadErrors) {
  {
    OpCase c;
    c.In(kF32, {2, 3})
        .Const<int32_t>(kI32, {3, 2}, {0, 0, 0, 0, 0, 0})
        .Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::PAD), "shape [2, 2]");
  }
  {
    OpCase c;
    c.In(kF32, {2, 3}).Const<int32_t>(kI32, {2, 2}, {0, -1, 0, 0}).Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::PAD), "invalid");
  }
  {
    OpCase c;
    c.In(kF32, {2, 3}).Const<int32_t>(kI32, {2, 2}, {0, 0, 3, 0}).Out(kF32);
    fb::MirrorPadOptionsT o;
    o.mode = fb::MirrorPadMode::REFLECT;
    ExpectEmberError(c.Build(fb::BuiltinOperator::MIRROR_PAD, Options(o)),
                     "exceed");
  }
  {
    OpCase c;
    c.In(kF32, {2, 3}).InValues<int32_t>(kI32, {2, 2}, {0, 0, -3, 0}).Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::PAD), "invalid");
  }
}

TEST(ShapeOps, SpaceDepthGrid) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  for (int bs : {1, 2, 3}) {
    for (auto t : {kF32, kI8, kU8, kI32, fb::TensorType::INT64}) {
      {
        OpCase c;
        c.In(t, {2, 2 * bs, 3 * bs, 3}, Q(t)).Out(t, {}, Q(t));
        fb::SpaceToDepthOptionsT o;
        o.block_size = bs;
        cases.push_back(
            c.Build(fb::BuiltinOperator::SPACE_TO_DEPTH, Options(o)));
        labels.push_back("space_to_depth " + std::to_string(bs));
      }
      {
        OpCase c;
        c.In(t, {2, 2, 3, 2 * bs * bs}, Q(t)).Out(t, {}, Q(t));
        fb::DepthToSpaceOptionsT o;
        o.block_size = bs;
        cases.push_back(
            c.Build(fb::BuiltinOperator::DEPTH_TO_SPACE, Options(o)));
        labels.push_back("depth_to_space " + std::to_string(bs));
      }
    }
  }
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, SpaceBatchGrid) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  struct SB {
    std::vector<int32_t> in;
    std::vector<int32_t> block, pads;
  };
  const SB s2b[] = {{{1, 4, 4, 1}, {2, 2}, {0, 0, 0, 0}},
                    {{2, 3, 5, 2}, {2, 3}, {1, 0, 0, 1}},
                    {{1, 5, 2, 3}, {3, 1}, {2, 2, 0, 0}},
                    {{2, 6, 3}, {3}, {0, 0}},
                    {{1, 5, 2}, {2}, {1, 0}}};
  for (const auto& c0 : s2b) {
    const int32_t m = static_cast<int32_t>(c0.block.size());
    for (auto t : {kF32, kI8, kU8, kI32}) {
      for (int dynamic = 0; dynamic < 2; ++dynamic) {
        OpCase c;
        c.In(t, c0.in, Q(t));
        if (dynamic) {
          c.InValues<int32_t>(kI32, {m}, c0.block)
              .InValues<int32_t>(kI32, {m, 2}, c0.pads);
        } else {
          c.Const<int32_t>(kI32, {m}, c0.block)
              .Const<int32_t>(kI32, {m, 2}, c0.pads);
        }
        c.Out(t, {}, Q(t));
        cases.push_back(c.Build(fb::BuiltinOperator::SPACE_TO_BATCH_ND));
        labels.push_back("space_to_batch " +
                         ShapeString({c0.in.begin(), c0.in.end()}) +
                         (dynamic ? " dynamic" : ""));
      }
    }
  }
  const SB b2s[] = {{{4, 2, 2, 1}, {2, 2}, {0, 0, 0, 0}},
                    {{12, 2, 3, 2}, {2, 3}, {1, 0, 0, 2}},
                    {{6, 3, 2, 1}, {3, 1}, {2, 1, 0, 0}},
                    {{6, 2, 3}, {3}, {1, 1}},
                    {{2, 3, 2}, {2}, {0, 1}}};
  for (const auto& c0 : b2s) {
    const int32_t m = static_cast<int32_t>(c0.block.size());
    for (auto t : {kF32, kI8, kU8, kI32}) {
      OpCase c;
      c.In(t, c0.in, Q(t))
          .Const<int32_t>(kI32, {m}, c0.block)
          .Const<int32_t>(kI32, {m, 2}, c0.pads)
          .Out(t, {}, Q(t));
      cases.push_back(c.Build(fb::BuiltinOperator::BATCH_TO_SPACE_ND));
      labels.push_back("batch_to_space " +
                       ShapeString({c0.in.begin(), c0.in.end()}));
    }
  }
  ExpectAllMatch(cases, labels);
}

TEST(ShapeOps, SpaceDepthErrors) {
  {
    OpCase c;
    c.In(kF32, {1, 3, 4, 1}).Out(kF32);
    fb::SpaceToDepthOptionsT o;
    o.block_size = 2;
    ExpectEmberError(c.Build(fb::BuiltinOperator::SPACE_TO_DEPTH, Options(o)),
                     "multiples");
  }
  {
    OpCase c;
    c.In(kF32, {1, 3, 4, 6}).Out(kF32);
    fb::DepthToSpaceOptionsT o;
    o.block_size = 0;
    ExpectEmberError(c.Build(fb::BuiltinOperator::DEPTH_TO_SPACE, Options(o)),
                     "block_size");
  }
  {
    OpCase c;
    c.In(kF32, {3, 2, 2, 1})
        .Const<int32_t>(kI32, {2}, {2, 2})
        .Const<int32_t>(kI32, {2, 2}, {0, 0, 0, 0})
        .Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::BATCH_TO_SPACE_ND),
                     "divisible");
  }
  {
    OpCase c;
    c.In(kF32, {1, 3, 2, 1})
        .Const<int32_t>(kI32, {2}, {2, 2})
        .Const<int32_t>(kI32, {2, 2}, {0, 0, 0, 0})
        .Out(kF32);
    ExpectEmberError(c.Build(fb::BuiltinOperator::SPACE_TO_BATCH_ND),
                     "divisible");
  }
}

}  // namespace
}  // namespace ember::testing
