// Reference kernels of the audio front-end ("Signal") ops that work on one
// frame at a time: window, FFT auto-scaling, energy, filter bank
// accumulation, filter-bank square root, spectral subtraction, log and PCAN
// gain control. Header-only and heap-free; all arithmetic follows the TFLM
// signal library's integer definitions so results are bit-exact with it.
#pragma once

#include <cstdint>

#include "kernels/ref/signal_math.h"

namespace ember::ref::signal {

// out[i] = saturate_int16((in[i] * window[i]) >> shift), arithmetic shift.
inline void ApplyWindow(const int16_t* input, const int16_t* window, int size,
                        int shift, int16_t* output) {
  for (int i = 0; i < size; ++i) {
    const int32_t v = (static_cast<int32_t>(input[i]) * window[i]) >> shift;
    output[i] =
        static_cast<int16_t>(v < -32768 ? -32768 : (v > 32767 ? 32767 : v));
  }
}

// Shifts the frame left as far as its largest magnitude allows (keeping it
// below 2^14, one bit of headroom); returns the shift. The running maximum
// is kept in int16 exactly like the reference library, so its corner cases
// (an all-zero frame, or -32768 whose negation wraps) give the same shift.
inline int FftAutoScale(const int16_t* input, int size, int16_t* output) {
  int16_t running_max = 0;
  for (int i = 0; i < size; ++i) {
    const int16_t v = input[i];
    if (v > running_max) {
      running_max = v;
    } else if (-static_cast<int32_t>(v) > running_max) {
      running_max = static_cast<int16_t>(-static_cast<int32_t>(v));
    }
  }
  // Bit length where 0 and negative values count as 32 bits.
  const uint32_t m = static_cast<uint32_t>(static_cast<int32_t>(running_max));
  const int bits = m == 0 ? 32 : BitLength32(m);
  int shift = 16 - bits - 1;
  if (shift < 0) shift = 0;
  for (int i = 0; i < size; ++i) {
    output[i] =
        static_cast<int16_t>(static_cast<int32_t>(input[i]) * (1 << shift));
  }
  return shift;
}

// Power of complex bins [start, end): re^2 + im^2 (input interleaved re, im).
// Bins outside the range are set to 0.
inline void SpectrumEnergy(const int16_t* complex_in, int num_bins, int start,
                           int end, uint32_t* output) {
  for (int i = 0; i < num_bins; ++i) {
    if (i < start || i >= end) {
      output[i] = 0;
      continue;
    }
    const int32_t re = complex_in[2 * i];
    const int32_t im = complex_in[2 * i + 1];
    output[i] = static_cast<uint32_t>(re * re) + static_cast<uint32_t>(im * im);
  }
}

// Triangular filter bank. Channel c (0..num_channels, where channel 0 is a
// helper whose result is dropped) covers widths[c] bins starting at bin
// freq_starts[c]; bin j of it contributes weights[ws + j] * x to channel c
// and unweights[ws + j] * x to channel c + 1 (ws = weight_starts[c]).
// `output` receives channels 1..num_channels. Indices were validated by the
// caller.
inline void FilterBankAccumulate(const uint32_t* input, const int16_t* weights,
                                 const int16_t* unweights,
                                 const int16_t* freq_starts,
                                 const int16_t* weight_starts,
                                 const int16_t* widths, int num_channels,
                                 uint64_t* output) {
  uint64_t carried = 0;  // unweighted part handed to the next channel
  for (int c = 0; c <= num_channels; ++c) {
    uint64_t weighted = carried;
    uint64_t unweighted = 0;
    for (int j = 0; j < widths[c]; ++j) {
      const uint64_t x = input[freq_starts[c] + j];
      // int16 weights are sign-extended then wrapped, as in uint64 math.
      weighted += static_cast<uint64_t>(
                      static_cast<int64_t>(weights[weight_starts[c] + j])) *
                  x;
      unweighted += static_cast<uint64_t>(
                        static_cast<int64_t>(unweights[weight_starts[c] + j])) *
                    x;
    }
    if (c > 0) output[c - 1] = weighted;
    carried = unweighted;
  }
}

// out[i] = round_sqrt(in[i]) >> shift.
inline void FilterBankSqrt(const uint64_t* input, int n, int shift,
                           uint32_t* output) {
  for (int i = 0; i < n; ++i) output[i] = SqrtRounded64(input[i]) >> shift;
}

struct SpectralSubtractionParams {
  int num_channels;
  uint32_t smoothing, one_minus_smoothing;
  uint32_t alternate_smoothing, alternate_one_minus_smoothing;
  int smoothing_bits;
  int spectral_subtraction_bits;
  uint32_t min_signal_remaining;
  bool clamping;
};

// One frame of noise tracking and subtraction. `noise` is the running
// estimate (state), updated in place. Even channels use the main smoothing
// pair, odd channels the alternate pair.
inline void SpectralSubtraction(const SpectralSubtractionParams& p,
                                const uint32_t* input, uint32_t* output,
                                uint32_t* noise) {
  for (int i = 0; i < p.num_channels; ++i) {
    const bool odd = (i & 1) != 0;
    const uint64_t s = odd ? p.alternate_smoothing : p.smoothing;
    const uint64_t oms =
        odd ? p.alternate_one_minus_smoothing : p.one_minus_smoothing;
    const uint32_t scaled = input[i] << p.smoothing_bits;
    noise[i] = static_cast<uint32_t>((s * scaled + oms * noise[i]) >>
                                     p.spectral_subtraction_bits);
    uint32_t estimate = noise[i];
    if (estimate > scaled) {
      estimate = scaled;
      if (p.clamping) noise[i] = scaled;
    }
    const uint32_t floor = static_cast<uint32_t>(
        (static_cast<uint64_t>(input[i]) * p.min_signal_remaining) >>
        p.spectral_subtraction_bits);
    const uint32_t sub = (scaled - estimate) >> p.smoothing_bits;
    output[i] = sub > floor ? sub : floor;
  }
}

// ln(in[i] << correction_bits) * output_scale / 2^... saturated to int16;
// values <= 1 (after the shift) give 0.
inline void FilterBankLog(const uint32_t* input, int n, uint32_t output_scale,
                          int correction_bits, int16_t* output) {
  for (int i = 0; i < n; ++i) {
    const uint32_t scaled = input[i] << correction_bits;
    if (scaled <= 1) {
      output[i] = 0;
      continue;
    }
    const uint32_t v = ScaledLog(scaled, output_scale);
    output[i] = static_cast<int16_t>(v < 32767u ? v : 32767u);
  }
}

// PCAN: gain from a piecewise-quadratic table indexed by the noise
// estimate's octave (4 coefficients per octave; lut[0..2] serve x <= 2).
// Requires lut to hold at least 4 * BitLength32(max x) - 3 entries (the
// caller checks the table is the full 125 entries).
inline int16_t PcanGain(uint32_t x, const int16_t* lut) {
  if (x <= 2) return lut[x];
  const int octave = BitLength32(x);
  const int16_t* c = lut + 4 * octave - 6;
  const int32_t frac = static_cast<int16_t>(
      (octave < 11 ? (x << (11 - octave)) : (x >> (octave - 11))) & 0x3FF);
  int32_t r = (static_cast<int32_t>(c[2]) * frac) >> 5;
  r += static_cast<int32_t>(static_cast<uint32_t>(static_cast<int32_t>(c[1]))
                            << 5);
  r *= frac;
  r = (r + (1 << 14)) >> 15;
  r += c[0];
  return static_cast<int16_t>(r);
}

// snr has 12 fractional bits; result has 6: x^2/4 below 2, else x - 1.
inline uint32_t PcanShrink(uint32_t snr) {
  if (snr < (2u << 12)) return (snr * snr) >> (2 + 24 - 6);
  return (snr >> 6) - (1u << 6);
}

inline void PcanApply(const uint32_t* input, const uint32_t* noise,
                      const int16_t* lut, int snr_shift, int n,
                      uint32_t* output) {
  for (int i = 0; i < n; ++i) {
    const uint32_t gain =
        static_cast<uint32_t>(static_cast<int32_t>(PcanGain(noise[i], lut)));
    const uint32_t snr = static_cast<uint32_t>(
        (static_cast<uint64_t>(input[i]) * gain) >> snr_shift);
    output[i] = PcanShrink(snr);
  }
}

}  // namespace ember::ref::signal
