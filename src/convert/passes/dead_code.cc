// Drops what nothing reads: operators whose outputs are unused, then
// tensors no operator, graph input/output or signature refers to, then
// buffers no tensor uses, then operator codes no operator uses.
#include <algorithm>

#include "convert/passes/pass_util.h"
#include "convert/passes/passes.h"

namespace ember::convert::passes {
namespace {

int RemoveDeadOps(fb::SubGraphT& sg) {
  int removed = 0;
  std::vector<bool> used(sg.tensors.size(), false);
  for (int32_t o : sg.outputs) used[o] = true;
  std::vector<bool> dead(sg.operators.size(), false);
  for (size_t k = sg.operators.size(); k-- > 0;) {
    const fb::OperatorT& op = *sg.operators[k];
    bool live = op.outputs.empty();  // side effects only
    for (int32_t o : op.outputs) live = live || (o >= 0 && used[o]);
    for (int32_t in : op.inputs)  // ops that update variables stay
      if (in >= 0 && sg.tensors[in]->is_variable) live = true;
    if (!live) {
      dead[k] = true;
      ++removed;
      continue;
    }
    for (int32_t in : op.inputs)
      if (in >= 0) used[in] = true;
    for (int32_t in : op.intermediates)
      if (in >= 0) used[in] = true;
  }
  EraseOps(sg, dead);
  return removed;
}

int RemoveDeadTensors(fb::ModelT& m, int sg_index) {
  fb::SubGraphT& sg = *m.subgraphs[sg_index];
  std::vector<bool> used(sg.tensors.size(), false);
  auto mark = [&](int32_t t) {
    if (t >= 0 && t < static_cast<int>(used.size())) used[t] = true;
  };
  for (int32_t t : sg.inputs) mark(t);
  for (int32_t t : sg.outputs) mark(t);
  for (const auto& op : sg.operators) {
    for (int32_t t : op->inputs) mark(t);
    for (int32_t t : op->outputs) mark(t);
    for (int32_t t : op->intermediates) mark(t);
  }
  for (const auto& sig : m.signature_defs) {
    if (static_cast<int>(sig->subgraph_index) != sg_index) continue;
    for (const auto& e : sig->inputs)
      mark(static_cast<int32_t>(e->tensor_index));
    for (const auto& e : sig->outputs)
      mark(static_cast<int32_t>(e->tensor_index));
  }
  std::vector<int32_t> remap(sg.tensors.size(), -1);
  size_t w = 0;
  for (size_t t = 0; t < sg.tensors.size(); ++t) {
    if (!used[t]) continue;
    remap[t] = static_cast<int32_t>(w);
    sg.tensors[w++] = std::move(sg.tensors[t]);
  }
  const int removed = static_cast<int>(sg.tensors.size() - w);
  sg.tensors.resize(w);
  auto fix = [&](int32_t& t) {
    if (t >= 0) t = remap[t];
  };
  for (int32_t& t : sg.inputs) fix(t);
  for (int32_t& t : sg.outputs) fix(t);
  for (auto& op : sg.operators) {
    for (int32_t& t : op->inputs) fix(t);
    for (int32_t& t : op->outputs) fix(t);
    for (int32_t& t : op->intermediates) fix(t);
  }
  for (auto& sig : m.signature_defs) {
    if (static_cast<int>(sig->subgraph_index) != sg_index) continue;
    for (auto& e : sig->inputs) e->tensor_index = remap[e->tensor_index];
    for (auto& e : sig->outputs) e->tensor_index = remap[e->tensor_index];
  }
  return removed;
}

int RemoveDeadBuffers(fb::ModelT& m) {
  std::vector<bool> used(m.buffers.size(), false);
  if (!used.empty()) used[0] = true;  // the empty sentinel stays first
  for (const auto& sg : m.subgraphs)
    for (const auto& t : sg->tensors)
      if (t->buffer < used.size()) used[t->buffer] = true;
  for (const auto& md : m.metadata)
    if (md->buffer < used.size()) used[md->buffer] = true;
  for (int32_t b : m.metadata_buffer)
    if (b >= 0 && b < static_cast<int>(used.size())) used[b] = true;
  std::vector<uint32_t> remap(m.buffers.size(), 0);
  size_t w = 0;
  for (size_t b = 0; b < m.buffers.size(); ++b) {
    if (!used[b]) continue;
    remap[b] = static_cast<uint32_t>(w);
    m.buffers[w++] = std::move(m.buffers[b]);
  }
  const int removed = static_cast<int>(m.buffers.size() - w);
  m.buffers.resize(w);
  for (auto& sg : m.subgraphs)
    for (auto& t : sg->tensors) t->buffer = remap[t->buffer];
  for (auto& md : m.metadata) md->buffer = remap[md->buffer];
  for (int32_t& b : m.metadata_buffer) b = static_cast<int32_t>(remap[b]);
  return removed;
}

int RemoveDeadOpcodes(fb::ModelT& m) {
  std::vector<bool> used(m.operator_codes.size(), false);
  for (const auto& sg : m.subgraphs)
    for (const auto& op : sg->operators)
      if (op->opcode_index < used.size()) used[op->opcode_index] = true;
  std::vector<uint32_t> remap(m.operator_codes.size(), 0);
  size_t w = 0;
  for (size_t c = 0; c < m.operator_codes.size(); ++c) {
    if (!used[c]) continue;
    remap[c] = static_cast<uint32_t>(w);
    m.operator_codes[w++] = std::move(m.operator_codes[c]);
  }
  const int removed = static_cast<int>(m.operator_codes.size() - w);
  m.operator_codes.resize(w);
  for (auto& sg : m.subgraphs)
    for (auto& op : sg->operators) op->opcode_index = remap[op->opcode_index];
  return removed;
}

}  // namespace

int RemoveDeadCode(fb::ModelT& m) {
  int removed = 0;
  for (size_t s = 0; s < m.subgraphs.size(); ++s) {
    removed += RemoveDeadOps(*m.subgraphs[s]);
    removed += RemoveDeadTensors(m, static_cast<int>(s));
  }
  removed += RemoveDeadBuffers(m);
  removed += RemoveDeadOpcodes(m);
  return removed;
}

}  // namespace ember::convert::passes
