// The runtime's view of a tensor: type, shape, where its bytes live and how
// they are quantized. Plain data, no heap: shared with the micro runtime.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/data_type.h"
#include "base/shape.h"

namespace ember {

// Affine quantization: real = scale * (q - zero_point). Per-tensor when
// count == 1, else one entry per slice along quantized_dimension. The arrays
// point into the model (zero-copy) or into interpreter-owned storage.
struct QuantParams {
  const float* scale = nullptr;
  const int64_t* zero_point = nullptr;
  int32_t count = 0;
  int32_t quantized_dimension = 0;

  bool quantized() const { return count > 0 && scale != nullptr; }
  float scale0() const { return count > 0 ? scale[0] : 0.0f; }
  int32_t zero_point0() const {
    return (count > 0 && zero_point) ? static_cast<int32_t>(zero_point[0]) : 0;
  }
};

enum class Allocation : int8_t {
  kNone,        // optional input that is absent, or not yet planned
  kConstant,    // bytes live in the model (read-only)
  kArena,       // planned into the subgraph's activation arena
  kPersistent,  // variables: own storage, survive across invokes
  kDynamic,     // shape known only during Eval; grown on demand
};

struct Tensor {
  DataType type = DataType::kFloat32;
  Allocation allocation = Allocation::kNone;
  bool is_variable = false;
  Shape shape;
  void* data = nullptr;
  size_t bytes = 0;
  QuantParams quant;
  const char* name = "";
  // Raw sparsity description (fb::SparsityParameters) when the constant is
  // stored sparse; only DENSIFY reads it.
  const void* sparsity = nullptr;

  template <typename T>
  T* data_as() {
    return static_cast<T*>(data);
  }
  template <typename T>
  const T* data_as() const {
    return static_cast<const T*>(data);
  }
  int64_t NumElements() const { return shape.NumElements(); }
  bool is_constant() const { return allocation == Allocation::kConstant; }
};

}  // namespace ember
