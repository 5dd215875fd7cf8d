// The threading cost model (issue 11, "threads that always help"): how many
// tasks a piece of work is split into, and along which axis. Handing work
// to another thread costs a wake-up and a join (a few microseconds when the
// worker is spinning, tens when it sleeps, a scheduler tick when the other
// core is busy), so a node is split only when every task gets enough work
// to dwarf that, and a whole model whose work is tiny stays on the caller.
// Pure functions of the sizes: the tests check the decisions exactly.
#pragma once

#include <cstdint>

namespace ember {

// Multiply-accumulates a task must get before a split pays off: about
// 20-40 us of fp32 GEMM on one core of the machines seen (16 MAC/cycle
// peak at 2.5-3.7 GHz, ~50% of it in small layers).
constexpr int64_t kMinMacsPerTask = int64_t{1} << 20;
// A model below this many multiply-accumulates per inference runs every
// node on the caller (splitting would at best save a few microseconds).
constexpr int64_t kTinyModelMacs = int64_t{4} << 20;

// Number of tasks for `work` units given `min_per_task` units per task:
// 1 when work < 2 * min_per_task, else floor(work / min_per_task), capped
// by `threads` and by `max_tasks` (the indivisible pieces there are).
// `split_small_work` (tests, EMBER_SPLIT_SMALL_WORK=1) drops the minimum:
// as many tasks as threads and pieces allow.
int SplitCount(int64_t work, int64_t min_per_task, int threads,
               int64_t max_tasks, bool split_small_work = false);

enum class SplitAxis { kRows, kColumns };

// Picks the axis to split `tasks` ways: rows (output pixels / GEMM row
// tiles) or columns (output-channel panels), whichever gives the smaller
// largest chunk relative to an even share (ceil(n / tasks) * tasks / n),
// so two threads never get 2 + 1 pieces when 4 + 4 are available. Ties go
// to rows (each task then reads only its own rows of the input).
SplitAxis ChooseSplitAxis(int64_t row_units, int64_t column_units, int tasks);

}  // namespace ember
