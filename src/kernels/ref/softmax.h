// Reference SOFTMAX / LOG_SOFTMAX over the last dimension.
// Integer paths follow LiteRT's reference arithmetic: 8-bit inputs use the
// Q5.26 fixed-point exp with a Q12 accumulator; int16 uses 513-entry
// interpolated lookup tables for exp and 1/(1+x).
// Every kernel here reads x[c] before writing y[c] of the same row, so the
// output may alias the input (same type and shape).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/ref/fixed_point.h"
#include "kernels/ref/quant_util.h"

namespace ember::ref {

struct SoftmaxParams {
  int64_t outer = 0;  // rows
  int32_t depth = 0;  // length of the last dimension
  float beta = 1.0f;
  // 8-bit inputs: input_diff * beta * scale in Q5.26, via
  // MultiplyByQuantizedMultiplierGreaterThanOne; diffs below diff_min are
  // treated as exp() == 0.
  int32_t input_multiplier = 0;
  int input_left_shift = 0;
  int32_t diff_min = 0;
  // int16: LUTs (513 entries each) and the input rescale (shift may be
  // negative, used with MultiplyByQuantizedMultiplier).
  const int16_t* exp_lut = nullptr;
  const int16_t* one_over_one_plus_x_lut = nullptr;
};

inline void SoftmaxFloat(const SoftmaxParams& p, const float* in, float* out) {
  for (int64_t r = 0; r < p.outer; ++r) {
    const float* x = in + r * p.depth;
    float* y = out + r * p.depth;
    float max = std::numeric_limits<float>::lowest();
    for (int32_t c = 0; c < p.depth; ++c) max = std::max(max, x[c]);
    float sum = 0.0f;
    for (int32_t c = 0; c < p.depth; ++c) {
      y[c] = std::exp((x[c] - max) * p.beta);
      sum += y[c];
    }
    for (int32_t c = 0; c < p.depth; ++c) y[c] /= sum;
  }
}

inline void LogSoftmaxFloat(const SoftmaxParams& p, const float* in,
                            float* out) {
  for (int64_t r = 0; r < p.outer; ++r) {
    const float* x = in + r * p.depth;
    float* y = out + r * p.depth;
    float max = std::numeric_limits<float>::lowest();
    for (int32_t c = 0; c < p.depth; ++c) max = std::max(max, x[c]);
    float sum = 0.0f;
    for (int32_t c = 0; c < p.depth; ++c) sum += std::exp(x[c] - max);
    const float log_sum = std::log(sum);
    for (int32_t c = 0; c < p.depth; ++c) y[c] = x[c] - max - log_sum;
  }
}

// Multiplier and shift for the 8-bit paths: beta * input_scale scaled to
// Q5.26 (capped so it stays a valid Q31 multiplier), and the most negative
// input difference that still contributes.
inline void PrepareSoftmax8Bit(double beta, double input_scale,
                               SoftmaxParams* p) {
  constexpr int kScaledDiffIntegerBits = 5;
  const double real =
      std::min(beta * input_scale * (1 << (31 - kScaledDiffIntegerBits)),
               static_cast<double>((int64_t{1} << 31) - 1));
  QuantizeMultiplier(real, &p->input_multiplier, &p->input_left_shift);
  const double radius =
      1.0 * ((1 << kScaledDiffIntegerBits) - 1) *
      static_cast<double>(int64_t{1} << (31 - kScaledDiffIntegerBits)) /
      static_cast<double>(int64_t{1} << p->input_left_shift);
  p->diff_min = -static_cast<int32_t>(std::floor(radius));
}

// 8-bit input, 8- or 16-bit output; the output's zero is the type minimum
// and its scale 1 / 2^bits.
template <typename In, typename Out>
inline void SoftmaxQuantized8(const SoftmaxParams& p, const In* in, Out* out) {
  constexpr int kScaledDiffIntegerBits = 5;
  constexpr int kAccumulationIntegerBits = 12;
  constexpr int32_t kOutMin = std::numeric_limits<Out>::min();
  constexpr int32_t kOutMax = std::numeric_limits<Out>::max();
  constexpr int kOutBits = static_cast<int>(sizeof(Out) * 8);
  for (int64_t r = 0; r < p.outer; ++r) {
    const In* x = in + r * p.depth;
    Out* y = out + r * p.depth;
    int32_t max = std::numeric_limits<In>::min();
    for (int32_t c = 0; c < p.depth; ++c) max = std::max<int32_t>(max, x[c]);
    auto scaled_exp = [&](int32_t diff) {
      const int32_t scaled = MultiplyByQuantizedMultiplierGreaterThanOne(
          diff, p.input_multiplier, p.input_left_shift);
      return ExpOnNegativeValues(scaled, kScaledDiffIntegerBits);  // Q0
    };
    int32_t sum = 0;  // Q12
    for (int32_t c = 0; c < p.depth; ++c) {
      const int32_t diff = static_cast<int32_t>(x[c]) - max;
      if (diff >= p.diff_min)
        sum += RescaleQ(scaled_exp(diff), 0, kAccumulationIntegerBits);
    }
    int num_bits_over_unit = 0;
    const int32_t reciprocal =
        GetReciprocal(sum, kAccumulationIntegerBits, &num_bits_over_unit);
    const int exponent = num_bits_over_unit + 31 - kOutBits;
    for (int32_t c = 0; c < p.depth; ++c) {
      const int32_t diff = static_cast<int32_t>(x[c]) - max;
      if (diff >= p.diff_min) {
        const int32_t prob =
            SaturatingRoundingDoublingHighMul(reciprocal, scaled_exp(diff));
        // LiteRT only allows exponent <= 31 (it aborts on longer rows of
        // near-equal values with 8-bit outputs); beyond that the same
        // rounding is done in 64 bits.
        const int32_t scaled =
            exponent <= 31
                ? RoundingDivideByPOT(prob, exponent)
                : static_cast<int32_t>((static_cast<int64_t>(prob) +
                                        (int64_t{1} << (exponent - 1))) >>
                                       exponent);
        const int32_t v = scaled + kOutMin;
        y[c] = static_cast<Out>(std::min(std::max(v, kOutMin), kOutMax));
      } else {
        y[c] = static_cast<Out>(kOutMin);
      }
    }
  }
}

// Fills a 513-entry int16 table for func over the input range given by
// (input_scale, input_zero_point) of an int16 value and the output range
// given by (output_scale, output_zero_point). Entry i samples func at the
// i-th of 512 steps, biased by half the interpolation error at the step's
// midpoint; entry 512 only serves as the last slope's end.
template <typename Func>
inline void PopulateInt16Lut(double input_scale, int32_t input_zero_point,
                             double output_scale, int32_t output_zero_point,
                             Func func, int16_t* lut) {
  const double input_min =
      input_scale * (std::numeric_limits<int16_t>::min() - input_zero_point);
  const double input_max =
      input_scale * (std::numeric_limits<int16_t>::max() - input_zero_point);
  const double output_min =
      output_scale * (std::numeric_limits<int16_t>::min() - output_zero_point);
  const double output_max =
      output_scale * (std::numeric_limits<int16_t>::max() - output_zero_point);
  constexpr int kSteps = 512;
  const double step = (input_max - input_min) / kSteps;
  const double half_step = step / 2;
  const double out_inv = 65536.0 / (output_max - output_min);
  const double lo = std::numeric_limits<int16_t>::min();
  const double hi = std::numeric_limits<int16_t>::max();
  for (int i = 0; i < kSteps; ++i) {
    const double v = func(input_min + i * step);
    const double v_mid = func(input_min + i * step + half_step);
    const double v_next = func(input_min + (i + 1) * step);
    const double sample = std::round(v * out_inv);
    const double interp_mid =
        std::round((v_next * out_inv + std::round(v * out_inv)) / 2);
    const double actual_mid = std::round(v_mid * out_inv);
    const double bias = std::round((interp_mid - actual_mid) / 2);
    lut[i] = static_cast<int16_t>(std::min(std::max(sample - bias, lo), hi));
  }
  lut[kSteps] = static_cast<int16_t>(
      std::min(std::max(std::round(func(input_max) * out_inv), lo), hi));
}

// Linear interpolation in a 513-entry table indexed by the top 9 bits.
inline int16_t Int16LutLookup(int16_t value, const int16_t* lut) {
  const int index = 256 + (value >> 7);
  const int32_t offset = value & 0x7f;
  const int32_t base = lut[index];
  const int32_t slope = lut[index + 1] - lut[index];
  return static_cast<int16_t>(base + ((slope * offset + 64) >> 7));
}

inline void SoftmaxInt16(const SoftmaxParams& p, const int16_t* in,
                         int16_t* out) {
  for (int64_t r = 0; r < p.outer; ++r) {
    const int16_t* x = in + r * p.depth;
    int16_t* y = out + r * p.depth;
    int32_t max = std::numeric_limits<int16_t>::min();
    for (int32_t c = 0; c < p.depth; ++c) max = std::max<int32_t>(max, x[c]);
    // exp(x - max) in Q0.15, kept in the output row until normalised.
    int32_t sum = 0;  // Q16.15
    for (int32_t c = 0; c < p.depth; ++c) {
      const int32_t diff = static_cast<int32_t>(x[c]) - max;
      // [-65535, 0] <-> [-10, 0], then recentred on [-32768, 32767].
      const int32_t scaled = MultiplyByQuantizedMultiplier(
                                 diff, p.input_multiplier, p.input_left_shift) +
                             32767;
      const int16_t clamped =
          static_cast<int16_t>(std::min(std::max(scaled, -32768), 32767));
      y[c] = Int16LutLookup(clamped, p.exp_lut);
      sum += y[c];
    }
    const int headroom_plus_one =
        CountLeadingZeros32(static_cast<uint32_t>(sum));
    const int32_t shifted_sum = static_cast<int32_t>(
        ((static_cast<int64_t>(sum) << (headroom_plus_one - 1)) + (1 << 13)) >>
        14);
    // 1/(1+x) with x = sum - 1, recentred from [0, 65535] to [-32768, 32767].
    const int32_t centred = shifted_sum - ((1 << 15) + (1 << 16));
    const int16_t clamped =
        static_cast<int16_t>(std::min(std::max(centred, -32768), 32767));
    const int32_t reciprocal =
        Int16LutLookup(clamped, p.one_over_one_plus_x_lut);
    const int right_shift = 31 - headroom_plus_one;
    const int64_t round = int64_t{1} << (right_shift - 1);
    for (int32_t c = 0; c < p.depth; ++c) {
      const int32_t v = static_cast<int32_t>(
          (static_cast<int64_t>(y[c]) * reciprocal + round) >> right_shift);
      y[c] = static_cast<int16_t>(std::min(std::max(v, 0), 32767));
    }
  }
}

// LOG_SOFTMAX for 8-bit input and output (output scale 16/256, zero point
// at the type maximum): log(sum exp) in Q5.26, then x - max - log(sum).
struct LogSoftmaxQuantParams {
  int32_t input_multiplier = 0;
  int input_left_shift = 0;
  int32_t reverse_multiplier = 0;  // ~1 / input_multiplier, for diff_min
  int reverse_shift = 0;           // exponent (<= 0) of reverse_multiplier
  int32_t diff_min = 0;
};

inline void PrepareLogSoftmax8Bit(double input_scale,
                                  LogSoftmaxQuantParams* p) {
  SoftmaxParams sp;
  PrepareSoftmax8Bit(1.0, input_scale, &sp);
  p->input_multiplier = sp.input_multiplier;
  p->input_left_shift = sp.input_left_shift;
  p->diff_min = sp.diff_min;
  const double reverse =
      static_cast<double>(int64_t{1} << (31 - p->input_left_shift)) /
      sp.input_multiplier;
  QuantizeMultiplier(reverse, &p->reverse_multiplier, &p->reverse_shift);
}

template <typename T>
inline void LogSoftmaxQuantized8(const LogSoftmaxQuantParams& p, int64_t outer,
                                 int32_t depth, const T* in, T* out) {
  constexpr int kInputBits = 5, kAccumBits = 12, kOutputBits = 4;
  constexpr int32_t kMin = std::numeric_limits<T>::min();
  constexpr int32_t kMax = std::numeric_limits<T>::max();
  for (int64_t r = 0; r < outer; ++r) {
    const T* x = in + r * depth;
    T* y = out + r * depth;
    int32_t max = kMin;
    for (int32_t c = 0; c < depth; ++c) max = std::max<int32_t>(max, x[c]);
    int32_t sum = 0;  // Q12
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = static_cast<int32_t>(x[c]) - max;
      if (diff >= p.diff_min) {
        const int32_t scaled = MultiplyByQuantizedMultiplier(
            diff, p.input_multiplier, p.input_left_shift);
        sum += RescaleQ(ExpOnNegativeValues(scaled, kInputBits), 0, kAccumBits);
      }
    }
    const int32_t log_sum =
        LogXGreaterEqualOne(sum, kAccumBits, kInputBits);  // Q5
    // Differences whose result would fall below the Q5 range are clamped.
    const int32_t shifted_log_sum = static_cast<int32_t>(
        static_cast<uint32_t>(log_sum) + static_cast<uint32_t>(INT32_MIN));
    const int32_t adjusted_diff_min =
        std::max(p.diff_min - 1,
                 MultiplyByQuantizedMultiplier(
                     shifted_log_sum, p.reverse_multiplier, p.reverse_shift));
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = static_cast<int32_t>(x[c]) - max;
      if (diff > adjusted_diff_min) {
        const int32_t scaled = MultiplyByQuantizedMultiplier(
            diff, p.input_multiplier, p.input_left_shift);
        int32_t v = RoundingDivideByPOT(scaled - log_sum,
                                        31 - kInputBits - kOutputBits) +
                    kMax;
        y[c] = static_cast<T>(std::min(std::max(v, kMin), kMax));
      } else {
        y[c] = static_cast<T>(kMin);
      }
    }
  }
}

}  // namespace ember::ref
