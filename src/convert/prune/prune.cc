#include "convert/prune/prune.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace ember::prune {
namespace {

// The weights of one layer seen as a matrix [rows (out), cols (in)] and the
// block grid over it.
struct BlockGrid {
  int32_t rows = 0, cols = 0;
  int32_t block_rows = 1, block_cols = 1;
  int32_t grid_rows() const { return rows / block_rows; }
  int32_t grid_cols() const { return cols / block_cols; }
  template <typename F>
  void ForEachIn(int32_t br, int32_t bc, F&& f) const {
    for (int32_t i = 0; i < block_rows; ++i)
      for (int32_t j = 0; j < block_cols; ++j)
        f(static_cast<int64_t>(br * block_rows + i) * cols + bc * block_cols +
          j);
  }
};

// Zeroes the fraction `sparsity` of blocks with the smallest norm.
void PruneBlocks(const BlockGrid& g, double sparsity, BlockNorm norm,
                 float* w) {
  const int64_t blocks = static_cast<int64_t>(g.grid_rows()) * g.grid_cols();
  std::vector<double> norms(static_cast<size_t>(blocks));
  for (int64_t b = 0; b < blocks; ++b) {
    double sum = 0.0;
    g.ForEachIn(static_cast<int32_t>(b / g.grid_cols()),
                static_cast<int32_t>(b % g.grid_cols()), [&](int64_t i) {
                  sum += norm == BlockNorm::kL2
                             ? static_cast<double>(w[i]) * w[i]
                             : std::fabs(static_cast<double>(w[i]));
                });
    norms[static_cast<size_t>(b)] = sum;
  }
  const int64_t drop = static_cast<int64_t>(
      std::llround(sparsity * static_cast<double>(blocks)));
  if (drop <= 0) return;
  std::vector<int64_t> order(static_cast<size_t>(blocks));
  std::iota(order.begin(), order.end(), 0);
  // Ties broken by position so that the result does not depend on the
  // standard library's selection algorithm.
  std::nth_element(order.begin(), order.begin() + (drop - 1), order.end(),
                   [&](int64_t a, int64_t b) {
                     return norms[a] != norms[b] ? norms[a] < norms[b] : a < b;
                   });
  for (int64_t k = 0; k < drop; ++k) {
    const int64_t b = order[static_cast<size_t>(k)];
    g.ForEachIn(static_cast<int32_t>(b / g.grid_cols()),
                static_cast<int32_t>(b % g.grid_cols()),
                [&](int64_t i) { w[i] = 0.0f; });
  }
}

// A SPARSE_CSR index array in the smallest type that holds `max_value`.
fb::SparseIndexVectorUnion IndexVector(const std::vector<int32_t>& values) {
  const int32_t max_value =
      values.empty() ? 0 : *std::max_element(values.begin(), values.end());
  fb::SparseIndexVectorUnion u;
  if (max_value <= 0xff) {
    fb::Uint8VectorT v;
    v.values.assign(values.begin(), values.end());
    u.Set(std::move(v));
  } else if (max_value <= 0xffff) {
    fb::Uint16VectorT v;
    v.values.assign(values.begin(), values.end());
    u.Set(std::move(v));
  } else {
    fb::Int32VectorT v;
    v.values = values;
    u.Set(std::move(v));
  }
  return u;
}

// Encodes pruned weights of shape `dims` ([O, I] or [O, 1, 1, I]) in the
// .tflite sparsity format: levels for the original dims in order (the
// blocked one counted in blocks), the last one SPARSE_CSR over blocks, then
// one DENSE level for the block's extent. Returns the stored values.
std::vector<float> EncodeSparse(const BlockGrid& g,
                                const std::vector<int32_t>& dims,
                                const float* w, fb::SparsityParametersT* sp) {
  const int32_t rank = static_cast<int32_t>(dims.size());
  const bool blocked = g.block_rows * g.block_cols > 1;
  const int32_t block_dim = g.block_rows > 1 ? 0 : rank - 1;
  const int32_t block_size = std::max(g.block_rows, g.block_cols);
  for (int32_t d = 0; d < rank; ++d) sp->traversal_order.push_back(d);
  if (blocked) {
    sp->traversal_order.push_back(rank);
    sp->block_map.push_back(block_dim);
  }
  std::vector<int32_t> segments{0}, indices;
  std::vector<float> values;
  for (int32_t br = 0; br < g.grid_rows(); ++br) {
    for (int32_t bc = 0; bc < g.grid_cols(); ++bc) {
      bool nonzero = false;
      g.ForEachIn(br, bc, [&](int64_t i) { nonzero |= w[i] != 0.0f; });
      if (!nonzero) continue;
      indices.push_back(bc);
      g.ForEachIn(br, bc, [&](int64_t i) { values.push_back(w[i]); });
    }
    segments.push_back(static_cast<int32_t>(indices.size()));
  }
  for (int32_t d = 0; d < rank; ++d) {
    auto level = std::make_unique<fb::DimensionMetadataT>();
    const int32_t extent =
        blocked && d == block_dim ? dims[d] / block_size : dims[d];
    if (d == rank - 1) {
      level->format = fb::DimensionType::SPARSE_CSR;
      level->array_segments = IndexVector(segments);
      level->array_indices = IndexVector(indices);
    } else {
      level->format = fb::DimensionType::DENSE;
      level->dense_size = extent;
    }
    sp->dim_metadata.push_back(std::move(level));
  }
  if (blocked) {
    auto level = std::make_unique<fb::DimensionMetadataT>();
    level->format = fb::DimensionType::DENSE;
    level->dense_size = block_size;
    sp->dim_metadata.push_back(std::move(level));
  }
  return values;
}

int32_t OpCodeIndex(fb::ModelT* model, fb::BuiltinOperator op) {
  for (size_t i = 0; i < model->operator_codes.size(); ++i) {
    const fb::OperatorCodeT& code = *model->operator_codes[i];
    if (std::max(code.builtin_code, static_cast<fb::BuiltinOperator>(
                                        code.deprecated_builtin_code)) == op)
      return static_cast<int32_t>(i);
  }
  auto code = std::make_unique<fb::OperatorCodeT>();
  code->builtin_code = op;
  code->deprecated_builtin_code =
      static_cast<int8_t>(std::min(127, static_cast<int>(op)));
  code->version = 1;
  model->operator_codes.push_back(std::move(code));
  return static_cast<int32_t>(model->operator_codes.size() - 1);
}

fb::BuiltinOperator BuiltinOf(const fb::ModelT& model,
                              const fb::OperatorT& op) {
  if (op.opcode_index >= model.operator_codes.size())
    return fb::BuiltinOperator::CUSTOM;
  const fb::OperatorCodeT& code = *model.operator_codes[op.opcode_index];
  // Older files keep the code only in the deprecated (int8) field.
  return std::max(code.builtin_code, static_cast<fb::BuiltinOperator>(
                                         code.deprecated_builtin_code));
}

// How many tensors (over all subgraphs) use each buffer.
std::vector<int32_t> BufferUses(const fb::ModelT& model) {
  std::vector<int32_t> uses(model.buffers.size(), 0);
  for (const auto& sg : model.subgraphs)
    for (const auto& t : sg->tensors)
      if (t->buffer < uses.size()) ++uses[t->buffer];
  return uses;
}

// The weight matrix view of an eligible layer's weights, or false.
bool EligibleWeights(const fb::ModelT& model, const fb::OperatorT& op,
                     fb::BuiltinOperator code, const fb::SubGraphT& sg,
                     int32_t* tensor_index) {
  if (op.inputs.size() < 2) return false;
  const int32_t w = op.inputs[1];
  if (w < 0 || static_cast<size_t>(w) >= sg.tensors.size()) return false;
  const fb::TensorT& t = *sg.tensors[w];
  if (t.type != fb::TensorType::FLOAT32 || t.sparsity != nullptr) return false;
  if (t.buffer >= model.buffers.size()) return false;
  const size_t count =
      std::accumulate(t.shape.begin(), t.shape.end(), size_t{1},
                      [](size_t a, int32_t d) { return a * std::max(d, 0); });
  if (count == 0 ||
      model.buffers[t.buffer]->data.size() != count * sizeof(float))
    return false;
  if (code == fb::BuiltinOperator::CONV_2D) {
    if (t.shape.size() != 4 || t.shape[1] != 1 || t.shape[2] != 1) return false;
  } else if (t.shape.size() != 2) {
    return false;
  }
  *tensor_index = w;
  return true;
}

}  // namespace

bool ParseBlockShape(const std::string& text, BlockShape* block) {
  if (text == "1x4")
    *block = BlockShape::k1x4;
  else if (text == "4x1")
    *block = BlockShape::k4x1;
  else if (text == "none")
    *block = BlockShape::kNone;
  else
    return false;
  return true;
}

const char* BlockShapeName(BlockShape block) {
  switch (block) {
    case BlockShape::k1x4:
      return "1x4";
    case BlockShape::k4x1:
      return "4x1";
    case BlockShape::kNone:
      return "1x1";
  }
  return "?";
}

bool PruneModel(fb::ModelT* model, const PruneOptions& options,
                std::vector<LayerReport>* layers, convert::Diagnostics* diag) {
  if (!(options.sparsity >= 0.0 && options.sparsity < 1.0)) {
    diag->errors.push_back("sparsity must be in [0, 1), got " +
                           std::to_string(options.sparsity));
    return false;
  }
  // Weight tensors that become DENSIFY outputs point at an empty buffer
  // (buffer 0 by convention; a new one if a file put data there).
  uint32_t empty_buffer = 0;
  if (model->buffers.empty() || !model->buffers[0]->data.empty()) {
    model->buffers.push_back(std::make_unique<fb::BufferT>());
    empty_buffer = static_cast<uint32_t>(model->buffers.size() - 1);
  }
  const int32_t densify_code = OpCodeIndex(model, fb::BuiltinOperator::DENSIFY);
  std::vector<int32_t> uses = BufferUses(*model);
  for (size_t si = 0; si < model->subgraphs.size(); ++si) {
    fb::SubGraphT& sg = *model->subgraphs[si];
    std::vector<std::unique_ptr<fb::OperatorT>> densify_ops;
    std::vector<bool> done(sg.tensors.size(), false);
    for (size_t oi = 0; oi < sg.operators.size(); ++oi) {
      const fb::OperatorT& op = *sg.operators[oi];
      const fb::BuiltinOperator code = BuiltinOf(*model, op);
      if (code != fb::BuiltinOperator::CONV_2D &&
          code != fb::BuiltinOperator::FULLY_CONNECTED)
        continue;
      int32_t wi = -1;
      if (!EligibleWeights(*model, op, code, sg, &wi) || done[wi]) continue;
      done[wi] = true;
      fb::TensorT& t = *sg.tensors[wi];
      BlockGrid g;
      g.rows = t.shape[0];
      g.cols = t.shape.back();
      BlockShape block = options.block;
      if ((block == BlockShape::k1x4 && g.cols % 4 != 0) ||
          (block == BlockShape::k4x1 && g.rows % 4 != 0)) {
        diag->notes.push_back("tensor '" + t.name +
                              "': channels not a multiple of 4, "
                              "pruned as single weights");
        block = BlockShape::kNone;
      }
      if (block == BlockShape::k1x4) g.block_cols = 4;
      if (block == BlockShape::k4x1) g.block_rows = 4;
      // The weights, pruned in a copy (the buffer may be unaligned).
      std::vector<uint8_t>& bytes = model->buffers[t.buffer]->data;
      std::vector<float> w(bytes.size() / sizeof(float));
      std::memcpy(w.data(), bytes.data(), bytes.size());
      PruneBlocks(g, options.sparsity, options.norm, w.data());
      auto sp = std::make_unique<fb::SparsityParametersT>();
      const std::vector<float> values =
          EncodeSparse(g, t.shape, w.data(), sp.get());
      // The sparse constant: a new tensor and buffer feeding DENSIFY, whose
      // output is the original (now non-constant) weight tensor.
      auto buffer = std::make_unique<fb::BufferT>();
      buffer->data.resize(values.size() * sizeof(float));
      if (!values.empty())
        std::memcpy(buffer->data.data(), values.data(), buffer->data.size());
      model->buffers.push_back(std::move(buffer));
      auto sparse = std::make_unique<fb::TensorT>();
      sparse->name = t.name + "/sparse";
      sparse->type = fb::TensorType::FLOAT32;
      sparse->shape = t.shape;
      sparse->buffer = static_cast<uint32_t>(model->buffers.size() - 1);
      sparse->sparsity = std::move(sp);
      sg.tensors.push_back(std::move(sparse));
      const int32_t sparse_index = static_cast<int32_t>(sg.tensors.size() - 1);
      fb::TensorT& dense = *sg.tensors[wi];
      if (uses[dense.buffer] == 1) {
        model->buffers[dense.buffer]->data.clear();
        model->buffers[dense.buffer]->data.shrink_to_fit();
      }
      --uses[dense.buffer];
      dense.buffer = empty_buffer;
      auto densify = std::make_unique<fb::OperatorT>();
      densify->opcode_index = static_cast<uint32_t>(densify_code);
      densify->inputs = {sparse_index};
      densify->outputs = {wi};
      densify_ops.push_back(std::move(densify));
      LayerReport r;
      r.subgraph = static_cast<int32_t>(si);
      r.op_index = static_cast<int32_t>(oi);
      r.op =
          code == fb::BuiltinOperator::CONV_2D ? "CONV_2D" : "FULLY_CONNECTED";
      r.tensor = dense.name;
      r.shape = dense.shape;
      r.block = BlockShapeName(block);
      r.weights = static_cast<int64_t>(w.size());
      r.zeros = std::count(w.begin(), w.end(), 0.0f);
      r.stored_values = static_cast<int64_t>(values.size());
      layers->push_back(std::move(r));
    }
    // DENSIFY ops run first (their inputs are constants).
    sg.operators.insert(sg.operators.begin(),
                        std::make_move_iterator(densify_ops.begin()),
                        std::make_move_iterator(densify_ops.end()));
  }
  if (layers->empty()) {
    // Leave no unused DENSIFY op code behind (the model is not written).
    diag->errors.push_back(
        "no prunable layer: pruning needs CONV_2D with a 1x1 float32 constant "
        "filter or FULLY_CONNECTED with float32 constant weights");
    return false;
  }
  return true;
}

}  // namespace ember::prune
