#include "convert/onnx/host_tensor.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace ember::convert::onnx {
namespace {

template <typename T>
T Load(const std::vector<uint8_t>& bytes, int64_t i) {
  T v;
  std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
  return v;
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  float magnitude;
  if (exp == 0) {
    magnitude = std::ldexp(static_cast<float>(man), -24);
  } else if (exp == 31) {
    magnitude = man ? NAN : INFINITY;
  } else {
    magnitude = std::ldexp(static_cast<float>(man | 0x400), int(exp) - 25);
  }
  return sign ? -magnitude : magnitude;
}

template <typename T>
void Store(std::vector<uint8_t>* bytes, int64_t i, T v) {
  std::memcpy(bytes->data() + i * sizeof(T), &v, sizeof(T));
}

}  // namespace

int OnnxTypeSize(int type) {
  switch (type) {
    case kOnnxFloat:
    case kOnnxInt32:
      return 4;
    case kOnnxUint8:
    case kOnnxInt8:
    case kOnnxBool:
      return 1;
    case kOnnxInt16:
    case kOnnxFloat16:
      return 2;
    case kOnnxInt64:
    case kOnnxDouble:
      return 8;
    default:
      return 0;
  }
}

const char* OnnxTypeName(int type) {
  switch (type) {
    case kOnnxFloat:
      return "float";
    case kOnnxUint8:
      return "uint8";
    case kOnnxInt8:
      return "int8";
    case kOnnxInt16:
      return "int16";
    case kOnnxInt32:
      return "int32";
    case kOnnxInt64:
      return "int64";
    case kOnnxBool:
      return "bool";
    case kOnnxFloat16:
      return "float16";
    case kOnnxDouble:
      return "double";
    default:
      return "unsupported type";
  }
}

int64_t ElementCount(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

bool ValidShape(const std::vector<int64_t>& shape) {
  constexpr int64_t kLimit = int64_t{1} << 31;
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || d >= kLimit) return false;
    if (d != 0 && n > kLimit / d) return false;
    n *= d;
  }
  return n <= kLimit;
}

double HostTensor::AsDouble(int64_t i) const {
  switch (type) {
    case kOnnxFloat:
      return Load<float>(bytes, i);
    case kOnnxUint8:
    case kOnnxBool:
      return Load<uint8_t>(bytes, i);
    case kOnnxInt8:
      return Load<int8_t>(bytes, i);
    case kOnnxInt16:
      return Load<int16_t>(bytes, i);
    case kOnnxInt32:
      return Load<int32_t>(bytes, i);
    case kOnnxInt64:
      return static_cast<double>(Load<int64_t>(bytes, i));
    case kOnnxFloat16:
      return HalfToFloat(Load<uint16_t>(bytes, i));
    case kOnnxDouble:
      return Load<double>(bytes, i);
    default:
      return 0;
  }
}

int64_t HostTensor::AsInt(int64_t i) const {
  if (type == kOnnxInt64) return Load<int64_t>(bytes, i);
  return static_cast<int64_t>(AsDouble(i));
}

std::vector<float> HostTensor::Floats() const {
  std::vector<float> out(size());
  for (int64_t i = 0; i < size(); ++i) out[i] = static_cast<float>(AsDouble(i));
  return out;
}

std::vector<int64_t> HostTensor::Ints() const {
  std::vector<int64_t> out(size());
  for (int64_t i = 0; i < size(); ++i) out[i] = AsInt(i);
  return out;
}

std::vector<int32_t> HostTensor::Int32s() const {
  std::vector<int32_t> out(size());
  for (int64_t i = 0; i < size(); ++i) out[i] = static_cast<int32_t>(AsInt(i));
  return out;
}

namespace {

// double -> integer type T, saturating (NaN -> 0): a folded or rescaled
// constant outside T's range (e.g. a float bias divided by a tiny
// input x weight scale) must not be undefined behaviour.
template <typename T>
T SaturatingCast(double v) {
  if (std::isnan(v)) return 0;
  if (v <= static_cast<double>(std::numeric_limits<T>::min()))
    return std::numeric_limits<T>::min();
  if (v >= static_cast<double>(std::numeric_limits<T>::max()))
    return std::numeric_limits<T>::max();
  return static_cast<T>(v);
}

}  // namespace

HostTensor HostTensor::FromDoubles(int type, std::vector<int64_t> shape,
                                   const std::vector<double>& values) {
  HostTensor t;
  t.type = type == kOnnxFloat16 || type == kOnnxDouble ? kOnnxFloat : type;
  t.shape = std::move(shape);
  t.bytes.resize(values.size() * OnnxTypeSize(t.type));
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    switch (t.type) {
      case kOnnxFloat:
        Store<float>(&t.bytes, i, static_cast<float>(v));
        break;
      case kOnnxUint8:
        Store<uint8_t>(&t.bytes, i, SaturatingCast<uint8_t>(v));
        break;
      case kOnnxBool:
        Store<uint8_t>(&t.bytes, i, v != 0);
        break;
      case kOnnxInt8:
        Store<int8_t>(&t.bytes, i, SaturatingCast<int8_t>(v));
        break;
      case kOnnxInt16:
        Store<int16_t>(&t.bytes, i, SaturatingCast<int16_t>(v));
        break;
      case kOnnxInt32:
        Store<int32_t>(&t.bytes, i, SaturatingCast<int32_t>(v));
        break;
      case kOnnxInt64:
        Store<int64_t>(&t.bytes, i, SaturatingCast<int64_t>(v));
        break;
      default:
        break;
    }
  }
  return t;
}

HostTensor HostTensor::FromFloats(std::vector<int64_t> shape,
                                  const std::vector<float>& values) {
  HostTensor t;
  t.type = kOnnxFloat;
  t.shape = std::move(shape);
  t.bytes.resize(values.size() * 4);
  if (!values.empty())
    std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

HostTensor HostTensor::FromInts(std::vector<int64_t> shape,
                                const std::vector<int64_t>& values) {
  HostTensor t;
  t.type = kOnnxInt64;
  t.shape = std::move(shape);
  t.bytes.resize(values.size() * 8);
  if (!values.empty())
    std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

HostTensor PermuteHost(const HostTensor& in, const std::vector<int>& perm) {
  const int rank = static_cast<int>(in.shape.size());
  HostTensor out;
  out.type = in.type;
  out.shape.resize(rank);
  for (int i = 0; i < rank; ++i) out.shape[i] = in.shape[perm[i]];
  const int elem = OnnxTypeSize(in.type);
  out.bytes.resize(in.bytes.size());
  std::vector<int64_t> in_strides(rank, 1);
  for (int i = rank - 2; i >= 0; --i)
    in_strides[i] = in_strides[i + 1] * in.shape[i + 1];
  std::vector<int64_t> index(rank, 0);
  const int64_t n = in.size();
  for (int64_t o = 0; o < n; ++o) {
    int64_t src = 0;
    for (int i = 0; i < rank; ++i) src += index[i] * in_strides[perm[i]];
    std::memcpy(out.bytes.data() + o * elem, in.bytes.data() + src * elem,
                elem);
    for (int i = rank - 1; i >= 0; --i) {
      if (++index[i] < out.shape[i]) break;
      index[i] = 0;
    }
  }
  return out;
}

}  // namespace ember::convert::onnx
