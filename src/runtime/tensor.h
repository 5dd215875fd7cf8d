// The runtime's view of a tensor: type, shape, where its bytes live and how
// they are quantized. Plain data, no heap: shared with the micro runtime.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember {

// Numeric values equal the .tflite TensorType enum.
enum class DataType : int8_t {
  kFloat32 = 0,
  kFloat16 = 1,
  kInt32 = 2,
  kUInt8 = 3,
  kInt64 = 4,
  kString = 5,
  kBool = 6,
  kInt16 = 7,
  kComplex64 = 8,
  kInt8 = 9,
  kFloat64 = 10,
  kComplex128 = 11,
  kUInt64 = 12,
  kResource = 13,
  kVariant = 14,
  kUInt32 = 15,
  kUInt16 = 16,
  kInt4 = 17,
  kBFloat16 = 18,
};

const char* DataTypeName(DataType type);
// Bytes per element; 0 for types without a fixed size (string, resource,
// variant, int4 which packs two per byte).
size_t DataTypeSize(DataType type);

constexpr int kMaxRank = 8;
// Largest element count a tensor may have (model shapes, resized inputs and
// shapes computed by ops are all checked against it, so products of dims
// never overflow int64 and byte sizes never overflow size_t).
constexpr int64_t kMaxTensorElements = int64_t{1} << 40;

struct Shape {
  int32_t rank = 0;
  int32_t dims[kMaxRank] = {};

  int32_t dim(int i) const { return dims[i]; }
  // Product of dims; 1 for a scalar. Callers validated against overflow.
  int64_t NumElements() const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
  bool operator==(const Shape& other) const {
    if (rank != other.rank) return false;
    for (int i = 0; i < rank; ++i)
      if (dims[i] != other.dims[i]) return false;
    return true;
  }
  bool operator!=(const Shape& other) const { return !(*this == other); }
};

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
  kNone,      // optional input that is absent, or not yet planned
  kConstant,  // bytes live in the model (read-only)
  kArena,     // planned into the subgraph's activation arena
  kPersistent,  // variables: own storage, survive across invokes
  kDynamic,   // shape known only during Eval; grown on demand
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
  T* data_as() { return static_cast<T*>(data); }
  template <typename T>
  const T* data_as() const { return static_cast<const T*>(data); }
  int64_t NumElements() const { return shape.NumElements(); }
  bool is_constant() const { return allocation == Allocation::kConstant; }
};

// Bytes needed for `count` elements of `type` (int4 rounds up).
size_t BytesFor(DataType type, int64_t count);

// Element count of `shape` computed without overflow. False when the rank
// is out of [0, kMaxRank], a dim is negative, or the count exceeds
// kMaxTensorElements.
bool CheckedNumElements(const Shape& shape, int64_t* count);

}  // namespace ember
