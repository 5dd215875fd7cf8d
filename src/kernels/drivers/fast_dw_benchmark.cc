// Micro-benchmark of the x86 depthwise kernels on MobileNetV2's 17 depthwise
// layer shapes (int8 and fp32, 3x3) and on 5x5 fp32 layers (MobileNetV3 /
// EfficientNet sizes): reference vs AVX-512 vs AVX2, one thread, timed with
// the thread's CPU clock (min of 5 repeats) so that a shared, loaded machine
// gives stable figures. Not part of the build; compile by hand:
//   g++ -O2 -std=c++20 -Isrc -Ibuild/release/gen
//     src/kernels/drivers/fast_dw_benchmark.cc build/release/libember_core.a
//     -lpthread -o /tmp/fast_dw_benchmark
// (-DNO_INT8 builds it against a library without the int8 kernels.)
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

#include "kernels/drivers/conv_f32.h"
#include "kernels/ref/depthwise_conv.h"
#ifndef NO_INT8
#include "kernels/drivers/dwconv_s8.h"
#endif

namespace {

using namespace ember;

double ThreadMs() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

template <typename F>
double MinMs(int iters, F&& f) {
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    const double t0 = ThreadMs();
    for (int i = 0; i < iters; ++i) f();
    best = std::min(best, (ThreadMs() - t0) / iters);
  }
  return best;
}

struct Layer {
  int hw, c, stride, k, count;
};

ref::DepthwiseShape ShapeOf(const Layer& l) {
  ref::DepthwiseShape s;
  s.batches = 1;
  s.in_h = s.in_w = l.hw;
  s.in_c = l.c;
  s.filter_h = s.filter_w = l.k;
  s.stride_h = s.stride_w = l.stride;
  s.out_h = s.out_w = (l.hw + l.stride - 1) / l.stride;  // SAME
  const int pad = std::max(0, (s.out_h - 1) * l.stride + l.k - l.hw);
  s.pad_top = s.pad_left = pad / 2;
  return s;
}

template <typename Args>
void Fill(const ref::DepthwiseShape& s, Args* a) {
  a->batches = s.batches;
  a->in_h = s.in_h;
  a->in_w = s.in_w;
  a->channels = s.in_c;
  a->filter_h = s.filter_h;
  a->filter_w = s.filter_w;
  a->out_h = s.out_h;
  a->out_w = s.out_w;
  a->stride_h = s.stride_h;
  a->stride_w = s.stride_w;
  a->pad_top = s.pad_top;
  a->pad_left = s.pad_left;
}

void Float(const char* title, const std::vector<Layer>& layers) {
  std::printf("%s\n  %-18s %10s %10s %10s\n", title, "layer (hw,c,s,k)",
              "ref ms", "avx512 ms", "avx2 ms");
  double tot[3] = {0, 0, 0};
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> d(-1, 1);
  for (const Layer& l : layers) {
    const ref::DepthwiseShape s = ShapeOf(l);
    std::vector<float> in(static_cast<size_t>(s.in_h) * s.in_w * s.in_c),
        f(l.k * l.k * l.c), b(l.c),
        out(static_cast<size_t>(s.out_h) * s.out_w * s.in_c),
        zeros(s.in_w * s.in_c);
    for (auto& x : in) x = d(gen);
    for (auto& x : f) x = d(gen);
    const int iters = std::max(1, 2000000 / static_cast<int>(in.size()));
    double ms[3];
    ms[0] = MinMs(std::max(1, iters / 20), [&] {
      ref::DepthwiseConvFloat(s, in.data(), f.data(), b.data(), 0.0f, 6.0f,
                              out.data());
    });
    for (int i = 0; i < 2; ++i) {
      x86::DwConvF32Fn fn = kernels::EntryFor(x86::DwConvF32Kernels(),
                                              i == 0 ? kernels::Isa::kAvx512
                                                     : kernels::Isa::kAvx2)
                                ->fn;
      x86::DwConvF32Args a;
      Fill(s, &a);
      a.input = in.data();
      a.filter = f.data();
      a.bias = b.data();
      a.zero_row = zeros.data();
      a.output = out.data();
      a.lo = 0.0f;
      a.hi = 6.0f;
      ms[i + 1] = MinMs(iters, [&] { fn(a, 0, s.out_h); });
    }
    char label[64];
    std::snprintf(label, sizeof(label), "%d,%d,%d,%dx%d x%d", l.hw, l.c,
                  l.stride, l.k, l.k, l.count);
    std::printf("  %-18s %10.4f %10.4f %10.4f\n", label, ms[0], ms[1], ms[2]);
    for (int i = 0; i < 3; ++i) tot[i] += ms[i] * l.count;
  }
  std::printf("  %-18s %10.3f %10.3f %10.3f\n", "total", tot[0], tot[1],
              tot[2]);
}

#ifndef NO_INT8
void Int8(const std::vector<Layer>& layers) {
  std::printf(
      "int8 depthwise (per-channel), 1 thread\n  %-18s %10s %10s %10s %10s\n",
      "layer (hw,c,s,k)", "ref ms", "avx512 ms", "avx2 ms", "vnni ms");
  double tot[4] = {0, 0, 0, 0};
  std::mt19937 gen(2);
  std::uniform_int_distribution<int> d(-128, 127);
  for (const Layer& l : layers) {
    const ref::DepthwiseShape s = ShapeOf(l);
    std::vector<int8_t> in(static_cast<size_t>(s.in_h) * s.in_w * s.in_c),
        f(l.k * l.k * l.c),
        out(static_cast<size_t>(s.out_h) * s.out_w * s.in_c),
        zeros(s.in_w * s.in_c, 5);
    for (auto& x : in) x = static_cast<int8_t>(d(gen));
    for (auto& x : f) x = static_cast<int8_t>(d(gen));
    std::vector<int32_t> bias(l.c, 100), mult(l.c, 1234567890), shift(l.c, -9);
    std::vector<int32_t> packed(x86::PackedDwS8Bytes(l.k * l.k, l.c) / 4);
    x86::PackDwConvS8(f.data(), bias.data(), mult.data(), shift.data(),
                      l.k * l.k, l.c, 5, packed.data());
    ref::QuantizedOutput q;
    q.output_offset = -3;
    q.act_lo = -128;
    q.act_hi = 127;
    q.multiplier = mult.data();
    q.shift = shift.data();
    const int iters = std::max(1, 4000000 / static_cast<int>(in.size()));
    double ms[4];
    ms[0] = MinMs(std::max(1, iters / 40), [&] {
      ref::DepthwiseConvQuantized<int32_t>(s, in.data(), -5, f.data(), 0,
                                           bias.data(), q, out.data());
    });
    for (int i = 0; i < 3; ++i) {
      const kernels::Isa isas[] = {kernels::Isa::kAvx512, kernels::Isa::kAvx2,
                                   kernels::Isa::kAvx512Vnni};
      x86::DwConvS8Fn fn =
          kernels::EntryFor(x86::DwConvS8Kernels(), isas[i])->fn;
      x86::DwConvS8Args a;
      Fill(s, &a);
      a.input = in.data();
      a.packed = packed.data();
      a.zero_row = zeros.data();
      a.output = out.data();
      a.output_offset = -3;
      ms[i + 1] = MinMs(iters, [&] { fn(a, 0, s.out_h); });
    }
    char label[64];
    std::snprintf(label, sizeof(label), "%d,%d,%d,%dx%d x%d", l.hw, l.c,
                  l.stride, l.k, l.k, l.count);
    std::printf("  %-18s %10.4f %10.4f %10.4f %10.4f\n", label, ms[0], ms[1],
                ms[2], ms[3]);
    for (int i = 0; i < 4; ++i) tot[i] += ms[i] * l.count;
  }
  std::printf("  %-18s %10.3f %10.3f %10.3f %10.3f\n", "MobileNetV2 total",
              tot[0], tot[1], tot[2], tot[3]);
}
#endif

}  // namespace

int main() {
  // MobileNetV2 (224): the 17 depthwise layers as (size, channels, stride).
  const std::vector<Layer> v2 = {{112, 32, 1, 3, 1}, {112, 96, 2, 3, 1},
                                 {56, 144, 1, 3, 1}, {56, 144, 2, 3, 1},
                                 {28, 192, 1, 3, 2}, {28, 192, 2, 3, 1},
                                 {14, 384, 1, 3, 4}, {14, 576, 1, 3, 2},
                                 {14, 576, 2, 3, 1}, {7, 960, 1, 3, 3}};
#ifndef NO_INT8
  Int8(v2);
#endif
  Float("fp32 depthwise 3x3 (MobileNetV2 shapes), 1 thread", v2);
  const std::vector<Layer> k5 = {{56, 72, 2, 5, 1},  {28, 120, 1, 5, 2},
                                 {14, 672, 1, 5, 2}, {14, 672, 2, 5, 1},
                                 {7, 960, 1, 5, 2},  {7, 1152, 1, 5, 4}};
  Float("fp32 depthwise 5x5 (MobileNetV3 / EfficientNet shapes), 1 thread", k5);
  return 0;
}
