// Builds valid .tflite bytes in-process for tests: tensors, constant data,
// ops with options, subgraphs and signatures. Uses the generated object API.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "schema/schema_generated.h"

namespace ember::testing {

struct QuantSpec {
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t dim = 0;
};

class ModelBuilder {
 public:
  ModelBuilder();

  // Adds a tensor to the current subgraph; returns its index.
  int AddTensor(fb::TensorType type, std::vector<int32_t> shape,
                const std::string& name = "", const QuantSpec& quant = {});
  // A constant tensor with raw little-endian bytes.
  int AddConstant(fb::TensorType type, std::vector<int32_t> shape,
                  const void* data, size_t bytes, const std::string& name = "",
                  const QuantSpec& quant = {});
  template <typename T>
  int AddConstant(fb::TensorType type, std::vector<int32_t> shape,
                  const std::vector<T>& values, const std::string& name = "",
                  const QuantSpec& quant = {}) {
    return AddConstant(type, std::move(shape), values.data(),
                       values.size() * sizeof(T), name, quant);
  }
  // Gives tensor `t` a shape_signature (-1 = dynamic dim).
  void SetShapeSignature(int t, std::vector<int32_t> signature);
  void SetVariable(int t);
  // The underlying tensor, for fields the helpers above do not cover.
  fb::TensorT& tensor(int t);

  // Adds an op; `options` may be empty (NONE).
  int AddOp(fb::BuiltinOperator op, std::vector<int32_t> inputs,
            std::vector<int32_t> outputs, fb::BuiltinOptionsUnion options = {},
            int version = 1);
  int AddCustomOp(const std::string& code, std::vector<int32_t> inputs,
                  std::vector<int32_t> outputs,
                  std::vector<uint8_t> custom_options = {});
  fb::OperatorT& op(int index);

  void SetInputs(std::vector<int32_t> inputs);
  void SetOutputs(std::vector<int32_t> outputs);

  // Starts another subgraph (for control flow); returns its index. Later
  // calls add to it until SelectSubgraph() switches.
  int AddSubgraph(const std::string& name = "");
  void SelectSubgraph(int index);

  void AddSignature(const std::string& key, int subgraph,
                    std::vector<std::pair<std::string, int32_t>> inputs,
                    std::vector<std::pair<std::string, int32_t>> outputs);

  // Serialises the model (identifier TFL3).
  std::vector<uint8_t> Build();
  fb::ModelT& model() { return model_; }

 private:
  int OperatorCodeIndex(fb::BuiltinOperator op, const std::string& custom,
                        int version);
  fb::SubGraphT& current() { return *model_.subgraphs[current_]; }

  fb::ModelT model_;
  int current_ = 0;
};

// Convenience: float32 tensor type.
constexpr fb::TensorType kF32 = fb::TensorType::FLOAT32;
constexpr fb::TensorType kI32 = fb::TensorType::INT32;
constexpr fb::TensorType kI8 = fb::TensorType::INT8;
constexpr fb::TensorType kI16 = fb::TensorType::INT16;
constexpr fb::TensorType kU8 = fb::TensorType::UINT8;

}  // namespace ember::testing
