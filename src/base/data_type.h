// Element types of tensors and their sizes. The bottom layer: the model
// loader, kernels, file readers and the runtime all name types with it.
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

// Bytes needed for `count` elements of `type` (int4 rounds up).
size_t BytesFor(DataType type, int64_t count);

}  // namespace ember
