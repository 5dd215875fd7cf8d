#include "micro_aot_plan.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "micro/micro_op_util.h"
#include "micro/micro_planner.h"
#include "micro/micro_verify.h"

namespace ember::cli {
namespace {

using micro::MicroContext;
using micro::MicroStatus;
using micro::MicroTensor;

// Greedy placement in `order`, as MicroPlanGreedyBySize places buffers,
// except that the output and the input of an overlappable convolution,
// `pairs` (output buffer, input buffer, gap), may share bytes when the
// input starts at least `gap` bytes above the output. Every buffer goes to
// the lowest offset that conflicts with no placed buffer alive at the same
// time.
void PlanWithOverlaps(
    std::vector<micro::MicroPlanBuffer>* buffers,
    const std::vector<std::tuple<int32_t, int32_t, size_t>>& pairs,
    const std::vector<int32_t>& order, size_t* peak) {
  std::vector<micro::MicroPlanBuffer>& b = *buffers;
  for (auto& buffer : b) buffer.offset = -1;
  // gap[x][y]: x is the output, y the input of a pair.
  std::map<std::pair<int32_t, int32_t>, size_t> gap;
  for (const auto& [o, i, g] : pairs) gap[{o, i}] = g;
  auto fits = [&](int32_t x, int64_t at, int32_t y) {
    if (b[x].last < b[y].first || b[y].last < b[x].first) return true;
    const int64_t y_at = b[y].offset;
    if (at + b[x].size <= y_at || y_at + b[y].size <= at) return true;
    if (auto it = gap.find({x, y}); it != gap.end())
      return y_at >= at + static_cast<int64_t>(it->second);
    if (auto it = gap.find({y, x}); it != gap.end())
      return at >= y_at + static_cast<int64_t>(it->second);
    return false;
  };
  std::vector<int32_t> placed;
  *peak = 0;
  for (int32_t x : order) {
    std::vector<int64_t> tries = {0};
    for (int32_t y : placed) {
      tries.push_back(b[y].offset + b[y].size);
      if (auto it = gap.find({y, x}); it != gap.end())
        tries.push_back(b[y].offset + static_cast<int64_t>(it->second));
      if (auto it = gap.find({x, y}); it != gap.end())
        tries.push_back(b[y].offset - static_cast<int64_t>(it->second));
    }
    std::sort(tries.begin(), tries.end());
    for (int64_t at : tries) {
      if (at < 0) continue;
      bool ok = true;
      for (int32_t y : placed) ok = ok && fits(x, at, y);
      if (ok) {
        b[x].offset = static_cast<int32_t>(at);
        break;
      }
    }
    placed.push_back(x);
    *peak = std::max(*peak, static_cast<size_t>(b[x].offset) + b[x].size);
  }
}

// The interpreter's planning (micro_interpreter.cc, PlanMemory) for what
// the compiled code keeps in the arena: lifetimes from producer to last
// consumer (graph inputs from the start, outputs to the end), RESHAPE
// outputs sharing their input, SOFTMAX / QUANTIZE / DEQUANTIZE over an
// input that dies with them; then the same greedy-by-size planner. Unlike
// the interpreter's plan it holds no scratch for the multipliers, which
// are constants here.
}  // namespace

bool PlanAotArena(micro::MicroInterpreter& interp, const uint8_t* head,
                  AotPlan* plan, std::string* error, const AotPatchChain* patch,
                  const std::vector<int32_t>* exec_order) {
  auto Fail = [&](const char* why) {
    *error = why;
    return false;
  };
  const size_t head_bytes = interp.arena_report().head_bytes;
  auto InArena = [&](const MicroTensor& t) {
    const auto* p = static_cast<const uint8_t*>(t.data);
    return p != nullptr && t.bytes > 0 && p >= head &&
           p + t.bytes <= head + head_bytes;
  };
  const fb::SubGraph* sg = interp.model()->subgraphs()->Get(0);
  const auto* ops = sg->operators();
  const int32_t T = static_cast<int32_t>(sg->tensors()->size());
  const int32_t N = interp.operators_size();
  // Lifetimes are in positions of the execution order (node n runs
  // pos[n]-th).
  std::vector<int32_t> pos(N), exec(N);
  for (int32_t n = 0; n < N; ++n) pos[n] = exec[n] = n;
  if (exec_order != nullptr) {
    if (static_cast<int32_t>(exec_order->size()) != N)
      return Fail("bad execution order");
    if (patch != nullptr) return Fail("patches need the model's own order");
    std::vector<bool> seen(N, false);
    for (int32_t p = 0; p < N; ++p) {
      const int32_t n = (*exec_order)[p];
      if (n < 0 || n >= N || seen[n]) return Fail("bad execution order");
      seen[n] = true;
      pos[n] = p;
      exec[p] = n;
    }
  }
  std::vector<bool> planned(T, false), graph_io(T, false);
  std::vector<int32_t> root(T), first(T), last(T);
  for (int32_t t = 0; t < T; ++t) {
    planned[t] = InArena(interp.tensor(t));
    root[t] = t;
    first[t] = N;
    last[t] = -1;
  }
  for (int32_t i = 0; i < interp.inputs_size(); ++i) {
    const int32_t t = interp.input(i).index;
    first[t] = 0;
    graph_io[t] = true;
  }
  for (int32_t i = 0; i < interp.outputs_size(); ++i) {
    const int32_t t = interp.output(i).index;
    last[t] = N - 1;
    graph_io[t] = true;
  }
  for (int32_t n = 0; n < N; ++n) {
    const fb::Operator* op = ops->Get(n);
    auto use = [&](int32_t t) {
      if (t < 0) return;
      first[t] = std::min(first[t], pos[n]);
      last[t] = std::max(last[t], pos[n]);
    };
    if (op->inputs())
      for (int32_t t : *op->inputs()) use(t);
    if (op->outputs())
      for (int32_t t : *op->outputs()) use(t);
  }
  auto bytes = [&](int32_t t) { return interp.tensor(t).bytes; };
  for (int32_t p = 0; p < N; ++p) {
    const int32_t n = exec[p];
    const fb::Operator* op = ops->Get(n);
    const auto code = static_cast<fb::BuiltinOperator>(micro::MicroBuiltinCode(
        interp.model()->operator_codes()->Get(op->opcode_index())));
    const bool alias = code == fb::BuiltinOperator::RESHAPE;
    const bool in_place = code == fb::BuiltinOperator::SOFTMAX ||
                          code == fb::BuiltinOperator::QUANTIZE ||
                          code == fb::BuiltinOperator::DEQUANTIZE;
    if (!alias && !in_place) continue;
    if (!op->inputs() || op->inputs()->size() < 1 || !op->outputs() ||
        op->outputs()->size() != 1)
      continue;
    const int32_t in = op->inputs()->Get(0);
    const int32_t out = op->outputs()->Get(0);
    if (in < 0 || !planned[in] || !planned[out] || root[out] != out) continue;
    if (bytes(in) != bytes(out)) continue;
    const int32_t r = root[in];
    if (in_place) {
      if (last[r] > pos[n]) continue;
      bool io = false;
      for (int32_t t = 0; t < T; ++t) io = io || (root[t] == r && graph_io[t]);
      if (io) continue;
    }
    root[out] = r;
    first[r] = std::min(first[r], first[out]);
    last[r] = std::max(last[r], last[out]);
  }
  // A patch chain: its intermediates leave the plan (band buffers take
  // their place below), its input lives until its last op and its output
  // from its first, since the bands interleave the ops.
  if (patch != nullptr) {
    const int32_t n0 = patch->first_node, n1 = patch->last_node;
    if (n0 < 0 || n1 <= n0 || n1 >= N ||
        patch->band_bytes.size() != static_cast<size_t>(n1 - n0))
      return Fail("bad patch chain");
    for (int32_t n = n0; n < n1; ++n) {
      const int32_t t = ops->Get(n)->outputs()->Get(0);
      if (root[t] != t) return Fail("a patch intermediate is aliased");
      planned[t] = false;
    }
    const int32_t in = ops->Get(n0)->inputs()->Get(0);
    const int32_t out = ops->Get(n1)->outputs()->Get(0);
    if (!planned[in] || !planned[out] || root[out] != out)
      return Fail("a patch chain's input or output is not in the arena");
    last[root[in]] = std::max(last[root[in]], n1);
    first[out] = std::min(first[out], n0);
  }
  // Group sizes and lifetimes.
  std::vector<size_t> group_bytes(T, 0);
  for (int32_t t = 0; t < T; ++t) {
    if (!planned[t] || (first[t] == N && last[t] < 0)) continue;
    group_bytes[root[t]] =
        std::max(group_bytes[root[t]],
                 micro::MicroAlignUp(bytes(t), micro::kMicroBufferAlignment));
  }
  // Overlapped convolutions: CONV_2D and DEPTHWISE_CONV_2D write their
  // output in order (batch, row, column, channel) and, once output row oy
  // is being written, read only input rows >= oy * stride - pad_top. So an
  // output may start `gap` bytes below an input that dies with the op and
  // overlap it: the writes stay below every input byte still to be read.
  // This relies on the loop order of ref::ConvAccumulate and
  // ref::DepthwiseAccumulate (the kernels the generated code calls), and
  // tests/micro/aot_test.sh checks the outputs bit for bit.
  struct Pair {
    int32_t out_root, in_root;
    size_t gap;  // the input may start this far above the output, or more
  };
  std::vector<Pair> pairs;
  for (int32_t n = 0; n < N; ++n) {
    const fb::Operator* op = ops->Get(n);
    const auto code = static_cast<fb::BuiltinOperator>(micro::MicroBuiltinCode(
        interp.model()->operator_codes()->Get(op->opcode_index())));
    if (code != fb::BuiltinOperator::CONV_2D &&
        code != fb::BuiltinOperator::DEPTHWISE_CONV_2D)
      continue;
    MicroContext ctx(&interp, n, op);
    const MicroTensor in = ctx.input(0), out = ctx.output(0);
    if (!planned[in.index] || !planned[out.index] ||
        root[out.index] != out.index || in.rank != 4 || out.rank != 4)
      continue;
    const int32_t r = root[in.index];
    if (r == out.index || last[r] != pos[n] || group_bytes[r] == 0) continue;
    bool output_in_group = false;
    for (int32_t t = 0; t < T; ++t)
      output_in_group =
          output_in_group ||
          (root[t] == r && graph_io[t] && last[t] == N - 1 && pos[n] != N - 1);
    if (output_in_group) continue;
    int32_t stride = 0, pad_top = 0;
    {
      int32_t dil = 1, filter_h = ctx.input(1).dim(1);
      fb::Padding padding;
      if (code == fb::BuiltinOperator::CONV_2D) {
        const auto* o = op->builtin_options_as_Conv2DOptions();
        padding = o->padding();
        stride = o->stride_h();
        dil = o->dilation_h_factor();
      } else {
        const auto* o = op->builtin_options_as_DepthwiseConv2DOptions();
        padding = o->padding();
        stride = o->stride_h();
        dil = o->dilation_h_factor();
      }
      micro::MicroPaddedDim ph;
      if (micro::ComputePaddedDim(ctx, padding, in.dim(1), filter_h, stride,
                                  dil, &ph) != MicroStatus::kOk)
        continue;
      pad_top = ph.pad_before;
    }
    const int64_t in_row =
        in.bytes / (static_cast<int64_t>(in.dim(0)) * in.dim(1));
    const int64_t out_row =
        out.bytes / (static_cast<int64_t>(out.dim(0)) * out.dim(1));
    int64_t gap = 0;
    for (int32_t b = 0; b < out.dim(0); ++b) {
      for (int32_t oy = 0; oy < out.dim(1); ++oy) {
        const int64_t written =
            (static_cast<int64_t>(b) * out.dim(1) + oy + 1) * out_row;
        const int64_t row = std::min<int64_t>(
            std::max<int64_t>(0, static_cast<int64_t>(oy) * stride - pad_top),
            in.dim(1));
        const int64_t still_read =
            (static_cast<int64_t>(b) * in.dim(1) + row) * in_row;
        gap = std::max(gap, written - still_read);
      }
    }
    const size_t g = micro::MicroAlignUp(static_cast<size_t>(gap),
                                         micro::kMicroBufferAlignment);
    if (g >= group_bytes[out.index]) continue;  // no overlap possible
    pairs.push_back({out.index, r, g});
  }

  // A patch chain's output below the input it consumes band by band.
  if (patch != nullptr && patch->output_gap > 0) {
    const int32_t in = ops->Get(patch->first_node)->inputs()->Get(0);
    const int32_t out = ops->Get(patch->last_node)->outputs()->Get(0);
    const int32_t r = root[in];
    bool io = false;
    for (int32_t t = 0; t < T; ++t)
      io = io || (root[t] == r && graph_io[t] && last[t] == N - 1);
    const size_t g =
        micro::MicroAlignUp(patch->output_gap, micro::kMicroBufferAlignment);
    if (!io && last[r] == patch->last_node && g < group_bytes[out])
      pairs.push_back({out, r, g});
  }

  // Buffers: one per group, one per SVDF scratch.
  std::vector<micro::MicroPlanBuffer> buffers;
  std::vector<int32_t> buffer_of(T, -1);      // per group root
  std::map<int32_t, int32_t> scratch_buffer;  // node -> buffer
  for (int32_t r = 0; r < T; ++r) {
    if (group_bytes[r] == 0 || root[r] != r) continue;
    micro::MicroPlanBuffer b;
    b.first = first[r] < N ? first[r] : 0;
    b.last = last[r] >= b.first ? last[r] : b.first;
    b.size = static_cast<uint32_t>(group_bytes[r]);
    buffer_of[r] = static_cast<int32_t>(buffers.size());
    buffers.push_back(b);
  }
  for (int32_t n = 0; n < N; ++n) {
    const fb::Operator* op = ops->Get(n);
    const auto code = static_cast<fb::BuiltinOperator>(micro::MicroBuiltinCode(
        interp.model()->operator_codes()->Get(op->opcode_index())));
    if (code != fb::BuiltinOperator::SVDF) continue;
    MicroContext ctx(&interp, n, op);
    const MicroTensor in = ctx.input(0), feature = ctx.input(1);
    micro::MicroPlanBuffer b;
    b.first = b.last = pos[n];
    b.size = static_cast<uint32_t>(micro::MicroAlignUp(
        sizeof(int32_t) * static_cast<size_t>(in.dim(0)) * feature.dim(0),
        micro::kMicroBufferAlignment));
    scratch_buffer[n] = static_cast<int32_t>(buffers.size());
    buffers.push_back(b);
  }
  // The band buffers ping-pong: layer k reads buffer k - 1 and writes
  // buffer k, so the even ones share one region and the odd ones another.
  std::vector<int32_t> band_buffer;
  if (patch != nullptr) {
    size_t most[2] = {0, 0};
    for (size_t k = 0; k < patch->band_bytes.size(); ++k)
      most[k % 2] = std::max(most[k % 2], patch->band_bytes[k]);
    int32_t region[2] = {-1, -1};
    for (int32_t parity = 0; parity < 2; ++parity) {
      if (most[parity] == 0) continue;
      micro::MicroPlanBuffer b;
      b.first = patch->first_node;
      b.last = patch->last_node;
      b.size = static_cast<uint32_t>(
          micro::MicroAlignUp(most[parity], micro::kMicroBufferAlignment));
      region[parity] = static_cast<int32_t>(buffers.size());
      buffers.push_back(b);
    }
    for (size_t k = 0; k < patch->band_bytes.size(); ++k)
      band_buffer.push_back(region[k % 2]);
  }
  const int32_t count = static_cast<int32_t>(buffers.size());

  // The shared planner's plan, and the overlap-aware one; the lower wins.
  std::vector<micro::MicroPlanBuffer> plain = buffers;
  std::vector<int32_t> order(count + 1), by_offset(count + 1);
  size_t peak = 0;
  if (!micro::MicroPlanGreedyBySize(plain.data(), count, order.data(),
                                    by_offset.data(), &peak))
    return Fail("the arena plan overflows");
  std::vector<std::tuple<int32_t, int32_t, size_t>> buffer_pairs;
  for (const Pair& p : pairs)
    buffer_pairs.emplace_back(buffer_of[p.out_root], buffer_of[p.in_root],
                              p.gap);
  buffers.swap(plain);
  if (!pairs.empty()) {
    // Largest first, then a local search: moving one buffer to the front
    // of the order (e.g. an output below the input it overlaps) is kept
    // when it lowers the peak. A few passes; plans are microseconds.
    std::vector<int32_t> order(count);
    for (int32_t i = 0; i < count; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](int32_t x, int32_t y) {
      if (plain[x].size != plain[y].size) return plain[x].size > plain[y].size;
      return plain[x].first < plain[y].first;
    });
    std::vector<micro::MicroPlanBuffer> trial = plain;
    size_t best = 0;
    PlanWithOverlaps(&trial, buffer_pairs, order, &best);
    for (int32_t pass = 0; pass < 4; ++pass) {
      bool improved = false;
      for (int32_t k = 1; k < count; ++k) {
        std::vector<int32_t> moved = order;
        std::rotate(moved.begin(), moved.begin() + k, moved.begin() + k + 1);
        size_t p = 0;
        PlanWithOverlaps(&trial, buffer_pairs, moved, &p);
        if (p < best) {
          best = p;
          order = moved;
          improved = true;
        }
      }
      if (!improved) break;
    }
    PlanWithOverlaps(&trial, buffer_pairs, order, &best);
    if (best < peak) {
      buffers = trial;
      peak = best;
      plan->overlapped = static_cast<int32_t>(pairs.size());
    }
  }
  for (int32_t t = 0; t < T; ++t) {
    const int32_t r = root[t];
    if (planned[t] && buffer_of[r] >= 0)
      plan->tensor_offset[t] =
          static_cast<size_t>(buffers[buffer_of[r]].offset);
  }
  for (const auto& [n, b] : scratch_buffer)
    plan->scratch_offset[n] = static_cast<size_t>(buffers[b].offset);
  plan->band_offset.clear();
  for (int32_t b : band_buffer)
    plan->band_offset.push_back(b < 0 ? 0
                                      : static_cast<size_t>(buffers[b].offset));
  plan->arena_bytes = peak;
  return true;
}

}  // namespace ember::cli

namespace ember::cli {

std::vector<int32_t> BestAotOrder(micro::MicroInterpreter& interp,
                                  const uint8_t* head, size_t default_arena,
                                  size_t* best_arena, int32_t max_orders) {
  *best_arena = default_arena;
  const fb::SubGraph* sg = interp.model()->subgraphs()->Get(0);
  const auto* ops = sg->operators();
  const int32_t T = static_cast<int32_t>(sg->tensors()->size());
  const int32_t N = interp.operators_size();
  for (int32_t t = 0; t < T; ++t)
    if (sg->tensors()->Get(t)->is_variable()) return {};
  // Dependencies: a node runs after the producers of its inputs.
  std::vector<int32_t> producer(T, -1);
  for (int32_t n = 0; n < N; ++n)
    if (ops->Get(n)->outputs())
      for (int32_t t : *ops->Get(n)->outputs())
        if (t >= 0 && t < T) producer[t] = n;
  std::vector<std::vector<int32_t>> next(N);
  std::vector<int32_t> waiting(N, 0);
  for (int32_t n = 0; n < N; ++n) {
    std::vector<int32_t> pre;
    if (ops->Get(n)->inputs())
      for (int32_t t : *ops->Get(n)->inputs())
        if (t >= 0 && t < T && producer[t] >= 0 && producer[t] != n)
          pre.push_back(producer[t]);
    std::sort(pre.begin(), pre.end());
    pre.erase(std::unique(pre.begin(), pre.end()), pre.end());
    for (int32_t p : pre) next[p].push_back(n);
    waiting[n] = static_cast<int32_t>(pre.size());
  }
  auto arena_of = [&](const std::vector<int32_t>& order) {
    AotPlan p;
    std::string why;
    if (!PlanAotArena(interp, head, &p, &why, nullptr, &order))
      return static_cast<size_t>(-1);
    return p.arena_bytes;
  };
  std::vector<int32_t> best;
  std::vector<int32_t> cur;
  // Every topological order (depth first), counted first: planned only
  // when there are few enough.
  int64_t count = 0;
  bool plan_each = false;
  std::vector<int32_t> w = waiting;
  auto visit = [&](auto&& self) -> void {
    if (count > max_orders) return;
    if (static_cast<int32_t>(cur.size()) == N) {
      ++count;
      if (plan_each) {
        const size_t a = arena_of(cur);
        if (a < *best_arena) {
          *best_arena = a;
          best = cur;
        }
      }
      return;
    }
    for (int32_t n = 0; n < N; ++n) {
      if (w[n] != 0) continue;
      w[n] = -1;  // taken
      for (int32_t m : next[n]) --w[m];
      cur.push_back(n);
      self(self);
      cur.pop_back();
      for (int32_t m : next[n]) ++w[m];
      w[n] = 0;
    }
  };
  visit(visit);
  if (count <= 1) return {};  // a single chain: nothing to choose
  if (count > max_orders && N > 64) return {};  // greedy: N^2 plans
  if (count <= max_orders) {
    plan_each = true;
    count = 0;
    visit(visit);
  } else {
    // Greedy: each step takes the ready node whose order (this prefix,
    // that node, then the rest in the model's order where ready) plans
    // smallest.
    std::vector<int32_t> wait = waiting;
    std::vector<int32_t> prefix;
    auto complete = [&](std::vector<int32_t> o, std::vector<int32_t> ww) {
      while (static_cast<int32_t>(o.size()) < N) {
        for (int32_t n = 0; n < N; ++n) {
          if (ww[n] != 0) continue;
          ww[n] = -1;
          for (int32_t m : next[n]) --ww[m];
          o.push_back(n);
          break;
        }
      }
      return o;
    };
    while (static_cast<int32_t>(prefix.size()) < N) {
      int32_t pick = -1;
      size_t pick_arena = static_cast<size_t>(-1);
      for (int32_t n = 0; n < N; ++n) {
        if (wait[n] != 0) continue;
        std::vector<int32_t> o = prefix, ww = wait;
        o.push_back(n);
        ww[n] = -1;
        for (int32_t m : next[n]) --ww[m];
        const size_t a = arena_of(complete(o, ww));
        if (pick < 0 || a < pick_arena) {
          pick = n;
          pick_arena = a;
        }
      }
      prefix.push_back(pick);
      wait[pick] = -1;
      for (int32_t m : next[pick]) --wait[m];
    }
    const size_t a = arena_of(prefix);
    if (a < *best_arena) {
      *best_arena = a;
      best = prefix;
    }
  }
  return best;
}

}  // namespace ember::cli
