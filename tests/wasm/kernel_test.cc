// The WebAssembly build's int8 kernels against the reference arithmetic,
// run under Node (tests/wasm/run.sh builds it with emscripten as
// ember_wasm_kernel_test.js next to ember.mjs; the project's GoogleTest
// suites are not built for WebAssembly). Bit-exact, on random cases that
// models rarely reach:
//  - the SIMD128 requantization (s8_requant_simd128.h) lane by lane
//    against ref::MultiplyByQuantizedMultiplier over the whole shift range
//    [-31, 30], multipliers 0 and [2^30, 2^31), and accumulators at the
//    int32 limits, with lanes sharing a right shift or not;
//  - the int8 GEMM (RunS8Gemm with the kernel the build selects) in all
//    three epilogues (double rounding, FULLY_CONNECTED's single rounding,
//    hybrid float), direct rows and indirection tables with padding taps,
//    depths 1..70 and column counts that leave partial panels; it must not
//    write past the tile's columns;
//  - the int8 depthwise kernel against ref::DepthwiseConvQuantized on
//    random shapes, strides, dilations, paddings and channel counts;
//  - the fast-op table (FastOpsWasmSimd128): int8 / int16 ADD, SUB and MUL
//    against ref::QuantizedAddSub / QuantizedMul (same-shape, scalar and
//    last-dim-row operands, ranges starting mid-row, odd lengths, inputs and
//    zero points at the int8 limits, random scales and activation clamps),
//    int8 and fp32 MAX / AVERAGE pooling against kernels/ref/pooling.h,
//    the int8 spatial sums, fp32 element-wise ops and clamps (bit-exact)
//    and the fp32 transcendental activations (within 1e-5), fp32 spatial
//    sums and bilinear resize (equal values) and SOFTMAX (within 2e-6);
//  - the int8 BATCH_MATMUL row kernels (RunS8BatchMatMul) against
//    ref::BatchMatMulInt8 with adjoints and broadcast batches;
//  - the int8 SOFTMAX output step (through Softmax8TableRows) against
//    ref::SoftmaxQuantized8, in place and not.
// In a build without SIMD128 it checks that no int8 kernel and no fast-op
// table is listed (the reference kernels run) and passes.
//
// usage: node build/wasm/ember_wasm_kernel_test.js [CASES]
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kernels/dispatch/isa.h"
#include "kernels/drivers/batch_matmul_s8.h"
#include "kernels/drivers/dwconv_s8.h"
#include "kernels/drivers/fast_ops.h"
#include "kernels/drivers/gemm_s8.h"
#include "kernels/drivers/softmax_s8.h"
#include "kernels/ref/activations.h"
#include "kernels/ref/batch_matmul.h"
#include "kernels/ref/binary_quant.h"
#include "kernels/ref/conv_common.h"
#include "kernels/ref/depthwise_conv.h"
#include "kernels/ref/pooling.h"
#include "kernels/ref/quant_util.h"
#include "kernels/ref/resize.h"
#include "kernels/ref/softmax.h"
#if defined(__wasm_simd128__)
#include "kernels/wasm/s8_requant_simd128.h"
#endif

namespace {

using ember::kernels::AllowedIsas;
using ember::kernels::Isa;
namespace x86 = ember::x86;
namespace ref = ember::ref;

int g_failures = 0;

#define EXPECT(cond, ...)                                \
  do {                                                   \
    if (!(cond)) {                                       \
      if (++g_failures <= 20) {                          \
        std::printf("FAIL %s:%d: ", __FILE__, __LINE__); \
        std::printf(__VA_ARGS__);                        \
        std::printf("\n");                               \
      }                                                  \
    }                                                    \
  } while (0)

std::mt19937 g_rng(20261207);

int32_t Uniform(int32_t lo, int32_t hi) {
  return std::uniform_int_distribution<int32_t>(lo, hi)(g_rng);
}

int8_t RandomS8() { return static_cast<int8_t>(Uniform(-128, 127)); }

// A multiplier as ref::QuantizeMultiplier makes them: 0 or [2^30, 2^31).
int32_t RandomMultiplier() {
  if (Uniform(0, 15) == 0) return 0;
  if (Uniform(0, 15) == 0) return 1 << 30;
  return Uniform(1 << 30, std::numeric_limits<int32_t>::max());
}

int32_t RandomAccumulator() {
  switch (Uniform(0, 5)) {
    case 0:
      return Uniform(std::numeric_limits<int32_t>::min(),
                     std::numeric_limits<int32_t>::max());
    case 1: {
      const int32_t edges[] = {0,
                               1,
                               -1,
                               std::numeric_limits<int32_t>::min(),
                               std::numeric_limits<int32_t>::max(),
                               1 << 30,
                               -(1 << 30)};
      return edges[Uniform(0, 6)];
    }
    case 2:  // around a power of two, where rounding ties sit
      return (Uniform(0, 1) ? 1 : -1) * (1 << Uniform(0, 30)) + Uniform(-2, 2);
    default:
      return Uniform(-(1 << 20), 1 << 20);
  }
}

#if defined(__wasm_simd128__)
void TestRequantize(int cases) {
  int uniform_cases = 0;
  for (int i = 0; i < cases; ++i) {
    alignas(16) int32_t acc[4], mult[4], left[4], right[4], shift[4];
    const bool uniform = i % 2 == 0;
    const int32_t common = Uniform(-31, 30);
    for (int l = 0; l < 4; ++l) {
      acc[l] = RandomAccumulator();
      mult[l] = RandomMultiplier();
      shift[l] = uniform ? common : Uniform(-31, 30);
      left[l] = shift[l] > 0 ? shift[l] : 0;
      right[l] = shift[l] > 0 ? 0 : -shift[l];
    }
    const x86::RequantSimd128 q = x86::MakeRequantSimd128(
        wasm_v128_load(mult), wasm_v128_load(left), wasm_v128_load(right));
    if (q.uniform_right >= 0) ++uniform_cases;
    alignas(16) int32_t got[4];
    wasm_v128_store(got, x86::RequantizeSimd128(wasm_v128_load(acc), q));
    for (int l = 0; l < 4; ++l) {
      const int32_t want =
          ref::MultiplyByQuantizedMultiplier(acc[l], mult[l], shift[l]);
      EXPECT(got[l] == want,
             "requantize acc %d mult %d shift %d: got %d, want %d", acc[l],
             mult[l], shift[l], got[l], want);
    }
  }
  EXPECT(uniform_cases >= cases / 2, "uniform path taken %d times",
         uniform_cases);
  std::printf("requantize: %d x 4 lanes\n", cases);
}
#endif

void TestGemm(const x86::S8Kernel& kern, int cases) {
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < cases; ++i) {
    const auto mode = static_cast<x86::S8Output>(i % 3);
    ++counts[i % 3];
    const bool indirect = Uniform(0, 2) == 0;
    const int32_t m = Uniform(1, 13);
    const int32_t n = Uniform(1, 21);
    const int32_t taps = indirect ? Uniform(1, 9) : 1;
    const int32_t tap_k = indirect ? Uniform(1, 20) : Uniform(1, 70);
    const int64_t k = static_cast<int64_t>(taps) * tap_k;
    const int32_t zp = mode == x86::S8Output::kFloat ? 0 : Uniform(-128, 127);

    std::vector<int8_t> w(n * k);
    for (auto& v : w) v = RandomS8();
    std::vector<int32_t> bias(n), mult(n), shift(n);
    for (int32_t j = 0; j < n; ++j) {
      bias[j] = Uniform(-50000, 50000);
      mult[j] = RandomMultiplier();
      shift[j] = mode == x86::S8Output::kInt8SingleRounding ? Uniform(-31, 20)
                                                            : Uniform(-12, 3);
    }
    const x86::S8PackLayout l = x86::MakeS8Layout(n, taps, tap_k, kern.nr);
    std::vector<uint8_t> packed(l.total_bytes);
    x86::PackS8Weights(l, w.data(), packed.data());
    for (int32_t j = 0; j < n; ++j) {
      const int32_t sum = x86::S8WeightSum(w.data(), j, k);
      if (mode == x86::S8Output::kFloat) {
        *x86::S8Header(l, packed.data(), 0, j) = -kern.input_shift * sum;
        *x86::S8Header(l, packed.data(), 1, j) = sum;
        continue;
      }
      *x86::S8Header(l, packed.data(), 0, j) =
          static_cast<int32_t>(static_cast<uint32_t>(bias[j]) -
                               static_cast<uint32_t>(kern.input_shift + zp) *
                                   static_cast<uint32_t>(sum));
      *x86::S8Header(l, packed.data(), 1, j) = mult[j];
      if (mode == x86::S8Output::kInt8DoubleRounding) {
        *x86::S8Header(l, packed.data(), 2, j) = std::max(shift[j], 0);
        *x86::S8Header(l, packed.data(), 3, j) = std::max(-shift[j], 0);
      } else {
        *x86::S8Header(l, packed.data(), 3, j) = 31 - shift[j];
      }
    }

    // Activations: direct rows (lda > tap_k) or pixels read through an
    // indirection table (-1: padding, reads the zero-point row).
    const int32_t pixels = Uniform(1, 12);
    const int64_t lda = tap_k + Uniform(0, 5);
    std::vector<int8_t> a(indirect ? pixels * tap_k : m * lda);
    for (auto& v : a) v = RandomS8();
    std::vector<int32_t> offsets;
    std::vector<int8_t> zero_row(l.tap_k4, static_cast<int8_t>(zp));
    x86::S8Problem p;
    p.m = m;
    p.taps = taps;
    p.tap_k = tap_k;
    p.packed = packed.data();
    p.layout = l;
    p.mode = mode;
    p.out_zp = Uniform(-20, 20);
    p.lo = Uniform(-128, -60);
    p.hi = Uniform(60, 127);
    if (indirect) {
      offsets.resize(m * taps);
      for (auto& o : offsets)
        o = Uniform(0, 4) == 0 ? -1 : Uniform(0, pixels - 1) * tap_k;
      p.a = a.data();
      p.indirection = offsets.data();
      p.rows_per_batch = m;
      p.zero_rows = zero_row.data();
    } else {
      p.a = a.data();
      p.lda = lda;
    }
    // Each row its own batch in the hybrid case (per-row offset and scale).
    std::vector<int32_t> batch_offset(m);
    std::vector<float> batch_scale(m);
    const size_t padded = static_cast<size_t>(l.panels) * l.nr;
    std::vector<float> col_scale(padded), col_bias(padded);
    if (mode == x86::S8Output::kFloat) {
      if (!indirect) p.rows_per_batch = 1;
      for (int32_t r = 0; r < m; ++r) {
        batch_offset[r] = Uniform(-128, 127);
        batch_scale[r] = Uniform(1, 1000) / 4096.0f;
      }
      for (auto& s : col_scale) s = Uniform(1, 1000) / 8192.0f;
      for (auto& b : col_bias) b = Uniform(-1000, 1000) / 64.0f;
      p.batch_offset = batch_offset.data();
      p.batch_scale = batch_scale.data();
      p.col_scale = col_scale.data();
      p.col_bias = Uniform(0, 1) ? col_bias.data() : nullptr;
      p.flo = -40.0f;
      p.fhi = 40.0f;
    }
    const int64_t ldc = n + 3;  // 3 guard elements after each row
    const size_t elem = mode == x86::S8Output::kFloat ? 4 : 1;
    std::vector<uint8_t> out(m * ldc * elem, 0xA5);
    p.c = out.data();
    p.ldc = ldc;
    std::vector<const int8_t*> scratch(
        x86::S8PointerScratchBytes(kern, taps, 1) / sizeof(void*) + 1);
    x86::RunS8Gemm(nullptr, 1, kern, p, scratch.data());

    for (int32_t r = 0; r < m; ++r) {
      for (int32_t j = 0; j < n; ++j) {
        int32_t acc = 0;  // sum of (x - input zero point) * w
        for (int32_t t = 0; t < taps; ++t) {
          const int8_t* row = nullptr;
          if (!indirect) {
            row = a.data() + r * lda;
          } else if (offsets[r * taps + t] >= 0) {
            row = a.data() + offsets[r * taps + t];
          }
          for (int32_t kk = 0; kk < tap_k && row != nullptr; ++kk) {
            const int32_t x =
                mode == x86::S8Output::kFloat ? row[kk] : row[kk] - zp;
            acc += x * w[j * k + t * tap_k + kk];
          }
        }
        const uint8_t* got = out.data() + (r * ldc + j) * elem;
        if (mode == x86::S8Output::kFloat) {
          // The hybrid kernels' arithmetic: the row's zero point enters as
          // offset x column sum, then the scales and the bias.
          const int32_t b = indirect ? 0 : r;  // the row's batch
          const int32_t v =
              acc + batch_offset[b] * x86::S8WeightSum(w.data(), j, k);
          float want = static_cast<float>(v) * col_scale[j] * batch_scale[b];
          if (p.col_bias != nullptr) want += col_bias[j];
          want = std::min(std::max(want, p.flo), p.fhi);
          float value;
          std::memcpy(&value, got, 4);
          EXPECT(std::memcmp(&value, &want, 4) == 0,
                 "gemm float m %d n %d taps %d tap_k %d at (%d, %d): got %g, "
                 "want %g",
                 m, n, taps, tap_k, r, j, value, want);
          continue;
        }
        const int32_t want = ref::Requantize(
            acc + bias[j], mult[j], shift[j], p.out_zp, p.lo, p.hi,
            mode == x86::S8Output::kInt8SingleRounding
                ? ref::Rounding::kSingle
                : ref::Rounding::kDouble);
        const int32_t value = static_cast<int8_t>(*got);
        EXPECT(value == want,
               "gemm mode %d m %d n %d taps %d tap_k %d zp %d at (%d, %d): "
               "got %d, want %d",
               static_cast<int>(mode), m, n, taps, tap_k, zp, r, j, value,
               want);
      }
      for (int64_t j = n * static_cast<int64_t>(elem); j < ldc * elem; ++j) {
        EXPECT(out[r * ldc * elem + j] == 0xA5,
               "gemm wrote past column %d of row %d", n, r);
      }
    }
  }
  std::printf("gemm %s: %d double rounding, %d single rounding, %d float\n",
              kern.gemm_label, counts[0], counts[1], counts[2]);
}

void TestDepthwise(const x86::DwConvS8Kernel& kern, int cases) {
  for (int i = 0; i < cases; ++i) {
    ref::DepthwiseShape s;
    s.batches = Uniform(1, 2);
    s.in_c = Uniform(1, 37);
    const int32_t fixed = Uniform(0, 3);  // 3x3 and 5x5 have their own code
    s.filter_h = fixed == 0 ? 3 : fixed == 1 ? 5 : Uniform(1, 4);
    s.filter_w = fixed == 0 ? 3 : fixed == 1 ? 5 : Uniform(1, 4);
    s.stride_h = Uniform(1, 2);
    s.stride_w = Uniform(1, 2);
    s.dilation_h = Uniform(1, 2);
    s.dilation_w = Uniform(1, 2);
    s.in_h = Uniform(1, 12);
    s.in_w = Uniform(1, 12);
    s.pad_top = Uniform(0, s.filter_h - 1);
    s.pad_left = Uniform(0, s.filter_w - 1);
    const int32_t eff_h = (s.filter_h - 1) * s.dilation_h + 1;
    const int32_t eff_w = (s.filter_w - 1) * s.dilation_w + 1;
    const int32_t span_h = s.in_h + 2 * s.pad_top - eff_h;
    const int32_t span_w = s.in_w + 2 * s.pad_left - eff_w;
    if (span_h < 0 || span_w < 0) {
      --i;
      continue;
    }
    s.out_h = span_h / s.stride_h + 1;
    s.out_w = span_w / s.stride_w + 1;
    const int32_t C = s.in_c, taps = s.filter_h * s.filter_w;
    const int32_t zp = Uniform(-128, 127);
    std::vector<int8_t> input(s.batches * s.in_h * s.in_w * C),
        filter(taps * C);
    for (auto& v : input) v = RandomS8();
    for (auto& v : filter) v = RandomS8();
    std::vector<int32_t> bias(C), mult(C), shift(C);
    for (int32_t c = 0; c < C; ++c) {
      bias[c] = Uniform(-30000, 30000);
      mult[c] = RandomMultiplier();
      shift[c] = Uniform(-12, 2);
    }
    if (Uniform(0, 2) == 0) std::fill(shift.begin(), shift.end(), shift[0]);
    std::vector<int32_t> packed(x86::PackedDwS8Bytes(taps, C) / 4);
    x86::PackDwConvS8(filter.data(), bias.data(), mult.data(), shift.data(),
                      taps, C, zp, packed.data());
    std::vector<int8_t> zero_row(s.in_w * C, static_cast<int8_t>(zp));
    ref::QuantizedOutput q;
    q.output_offset = Uniform(-20, 20);
    q.act_lo = Uniform(-128, -60);
    q.act_hi = Uniform(60, 127);
    q.multiplier = mult.data();
    q.shift = shift.data();
    const size_t out_size =
        static_cast<size_t>(s.batches) * s.out_h * s.out_w * C;
    std::vector<int8_t> want(out_size), got(out_size);
    ref::DepthwiseConvQuantized<int32_t>(s, input.data(), -zp, filter.data(), 0,
                                         bias.data(), q, want.data());
    x86::DwConvS8Args g;
    g.batches = s.batches;
    g.in_h = s.in_h;
    g.in_w = s.in_w;
    g.channels = C;
    g.filter_h = s.filter_h;
    g.filter_w = s.filter_w;
    g.out_h = s.out_h;
    g.out_w = s.out_w;
    g.stride_h = s.stride_h;
    g.stride_w = s.stride_w;
    g.dilation_h = s.dilation_h;
    g.dilation_w = s.dilation_w;
    g.pad_top = s.pad_top;
    g.pad_left = s.pad_left;
    g.input = input.data();
    g.packed = packed.data();
    g.zero_row = zero_row.data();
    g.output = got.data();
    g.output_offset = q.output_offset;
    g.act_lo = q.act_lo;
    g.act_hi = q.act_hi;
    x86::RunDwConvS8(nullptr, kern.fn, g);
    size_t diffs = 0, first = 0;
    for (size_t e = 0; e < out_size; ++e) {
      if (got[e] != want[e] && diffs++ == 0) first = e;
    }
    EXPECT(diffs == 0,
           "depthwise C %d filter %dx%d stride %dx%d dilation %dx%d in %dx%d "
           "pad %d,%d: %zu of %zu differ, first at %zu: got %d, want %d",
           C, s.filter_h, s.filter_w, s.stride_h, s.stride_w, s.dilation_h,
           s.dilation_w, s.in_h, s.in_w, s.pad_top, s.pad_left, diffs, out_size,
           first, got[first], want[first]);
  }
  std::printf("depthwise %s: %d shapes\n", kern.label, cases);
}

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

int main(int argc, char** argv) {
  const int cases = argc > 1 ? std::atoi(argv[1]) : 1000;
  const x86::S8Kernel* gemm = x86::SelectS8Kernel(AllowedIsas());
  const x86::DwConvS8Kernel* dw = x86::SelectDwConvS8(AllowedIsas());
#if defined(__wasm_simd128__)
  EXPECT(gemm != nullptr && gemm->isa == Isa::kWasmSimd128,
         "the SIMD128 build does not select its int8 GEMM tile");
  EXPECT(dw != nullptr && dw->isa == Isa::kWasmSimd128,
         "the SIMD128 build does not select its int8 depthwise kernel");
  TestRequantize(cases * 100);
#else
  EXPECT(gemm == nullptr && dw == nullptr,
         "a build without SIMD128 lists an int8 kernel");
  std::printf("no SIMD128: the int8 ops run the reference kernels\n");
#endif
  if (gemm != nullptr) TestGemm(*gemm, cases * 3);
  if (dw != nullptr) TestDepthwise(*dw, cases);
  TestFastOps(cases);
  const x86::S8MatMulKernel* bmm = x86::SelectS8MatMul(AllowedIsas());
#if defined(__wasm_simd128__)
  EXPECT(bmm != nullptr && bmm->isa == Isa::kWasmSimd128,
         "the SIMD128 build does not select its int8 BATCH_MATMUL kernel");
#endif
  // Without SIMD128 the portable kernel (also checked here) is selected.
  if (bmm != nullptr) TestBatchMatMul(*bmm, cases);
  const x86::Softmax8Kernel* sm8 = x86::SelectSoftmax8(AllowedIsas());
#if defined(__wasm_simd128__)
  EXPECT(sm8 != nullptr && sm8->isa == Isa::kWasmSimd128,
         "the SIMD128 build does not select its int8 SOFTMAX kernel");
#endif
  if (sm8 != nullptr) TestSoftmaxS8(*sm8, cases);
  std::printf("kernel_test: %d failure(s)\n", g_failures);
  return g_failures == 0 ? 0 : 1;
}
