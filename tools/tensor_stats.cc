#include "tensor_stats.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace ember::cli {
namespace {

double HalfToDouble(uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  double value;
  if (exponent == 0) {
    value = mantissa * 0x1.0p-24;  // subnormal
  } else if (exponent == 31) {
    value = mantissa ? std::numeric_limits<double>::quiet_NaN()
                     : std::numeric_limits<double>::infinity();
  } else {
    value = (1024 + mantissa) * std::ldexp(1.0, exponent - 25);
  }
  return (h & 0x8000) ? -value : value;
}

// Element i as a double; false for types without numeric values.
bool Element(const Tensor& t, int64_t i, double* v) {
  switch (t.type) {
    case DataType::kFloat32:
      *v = t.data_as<float>()[i];
      return true;
    case DataType::kFloat64:
      *v = t.data_as<double>()[i];
      return true;
    case DataType::kFloat16:
      *v = HalfToDouble(t.data_as<uint16_t>()[i]);
      return true;
    case DataType::kBFloat16: {
      const uint32_t bits = static_cast<uint32_t>(t.data_as<uint16_t>()[i])
                            << 16;
      float f;
      memcpy(&f, &bits, 4);
      *v = f;
      return true;
    }
    case DataType::kInt8:
      *v = t.data_as<int8_t>()[i];
      return true;
    case DataType::kUInt8:
      *v = t.data_as<uint8_t>()[i];
      return true;
    case DataType::kInt16:
      *v = t.data_as<int16_t>()[i];
      return true;
    case DataType::kUInt16:
      *v = t.data_as<uint16_t>()[i];
      return true;
    case DataType::kInt32:
      *v = t.data_as<int32_t>()[i];
      return true;
    case DataType::kUInt32:
      *v = t.data_as<uint32_t>()[i];
      return true;
    case DataType::kInt64:
      *v = static_cast<double>(t.data_as<int64_t>()[i]);
      return true;
    case DataType::kUInt64:
      *v = static_cast<double>(t.data_as<uint64_t>()[i]);
      return true;
    case DataType::kBool:
      *v = t.data_as<uint8_t>()[i] ? 1 : 0;
      return true;
    default:
      return false;
  }
}

bool ClassifierLike(const Tensor& t) {
  if (t.shape.rank < 1) return false;
  const int32_t classes = t.shape.dims[t.shape.rank - 1];
  return classes >= 2 && t.NumElements() == classes &&
         t.type != DataType::kBool;
}

}  // namespace

std::optional<TensorStats> ComputeStats(const Tensor& t) {
  const int64_t n = t.NumElements();
  double first;
  if (n <= 0 || t.data == nullptr || !Element(t, 0, &first))
    return std::nullopt;
  TensorStats s;
  s.dequantized = t.quant.quantized() && t.quant.count == 1;
  const double scale = s.dequantized ? t.quant.scale0() : 1.0;
  const double zero_point = s.dequantized ? t.quant.zero_point0() : 0.0;
  std::vector<double> values(n);
  for (int64_t i = 0; i < n; ++i) {
    double v;
    Element(t, i, &v);
    values[i] = (v - zero_point) * scale;
  }
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  s.min = *lo;
  s.max = *hi;
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(n);
  if (ClassifierLike(t)) {
    std::vector<int64_t> order(n);
    for (int64_t i = 0; i < n; ++i) order[i] = i;
    const int64_t k = std::min<int64_t>(5, n);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int64_t a, int64_t b) {
                        return values[a] > values[b] ||
                               (values[a] == values[b] && a < b);
                      });
    for (int64_t i = 0; i < k; ++i)
      s.top.emplace_back(order[i], values[order[i]]);
  }
  return s;
}

}  // namespace ember::cli
