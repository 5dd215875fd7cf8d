// Magnitude pruning of float weights (`ember prune`): the constant weights
// of 1x1 CONV_2D and FULLY_CONNECTED layers lose the blocks with the
// smallest norm, and are stored with the .tflite sparsity encoding
// (SparsityParameters: traversal order, block map, DENSE / SPARSE_CSR
// levels) behind a DENSIFY op, which is how LiteRT reads sparse weights.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convert/convert.h"
#include "schema/schema_generated.h"

namespace ember::prune {

// Shape of the unit that is kept or removed, over the weight matrix
// [output channels, input channels].
enum class BlockShape {
  k1x4,  // four consecutive input channels of one output channel
  k4x1,  // four consecutive output channels at one input channel
  kNone  // single weights
};

enum class BlockNorm { kL2, kL1 };

struct PruneOptions {
  double sparsity = 0.0;  // fraction of blocks set to zero, in [0, 1)
  BlockShape block = BlockShape::k1x4;
  BlockNorm norm = BlockNorm::kL2;
};

struct LayerReport {
  int32_t subgraph = 0;
  int32_t op_index = 0;
  std::string op;      // "CONV_2D" / "FULLY_CONNECTED"
  std::string tensor;  // weight tensor name
  std::vector<int32_t> shape;
  std::string block;  // block shape used ("1x4", "4x1", "1x1")
  int64_t weights = 0;
  int64_t zeros = 0;          // zero weights after pruning
  int64_t stored_values = 0;  // values kept in the sparse encoding
  double sparsity() const {
    return weights ? static_cast<double>(zeros) / static_cast<double>(weights)
                   : 0.0;
  }
};

// Parses "1x4" / "4x1" / "none"; false for anything else.
bool ParseBlockShape(const std::string& text, BlockShape* block);
const char* BlockShapeName(BlockShape block);

// Prunes every eligible layer of `model` in place: float32 constant
// weights, CONV_2D with a [O, 1, 1, I] filter or FULLY_CONNECTED with
// [O, I] weights. A layer whose channel count does not divide by the
// block falls back to single weights (noted in the report and the
// diagnostics). Errors: sparsity outside [0, 1), no eligible layer.
bool PruneModel(fb::ModelT* model, const PruneOptions& options,
                std::vector<LayerReport>* layers, convert::Diagnostics* diag);

}  // namespace ember::prune
