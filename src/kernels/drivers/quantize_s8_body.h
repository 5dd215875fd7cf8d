// The per-batch input quantization of the hybrid kernels around an ISA's
// two vector loops, written once: included by kernels/x86/quantize_s8_*.cc
// with a traits type V compiled with that ISA's flags:
//   V::MinMax(x, n, &lo, &hi)            the reference's min / max scan
//   V::QuantizeValues(x, n, inverse, zero_point, qmin, out)
//       out = clamp(round_half_away(x * inverse) + zero_point, qmin, 127)
// The scale and zero point follow ref::SymmetricQuantizeToInt8 /
// AsymmetricQuantizeToInt8 exactly.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/ref/conv_common.h"

namespace ember::x86 {
namespace {

template <class V>
void QuantizeSymmetricWith(const float* x, int64_t n, int8_t* out,
                           float* scale) {
  float lo = 0.0f, hi = 0.0f;
  if (n > 0) V::MinMax(x, n, &lo, &hi);
  const float range = std::max(std::fabs(lo), std::fabs(hi));
  if (range == 0.0f) {
    std::memset(out, 0, static_cast<size_t>(n));
    *scale = 1.0f;
    return;
  }
  *scale = range / 127.0f;
  V::QuantizeValues(x, n, 127.0f / range, 0, -127, out);
}

template <class V>
void QuantizeAsymmetricWith(const float* x, int64_t n, int8_t* out,
                            float* scale, int32_t* zero_point) {
  float lo = 0.0f, hi = 0.0f;
  if (n > 0) V::MinMax(x, n, &lo, &hi);
  const ref::AsymmetricInt8Params p = ref::ChooseAsymmetricInt8(lo, hi);
  *scale = p.scale;
  *zero_point = p.zero_point;
  if (p.all_zero) {
    std::memset(out, 0, static_cast<size_t>(n));
    return;
  }
  V::QuantizeValues(x, n, p.inverse_scale, p.zero_point, -128, out);
}

}  // namespace
}  // namespace ember::x86
