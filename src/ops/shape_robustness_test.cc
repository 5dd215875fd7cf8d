// Hostile-input robustness for the shape family: random (often invalid)
// runtime index tensors and corrupted sparse structures must produce either
// a result or a clean error, never a crash or an out-of-bounds access (run
// under EMBER_SANITIZE to check the latter).
#include <gtest/gtest.h>

#include <random>

#include "ops/shape_test_util.h"

namespace ember::testing {
namespace {

std::vector<int32_t> RandomInts(std::mt19937& rng, size_t n, int lo, int hi) {
  std::vector<int32_t> v(n);
  for (auto& x : v) x = std::uniform_int_distribution<int>(lo, hi)(rng);
  return v;
}

TEST(ShapeOps, RandomRuntimeIndicesNeverCrash) {
  std::mt19937 rng(77);
  int ok = 0, rejected = 0;
  for (int iter = 0; iter < 60; ++iter) {
    const std::vector<int32_t> shape = {2, 3, 4};
    auto run = [&](OracleCase c) {
      const auto r = RunEmber(c.model, c.inputs);
      if (r.ok)
        ++ok;
      else
        ++rejected;
      if (!r.ok) EXPECT_FALSE(r.error.empty());
    };
    {
      OpCase c;
      c.In(kF32, shape)
          .InValues<int32_t>(kI32, {3}, RandomInts(rng, 3, -6, 6))
          .InValues<int32_t>(kI32, {3}, RandomInts(rng, 3, -6, 6))
          .InValues<int32_t>(kI32, {3}, RandomInts(rng, 3, -3, 3))
          .Out(kF32);
      fb::StridedSliceOptionsT o;
      o.begin_mask = rng() % 8;
      o.end_mask = rng() % 8;
      o.shrink_axis_mask = rng() % 8;
      o.new_axis_mask = rng() % 4;
      o.ellipsis_mask = (rng() % 3 == 0) ? 2 : 0;
      o.offset = rng() % 4 == 0;
      run(c.Build(fb::BuiltinOperator::STRIDED_SLICE, Options(o)));
    }
    {
      OpCase c;
      c.In(kF32, shape)
          .InValues<int32_t>(kI32, {3}, RandomInts(rng, 3, -2, 5))
          .InValues<int32_t>(kI32, {3}, RandomInts(rng, 3, -2, 5))
          .Out(kF32);
      run(c.Build(fb::BuiltinOperator::SLICE));
    }
    {
      OpCase c;
      c.In(kI8, shape)
          .InValues<int32_t>(kI32, {4}, RandomInts(rng, 4, -2, 5))
          .Out(kI8);
      fb::GatherOptionsT o;
      o.axis = static_cast<int>(rng() % 3);
      run(c.Build(fb::BuiltinOperator::GATHER, Options(o)));
    }
    {
      OpCase c;
      c.In(kF32, shape)
          .InValues<int32_t>(kI32, {2, 2}, RandomInts(rng, 4, -1, 4))
          .Out(kF32);
      run(c.Build(fb::BuiltinOperator::GATHER_ND));
    }
    {
      OpCase c;
      c.In(kF32, shape)
          .InValues<int32_t>(kI32, {3, 2}, RandomInts(rng, 6, -2, 4))
          .Out(kF32);
      fb::MirrorPadOptionsT o;
      o.mode =
          rng() % 2 ? fb::MirrorPadMode::REFLECT : fb::MirrorPadMode::SYMMETRIC;
      run(c.Build(fb::BuiltinOperator::MIRROR_PAD, Options(o)));
    }
    {
      OpCase c;
      c.In(kF32, shape)
          .InValues<int32_t>(kI32, {3, 2}, RandomInts(rng, 6, -2, 4))
          .Out(kF32);
      run(c.Build(fb::BuiltinOperator::PAD));
    }
    {
      OpCase c;
      c.In(kF32, shape)
          .InValues<int32_t>(kI32, {3}, RandomInts(rng, 3, -1, 3))
          .Out(kF32);
      run(c.Build(fb::BuiltinOperator::TILE));
    }
    {
      OpCase c;
      c.In(kF32, shape)
          .InValues<int32_t>(kI32, {3}, RandomInts(rng, 3, -4, 4))
          .Out(kF32);
      run(c.Build(fb::BuiltinOperator::TRANSPOSE));
    }
    {
      OpCase c;
      c.In(kF32, shape)
          .InValues<int32_t>(kI32, {3}, RandomInts(rng, 3, -2, 24))
          .Out(kF32);
      run(c.Build(fb::BuiltinOperator::RESHAPE));
    }
    {
      OpCase c;
      c.In(kF32, {4, 2, 3, 1})
          .InValues<int32_t>(kI32, {2}, RandomInts(rng, 2, -1, 3))
          .InValues<int32_t>(kI32, {2, 2}, RandomInts(rng, 4, -1, 3))
          .Out(kF32);
      run(c.Build(rng() % 2 ? fb::BuiltinOperator::BATCH_TO_SPACE_ND
                            : fb::BuiltinOperator::SPACE_TO_BATCH_ND));
    }
    {
      OpCase c;
      c.In(kF32, {1, 3, 3, 2})
          .InValues<int32_t>(kI32, {2}, RandomInts(rng, 2, -1, 7))
          .Out(kF32);
      run(c.Build(fb::BuiltinOperator::RESIZE_BILINEAR,
                  Options(fb::ResizeBilinearOptionsT())));
    }
    {
      OpCase c;
      c.In(kF32, shape)
          .InValues<int32_t>(kI32, {}, RandomInts(rng, 1, -4, 4))
          .Out(kI32);
      run(c.Build(fb::BuiltinOperator::ARG_MAX));
    }
    {
      OpCase c;
      c.In(kF32, shape)
          .InValues<int32_t>(kI32, {2}, RandomInts(rng, 2, -2, 4))
          .InValues<int32_t>(kI32, {}, RandomInts(rng, 1, -3, 3))
          .Out(kF32)
          .Out(kF32);
      fb::SplitVOptionsT o;
      o.num_splits = 2;
      run(c.Build(fb::BuiltinOperator::SPLIT_V, Options(o)));
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(rejected, 0);
}

fb::SparseIndexVectorUnion Int32Vec(std::vector<int32_t> v) {
  fb::SparseIndexVectorUnion u;
  fb::Int32VectorT t;
  t.values = std::move(v);
  u.Set(std::move(t));
  return u;
}

// Random sparse descriptions around a valid 4x6 CSR matrix.
TEST(ShapeOps, DensifyRandomCorruptionNeverCrashes) {
  std::mt19937 rng(99);
  int ok = 0, rejected = 0;
  for (int iter = 0; iter < 300; ++iter) {
    auto sp = std::make_unique<fb::SparsityParametersT>();
    sp->traversal_order = {0, 1};
    auto m0 = std::make_unique<fb::DimensionMetadataT>();
    m0->format = fb::DimensionType::DENSE;
    m0->dense_size = 4;
    auto m1 = std::make_unique<fb::DimensionMetadataT>();
    m1->format = fb::DimensionType::SPARSE_CSR;
    std::vector<int32_t> seg = {0, 2, 3, 3, 5}, idx = {0, 4, 2, 1, 5};
    // Corrupt a few entries or the lengths.
    const int edits = static_cast<int>(rng() % 3) + 1;
    for (int e = 0; e < edits; ++e) {
      switch (rng() % 5) {
        case 0:
          seg[rng() % seg.size()] = static_cast<int32_t>(rng() % 12) - 3;
          break;
        case 1:
          idx[rng() % idx.size()] = static_cast<int32_t>(rng() % 12) - 3;
          break;
        case 2:
          if (!seg.empty()) seg.pop_back();
          break;
        case 3:
          idx.push_back(static_cast<int32_t>(rng() % 8));
          break;
        default:
          m0->dense_size = static_cast<int32_t>(rng() % 7) - 1;
          break;
      }
    }
    m1->array_segments = Int32Vec(seg);
    m1->array_indices = Int32Vec(idx);
    sp->dim_metadata.push_back(std::move(m0));
    sp->dim_metadata.push_back(std::move(m1));
    const int nvalues = static_cast<int>(rng() % 8);
    std::vector<float> values(nvalues, 1.5f);
    ModelBuilder b;
    const int in = b.AddConstant<float>(kF32, {4, 6}, values, "sparse");
    b.tensor(in).sparsity = std::move(sp);
    const int out = b.AddTensor(kF32, {4, 6}, "dense");
    b.AddOp(fb::BuiltinOperator::DENSIFY, {in}, {out});
    b.SetInputs({});
    b.SetOutputs({out});
    const auto r = RunEmber(b.Build(), {});
    if (r.ok) {
      ++ok;
      EXPECT_EQ(r.outputs[0].data.size(), 4u * 6u * 4u);
    } else {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
  (void)ok;
}

}  // namespace
}  // namespace ember::testing
