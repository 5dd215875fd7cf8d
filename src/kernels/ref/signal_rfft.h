// Fixed-point (int16) real FFT with the scaling of a classic mixed-radix
// fixed-point FFT (the one TFLM's signal library builds on, configured for
// 16-bit samples): every butterfly stage divides its inputs by the radix,
// twiddles are Q15 (cos/sin rounded to nearest), products are rounded Q15,
// and the real-FFT post-pass halves once more. Output bin k of an N-point
// real FFT is therefore roughly X[k] / N. Header-only and heap-free; only
// power-of-two lengths (radix-4 stages plus at most one radix-2 stage).
#pragma once

#include <cmath>
#include <cstdint>

namespace ember::ref::signal {

struct Cpx16 {
  int16_t r, i;
};

// Largest supported FFT length.
constexpr int kRfftMaxLength = 4096;
constexpr int kRfftMaxStages = 16;

// Twiddle-table entries an N-point real FFT needs: N/2 for the half-length
// complex FFT, N/4 for the real split. The tables live in storage the
// caller sizes with this, so that a microcontroller's arena holds 384 of
// them for a 512-point FFT rather than 3,072 for the largest length.
constexpr int RfftInt16TableEntries(int fft_length) {
  return fft_length / 2 + fft_length / 4;
}

struct RfftInt16State {
  int fft_length = 0;
  int half = 0;  // complex FFT size N/2
  int num_stages = 0;
  int radix[kRfftMaxStages] = {};   // radix of stage s (outermost first)
  int stride[kRfftMaxStages] = {};  // sub-length after stage s
  // In the caller's table storage (RfftInt16Init):
  const Cpx16* twiddle = nullptr;       // N/2 entries: e^{-2 pi i k / half}
  const Cpx16* post_twiddle = nullptr;  // N/4 entries: real-split twiddles
};

namespace rfft_detail {

inline int16_t RoundQ15(int32_t product) {
  return static_cast<int16_t>((product + (1 << 14)) >> 15);
}
inline int16_t Q15(double v) {
  return static_cast<int16_t>(std::floor(0.5 + 32767.0 * v));
}
// Scales a value by 1/radix the fixed-point way: multiply by 32767/radix
// (integer division) and round.
inline void DivideBy(Cpx16& c, int radix) {
  const int32_t k = 32767 / radix;
  c.r = RoundQ15(static_cast<int32_t>(c.r) * k);
  c.i = RoundQ15(static_cast<int32_t>(c.i) * k);
}
inline Cpx16 Mul(const Cpx16& a, const Cpx16& b) {
  // The sums are done in 32 bits with wrap-around, as a C int would.
  const uint32_t rr = static_cast<uint32_t>(static_cast<int32_t>(a.r) * b.r) -
                      static_cast<uint32_t>(static_cast<int32_t>(a.i) * b.i);
  const uint32_t ii = static_cast<uint32_t>(static_cast<int32_t>(a.r) * b.i) +
                      static_cast<uint32_t>(static_cast<int32_t>(a.i) * b.r);
  return {RoundQ15(static_cast<int32_t>(rr)),
          RoundQ15(static_cast<int32_t>(ii))};
}
inline int16_t W(int32_t v) { return static_cast<int16_t>(v); }  // wrap to 16

inline void Radix2(Cpx16* out, int tw_step, const RfftInt16State& st, int m) {
  Cpx16* a = out;
  Cpx16* b = out + m;
  for (int k = 0; k < m; ++k) {
    DivideBy(a[k], 2);
    DivideBy(b[k], 2);
    const Cpx16 t = Mul(b[k], st.twiddle[k * tw_step]);
    b[k] = {W(a[k].r - t.r), W(a[k].i - t.i)};
    a[k] = {W(a[k].r + t.r), W(a[k].i + t.i)};
  }
}

inline void Radix4(Cpx16* out, int tw_step, const RfftInt16State& st, int m) {
  for (int k = 0; k < m; ++k) {
    Cpx16& x0 = out[k];
    Cpx16& x1 = out[k + m];
    Cpx16& x2 = out[k + 2 * m];
    Cpx16& x3 = out[k + 3 * m];
    DivideBy(x0, 4);
    DivideBy(x1, 4);
    DivideBy(x2, 4);
    DivideBy(x3, 4);
    const Cpx16 t1 = Mul(x1, st.twiddle[k * tw_step]);
    const Cpx16 t2 = Mul(x2, st.twiddle[2 * k * tw_step]);
    const Cpx16 t3 = Mul(x3, st.twiddle[3 * k * tw_step]);
    const Cpx16 d02 = {W(x0.r - t2.r), W(x0.i - t2.i)};
    const Cpx16 s02 = {W(x0.r + t2.r), W(x0.i + t2.i)};
    const Cpx16 s13 = {W(t1.r + t3.r), W(t1.i + t3.i)};
    const Cpx16 d13 = {W(t1.r - t3.r), W(t1.i - t3.i)};
    x2 = {W(s02.r - s13.r), W(s02.i - s13.i)};
    x0 = {W(s02.r + s13.r), W(s02.i + s13.i)};
    x1 = {W(d02.r + d13.i), W(d02.i - d13.r)};
    x3 = {W(d02.r - d13.i), W(d02.i + d13.r)};
  }
}

// Decimation in time, recursive over the stage list: gathers the input
// with the current stride into `out`, transforms each sub-sequence, then
// combines them with this stage's butterflies.
inline void Transform(Cpx16* out, const Cpx16* in, int in_step, int stage,
                      const RfftInt16State& st) {
  const int p = st.radix[stage];
  const int m = st.stride[stage];
  if (m == 1) {
    for (int q = 0; q < p; ++q) out[q] = in[q * in_step];
  } else {
    for (int q = 0; q < p; ++q) {
      Transform(out + q * m, in + q * in_step, in_step * p, stage + 1, st);
    }
  }
  if (p == 2) {
    Radix2(out, in_step, st, m);
  } else {
    Radix4(out, in_step, st, m);
  }
}

}  // namespace rfft_detail

// Fills `st` for an N-point real FFT, with its twiddle tables written to
// `tables` (RfftInt16TableEntries(N) entries, which must outlive `st`);
// false unless N is a power of two in [4, kRfftMaxLength].
inline bool RfftInt16Init(int fft_length, Cpx16* tables, RfftInt16State* st) {
  if (fft_length < 4 || fft_length > kRfftMaxLength ||
      (fft_length & (fft_length - 1)) != 0) {
    return false;
  }
  st->fft_length = fft_length;
  const int n = fft_length / 2;
  st->half = n;
  // Radix-4 stages while divisible by 4, then one radix-2 stage if needed.
  int rest = n;
  int s = 0;
  while (rest > 1) {
    const int p = (rest % 4 == 0) ? 4 : 2;
    rest /= p;
    st->radix[s] = p;
    st->stride[s] = rest;
    ++s;
  }
  st->num_stages = s;
  const double pi = 3.14159265358979323846264338327950288;
  Cpx16* twiddle = tables;
  Cpx16* post_twiddle = tables + n;
  for (int k = 0; k < n; ++k) {
    const double phase = -2.0 * pi * k / n;
    twiddle[k] = {rfft_detail::Q15(std::cos(phase)),
                  rfft_detail::Q15(std::sin(phase))};
  }
  for (int k = 0; k < n / 2; ++k) {
    const double phase = -pi * (static_cast<double>(k + 1) / n + 0.5);
    post_twiddle[k] = {rfft_detail::Q15(std::cos(phase)),
                       rfft_detail::Q15(std::sin(phase))};
  }
  st->twiddle = twiddle;
  st->post_twiddle = post_twiddle;
  return true;
}

// pairs: the (zero-padded) frame as fft_length/2 complex values
// (sample 2k is the real part, 2k+1 the imaginary part of pair k).
// work: fft_length/2 complex values of scratch; it may be `output` itself
// (RfftInt16IntoOutput): the split pass reads bins k and N/2 - k of it
// before writing the same two places of the output.
// output: fft_length/2 + 1 complex bins, interleaved (re, im).
inline void RfftInt16(const RfftInt16State& st, const Cpx16* pairs, Cpx16* work,
                      int16_t* output) {
  using rfft_detail::DivideBy;
  using rfft_detail::Mul;
  using rfft_detail::W;
  const int n = st.half;
  rfft_detail::Transform(work, pairs, 1, 0, st);
  // Split the half-length complex spectrum into the real signal's spectrum.
  Cpx16 dc = work[0];
  DivideBy(dc, 2);
  output[0] = W(dc.r + dc.i);
  output[1] = 0;
  output[2 * n] = W(dc.r - dc.i);
  output[2 * n + 1] = 0;
  for (int k = 1; k <= n / 2; ++k) {
    Cpx16 a = work[k];
    Cpx16 b = {work[n - k].r, W(-static_cast<int32_t>(work[n - k].i))};
    DivideBy(a, 2);
    DivideBy(b, 2);
    const Cpx16 sum = {W(a.r + b.r), W(a.i + b.i)};
    const Cpx16 diff = {W(a.r - b.r), W(a.i - b.i)};
    const Cpx16 t = Mul(diff, st.post_twiddle[k - 1]);
    output[2 * k] = W((sum.r + t.r) >> 1);
    output[2 * k + 1] = W((sum.i + t.i) >> 1);
    output[2 * (n - k)] = W((sum.r - t.r) >> 1);
    output[2 * (n - k) + 1] = W((t.i - sum.i) >> 1);
  }
}

// The same with the output as the work buffer: no scratch beyond `pairs`,
// which on a microcontroller keeps N/2 complex values out of the arena.
inline void RfftInt16IntoOutput(const RfftInt16State& st, const Cpx16* pairs,
                                int16_t* output) {
  RfftInt16(st, pairs, reinterpret_cast<Cpx16*>(output), output);
}

}  // namespace ember::ref::signal
