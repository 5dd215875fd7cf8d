// One description of a tensor, shared by `ember inspect` (straight from the
// flatbuffer), `ember run` (from the runtime), `ember report` and the
// WebAssembly API.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/model.h"
#include "runtime/tensor.h"

namespace ember::describe {

struct TensorInfo {
  int32_t index = -1;
  std::string name;
  DataType type = DataType::kFloat32;
  Shape shape;
  Shape signature;  // -1 marks a dynamic dimension
  QuantParams quant;
};

TensorInfo DescribeTensor(const fb::Tensor& tensor, int32_t index);
TensorInfo DescribeTensor(const Tensor& tensor, int32_t index,
                          const Shape& signature);

std::vector<int64_t> ShapeVector(const Shape& shape);
// null, {scale, zero_point}, or for per-channel parameters a summary:
// {per_channel, quantized_dimension, count, scale_min, scale_max,
//  zero_points (the distinct values)}.
nlohmann::json QuantJson(const QuantParams& quant);
// {index, name, shape, shape_signature, type, quantization}.
nlohmann::json TensorJson(const TensorInfo& info);

// Name of an op code: the builtin name, or "CUSTOM(code)".
std::string OpCodeName(const fb::OperatorCode& code);

}  // namespace ember::describe
