// Part of tests/wasm/kernel_test.cc (one translation unit): the checks of
// the WebAssembly build's fast-op table (element-wise ops, pooling, sums,
// activations, resize, SOFTMAX), int8 BATCH_MATMUL and int8 SOFTMAX
// output step against the reference kernels. See kernel_test.cc's header
// for what each covers.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/drivers/batch_matmul_s8.h"
#include "kernels/drivers/fast_ops.h"
#include "kernels/drivers/softmax_s8.h"
#include "kernels/ref/activations.h"
#include "kernels/ref/batch_matmul.h"
#include "kernels/ref/binary_quant.h"
#include "kernels/ref/pooling.h"
#include "kernels/ref/quant_util.h"
#include "kernels/ref/resize.h"
#include "kernels/ref/softmax.h"

namespace {

// ---------------------------------------------------------------------------
// Fast-op table (kernels/drivers/fast_ops.h).

// An input value, often at the type's limits.
template <typename T>
T RandomValue() {
  constexpr int32_t lo = std::numeric_limits<T>::min();
  constexpr int32_t hi = std::numeric_limits<T>::max();
  switch (Uniform(0, 7)) {
    case 0:
      return static_cast<T>(lo);
    case 1:
      return static_cast<T>(hi);
    default:
      return static_cast<T>(Uniform(lo, hi));
  }
}

// A zero point for T (0 for int16, as the ops require), often at a limit.
template <typename T>
int32_t RandomZeroPoint() {
  if (sizeof(T) == 2) return 0;
  switch (Uniform(0, 5)) {
    case 0:
      return -128;
    case 1:
      return 127;
    default:
      return Uniform(-128, 127);
  }
}

double RandomScale() {
  return std::ldexp(Uniform(1000, 9999) / 1000.0, Uniform(-12, 0));
}

// Operand layouts of a broadcasting binary op over n = rows x row outputs.
struct BinaryCase {
  x86::BinaryArgs args;
  int64_t a_size = 0, b_size = 0;
};
BinaryCase RandomBinaryCase() {
  BinaryCase c;
  const int64_t row = Uniform(0, 3) == 0 ? Uniform(1, 40) : Uniform(1, 70);
  const int64_t rows = Uniform(1, 9);
  c.args.n = row * rows;
  c.args.row = row;
  auto kind = [&](int64_t* size) {
    switch (Uniform(0, 3)) {
      case 0:
        *size = 1;
        return x86::Operand::kScalar;
      case 1:
        *size = row;
        return x86::Operand::kRow;
      default:
        *size = c.args.n;
        return x86::Operand::kFull;
    }
  };
  c.args.a_kind = kind(&c.a_size);
  c.args.b_kind = kind(&c.b_size);
  return c;
}
int64_t OperandIndex(x86::Operand kind, int64_t i, int64_t row) {
  return kind == x86::Operand::kFull  ? i
         : kind == x86::Operand::kRow ? i % row
                                      : 0;
}

// Calls fn over [0, n) in one to three pieces (pieces may start mid-row).
template <typename F>
void RunPieces(int64_t n, F&& fn) {
  const int64_t cut1 =
      Uniform(0, 2) == 0 ? Uniform(0, static_cast<int32_t>(n)) : n;
  const int64_t cut2 =
      Uniform(static_cast<int32_t>(cut1), static_cast<int32_t>(n));
  if (cut1 > 0) fn(int64_t{0}, cut1);
  if (cut2 > cut1) fn(cut1, cut2);
  if (n > cut2) fn(cut2, n);
}

template <typename T>
void TestQuantBinary(const x86::FastOpsKernels& k, int cases) {
  const bool s16 = sizeof(T) == 2;
  int counts[3] = {};  // add, sub, mul
  for (int i = 0; i < cases; ++i) {
    BinaryCase c = RandomBinaryCase();
    std::vector<T> a(c.a_size), b(c.b_size), got(c.args.n + 8), want(c.args.n);
    for (auto& v : a) v = RandomValue<T>();
    for (auto& v : b) v = RandomValue<T>();
    const int32_t zp_a = RandomZeroPoint<T>(), zp_b = RandomZeroPoint<T>(),
                  zp_o = RandomZeroPoint<T>();
    const double sa = RandomScale(), sb = RandomScale(), so = RandomScale();
    constexpr int32_t tmin = std::numeric_limits<T>::min();
    constexpr int32_t tmax = std::numeric_limits<T>::max();
    const int32_t act_lo = Uniform(0, 2) == 0 ? Uniform(tmin, 0) : tmin;
    const int32_t act_hi = Uniform(0, 2) == 0 ? Uniform(0, tmax) : tmax;
    const int op = Uniform(0, 2);
    ++counts[op];
    c.args.a = a.data();
    c.args.b = b.data();
    c.args.out = got.data();
    const T sentinel = static_cast<T>(0x5A);
    std::fill(got.begin(), got.end(), sentinel);
    if (op < 2) {  // ADD / SUB, set up as ops/add.cc does
      ref::AddSubParams p;
      p.left_shift = s16 ? 15 : 20;
      p.in1_offset = -zp_a;
      p.in2_offset = -zp_b;
      p.out_offset = zp_o;
      const double twice_max = 2.0 * std::max(sa, sb);
      ref::QuantizeMultiplier(sa / twice_max, &p.in1_mult, &p.in1_shift);
      ref::QuantizeMultiplier(sb / twice_max, &p.in2_mult, &p.in2_shift);
      if (op == 1) p.in2_mult = -p.in2_mult;
      ref::QuantizeMultiplier(twice_max / ((1 << p.left_shift) * so),
                              &p.out_mult, &p.out_shift);
      p.act_lo = act_lo;
      p.act_hi = act_hi;
      for (int64_t e = 0; e < c.args.n; ++e)
        want[e] = static_cast<T>(ref::QuantizedAddSub(
            p, a[OperandIndex(c.args.a_kind, e, c.args.row)],
            b[OperandIndex(c.args.b_kind, e, c.args.row)]));
      const x86::QuantAddArgs q = {p.left_shift, p.in1_offset, p.in2_offset,
                                   p.out_offset, p.in1_mult,   p.in2_mult,
                                   p.out_mult,   p.in1_shift,  p.in2_shift,
                                   p.out_shift,  p.act_lo,     p.act_hi};
      const x86::QuantAddS8Fn fn = s16 ? k.add_s16 : k.add_s8;
      RunPieces(c.args.n,
                [&](int64_t b0, int64_t b1) { fn(q, c.args, b0, b1); });
    } else {  // MUL, set up as ops/binary_arith.cc does
      ref::MulParams p;
      p.in1_offset = -zp_a;
      p.in2_offset = -zp_b;
      p.out_offset = zp_o;
      ref::QuantizeMultiplier(sa * sb / so, &p.mult, &p.shift);
      p.act_lo = act_lo;
      p.act_hi = act_hi;
      for (int64_t e = 0; e < c.args.n; ++e)
        want[e] = static_cast<T>(
            ref::QuantizedMul(p, a[OperandIndex(c.args.a_kind, e, c.args.row)],
                              b[OperandIndex(c.args.b_kind, e, c.args.row)]));
      const x86::QuantMulArgs q = {p.in1_offset, p.in2_offset, p.out_offset,
                                   p.mult,       p.shift,      p.act_lo,
                                   p.act_hi};
      const x86::QuantMulS8Fn fn = s16 ? k.mul_s16 : k.mul_s8;
      RunPieces(c.args.n,
                [&](int64_t b0, int64_t b1) { fn(q, c.args, b0, b1); });
    }
    int64_t diffs = 0, first = 0;
    for (int64_t e = 0; e < c.args.n; ++e)
      if (got[e] != want[e] && diffs++ == 0) first = e;
    EXPECT(diffs == 0,
           "%s %s n %lld row %lld kinds %d,%d: %lld differ, first at %lld: "
           "got %d, want %d",
           s16 ? "int16" : "int8",
           op == 0   ? "ADD"
           : op == 1 ? "SUB"
                     : "MUL",
           static_cast<long long>(c.args.n), static_cast<long long>(c.args.row),
           static_cast<int>(c.args.a_kind), static_cast<int>(c.args.b_kind),
           static_cast<long long>(diffs), static_cast<long long>(first),
           got[first], want[first]);
    for (int64_t e = c.args.n; e < c.args.n + 8; ++e)
      EXPECT(got[e] == sentinel, "%s binary wrote past the output",
             s16 ? "int16" : "int8");
  }
  std::printf("fast ops %s binary: %d ADD, %d SUB, %d MUL\n",
              s16 ? "int16" : "int8", counts[0], counts[1], counts[2]);
}

ref::PoolParams RandomPool(int32_t max_channels) {
  ref::PoolParams p;
  p.batches = Uniform(1, 2);
  p.in_h = Uniform(1, 9);
  p.in_w = Uniform(1, 9);
  p.channels = Uniform(1, max_channels);
  p.filter_h = Uniform(1, 4);
  p.filter_w = Uniform(1, 4);
  if (Uniform(0, 5) == 0) {  // global pooling
    p.filter_h = p.in_h;
    p.filter_w = p.in_w;
  }
  p.stride_h = Uniform(1, 3);
  p.stride_w = Uniform(1, 3);
  p.pad_h = Uniform(0, p.filter_h - 1);
  p.pad_w = Uniform(0, p.filter_w - 1);
  p.out_h = (p.in_h + 2 * p.pad_h - p.filter_h) / p.stride_h + 1;
  p.out_w = (p.in_w + 2 * p.pad_w - p.filter_w) / p.stride_w + 1;
  if (p.out_h < 1) p.out_h = 1;
  if (p.out_w < 1) p.out_w = 1;
  return p;
}

void TestPoolS8(const x86::FastOpsKernels& k, int cases) {
  for (int i = 0; i < cases; ++i) {
    ref::PoolParams p = RandomPool(50);
    p.quant_lo = Uniform(0, 2) == 0 ? Uniform(-128, 0) : -128;
    p.quant_hi = Uniform(0, 2) == 0 ? Uniform(0, 127) : 127;
    const bool max = Uniform(0, 1) == 1;
    std::vector<int8_t> in(static_cast<size_t>(p.batches) * p.in_h * p.in_w *
                           p.channels);
    for (auto& v : in) v = RandomValue<int8_t>();
    const size_t out_size =
        static_cast<size_t>(p.batches) * p.out_h * p.out_w * p.channels;
    std::vector<int8_t> want(out_size), got(out_size + 16, 0x5A);
    if (max)
      ref::MaxPoolQuantized<int8_t>(p, in.data(), want.data());
    else
      ref::AveragePoolQuantized<int8_t>(p, in.data(), want.data());
    RunPieces(static_cast<int64_t>(p.batches) * p.out_h,
              [&](int64_t r0, int64_t r1) {
                k.pool_s8(max, p, in.data(), got.data(), r0, r1);
              });
    size_t diffs = 0, first = 0;
    for (size_t e = 0; e < out_size; ++e)
      if (got[e] != want[e] && diffs++ == 0) first = e;
    EXPECT(diffs == 0,
           "int8 %s pool C %d filter %dx%d stride %dx%d pad %d,%d in %dx%d: "
           "%zu differ, first at %zu: got %d, want %d",
           max ? "max" : "average", p.channels, p.filter_h, p.filter_w,
           p.stride_h, p.stride_w, p.pad_h, p.pad_w, p.in_h, p.in_w, diffs,
           first, got[first], want[first]);
    for (size_t e = out_size; e < got.size(); ++e)
      EXPECT(got[e] == 0x5A, "int8 pool wrote past the output");
  }
  std::printf("fast ops int8 pooling: %d shapes\n", cases);
}

void TestSpatialSumS8(const x86::FastOpsKernels& k, int cases) {
  for (int i = 0; i < cases; ++i) {
    const int64_t spatial = Uniform(1, 60), channels = Uniform(1, 70);
    const int64_t c0 = Uniform(0, static_cast<int32_t>(channels) - 1);
    const int64_t c1 =
        Uniform(static_cast<int32_t>(c0) + 1, static_cast<int32_t>(channels));
    std::vector<int8_t> in(spatial * channels);
    for (auto& v : in) v = RandomValue<int8_t>();
    std::vector<int32_t> got(channels, 12345);
    k.spatial_sum_s8(in.data(), spatial, channels, c0, c1, got.data());
    for (int64_t c = 0; c < channels; ++c) {
      int32_t want = 12345;
      if (c >= c0 && c < c1) {
        want = 0;
        for (int64_t s = 0; s < spatial; ++s) want += in[s * channels + c];
      }
      EXPECT(got[c] == want,
             "int8 spatial sum %lldx%lld [%lld, %lld) channel %lld: got %d, "
             "want %d",
             static_cast<long long>(spatial), static_cast<long long>(channels),
             static_cast<long long>(c0), static_cast<long long>(c1),
             static_cast<long long>(c), got[c], want);
    }
  }
  std::printf("fast ops int8 spatial sums: %d cases\n", cases);
}

float RandomFloat() {
  switch (Uniform(0, 9)) {
    case 0:
      return 0.0f;
    case 1:
      return -0.0f;
    case 2:
      return static_cast<float>(Uniform(-40, 40));
    default:
      return static_cast<float>(Uniform(-1000000, 1000000)) * 1e-5f;
  }
}

// fp32 element-wise ops and clamps: the same arithmetic as the reference
// lambdas (ops/add.cc, ops/binary_arith.cc, PRELU), bit for bit.
void TestBinaryF32(const x86::FastOpsKernels& k, int cases) {
  for (int i = 0; i < cases; ++i) {
    BinaryCase c = RandomBinaryCase();
    std::vector<float> a(c.a_size), b(c.b_size), got(c.args.n + 4, 7.0f),
        want(c.args.n);
    for (auto& v : a) v = RandomFloat();
    for (auto& v : b) v = RandomFloat();
    const auto op = static_cast<x86::BinaryOp>(Uniform(0, 5));
    const bool clamp = Uniform(0, 1) == 1;
    c.args.lo = clamp ? -static_cast<float>(Uniform(0, 6)) : -INFINITY;
    c.args.hi = clamp ? static_cast<float>(Uniform(0, 6)) : INFINITY;
    for (int64_t e = 0; e < c.args.n; ++e) {
      const float x = a[OperandIndex(c.args.a_kind, e, c.args.row)];
      const float y = b[OperandIndex(c.args.b_kind, e, c.args.row)];
      float r = 0.0f;
      switch (op) {
        case x86::BinaryOp::kAdd:
          r = x + y;
          break;
        case x86::BinaryOp::kSub:
          r = x - y;
          break;
        case x86::BinaryOp::kMul:
          r = x * y;
          break;
        case x86::BinaryOp::kMax:
          r = x > y ? x : y;
          break;
        case x86::BinaryOp::kMin:
          r = x < y ? x : y;
          break;
        case x86::BinaryOp::kPrelu:
          r = x >= 0.0f ? x : x * y;
          break;
      }
      want[e] = std::min(std::max(r, c.args.lo), c.args.hi);
    }
    c.args.a = a.data();
    c.args.b = b.data();
    c.args.out = got.data();
    RunPieces(c.args.n, [&](int64_t b0, int64_t b1) {
      k.binary_f32(op, c.args, b0, b1);
    });
    int64_t diffs = 0, first = 0;
    for (int64_t e = 0; e < c.args.n; ++e)
      if (std::memcmp(&got[e], &want[e], 4) != 0 && diffs++ == 0) first = e;
    EXPECT(
        diffs == 0,
        "fp32 binary op %d n %lld: %lld differ, first at %lld: got %g, want %g",
        static_cast<int>(op), static_cast<long long>(c.args.n),
        static_cast<long long>(diffs), static_cast<long long>(first),
        got[first], want[first]);
    for (int64_t e = c.args.n; e < c.args.n + 4; ++e)
      EXPECT(got[e] == 7.0f, "fp32 binary wrote past the output");
  }
  std::printf("fast ops fp32 binary: %d cases\n", cases);
}

// fp32 activations: clamps, LEAKY_RELU and HARD_SWISH bit-exact (the
// reference's operations), the exp-based ones within 1e-5 x max(1, |want|).
void TestUnaryF32(const x86::FastOpsKernels& k, int cases) {
  double worst = 0.0;
  for (int i = 0; i < cases; ++i) {
    const int64_t n = Uniform(1, 90);
    std::vector<float> in(n), got(n + 4, 7.0f);
    for (auto& v : in) v = RandomFloat();
    const auto op = static_cast<x86::UnaryOp>(Uniform(0, 6));
    x86::UnaryArgs u;
    u.in = in.data();
    u.out = got.data();
    u.lo = -static_cast<float>(Uniform(0, 3));
    u.hi = static_cast<float>(Uniform(1, 6));
    u.alpha = Uniform(1, 30) * 0.01f;
    RunPieces(n, [&](int64_t b0, int64_t b1) { k.unary_f32(op, u, b0, b1); });
    for (int64_t e = 0; e < n; ++e) {
      const float x = in[e];
      bool exact = true;
      float want = 0.0f;
      switch (op) {
        case x86::UnaryOp::kClamp:
          want = std::min(std::max(x, u.lo), u.hi);
          break;
        case x86::UnaryOp::kLeakyRelu:
          want = x > 0.0f ? x : x * u.alpha;
          break;
        case x86::UnaryOp::kHardSwish:
          want = x * std::min(6.0f, std::max(0.0f, x + 3.0f)) / 6.0f;
          break;
        case x86::UnaryOp::kLogistic:
          want = ref::LogisticF(x);
          exact = false;
          break;
        case x86::UnaryOp::kTanh:
          want = std::tanh(x);
          exact = false;
          break;
        case x86::UnaryOp::kGelu:
          want = ref::GeluF(x);
          exact = false;
          break;
        case x86::UnaryOp::kGeluApprox:
          want = ref::GeluApproxF(x);
          exact = false;
          break;
      }
      if (exact) {
        EXPECT(std::memcmp(&got[e], &want, 4) == 0,
               "fp32 activation %d of %g: got %g, want %g",
               static_cast<int>(op), x, got[e], want);
      } else {
        const double err = std::fabs(static_cast<double>(got[e]) - want) /
                           std::max(1.0, std::fabs(static_cast<double>(want)));
        worst = std::max(worst, err);
        EXPECT(err <= 1e-5, "fp32 activation %d of %g: got %.9g, want %.9g",
               static_cast<int>(op), x, got[e], want);
      }
    }
    for (int64_t e = n; e < n + 4; ++e)
      EXPECT(got[e] == 7.0f, "fp32 activation wrote past the output");
  }
  std::printf(
      "fast ops fp32 activations: %d cases, worst relative error %.2g\n", cases,
      worst);
}

void TestPoolF32(const x86::FastOpsKernels& k, int cases) {
  for (int i = 0; i < cases; ++i) {
    ref::PoolParams p = RandomPool(20);
    if (Uniform(0, 1) == 1) {
      p.float_lo = 0.0f;
      p.float_hi = 6.0f;
    }
    const bool max = Uniform(0, 1) == 1;
    std::vector<float> in(static_cast<size_t>(p.batches) * p.in_h * p.in_w *
                          p.channels);
    for (auto& v : in) v = RandomFloat();
    const size_t out_size =
        static_cast<size_t>(p.batches) * p.out_h * p.out_w * p.channels;
    std::vector<float> want(out_size), got(out_size + 4, 7.0f);
    if (max)
      ref::MaxPoolFloat(p, in.data(), want.data());
    else
      ref::AveragePoolFloat(p, in.data(), want.data());
    RunPieces(static_cast<int64_t>(p.batches) * p.out_h,
              [&](int64_t r0, int64_t r1) {
                k.pool_f32(max, p, in.data(), got.data(), r0, r1);
              });
    size_t diffs = 0, first = 0;
    for (size_t e = 0; e < out_size; ++e)
      if (std::memcmp(&got[e], &want[e], 4) != 0 && diffs++ == 0) first = e;
    EXPECT(diffs == 0,
           "fp32 %s pool C %d filter %dx%d: %zu differ, first at %zu: got %g, "
           "want %g",
           max ? "max" : "average", p.channels, p.filter_h, p.filter_w, diffs,
           first, got[first], want[first]);
    for (size_t e = out_size; e < got.size(); ++e)
      EXPECT(got[e] == 7.0f, "fp32 pool wrote past the output");
  }
  std::printf("fast ops fp32 pooling: %d shapes\n", cases);
}

// fp32 spatial sums (MEAN / SUM): in input order, divided once, bit-exact.
void TestSpatialSumF32(const x86::FastOpsKernels& k, int cases) {
  for (int i = 0; i < cases; ++i) {
    const int64_t spatial = Uniform(1, 40), channels = Uniform(1, 70);
    const int64_t c0 = Uniform(0, static_cast<int32_t>(channels) - 1);
    const int64_t c1 =
        Uniform(static_cast<int32_t>(c0) + 1, static_cast<int32_t>(channels));
    const float divisor = Uniform(0, 1) ? static_cast<float>(spatial) : 1.0f;
    std::vector<float> in(spatial * channels), got(channels, 7.0f);
    for (auto& v : in) v = RandomFloat();
    k.spatial_sum_f32(in.data(), spatial, channels, c0, c1, divisor,
                      got.data());
    for (int64_t c = 0; c < channels; ++c) {
      float want = 7.0f;
      if (c >= c0 && c < c1) {
        float sum = 0.0f;
        for (int64_t s = 0; s < spatial; ++s) sum += in[s * channels + c];
        want = sum / divisor;
      }
      EXPECT(got[c] == want, "fp32 spatial sum channel %lld: got %g, want %g",
             static_cast<long long>(c), got[c], want);
    }
  }
  std::printf("fast ops fp32 spatial sums: %d cases\n", cases);
}

// fp32 RESIZE_BILINEAR against ref::ResizeBilinearFloatMath: the same
// operations in the same order (equal values; the reference's "+ 0" may
// turn a -0 into +0).
void TestResizeF32(const x86::FastOpsKernels& k, int cases) {
  for (int i = 0; i < cases; ++i) {
    ref::ResizeParams p;
    p.batches = Uniform(1, 2);
    p.in_h = Uniform(1, 8);
    p.in_w = Uniform(1, 8);
    p.depth = Uniform(1, 19);
    p.out_h = Uniform(1, 17);
    p.out_w = Uniform(1, 17);
    p.align_corners = Uniform(0, 1) == 1;
    p.half_pixel_centers = !p.align_corners && Uniform(0, 1) == 1;
    std::vector<float> in(static_cast<size_t>(p.batches) * p.in_h * p.in_w *
                          p.depth);
    for (auto& v : in) v = RandomFloat();
    const size_t out_size =
        static_cast<size_t>(p.batches) * p.out_h * p.out_w * p.depth;
    std::vector<float> want(out_size), got(out_size + 4, 7.0f);
    ref::ResizeBilinearFloatMath(p, in.data(), want.data());
    RunPieces(static_cast<int64_t>(p.batches) * p.out_h,
              [&](int64_t r0, int64_t r1) {
                k.resize_bilinear_f32(p, in.data(), got.data(), r0, r1);
              });
    size_t diffs = 0, first = 0;
    for (size_t e = 0; e < out_size; ++e)
      if (got[e] != want[e] && diffs++ == 0) first = e;
    EXPECT(diffs == 0,
           "fp32 resize %dx%d -> %dx%d depth %d ac %d hp %d: %zu differ, "
           "first at %zu: got %g, want %g",
           p.in_h, p.in_w, p.out_h, p.out_w, p.depth, p.align_corners,
           p.half_pixel_centers, diffs, first, got[first], want[first]);
    for (size_t e = out_size; e < got.size(); ++e)
      EXPECT(got[e] == 7.0f, "fp32 resize wrote past the output");
  }
  std::printf("fast ops fp32 bilinear resize: %d shapes\n", cases);
}

// fp32 SOFTMAX against ref::SoftmaxFloat (std::exp): within 2e-6 (outputs
// lie in [0, 1]).
void TestSoftmaxF32(const x86::FastOpsKernels& k, int cases) {
  double worst = 0.0;
  for (int i = 0; i < cases; ++i) {
    ref::SoftmaxParams p;
    p.outer = Uniform(1, 6);
    p.depth = Uniform(1, 70);
    p.beta = Uniform(0, 1) ? 1.0f : Uniform(1, 20) * 0.1f;
    std::vector<float> in(p.outer * p.depth), want(in.size()),
        got(in.size() + 4, 7.0f);
    for (auto& v : in) v = RandomFloat();
    ref::SoftmaxFloat(p, in.data(), want.data());
    k.softmax_f32(in.data(), got.data(), p.depth, p.beta, 0, p.outer);
    for (size_t e = 0; e < in.size(); ++e) {
      const double err = std::fabs(static_cast<double>(got[e]) - want[e]);
      worst = std::max(worst, err);
      EXPECT(err <= 2e-6, "fp32 softmax depth %d beta %g: got %.9g, want %.9g",
             p.depth, p.beta, got[e], want[e]);
    }
    for (size_t e = in.size(); e < got.size(); ++e)
      EXPECT(got[e] == 7.0f, "fp32 softmax wrote past the output");
  }
  std::printf("fast ops fp32 softmax: %d cases, worst error %.2g\n", cases,
              worst);
}

void TestFastOps(int cases) {
  const x86::FastOpsEntry* e = x86::SelectFastOpsEntry(AllowedIsas());
#if defined(__wasm_simd128__)
  EXPECT(e != nullptr && e->isa == Isa::kWasmSimd128,
         "the SIMD128 build does not select its fast-op table");
#else
  EXPECT(e == nullptr, "a build without SIMD128 lists a fast-op table");
#endif
  if (e == nullptr) return;
  const x86::FastOpsKernels& k = *e->kernels();
  TestQuantBinary<int8_t>(k, cases * 2);
  TestQuantBinary<int16_t>(k, cases);
  TestPoolS8(k, cases);
  TestSpatialSumS8(k, cases / 2);
  TestBinaryF32(k, cases);
  TestUnaryF32(k, cases);
  TestPoolF32(k, cases / 2);
  TestSpatialSumF32(k, cases / 2);
  TestResizeF32(k, cases / 2);
  TestSoftmaxF32(k, cases / 2);
}

// int8 BATCH_MATMUL (RunS8BatchMatMul with the kernel the build selects)
// against ref::BatchMatMulInt8 / BatchMatMulInt8ToInt32: random m, n, k
// (depths not a multiple of the 16-value step, rows not a multiple of 4),
// adjoints, broadcast batch dims, zero points at the int8 limits.
void TestBatchMatMul(const x86::S8MatMulKernel& kern, int cases) {
  for (int i = 0; i < cases; ++i) {
    ref::BatchMatMulParams p;
    p.m = Uniform(1, 9);
    p.n = Uniform(1, 23);
    p.k = Uniform(1, 70);
    p.adj_x = Uniform(0, 1) == 1;
    p.adj_y = Uniform(0, 1) == 1;
    p.batch_rank = Uniform(0, 2);
    int64_t lhs_mats = 1, rhs_mats = 1, lhs_inner = 1, rhs_inner = 1;
    for (int d = p.batch_rank - 1; d >= 0; --d) {
      p.batch_dims[d] = Uniform(1, 3);
      const bool lhs_has = Uniform(0, 2) != 0, rhs_has = Uniform(0, 2) != 0;
      p.lhs_batch_stride[d] = lhs_has ? lhs_inner : 0;
      p.rhs_batch_stride[d] = rhs_has ? rhs_inner : 0;
      if (lhs_has) lhs_inner *= p.batch_dims[d];
      if (rhs_has) rhs_inner *= p.batch_dims[d];
    }
    lhs_mats = lhs_inner;
    rhs_mats = rhs_inner;
    int64_t batches = 1;
    for (int d = 0; d < p.batch_rank; ++d) batches *= p.batch_dims[d];
    p.lhs_zero_point = RandomZeroPoint<int8_t>();
    p.rhs_zero_point = RandomZeroPoint<int8_t>();
    p.out_zero_point = RandomZeroPoint<int8_t>();
    p.multiplier = RandomMultiplier();
    p.shift = Uniform(-20, 2);
    p.out_min = Uniform(0, 2) == 0 ? Uniform(-128, 0) : -128;
    p.out_max = Uniform(0, 2) == 0 ? Uniform(0, 127) : 127;
    std::vector<int8_t> lhs(lhs_mats * p.m * p.k), rhs(rhs_mats * p.k * p.n);
    for (auto& v : lhs) v = RandomValue<int8_t>();
    for (auto& v : rhs) v = RandomValue<int8_t>();
    const size_t out_size = static_cast<size_t>(batches) * p.m * p.n;
    std::vector<int8_t> want8(out_size), got8(out_size + 16, 0x5A);
    std::vector<int32_t> want32(out_size), got32(out_size);
    ref::BatchMatMulInt8(p, lhs.data(), rhs.data(), want8.data());
    ref::BatchMatMulInt8ToInt32(p, lhs.data(), rhs.data(), want32.data());
    x86::S8MatMulShape s;
    s.lhs_matrices = lhs_mats;
    s.rhs_matrices = rhs_mats;
    std::vector<int16_t> scratch(x86::S8BatchMatMulScratchBytes(p, s) / 2);
    x86::RunS8BatchMatMul(nullptr, kern, p, s, lhs.data(), rhs.data(),
                          scratch.data(), got8.data(), nullptr);
    x86::RunS8BatchMatMul(nullptr, kern, p, s, lhs.data(), rhs.data(),
                          scratch.data(), nullptr, got32.data());
    size_t diffs = 0, first = 0;
    for (size_t e = 0; e < out_size; ++e)
      if ((got8[e] != want8[e] || got32[e] != want32[e]) && diffs++ == 0)
        first = e;
    EXPECT(diffs == 0,
           "batch matmul m %d n %d k %d adj %d,%d batches %lld: %zu differ, "
           "first at %zu: got %d / %d, want %d / %d",
           p.m, p.n, p.k, p.adj_x, p.adj_y, static_cast<long long>(batches),
           diffs, first, got8[first], got32[first], want8[first],
           want32[first]);
    for (size_t e = out_size; e < got8.size(); ++e)
      EXPECT(got8[e] == 0x5A, "batch matmul wrote past the output");
  }
  std::printf("batch matmul %s: %d problems\n", kern.label, cases);
}

// int8 SOFTMAX through the table path (softmax_s8.h) with the kernel the
// build selects for the output step, against ref::SoftmaxQuantized8: random
// input scales and betas (diff_min cutting some elements off), depths that
// leave partial vectors, the output aliasing the input half the time.
void TestSoftmaxS8(const x86::Softmax8Kernel& kern, int cases) {
  for (int i = 0; i < cases; ++i) {
    ref::SoftmaxParams p;
    p.outer = Uniform(1, 5);
    p.depth = Uniform(1, 80);
    p.beta = Uniform(0, 1) ? 1.0f : Uniform(1, 30) * 0.1f;
    ref::PrepareSoftmax8Bit(p.beta, RandomScale() * Uniform(1, 64), &p);
    x86::Softmax8Table table;
    x86::PrepareSoftmax8Table(p, &table);
    std::vector<int8_t> in(p.outer * p.depth), want(in.size());
    for (auto& v : in) v = RandomValue<int8_t>();
    ref::SoftmaxQuantized8<int8_t, int8_t>(p, in.data(), want.data());
    const bool in_place = Uniform(0, 1) == 1;
    std::vector<int8_t> got = in;
    got.resize(in.size() + 16, 0x5A);
    x86::Softmax8TableRows<int8_t, int8_t>(table, kern.fn,
                                           in_place ? got.data() : in.data(),
                                           got.data(), p.depth, 0, p.outer);
    size_t diffs = 0, first = 0;
    for (size_t e = 0; e < in.size(); ++e)
      if (got[e] != want[e] && diffs++ == 0) first = e;
    EXPECT(diffs == 0,
           "int8 softmax rows %lld depth %d beta %g%s: %zu differ, first at "
           "%zu: got %d, want %d",
           static_cast<long long>(p.outer), p.depth, p.beta,
           in_place ? " in place" : "", diffs, first, got[first], want[first]);
    for (size_t e = in.size(); e < got.size(); ++e)
      EXPECT(got[e] == 0x5A, "int8 softmax wrote past the output");
  }
  std::printf("softmax int8 %s: %d cases\n", kern.label, cases);
}

}  // namespace
