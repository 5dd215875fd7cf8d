// Appends tensors, constants and operators to subgraph 0 of an fb::ModelT:
// the small vocabulary the Keras layer converters are written in.
#pragma once

#include <string>
#include <vector>

#include "schema/schema_generated.h"

namespace ember::convert::keras {

using Dims = std::vector<int32_t>;

class TfliteBuilder {
 public:
  // Starts an empty model (schema version 3, buffer 0 the empty sentinel).
  explicit TfliteBuilder(fb::ModelT* model);

  int Tensor(const std::string& name, const Dims& shape,
             fb::TensorType type = fb::TensorType::FLOAT32);
  int ConstF(const std::string& name, const Dims& shape,
             const std::vector<float>& values);
  int ConstI32(const std::string& name, const Dims& shape,
               const std::vector<int32_t>& values);
  // Appends an operator; returns its index.
  int Op(fb::BuiltinOperator code, const std::vector<int32_t>& inputs,
         const std::vector<int32_t>& outputs,
         fb::BuiltinOptionsUnion options = {});
  // One-output shortcut: makes the output tensor `name` with `shape`.
  int Unary(fb::BuiltinOperator code, int input, const std::string& name,
            const Dims& shape, fb::BuiltinOptionsUnion options = {});

  const Dims& Shape(int tensor) const { return sg_->tensors[tensor]->shape; }
  fb::SubGraphT& subgraph() { return *sg_; }
  fb::ModelT& model() { return *model_; }

 private:
  uint32_t OpcodeIndex(fb::BuiltinOperator code);
  fb::ModelT* model_;
  fb::SubGraphT* sg_;
};

template <typename T>
fb::BuiltinOptionsUnion Options(T value) {
  fb::BuiltinOptionsUnion u;
  u.Set(std::move(value));
  return u;
}

}  // namespace ember::convert::keras
