// ember_kernel_bench: times every entry of every kernel list
// (src/kernels/drivers/*_kernels.def) that this CPU and EMBER_ISA allow, on
// one thread, at a few representative sizes. Benchmark names are
// "<family>/<function>/<size>", so the entries of one family line up:
//   build/release/ember_kernel_bench --benchmark_filter=gemm_f32
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kernels/dispatch/isa.h"
#include "kernels/drivers/conv_f32.h"
#include "kernels/drivers/dwconv_s8.h"
#include "kernels/drivers/fast_ops.h"
#include "kernels/drivers/gemm_s8.h"
#include "kernels/drivers/spmm_f32.h"

namespace ember {
namespace {

// Packed weights live in 64-byte aligned memory in the ops (persistent
// allocations); the kernels may rely on it.
template <typename T>
T* Aligned64(std::vector<T>& storage, size_t n) {
  storage.assign(n + 64 / sizeof(T), T{});
  T* p = storage.data();
  while (reinterpret_cast<uintptr_t>(p) % 64 != 0) ++p;
  return p;
}

std::vector<float> RandomFloats(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(gen);
  return v;
}

std::vector<int8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(gen() & 0xFF);
  return v;
}

// M x N x K = 196 x 256 x 256 (a MobileNet 1x1 layer at 14x14).
void GemmF32(benchmark::State& state, const x86::GemmF32Kernel* kern) {
  const int32_t m = 196, n = 256, k = 256;
  const auto a = RandomFloats(static_cast<size_t>(m) * k, 1);
  const auto w = RandomFloats(static_cast<size_t>(n) * k, 2);
  std::vector<float> storage;
  float* packed = Aligned64(
      storage, x86::PackedGemmWeightsBytes(n, k, kern->nr) / sizeof(float));
  x86::PackGemmWeightsF32(w.data(), nullptr, n, k, kern->nr, packed);
  std::vector<float> c(static_cast<size_t>(m) * n);
  x86::GemmF32Args g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = a.data();
  g.lda = k;
  g.packed = packed;
  g.c = c.data();
  g.ldc = n;
  g.lo = -INFINITY;
  g.hi = INFINITY;
  for (auto _ : state) {
    kern->fn(g, 0, m, 0, x86::GemmPanels(n, kern->nr));
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
}

// 3x3 stride 1, 56x56x144 (MobileNetV2).
template <typename Args>
void FillDw(Args* a) {
  a->batches = 1;
  a->in_h = a->in_w = a->out_h = a->out_w = 56;
  a->channels = 144;
  a->filter_h = a->filter_w = 3;
  a->pad_top = a->pad_left = 1;
}

void DwConvF32(benchmark::State& state, const x86::DwConvF32Kernel* kern) {
  x86::DwConvF32Args a;
  FillDw(&a);
  const auto in = RandomFloats(56 * 56 * 144, 3);
  const auto f = RandomFloats(9 * 144, 4);
  const std::vector<float> bias(144, 0.0f), zeros(56 * 144, 0.0f);
  std::vector<float> out(in.size());
  a.input = in.data();
  a.filter = f.data();
  a.bias = bias.data();
  a.zero_row = zeros.data();
  a.output = out.data();
  a.lo = 0.0f;
  a.hi = 6.0f;
  for (auto _ : state) {
    kern->fn(a, 0, a.out_h);
    benchmark::DoNotOptimize(out.data());
  }
}

void DwConvS8(benchmark::State& state, const x86::DwConvS8Kernel* kern) {
  x86::DwConvS8Args a;
  FillDw(&a);
  const auto in = RandomBytes(56 * 56 * 144, 5);
  const auto f = RandomBytes(9 * 144, 6);
  const std::vector<int32_t> bias(144, 100), mult(144, 1 << 30), shift(144, -8);
  std::vector<int32_t> storage;
  int32_t* packed =
      Aligned64(storage, x86::PackedDwS8Bytes(9, 144) / sizeof(int32_t));
  x86::PackDwConvS8(f.data(), bias.data(), mult.data(), shift.data(), 9, 144,
                    -3, packed);
  const std::vector<int8_t> zero_row(56 * 144, -3);
  std::vector<int8_t> out(in.size());
  a.input = in.data();
  a.packed = packed;
  a.zero_row = zero_row.data();
  a.output = out.data();
  for (auto _ : state) {
    kern->fn(a, 0, a.out_h);
    benchmark::DoNotOptimize(out.data());
  }
}

// The tile alone on a 1x1 problem: rows of 256 bytes, 256 columns.
void S8Tile(benchmark::State& state, const x86::S8Kernel* kern) {
  const int32_t n = 256, k = 256, m = 196;
  const x86::S8PackLayout l = x86::MakeS8Layout(n, 1, k, kern->nr);
  std::vector<uint8_t> storage;
  uint8_t* packed = Aligned64(storage, l.total_bytes);
  const auto w = RandomBytes(static_cast<size_t>(n) * k, 7);
  x86::PackS8Weights(l, w.data(), packed);
  for (int32_t c = 0; c < n; ++c) {
    *x86::S8Header(l, packed, 1, c) = 1 << 30;
    *x86::S8Header(l, packed, 3, c) = 8;
  }
  const auto a = RandomBytes(static_cast<size_t>(m) * k, 8);
  std::vector<int8_t> c(static_cast<size_t>(m) * n);
  std::vector<const int8_t*> rows(kern->mr);
  for (auto _ : state) {
    for (int32_t r0 = 0; r0 < m; r0 += kern->mr) {
      for (int32_t r = 0; r < kern->mr; ++r)
        rows[r] = a.data() + static_cast<int64_t>(std::min(r0 + r, m - 1)) * k;
      for (int32_t p = 0; p < l.panels; ++p) {
        x86::S8TileArgs t;
        t.a = rows.data();
        t.tap_k = k;
        t.rows = std::min(kern->mr, m - r0);
        t.cols = std::min(kern->nr, n - p * kern->nr);
        t.panel = packed + p * l.panel_bytes;
        t.c = c.data() + static_cast<int64_t>(r0) * n + p * kern->nr;
        t.ldc = n;
        kern->fn(t);
      }
    }
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GOP/s"] = benchmark::Counter(
      2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate,
      benchmark::Counter::kIs1000);
}

// 75% zero 1x4 blocks, 196 x 256 x 256.
void SpmmF32(benchmark::State& state, const x86::SpmmF32Kernel* kern) {
  const int32_t m = 196, n = 256, k = 256;
  const auto a = RandomFloats(static_cast<size_t>(m) * k, 9);
  auto w = RandomFloats(static_cast<size_t>(n) * k, 10);
  for (size_t i = 0; i < w.size(); i += 4)
    if ((i / 4) % 4 != 0) std::fill(w.begin() + i, w.begin() + i + 4, 0.0f);
  std::vector<uint8_t> storage;
  uint8_t* mem = Aligned64(storage, x86::PackedSpmmF32Bytes(w.data(), n, k, 4));
  const x86::SpmmF32Matrix mat =
      x86::PackSpmmF32(w.data(), nullptr, n, k, 4, mem);
  std::vector<float> scratch(x86::SpmmScratchFloats(k, n)),
      c(static_cast<size_t>(m) * n);
  for (auto _ : state) {
    kern->fn(mat, a.data(), k, 0, m, c.data(), n, -INFINITY, INFINITY,
             scratch.data());
    benchmark::DoNotOptimize(c.data());
  }
}

void Lut8(benchmark::State& state, const x86::Lut8Kernel* kern) {
  const int64_t n = 1 << 16;
  uint8_t table[256];
  for (int i = 0; i < 256; ++i) table[i] = static_cast<uint8_t>(255 - i);
  const auto in = RandomBytes(n, 11);
  std::vector<uint8_t> out(n);
  for (auto _ : state) {
    kern->fn(table, reinterpret_cast<const uint8_t*>(in.data()), out.data(), 0,
             n);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * n);
}

// fp32 ADD of two 64K-element tensors.
void FastOpsAdd(benchmark::State& state, const x86::FastOpsEntry* e) {
  const int64_t n = 1 << 16;
  const auto a = RandomFloats(n, 12), b = RandomFloats(n, 13);
  std::vector<float> out(n);
  x86::BinaryArgs args;
  args.a = a.data();
  args.b = b.data();
  args.out = out.data();
  args.n = n;
  args.lo = -INFINITY;
  args.hi = INFINITY;
  const x86::FastOpsKernels* k = e->kernels();
  for (auto _ : state) {
    k->binary_f32(x86::BinaryOp::kAdd, args, 0, n);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * n * 12);
}

template <typename Entry, typename Fn>
void RegisterList(const char* family, std::span<const Entry> list, Fn fn) {
  const kernels::IsaSet allowed = kernels::AllowedIsas();
  for (const Entry& e : list) {
    if (!allowed.contains(e.isa)) continue;
    benchmark::RegisterBenchmark(
        (std::string(family) + "/" + e.function).c_str(),
        [fn, &e](benchmark::State& s) { fn(s, &e); });
  }
}

}  // namespace
}  // namespace ember

int main(int argc, char** argv) {
  using namespace ember;
  RegisterList("gemm_f32", x86::GemmF32Kernels(), GemmF32);
  RegisterList("dwconv_f32", x86::DwConvF32Kernels(), DwConvF32);
  RegisterList("dwconv_s8", x86::DwConvS8Kernels(), DwConvS8);
  RegisterList("s8_tile", x86::S8Kernels(), S8Tile);
  RegisterList("spmm_f32", x86::SpmmF32Kernels(), SpmmF32);
  RegisterList("lut8", x86::Lut8Kernels(), Lut8);
  RegisterList("fast_ops_add", x86::FastOpsList(), FastOpsAdd);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
