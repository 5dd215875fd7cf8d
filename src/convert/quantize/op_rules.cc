#include "convert/quantize/op_rules.h"

#include <map>

namespace ember::quantize {

const OpRule* FindOpRule(fb::BuiltinOperator op) {
  using B = fb::BuiltinOperator;
  auto calibrated = [](int v8, int v16) {
    OpRule r;
    r.version_int8 = v8;
    r.version_int16 = v16;
    return r;
  };
  auto same = [](int v8, int v16) {
    OpRule r;
    r.output = OutputRule::kSameAsInput;
    r.version_int8 = v8;
    r.version_int16 = v16;
    return r;
  };
  auto weighted = [](int dim, int v8, int v16) {
    OpRule r;
    r.weighted = true;
    r.weight_channel_dim = dim;
    r.version_int8 = v8;
    r.version_int16 = v16;
    return r;
  };
  auto fixed = [](float s8, int z8, int v8, int v16) {
    OpRule r;
    r.output = OutputRule::kFixed;
    r.fixed_scale8 = s8;
    r.fixed_zero8 = z8;
    r.fixed_scale16 = 1.0f / 32768.0f;
    r.version_int8 = v8;
    r.version_int16 = v16;
    return r;
  };
  // Ops with no integer kernel rule here: the quantizer leaves them in
  // float. Named so that every op in src/ops/ops*.def has a decision in this
  // file (scripts/check_layers.py checks it).
  static constexpr B kStaysFloat[] = {
      B::WHILE,
      B::IF,
      B::CALL_ONCE,
      B::TRANSPOSE_CONV,
      B::DIV,
      B::SQUARED_DIFFERENCE,
      B::MAXIMUM,
      B::MINIMUM,
      B::POW,
      B::FLOOR_DIV,
      B::FLOOR_MOD,
      B::RELU_N1_TO_1,
      B::RELU_0_TO_1,
      B::GELU,
      B::ELU,
      B::ABS,
      B::NEG,
      B::SQUARE,
      B::SQRT,
      B::RSQRT,
      B::EXP,
      B::LOG,
      B::SIN,
      B::COS,
      B::FLOOR,
      B::CEIL,
      B::ROUND,
      B::SIGN,
      B::QUANTIZE,
      B::DEQUANTIZE,
      B::CAST,
      B::EQUAL,
      B::NOT_EQUAL,
      B::LESS,
      B::LESS_EQUAL,
      B::GREATER,
      B::GREATER_EQUAL,
      B::LOGICAL_AND,
      B::LOGICAL_OR,
      B::LOGICAL_NOT,
      B::SELECT,
      B::SELECT_V2,
      B::WHERE,
      B::L2_POOL_2D,
      B::SUM,
      B::REDUCE_PROD,
      B::REDUCE_MAX,
      B::REDUCE_MIN,
      B::REDUCE_ANY,
      B::REDUCE_ALL,
      B::LOG_SOFTMAX,
      B::BATCH_MATMUL,
      B::L2_NORMALIZATION,
      B::EMBEDDING_LOOKUP,
      B::CUMSUM,
      B::LOCAL_RESPONSE_NORMALIZATION,
      B::SVDF,
      B::UNIDIRECTIONAL_SEQUENCE_LSTM,
      B::UNIDIRECTIONAL_SEQUENCE_RNN,
      B::RNN,
      B::EXPAND_DIMS,
      B::PACK,
      B::SPLIT,
      B::SPLIT_V,
      B::UNPACK,
      B::DENSIFY,
      B::PADV2,
      B::MIRROR_PAD,
      B::BATCH_TO_SPACE_ND,
      B::SPACE_TO_BATCH_ND,
      B::GATHER,
      B::GATHER_ND,
      B::SHAPE,
      B::FILL,
      B::ZEROS_LIKE,
      B::RANGE,
      B::TILE,
      B::BROADCAST_TO,
      B::REVERSE_V2,
      B::ARG_MAX,
      B::ARG_MIN,
      B::TOPK_V2,
  };
  for (B stays_float : kStaysFloat)
    if (op == stays_float) return nullptr;
  static const std::map<B, OpRule> kRules = [&] {
    std::map<B, OpRule> m;
    m[B::CONV_2D] = weighted(0, 3, 4);
    m[B::DEPTHWISE_CONV_2D] = weighted(3, 3, 5);
    m[B::FULLY_CONNECTED] = weighted(0, 4, 7);
    m[B::ADD] = calibrated(2, 3);
    m[B::SUB] = calibrated(2, 3);
    m[B::MUL] = calibrated(2, 4);
    m[B::MEAN] = calibrated(2, 0);
    m[B::RELU] = calibrated(2, 3);
    m[B::RELU6] = calibrated(2, 0);
    m[B::LEAKY_RELU] = calibrated(2, 0);
    m[B::HARD_SWISH] = calibrated(1, 0);
    m[B::PRELU] = calibrated(1, 0);  // alpha: per-tensor asymmetric int8
    m[B::AVERAGE_POOL_2D] = same(2, 3);
    m[B::MAX_POOL_2D] = same(2, 3);
    m[B::RESHAPE] = same(1, 1);
    m[B::SQUEEZE] = same(1, 1);
    m[B::PAD] = same(2, 4);
    m[B::TRANSPOSE] = same(2, 0);
    m[B::RESIZE_BILINEAR] = same(2, 0);
    m[B::RESIZE_NEAREST_NEIGHBOR] = same(2, 0);
    m[B::STRIDED_SLICE] = same(2, 0);
    m[B::SLICE] = same(2, 0);
    m[B::SPACE_TO_DEPTH] = same(2, 0);
    m[B::DEPTH_TO_SPACE] = same(2, 0);
    OpRule concat = calibrated(2, 3);
    concat.output = OutputRule::kSharedWithInputs;
    m[B::CONCATENATION] = concat;
    m[B::SOFTMAX] = fixed(1.0f / 256.0f, -128, 2, 3);
    m[B::LOGISTIC] = fixed(1.0f / 256.0f, -128, 2, 3);
    m[B::TANH] = fixed(1.0f / 128.0f, 0, 2, 3);
    return m;
  }();
  auto it = kRules.find(op);
  return it == kRules.end() ? nullptr : &it->second;
}

}  // namespace ember::quantize
