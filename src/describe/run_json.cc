#include "describe/run_json.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "describe/tensor_json.h"

namespace ember::describe {
namespace {

using nlohmann::json;

const char* AllocationName(Allocation a) {
  switch (a) {
    case Allocation::kNone:
      return "none";
    case Allocation::kConstant:
      return "constant";
    case Allocation::kArena:
      return "arena";
    case Allocation::kPersistent:
      return "persistent";
    case Allocation::kDynamic:
      return "dynamic";
  }
  return "unknown";
}

std::string OpName(const Node& node) {
  return node.reg != nullptr ? node.reg->name : "?";
}

std::string KernelName(const Node& node) {
  return node.kernel_variant != nullptr ? node.kernel_variant : "ref";
}

json IndexList(const int32_t* list, int32_t count) {
  json out = json::array();
  for (int32_t i = 0; i < count; ++i) out.push_back(list[i]);
  return out;
}

}  // namespace

json DescribeGraph(const Subgraph& sg) {
  json nodes = json::array();
  for (size_t i = 0; i < sg.nodes().size(); ++i) {
    const Node& node = sg.nodes()[i];
    nodes.push_back({{"index", i},
                     {"op", OpName(node)},
                     {"version", node.version},
                     {"kernel", KernelName(node)},
                     {"inputs", IndexList(node.inputs, node.num_inputs)},
                     {"outputs", IndexList(node.outputs, node.num_outputs)},
                     {"runs", !sg.node_folded(static_cast<int>(i))}});
  }
  json tensors = json::array();
  for (size_t t = 0; t < sg.tensors().size(); ++t) {
    const Tensor& tensor = sg.tensors()[t];
    tensors.push_back({{"index", t},
                       {"name", tensor.name ? tensor.name : ""},
                       {"type", DataTypeName(tensor.type)},
                       {"shape", ShapeVector(tensor.shape)},
                       {"quantization", QuantJson(tensor.quant)},
                       {"allocation", AllocationName(tensor.allocation)},
                       {"bytes", tensor.bytes}});
  }
  json buffers = json::array();
  for (const ArenaPlacement& p : sg.arena_placements()) {
    buffers.push_back({{"tensor", p.tensor},
                       {"node", p.node},
                       {"offset", p.offset},
                       {"bytes", p.bytes},
                       {"first_use", p.first_use},
                       {"last_use", p.last_use}});
  }
  return {{"index", sg.index()},
          {"name", sg.name() ? sg.name() : ""},
          {"inputs", sg.inputs()},
          {"outputs", sg.outputs()},
          {"nodes", std::move(nodes)},
          {"tensors", std::move(tensors)},
          {"plan",
           {{"arena_bytes", sg.arena_bytes()},
            {"lower_bound_bytes", sg.arena_lower_bound()},
            {"steps", sg.nodes().size()},
            {"buffers", std::move(buffers)}}}};
}

json DescribeProfile(const Subgraph& sg, int64_t runs) {
  const int64_t n = std::max<int64_t>(runs, 1);
  json nodes = json::array();
  // "NAME:kernel" -> (nanos, calls), then sorted slowest first.
  std::map<std::string, std::pair<int64_t, int64_t>> by_op;
  int64_t total = 0;
  for (size_t i = 0; i < sg.nodes().size(); ++i) {
    const Node& node = sg.nodes()[i];
    const int64_t nanos = i < sg.node_nanos().size() ? sg.node_nanos()[i] : 0;
    const int64_t calls = i < sg.node_calls().size() ? sg.node_calls()[i] : 0;
    total += nanos;
    if (calls == 0) continue;
    nodes.push_back({{"index", i},
                     {"op", OpName(node)},
                     {"kernel", KernelName(node)},
                     {"ms_per_run", nanos / 1e6 / n},
                     {"calls", calls}});
    // Each delegate partition is a row of its own (ember bench --profile).
    const std::string key = sg.node_state(static_cast<int>(i)).is_delegate()
                                ? "DELEGATE:" + std::string(KernelName(node)) +
                                      " #" + std::to_string(i)
                                : OpName(node) + ":" + KernelName(node);
    auto& entry = by_op[key];
    entry.first += nanos;
    entry.second += calls;
  }
  std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> sorted(
      by_op.begin(), by_op.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.first > b.second.first;
  });
  json ops = json::array();
  for (const auto& [name, v] : sorted) {
    ops.push_back({{"op", name},
                   {"ms_per_run", v.first / 1e6 / n},
                   {"share", total ? double(v.first) / total : 0.0},
                   {"calls", v.second}});
  }
  return {{"runs", runs},
          {"total_ms_per_run", total / 1e6 / n},
          {"nodes", std::move(nodes)},
          {"by_op", std::move(ops)}};
}

}  // namespace ember::describe
