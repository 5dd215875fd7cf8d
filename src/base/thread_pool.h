// A small fixed-size thread pool for data-parallel kernels. The calling
// thread takes part in the work, so num_threads = 1 means no worker threads
// at all and num_threads = N uses exactly N threads.
//
// Chunks are claimed dynamically: the caller and whichever workers are
// awake take the next unclaimed chunk until none is left. A worker that is
// slow to wake (descheduled on a busy machine) therefore never delays the
// caller by more than the chunk it already took, so adding threads cannot
// make a ParallelFor much slower than running it on the caller alone.
// Workers spin briefly between jobs before sleeping, because the ops of a
// model call ParallelFor back to back and a futex wake-up per op costs more
// than small ops take.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ember {

class ThreadPool {
 public:
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return num_threads_; }

  // Whether the drivers split work below the cost model's minimum
  // (base/work_split.h) too: off by default; on for tests of the threaded
  // paths on small shapes and with InterpreterOptions::split_small_work or
  // EMBER_SPLIT_SMALL_WORK=1.
  bool split_small_work() const { return split_small_work_; }
  void set_split_small_work(bool on) { split_small_work_ = on; }

  // Runs fn(begin, end) over [0, total) split into at most num_threads
  // contiguous chunks of at least `grain` items; returns when all are done.
  // Each chunk runs exactly once (on some thread), so per-chunk scratch
  // indexed by the chunk's position is safe. Small ranges run inline on
  // the caller (no wake-up cost).
  void ParallelFor(int64_t total, int64_t grain,
                   const std::function<void(int64_t, int64_t)>& fn);

 private:
  void WorkerLoop();
  // Claims and runs chunks of generation `generation` until none is left.
  void RunChunks(uint32_t generation,
                 const std::function<void(int64_t, int64_t)>& fn, int64_t total,
                 int chunks);

  const int num_threads_;
  bool split_small_work_ = false;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  // The current job; written under mutex_ only while no chunk of the
  // previous job can still be claimed.
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_total_ = 0;
  int job_chunks_ = 0;
  std::atomic<uint32_t> generation_{0};
  // (generation << 32) | next chunk: a claim succeeds only for the
  // generation the claimer read its job under.
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> chunks_done_{0};
  bool stop_ = false;
};

}  // namespace ember
