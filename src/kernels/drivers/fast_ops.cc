// ISA-neutral side of the fast-op kernels: the kernel lists and the drivers
// that split work over the thread pool.
#include "kernels/drivers/fast_ops.h"

#include <algorithm>
#include <type_traits>

#include "kernels/drivers/conv_f32.h"

namespace ember::x86 {
namespace {

// Work below these sizes runs on the caller: waking workers costs more,
// and the cheap element-wise ops are memory-bound, so a second thread only
// pays off on large tensors (and costs a lot when the core is contended).
// Measured on Zen 4 (issue 11): a cache-resident fp32 element-wise op runs
// at ~0.07 ns per element, so the former 32768-element minimum gave tasks
// of ~2 us, far below the 20-100 us a hand-off to another thread cost on a
// busy machine (HARD_SWISH of MobileNetV3-Small at 128 px: 0.09 ms per run
// on one thread, 0.8 ms on two). These minimums aim at ~20 us per task, as
// kMinMacsPerTask does for the GEMMs (base/work_split.h).
constexpr int64_t kMinElementsPerTask = 262144;
constexpr int64_t kMinLutBytesPerTask = 524288;
constexpr int64_t kMinPoolOutputsPerTask = 32768;

int64_t Tasks(ThreadPool* pool, int64_t work, int64_t min_per_task) {
  if (pool == nullptr) return 1;
  return SplitCount(work, min_per_task, pool->num_threads(), work,
                    pool->split_small_work());
}

// Splits [0, n) into `tasks` contiguous ranges over the pool.
template <typename F>
void SplitRange(ThreadPool* pool, int64_t n, int64_t tasks, F&& f) {
  if (tasks <= 1) {
    f(int64_t{0}, n);
    return;
  }
  ParallelTasks(
      pool, tasks, static_cast<int>(tasks),
      [&](int64_t t0, int64_t t1, int) { f(n * t0 / tasks, n * t1 / tasks); });
}

}  // namespace

std::span<const FastOpsEntry> FastOpsList() {
  static const FastOpsEntry kList[] = {
#define EMBER_FAST_OPS(isa, fn, prefix)                                \
  {kernels::Isa::isa,                                                  \
   #fn,                                                                \
   fn,                                                                 \
   {prefix "_eltwise", prefix "_eltwise_s8", prefix "_eltwise_s16",    \
    prefix "_act", "portable_lut8", prefix "_pool", prefix "_pool_s8", \
    prefix "_mean", prefix "_mean_s8", prefix "_resize_bilinear",      \
    prefix "_softmax", prefix "_pool_s16", prefix "_mean_s16"}},
#include "kernels/drivers/fast_ops_kernels.def"
#undef EMBER_FAST_OPS
      {}};
  return kernels::ListWithoutEnd(kList);
}

const char* FastOpsLabel(const FastOpsKernels* table, FastFamily family) {
  for (const FastOpsEntry& e : FastOpsList())
    if (e.kernels() == table) return e.labels[static_cast<int32_t>(family)];
  return "?";
}

// Declares every function of the table-lookup list.
#define EMBER_LUT8(isa, fn, label) std::remove_pointer_t<Lut8Fn> fn;
#include "kernels/drivers/lut8_kernels.def"
#undef EMBER_LUT8

void Lut8Portable(const uint8_t* table, const uint8_t* in, uint8_t* out,
                  int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) out[i] = table[in[i]];
}

std::span<const Lut8Kernel> Lut8Kernels() {
  static const Lut8Kernel kList[] = {
#define EMBER_LUT8(isa, fn, label) {kernels::Isa::isa, #fn, label, fn},
#include "kernels/drivers/lut8_kernels.def"
#undef EMBER_LUT8
      {}};
  return kernels::ListWithoutEnd(kList);
}

void RunBinaryF32(ThreadPool* pool, BinaryF32Fn fn, BinaryOp op,
                  const BinaryArgs& args) {
  SplitRange(pool, args.n, Tasks(pool, args.n, kMinElementsPerTask),
             [&](int64_t b, int64_t e) { fn(op, args, b, e); });
}

void RunQuantAddS8(ThreadPool* pool, QuantAddS8Fn fn, const QuantAddArgs& q,
                   const BinaryArgs& args) {
  SplitRange(pool, args.n, Tasks(pool, args.n, kMinElementsPerTask),
             [&](int64_t b, int64_t e) { fn(q, args, b, e); });
}

void RunQuantMulS8(ThreadPool* pool, QuantMulS8Fn fn, const QuantMulArgs& q,
                   const BinaryArgs& args) {
  SplitRange(pool, args.n, Tasks(pool, args.n, kMinElementsPerTask),
             [&](int64_t b, int64_t e) { fn(q, args, b, e); });
}

void RunUnaryF32(ThreadPool* pool, UnaryF32Fn fn, UnaryOp op,
                 const UnaryArgs& args, int64_t n) {
  // Transcendentals cost more per element: split earlier.
  const int64_t grain = (op == UnaryOp::kLogistic || op == UnaryOp::kTanh ||
                         op == UnaryOp::kGelu || op == UnaryOp::kGeluApprox)
                            ? kMinElementsPerTask / 4
                            : kMinElementsPerTask;
  SplitRange(pool, n, Tasks(pool, n, grain),
             [&](int64_t b, int64_t e) { fn(op, args, b, e); });
}

void RunLut8(ThreadPool* pool, Lut8Fn fn, const uint8_t* table,
             const uint8_t* in, uint8_t* out, int64_t n) {
  SplitRange(pool, n, Tasks(pool, n, kMinLutBytesPerTask),
             [&](int64_t b, int64_t e) { fn(table, in, out, b, e); });
}

namespace {
int64_t PoolTasks(ThreadPool* pool, int64_t rows, int64_t outputs_per_row,
                  int64_t window) {
  const int64_t work = rows * outputs_per_row * std::max<int64_t>(1, window);
  return std::min(rows, Tasks(pool, work, kMinPoolOutputsPerTask * 4));
}
}  // namespace

void RunPoolF32(ThreadPool* pool, PoolF32Fn fn, bool max,
                const ref::PoolParams& p, const float* in, float* out) {
  const int64_t rows = static_cast<int64_t>(p.batches) * p.out_h;
  const int64_t tasks =
      PoolTasks(pool, rows, static_cast<int64_t>(p.out_w) * p.channels,
                static_cast<int64_t>(p.filter_h) * p.filter_w);
  SplitRange(pool, rows, tasks,
             [&](int64_t b, int64_t e) { fn(max, p, in, out, b, e); });
}

template <typename Fn, typename T>
void RunPoolQ(ThreadPool* pool, Fn fn, bool max, const ref::PoolParams& p,
              const T* in, T* out) {
  const int64_t rows = static_cast<int64_t>(p.batches) * p.out_h;
  const int64_t tasks =
      PoolTasks(pool, rows, static_cast<int64_t>(p.out_w) * p.channels,
                static_cast<int64_t>(p.filter_h) * p.filter_w);
  SplitRange(pool, rows, tasks,
             [&](int64_t b, int64_t e) { fn(max, p, in, out, b, e); });
}

void RunPoolS8(ThreadPool* pool, PoolS8Fn fn, bool max,
               const ref::PoolParams& p, const int8_t* in, int8_t* out) {
  RunPoolQ(pool, fn, max, p, in, out);
}

void RunPoolS16(ThreadPool* pool, PoolS16Fn fn, bool max,
                const ref::PoolParams& p, const int16_t* in, int16_t* out) {
  RunPoolQ(pool, fn, max, p, in, out);
}

void RunResizeBilinearF32(ThreadPool* pool, ResizeBilinearF32Fn fn,
                          const ref::ResizeParams& p, const float* in,
                          float* out) {
  const int64_t rows = static_cast<int64_t>(p.batches) * p.out_h;
  const int64_t tasks =
      PoolTasks(pool, rows, static_cast<int64_t>(p.out_w) * p.depth, 4);
  SplitRange(pool, rows, tasks,
             [&](int64_t b, int64_t e) { fn(p, in, out, b, e); });
}

void RunSoftmaxF32(ThreadPool* pool, SoftmaxF32Fn fn, const float* in,
                   float* out, int32_t depth, float beta, int64_t rows) {
  const int64_t tasks =
      std::min(rows, Tasks(pool, rows * depth, kMinElementsPerTask / 4));
  SplitRange(pool, rows, tasks,
             [&](int64_t b, int64_t e) { fn(in, out, depth, beta, b, e); });
}

}  // namespace ember::x86
