// BATCH_MATMUL against LiteRT.
#include "ops/nn_test_util.h"

namespace ember {
namespace {

using testing::NnCase;
using testing::QuantSpec;

std::vector<uint8_t> MatMulModel(DataType in_t, DataType out_t,
                                 std::vector<int32_t> lhs_shape,
                                 std::vector<int32_t> rhs_shape, bool adj_x,
                                 bool adj_y, QuantSpec lq, QuantSpec rq,
                                 QuantSpec oq, bool rhs_constant = false,
                                 const NpyArray* rhs_data = nullptr,
                                 DataType rhs_t = DataType::kFloat32,
                                 bool asymmetric = false) {
  if (rhs_t == DataType::kFloat32) rhs_t = in_t;
  testing::ModelBuilder b;
  const int x = b.AddTensor(testing::ToFb(in_t), lhs_shape, "lhs", lq);
  const int y = rhs_constant
                    ? b.AddConstant(testing::ToFb(rhs_t), rhs_shape,
                                    rhs_data->data.data(),
                                    rhs_data->data.size(), "rhs", rq)
                    : b.AddTensor(testing::ToFb(rhs_t), rhs_shape, "rhs", rq);
  const int z = b.AddTensor(testing::ToFb(out_t), {1}, "out", oq);
  fb::BatchMatMulOptionsT o;
  o.adj_x = adj_x;
  o.adj_y = adj_y;
  o.asymmetric_quantize_inputs = asymmetric;
  b.AddOp(fb::BuiltinOperator::BATCH_MATMUL, {x, y}, {z},
          testing::MakeOptions(o));
  if (rhs_constant) {
    b.SetInputs({x});
  } else {
    b.SetInputs({x, y});
  }
  b.SetOutputs({z});
  return b.Build();
}

// Logical (batch..., rows, cols) shape stored transposed when adj is set.
std::vector<int32_t> Stored(std::vector<int32_t> s, bool adj) {
  if (adj) std::swap(s[s.size() - 1], s[s.size() - 2]);
  return s;
}

std::string ShapeStr(const std::vector<int32_t>& s) {
  std::string r = "[";
  for (int d : s) r += std::to_string(d) + ",";
  return r + "]";
}

TEST(BatchMatMul, MatchesLiteRt) {
  struct Pair {
    std::vector<int32_t> lhs, rhs;  // logical [..., M, K] and [..., K, N]
  };
  const Pair pairs[] = {
      {{2, 3}, {3, 4}},
      {{2, 3, 4}, {2, 4, 5}},
      {{1, 3, 4}, {2, 4, 5}},
      {{2, 1, 3, 4}, {3, 4, 2}},
      {{2, 1, 2, 3, 4}, {1, 3, 1, 4, 2}},
      {{4, 1, 17}, {17, 9}},
      {{3, 33, 16}, {16, 1}},
  };
  struct TypeCase {
    DataType in, out;
    QuantSpec lq, rq, oq;
  };
  const TypeCase types[] = {
      {DataType::kFloat32, DataType::kFloat32, {}, {}, {}},
      {DataType::kInt8,
       DataType::kInt8,
       {{0.05f}, {3}},
       {{0.02f}, {-7}},
       {{0.2f}, {-2}}},
      {DataType::kInt8,
       DataType::kInt8,
       {{0.5f}, {-128}},
       {{0.01f}, {0}},
       {{0.03f}, {10}}},
      {DataType::kInt8, DataType::kInt32, {{0.05f}, {3}}, {{0.02f}, {-7}}, {}},
      {DataType::kInt16,
       DataType::kInt16,
       {{0.001f}, {0}},
       {{0.002f}, {0}},
       {{0.05f}, {0}}},
  };
  std::vector<NnCase> cases;
  uint32_t seed = 1;
  for (const auto& t : types) {
    for (const auto& pr : pairs) {
      for (int adj = 0; adj < 4; ++adj) {
        const bool ax = adj & 1, ay = adj & 2;
        const auto ls = Stored(pr.lhs, ax), rs = Stored(pr.rhs, ay);
        NnCase c;
        c.name = std::string(DataTypeName(t.in)) + "->" + DataTypeName(t.out) +
                 " lhs=" + ShapeStr(ls) + " rhs=" + ShapeStr(rs) +
                 " adj_x=" + std::to_string(ax) +
                 " adj_y=" + std::to_string(ay);
        std::vector<int64_t> l64(ls.begin(), ls.end()),
            r64(rs.begin(), rs.end());
        const bool f = t.in == DataType::kFloat32;
        auto lhs = f ? testing::RandomArray(t.in, l64, seed++)
                     : testing::RandomArray(t.in, l64, seed++, 0, 0);
        auto rhs = f ? testing::RandomArray(t.in, r64, seed++)
                     : testing::RandomArray(t.in, r64, seed++, 0, 0);
        // Every other case has a constant rhs (weights), like real models.
        const bool constant = (seed / 2) % 2 == 0;
        c.model = MatMulModel(t.in, t.out, ls, rs, ax, ay, t.lq, t.rq, t.oq,
                              constant, &rhs);
        c.inputs = {lhs};
        if (!constant) c.inputs.push_back(rhs);
        if (f) c.rel_tol = 1e-5;
        cases.push_back(std::move(c));
      }
    }
  }
  testing::RunAndCompare(cases);
}

TEST(BatchMatMul, HybridMatchesLiteRt) {
  struct Pair {
    std::vector<int32_t> lhs, rhs;
  };
  const Pair pairs[] = {{{2, 3}, {3, 4}},
                        {{2, 3, 16}, {2, 16, 5}},
                        {{1, 3, 4}, {2, 4, 5}},
                        {{2, 1, 3, 4}, {3, 4, 2}}};
  std::vector<NnCase> cases;
  uint32_t seed = 300;
  for (bool asym : {false, true}) {
    for (const auto& pr : pairs) {
      for (int adj = 0; adj < 4; ++adj) {
        const bool ax = adj & 1, ay = adj & 2;
        const auto ls = Stored(pr.lhs, ax), rs = Stored(pr.rhs, ay);
        NnCase c;
        c.name = std::string("hybrid asym=") + std::to_string(asym) +
                 " lhs=" + ShapeStr(ls) + " rhs=" + ShapeStr(rs) +
                 " adj_x=" + std::to_string(ax) +
                 " adj_y=" + std::to_string(ay);
        std::vector<int64_t> l64(ls.begin(), ls.end()),
            r64(rs.begin(), rs.end());
        // Skewed lhs range so the asymmetric zero point is not trivial.
        auto lhs =
            testing::RandomArray(DataType::kFloat32, l64, seed++, -0.5f, 2.f);
        auto rhs =
            testing::RandomArray(DataType::kInt8, r64, seed++, -127.f, 127.f);
        c.model = MatMulModel(DataType::kFloat32, DataType::kFloat32, ls, rs,
                              ax, ay, {}, {{0.02f}, {0}}, {}, true, &rhs,
                              DataType::kInt8, asym);
        c.inputs = {lhs};
        c.rel_tol = 1e-5;
        // LiteRT's default path (XNNPACK) quantizes hybrid inputs its own
        // way; its reference kernel is the one TFLite semantics describe.
        c.force_reference = true;
        cases.push_back(std::move(c));
      }
    }
  }
  testing::RunAndCompare(cases);
}

TEST(BatchMatMul, RejectsBadModels) {
  const QuantSpec q{{0.1f}, {0}};
  auto f = [](std::vector<int64_t> s) {
    return testing::RandomArray(DataType::kFloat32, s, 1);
  };
  // Inner dims differ.
  testing::ExpectEmberError(
      MatMulModel(DataType::kFloat32, DataType::kFloat32, {2, 3}, {4, 5}, false,
                  false, {}, {}, {}),
      {f({2, 3}), f({4, 5})}, "inner dims");
  // Batch dims do not broadcast.
  testing::ExpectEmberError(
      MatMulModel(DataType::kFloat32, DataType::kFloat32, {2, 2, 3}, {3, 3, 5},
                  false, false, {}, {}, {}),
      {f({2, 2, 3}), f({3, 3, 5})}, "broadcast");
  // Rank 1.
  testing::ExpectEmberError(MatMulModel(DataType::kFloat32, DataType::kFloat32,
                                        {3}, {3, 5}, false, false, {}, {}, {}),
                            {f({3}), f({3, 5})}, "rank");
  // Missing quantization.
  testing::ExpectEmberError(
      MatMulModel(DataType::kInt8, DataType::kInt8, {2, 3}, {3, 5}, false,
                  false, q, {}, q),
      {testing::RandomArray(DataType::kInt8, {2, 3}, 1, 0, 0),
       testing::RandomArray(DataType::kInt8, {3, 5}, 1, 0, 0)},
      "quantization");
  // int16 with a zero point.
  testing::ExpectEmberError(
      MatMulModel(DataType::kInt16, DataType::kInt16, {2, 3}, {3, 5}, false,
                  false, {{0.1f}, {1}}, q, q),
      {testing::RandomArray(DataType::kInt16, {2, 3}, 1, 0, 0),
       testing::RandomArray(DataType::kInt16, {3, 5}, 1, 0, 0)},
      "zero points");
}

}  // namespace
}  // namespace ember
