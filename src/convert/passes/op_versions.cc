// Lowest operator versions (after LiteRT's versioning rules, for the float32
// features we can judge): a model converted here then loads in older
// runtimes too. Ops with quantized or other non-float data keep the version
// they have, since their rules depend on details not modelled here.
#include <algorithm>

#include "convert/passes/pass_util.h"
#include "convert/passes/passes.h"

namespace ember::convert::passes {
namespace {

using Op = fb::BuiltinOperator;
using TT = fb::TensorType;

// The version `op` needs, or 0 when this pass does not know.
int MinVersion(const fb::ModelT& m, const fb::SubGraphT& sg,
               const fb::OperatorT& op) {
  auto type = [&](int32_t t) {
    return t >= 0 ? sg.tensors[t]->type : TT::FLOAT32;
  };
  auto rank = [&](int32_t t) {
    return t >= 0 ? static_cast<int>(sg.tensors[t]->shape.size()) : 0;
  };
  bool all_float = true;
  for (int32_t t : op.outputs) all_float = all_float && type(t) == TT::FLOAT32;
  if (!op.inputs.empty())
    all_float = all_float && type(op.inputs[0]) == TT::FLOAT32;
  for (int32_t t : op.inputs)
    if (t >= 0 && sg.tensors[t]->quantization &&
        !sg.tensors[t]->quantization->scale.empty())
      all_float = false;
  const Op code = OpCode(m, op);
  if (!all_float && code != Op::GATHER && code != Op::CAST &&
      code != Op::EMBEDDING_LOOKUP)
    return 0;
  const auto& opts = op.builtin_options;
  switch (code) {
    case Op::CONV_2D: {
      // Grouped convolution (input channels a multiple of the filter's).
      if (op.inputs.size() > 1 && rank(op.inputs[0]) == 4 &&
          rank(op.inputs[1]) == 4 &&
          sg.tensors[op.inputs[0]]->shape[3] !=
              sg.tensors[op.inputs[1]]->shape[3])
        return 6;
      return 1;
    }
    case Op::DEPTHWISE_CONV_2D: {
      auto* o = opts.AsDepthwiseConv2DOptions();
      return (o && (o->dilation_h_factor != 1 || o->dilation_w_factor != 1))
                 ? 2
                 : 1;
    }
    case Op::FULLY_CONNECTED: {
      auto* o = opts.AsFullyConnectedOptions();
      return (o && o->keep_num_dims) ? 5 : 1;
    }
    case Op::TRANSPOSE_CONV:
      return op.inputs.size() >= 4 && op.inputs[3] >= 0 ? 3 : 1;
    case Op::RESIZE_BILINEAR: {
      auto* o = opts.AsResizeBilinearOptions();
      return (o && o->half_pixel_centers) ? 3 : 1;
    }
    case Op::RESIZE_NEAREST_NEIGHBOR: {
      auto* o = opts.AsResizeNearestNeighborOptions();
      return (o && (o->half_pixel_centers || o->align_corners)) ? 3 : 1;
    }
    case Op::TRANSPOSE:
      return rank(op.inputs[0]) > 5 ? 6 : rank(op.inputs[0]) > 4 ? 5 : 1;
    case Op::PAD:
      return rank(op.inputs[0]) > 4 ? 4 : 1;
    case Op::SLICE:
      return rank(op.inputs[0]) > 4 ? 5 : 1;
    case Op::ADD:
    case Op::SUB:
    case Op::MUL:
    case Op::MAXIMUM:
    case Op::MINIMUM:
      return std::max(rank(op.inputs[0]),
                      op.inputs.size() > 1 ? rank(op.inputs[1]) : 0) > 4
                 ? 0
                 : 1;
    case Op::GATHER:
      return type(op.inputs[0]) == TT::FLOAT32 &&
                     type(op.inputs[1]) == TT::INT32
                 ? 1
                 : 0;
    case Op::CAST:
      return type(op.inputs[0]) == TT::FLOAT32 &&
                     type(op.outputs[0]) == TT::INT32
                 ? 1
                 : 0;
    case Op::UNIDIRECTIONAL_SEQUENCE_LSTM: {
      auto* o = opts.AsUnidirectionalSequenceLSTMOptions();
      return (o && o->diagonal_recurrent_tensors) ? 4 : 1;
    }
    case Op::AVERAGE_POOL_2D:
    case Op::MAX_POOL_2D:
    case Op::CONCATENATION:
    case Op::RESHAPE:
    case Op::SOFTMAX:
    case Op::LOGISTIC:
    case Op::TANH:
    case Op::RELU:
    case Op::RELU6:
    case Op::RELU_N1_TO_1:
    case Op::LEAKY_RELU:
    case Op::PRELU:
    case Op::ELU:
    case Op::HARD_SWISH:
    case Op::GELU:
    case Op::MEAN:
    case Op::REDUCE_MAX:
    case Op::SUM:
    case Op::BATCH_MATMUL:
    case Op::SPLIT:
    case Op::UNPACK:
    case Op::PACK:
    case Op::RSQRT:
    case Op::SQRT:
    case Op::EXP:
    case Op::SQUARED_DIFFERENCE:
    case Op::REVERSE_V2:
    case Op::DIV:
    case Op::SQUEEZE:
    case Op::EXPAND_DIMS:
      return 1;
    // The version the model has is kept: no rule is modelled for these ops
    // (named so that every op in src/ops/ops*.def has a decision here;
    // scripts/check_layers.py checks it).
    case Op::WHILE:
    case Op::IF:
    case Op::CALL_ONCE:
    case Op::POW:
    case Op::FLOOR_DIV:
    case Op::FLOOR_MOD:
    case Op::RELU_0_TO_1:
    case Op::ABS:
    case Op::NEG:
    case Op::SQUARE:
    case Op::LOG:
    case Op::SIN:
    case Op::COS:
    case Op::FLOOR:
    case Op::CEIL:
    case Op::ROUND:
    case Op::SIGN:
    case Op::QUANTIZE:
    case Op::DEQUANTIZE:
    case Op::EQUAL:
    case Op::NOT_EQUAL:
    case Op::LESS:
    case Op::LESS_EQUAL:
    case Op::GREATER:
    case Op::GREATER_EQUAL:
    case Op::LOGICAL_AND:
    case Op::LOGICAL_OR:
    case Op::LOGICAL_NOT:
    case Op::SELECT:
    case Op::SELECT_V2:
    case Op::WHERE:
    case Op::L2_POOL_2D:
    case Op::REDUCE_PROD:
    case Op::REDUCE_MIN:
    case Op::REDUCE_ANY:
    case Op::REDUCE_ALL:
    case Op::LOG_SOFTMAX:
    case Op::L2_NORMALIZATION:
    case Op::CUMSUM:
    case Op::LOCAL_RESPONSE_NORMALIZATION:
    case Op::SVDF:
    case Op::UNIDIRECTIONAL_SEQUENCE_RNN:
    case Op::RNN:
    case Op::SPLIT_V:
    case Op::DENSIFY:
    case Op::PADV2:
    case Op::MIRROR_PAD:
    case Op::SPACE_TO_DEPTH:
    case Op::DEPTH_TO_SPACE:
    case Op::BATCH_TO_SPACE_ND:
    case Op::SPACE_TO_BATCH_ND:
    case Op::STRIDED_SLICE:
    case Op::GATHER_ND:
    case Op::SHAPE:
    case Op::FILL:
    case Op::ZEROS_LIKE:
    case Op::RANGE:
    case Op::TILE:
    case Op::BROADCAST_TO:
    case Op::ARG_MAX:
    case Op::ARG_MIN:
    case Op::TOPK_V2:
      return 0;
    default:
      return 0;
  }
}

}  // namespace

int SetMinimalOpVersions(fb::ModelT& m) {
  std::vector<int> need(m.operator_codes.size(), 1);
  std::vector<bool> known(m.operator_codes.size(), true);
  for (const auto& sg : m.subgraphs)
    for (const auto& op : sg->operators) {
      if (op->opcode_index >= need.size()) continue;
      const int v = MinVersion(m, *sg, *op);
      if (v == 0) known[op->opcode_index] = false;
      need[op->opcode_index] = std::max(need[op->opcode_index], v);
    }
  int changed = 0;
  for (size_t c = 0; c < m.operator_codes.size(); ++c) {
    if (!known[c] || m.operator_codes[c]->version == need[c]) continue;
    m.operator_codes[c]->version = need[c];
    ++changed;
  }
  return changed;
}

}  // namespace ember::convert::passes
