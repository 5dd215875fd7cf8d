#include "convert/onnx/converter.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "convert/onnx/onnx_reader.h"
#include "convert/onnx/ops.h"

namespace ember::convert::onnx {

const std::vector<int> kNhwc = {0, 2, 3, 1};

std::vector<int> Identity(int rank) {
  std::vector<int> p(rank);
  std::iota(p.begin(), p.end(), 0);
  return p;
}

std::vector<int> Inverse(const std::vector<int>& perm) {
  std::vector<int> inv(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inv[perm[i]] = static_cast<int>(i);
  return inv;
}

fb::TensorType TfliteType(int onnx_type) {
  switch (onnx_type) {
    case kOnnxUint8:
      return fb::TensorType::UINT8;
    case kOnnxInt8:
      return fb::TensorType::INT8;
    case kOnnxInt16:
      return fb::TensorType::INT16;
    case kOnnxInt32:
      return fb::TensorType::INT32;
    case kOnnxInt64:
      return fb::TensorType::INT64;
    case kOnnxBool:
      return fb::TensorType::BOOL;
    default:
      return fb::TensorType::FLOAT32;
  }
}

// Dimensions past int32 become -1, which AddTensor reports (a plain cast
// would wrap them into a plausible size).
std::vector<int32_t> ToI32(const std::vector<int64_t>& v) {
  std::vector<int32_t> out;
  out.reserve(v.size());
  for (int64_t d : v)
    out.push_back(d > std::numeric_limits<int32_t>::max()
                      ? -1
                      : static_cast<int32_t>(std::max<int64_t>(d, -1)));
  return out;
}

std::vector<int64_t> Permuted(const std::vector<int64_t>& shape,
                              const std::vector<int>& perm) {
  if (perm.empty()) return shape;
  std::vector<int64_t> out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = shape[perm[i]];
  return out;
}

bool NormalizeAxis(int64_t* axis, int rank) {
  // A scalar has no axis: every caller indexes the shape with the result
  // (ONNX asks for axis in [-r, r - 1] wherever this is used), and the
  // fuzzer's rank-0 Concat indexed an empty shape here.
  if (*axis < 0) *axis += rank;
  return *axis >= 0 && *axis < rank;
}

const AttributeProto* FindAttr(const NodeProto& node, const std::string& name) {
  for (const auto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
int64_t AttrInt(const NodeProto& node, const std::string& name,
                int64_t fallback) {
  const AttributeProto* a = FindAttr(node, name);
  return a ? a->i() : fallback;
}
float AttrFloat(const NodeProto& node, const std::string& name,
                float fallback) {
  const AttributeProto* a = FindAttr(node, name);
  return a ? a->f() : fallback;
}
std::string AttrString(const NodeProto& node, const std::string& name,
                       const std::string& fallback) {
  const AttributeProto* a = FindAttr(node, name);
  return a ? a->s() : fallback;
}
std::vector<int64_t> AttrInts(const NodeProto& node, const std::string& name) {
  const AttributeProto* a = FindAttr(node, name);
  if (!a) return {};
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

Converter::Converter(const ConvertOptions& options, fb::ModelT* model,
                     Diagnostics* diag, std::string model_dir)
    : options_(options),
      model_(model),
      diag_(diag),
      model_dir_(std::move(model_dir)) {
  model_->version = 3;
  model_->description = "converted from ONNX by ember convert";
  model_->buffers.push_back(std::make_unique<fb::BufferT>());  // empty buffer 0
  model_->subgraphs.push_back(std::make_unique<fb::SubGraphT>());
  subgraph_ = model_->subgraphs.back().get();
  subgraph_->name = "main";
}

std::string Converter::Input(const NodeProto& node, int i) {
  return i < node.input_size() ? node.input(i) : "";
}

const HostTensor* Converter::ConstInput(const NodeProto& node, int i) {
  const std::string name = Input(node, i);
  if (name.empty() || !Has(name)) return nullptr;
  const Value& v = Get(name);
  return v.constant ? &*v.constant : nullptr;
}

bool Converter::DecodeAttrTensor(const TensorProto& proto, HostTensor* out,
                                 std::string* error) {
  return DecodeTensor(proto, model_dir_, out, error);
}

std::string Converter::Where(const NodeProto& node) const {
  return "node #" + std::to_string(node_index_) + " '" + node.name() + "' (" +
         node.op_type() + ")";
}

void Converter::Error(const NodeProto& node, const std::string& message) {
  diag_->errors.push_back(Where(node) + ": " + message);
}

const std::vector<const NodeProto*>& Converter::Consumers(
    const std::string& name) {
  return consumers_[name];
}

// ---- emission ---------------------------------------------------------------

int Converter::AddTensor(fb::TensorType type, std::vector<int32_t> shape,
                         const std::string& name, const QuantParams* quant,
                         int quant_dim) {
  // What the runtime's verifier would refuse, refused here with the
  // tensor's name: shapes that hostile or broken inputs (huge pads, sizes)
  // grow past int32 or 2^40 elements.
  int64_t elements = 1;
  bool out_of_range = false;
  for (int32_t d : shape) {
    if (d < 0 || (d > 0 && elements > (int64_t{1} << 40) / d))
      out_of_range = true;
    else
      elements *= d;
  }
  if (out_of_range && !shape_error_) {
    std::string dims;
    for (int32_t d : shape)
      dims += (dims.empty() ? "" : ",") +
              (d < 0 ? std::string("?") : std::to_string(d));
    diag_->errors.push_back("tensor '" + name + "' would have shape [" + dims +
                            "] (a dimension past 2^31 or more than 2^40 "
                            "elements): the model's shapes are out of range");
    shape_error_ = true;
  }
  auto t = std::make_unique<fb::TensorT>();
  t->type = type;
  t->shape = std::move(shape);
  t->has_rank = true;
  const int count = name_counts_[name]++;
  t->name = count == 0 ? name : name + "_" + std::to_string(count);
  if (quant && !shape_error_) {
    // Scales the verifier refuses: zero (a weight scale of 0, or input x
    // weight scales that underflow in a bias), negative or not finite.
    for (size_t i = 0; i < quant->scale.size(); ++i) {
      const float s = quant->scale[i];
      if (std::isfinite(s) && s > 0.0f) continue;
      diag_->errors.push_back(
          "tensor '" + name + "' would have quantization scale " +
          std::to_string(s) + " (channel " + std::to_string(i) +
          "); scales must be finite and positive: the model's quantization "
          "parameters are out of range");
      shape_error_ = true;
      break;
    }
  }
  if (quant) {
    t->quantization = std::make_unique<fb::QuantizationParametersT>();
    t->quantization->scale = quant->scale;
    t->quantization->zero_point = quant->zero_point;
    t->quantization->quantized_dimension = quant_dim;
  }
  subgraph_->tensors.push_back(std::move(t));
  return static_cast<int>(subgraph_->tensors.size()) - 1;
}

int Converter::AddConst(const HostTensor& data, const std::string& name,
                        fb::TensorType as, const QuantParams* quant,
                        int quant_dim) {
  HostTensor converted;
  const HostTensor* src = &data;
  fb::TensorType type = TfliteType(data.type);
  if (data.type == kOnnxFloat) type = as;
  if (type == fb::TensorType::INT64 && as == fb::TensorType::INT32) {
    converted = HostTensor::FromDoubles(kOnnxInt32, data.shape, {});
    converted.bytes.resize(data.size() * 4);
    std::vector<int32_t> v = data.Int32s();
    if (!v.empty()) std::memcpy(converted.bytes.data(), v.data(), v.size() * 4);
    src = &converted;
    type = fb::TensorType::INT32;
  }
  const int t = AddTensor(type, ToI32(src->shape), name, quant, quant_dim);
  auto buffer = std::make_unique<fb::BufferT>();
  buffer->data = src->bytes;
  model_->buffers.push_back(std::move(buffer));
  subgraph_->tensors[t]->buffer =
      static_cast<uint32_t>(model_->buffers.size() - 1);
  return t;
}

int Converter::AddInt32Const(const std::vector<int32_t>& values,
                             const std::string& name,
                             std::optional<std::vector<int32_t>> shape) {
  if (!shape) shape = std::vector<int32_t>{static_cast<int32_t>(values.size())};
  HostTensor h;
  h.type = kOnnxInt32;
  h.shape.assign(shape->begin(), shape->end());
  h.bytes.resize(values.size() * 4);
  if (!values.empty())
    std::memcpy(h.bytes.data(), values.data(), h.bytes.size());
  return AddConst(h, name);
}

int Converter::AddFloatConst(const std::vector<float>& values,
                             const std::string& name,
                             std::optional<std::vector<int32_t>> shape) {
  if (!shape) shape = std::vector<int32_t>{static_cast<int32_t>(values.size())};
  return AddConst(
      HostTensor::FromFloats({shape->begin(), shape->end()}, values), name);
}

void Converter::AddOp(fb::BuiltinOperator op, std::vector<int32_t> inputs,
                      std::vector<int32_t> outputs,
                      fb::BuiltinOptionsUnion options) {
  int code = -1;
  for (size_t i = 0; i < model_->operator_codes.size(); ++i) {
    if (model_->operator_codes[i]->builtin_code == op)
      code = static_cast<int>(i);
  }
  if (code < 0) {
    auto oc = std::make_unique<fb::OperatorCodeT>();
    oc->builtin_code = op;
    oc->deprecated_builtin_code =
        static_cast<int8_t>(std::min<int32_t>(static_cast<int32_t>(op), 127));
    oc->version = 1;
    model_->operator_codes.push_back(std::move(oc));
    code = static_cast<int>(model_->operator_codes.size()) - 1;
  }
  auto o = std::make_unique<fb::OperatorT>();
  o->opcode_index = static_cast<uint32_t>(code);
  o->inputs = std::move(inputs);
  o->outputs = std::move(outputs);
  o->builtin_options = std::move(options);
  subgraph_->operators.push_back(std::move(o));
}

int Converter::Scratch(const std::string& base,
                       std::vector<int64_t> stored_shape, int type,
                       const QuantParams* quant) {
  return AddTensor(quant ? fb::TensorType::INT8 : TfliteType(type),
                   ToI32(stored_shape), base, quant);
}

// ---- values -----------------------------------------------------------------

const std::vector<int>& Converter::PermOf(const std::string& name) {
  Value& v = Get(name);
  if (v.perm.empty()) v.perm = Identity(v.rank());
  return v.perm;
}

Value& Converter::Define(const std::string& name, int type,
                         std::vector<int64_t> shape, std::vector<int> perm,
                         int tensor) {
  Value& v = values_[name];
  v = Value();
  v.type = type;
  v.shape = std::move(shape);
  v.perm = perm.empty() ? Identity(static_cast<int>(v.shape.size()))
                        : std::move(perm);
  v.tensor = tensor;
  return v;
}

Value& Converter::DefineConst(const std::string& name, HostTensor data) {
  Value& v = values_[name];
  v = Value();
  v.type = data.type;
  v.shape = data.shape;
  v.perm = Identity(v.rank());
  v.constant = std::move(data);
  return v;
}

int Converter::NewTensor(const std::string& name, int type,
                         const std::vector<int64_t>& shape,
                         const std::vector<int>& perm,
                         const QuantParams* quant) {
  const std::vector<int> p =
      perm.empty() ? Identity(static_cast<int>(shape.size())) : perm;
  int quant_dim = 0;
  if (quant && quant->scale.size() > 1) quant_dim = Inverse(p)[quant->axis];
  return AddTensor(quant ? fb::TensorType::INT8 : TfliteType(type),
                   ToI32(Permuted(shape, p)), name, quant, quant_dim);
}

int Converter::Materialize(const std::string& name) {
  Value& v = Get(name);
  if (v.tensor >= 0) return v.tensor;
  if (v.perm.empty()) v.perm = Identity(v.rank());
  if (v.constant) {
    v.tensor = AddConst(PermuteHost(*v.constant, v.perm), name);
  } else if (!v.dequant_of.empty()) {
    const int src = TensorIn(v.dequant_of, v.perm);
    Value& w = Get(name);  // TensorIn may rehash values_
    w.tensor = NewTensor(name, kOnnxFloat, w.shape, w.perm);
    AddOp(fb::BuiltinOperator::DEQUANTIZE, {src}, {w.tensor});
    return w.tensor;
  }
  return v.tensor;
}

int Converter::TensorAsStored(const std::string& name) {
  return Materialize(name);
}

int Converter::TensorIn(const std::string& name,
                        const std::vector<int>& order) {
  PermOf(name);
  {
    Value& v = Get(name);
    if (order == v.perm) return Materialize(name);
    auto it = v.reordered.find(order);
    if (it != v.reordered.end()) return it->second;
    if (v.constant) {
      const int t = AddConst(PermuteHost(*v.constant, order), name);
      Get(name).reordered[order] = t;
      return t;
    }
  }
  const int base = Materialize(name);
  Value& v = Get(name);
  // Only size-1 axes move (e.g. [1,C,1,1] <-> [1,1,1,C]): a RESHAPE.
  if (SameMemoryOrder(v.shape, v.perm) && SameMemoryOrder(v.shape, order)) {
    const fb::TensorT& base_tensor = *subgraph_->tensors[base];
    const std::vector<int32_t> shape = ToI32(Permuted(v.shape, order));
    const int out = AddTensor(base_tensor.type, shape, name + "/reshaped",
                              v.quant ? &*v.quant : nullptr);
    AddOp(fb::BuiltinOperator::RESHAPE,
          {base, AddInt32Const(shape, name + "/shape")}, {out});
    Get(name).reordered[order] = out;
    return out;
  }
  const std::vector<int> inv = Inverse(v.perm);
  std::vector<int32_t> transpose(order.size());
  for (size_t i = 0; i < order.size(); ++i) transpose[i] = inv[order[i]];
  const fb::TensorT& base_tensor = *subgraph_->tensors[base];
  const QuantParams* quant = v.quant ? &*v.quant : nullptr;
  const int out = AddTensor(base_tensor.type, ToI32(Permuted(v.shape, order)),
                            name + "/transposed", quant);
  const int perm_tensor = AddInt32Const(transpose, name + "/perm");
  AddOp(fb::BuiltinOperator::TRANSPOSE, {base, perm_tensor}, {out});
  Get(name).reordered[order] = out;
  return out;
}

// ---- quantization
// -------------------------------------------------------------

bool Converter::MatchQuantized(const NodeProto& node,
                               const std::vector<std::string>& activations,
                               std::string* q_output, QuantParams* q_params) {
  for (const std::string& a : activations) {
    if (!Has(a) || Get(a).dequant_of.empty()) return false;
  }
  if (node.output_size() < 1 || IsGraphOutput(node.output(0))) return false;
  const auto& users = Consumers(node.output(0));
  if (users.size() != 1 || users[0]->op_type() != "QuantizeLinear")
    return false;
  const NodeProto& q = *users[0];
  // A QuantizeLinear without an output (hostile graphs) is not a match.
  if (q.output_size() < 1) return false;
  const HostTensor* scale = ConstInput(q, 1);
  const HostTensor* zp = ConstInput(q, 2);
  if (!scale || scale->size() != 1 || (zp && zp->size() != 1)) return false;
  q_params->scale = {static_cast<float>(scale->AsDouble(0))};
  int64_t zero = zp ? zp->AsInt(0) : 0;
  if (zp && zp->type == kOnnxUint8)
    zero -= 128;
  else if (zp && zp->type != kOnnxInt8)
    return false;
  q_params->zero_point = {zero};
  q_params->axis = 0;
  *q_output = q.output(0);
  skipped_.insert(&q);
  return true;
}

// ---- driver
// -------------------------------------------------------------------

bool Converter::ImportInputs(const GraphProto& graph) {
  bool ok = true;
  for (const auto& init : graph.initializer()) {
    HostTensor t;
    std::string error;
    if (!DecodeTensor(init, model_dir_, &t, &error)) {
      diag_->errors.push_back("initializer '" + init.name() + "': " + error);
      ok = false;
      continue;
    }
    DefineConst(init.name(), std::move(t));
  }
  for (const auto& input : graph.input()) {
    if (Has(input.name())) continue;  // an initializer listed as input
    const auto& tt = input.type().tensor_type();
    const int type = tt.elem_type();
    if (OnnxTypeSize(type) == 0 || type == kOnnxFloat16 ||
        type == kOnnxDouble) {
      diag_->errors.push_back("graph input '" + input.name() +
                              "': element type " + OnnxTypeName(type) +
                              " is not supported");
      ok = false;
      continue;
    }
    std::vector<int64_t> shape;
    for (const auto& d : tt.shape().dim()) {
      if (d.has_dim_value() && d.dim_value() > 0) {
        shape.push_back(d.dim_value());
      } else {
        Warn("graph input '" + input.name() + "': dynamic dimension '" +
             d.dim_param() + "' fixed to 1");
        shape.push_back(1);
      }
    }
    if (!ValidShape(shape)) {
      diag_->errors.push_back("graph input '" + input.name() +
                              "': shape too large");
      ok = false;
      continue;
    }
    std::vector<int> perm = Identity(static_cast<int>(shape.size()));
    if (options_.nhwc_io && shape.size() == 4) perm = kNhwc;
    const int t = NewTensor(input.name(), type, shape, perm);
    Define(input.name(), type, shape, perm, t);
    subgraph_->inputs.push_back(t);
  }
  return ok;
}

bool Converter::ExportOutputs(const GraphProto& graph) {
  for (const auto& output : graph.output()) {
    if (!Has(output.name())) {
      diag_->errors.push_back("graph output '" + output.name() +
                              "' is never produced");
      return false;
    }
    const Value& v = Get(output.name());
    std::vector<int> order = Identity(v.rank());
    if (options_.nhwc_io && v.rank() == 4) order = kNhwc;
    int t = TensorIn(output.name(), order);
    // A constant output or one that is a graph input still needs an op
    // producing it; route it through a RESHAPE (a copy).
    const fb::TensorT& tensor = *subgraph_->tensors[t];
    const bool is_input =
        std::find(subgraph_->inputs.begin(), subgraph_->inputs.end(), t) !=
        subgraph_->inputs.end();
    if (tensor.buffer != 0 || is_input) {
      const int copy = AddTensor(tensor.type, tensor.shape, output.name());
      AddOp(fb::BuiltinOperator::RESHAPE,
            {t, AddInt32Const(tensor.shape, output.name() + "/shape")}, {copy});
      t = copy;
    }
    subgraph_->tensors[t]->name = output.name();
    subgraph_->outputs.push_back(t);
  }
  // A serving_default signature with the ONNX names, as the Keras frontend
  // (and TF's converter) writes, so signature runners find the io by name.
  auto sig = std::make_unique<fb::SignatureDefT>();
  sig->signature_key = "serving_default";
  sig->subgraph_index = 0;
  for (int32_t t : subgraph_->inputs) {
    auto m = std::make_unique<fb::TensorMapT>();
    m->name = subgraph_->tensors[t]->name;
    m->tensor_index = t;
    sig->inputs.push_back(std::move(m));
  }
  for (int32_t t : subgraph_->outputs) {
    auto m = std::make_unique<fb::TensorMapT>();
    m->name = subgraph_->tensors[t]->name;
    m->tensor_index = t;
    sig->outputs.push_back(std::move(m));
  }
  model_->signature_defs.push_back(std::move(sig));
  return true;
}

// Inputs an op cannot do without (the converters index them directly).
int MinInputs(const std::string& op, int opset) {
  static const std::map<std::string, int> kMin = {{"Conv", 2},
                                                  {"ConvTranspose", 2},
                                                  {"Gemm", 2},
                                                  {"MatMul", 2},
                                                  {"Add", 2},
                                                  {"Sub", 2},
                                                  {"Mul", 2},
                                                  {"Div", 2},
                                                  {"Pow", 2},
                                                  {"Max", 2},
                                                  {"Min", 2},
                                                  {"Equal", 2},
                                                  {"Less", 2},
                                                  {"Greater", 2},
                                                  {"Reshape", 2},
                                                  {"Gather", 2},
                                                  {"QuantizeLinear", 2},
                                                  {"DequantizeLinear", 2},
                                                  {"BatchNormalization", 5},
                                                  {"LayerNormalization", 2},
                                                  {"PRelu", 2},
                                                  {"Where", 3},
                                                  {"Range", 3},
                                                  {"Expand", 2},
                                                  {"Constant", 0}};
  if (op == "Slice") return opset >= 10 ? 3 : 1;
  if (op == "Pad") return opset >= 11 ? 2 : 1;
  auto it = kMin.find(op);
  return it == kMin.end() ? 1 : it->second;
}

bool Converter::ConvertNode(const NodeProto& node, int index) {
  node_index_ = index;
  if (!node.domain().empty() && node.domain() != "ai.onnx") {
    Error(node, "operator domain '" + node.domain() + "' is not supported");
    return false;
  }
  OpConverter convert = FindOpConverter(node.op_type());
  if (!convert) {
    Error(node, "unsupported ONNX op '" + node.op_type() + "'");
    return false;
  }
  const int needed = MinInputs(node.op_type(), opset_);
  int present = 0;
  for (int i = 0; i < node.input_size() && i < needed; ++i)
    present += !node.input(i).empty();
  if (present < needed || node.output_size() < 1 || node.output(0).empty()) {
    Error(node, "needs " + std::to_string(needed) +
                    " input(s) and an output, has " +
                    std::to_string(node.input_size()) + " input(s) and " +
                    std::to_string(node.output_size()) + " output(s)");
    return false;
  }
  bool all_const = node.input_size() > 0;
  for (const auto& in : node.input())
    if (!in.empty() && !Get(in).constant) all_const = false;
  if (all_const && IsFoldable(node.op_type())) return FoldNode(*this, node);
  return convert(*this, node);
}

bool Converter::Run(const GraphProto& graph, int opset) {
  opset_ = opset;
  // Every ONNX op has an output; the pattern matchers look at consumers'
  // outputs before those nodes are converted (and checked) themselves.
  for (int i = 0; i < graph.node_size(); ++i) {
    if (graph.node(i).output_size() == 0) {
      node_index_ = i;
      Error(graph.node(i), "a node without outputs");
      return false;
    }
  }
  for (const auto& node : graph.node())
    for (const auto& in : node.input()) consumers_[in].push_back(&node);
  for (const auto& out : graph.output()) graph_outputs_.insert(out.name());
  if (!ImportInputs(graph)) return false;
  bool ok = true;
  for (int i = 0; i < graph.node_size(); ++i) {
    const NodeProto& node = graph.node(i);
    if (skipped_.count(&node)) continue;
    bool inputs_ready = true;
    for (const auto& in : node.input())
      if (!in.empty() && !Has(in)) inputs_ready = false;
    if (!inputs_ready) {
      // Downstream of an earlier failure that was reported: only say more if
      // this op is unsupported too. Otherwise an input that nothing produces
      // means a malformed graph.
      node_index_ = i;
      if (ok) {
        Error(node, "an input is not produced by any earlier node");
      } else if (!FindOpConverter(node.op_type())) {
        Error(node, "unsupported ONNX op '" + node.op_type() + "'");
      }
      ok = false;
      continue;
    }
    if (!ConvertNode(node, i)) ok = false;
  }
  if (!ok || shape_error_) return false;
  return ExportOutputs(graph) && !shape_error_;
}

}  // namespace ember::convert::onnx
