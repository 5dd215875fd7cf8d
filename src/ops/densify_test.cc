// DENSIFY: sparse constants encoded here (CSR, multi-level, block sparse,
// permuted traversal) must expand to the original dense tensor, in Ember and
// in LiteRT; malformed sparse structures must be rejected cleanly.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <memory>

#include "ops/shape_test_util.h"
#include "util/shared_models.h"

namespace ember::testing {
namespace {

struct SparseSpec {
  std::vector<int32_t> dims;
  std::vector<int32_t> order;      // traversal order over expanded dims
  std::vector<int32_t> block_map;  // block dim -> original dim
  std::vector<int32_t> block_sizes;
  std::vector<bool> sparse;  // per level
  fb::SparseIndexVector index_type = fb::SparseIndexVector::Uint8Vector;
};

fb::SparseIndexVectorUnion MakeVector(fb::SparseIndexVector type,
                                      const std::vector<int32_t>& v) {
  fb::SparseIndexVectorUnion u;
  if (type == fb::SparseIndexVector::Int32Vector) {
    fb::Int32VectorT t;
    t.values = v;
    u.Set(std::move(t));
  } else if (type == fb::SparseIndexVector::Uint16Vector) {
    fb::Uint16VectorT t;
    t.values.assign(v.begin(), v.end());
    u.Set(std::move(t));
  } else {
    fb::Uint8VectorT t;
    t.values.assign(v.begin(), v.end());
    u.Set(std::move(t));
  }
  return u;
}

// Encodes `dense` (row-major, elem_size bytes each, zero = all bytes zero).
std::unique_ptr<fb::SparsityParametersT> Encode(
    const SparseSpec& s, const std::vector<uint8_t>& dense, size_t es,
    std::vector<uint8_t>* values) {
  const int rank = static_cast<int>(s.dims.size());
  const int n = static_cast<int>(s.order.size());
  std::vector<int32_t> bs(rank, 1), esize(n);
  for (size_t b = 0; b < s.block_map.size(); ++b)
    bs[s.block_map[b]] = s.block_sizes[b];
  for (int d = 0; d < rank; ++d) esize[d] = s.dims[d] / bs[d];
  for (size_t b = 0; b < s.block_map.size(); ++b)
    esize[rank + b] = s.block_sizes[b];
  auto flat = [&](const std::vector<int32_t>& ex) {
    int64_t f = 0;
    for (int d = 0; d < rank; ++d) {
      int32_t idx = ex[d] * bs[d];
      for (size_t b = 0; b < s.block_map.size(); ++b)
        if (s.block_map[b] == d) idx += ex[rank + b];
      f = f * s.dims[d] + idx;
    }
    return f;
  };
  auto nonzero_at = [&](int64_t f) {
    for (size_t k = 0; k < es; ++k)
      if (dense[f * es + k]) return true;
    return false;
  };
  std::function<bool(int, std::vector<int32_t>&)> any;
  any = [&](int level, std::vector<int32_t>& ex) -> bool {
    if (level == n) return nonzero_at(flat(ex));
    const int e = s.order[level];
    for (int32_t i = 0; i < esize[e]; ++i) {
      ex[e] = i;
      if (any(level + 1, ex)) return true;
    }
    return false;
  };
  std::vector<std::vector<int32_t>> seg(n), idx(n);
  for (int i = 0; i < n; ++i)
    if (s.sparse[i]) seg[i].push_back(0);
  std::function<void(int, std::vector<int32_t>&)> walk;
  walk = [&](int level, std::vector<int32_t>& ex) {
    if (level == n) {
      const int64_t f = flat(ex);
      values->insert(values->end(), dense.begin() + f * es,
                     dense.begin() + (f + 1) * es);
      return;
    }
    const int e = s.order[level];
    for (int32_t i = 0; i < esize[e]; ++i) {
      ex[e] = i;
      if (s.sparse[level]) {
        std::vector<int32_t> copy = ex;
        if (!any(level + 1, copy)) continue;
        idx[level].push_back(i);
      }
      walk(level + 1, ex);
    }
    if (s.sparse[level])
      seg[level].push_back(static_cast<int32_t>(idx[level].size()));
  };
  std::vector<int32_t> ex(n, 0);
  walk(0, ex);
  auto sp = std::make_unique<fb::SparsityParametersT>();
  sp->traversal_order = s.order;
  sp->block_map = s.block_map;
  for (int i = 0; i < n; ++i) {
    auto m = std::make_unique<fb::DimensionMetadataT>();
    if (s.sparse[i]) {
      m->format = fb::DimensionType::SPARSE_CSR;
      m->array_segments = MakeVector(s.index_type, seg[i]);
      m->array_indices = MakeVector(s.index_type, idx[i]);
    } else {
      m->format = fb::DimensionType::DENSE;
      m->dense_size = esize[s.order[i]];
    }
    sp->dim_metadata.push_back(std::move(m));
  }
  return sp;
}

// Random dense data with roughly `zero_percent` zeros.
std::vector<uint8_t> SparseData(fb::TensorType type, int64_t count,
                                uint32_t seed) {
  const size_t es = DataTypeSize(ToDataType(type));
  std::vector<uint8_t> d(count * es, 0);
  uint32_t x = seed * 2654435761u + 1;
  for (int64_t i = 0; i < count; ++i) {
    x = x * 1664525u + 1013904223u;
    if ((x >> 24) % 100 < 60) continue;  // zero
    for (size_t k = 0; k < es; ++k)
      d[i * es + k] = static_cast<uint8_t>(1 + ((x >> (8 * k)) & 0x3f));
  }
  return d;
}

OracleCase DensifyModel(
    const SparseSpec& s, fb::TensorType type, const std::vector<uint8_t>& dense,
    std::unique_ptr<fb::SparsityParametersT>* sp_out = nullptr) {
  const size_t es = DataTypeSize(ToDataType(type));
  std::vector<uint8_t> values;
  auto sp = Encode(s, dense, es, &values);
  if (sp_out) {
    *sp_out = std::move(sp);
    return {};
  }
  ModelBuilder b;
  const int in =
      b.AddConstant(type, s.dims, values.data(), values.size(), "sparse");
  b.tensor(in).sparsity = std::move(sp);
  const int out = b.AddTensor(type, s.dims, "dense");
  b.AddOp(fb::BuiltinOperator::DENSIFY, {in}, {out});
  b.SetInputs({});
  b.SetOutputs({out});
  return OracleCase{b.Build(), {}};
}

std::vector<SparseSpec> Specs() {
  using V = fb::SparseIndexVector;
  return {
      {{4, 6}, {0, 1}, {}, {}, {false, true}, V::Uint8Vector},
      {{4, 6}, {0, 1}, {}, {}, {true, true}, V::Uint16Vector},
      {{4, 6}, {1, 0}, {}, {}, {false, true}, V::Int32Vector},
      {{8, 1, 1, 32},
       {0, 1, 2, 3},
       {},
       {},
       {false, false, false, true},
       V::Uint8Vector},
      {{4, 8},
       {0, 1, 2, 3},
       {0, 1},
       {2, 2},
       {false, true, false, false},
       V::Uint8Vector},
      {{4, 8}, {0, 1, 2}, {1}, {4}, {false, true, false}, V::Int32Vector},
      {{3, 4, 5}, {2, 0, 1}, {}, {}, {false, true, true}, V::Uint16Vector},
  };
}

TEST(ShapeOps, DensifyMatchesDenseAndLiteRt) {
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  std::vector<std::vector<uint8_t>> expected;
  std::vector<fb::TensorType> types;
  uint32_t seed = 1;
  for (const auto& s : Specs()) {
    for (auto t : {fb::TensorType::FLOAT32, fb::TensorType::FLOAT16,
                   fb::TensorType::INT8}) {
      int64_t count = 1;
      for (int32_t d : s.dims) count *= d;
      const auto dense = SparseData(t, count, seed++);
      cases.push_back(DensifyModel(s, t, dense));
      expected.push_back(dense);
      labels.push_back("densify spec " + std::to_string(cases.size() / 3) +
                       " " + fb::EnumNameTensorType(t));
    }
  }
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto ours = RunEmber(cases[i].model, cases[i].inputs);
    ASSERT_TRUE(ours.ok) << labels[i] << ": " << ours.error;
    EXPECT_EQ(ours.outputs[0].data, expected[i]) << labels[i];
  }
  ExpectAllMatch(cases, labels);
}

// Builds the model, then lets `corrupt` damage the sparsity description.
OracleCase Corrupted(
    const std::function<void(fb::SparsityParametersT&)>& corrupt,
    int drop_values = 0) {
  SparseSpec s{{4, 6}, {0, 1},        {},
               {},     {false, true}, fb::SparseIndexVector::Int32Vector};
  const auto dense = SparseData(fb::TensorType::FLOAT32, 24, 7);
  std::vector<uint8_t> values;
  auto sp = Encode(s, dense, 4, &values);
  corrupt(*sp);
  values.resize(values.size() - 4 * drop_values);
  ModelBuilder b;
  const int in =
      b.AddConstant(kF32, s.dims, values.data(), values.size(), "sparse");
  b.tensor(in).sparsity = std::move(sp);
  const int out = b.AddTensor(kF32, s.dims, "dense");
  b.AddOp(fb::BuiltinOperator::DENSIFY, {in}, {out});
  b.SetInputs({});
  b.SetOutputs({out});
  return OracleCase{b.Build(), {}};
}

std::vector<int32_t>& Indices(fb::SparsityParametersT& sp) {
  return sp.dim_metadata[1]->array_indices.AsInt32Vector()->values;
}
std::vector<int32_t>& Segments(fb::SparsityParametersT& sp) {
  return sp.dim_metadata[1]->array_segments.AsInt32Vector()->values;
}

TEST(ShapeOps, DensifyRejectsMalformedSparsity) {
  ExpectEmberError(Corrupted([](auto& sp) { Indices(sp)[0] = 6; }), "outside");
  ExpectEmberError(Corrupted([](auto& sp) { Indices(sp)[1] = -1; }), "outside");
  ExpectEmberError(
      Corrupted([](auto& sp) { std::swap(Segments(sp)[1], Segments(sp)[2]); }),
      "decrease");
  ExpectEmberError(Corrupted([](auto& sp) { Segments(sp).back() += 1; }),
                   "indices");
  ExpectEmberError(Corrupted([](auto& sp) { Segments(sp).pop_back(); }),
                   "segments for");
  ExpectEmberError(Corrupted([](auto& sp) { Segments(sp)[0] = 1; }),
                   "start at 0");
  ExpectEmberError(Corrupted([](auto&) {}, 1), "structure has");
  ExpectEmberError(Corrupted([](auto& sp) {
                     sp.traversal_order = {1, 1};
                   }),
                   "traversal_order");
  ExpectEmberError(
      Corrupted([](auto& sp) { sp.dim_metadata[0]->dense_size = 5; }),
      "dense_size");
  ExpectEmberError(Corrupted([](auto& sp) { sp.dim_metadata.pop_back(); }),
                   "inconsistent");
  ExpectEmberError(Corrupted([](auto& sp) {
                     sp.block_map = {3};
                     sp.traversal_order.push_back(2);
                     auto m = std::make_unique<fb::DimensionMetadataT>();
                     m->dense_size = 2;
                     sp.dim_metadata.push_back(std::move(m));
                   }),
                   "block_map");
  ExpectEmberError(Corrupted([](auto& sp) {
                     sp.dim_metadata[1]->array_indices =
                         fb::SparseIndexVectorUnion();
                   }),
                   "array_indices");
}

// Every sparse weight of MediaPipe's face_detection_full_range_sparse model
// (float16, CSR on the last dim), densified in Ember and in LiteRT.
TEST(ShapeOps, DensifyFaceDetectionSparseWeights) {
  EMBER_SKIP_WITHOUT_SHARED_MODELS();
  const std::string path = testing::SharedModelsDir() +
                           "/mediapipe/face_detection_full_range_sparse.tflite";
  std::ifstream f(path, std::ios::binary);
  ASSERT_TRUE(f.good()) << "missing model " << path;
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)),
                                   std::istreambuf_iterator<char>());
  auto model = fb::UnPackModel(bytes.data());
  ASSERT_TRUE(model);
  const auto& sg = *model->subgraphs[0];
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  for (const auto& t : sg.tensors) {
    if (!t->sparsity) continue;
    const auto& data = model->buffers[t->buffer]->data;
    ModelBuilder b;
    const int in =
        b.AddConstant(t->type, t->shape, data.data(), data.size(), t->name);
    b.tensor(in).sparsity =
        std::make_unique<fb::SparsityParametersT>(*t->sparsity);
    const int out = b.AddTensor(t->type, t->shape, "dense");
    b.AddOp(fb::BuiltinOperator::DENSIFY, {in}, {out});
    b.SetInputs({});
    b.SetOutputs({out});
    cases.push_back(OracleCase{b.Build(), {}});
    labels.push_back(t->name);
  }
  ASSERT_EQ(cases.size(), 46u);
  ExpectAllMatch(cases, labels);
}

}  // namespace
}  // namespace ember::testing
