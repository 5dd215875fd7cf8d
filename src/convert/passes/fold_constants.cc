// Constant folding by execution: the op is copied into a model of its own
// and run by Ember's interpreter, so folding agrees with the runtime
// bit for bit and needs no second implementation of any op.
#include <cstring>
#include <memory>

#include "convert/convert.h"
#include "convert/passes/pass_util.h"
#include "convert/passes/passes.h"
#include "model/model.h"
#include "runtime/interpreter.h"

namespace ember::convert::passes {
namespace {

// Folding these would bake state or control flow into constants.
bool Foldable(fb::BuiltinOperator code) {
  switch (code) {
    case fb::BuiltinOperator::CUSTOM:
    case fb::BuiltinOperator::WHILE:
    case fb::BuiltinOperator::IF:
    case fb::BuiltinOperator::CALL_ONCE:
    case fb::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM:
    case fb::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_RNN:
    case fb::BuiltinOperator::RNN:
    case fb::BuiltinOperator::SVDF:
    case fb::BuiltinOperator::QUANTIZE:
    case fb::BuiltinOperator::DEQUANTIZE:  // kept: weights stay small
    case fb::BuiltinOperator::DENSIFY:
      return false;
    default:
      return true;
  }
}

constexpr int64_t kMaxFoldedBytes = 64 << 20;

// Runs operator `index` of `sg` alone; fills `outputs` with each output's
// bytes and shape.
bool RunAlone(const fb::ModelT& m, const fb::SubGraphT& sg,
              const fb::OperatorT& op, std::vector<std::vector<uint8_t>>* data,
              std::vector<std::vector<int32_t>>* shapes) {
  fb::ModelT one;
  one.version = 3;
  one.buffers.push_back(std::make_unique<fb::BufferT>());
  one.operator_codes.push_back(
      std::make_unique<fb::OperatorCodeT>(*m.operator_codes[op.opcode_index]));
  auto sub = std::make_unique<fb::SubGraphT>();
  auto copy_tensor = [&](int t) {
    auto tensor = std::make_unique<fb::TensorT>(*sg.tensors[t]);
    tensor->shape_signature.clear();
    if (IsConstant(m, sg, t)) {
      one.buffers.push_back(
          std::make_unique<fb::BufferT>(*m.buffers[tensor->buffer]));
      tensor->buffer = static_cast<uint32_t>(one.buffers.size() - 1);
    } else {
      tensor->buffer = 0;
    }
    sub->tensors.push_back(std::move(tensor));
    return static_cast<int32_t>(sub->tensors.size() - 1);
  };
  auto new_op = std::make_unique<fb::OperatorT>(op);
  new_op->opcode_index = 0;
  for (int32_t& i : new_op->inputs)
    if (i >= 0) i = copy_tensor(i);
  for (int32_t& o : new_op->outputs) {
    o = copy_tensor(o);
    sub->outputs.push_back(o);
  }
  sub->operators.push_back(std::move(new_op));
  one.subgraphs.push_back(std::move(sub));
  std::vector<uint8_t> bytes = SerializeTflite(one);
  ErrorReporter errors;
  std::unique_ptr<Model> model;
  std::unique_ptr<Interpreter> interp;
  if (!Model::FromBuffer(bytes.data(), bytes.size(), true, errors, &model).ok())
    return false;
  if (!Interpreter::Create(*model, OpResolver::Builtins(), {}, errors, &interp)
           .ok())
    return false;
  if (!interp->AllocateTensors().ok() || !interp->Invoke().ok()) return false;
  Subgraph& g = interp->primary();
  for (int32_t o : g.outputs()) {
    const Tensor& t = g.tensors()[o];
    if (t.bytes > static_cast<size_t>(kMaxFoldedBytes)) return false;
    data->emplace_back(static_cast<const uint8_t*>(t.data),
                       static_cast<const uint8_t*>(t.data) + t.bytes);
    shapes->emplace_back(t.shape.dims, t.shape.dims + t.shape.rank);
  }
  return true;
}

}  // namespace

int FoldConstants(fb::ModelT& m) {
  int folded = 0;
  for (auto& sgp : m.subgraphs) {
    fb::SubGraphT& sg = *sgp;
    std::vector<bool> dead(sg.operators.size(), false);
    for (size_t i = 0; i < sg.operators.size(); ++i) {
      const fb::OperatorT& op = *sg.operators[i];
      if (!Foldable(OpCode(m, op)) || op.outputs.empty()) continue;
      bool all_const = true, any_input = false;
      for (int32_t in : op.inputs) {
        if (in < 0) continue;
        any_input = true;
        all_const = all_const && IsConstant(m, sg, in);
      }
      if (!all_const || !any_input) continue;
      bool output_ok = true;
      for (int32_t o : op.outputs)
        output_ok =
            output_ok && !IsGraphOutput(sg, o) && !sg.tensors[o]->is_variable;
      if (!output_ok) continue;
      std::vector<std::vector<uint8_t>> data;
      std::vector<std::vector<int32_t>> shapes;
      if (!RunAlone(m, sg, op, &data, &shapes)) continue;
      // Folding must not bloat the file (TILE/BROADCAST_TO of a constant
      // is cheaper to compute than to store).
      size_t in_bytes = 0, out_bytes = 0;
      for (int32_t in : op.inputs)
        if (in >= 0) in_bytes += m.buffers[sg.tensors[in]->buffer]->data.size();
      for (const auto& d : data) out_bytes += d.size();
      if (out_bytes > 2 * in_bytes + 1024) continue;
      for (size_t k = 0; k < op.outputs.size(); ++k) {
        fb::TensorT& t = *sg.tensors[op.outputs[k]];
        auto buffer = std::make_unique<fb::BufferT>();
        buffer->data = std::move(data[k]);
        m.buffers.push_back(std::move(buffer));
        t.buffer = static_cast<uint32_t>(m.buffers.size() - 1);
        t.shape = shapes[k];
        t.shape_signature.clear();
      }
      dead[i] = true;
      ++folded;
    }
    EraseOps(sg, dead);
  }
  return folded;
}

}  // namespace ember::convert::passes
