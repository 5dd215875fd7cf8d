// A constant tensor held by the ONNX importer: initializers, Constant nodes
// and everything folded from them (shapes, weights, quantization params).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember::convert::onnx {

// ONNX TensorProto.DataType codes (the subset Ember handles).
enum OnnxType : int {
  kOnnxUndefined = 0,
  kOnnxFloat = 1,
  kOnnxUint8 = 2,
  kOnnxInt8 = 3,
  kOnnxInt16 = 5,
  kOnnxInt32 = 6,
  kOnnxInt64 = 7,
  kOnnxBool = 9,
  kOnnxFloat16 = 10,
  kOnnxDouble = 11,
};

// Bytes per element, 0 for types Ember does not handle.
int OnnxTypeSize(int type);
const char* OnnxTypeName(int type);

int64_t ElementCount(const std::vector<int64_t>& shape);
// Every dim in [0, 2^31) and at most 2^31 elements (no overflow).
bool ValidShape(const std::vector<int64_t>& shape);

struct HostTensor {
  int type = kOnnxFloat;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;  // little-endian, row-major

  int64_t size() const { return ElementCount(shape); }
  int rank() const { return static_cast<int>(shape.size()); }
  // Element i converted to double / int64 (any numeric type).
  double AsDouble(int64_t i) const;
  int64_t AsInt(int64_t i) const;
  std::vector<float> Floats() const;
  std::vector<int64_t> Ints() const;
  std::vector<int32_t> Int32s() const;

  static HostTensor FromDoubles(int type, std::vector<int64_t> shape,
                                const std::vector<double>& values);
  static HostTensor FromFloats(std::vector<int64_t> shape,
                               const std::vector<float>& values);
  static HostTensor FromInts(std::vector<int64_t> shape,
                             const std::vector<int64_t>& values);
};

// Row-major permutation: out.shape[i] = in.shape[perm[i]].
HostTensor PermuteHost(const HostTensor& in, const std::vector<int>& perm);

}  // namespace ember::convert::onnx
