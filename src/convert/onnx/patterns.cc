#include "convert/onnx/patterns.h"

#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ember::convert::onnx {
namespace {

// Scalar float initializer or Constant-node value of `name`, if any.
bool ScalarValue(const GraphProto& graph,
                 const std::map<std::string, const NodeProto*>& producer,
                 const std::string& name, double* value) {
  const TensorProto* t = nullptr;
  for (const auto& init : graph.initializer())
    if (init.name() == name) t = &init;
  if (!t) {
    auto it = producer.find(name);
    if (it == producer.end() || it->second->op_type() != "Constant")
      return false;
    for (const auto& a : it->second->attribute())
      if (a.name() == "value") t = &a.t();
    if (!t) return false;
  }
  // A scalar has no dimension other than 1 (multiplying hostile dims could
  // overflow).
  for (int64_t d : t->dims())
    if (d != 1) return false;
  if (t->data_location() == TensorProto::EXTERNAL) return false;
  if (t->data_type() == 1) {
    if (t->float_data_size() == 1) {
      *value = t->float_data(0);
    } else if (t->raw_data().size() == 4) {
      float f;
      std::memcpy(&f, t->raw_data().data(), 4);
      *value = f;
    } else {
      return false;
    }
    return true;
  }
  if (t->data_type() == 11) {
    if (t->double_data_size() == 1)
      *value = t->double_data(0);
    else if (t->raw_data().size() == 8)
      std::memcpy(value, t->raw_data().data(), 8);
    else
      return false;
    return true;
  }
  return false;
}

bool Near(double a, double b) { return std::abs(a - b) < 1e-4 * std::abs(b); }

}  // namespace

int FuseGelu(GraphProto* graph) {
  std::map<std::string, const NodeProto*> producer;
  std::map<std::string, std::vector<const NodeProto*>> users;
  for (const auto& n : graph->node()) {
    for (const auto& o : n.output()) producer[o] = &n;
    for (const auto& i : n.input()) users[i].push_back(&n);
  }
  std::set<std::string> outputs;
  for (const auto& o : graph->output()) outputs.insert(o.name());
  // Returns the single user of `name` with op type `op`, or nullptr. The
  // nodes are not checked yet: the pattern only matches users with the op's
  // inputs (one for Erf, two for the others) and an output, so that reading
  // input(1) or output(0) below stays in range.
  auto only_user = [&](const std::string& name,
                       const char* op) -> const NodeProto* {
    if (outputs.count(name)) return nullptr;
    auto it = users.find(name);
    if (it == users.end() || it->second.size() != 1) return nullptr;
    const NodeProto* user = it->second[0];
    const int inputs = std::string_view(op) == "Erf" ? 1 : 2;
    if (user->op_type() != op || user->input_size() != inputs ||
        user->output_size() < 1)
      return nullptr;
    return user;
  };
  // The operand of a binary node that is not `known`.
  auto other = [](const NodeProto& n, const std::string& known) {
    return n.input(0) == known ? n.input(1) : n.input(0);
  };
  std::set<const NodeProto*> removed;
  std::map<const NodeProto*, NodeProto> replaced;
  int fused = 0;
  for (const auto& erf : graph->node()) {
    if (erf.op_type() != "Erf" || erf.input_size() != 1 ||
        erf.output_size() < 1)
      continue;
    auto pit = producer.find(erf.input(0));
    if (pit == producer.end()) continue;
    const NodeProto& scale = *pit->second;
    if (scale.input_size() != 2 || only_user(scale.output(0), "Erf") != &erf)
      continue;
    double k;
    const std::string x = scale.input(0);
    if (!ScalarValue(*graph, producer, scale.input(1), &k)) continue;
    if (!((scale.op_type() == "Div" && Near(k, std::sqrt(2.0))) ||
          (scale.op_type() == "Mul" && Near(k, std::sqrt(0.5)))))
      continue;
    const NodeProto* add = only_user(erf.output(0), "Add");
    double one;
    if (!add ||
        !ScalarValue(*graph, producer, other(*add, erf.output(0)), &one) ||
        !Near(one, 1.0))
      continue;
    // (x * (1 + erf)) * 0.5  or  (0.5 * x) * (1 + erf)
    const NodeProto* mul1 = only_user(add->output(0), "Mul");
    if (!mul1) continue;
    const std::string partner = other(*mul1, add->output(0));
    const NodeProto* last = nullptr;
    double half;
    std::vector<const NodeProto*> extra;
    if (partner == x) {
      last = only_user(mul1->output(0), "Mul");
      if (!last ||
          !ScalarValue(*graph, producer, other(*last, mul1->output(0)),
                       &half) ||
          !Near(half, 0.5))
        continue;
    } else {
      auto hit = producer.find(partner);
      if (hit == producer.end() || hit->second->op_type() != "Mul" ||
          hit->second->input_size() != 2)
        continue;
      const NodeProto& half_x = *hit->second;
      if (only_user(half_x.output(0), "Mul") != mul1) continue;
      if (!((half_x.input(0) == x &&
             ScalarValue(*graph, producer, half_x.input(1), &half)) ||
            (half_x.input(1) == x &&
             ScalarValue(*graph, producer, half_x.input(0), &half))) ||
          !Near(half, 0.5))
        continue;
      last = mul1;
      extra.push_back(&half_x);
    }
    NodeProto gelu;
    gelu.set_op_type("Gelu");
    gelu.set_name(erf.name().empty() ? "gelu" : erf.name() + "/gelu");
    gelu.add_input(x);
    gelu.add_output(last->output(0));
    // The Gelu takes the place of the last node so everything it needs is
    // already computed and all its users come later.
    replaced[last] = gelu;
    removed.insert(&scale);
    removed.insert(&erf);
    removed.insert(add);
    if (mul1 != last) removed.insert(mul1);
    for (const NodeProto* e : extra) removed.insert(e);
    ++fused;
  }
  if (!fused) return 0;
  GraphProto rewritten_nodes;
  for (const auto& n : graph->node()) {
    auto r = replaced.find(&n);
    if (r != replaced.end())
      *rewritten_nodes.add_node() = r->second;
    else if (!removed.count(&n))
      *rewritten_nodes.add_node() = n;
  }
  graph->mutable_node()->Swap(rewritten_nodes.mutable_node());
  return fused;
}

}  // namespace ember::convert::onnx
