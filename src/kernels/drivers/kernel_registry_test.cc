// Every entry of every kernel list (src/kernels/drivers/*_kernels.def) that
// this CPU and run allow, against the reference kernels on random shapes:
// integer kernels bit-exact; fp32 kernels within
//   |got - expect| <= 1e-5 * sqrt(depth) * max(1, max |expect|)
// (same products, other summation order / fused multiply-adds). A list
// entry without a checker here fails, so a new family cannot skip it. Also
// checks the labels: unique, and naming their architecture and ISA.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "kernels/dispatch/isa.h"
#include "kernels/drivers/batch_matmul_s8.h"
#include "kernels/drivers/conv_f32.h"
#include "kernels/drivers/dwconv_geometry.h"
#include "kernels/drivers/dwconv_s8.h"
#include "kernels/drivers/fast_ops.h"
#include "kernels/drivers/gemm_s8.h"
#include "kernels/drivers/softmax_s8.h"
#include "kernels/drivers/spmm_f32.h"
#include "kernels/ref/conv.h"
#include "kernels/ref/depthwise_conv.h"
#include "kernels/ref/fully_connected.h"
#include "kernels/ref/quant_util.h"
#include "util/rng.h"

namespace ember {
namespace {

using kernels::Isa;

// Packed weights live in 64-byte aligned memory in the ops (persistent
// allocations); the kernels may rely on it.
template <typename T>
T* Aligned64(std::vector<T>& storage, size_t n) {
  storage.assign(n + 64 / sizeof(T), T{});
  T* p = storage.data();
  while (reinterpret_cast<uintptr_t>(p) % 64 != 0) ++p;
  return p;
}

bool Allowed(Isa isa) { return kernels::AllowedIsas().contains(isa); }

void ExpectClose(const std::vector<float>& expect,
                 const std::vector<float>& got, int64_t depth,
                 const std::string& what) {
  double scale = 1.0, worst = 0.0;
  for (float v : expect)
    scale = std::max(scale, static_cast<double>(std::fabs(v)));
  for (size_t i = 0; i < got.size(); ++i)
    worst = std::max(worst, std::fabs(static_cast<double>(expect[i]) - got[i]));
  EXPECT_LE(worst, 1e-5 * std::sqrt(static_cast<double>(depth)) * scale)
      << what;
}

// ---- per-family checkers (one random case per call) ----

void CheckGemmF32(const x86::GemmF32Kernel& kern, testing::Rng& rng) {
  ref::FullyConnectedShape s;
  s.batches = rng.Int(1, 3 * kern.mr + 1);
  s.depth = rng.Int(1, 70);
  s.units = rng.Int(1, 3 * kern.nr + 3);
  const auto a =
      rng.Floats(static_cast<size_t>(s.batches) * s.depth, -1.0f, 1.0f);
  const auto w =
      rng.Floats(static_cast<size_t>(s.units) * s.depth, -1.0f, 1.0f);
  const auto bias = rng.Floats(s.units, -1.0f, 1.0f);
  std::vector<float> expect(static_cast<size_t>(s.batches) * s.units);
  ref::FullyConnectedFloat(s, a.data(), w.data(), bias.data(), -2.0f, 2.0f,
                           expect.data());
  std::vector<float> storage;
  float* packed = Aligned64(
      storage,
      x86::PackedGemmWeightsBytes(s.units, s.depth, kern.nr) / sizeof(float));
  x86::PackGemmWeightsF32(w.data(), bias.data(), s.units, s.depth, kern.nr,
                          packed);
  std::vector<float> got(expect.size(), 12345.0f);
  x86::GemmF32Args g;
  g.m = s.batches;
  g.n = s.units;
  g.k = s.depth;
  g.a = a.data();
  g.lda = s.depth;
  g.packed = packed;
  g.c = got.data();
  g.ldc = s.units;
  g.lo = -2.0f;
  g.hi = 2.0f;
  kern.fn(g, 0, g.m, 0, x86::GemmPanels(s.units, kern.nr));
  ExpectClose(expect, got, s.depth, kern.function);
}

ref::DepthwiseShape RandomDwShape(testing::Rng& rng) {
  ref::DepthwiseShape s;
  s.batches = rng.Int(1, 2);
  s.in_h = rng.Int(1, 12);
  s.in_w = rng.Int(1, 12);
  s.in_c = rng.Int(1, 40);
  s.filter_h = s.filter_w = rng.Int(0, 2) * 2 + 1;
  s.stride_h = s.stride_w = rng.Int(1, 2);
  // SAME padding.
  s.out_h = (s.in_h + s.stride_h - 1) / s.stride_h;
  s.out_w = (s.in_w + s.stride_w - 1) / s.stride_w;
  s.pad_top =
      std::max(0, ((s.out_h - 1) * s.stride_h + s.filter_h - s.in_h) / 2);
  s.pad_left =
      std::max(0, ((s.out_w - 1) * s.stride_w + s.filter_w - s.in_w) / 2);
  return s;
}

void CheckDwConvF32(const x86::DwConvF32Kernel& kern, testing::Rng& rng) {
  const ref::DepthwiseShape s = RandomDwShape(rng);
  const int32_t C = s.in_c;
  const auto in = rng.Floats(
      static_cast<size_t>(s.batches) * s.in_h * s.in_w * C, -1.0f, 1.0f);
  const auto filter =
      rng.Floats(static_cast<size_t>(s.filter_h) * s.filter_w * C, -1.0f, 1.0f);
  const auto bias = rng.Floats(C, -1.0f, 1.0f);
  std::vector<float> expect(static_cast<size_t>(s.batches) * s.out_h * s.out_w *
                            C);
  ref::DepthwiseConvFloat(s, in.data(), filter.data(), bias.data(), -1.5f, 1.5f,
                          expect.data());
  std::vector<float> zeros(static_cast<size_t>(s.in_w) * C, 0.0f);
  std::vector<float> got(expect.size(), 12345.0f);
  x86::DwConvF32Args a;
  x86::CopyDwGeometry(s, &a);
  a.input = in.data();
  a.filter = filter.data();
  a.bias = bias.data();
  a.zero_row = zeros.data();
  a.output = got.data();
  a.lo = -1.5f;
  a.hi = 1.5f;
  kern.fn(a, 0, static_cast<int64_t>(s.batches) * s.out_h);
  ExpectClose(expect, got, s.filter_h * s.filter_w, kern.function);
}

void CheckDwConvS8(const x86::DwConvS8Kernel& kern, testing::Rng& rng) {
  const ref::DepthwiseShape s = RandomDwShape(rng);
  const int32_t C = s.in_c;
  const int32_t taps = s.filter_h * s.filter_w;
  const int32_t in_zp = rng.Int(-128, 127);
  const auto in = rng.Ints<int8_t>(
      static_cast<size_t>(s.batches) * s.in_h * s.in_w * C, -128, 127);
  const auto filter =
      rng.Ints<int8_t>(static_cast<size_t>(taps) * C, -127, 127);
  std::vector<int32_t> bias(C), mult(C), shift(C);
  for (int32_t c = 0; c < C; ++c) {
    bias[c] = rng.Int(-40000, 40000);
    int sh = 0;
    ref::QuantizeMultiplier(std::ldexp(1.0, -rng.Int(4, 16)) * 1.37, &mult[c],
                            &sh);
    shift[c] = sh;
  }
  ref::QuantizedOutput q;
  q.output_offset = rng.Int(-20, 20);
  q.act_lo = -128;
  q.act_hi = 127;
  q.multiplier = mult.data();
  q.shift = shift.data();
  std::vector<int8_t> expect(static_cast<size_t>(s.batches) * s.out_h *
                             s.out_w * C);
  ref::DepthwiseConvQuantized<int32_t>(s, in.data(), -in_zp, filter.data(), 0,
                                       bias.data(), q, expect.data());
  std::vector<int32_t> storage;
  int32_t* packed =
      Aligned64(storage, x86::PackedDwS8Bytes(taps, C) / sizeof(int32_t));
  x86::PackDwConvS8(filter.data(), bias.data(), mult.data(), shift.data(), taps,
                    C, in_zp, packed);
  std::vector<int8_t> zero_row(static_cast<size_t>(s.in_w) * C,
                               static_cast<int8_t>(in_zp));
  std::vector<int8_t> got(expect.size(), 77);
  x86::DwConvS8Args a;
  x86::CopyDwGeometry(s, &a);
  a.input = in.data();
  a.packed = packed;
  a.zero_row = zero_row.data();
  a.output = got.data();
  a.output_offset = q.output_offset;
  kern.fn(a, 0, static_cast<int64_t>(s.batches) * s.out_h);
  EXPECT_EQ(expect, got) << kern.function;
}

void CheckSpmmF32(const x86::SpmmF32Kernel& kern, testing::Rng& rng) {
  ref::FullyConnectedShape s;
  s.batches = rng.Int(1, 70);
  s.depth = 4 * rng.Int(1, 20);
  s.units = rng.Int(1, 40);
  const auto a =
      rng.Floats(static_cast<size_t>(s.batches) * s.depth, -1.0f, 1.0f);
  auto w = rng.Floats(static_cast<size_t>(s.units) * s.depth, -1.0f, 1.0f);
  for (size_t i = 0; i < w.size(); i += 4)  // ~75% zero 1x4 blocks
    if (rng.Int(0, 3) != 0) std::fill(w.begin() + i, w.begin() + i + 4, 0.0f);
  const auto bias = rng.Floats(s.units, -1.0f, 1.0f);
  std::vector<float> expect(static_cast<size_t>(s.batches) * s.units);
  ref::FullyConnectedFloat(s, a.data(), w.data(), bias.data(), -INFINITY,
                           INFINITY, expect.data());
  for (int32_t block : {1, 4}) {
    std::vector<uint8_t> storage;
    uint8_t* mem = Aligned64(
        storage, x86::PackedSpmmF32Bytes(w.data(), s.units, s.depth, block));
    const x86::SpmmF32Matrix mat =
        x86::PackSpmmF32(w.data(), bias.data(), s.units, s.depth, block, mem);
    std::vector<float> scratch(x86::SpmmScratchFloats(s.depth, s.units));
    std::vector<float> got(expect.size(), 12345.0f);
    x86::RunSpmmF32(nullptr, 1, kern, mat, a.data(), s.depth, s.batches,
                    got.data(), s.units, -INFINITY, INFINITY, scratch.data());
    ExpectClose(expect, got, s.depth,
                std::string(kern.function) + " block " + std::to_string(block));
  }
}

void CheckLut8(const x86::Lut8Kernel& kern, testing::Rng& rng) {
  uint8_t table[256];
  for (auto& t : table) t = static_cast<uint8_t>(rng.Int(0, 255));
  const int len = rng.Int(1, 300);
  std::vector<uint8_t> in(len), got(len, 0), expect(len, 0);
  for (auto& x : in) x = static_cast<uint8_t>(rng.Int(0, 255));
  const int begin = rng.Int(0, len - 1);
  for (int i = begin; i < len; ++i) expect[i] = table[in[i]];
  kern.fn(table, in.data(), got.data(), begin, len);
  EXPECT_EQ(expect, got) << kern.function << " length " << len;
}

// int8 BATCH_MATMUL row dot products: exact int32 sums, including the
// wrap-around of extreme int16 values; row requantization: exact.
void CheckS8MatMul(const x86::S8MatMulKernel& kern, testing::Rng& rng) {
  const int32_t kp = x86::kS8MatMulKStep * rng.Int(1, 6);
  const int32_t n = rng.Int(1, 21);
  const auto a = rng.Ints<int16_t>(static_cast<size_t>(kp), -32768, 32767);
  const auto w = rng.Ints<int16_t>(static_cast<size_t>(kp) * n, -32768, 32767);
  std::vector<int32_t> got(n, 12345), expect(n, 0);
  for (int32_t j = 0; j < n; ++j) {
    uint32_t acc = 0;
    for (int32_t t = 0; t < kp; ++t)
      acc += static_cast<uint32_t>(static_cast<int32_t>(a[t]) * w[j * kp + t]);
    expect[j] = static_cast<int32_t>(acc);
  }
  kern.fn(a.data(), w.data(), n, kp, got.data());
  EXPECT_EQ(expect, got) << kern.function << " n " << n << " kp " << kp;
  // Requantization: any accumulator, multipliers for scales 2^-20 .. 2^4.
  x86::S8Requant q;
  ref::QuantizeMultiplier(
      std::ldexp(0.5 + rng.Int(0, 1000) / 2000.0, rng.Int(-20, 4)), &q.mult,
      &q.shift);
  q.zp = rng.Int(-128, 127);
  q.lo = rng.Int(-128, 0);
  q.hi = rng.Int(0, 127);
  const int32_t m = rng.Int(1, 40);
  const auto acc =
      rng.Ints<int32_t>(static_cast<size_t>(m), INT32_MIN / 2, INT32_MAX / 2);
  std::vector<int8_t> out(m, 99), want(m);
  for (int32_t j = 0; j < m; ++j) {
    const int32_t v =
        ref::MultiplyByQuantizedMultiplier(acc[j], q.mult, q.shift) + q.zp;
    want[j] = static_cast<int8_t>(std::min(std::max(v, q.lo), q.hi));
  }
  kern.requant(acc.data(), m, q, out.data());
  EXPECT_EQ(want, out) << kern.function << " requantize, shift " << q.shift;
}

// int8 SOFTMAX output step: exact against the reference's fixed-point ops,
// with exps and reciprocals over their whole ranges.
void CheckSoftmax8(const x86::Softmax8Kernel& kern, testing::Rng& rng) {
  std::vector<int32_t> exp(256);
  for (auto& e : exp) e = rng.Int(0, INT32_MAX);
  const int32_t depth = rng.Int(1, 70);
  auto x = rng.Ints<int8_t>(static_cast<size_t>(depth), -128, 127);
  int32_t max = -128;
  for (int8_t v : x) max = std::max<int32_t>(max, v);
  const int32_t reciprocal = rng.Int(1 << 30, INT32_MAX);
  const int32_t exponent = rng.Int(0, 31);
  std::vector<int8_t> want(depth), got(depth, 99);
  for (int32_t c = 0; c < depth; ++c) {
    const int32_t prob =
        ref::SaturatingRoundingDoublingHighMul(reciprocal, exp[max - x[c]]);
    const int32_t v = ref::RoundingDivideByPOT(prob, exponent) - 128;
    want[c] = static_cast<int8_t>(std::min(std::max(v, -128), 127));
  }
  kern.fn(exp.data(), x.data(), got.data(), depth, max, reciprocal, exponent);
  EXPECT_EQ(want, got) << kern.function << " depth " << depth << " exponent "
                       << exponent;
  // In place (the op may run on its input's buffer).
  kern.fn(exp.data(), x.data(), x.data(), depth, max, reciprocal, exponent);
  EXPECT_EQ(want, x) << kern.function << " in place";
}

// The fast-op tables: fp32 ADD (same IEEE op: exact) and the int8 spatial
// sum (exact), the table-wide smoke test; every op of the tables has its
// model-level test in fast_ops_test.cc.
void CheckFastOps(const x86::FastOpsEntry& entry, testing::Rng& rng) {
  const x86::FastOpsKernels* k = entry.kernels();
  const int64_t n = rng.Int(1, 200);
  const auto a = rng.Floats(n, -1.0f, 1.0f), b = rng.Floats(n, -1.0f, 1.0f);
  std::vector<float> got(n), expect(n);
  for (int64_t i = 0; i < n; ++i) expect[i] = a[i] + b[i];
  x86::BinaryArgs args;
  args.a = a.data();
  args.b = b.data();
  args.out = got.data();
  args.n = n;
  args.lo = -INFINITY;
  args.hi = INFINITY;
  k->binary_f32(x86::BinaryOp::kAdd, args, 0, n);
  EXPECT_EQ(expect, got) << entry.function;
  const int64_t spatial = rng.Int(1, 30), channels = rng.Int(1, 70);
  const auto x =
      rng.Ints<int8_t>(static_cast<size_t>(spatial * channels), -128, 127);
  std::vector<int32_t> sums(channels, 0), expect_sums(channels, 0);
  for (int64_t p = 0; p < spatial; ++p)
    for (int64_t c = 0; c < channels; ++c)
      expect_sums[c] += x[p * channels + c];
  k->spatial_sum_s8(x.data(), spatial, channels, 0, channels, sums.data());
  EXPECT_EQ(expect_sums, sums) << entry.function;
}

template <typename Entry, typename Check>
int CheckList(std::span<const Entry> list, Check check) {
  int ran = 0;
  for (const Entry& e : list) {
    if (!Allowed(e.isa)) continue;
    testing::Rng rng(1234);
    for (int i = 0; i < 40; ++i) check(e, rng);
    ++ran;
  }
  return ran;
}

TEST(KernelRegistry, EveryAllowedEntryMatchesReference) {
  int ran = 0;
  ran += CheckList(x86::GemmF32Kernels(), CheckGemmF32);
  ran += CheckList(x86::DwConvF32Kernels(), CheckDwConvF32);
  ran += CheckList(x86::DwConvS8Kernels(), CheckDwConvS8);
  ran += CheckList(x86::SpmmF32Kernels(), CheckSpmmF32);
  ran += CheckList(x86::Lut8Kernels(), CheckLut8);
  ran += CheckList(x86::S8MatMulKernels(), CheckS8MatMul);
  ran += CheckList(x86::Softmax8Kernels(), CheckSoftmax8);
  ran += CheckList(x86::FastOpsList(), CheckFastOps);
  std::printf("allowed ISAs: %s; %d kernel list entries checked\n",
              kernels::AllowedIsas().ToString().c_str(), ran);
  if (kernels::AllowedIsas().contains(Isa::kPortable)) EXPECT_GT(ran, 0);
}

// The int8 GEMM tiles need the ops' header math (bias folding and
// requantization), so their checker is the model-level one: fast_s8_test.cc
// runs every allowed entry of S8Kernels() against the reference. Here: each
// entry can at least be found again by its ISA and has a usable shape.
TEST(KernelRegistry, S8TilesAreWellFormed) {
  for (const x86::S8Kernel& k : x86::S8Kernels()) {
    EXPECT_EQ(kernels::EntryFor(x86::S8Kernels(), k.isa), &k) << k.function;
    EXPECT_GT(k.mr, 0) << k.function;
    EXPECT_GT(k.nr, 0) << k.function;
    EXPECT_NE(k.fn, nullptr) << k.function;
  }
}

// Labels: unique across lists, and "x86_<isa>_..." / "arm_<isa>_..." /
// "wasm_<isa>_..." for the ISA the entry runs (portable entries are exempt).
void CheckLabel(Isa isa, const char* label, std::set<std::string>* seen) {
  ASSERT_NE(label, nullptr);
  EXPECT_TRUE(seen->insert(label).second) << "duplicate label " << label;
  if (isa == Isa::kPortable) return;
  const bool arm =
      isa == Isa::kNeon || isa == Isa::kNeonDotprod || isa == Isa::kNeonI8mm;
  const char* arch = arm ? "arm_" : isa == Isa::kWasmSimd128 ? "wasm_" : "x86_";
  const std::string prefix = std::string(arch) + kernels::IsaName(isa) + "_";
  EXPECT_EQ(std::string(label).rfind(prefix, 0), 0u)
      << label << " vs " << prefix;
}

TEST(KernelRegistry, LabelsNameTheirIsaAndAreUnique) {
  std::set<std::string> seen;
  for (const auto& k : x86::GemmF32Kernels()) {
    CheckLabel(k.isa, k.label, &seen);
    CheckLabel(k.isa, k.im2col_label, &seen);
    CheckLabel(k.isa, k.fused_label, &seen);
  }
  for (const auto& k : x86::DwConvF32Kernels()) {
    CheckLabel(k.isa, k.label, &seen);
    CheckLabel(k.isa, k.hybrid_label, &seen);
  }
  for (const auto& k : x86::DwConvS8Kernels())
    CheckLabel(k.isa, k.label, &seen);
  for (const auto& k : x86::S8Kernels()) {
    CheckLabel(k.isa, k.gemm_label, &seen);
    CheckLabel(k.isa, k.igemm_label, &seen);
  }
  for (const auto& k : x86::SpmmF32Kernels()) {
    CheckLabel(k.isa, k.label_1x4, &seen);
    CheckLabel(k.isa, k.label_1x1, &seen);
  }
  for (const auto& k : x86::Lut8Kernels()) CheckLabel(k.isa, k.label, &seen);
  for (const auto& k : x86::S8MatMulKernels())
    CheckLabel(k.isa, k.label, &seen);
  for (const auto& k : x86::Softmax8Kernels())
    CheckLabel(k.isa, k.label, &seen);
  for (const auto& e : x86::FastOpsList())
    for (const char* label : e.labels)
      if (std::string(label) != "portable_lut8")
        CheckLabel(e.isa, label, &seen);
}

// The override syntax EMBER_ISA and InterpreterOptions::isa share.
TEST(KernelRegistry, IsaTiersParseAndUnknownNamesFail) {
  kernels::IsaSet s;
  std::string error;
  ASSERT_TRUE(kernels::ParseIsaList("avx2", &s, &error));
  EXPECT_TRUE(s.contains(Isa::kAvx2));
  EXPECT_FALSE(s.contains(Isa::kAvx512));
  ASSERT_TRUE(kernels::ParseIsaList("avx512", &s, &error));
  EXPECT_TRUE(s.contains(Isa::kAvx512));
  EXPECT_FALSE(s.contains(Isa::kAvx512Vnni));
  ASSERT_TRUE(kernels::ParseIsaList("ref", &s, &error));
  EXPECT_TRUE(s.empty());
  ASSERT_TRUE(kernels::ParseIsaList(" neon , dotprod ", &s, &error));
  EXPECT_TRUE(s.contains(Isa::kNeonDotprod));
  EXPECT_FALSE(kernels::ParseIsaList("avx3", &s, &error));
  EXPECT_NE(error.find("avx3"), std::string::npos) << error;
  {
    kernels::ScopedIsaOverride cap("avx2");
    EXPECT_FALSE(kernels::AllowedIsas().contains(Isa::kAvx512));
    EXPECT_EQ(x86::SelectDwConvS8(kernels::AllowedIsas()) == nullptr,
              !kernels::AllowedIsas().contains(Isa::kAvx2));
  }
}

}  // namespace
}  // namespace ember
