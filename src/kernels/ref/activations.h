// Reference math for activation functions on quantized data: requantizing
// clamps (RELU family), LEAKY_RELU, PRELU, 8-bit lookup tables (LOGISTIC,
// TANH, GELU, ELU, EXP), the int16 LOGISTIC / TANH interpolation, and the
// fixed-point HARD_SWISH. Bit-exact with TFLite's reference kernels.
// Heap-free.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>

#include "kernels/ref/quant_util.h"

namespace ember::ref {

// ---------------------------------------------------------------------------
// RELU / RELU6 / RELU_N1_TO_1 / RELU_0_TO_1 on quantized data: rescale from
// the input to the output quantization, then clamp to the quantized bounds.
struct QuantReluParams {
  int32_t in_zero_point, out_zero_point;
  int32_t mult;
  int shift;
  int32_t lo, hi;
};

inline int32_t QuantRelu(const QuantReluParams& p, int32_t x) {
  const int32_t v =
      p.out_zero_point +
      MultiplyByQuantizedMultiplier(x - p.in_zero_point, p.mult, p.shift);
  return std::min(std::max(v, p.lo), p.hi);
}

// LEAKY_RELU: two rescalings, identity for x >= 0 and alpha for x < 0.
struct LeakyReluParams {
  int32_t in_zero_point, out_zero_point;
  int32_t identity_mult, alpha_mult;
  int identity_shift, alpha_shift;
  int32_t qmin, qmax;
};

inline int32_t QuantLeakyRelu(const LeakyReluParams& p, int32_t x) {
  const int32_t v = x - p.in_zero_point;
  const int32_t r =
      p.out_zero_point +
      (v >= 0
           ? MultiplyByQuantizedMultiplier(v, p.identity_mult, p.identity_shift)
           : MultiplyByQuantizedMultiplier(v, p.alpha_mult, p.alpha_shift));
  return std::min(std::max(r, p.qmin), p.qmax);
}

// PRELU: x >= 0 rescaled by sx/so; x < 0 multiplied by the (quantized)
// alpha and rescaled by sx*sa/so.
struct PreluParams {
  int32_t in_offset, alpha_offset, out_offset;  // in/alpha: -zp, out: +zp
  int32_t pos_mult, neg_mult;
  int pos_shift, neg_shift;
  int32_t qmin, qmax;
};

inline int32_t QuantPrelu(const PreluParams& p, int32_t x, int32_t alpha) {
  const int32_t v = p.in_offset + x;
  int32_t r;
  if (v >= 0) {
    r = MultiplyByQuantizedMultiplier(v, p.pos_mult, p.pos_shift);
  } else {
    r = MultiplyByQuantizedMultiplier(v * (p.alpha_offset + alpha), p.neg_mult,
                                      p.neg_shift);
  }
  r += p.out_offset;
  return std::min(std::max(r, p.qmin), p.qmax);
}

// ---------------------------------------------------------------------------
// 8-bit lookup tables: every possible input is dequantized, transformed in
// float, requantized (round half away from zero) and clamped. The table is
// indexed by the input's raw byte.
template <typename T>
inline void PopulateLut8(float in_scale, int32_t in_zero_point, float out_scale,
                         int32_t out_zero_point, float (*transform)(float),
                         uint8_t table[256]) {
  static_assert(sizeof(T) == 1, "8-bit tables only");
  constexpr int32_t kMin = std::numeric_limits<T>::min();
  constexpr int32_t kMax = std::numeric_limits<T>::max();
  const float inverse_scale = 1.0f / out_scale;
  for (int32_t v = kMin; v <= kMax; ++v) {
    const float real = in_scale * static_cast<float>(v - in_zero_point);
    const float scaled = std::round(transform(real) * inverse_scale);
    float q = scaled + static_cast<float>(out_zero_point);
    // Saturate in float first: casting a float outside int32 is undefined.
    q = std::min(std::max(q, static_cast<float>(kMin)),
                 static_cast<float>(kMax));
    const int32_t quantized = std::isnan(q) ? kMin : static_cast<int32_t>(q);
    table[static_cast<uint8_t>(static_cast<T>(v))] =
        static_cast<uint8_t>(static_cast<T>(quantized));
  }
}

// int16 lookup tables: 512 segments over the input range plus an end point;
// a lookup interpolates linearly between two entries using the low 7 bits.
// Each entry is the sampled function, nudged by half the error the linear
// interpolation would make at the segment's midpoint. Output is symmetric
// (zero point 0).
constexpr int kLut16Size = 513;

inline void PopulateLut16(float in_scale, int32_t in_zero_point,
                          float out_scale, int32_t out_zero_point,
                          float (*transform)(float),
                          int16_t table[kLut16Size]) {
  const float in_min = in_scale * static_cast<float>(-32768 - in_zero_point);
  const float in_max = in_scale * static_cast<float>(32767 - in_zero_point);
  const float out_min = out_scale * static_cast<float>(-32768 - out_zero_point);
  const float out_max = out_scale * static_cast<float>(32767 - out_zero_point);
  constexpr int kSteps = 512;
  const float step = (in_max - in_min) / kSteps;
  const float half_step = step / 2;
  const float inv = 65536.0f / (out_max - out_min);
  auto clamp16 = [](float v) {
    return static_cast<int16_t>(std::min(std::max(v, -32768.0f), 32767.0f));
  };
  for (int i = 0; i < kSteps; ++i) {
    const float v = transform(in_min + i * step);
    const float v_mid = transform(in_min + i * step + half_step);
    const float v_next = transform(in_min + (i + 1) * step);
    const float sample = std::round(v * inv);
    const float mid_interp =
        std::round((v_next * inv + std::round(v * inv)) / 2);
    const float mid_exact = std::round(v_mid * inv);
    const float bias = std::round((mid_interp - mid_exact) / 2);
    table[i] = clamp16(sample - bias);
  }
  table[kSteps] = clamp16(std::round(transform(in_max) * inv));
}

inline int16_t LookupLut16(const int16_t table[kLut16Size], int16_t x) {
  const int index = 256 + (x >> 7);
  const int32_t offset = x & 0x7F;
  const int32_t base = table[index];
  const int32_t slope = table[index + 1] - table[index];
  return static_cast<int16_t>(base + ((slope * offset + 64) >> 7));
}

// Quantized SQRT as the reference computes it: real = sqrt(dequantized x),
// requantized by truncating real / out_scale toward zero.
template <typename T>
inline T QuantSqrtTrunc(float in_scale, int32_t in_zero_point, float out_scale,
                        int32_t out_zero_point, int32_t x) {
  constexpr float kMin = std::numeric_limits<T>::min();
  constexpr float kMax = std::numeric_limits<T>::max();
  const float real =
      std::sqrt(in_scale * static_cast<float>(x - in_zero_point));
  float q = std::trunc(real / out_scale) + static_cast<float>(out_zero_point);
  q = std::min(std::max(q, kMin), kMax);
  return std::isnan(q) ? static_cast<T>(kMin) : static_cast<T>(q);
}

// int8 SQRT as a table of the above.
inline void PopulateSqrtLutInt8(float in_scale, int32_t in_zero_point,
                                float out_scale, int32_t out_zero_point,
                                uint8_t table[256]) {
  for (int32_t v = -128; v <= 127; ++v) {
    table[static_cast<uint8_t>(static_cast<int8_t>(v))] =
        static_cast<uint8_t>(QuantSqrtTrunc<int8_t>(
            in_scale, in_zero_point, out_scale, out_zero_point, v));
  }
}

template <typename T>
inline T LookupLut8(const uint8_t table[256], T x) {
  return static_cast<T>(table[static_cast<uint8_t>(x)]);
}

// Float transforms used to build tables (and by the float kernels).
inline float LogisticF(float x) { return 1.0f / (1.0f + std::exp(-x)); }
inline float TanhF(float x) { return std::tanh(x); }
inline float EluF(float x) { return x < 0.0f ? std::expm1(x) : x; }
inline float ExpF(float x) { return std::exp(x); }
inline float LogF(float x) { return std::log(x); }
inline float SqrtF(float x) { return std::sqrt(x); }
inline float RsqrtF(float x) { return 1.0f / std::sqrt(x); }
inline float GeluF(float x) {
  // 0.5 x (1 + erf(x / sqrt 2)) written with erfc for accuracy.
  return 0.5f * x * std::erfc(x * -0.70710678118654752440f);
}
inline float GeluApproxF(float x) {
  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  constexpr float kSqrt2OverPi = 0.79788456080286535588f;
  return 0.5f * x *
         (1.0f + std::tanh(kSqrt2OverPi * (x + 0.044715f * x * x * x)));
}

// ---------------------------------------------------------------------------
// int16 LOGISTIC / TANH. Both interpolate one 256-entry table of
// sigmoid(i / 24) in unsigned 0.16 fixed point, over |x| scaled so that
// 2^17 represents about 10.7 (tanh(x) = 2 sigmoid(2x) - 1).
// The values are round(65536 * sigmoid(i / 24)) (clamped to 65535) with 45
// entries one higher; they were measured from LiteRT's int16 TANH output
// (an input scale of (4/3) 2^-13 makes each output equal an entry), since
// bit-exactness needs the exact constants and no closed form reproduces them.
inline const uint16_t* SigmoidTable16() {
  static constexpr uint16_t kTable[256] = {
      32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841,
      39498, 40149, 40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102,
      45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464,
      50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755,
      55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433, 57724, 58007,
      58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
      60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036,
      62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
      63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968,
      64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494,
      64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845,
      64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
      65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234,
      65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337,
      65345, 65352, 65360, 65367, 65374, 65381, 65387, 65393, 65399, 65404,
      65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
      65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479,
      65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
      65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511,
      65512, 65513, 65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520,
      65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525, 65525,
      65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529,
      65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531, 65531, 65531,
      65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
      65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534,
      65534, 65534, 65534, 65534, 65534, 65535,
  };
  return kTable;
}

// input_multiplier == 0 selects the power-of-two input scale case, where
// the input is scaled by 3 << input_left_shift.
struct Int16SigmoidParams {
  int32_t input_multiplier;
  int32_t input_left_shift;
};

inline void ResolveInt16SigmoidScale(const Int16SigmoidParams& p, int32_t* mult,
                                     int32_t* shift, int32_t* round) {
  *mult = p.input_multiplier;
  *shift = p.input_left_shift;
  if (*mult == 0) {
    *mult = 3 << *shift;
    *shift = 0;
  }
  *round = *shift > 0 ? (1 << (*shift - 1)) : 0;
}

inline int16_t LogisticInt16(const Int16SigmoidParams& p, int16_t x) {
  int32_t mult, shift, round;
  ResolveInt16SigmoidScale(p, &mult, &shift, &round);
  const uint16_t* table = SigmoidTable16();
  const int32_t v = (static_cast<int32_t>(x) * mult + round) >> shift;
  const uint32_t a = static_cast<uint32_t>(std::abs(v));
  const uint32_t hi = a >> 9;
  uint32_t r;
  if (hi >= 255) {
    r = 0x7FFFu << 10;
  } else {
    const uint32_t t0 = table[hi], t1 = table[hi + 1];
    r = (t0 << 9) + (a & 0x1FF) * (t1 - t0);
  }
  r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
  return static_cast<int16_t>(r >> 10);
}

inline int16_t TanhInt16(const Int16SigmoidParams& p, int16_t x) {
  int32_t mult, shift, round;
  ResolveInt16SigmoidScale(p, &mult, &shift, &round);
  const uint16_t* table = SigmoidTable16();
  const int32_t v = (static_cast<int32_t>(x) * mult + round) >> shift;
  const uint32_t a = static_cast<uint32_t>(std::abs(v));
  const uint32_t hi = a >> 8;
  int32_t r;
  if (hi >= 255) {
    r = 0xFFFF << 8;
  } else {
    const uint32_t t0 = table[hi], t1 = table[hi + 1];
    r = static_cast<int32_t>((t0 << 8) + (a & 0xFF) * (t1 - t0));
  }
  r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
  return static_cast<int16_t>(r >> 8);
}

// ---------------------------------------------------------------------------
// HARD_SWISH on 8-bit data: x * relu6(x + 3) / 6 in 16-bit fixed point.
// The input is moved to a high-resolution scale (x * 2^7); a "reluish"
// factor in [0, 1] is x rescaled so that 3.0 maps to 2^15, saturated, and
// shifted to [0, 1]; the product is taken on the output scale.
struct HardSwishParams {
  int32_t in_zero_point, out_zero_point;
  int16_t reluish_mult;  // Q15
  int reluish_shift;
  int16_t out_mult;  // Q15
  int out_shift;     // <= 0
};

inline int16_t SatRoundDoublingHighMul16(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min()) return 32767;
  const int32_t ab = static_cast<int32_t>(a) * static_cast<int32_t>(b);
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((ab + nudge) / (1 << 15));
}

// Truncating (not rounding) variant.
inline int16_t SatDoublingHighMul16(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min()) return 32767;
  const int32_t ab = static_cast<int32_t>(a) * static_cast<int32_t>(b);
  return static_cast<int16_t>(ab / (1 << 15));
}

inline int16_t SatLeftShift16(int16_t x, int amount) {
  const int32_t v = static_cast<int32_t>(x) * (1 << amount);
  return static_cast<int16_t>(std::min(std::max(v, -32768), 32767));
}

// Reduces a Q31 multiplier to Q15 with rounding (saturating at the top).
inline int16_t Q31ToQ15(int32_t m) {
  if (m >= std::numeric_limits<int32_t>::max() - (1 << 15)) return 32767;
  return static_cast<int16_t>((m + (1 << 15)) >> 16);
}

template <typename T>
inline T QuantHardSwish(const HardSwishParams& p, T x) {
  const int16_t v =
      static_cast<int16_t>(static_cast<int32_t>(x) - p.in_zero_point);
  const int16_t hires = static_cast<int16_t>(v * (1 << 7));
  const int16_t on_out_scale = SatRoundDoublingHighMul16(hires, p.out_mult);
  int16_t reluish = hires;
  if (p.reluish_shift > 0)
    reluish = SatLeftShift16(reluish, p.reluish_shift - 1);
  reluish = SatRoundDoublingHighMul16(reluish, p.reluish_mult);
  if (p.reluish_shift > 0) reluish = SatLeftShift16(reluish, 1);
  if (p.reluish_shift < 0)
    reluish =
        static_cast<int16_t>(RoundingDivideByPOT(reluish, -p.reluish_shift));
  reluish =
      static_cast<int16_t>((static_cast<int32_t>(reluish) + (1 << 15)) >> 1);
  const int16_t pre = SatDoublingHighMul16(reluish, on_out_scale);
  // The reference adds the zero point in 16 bits (wrapping) before clamping.
  int32_t out = static_cast<int16_t>(RoundingDivideByPOT(pre, -p.out_shift) +
                                     p.out_zero_point);
  out = std::min<int32_t>(out, std::numeric_limits<T>::max());
  out = std::max<int32_t>(out, std::numeric_limits<T>::min());
  return static_cast<T>(out);
}

}  // namespace ember::ref
