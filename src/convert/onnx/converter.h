// The ONNX -> .tflite converter state: every ONNX value's shape, constant
// data, layout and TFLite tensor, and the helpers op converters use to emit
// TFLite tensors and ops.
//
// Layout: ONNX is channels-first, TFLite's image ops are channels-last. Each
// value remembers the axis order its TFLite tensor is stored in (`perm`:
// stored axis i holds logical ONNX axis perm[i]). Conv-like ops produce NHWC
// ({0,2,3,1}); layout-agnostic ops keep their input's order; axis-carrying
// ops remap their axes; ONNX Transpose only changes `perm`. A TRANSPOSE op is
// emitted only when a consumer needs an order the value is not stored in,
// and then once per (value, order).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "convert/convert.h"
#include "convert/onnx/host_tensor.h"
#include "onnx.pb.h"

namespace ember::convert::onnx {

// Affine int8 quantization of a TFLite tensor (zero points already moved to
// the int8 range when the ONNX tensor was uint8).
struct QuantParams {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int axis = 0;  // logical axis for per-channel parameters
};

// A constant that came from DequantizeLinear(integer constant): kept so that
// quantized ops can use the integer weights directly.
struct QuantConst {
  HostTensor data;  // int8 (uint8 is shifted to int8) or int32
  QuantParams params;
};

struct Value {
  int type = kOnnxFloat;       // logical ONNX element type
  std::vector<int64_t> shape;  // logical ONNX shape (static)
  std::optional<HostTensor> constant;
  std::optional<QuantConst> qconst;
  std::vector<int> perm;                      // storage order; empty = identity
  int tensor = -1;                            // TFLite tensor in `perm` order
  std::map<std::vector<int>, int> reordered;  // cached TRANSPOSE outputs
  // Quantized activation: the TFLite tensor is int8 with these params.
  std::optional<QuantParams> quant;
  // Float view of a quantized activation (DequantizeLinear output): names
  // the int8 value; a DEQUANTIZE is emitted only if a float consumer needs it.
  std::string dequant_of;
  // Set on a rank-2 Flatten/Reshape output that only feeds Gemm/MatMul
  // weights: stored column j holds logical column feature_order[j] (the
  // flattened NHWC tensor is read as is; the weights are permuted instead).
  std::vector<int64_t> feature_order;
  int rank() const { return static_cast<int>(shape.size()); }
};

std::vector<int> Identity(int rank);
std::vector<int> Inverse(const std::vector<int>& perm);
extern const std::vector<int> kNhwc;  // {0, 2, 3, 1}

class Converter {
 public:
  Converter(const ConvertOptions& options, fb::ModelT* model, Diagnostics* diag,
            std::string model_dir);

  // Runs the whole conversion of `graph`.
  bool Run(const GraphProto& graph, int opset);

  // ---- values ---------------------------------------------------------
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  Value& Get(const std::string& name) { return values_.at(name); }
  const std::vector<int>& PermOf(const std::string& name);
  // The TFLite tensor of `name` stored in `order` (TRANSPOSE emitted and
  // cached if needed; constants are permuted on the host).
  int TensorIn(const std::string& name, const std::vector<int>& order);
  // In whatever order it is stored.
  int TensorAsStored(const std::string& name);
  // Defines an output value backed by TFLite tensor `tensor`.
  Value& Define(const std::string& name, int type, std::vector<int64_t> shape,
                std::vector<int> perm, int tensor);
  Value& DefineConst(const std::string& name, HostTensor data);
  // A new non-constant TFLite tensor for value `name` stored in `perm`.
  int NewTensor(const std::string& name, int type,
                const std::vector<int64_t>& shape, const std::vector<int>& perm,
                const QuantParams* quant = nullptr);

  // ---- emission -------------------------------------------------------
  int AddTensor(fb::TensorType type, std::vector<int32_t> shape,
                const std::string& name, const QuantParams* quant = nullptr,
                int quant_dim = 0);
  int AddConst(const HostTensor& data, const std::string& name,
               fb::TensorType as = fb::TensorType::FLOAT32,
               const QuantParams* quant = nullptr, int quant_dim = 0);
  // 1-D constants unless `shape` is given (an empty shape is a scalar).
  int AddInt32Const(const std::vector<int32_t>& values, const std::string& name,
                    std::optional<std::vector<int32_t>> shape = std::nullopt);
  int AddFloatConst(const std::vector<float>& values, const std::string& name,
                    std::optional<std::vector<int32_t>> shape = std::nullopt);
  void AddOp(fb::BuiltinOperator op, std::vector<int32_t> inputs,
             std::vector<int32_t> outputs,
             fb::BuiltinOptionsUnion options = {});
  // A fresh float intermediate tensor named after `base`.
  int Scratch(const std::string& base, std::vector<int64_t> stored_shape,
              int type = kOnnxFloat, const QuantParams* quant = nullptr);

  // ---- node helpers ---------------------------------------------------
  std::string Where(const NodeProto& node) const;
  void Error(const NodeProto& node, const std::string& message);
  void Warn(const std::string& message) { diag_->warnings.push_back(message); }
  int opset() const { return opset_; }
  const ConvertOptions& options() const { return options_; }
  // Input `i` of `node`, or "" if absent.
  bool DecodeAttrTensor(const TensorProto& proto, HostTensor* out,
                        std::string* error);
  static std::string Input(const NodeProto& node, int i);
  // Constant input (nullptr if absent or not constant).
  const HostTensor* ConstInput(const NodeProto& node, int i);

  // ---- quantization (QDQ models) ----------------------------------------
  // If every name in `activations` is a dequantized int8 activation and the
  // node's only consumer is a QuantizeLinear, returns its output name and
  // params; that QuantizeLinear is then skipped.
  bool MatchQuantized(const NodeProto& node,
                      const std::vector<std::string>& activations,
                      std::string* q_output, QuantParams* q_params);
  // The int8 value behind a dequantized activation.
  Value& QuantSource(const std::string& name) {
    return Get(Get(name).dequant_of);
  }
  // Marks a later node as already converted (folded into an earlier op).
  void SkipNode(const NodeProto* node) { skipped_.insert(node); }
  // Consumers of each value name.
  const std::vector<const NodeProto*>& Consumers(const std::string& name);
  bool IsGraphOutput(const std::string& name) const {
    return graph_outputs_.count(name) > 0;
  }

 private:
  bool ConvertNode(const NodeProto& node, int index);
  bool ImportInputs(const GraphProto& graph);
  bool ExportOutputs(const GraphProto& graph);
  int Materialize(const std::string& name);  // base tensor in stored order

  ConvertOptions options_;
  fb::ModelT* model_;
  fb::SubGraphT* subgraph_;
  Diagnostics* diag_;
  std::string model_dir_;
  int opset_ = 13;
  int node_index_ = 0;
  std::map<std::string, Value> values_;  // std::map: references stay valid
  std::unordered_map<std::string, std::vector<const NodeProto*>> consumers_;
  std::set<std::string> graph_outputs_;
  std::set<const NodeProto*> skipped_;  // QuantizeLinear folded into producers
  std::map<std::string, int> name_counts_;
  // A tensor's shape or quantization scale was out of range (reported).
  bool shape_error_ = false;
};

// Op converters (onnx_ops_*.cc). Each returns false after reporting an error.
using OpConverter = bool (*)(Converter& c, const NodeProto& node);
// nullptr if `op_type` is not supported.
OpConverter FindOpConverter(const std::string& op_type);

// Attribute access.
const AttributeProto* FindAttr(const NodeProto& node, const std::string& name);
int64_t AttrInt(const NodeProto& node, const std::string& name,
                int64_t fallback);
float AttrFloat(const NodeProto& node, const std::string& name, float fallback);
std::string AttrString(const NodeProto& node, const std::string& name,
                       const std::string& fallback);
std::vector<int64_t> AttrInts(const NodeProto& node, const std::string& name);

fb::TensorType TfliteType(int onnx_type);
std::vector<int32_t> ToI32(const std::vector<int64_t>& v);
// Shape as stored under `perm`.
std::vector<int64_t> Permuted(const std::vector<int64_t>& shape,
                              const std::vector<int>& perm);
// Normalizes a possibly negative axis; false if out of range.
bool NormalizeAxis(int64_t* axis, int rank);

}  // namespace ember::convert::onnx
