// Drivers of the x86 fp32 fast path: split GEMM / im2col convolution /
// depthwise convolution over the interpreter's thread pool and call the
// per-ISA kernels. ISA-neutral code (built with the default flags).
#pragma once

#include <algorithm>
#include <cstdint>

#include "base/thread_pool.h"
#include "base/work_split.h"
#include "kernels/drivers/dwconv_f32.h"
#include "kernels/drivers/gemm_f32.h"
#include "kernels/ref/conv.h"

namespace ember::x86 {

// Runs f(task_begin, task_end, slot) over [0, tasks) split into contiguous
// ranges, one per slot; slot < min(max_slots, threads) identifies the
// calling worker (for per-thread scratch).
template <typename F>
void ParallelTasks(ThreadPool* pool, int64_t tasks, int max_slots, F&& f) {
  if (tasks <= 0) return;
  int slots = pool ? pool->num_threads() : 1;
  slots = static_cast<int>(std::min<int64_t>(
      {static_cast<int64_t>(slots), static_cast<int64_t>(max_slots), tasks}));
  if (slots <= 1) {
    f(int64_t{0}, tasks, 0);
    return;
  }
  pool->ParallelFor(slots, 1, [&](int64_t s0, int64_t s1) {
    for (int64_t s = s0; s < s1; ++s) {
      const int64_t begin = tasks * s / slots;
      const int64_t end = tasks * (s + 1) / slots;
      if (begin < end) f(begin, end, static_cast<int>(s));
    }
  });
}

// Tasks for `macs` multiply-accumulates over the pool's threads, at most
// `max_tasks` (base/work_split.h: small work stays on the caller).
inline int MacTasks(ThreadPool* pool, int64_t macs, int64_t max_tasks,
                    int64_t min_macs_per_task = kMinMacsPerTask) {
  if (pool == nullptr) return 1;
  return SplitCount(macs, min_macs_per_task, pool->num_threads(), max_tasks,
                    pool->split_small_work());
}

// Depthwise convolutions do several times fewer multiply-accumulates per
// cycle than GEMMs (memory-bound), so a task needs fewer of them.
constexpr int64_t kMinDwMacsPerTask = kMinMacsPerTask / 4;

// C = clamp(A * packed + bias) over the pool when the product is large
// enough (MacTasks), split by row tiles (output pixels) or by column panels
// (output channels), whichever gives the more even chunks.
void RunGemmF32(ThreadPool* pool, const GemmF32Kernel& kernel,
                const GemmF32Args& args);

// Rows of the im2col buffer each worker fills and multiplies at a time.
constexpr int64_t kIm2colRows = 96;
// The same for grouped convolutions (every group's matrix of a block is
// filled at once).
constexpr int64_t kIm2colGroupedRows = 24;

// Floats of scratch RunConvIm2colF32 needs for `slots` workers.
inline int64_t Im2colScratchFloats(const ref::ConvShape& s, int slots) {
  // Grouped convolutions hold every group's matrix of a row block.
  return static_cast<int64_t>(slots) * kIm2colRows * s.filter_h * s.filter_w *
         s.in_c;
}

// General convolution: im2col of kIm2colRows output pixels at a time into
// the worker's slice of `scratch`, then GEMM on the packed weights (K =
// filter_h * filter_w * filter_in_c, in the filter's OHWI order). Grouped
// (filter_in_c < in_c): each group's panel set (PackFastGemm with groups)
// multiplies an im2col of that group's channels only (one pass over a row
// block's input pixels fills every group's), and writes its out_c / groups
// output channels; work is split over row blocks, and over groups too
// when a layer has few blocks.
void RunConvIm2colF32(ThreadPool* pool, int max_slots,
                      const GemmF32Kernel& kernel, const ref::ConvShape& s,
                      const float* input, const float* packed, float lo,
                      float hi, float* scratch, float* output);

// Depthwise: output rows split over the pool when large enough.
void RunDwConvF32(ThreadPool* pool, DwConvF32Fn fn, const DwConvF32Args& args);

// The depthwise kernel for an ISA (nullptr when not available).
// One entry of the fp32 depthwise list (dwconv_f32_kernels.def).
struct DwConvF32Kernel {
  kernels::Isa isa = kernels::Isa::kPortable;
  const char* function = nullptr;
  const char* label = nullptr;  // kernel_variant: fp32 DEPTHWISE_CONV_2D
  const char* hybrid_label =
      nullptr;  // kernel_variant: int8 weights, fp32 data
  DwConvF32Fn fn = nullptr;
};

// Every fp32 depthwise kernel built for this architecture, best first.
std::span<const DwConvF32Kernel> DwConvF32Kernels();

// The first allowed one (nullptr: reference kernels).
inline const DwConvF32Kernel* SelectDwConvF32(kernels::IsaSet allowed) {
  return kernels::FirstAllowed(DwConvF32Kernels(), allowed);
}

}  // namespace ember::x86
