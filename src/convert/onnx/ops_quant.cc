// QuantizeLinear / DequantizeLinear. A QDQ model is not converted to float
// ops with fake quantization: DequantizeLinear of an int8 activation only
// records a float *view* of it, quantizable ops consuming such views emit
// int8 TFLite ops whose output params come from the QuantizeLinear that
// follows them (see Converter::MatchQuantized), and DequantizeLinear of an
// integer constant keeps the integer weights for them. A DEQUANTIZE or
// QUANTIZE op is emitted only where a float op meets an int8 tensor.
#include <cmath>

#include "convert/onnx/ops.h"

namespace ember::convert::onnx {
namespace {

int64_t node_shape_dim(Converter& c, const NodeProto& node, int64_t axis) {
  return c.Get(node.input(0)).shape[axis];
}

// Scale/zero-point inputs 1 and 2; uint8 zero points move to int8.
bool ReadParams(Converter& c, const NodeProto& node, int rank, QuantParams* q,
                int* zp_type) {
  const HostTensor* scale = c.ConstInput(node, 1);
  const HostTensor* zp = c.ConstInput(node, 2);
  if (!scale || (!Converter::Input(node, 2).empty() && !zp)) {
    c.Error(node, "scale and zero point must be constants");
    return false;
  }
  *zp_type = zp ? zp->type : kOnnxUint8;
  if (*zp_type != kOnnxUint8 && *zp_type != kOnnxInt8 &&
      *zp_type != kOnnxInt32) {
    c.Error(node, std::string("zero point type ") + OnnxTypeName(*zp_type) +
                      " is not supported (int8/uint8/int32 only)");
    return false;
  }
  if (scale->size() < 1 || (zp && zp->size() != scale->size())) {
    c.Error(node, "scale and zero point differ in size");
    return false;
  }
  q->scale = scale->Floats();
  for (int64_t i = 0; i < scale->size(); ++i) {
    const int64_t z = zp ? zp->AsInt(i) : 0;
    q->zero_point.push_back(*zp_type == kOnnxUint8 ? z - 128 : z);
  }
  int64_t axis = AttrInt(node, "axis", 1);
  if (q->scale.size() > 1 && !NormalizeAxis(&axis, rank)) {
    c.Error(node, "axis out of range");
    return false;
  }
  q->axis = static_cast<int>(axis);
  if (q->scale.size() > 1 &&
      (rank == 0 || node_shape_dim(c, node, axis) !=
                        static_cast<int64_t>(q->scale.size()))) {
    c.Error(node, "per-axis scale count does not match the axis length");
    return false;
  }
  for (float s : q->scale)
    if (!(s > 0) || !std::isfinite(s)) {
      c.Error(node, "scales must be positive and finite");
      return false;
    }
  return true;
}

int64_t ChannelOf(const std::vector<int64_t>& shape, int axis, int64_t flat) {
  int64_t inner = 1;
  for (size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
  return (flat / inner) % shape[axis];
}

bool Dequantize(Converter& c, const NodeProto& node) {
  const std::string x = node.input(0), out = node.output(0);
  Value& xv = c.Get(x);
  QuantParams q;
  int zp_type;
  if (!ReadParams(c, node, xv.rank(), &q, &zp_type)) return false;
  if (xv.constant) {
    // Integer weights/bias: keep them (shifted to int8) for int8 ops and
    // give float consumers the dequantized values.
    const HostTensor& data = *xv.constant;
    if (data.type != kOnnxInt8 && data.type != kOnnxUint8 &&
        data.type != kOnnxInt32) {
      c.Error(node,
              std::string("cannot dequantize ") + OnnxTypeName(data.type));
      return false;
    }
    std::vector<float> real(data.size());
    std::vector<double> shifted(data.size());
    for (int64_t i = 0; i < data.size(); ++i) {
      const int64_t ch =
          q.scale.size() > 1 ? ChannelOf(data.shape, q.axis, i) : 0;
      const double raw = data.AsDouble(i);
      const double z =
          data.type == kOnnxUint8 ? q.zero_point[ch] + 128 : q.zero_point[ch];
      real[i] = static_cast<float>((raw - z) * q.scale[ch]);
      shifted[i] = data.type == kOnnxUint8 ? raw - 128 : raw;
    }
    QuantConst qc;
    qc.data = HostTensor::FromDoubles(
        data.type == kOnnxInt32 ? kOnnxInt32 : kOnnxInt8, data.shape, shifted);
    qc.params = q;
    Value& v = c.DefineConst(out, HostTensor::FromFloats(data.shape, real));
    v.qconst = std::move(qc);
    return true;
  }
  if (!xv.quant) {
    c.Error(node, "dequantizing a tensor that is not a quantized activation");
    return false;
  }
  const std::vector<int64_t> order = xv.feature_order;
  Value& alias = c.Define(out, kOnnxFloat, xv.shape, c.PermOf(x), -1);
  alias.dequant_of = x;
  alias.feature_order = order;
  return true;
}

bool Quantize(Converter& c, const NodeProto& node) {
  const std::string x = node.input(0), out = node.output(0);
  const Value& xv = c.Get(x);
  QuantParams q;
  int zp_type;
  if (!ReadParams(c, node, xv.rank(), &q, &zp_type)) return false;
  if (zp_type == kOnnxInt32) {
    c.Error(node, "int32 activation quantization is not supported");
    return false;
  }
  if (xv.constant) {
    std::vector<double> values(xv.constant->size());
    for (int64_t i = 0; i < xv.constant->size(); ++i) {
      const int64_t ch =
          q.scale.size() > 1 ? ChannelOf(xv.shape, q.axis, i) : 0;
      const double v = std::nearbyint(xv.constant->AsDouble(i) / q.scale[ch]) +
                       q.zero_point[ch];
      values[i] =
          std::clamp(v, -128.0, 127.0) + (zp_type == kOnnxUint8 ? 128 : 0);
    }
    c.DefineConst(out, HostTensor::FromDoubles(zp_type, xv.shape, values));
    return true;
  }
  if (q.scale.size() != 1) {
    c.Error(node, "per-channel activation quantization is not supported");
    return false;
  }
  // Requantizing a dequantized view with its own params is a no-op.
  if (!xv.dequant_of.empty()) {
    const Value& src = c.Get(xv.dequant_of);
    if (src.quant && src.quant->scale == q.scale &&
        src.quant->zero_point == q.zero_point) {
      const Value copy = src;
      c.Define(out, copy.type, copy.shape, copy.perm, -1) = copy;
      return true;
    }
  }
  const std::string from = xv.dequant_of.empty() ? x : xv.dequant_of;
  const std::vector<int> order = c.PermOf(from);
  const int input = c.TensorAsStored(from);
  const std::vector<int64_t> shape = c.Get(from).shape;
  const int result = c.NewTensor(out, kOnnxInt8, shape, order, &q);
  c.AddOp(fb::BuiltinOperator::QUANTIZE, {input}, {result});
  const std::vector<int64_t> feature_order = c.Get(from).feature_order;
  Value& v = c.Define(out, kOnnxInt8, shape, order, result);
  v.quant = q;
  v.feature_order = feature_order;
  return true;
}

}  // namespace

OpConverter FindQuantOp(const std::string& op) {
  if (op == "QuantizeLinear") return Quantize;
  if (op == "DequantizeLinear") return Dequantize;
  return nullptr;
}

OpConverter FindConvOp(const std::string& op);

OpConverter FindOpConverter(const std::string& op) {
  if (OpConverter f = FindQuantOp(op)) return f;
  if (OpConverter f = FindConvOp(op)) return f;
  if (OpConverter f = FindNnOp(op)) return f;
  if (OpConverter f = FindElementwiseOp(op)) return f;
  if (OpConverter f = FindLayoutOp(op)) return f;
  return nullptr;
}

}  // namespace ember::convert::onnx
