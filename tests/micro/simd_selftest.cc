// Self-test firmware of the micro SIMD kernels on the real instructions:
// the DSP-extension kernels (dsp_kernels.h, dsp_svdf.h) and, on the
// Cortex-M55, the Helium ones (mve_kernels.h), against the reference
// kernels over random shapes, strides, padding, dilation, zero points,
// multipliers and tails, bit for bit. tests/micro/run_qemu.sh builds it as
// the app/main.cc of an exported project and runs it under QEMU; it prints
// one line per kernel and exits 0 only if every case matched. No heap: the
// tensors live in static buffers.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/ref/conv.h"
#include "kernels/ref/depthwise_conv.h"
#include "kernels/ref/fully_connected.h"
#include "kernels/ref/quant_util.h"
#include "kernels/ref/svdf.h"
#include "micro/dsp_kernels.h"
#include "micro/dsp_svdf.h"
#include "micro/mve_kernels.h"
#include "semihost.h"

namespace {

using namespace ember;         // NOLINT: ref::
using namespace ember::micro;  // NOLINT: dsp::, mve::

uint32_t g_rng = 0x2545F491u;
int32_t Rand(int32_t lo, int32_t hi) {  // xorshift32, inclusive range
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 17;
  g_rng ^= g_rng << 5;
  return lo + static_cast<int32_t>(g_rng % static_cast<uint32_t>(hi - lo + 1));
}
void Fill(int8_t* p, int32_t n) {
  for (int32_t i = 0; i < n; ++i) p[i] = static_cast<int8_t>(Rand(-128, 127));
}

void PutNumber(int32_t v) {
  char buf[12];
  int i = 11;
  buf[i] = '\0';
  const bool neg = v < 0;
  uint32_t u = neg ? 0u - static_cast<uint32_t>(v) : static_cast<uint32_t>(v);
  do {
    buf[--i] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (neg) buf[--i] = '-';
  semihost_write0(buf + i);
}

int g_failures = 0;
void Report(const char* what, int32_t cases, int32_t bad) {
  semihost_write0(bad == 0 ? "ok   " : "FAIL ");
  semihost_write0(what);
  semihost_write0(": ");
  PutNumber(cases - bad);
  semihost_write0("/");
  PutNumber(cases);
  semihost_write0(" cases bit-exact\n");
  if (bad != 0) ++g_failures;
}

constexpr int32_t kMaxChannels = 24;
int8_t g_input[2 * 9 * 9 * 21];
int8_t g_filter[9 * 4 * 4 * 21];
int8_t g_want[2 * 9 * 9 * 24];
int8_t g_got[2 * 9 * 9 * 24];
int32_t g_multiplier[kMaxChannels], g_shift[kMaxChannels], g_bias[kMaxChannels];

ref::QuantizedOutput RandomOutputStage(int32_t channels) {
  for (int32_t c = 0; c < channels; ++c) {
    int s = 0;
    ref::QuantizeMultiplier(
        std::ldexp(0.5 + Rand(0, 1000) / 2001.0, Rand(-14, -4)),
        &g_multiplier[c], &s);
    g_shift[c] = s;
    g_bias[c] = Rand(-20000, 20000);
  }
  ref::QuantizedOutput q;
  q.output_offset = Rand(-128, 127);
  q.act_lo = Rand(0, 3) == 0 ? Rand(-128, 0) : -128;
  q.act_hi = Rand(0, 3) == 0 ? Rand(0, 127) : 127;
  q.multiplier = g_multiplier;
  q.shift = g_shift;
  return q;
}

void Pad(int32_t in, int32_t k, int32_t stride, int32_t dil, int32_t* out,
         int32_t* pad) {
  const int32_t eff = (k - 1) * dil + 1;
  *out = Rand(0, 1) == 0 || in < eff ? (in + stride - 1) / stride
                                     : (in - eff + stride) / stride;
  const int32_t total = (*out - 1) * stride + eff - in;
  *pad = total > 0 ? total / 2 : 0;
}

bool Same(int32_t n) { return std::memcmp(g_want, g_got, n) == 0; }

template <typename Kernel>
void TestConv(const char* name, Kernel kernel) {
  int32_t bad = 0;
  const int32_t cases = 120;
  for (int32_t i = 0; i < cases; ++i) {
    ref::ConvShape s;
    s.batches = Rand(1, 2);
    s.in_h = Rand(1, 9);
    s.in_w = Rand(1, 9);
    s.in_c = Rand(1, 21);
    s.filter_in_c = s.in_c;
    s.out_c = Rand(1, 9);
    s.filter_h = i % 3 == 0 ? 1 : Rand(1, 3);
    s.filter_w = i % 3 == 0 ? 1 : Rand(1, 3);
    s.stride_h = Rand(1, 2);
    s.stride_w = Rand(1, 2);
    s.dilation_h = Rand(1, 2);
    s.dilation_w = Rand(1, 2);
    Pad(s.in_h, s.filter_h, s.stride_h, s.dilation_h, &s.out_h, &s.pad_top);
    Pad(s.in_w, s.filter_w, s.stride_w, s.dilation_w, &s.out_w, &s.pad_left);
    Fill(g_input, s.batches * s.in_h * s.in_w * s.in_c);
    Fill(g_filter, s.out_c * s.filter_h * s.filter_w * s.in_c);
    const int32_t in_off = -Rand(-128, 127);
    const int32_t f_off = Rand(0, 3) == 0 ? Rand(-127, 127) : 0;
    const ref::QuantizedOutput q = RandomOutputStage(s.out_c);
    const int32_t* bias = Rand(0, 3) ? g_bias : nullptr;
    const int32_t n = s.batches * s.out_h * s.out_w * s.out_c;
    ref::ConvQuantized<int32_t>(s, g_input, in_off, g_filter, f_off, bias, q,
                                g_want);
    if (!kernel(s, g_input, in_off, g_filter, f_off, bias, q, g_got) ||
        !Same(n)) {
      ++bad;
    }
  }
  Report(name, cases, bad);
}

template <typename Kernel>
void TestDepthwise(const char* name, Kernel kernel) {
  static const int32_t kMultipliers[] = {1, 1, 1, 4, 8};
  int32_t bad = 0;
  const int32_t cases = 120;
  for (int32_t i = 0; i < cases; ++i) {
    ref::DepthwiseShape s;
    s.batches = Rand(1, 2);
    s.in_h = Rand(1, 9);
    s.in_w = Rand(1, 9);
    s.depth_multiplier = kMultipliers[Rand(0, 4)];
    s.in_c = s.depth_multiplier == 1 ? Rand(1, 21) : Rand(1, 3);
    s.filter_h = Rand(1, 4);
    s.filter_w = Rand(1, 4);
    s.stride_h = Rand(1, 2);
    s.stride_w = Rand(1, 2);
    s.dilation_h = Rand(1, 2);
    s.dilation_w = Rand(1, 2);
    Pad(s.in_h, s.filter_h, s.stride_h, s.dilation_h, &s.out_h, &s.pad_top);
    Pad(s.in_w, s.filter_w, s.stride_w, s.dilation_w, &s.out_w, &s.pad_left);
    const int32_t out_c = s.in_c * s.depth_multiplier;
    Fill(g_input, s.batches * s.in_h * s.in_w * s.in_c);
    Fill(g_filter, s.filter_h * s.filter_w * out_c);
    const int32_t in_off = -Rand(-128, 127);
    const int32_t f_off = Rand(0, 3) == 0 ? Rand(-127, 127) : 0;
    const ref::QuantizedOutput q = RandomOutputStage(out_c);
    const int32_t* bias = Rand(0, 3) ? g_bias : nullptr;
    const int32_t n = s.batches * s.out_h * s.out_w * out_c;
    ref::DepthwiseConvQuantized<int32_t>(s, g_input, in_off, g_filter, f_off,
                                         bias, q, g_want);
    if (!kernel(s, g_input, in_off, g_filter, f_off, bias, q, g_got) ||
        !Same(n)) {
      ++bad;
    }
  }
  Report(name, cases, bad);
}

template <typename Kernel>
void TestFullyConnected(const char* name, Kernel kernel) {
  int32_t bad = 0;
  const int32_t cases = 120;
  for (int32_t i = 0; i < cases; ++i) {
    ref::FullyConnectedShape s;
    s.batches = Rand(1, 3);
    s.depth = Rand(1, 70);
    s.units = Rand(1, 11);
    Fill(g_input, s.batches * s.depth);
    Fill(g_filter, s.units * s.depth);
    const int32_t in_off = -Rand(-128, 127);
    const int32_t w_off = Rand(0, 1) == 0 ? -Rand(-128, 127) : 0;
    ref::QuantizedOutput q = RandomOutputStage(s.units);
    q.rounding = Rand(0, 1) ? ref::Rounding::kSingle : ref::Rounding::kDouble;
    const int32_t* bias = Rand(0, 3) ? g_bias : nullptr;
    ref::FullyConnectedQuantized<int32_t>(s, g_input, in_off, g_filter, w_off,
                                          bias, q, g_want);
    if (!kernel(s, g_input, in_off, g_filter, w_off, bias, q, g_got) ||
        !Same(s.batches * s.units)) {
      ++bad;
    }
  }
  Report(name, cases, bad);
}

#if EMBER_MICRO_HAS_DSP
template <typename S>
void TestSvdf(const char* name) {
  static S time[24 * 11], want_state[3 * 24 * 11], got_state[3 * 24 * 11];
  static int32_t scratch[3 * 24];
  int32_t bad = 0;
  const int32_t cases = 60;
  for (int32_t i = 0; i < cases; ++i) {
    ref::SvdfDims d;
    d.batch = Rand(1, 3);
    d.input_size = Rand(1, 37);
    d.rank = Rand(1, 3);
    d.filters = d.rank * Rand(1, 8);
    d.memory = Rand(1, 11);
    ref::SvdfQuantParams p;
    p.input_zero_point = Rand(-128, 127);
    p.output_zero_point = Rand(-128, 127);
    p.state_zero_point = sizeof(S) == 1 ? Rand(-128, 127) : 0;
    ref::QuantizeMultiplier(
        std::ldexp(0.6 + Rand(0, 99) / 250.0, Rand(-12, -2)),
        &p.feature_multiplier, &p.feature_shift);
    ref::QuantizeMultiplier(
        std::ldexp(0.6 + Rand(0, 99) / 250.0, Rand(-12, -2)),
        &p.time_multiplier, &p.time_shift);
    Fill(g_filter, d.filters * d.input_size);
    for (int32_t k = 0; k < d.filters * d.memory; ++k)
      time[k] = static_cast<S>(sizeof(S) == 1 ? Rand(-128, 127)
                                              : Rand(-32768, 32767));
    const int32_t units = d.units();
    for (int32_t u = 0; u < units; ++u) g_bias[u] = Rand(-5000, 5000);
    const int32_t state_n = d.batch * d.filters * d.memory;
    for (int32_t k = 0; k < state_n; ++k)
      want_state[k] = got_state[k] = static_cast<S>(p.state_zero_point);
    bool ok = true;
    for (int32_t step = 0; step < 3 && ok; ++step) {
      Fill(g_input, d.batch * d.input_size);
      ref::SvdfInt8<S>(d, p, g_input, g_filter, time, g_bias, want_state,
                       scratch, g_want);
      ok = dsp::SvdfS8<S>(d, p, g_input, g_filter, time, g_bias, got_state,
                          scratch, g_got) &&
           Same(d.batch * units) &&
           std::memcmp(want_state, got_state, state_n * sizeof(S)) == 0;
    }
    if (!ok) ++bad;
  }
  Report(name, cases, bad);
}
#endif

}  // namespace

int main() {
#if EMBER_MICRO_HAS_DSP
  TestConv("dsp conv", [](auto... a) { return dsp::ConvS8(a...); });
  TestDepthwise("dsp depthwise",
                [](auto... a) { return dsp::DepthwiseS8(a...); });
  TestFullyConnected("dsp fully_connected",
                     [](auto... a) { return dsp::FullyConnectedS8(a...); });
  TestSvdf<int16_t>("dsp svdf int16 state");
  TestSvdf<int8_t>("dsp svdf int8 state");
#endif
#if EMBER_MICRO_HAS_MVE
  TestConv("mve conv", [](auto... a) { return mve::ConvS8(a...); });
  TestDepthwise("mve depthwise",
                [](auto... a) { return mve::DepthwiseS8(a...); });
  TestFullyConnected("mve fully_connected",
                     [](auto... a) { return mve::FullyConnectedS8(a...); });
#endif
#if !EMBER_MICRO_HAS_DSP && !EMBER_MICRO_HAS_MVE
  semihost_write0("FAIL: this core has neither DSP nor Helium kernels\n");
  return 1;
#endif
  return g_failures == 0 ? 0 : 1;
}
