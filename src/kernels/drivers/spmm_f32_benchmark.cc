// Micro-benchmark: dense fp32 GEMM vs the block-sparse GEMM (75% zero 1x4
// blocks) on the 1x1 convolutions of MobileNet V1 and V2 (224), one
// thread, thread CPU time (min of 5 repeats), so that a shared, loaded
// machine gives stable figures. Not part of the build; compile by hand:
//   g++ -O2 -std=c++20 -Isrc -Ibuild/release/gen
//     src/kernels/drivers/spmm_f32_benchmark.cc build/release/libember_core.a
//     -lpthread -o /tmp/spmm_f32_benchmark
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include "kernels/drivers/gemm_f32.h"
#include "kernels/drivers/spmm_f32.h"

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
  int hw, k, n, count;  // pixels = hw * hw, K input channels, N outputs
};

void Run(const char* title, const std::vector<Layer>& layers,
         kernels::Isa isa) {
  const x86::GemmF32Kernel dense =
      *kernels::EntryFor(x86::GemmF32Kernels(), isa);
  const x86::SpmmF32Kernel sparse =
      *kernels::EntryFor(x86::SpmmF32Kernels(), isa);
  std::printf("%s (%s vs %s)\n  %-16s %10s %10s %7s\n", title, dense.label,
              sparse.label_1x4, "layer (hw,K,N)", "dense ms", "sparse ms",
              "ratio");
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> d(-1, 1);
  double tot[2] = {0, 0};
  for (const Layer& l : layers) {
    const int64_t m = static_cast<int64_t>(l.hw) * l.hw;
    std::vector<float> a(m * l.k), c(m * l.n),
        w(static_cast<size_t>(l.n) * l.k), bias(l.n);
    for (auto& x : a) x = d(gen);
    for (size_t i = 0; i < w.size(); i += 4) {
      const bool keep = gen() % 4 == 0;  // 75% zero 1x4 blocks
      for (size_t j = i; j < i + 4; ++j) w[j] = keep ? d(gen) : 0.0f;
    }
    // The GEMM reads its packed panels with aligned loads (persistent
    // memory is 64-byte aligned in the runtime).
    const size_t packed_bytes =
        (x86::PackedGemmWeightsBytes(l.n, l.k, dense.nr) + 63) / 64 * 64;
    std::unique_ptr<float, decltype(&std::free)> packed(
        static_cast<float*>(std::aligned_alloc(64, packed_bytes)), &std::free);
    x86::PackGemmWeightsF32(w.data(), bias.data(), l.n, l.k, dense.nr,
                            packed.get());
    x86::GemmF32Args g;
    g.m = m;
    g.n = l.n;
    g.k = l.k;
    g.a = a.data();
    g.lda = l.k;
    g.packed = packed.get();
    g.c = c.data();
    g.ldc = l.n;
    g.lo = 0.0f;
    g.hi = 6.0f;
    std::vector<uint8_t> mem(x86::PackedSpmmF32Bytes(w.data(), l.n, l.k, 4));
    const x86::SpmmF32Matrix sm =
        x86::PackSpmmF32(w.data(), bias.data(), l.n, l.k, 4, mem.data());
    std::vector<float> scratch(x86::SpmmScratchFloats(l.k, l.n));
    const int iters =
        std::max(1, static_cast<int>(20000000 / (m * l.k * l.n / 64 + 1)));
    const double t_dense = MinMs(
        iters, [&] { dense.fn(g, 0, m, 0, x86::GemmPanels(l.n, dense.nr)); });
    const double t_sparse = MinMs(iters, [&] {
      sparse.fn(sm, a.data(), l.k, 0, m, c.data(), l.n, 0.0f, 6.0f,
                scratch.data());
    });
    std::printf("  %3d,%4d,%4d x%-2d %10.4f %10.4f %6.2fx\n", l.hw, l.k, l.n,
                l.count, t_dense, t_sparse, t_dense / t_sparse);
    tot[0] += t_dense * l.count;
    tot[1] += t_sparse * l.count;
  }
  std::printf("  %-16s %10.3f %10.3f %6.2fx\n", "total 1x1 convs", tot[0],
              tot[1], tot[0] / tot[1]);
}

}  // namespace

int main() {
  const std::vector<Layer> v1 = {
      {112, 32, 64, 1},  {56, 64, 128, 1},  {56, 128, 128, 1},
      {28, 128, 256, 1}, {28, 256, 256, 1}, {14, 256, 512, 1},
      {14, 512, 512, 5}, {7, 512, 1024, 1}, {7, 1024, 1024, 1}};
  const std::vector<Layer> v2 = {
      {112, 32, 16, 1}, {112, 16, 96, 1}, {56, 96, 24, 1},  {56, 24, 144, 2},
      {56, 144, 24, 1}, {28, 144, 32, 1}, {28, 32, 192, 3}, {28, 192, 32, 2},
      {14, 192, 64, 1}, {14, 64, 384, 4}, {14, 384, 64, 3}, {14, 384, 96, 1},
      {14, 96, 576, 3}, {14, 576, 96, 2}, {7, 576, 160, 1}, {7, 160, 960, 3},
      {7, 960, 160, 2}, {7, 960, 320, 1}, {7, 320, 1280, 1}};
  for (kernels::Isa isa : {kernels::Isa::kAvx512, kernels::Isa::kAvx2}) {
    Run("MobileNetV1 1x1 convs, 75% zero 1x4 blocks, 1 thread", v1, isa);
    Run("MobileNetV2 1x1 convs, 75% zero 1x4 blocks, 1 thread", v2, isa);
  }
  return 0;
}
