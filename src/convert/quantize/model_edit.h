// Small edits on the flatbuffers object model shared by the quantize
// passes: op codes, new tensors and buffers, and dropping what no longer
// has a user.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schema/schema_generated.h"

namespace ember::quantize {

fb::BuiltinOperator OpOf(const fb::ModelT& model, const fb::OperatorT& op);
// Index of the op code (op, version), added when missing.
uint32_t OpCodeIndex(fb::ModelT* model, fb::BuiltinOperator op, int version);
// Sets an op's code to `op` at `version` (a new code entry when another op
// still uses the old one at a different version).
void SetOpVersion(fb::ModelT* model, fb::OperatorT* op, int version);

// Constant bytes of a tensor; empty when it has no buffer data.
const std::vector<uint8_t>& ConstantData(const fb::ModelT& model,
                                         const fb::TensorT& tensor);
bool IsConstant(const fb::ModelT& model, const fb::TensorT& tensor);
std::vector<float> FloatValues(const fb::ModelT& model,
                               const fb::TensorT& tensor);

// Appends a tensor (and a buffer when `data` is non-empty); returns its index.
int32_t AddTensor(fb::ModelT* model, fb::SubGraphT* sg, const std::string& name,
                  fb::TensorType type, const std::vector<int32_t>& shape,
                  std::vector<uint8_t> data = {});
void SetQuant(fb::TensorT* tensor, std::vector<float> scales,
              std::vector<int64_t> zero_points, int32_t dim = 0);

template <typename T>
std::vector<uint8_t> Bytes(const std::vector<T>& values) {
  const auto* p = reinterpret_cast<const uint8_t*>(values.data());
  return std::vector<uint8_t>(p, p + values.size() * sizeof(T));
}

// Removes tensors no op, subgraph input/output or signature refers to, and
// buffers no tensor or metadata refers to. Returns, per subgraph 0 tensor,
// its new index (-1 when removed).
std::vector<int32_t> RemoveUnused(fb::ModelT* model);

}  // namespace ember::quantize

namespace ember::quantize {

// Turns DEQUANTIZE ops that only widen an fp16 (or int8) constant into plain
// float32 constants, so models shipped with fp16 weights (MediaPipe) can be
// quantized from their float values. Returns how many were folded.
int FoldConstantDequantize(fb::ModelT* model);

}  // namespace ember::quantize
