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
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernel_test_ops.h"
#include "kernel_test_util.h"
#include "kernels/dispatch/isa.h"
#include "kernels/drivers/dwconv_s8.h"
#include "kernels/drivers/gemm_s8.h"
#include "kernels/ref/conv_common.h"
#include "kernels/ref/depthwise_conv.h"
#include "kernels/ref/quant_util.h"
#if defined(__wasm_simd128__)
#include "kernels/wasm/s8_requant_simd128.h"
#endif

namespace {

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
