// The DSP-extension int8 kernels (src/micro/dsp_kernels.h, dsp_svdf.h) and
// the Helium ones (mve_kernels.h) on the host, with the intrinsics
// emulated in C (EMBER_MICRO_EMULATE_DSP / _MVE): the very
// loops a Cortex-M4/M7/M33 (DSP) or M55 (Helium) runs, checked bit for bit
// against the reference kernels (kernels/ref) over random shapes, strides,
// padding, dilation, zero points, per-channel multipliers and activation
// clamps, with channel counts and depths that are not multiples of 2 or 4 (the
// tails). The real instructions run under QEMU in tests/micro/run_qemu.sh.
#define EMBER_MICRO_EMULATE_DSP 1
#define EMBER_MICRO_EMULATE_MVE 1

#include "micro/dsp_kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/ref/quant_util.h"
#include "micro/dsp_svdf.h"
#include "micro/mve_kernels.h"

namespace ember::micro {
namespace {

static_assert(EMBER_MICRO_HAS_DSP, "the emulated DSP kernels must be on");
static_assert(EMBER_MICRO_HAS_MVE, "the emulated Helium kernels must be on");

// The two kernel sets the random tests run: DSP extension and Helium.
struct Dsp {
  template <typename... A>
  static bool Conv(A... a) {
    return dsp::ConvS8(a...);
  }
  template <typename... A>
  static bool Depthwise(A... a) {
    return dsp::DepthwiseS8(a...);
  }
  template <typename... A>
  static bool FullyConnected(A... a) {
    return dsp::FullyConnectedS8(a...);
  }
};
struct Mve {
  template <typename... A>
  static bool Conv(A... a) {
    return mve::ConvS8(a...);
  }
  template <typename... A>
  static bool Depthwise(A... a) {
    return mve::DepthwiseS8(a...);
  }
  template <typename... A>
  static bool FullyConnected(A... a) {
    return mve::FullyConnectedS8(a...);
  }
};

TEST(MicroDspIntrinsics, EmulationMatchesTheInstructionSemantics) {
  // SXTB16: lanes 0 and 2, sign-extended.
  EXPECT_EQ(dsp::Sxtb16(0x80FF7F01u), 0xFFFF0001u);
  EXPECT_EQ(dsp::Sxtb16(0x12FE3480u), 0xFFFEFF80u);
  // SXTAB16 adds per 16-bit lane, wrapping inside the lane.
  EXPECT_EQ(dsp::Sxtab16(0x7FFF0001u, 0x00010002u), 0x80000003u);
  EXPECT_EQ(dsp::Sxtab16(0x00800080u, 0x00800080u), 0x00000000u);
  // SMLAD: both lane products plus the accumulator, 32-bit wrap.
  EXPECT_EQ(dsp::Smlad(0x0002FFFFu, 0x00030004u, 10), 10 + 6 - 4);
  EXPECT_EQ(dsp::Smlad(0x80008000u, 0x80008000u, 0),
            static_cast<int32_t>(0x80000000u));
  EXPECT_EQ(dsp::Smlabb(0x0005FFFEu, 0x00070003u, 1), 1 - 6);
  EXPECT_EQ(dsp::Smlatt(0x0005FFFEu, 0x00070003u, 1), 1 + 35);
  EXPECT_EQ(dsp::Ror(0x11223344u, 8), 0x44112233u);
}

struct Rng {
  std::mt19937 gen{20261207};
  int32_t Int(int32_t lo, int32_t hi) {
    return std::uniform_int_distribution<int32_t>(lo, hi)(gen);
  }
  std::vector<int8_t> Bytes(size_t n) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(Int(-128, 127));
    return v;
  }
};

// Random requantization: per-channel multipliers, an output zero point and
// an activation clamp; owns the arrays QuantizedOutput points to.
struct Requant {
  std::vector<int32_t> multiplier, shift, bias;
  ref::QuantizedOutput q;
  Requant(Rng& r, int32_t channels, bool with_bias, ref::Rounding rounding) {
    for (int32_t c = 0; c < channels; ++c) {
      int32_t m = 0;
      int s = 0;
      const double real =
          std::ldexp(0.5 + r.Int(0, 1000) / 2001.0, r.Int(-14, -4));
      ref::QuantizeMultiplier(real, &m, &s);
      multiplier.push_back(m);
      shift.push_back(s);
      if (with_bias) bias.push_back(r.Int(-20000, 20000));
    }
    q.output_offset = r.Int(-128, 127);
    q.act_lo = r.Int(0, 3) == 0 ? r.Int(-128, 0) : -128;
    q.act_hi = r.Int(0, 3) == 0 ? r.Int(0, 127) : 127;
    q.multiplier = multiplier.data();
    q.shift = shift.data();
    q.rounding = rounding;
  }
  const int32_t* bias_or_null() const {
    return bias.empty() ? nullptr : bias.data();
  }
};

// Output size and leading padding, as the ops compute them (SAME or VALID).
void Pad(Rng& r, int32_t in, int32_t k, int32_t stride, int32_t dil,
         int32_t* out, int32_t* pad) {
  const int32_t eff = (k - 1) * dil + 1;
  if (r.Int(0, 1) == 0 || in < eff) {  // SAME
    *out = (in + stride - 1) / stride;
  } else {  // VALID
    *out = (in - eff + stride) / stride;
  }
  *pad = std::max(0, ((*out - 1) * stride + eff - in)) / 2;
}

int32_t InputOffset(Rng& r) { return -r.Int(-128, 127); }

template <typename K>
void CheckConv() {
  Rng r;
  for (int iter = 0; iter < 300; ++iter) {
    ref::ConvShape s;
    s.batches = r.Int(1, 2);
    s.in_h = r.Int(1, 9);
    s.in_w = r.Int(1, 9);
    s.in_c = r.Int(1, 19);
    s.filter_in_c = s.in_c;
    s.out_c = r.Int(1, 9);
    // Every third case is pointwise (1x1, the kernel's blocked path).
    s.filter_h = iter % 3 == 0 ? 1 : r.Int(1, 3);
    s.filter_w = iter % 3 == 0 ? 1 : r.Int(1, 3);
    s.stride_h = r.Int(1, 2);
    s.stride_w = r.Int(1, 2);
    s.dilation_h = r.Int(1, 2);
    s.dilation_w = r.Int(1, 2);
    Pad(r, s.in_h, s.filter_h, s.stride_h, s.dilation_h, &s.out_h, &s.pad_top);
    Pad(r, s.in_w, s.filter_w, s.stride_w, s.dilation_w, &s.out_w, &s.pad_left);
    const auto input = r.Bytes(size_t(s.batches) * s.in_h * s.in_w * s.in_c);
    const auto filter =
        r.Bytes(size_t(s.out_c) * s.filter_h * s.filter_w * s.in_c);
    const int32_t in_off = InputOffset(r);
    // Converters write symmetric filters; the kernel folds any offset.
    const int32_t f_off = r.Int(0, 3) == 0 ? r.Int(-127, 127) : 0;
    Requant rq(r, s.out_c, r.Int(0, 3) != 0, ref::Rounding::kDouble);
    const size_t n = size_t(s.batches) * s.out_h * s.out_w * s.out_c;
    std::vector<int8_t> want(n, 0x55), got(n, 0x55);
    ref::ConvQuantized<int32_t>(s, input.data(), in_off, filter.data(), f_off,
                                rq.bias_or_null(), rq.q, want.data());
    ASSERT_TRUE(K::Conv(s, input.data(), in_off, filter.data(), f_off,
                        rq.bias_or_null(), rq.q, got.data()));
    ASSERT_EQ(got, want) << "iteration " << iter << ": in " << s.in_h << "x"
                         << s.in_w << "x" << s.in_c << " out_c " << s.out_c
                         << " filter " << s.filter_h << "x" << s.filter_w
                         << " stride " << s.stride_h << "," << s.stride_w
                         << " dilation " << s.dilation_h << "," << s.dilation_w;
  }
}

template <typename K>
void CheckDepthwise() {
  Rng r;
  const int32_t multipliers[] = {1, 1, 1, 4, 8};
  for (int iter = 0; iter < 300; ++iter) {
    ref::DepthwiseShape s;
    s.batches = r.Int(1, 2);
    s.in_h = r.Int(1, 10);
    s.in_w = r.Int(1, 10);
    s.depth_multiplier = multipliers[r.Int(0, 4)];
    s.in_c = s.depth_multiplier == 1 ? r.Int(1, 21) : r.Int(1, 3);
    s.filter_h = r.Int(1, 4);
    s.filter_w = r.Int(1, 4);
    s.stride_h = r.Int(1, 2);
    s.stride_w = r.Int(1, 2);
    s.dilation_h = r.Int(1, 2);
    s.dilation_w = r.Int(1, 2);
    Pad(r, s.in_h, s.filter_h, s.stride_h, s.dilation_h, &s.out_h, &s.pad_top);
    Pad(r, s.in_w, s.filter_w, s.stride_w, s.dilation_w, &s.out_w, &s.pad_left);
    const int32_t out_c = s.in_c * s.depth_multiplier;
    const auto input = r.Bytes(size_t(s.batches) * s.in_h * s.in_w * s.in_c);
    const auto filter = r.Bytes(size_t(s.filter_h) * s.filter_w * out_c);
    const int32_t in_off = InputOffset(r);
    const int32_t f_off = r.Int(0, 3) == 0 ? r.Int(-127, 127) : 0;
    Requant rq(r, out_c, r.Int(0, 3) != 0, ref::Rounding::kDouble);
    const size_t n = size_t(s.batches) * s.out_h * s.out_w * out_c;
    std::vector<int8_t> want(n, 0x55), got(n, 0x55);
    ref::DepthwiseConvQuantized<int32_t>(s, input.data(), in_off, filter.data(),
                                         f_off, rq.bias_or_null(), rq.q,
                                         want.data());
    ASSERT_TRUE(K::Depthwise(s, input.data(), in_off, filter.data(), f_off,
                             rq.bias_or_null(), rq.q, got.data()));
    ASSERT_EQ(got, want) << "iteration " << iter << ": in " << s.in_h << "x"
                         << s.in_w << "x" << s.in_c << " multiplier "
                         << s.depth_multiplier << " filter " << s.filter_h
                         << "x" << s.filter_w << " stride " << s.stride_h << ","
                         << s.stride_w << " dilation " << s.dilation_h << ","
                         << s.dilation_w;
  }
}

template <typename K>
void CheckFullyConnected() {
  Rng r;
  for (int iter = 0; iter < 300; ++iter) {
    ref::FullyConnectedShape s;
    s.batches = r.Int(1, 3);
    s.depth = r.Int(1, 70);
    s.units = r.Int(1, 11);
    const auto input = r.Bytes(size_t(s.batches) * s.depth);
    const auto weights = r.Bytes(size_t(s.units) * s.depth);
    const int32_t in_off = InputOffset(r);
    // Per-tensor FC weights may be asymmetric.
    const int32_t w_off = r.Int(0, 1) == 0 ? -r.Int(-128, 127) : 0;
    const auto rounding =
        r.Int(0, 1) ? ref::Rounding::kSingle : ref::Rounding::kDouble;
    Requant rq(r, s.units, r.Int(0, 3) != 0, rounding);
    const size_t n = size_t(s.batches) * s.units;
    std::vector<int8_t> want(n, 0x55), got(n, 0x55);
    ref::FullyConnectedQuantized<int32_t>(s, input.data(), in_off,
                                          weights.data(), w_off,
                                          rq.bias_or_null(), rq.q, want.data());
    ASSERT_TRUE(K::FullyConnected(s, input.data(), in_off, weights.data(),
                                  w_off, rq.bias_or_null(), rq.q, got.data()));
    ASSERT_EQ(got, want) << "iteration " << iter << ": batches " << s.batches
                         << " depth " << s.depth << " units " << s.units;
  }
}

TEST(MicroDspKernels, ConvMatchesReference) { CheckConv<Dsp>(); }
TEST(MicroDspKernels, DepthwiseMatchesReference) { CheckDepthwise<Dsp>(); }
TEST(MicroDspKernels, FullyConnectedMatchesReference) {
  CheckFullyConnected<Dsp>();
}
TEST(MicroMveKernels, ConvMatchesReference) { CheckConv<Mve>(); }
TEST(MicroMveKernels, DepthwiseMatchesReference) { CheckDepthwise<Mve>(); }
TEST(MicroMveKernels, FullyConnectedMatchesReference) {
  CheckFullyConnected<Mve>();
}

// SVDF over several invocations (the state carries over), int16 and int8
// state: outputs and state bit-identical to ref::SvdfInt8.
template <typename S>
void CheckSvdf(uint32_t seed) {
  Rng r;
  r.gen.seed(seed);
  for (int iter = 0; iter < 150; ++iter) {
    ref::SvdfDims d;
    d.batch = r.Int(1, 3);
    d.input_size = r.Int(1, 37);
    d.rank = r.Int(1, 3);
    d.filters = d.rank * r.Int(1, 7);
    d.memory = r.Int(1, 11);
    ref::SvdfQuantParams p;
    p.input_zero_point = r.Int(-128, 127);
    p.output_zero_point = r.Int(-128, 127);
    p.state_zero_point = sizeof(S) == 1 ? r.Int(-128, 127) : 0;
    ref::QuantizeMultiplier(
        std::ldexp(0.6 + r.Int(0, 99) / 250.0, r.Int(-12, -2)),
        &p.feature_multiplier, &p.feature_shift);
    ref::QuantizeMultiplier(
        std::ldexp(0.6 + r.Int(0, 99) / 250.0, r.Int(-12, -2)),
        &p.time_multiplier, &p.time_shift);
    const auto feature = r.Bytes(size_t(d.filters) * d.input_size);
    std::vector<S> time(size_t(d.filters) * d.memory);
    for (auto& t : time)
      t = static_cast<S>(sizeof(S) == 1 ? r.Int(-128, 127)
                                        : r.Int(-32768, 32767));
    std::vector<int32_t> bias;
    if (r.Int(0, 2) != 0)
      for (int u = 0; u < d.units(); ++u) bias.push_back(r.Int(-5000, 5000));
    const int32_t* b = bias.empty() ? nullptr : bias.data();
    const size_t state_n = size_t(d.batch) * d.filters * d.memory;
    std::vector<S> want_state(state_n, static_cast<S>(p.state_zero_point));
    std::vector<S> got_state = want_state;
    std::vector<int32_t> scratch(size_t(d.batch) * d.filters);
    const size_t out_n = size_t(d.batch) * d.units();
    for (int step = 0; step < 4; ++step) {
      const auto input = r.Bytes(size_t(d.batch) * d.input_size);
      std::vector<int8_t> want(out_n, 0x55), got(out_n, 0x55);
      ref::SvdfInt8<S>(d, p, input.data(), feature.data(), time.data(), b,
                       want_state.data(), scratch.data(), want.data());
      ASSERT_TRUE(dsp::SvdfS8<S>(d, p, input.data(), feature.data(),
                                 time.data(), b, got_state.data(),
                                 scratch.data(), got.data()));
      ASSERT_EQ(got, want) << "iteration " << iter << " step " << step;
      ASSERT_EQ(got_state, want_state) << "iteration " << iter;
    }
  }
}

TEST(MicroDspKernels, SvdfInt16StateMatchesReference) {
  CheckSvdf<int16_t>(11);
}
TEST(MicroDspKernels, SvdfInt8StateMatchesReference) { CheckSvdf<int8_t>(12); }

// What the DSP kernels leave to the reference (the ops fall back to it).
TEST(MicroDspKernels, DeclinesWhatItCannotFoldOrShape) {
  Rng r;
  ref::FullyConnectedShape fc{1, 8, 2};
  const auto x = r.Bytes(8), w = r.Bytes(16);
  Requant rq(r, 2, false, ref::Rounding::kSingle);
  int8_t out[2];
  EXPECT_FALSE(dsp::FullyConnectedS8(fc, x.data(), 40000, w.data(), 0, nullptr,
                                     rq.q, out));
  ref::ConvShape grouped;
  grouped.in_c = 4;
  grouped.filter_in_c = 2;
  EXPECT_FALSE(
      dsp::ConvS8(grouped, x.data(), 0, w.data(), 0, nullptr, rq.q, out));
  ref::DepthwiseShape dw;
  dw.depth_multiplier = 3;
  EXPECT_FALSE(
      dsp::DepthwiseS8(dw, x.data(), 0, w.data(), 0, nullptr, rq.q, out));
  EXPECT_FALSE(
      mve::ConvS8(grouped, x.data(), 0, w.data(), 0, nullptr, rq.q, out));
  EXPECT_FALSE(
      mve::DepthwiseS8(dw, x.data(), 0, w.data(), 0, nullptr, rq.q, out));
}

}  // namespace
}  // namespace ember::micro
