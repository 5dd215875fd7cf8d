// TRANSPOSE∘TRANSPOSE and RESHAPE∘RESHAPE: the second op reads the first
// op's input directly (the first then usually dies); a pair that composes
// to the identity disappears.
#include <cstring>

#include "convert/passes/pass_util.h"
#include "convert/passes/passes.h"

namespace ember::convert::passes {
namespace {

using Op = fb::BuiltinOperator;

bool ConstInts(const fb::ModelT& m, const fb::SubGraphT& sg, int t,
               std::vector<int32_t>* out) {
  if (!IsConstant(m, sg, t) || sg.tensors[t]->type != fb::TensorType::INT32)
    return false;
  const auto& data = m.buffers[sg.tensors[t]->buffer]->data;
  out->resize(data.size() / sizeof(int32_t));
  if (!data.empty())
    std::memcpy(out->data(), data.data(), out->size() * sizeof(int32_t));
  return true;
}

int AddConstInts(fb::ModelT& m, fb::SubGraphT& sg, const std::string& name,
                 const std::vector<int32_t>& v) {
  auto t = std::make_unique<fb::TensorT>();
  t->name = name;
  t->type = fb::TensorType::INT32;
  t->shape = {static_cast<int32_t>(v.size())};
  auto b = std::make_unique<fb::BufferT>();
  b->data.resize(v.size() * sizeof(int32_t));
  if (!v.empty()) std::memcpy(b->data.data(), v.data(), b->data.size());
  m.buffers.push_back(std::move(b));
  t->buffer = static_cast<uint32_t>(m.buffers.size() - 1);
  sg.tensors.push_back(std::move(t));
  return static_cast<int>(sg.tensors.size() - 1);
}

}  // namespace

int CancelTransposesAndReshapes(fb::ModelT& m) {
  int rewrites = 0;
  for (auto& sgp : m.subgraphs) {
    fb::SubGraphT& sg = *sgp;
    for (size_t i = 0; i < sg.operators.size(); ++i) {
      fb::OperatorT& second = *sg.operators[i];
      const Op code = OpCode(m, second);
      if ((code != Op::TRANSPOSE && code != Op::RESHAPE) ||
          second.inputs.empty())
        continue;
      const int mid = second.inputs[0];
      // The producer of `mid`.
      int pi = -1;
      for (size_t j = 0; j < i; ++j)
        for (int32_t o : sg.operators[j]->outputs)
          if (o == mid) pi = static_cast<int>(j);
      if (pi < 0 || OpCode(m, *sg.operators[pi]) != code) continue;
      fb::OperatorT& first = *sg.operators[pi];
      const int src = first.inputs[0];
      const int dst = second.outputs[0];
      if (code == Op::TRANSPOSE) {
        std::vector<int32_t> p1, p2;
        if (first.inputs.size() < 2 || second.inputs.size() < 2 ||
            !ConstInts(m, sg, first.inputs[1], &p1) ||
            !ConstInts(m, sg, second.inputs[1], &p2) || p1.size() != p2.size())
          continue;
        std::vector<int32_t> q(p1.size());
        bool identity = true;
        for (size_t k = 0; k < q.size(); ++k) {
          if (p2[k] < 0 || p2[k] >= static_cast<int>(p1.size()))
            return rewrites;
          q[k] = p1[p2[k]];
          identity = identity && q[k] == static_cast<int>(k);
        }
        if (identity && !IsGraphOutput(sg, dst)) {
          ReplaceUses(sg, dst, src);
          second.inputs[0] = src;  // now dead; dead-code removal drops it
          ++rewrites;
          continue;
        }
        second.inputs[0] = src;
        second.inputs[1] =
            AddConstInts(m, sg, sg.tensors[dst]->name + "/perm", q);
        ++rewrites;
      } else {
        if (sg.tensors[src]->shape == sg.tensors[dst]->shape &&
            !IsGraphOutput(sg, dst) && !sg.tensors[dst]->shape.empty()) {
          ReplaceUses(sg, dst, src);
          second.inputs[0] = src;
          ++rewrites;
          continue;
        }
        second.inputs[0] = src;
        ++rewrites;
      }
    }
  }
  return rewrites;
}

}  // namespace ember::convert::passes
