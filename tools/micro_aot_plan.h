// The arena plan of `ember micro export --aot`: where each activation
// tensor (and each SVDF node's scratch) sits in the compiled model's one
// static arena. The micro interpreter's lifetimes and aliasing (RESHAPE
// shares its input, SOFTMAX / QUANTIZE / DEQUANTIZE run in place), placed
// by the shared greedy-by-size planner; plus, where it lowers the peak,
// convolutions whose output overlaps the input they consume.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "micro/micro_interpreter.h"

namespace ember::cli {

// A patch-executed chain (micro_aot_patch.h): ops first_node..last_node,
// each one's output the next one's only input. Their intermediate tensors
// are not planned; band buffers of band_bytes[k] (for the output of op
// first_node + k; the even ones share a region, the odd ones another) live
// instead while the chain runs, and so do the chain's input and final
// output.
struct AotPatchChain {
  int32_t first_node = -1, last_node = -1;
  std::vector<size_t> band_bytes;
  // The final output may start this far below the chain's input and
  // overlap it (a band's output rows are written after its input rows
  // are read; the later bands read only higher rows); 0: no overlap.
  size_t output_gap = 0;
};

struct AotPlan {
  std::map<int32_t, size_t> tensor_offset;   // activation tensor -> offset
  std::map<int32_t, size_t> scratch_offset;  // SVDF node -> its scratch
  size_t arena_bytes = 0;
  int32_t overlapped = 0;           // overlappable convolutions (0: plain plan)
  std::vector<size_t> band_offset;  // per AotPatchChain::band_bytes
};

// `interp` has run AllocateTensors over an arena whose first 16-byte
// aligned byte is `head`: the tensors it placed in its head are the ones
// planned here (not constants, not variables).
// With `patch`, the chain's intermediates are replaced by its band buffers.
// With `order` (every node once, a topological order), the lifetimes are
// those of running the nodes in that order (not with `patch`).
bool PlanAotArena(micro::MicroInterpreter& interp, const uint8_t* head,
                  AotPlan* plan, std::string* error,
                  const AotPatchChain* patch = nullptr,
                  const std::vector<int32_t>* order = nullptr);

// The topological order of `interp`'s nodes with the smallest planned
// arena: every order for small graphs (up to `max_orders`), else greedy
// (at each step the ready node whose plan so far, as a prefix followed
// by the others in the model's order, is smallest; up to 64 nodes, the
// model's order beyond). Empty when the model's own order is as good, or
// when reordering is not safe (variable tensors: their ops keep their
// order).
std::vector<int32_t> BestAotOrder(micro::MicroInterpreter& interp,
                                  const uint8_t* head, size_t default_arena,
                                  size_t* best_arena,
                                  int32_t max_orders = 5000);

}  // namespace ember::cli
