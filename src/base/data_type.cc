#include "base/data_type.h"

namespace ember {

const char* DataTypeName(DataType type) {
  switch (type) {
    case DataType::kFloat32:
      return "float32";
    case DataType::kFloat16:
      return "float16";
    case DataType::kInt32:
      return "int32";
    case DataType::kUInt8:
      return "uint8";
    case DataType::kInt64:
      return "int64";
    case DataType::kString:
      return "string";
    case DataType::kBool:
      return "bool";
    case DataType::kInt16:
      return "int16";
    case DataType::kComplex64:
      return "complex64";
    case DataType::kInt8:
      return "int8";
    case DataType::kFloat64:
      return "float64";
    case DataType::kComplex128:
      return "complex128";
    case DataType::kUInt64:
      return "uint64";
    case DataType::kResource:
      return "resource";
    case DataType::kVariant:
      return "variant";
    case DataType::kUInt32:
      return "uint32";
    case DataType::kUInt16:
      return "uint16";
    case DataType::kInt4:
      return "int4";
    case DataType::kBFloat16:
      return "bfloat16";
  }
  return "unknown";
}

size_t DataTypeSize(DataType type) {
  switch (type) {
    case DataType::kFloat32:
      return 4;
    case DataType::kFloat16:
      return 2;
    case DataType::kInt32:
      return 4;
    case DataType::kUInt8:
      return 1;
    case DataType::kInt64:
      return 8;
    case DataType::kBool:
      return 1;
    case DataType::kInt16:
      return 2;
    case DataType::kComplex64:
      return 8;
    case DataType::kInt8:
      return 1;
    case DataType::kFloat64:
      return 8;
    case DataType::kComplex128:
      return 16;
    case DataType::kUInt64:
      return 8;
    case DataType::kUInt32:
      return 4;
    case DataType::kUInt16:
      return 2;
    case DataType::kBFloat16:
      return 2;
    case DataType::kString:
    case DataType::kResource:
    case DataType::kVariant:
    case DataType::kInt4:
      return 0;
  }
  return 0;
}

size_t BytesFor(DataType type, int64_t count) {
  if (type == DataType::kInt4) return static_cast<size_t>((count + 1) / 2);
  return DataTypeSize(type) * static_cast<size_t>(count);
}

}  // namespace ember
