#include "describe/tensor_json.h"

#include <algorithm>
#include <set>

#include "runtime/op_resolver.h"

namespace ember::describe {

TensorInfo DescribeTensor(const fb::Tensor& tensor, int32_t index) {
  TensorInfo info;
  info.index = index;
  info.name = tensor.name() ? tensor.name()->str() : "";
  info.type = static_cast<DataType>(tensor.type());
  if (const auto* shape = tensor.shape()) {
    for (int32_t d : *shape) {
      if (info.shape.rank == kMaxRank) break;  // the verifier rejects these
      info.shape.dims[info.shape.rank++] = d;
    }
  }
  info.signature = info.shape;
  if (const auto* sig = tensor.shape_signature()) {
    info.signature = Shape();
    for (int32_t d : *sig) {
      if (info.signature.rank == kMaxRank) break;
      info.signature.dims[info.signature.rank++] = d;
    }
  }
  if (const auto* q = tensor.quantization()) {
    if (q->scale() && q->scale()->size() > 0) {
      info.quant.scale = q->scale()->data();
      info.quant.count = static_cast<int32_t>(q->scale()->size());
      if (q->zero_point() && q->zero_point()->size() == q->scale()->size())
        info.quant.zero_point = q->zero_point()->data();
      info.quant.quantized_dimension = q->quantized_dimension();
    }
  }
  return info;
}

TensorInfo DescribeTensor(const Tensor& tensor, int32_t index,
                          const Shape& signature) {
  TensorInfo info;
  info.index = index;
  info.name = tensor.name ? tensor.name : "";
  info.type = tensor.type;
  info.shape = tensor.shape;
  info.signature = signature;
  info.quant = tensor.quant;
  return info;
}

std::vector<int64_t> ShapeVector(const Shape& shape) {
  return std::vector<int64_t>(shape.dims, shape.dims + shape.rank);
}

nlohmann::json QuantJson(const QuantParams& q) {
  if (!q.quantized()) return nullptr;
  nlohmann::json j;
  auto zp = [&](int i) { return q.zero_point ? q.zero_point[i] : 0; };
  if (q.count == 1) {
    j["scale"] = q.scale[0];
    j["zero_point"] = zp(0);
    return j;
  }
  const auto [lo, hi] = std::minmax_element(q.scale, q.scale + q.count);
  std::set<int64_t> zero_points;
  for (int i = 0; i < q.count; ++i) zero_points.insert(zp(i));
  j["per_channel"] = true;
  j["quantized_dimension"] = q.quantized_dimension;
  j["count"] = q.count;
  j["scale_min"] = *lo;
  j["scale_max"] = *hi;
  j["zero_points"] = zero_points;  // distinct values
  return j;
}

nlohmann::json TensorJson(const TensorInfo& info) {
  return {{"index", info.index},
          {"name", info.name},
          {"shape", ShapeVector(info.shape)},
          {"shape_signature", ShapeVector(info.signature)},
          {"type", DataTypeName(info.type)},
          {"quantization", QuantJson(info.quant)}};
}

std::string OpCodeName(const fb::OperatorCode& code) {
  const int32_t builtin = Model::BuiltinCode(&code);
  if (builtin == static_cast<int32_t>(fb::BuiltinOperator::CUSTOM)) {
    return std::string("CUSTOM(") +
           (code.custom_code() ? code.custom_code()->c_str() : "") + ")";
  }
  return BuiltinOperatorName(builtin);
}

}  // namespace ember::describe
