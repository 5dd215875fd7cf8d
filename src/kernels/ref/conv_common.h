// Pieces shared by the reference kernels of the convolution family
// (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV): the final
// requantization step and the on-the-fly input quantization of hybrid
// (dynamic-range) kernels. Header-only, heap-free.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "kernels/ref/quant_util.h"

namespace ember::ref {

// How the accumulator is scaled to the output (see Requantize).
enum class Rounding : int32_t {
  // TFLite's reference conv arithmetic: saturating rounding doubling high
  // multiply, then a rounding right shift (two roundings). 64-bit
  // accumulators use the 16-bit reduced multiplier variant.
  kDouble,
  // One rounding: (acc * multiplier + 2^(n-1)) >> n with n = 31 - shift,
  // in 64-bit arithmetic (ties round up). LiteRT's FULLY_CONNECTED
  // produces these bits for every integer type.
  kSingle,
};

inline int32_t MultiplySingleRounding(int64_t x, int32_t multiplier,
                                      int shift) {
  const int total_shift = 31 - shift;
  const int64_t round = static_cast<int64_t>(1) << (total_shift - 1);
  const int64_t r =
      (x * static_cast<int64_t>(multiplier) + round) >> total_shift;
  return static_cast<int32_t>(
      std::clamp<int64_t>(r, std::numeric_limits<int32_t>::min(),
                          std::numeric_limits<int32_t>::max()));
}

// Requantizes one accumulator to the output's integer domain:
// acc * multiplier * 2^shift + output_offset, clamped to [lo, hi]. With
// double rounding the accumulator type picks the variant: 32-bit
// accumulators use the Q31 multiply, 64-bit ones (int16 activations with
// int64 bias) the 64-bit variant.
template <typename AccT>
inline int32_t Requantize(AccT acc, int32_t multiplier, int shift,
                          int32_t output_offset, int32_t lo, int32_t hi,
                          Rounding rounding = Rounding::kDouble) {
  int32_t v = rounding == Rounding::kSingle
                  ? MultiplySingleRounding(acc, multiplier, shift)
                  : MultiplyByQuantizedMultiplier(acc, multiplier, shift);
  // Wrapping, as the reference's int32 arithmetic on any hardware: a
  // hostile zero point must not be undefined behaviour.
  v = static_cast<int32_t>(static_cast<uint32_t>(v) +
                           static_cast<uint32_t>(output_offset));
  return std::min(std::max(v, lo), hi);
}

// Round half away from zero, as C's round().
inline float RoundHalfAway(float x) { return std::round(x); }

// Symmetric per-batch quantization of a float vector to int8 in
// [-127, 127]: q = round(x * 127 / range), range = max |x|. *scale receives
// range / 127 (1 when the vector is all zeros, which quantizes to zeros).
inline void SymmetricQuantizeToInt8(const float* values, int64_t n, int8_t* out,
                                    float* scale) {
  float lo = 0.0f, hi = 0.0f;
  if (n > 0) {
    lo = hi = values[0];
    for (int64_t i = 1; i < n; ++i) {
      lo = std::min(lo, values[i]);
      hi = std::max(hi, values[i]);
    }
  }
  const float range = std::max(std::fabs(lo), std::fabs(hi));
  if (range == 0.0f) {
    std::memset(out, 0, static_cast<size_t>(n));
    *scale = 1.0f;
    return;
  }
  *scale = range / 127.0f;
  const float inverse = 127.0f / range;
  for (int64_t i = 0; i < n; ++i) {
    const int32_t q = static_cast<int32_t>(RoundHalfAway(values[i] * inverse));
    out[i] =
        static_cast<int8_t>(std::min<int32_t>(127, std::max<int32_t>(-127, q)));
  }
}

// Asymmetric per-batch quantization to int8 in [-128, 127], with LiteRT's
// arithmetic (verified bit-for-bit against its BUILTIN_REF hybrid CONV_2D,
// DEPTHWISE_CONV_2D and FULLY_CONNECTED): the real range is widened to
// include zero and its width is a float subtraction (max - min); the zero
// point comes from whichever end (min or max) gives the smaller error,
// nudged into [-128, 127]; each value is rounded half away from zero
// *before* the zero point is added. Computing the width in double, or
// rounding (zero point + x / scale), moves values that sit near a rounding
// boundary by one step (about 1e-3 relative at the op on large inputs).
// *scale = (max - min) / 255; all-zero (or constant-zero) ranges give
// scale 1, zero point 0 and zeros.
struct AsymmetricInt8Params {
  float scale = 1.0f;
  float inverse_scale = 1.0f;
  int32_t zero_point = 0;
  bool all_zero = true;
};

inline AsymmetricInt8Params ChooseAsymmetricInt8(float min_value,
                                                 float max_value) {
  AsymmetricInt8Params p;
  const float lo = std::min(0.0f, min_value);
  const float hi = std::max(0.0f, max_value);
  if (lo == hi) return p;
  p.all_zero = false;
  const double qmin = -128.0, qmax = 127.0;
  const double rmin = static_cast<double>(lo);
  const double rmax = static_cast<double>(hi);
  const float width = hi - lo;  // float, as LiteRT computes it
  const double s = static_cast<double>(width) / (qmax - qmin);
  const double zp_from_min = qmin - rmin / s;
  const double zp_from_max = qmax - rmax / s;
  const double err_min = std::fabs(qmin) + std::fabs(rmin / s);
  const double err_max = std::fabs(qmax) + std::fabs(rmax / s);
  const double zp = err_min < err_max ? zp_from_min : zp_from_max;
  if (zp <= qmin) {
    p.zero_point = -128;
  } else if (zp >= qmax) {
    p.zero_point = 127;
  } else {
    p.zero_point = static_cast<int32_t>(std::round(zp));
  }
  p.scale = static_cast<float>(s);
  p.inverse_scale = static_cast<float>(1.0 / static_cast<double>(p.scale));
  return p;
}

inline void AsymmetricQuantizeToInt8(const float* values, int64_t n,
                                     int8_t* out, float* scale,
                                     int32_t* zero_point) {
  float lo = 0.0f, hi = 0.0f;
  if (n > 0) {
    lo = hi = values[0];
    for (int64_t i = 1; i < n; ++i) {
      lo = std::min(lo, values[i]);
      hi = std::max(hi, values[i]);
    }
  }
  const AsymmetricInt8Params p = ChooseAsymmetricInt8(lo, hi);
  *scale = p.scale;
  *zero_point = p.zero_point;
  if (p.all_zero) {
    std::memset(out, 0, static_cast<size_t>(n));
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    const int32_t q =
        static_cast<int32_t>(RoundHalfAway(values[i] * p.inverse_scale)) +
        p.zero_point;
    out[i] =
        static_cast<int8_t>(std::min<int32_t>(127, std::max<int32_t>(-128, q)));
  }
}

}  // namespace ember::ref
