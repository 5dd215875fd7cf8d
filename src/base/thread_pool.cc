#include "base/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ember {
namespace {

// About 20-50 microseconds of polling before a thread blocks.
constexpr int kSpinIterations = 4000;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

void ChunkBounds(int64_t total, int chunks, int index, int64_t* begin,
                 int64_t* end) {
  const int64_t base = total / chunks;
  const int64_t extra = total % chunks;
  *begin = index * base + std::min<int64_t>(index, extra);
  *end = *begin + base + (index < extra ? 1 : 0);
}

}  // namespace

ThreadPool::ThreadPool(int num_threads)
    : num_threads_(std::max(1, num_threads)) {
  for (int i = 1; i < num_threads_; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::RunChunks(uint32_t generation,
                           const std::function<void(int64_t, int64_t)>& fn,
                           int64_t total, int chunks) {
  uint64_t current = claim_.load(std::memory_order_acquire);
  for (;;) {
    if (static_cast<uint32_t>(current >> 32) != generation) return;
    const int index = static_cast<int>(current & 0xffffffffu);
    if (index >= chunks) return;
    if (!claim_.compare_exchange_weak(current, current + 1,
                                      std::memory_order_acq_rel)) {
      continue;  // `current` was reloaded
    }
    int64_t begin, end;
    ChunkBounds(total, chunks, index, &begin, &end);
    fn(begin, end);
    if (chunks_done_.fetch_add(1, std::memory_order_acq_rel) + 1 == chunks) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_one();
    }
    current = claim_.load(std::memory_order_acquire);
  }
}

void ThreadPool::ParallelFor(int64_t total, int64_t grain,
                             const std::function<void(int64_t, int64_t)>& fn) {
  if (total <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int chunks = static_cast<int>(
      std::min<int64_t>(num_threads_, (total + grain - 1) / grain));
  if (chunks <= 1) {
    fn(0, total);
    return;
  }
  uint32_t generation;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &fn;
    job_total_ = total;
    job_chunks_ = chunks;
    chunks_done_.store(0, std::memory_order_relaxed);
    generation = generation_.load(std::memory_order_relaxed) + 1;
    claim_.store(static_cast<uint64_t>(generation) << 32,
                 std::memory_order_release);
    generation_.store(generation, std::memory_order_release);
  }
  wake_.notify_all();
  RunChunks(generation, fn, total, chunks);
  // Every chunk is claimed; wait for the ones other threads still run.
  for (int i = 0; i < kSpinIterations; ++i) {
    if (chunks_done_.load(std::memory_order_acquire) == chunks) break;
    CpuRelax();
  }
  if (chunks_done_.load(std::memory_order_acquire) != chunks) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] {
      return chunks_done_.load(std::memory_order_acquire) == chunks;
    });
  }
  std::lock_guard<std::mutex> lock(mutex_);
  job_ = nullptr;
}

void ThreadPool::WorkerLoop() {
  uint32_t seen = 0;
  for (;;) {
    // Poll for the next job for a short while, then sleep.
    for (int i = 0; i < kSpinIterations; ++i) {
      if (generation_.load(std::memory_order_acquire) != seen) break;
      CpuRelax();
    }
    const std::function<void(int64_t, int64_t)>* job;
    int64_t total;
    int chunks;
    uint32_t generation;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] {
        return stop_ || generation_.load(std::memory_order_relaxed) != seen;
      });
      if (stop_) return;
      generation = generation_.load(std::memory_order_relaxed);
      seen = generation;
      job = job_;
      total = job_total_;
      chunks = job_chunks_;
    }
    // job_ is null once the caller has returned; the generation check in
    // RunChunks then fails anyway.
    if (job != nullptr) RunChunks(generation, *job, total, chunks);
  }
}

}  // namespace ember
