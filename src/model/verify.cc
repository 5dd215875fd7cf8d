// Semantic verification: everything the runtime later indexes or sizes is
// checked here once, so the interpreter can trust the model.
#include <cstdint>
#include <vector>

#include "model/model.h"
#include "runtime/tensor.h"

namespace ember {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 40;

bool KnownType(int32_t t) {
  return t >= static_cast<int32_t>(fb::TensorType::MIN) &&
         t <= static_cast<int32_t>(fb::TensorType::MAX);
}

Status VerifyTensor(const Model& model, int sg, int ti, const fb::Tensor* t,
                    ErrorReporter& errors) {
  const auto* buffers = model.fb()->buffers();
  const uint32_t num_buffers = buffers ? buffers->size() : 0;
  const char* name = (t->name() != nullptr) ? t->name()->c_str() : "";
  auto fail = [&](const char* what) {
    return errors.Report(StatusCode::kInvalidModel,
                         "subgraph %d tensor %d '%s': %s", sg, ti, name, what);
  };
  if (!KnownType(static_cast<int32_t>(t->type()))) return fail("unknown type");
  if (t->buffer() >= num_buffers && !(num_buffers == 0 && t->buffer() == 0)) {
    return errors.Report(StatusCode::kInvalidModel,
                         "subgraph %d tensor %d '%s': buffer index %u out of "
                         "range (%u buffers)",
                         sg, ti, name, t->buffer(), num_buffers);
  }
  int64_t elements = 1;
  if (t->shape() != nullptr) {
    if (t->shape()->size() > kMaxRank) {
      return errors.Report(StatusCode::kInvalidModel,
                           "subgraph %d tensor %d '%s': rank %u exceeds %d",
                           sg, ti, name, t->shape()->size(), kMaxRank);
    }
    for (int32_t d : *t->shape()) {
      if (d < 0) return fail("negative dimension in shape");
      elements *= d;
      if (elements > kMaxElements) return fail("shape is too large");
    }
  }
  if (t->shape_signature() != nullptr && t->shape() != nullptr &&
      t->shape_signature()->size() != t->shape()->size()) {
    return fail("shape_signature rank differs from shape rank");
  }
  const DataType type = static_cast<DataType>(t->type());
  const uint8_t* data = nullptr;
  size_t size = 0;
  model.BufferData(t->buffer(), &data, &size);
  if (size > 0 && t->sparsity() == nullptr && type != DataType::kString &&
      type != DataType::kResource && type != DataType::kVariant) {
    const size_t expected = BytesFor(type, elements);
    if (size != expected) {
      return errors.Report(StatusCode::kInvalidModel,
                           "subgraph %d tensor %d '%s': buffer has %zu bytes "
                           "but shape and type need %zu",
                           sg, ti, name, size, expected);
    }
  }
  if (const auto* q = t->quantization()) {
    const uint32_t ns = q->scale() ? q->scale()->size() : 0;
    const uint32_t nz = q->zero_point() ? q->zero_point()->size() : 0;
    if (ns != 0 || nz != 0) {
      if (nz != 0 && ns != nz) {
        return fail("quantization has different numbers of scales and zero points");
      }
      const int rank = t->shape() ? static_cast<int>(t->shape()->size()) : 0;
      if (ns > 1) {
        if (q->quantized_dimension() < 0 || q->quantized_dimension() >= rank) {
          return fail("quantized_dimension is out of range");
        }
        if (static_cast<int64_t>(ns) !=
            t->shape()->Get(q->quantized_dimension())) {
          return fail("per-channel scale count does not match the dimension");
        }
      }
    }
  }
  return Status::Ok();
}

int32_t SubgraphRef(const fb::Operator* op, int which) {
  switch (op->builtin_options_type()) {
    case fb::BuiltinOptions::WhileOptions: {
      const auto* o = op->builtin_options_as_WhileOptions();
      return which == 0 ? o->cond_subgraph_index() : o->body_subgraph_index();
    }
    case fb::BuiltinOptions::IfOptions: {
      const auto* o = op->builtin_options_as_IfOptions();
      return which == 0 ? o->then_subgraph_index() : o->else_subgraph_index();
    }
    case fb::BuiltinOptions::CallOnceOptions:
      return which == 0
                 ? op->builtin_options_as_CallOnceOptions()->init_subgraph_index()
                 : -2;
    default:
      return -2;  // no reference
  }
}

}  // namespace

Status VerifyModelSemantics(const Model& model, ErrorReporter& errors) {
  const fb::Model* m = model.fb();
  const auto* subgraphs = m->subgraphs();
  if (subgraphs == nullptr || subgraphs->size() == 0) {
    return errors.Report(StatusCode::kInvalidModel, "model has no subgraphs");
  }
  const int num_subgraphs = static_cast<int>(subgraphs->size());
  const uint32_t num_codes = m->operator_codes() ? m->operator_codes()->size() : 0;
  for (uint32_t c = 0; c < num_codes; ++c) {
    const auto* code = m->operator_codes()->Get(c);
    if (Model::BuiltinCode(code) ==
            static_cast<int32_t>(fb::BuiltinOperator::CUSTOM) &&
        code->custom_code() == nullptr) {
      return errors.Report(StatusCode::kInvalidModel,
                           "operator code %u is CUSTOM without a custom_code",
                           c);
    }
  }
  // Offset buffers must lie inside the file.
  if (m->buffers() != nullptr) {
    for (uint32_t b = 0; b < m->buffers()->size(); ++b) {
      const fb::Buffer* buffer = m->buffers()->Get(b);
      if (buffer == nullptr) continue;
      if (buffer->offset() > 1 &&
          (buffer->offset() > model.size() ||
           buffer->size() > model.size() - buffer->offset())) {
        return errors.Report(StatusCode::kInvalidModel,
                             "buffer %u (offset %llu, size %llu) lies outside "
                             "the %zu-byte file",
                             b, static_cast<unsigned long long>(buffer->offset()),
                             static_cast<unsigned long long>(buffer->size()),
                             model.size());
      }
    }
  }
  // Subgraph call graph for cycle detection.
  std::vector<std::vector<int32_t>> calls(num_subgraphs);
  for (int s = 0; s < num_subgraphs; ++s) {
    const fb::SubGraph* sg = subgraphs->Get(s);
    const int32_t num_tensors = sg->tensors() ? sg->tensors()->size() : 0;
    for (int32_t t = 0; t < num_tensors; ++t) {
      EMBER_RETURN_IF_ERROR(
          VerifyTensor(model, s, t, sg->tensors()->Get(t), errors));
    }
    // 0 = not yet defined, 1 = defined (const, input, variable or produced).
    std::vector<uint8_t> defined(num_tensors, 0);
    for (int32_t t = 0; t < num_tensors; ++t) {
      const fb::Tensor* tensor = sg->tensors()->Get(t);
      const uint8_t* data;
      size_t size;
      model.BufferData(tensor->buffer(), &data, &size);
      if (size > 0 || tensor->is_variable()) defined[t] = 1;
      // A constant with zero elements (e.g. the [0]-shaped shape input of a
      // reshape to a scalar) has an empty buffer but needs no producer.
      if (tensor->buffer() > 0 && tensor->shape() != nullptr) {
        for (int32_t d : *tensor->shape())
          if (d == 0) defined[t] = 1;
      }
    }
    auto check_list = [&](const flatbuffers::Vector<int32_t>* list,
                          const char* what, bool allow_absent) -> Status {
      if (list == nullptr) return Status::Ok();
      for (int32_t idx : *list) {
        if ((idx == -1 && allow_absent) || (idx >= 0 && idx < num_tensors))
          continue;
        return errors.Report(StatusCode::kInvalidModel,
                             "subgraph %d: %s tensor index %d out of range "
                             "(%d tensors)",
                             s, what, idx, num_tensors);
      }
      return Status::Ok();
    };
    EMBER_RETURN_IF_ERROR(check_list(sg->inputs(), "input", false));
    EMBER_RETURN_IF_ERROR(check_list(sg->outputs(), "output", false));
    if (sg->inputs())
      for (int32_t idx : *sg->inputs()) defined[idx] = 1;
    const int32_t num_ops = sg->operators() ? sg->operators()->size() : 0;
    for (int32_t o = 0; o < num_ops; ++o) {
      const fb::Operator* op = sg->operators()->Get(o);
      if (op->opcode_index() >= num_codes) {
        return errors.Report(StatusCode::kInvalidModel,
                             "subgraph %d op #%d: opcode_index %u out of range "
                             "(%u operator codes)",
                             s, o, op->opcode_index(), num_codes);
      }
      EMBER_RETURN_IF_ERROR(check_list(op->inputs(), "op input", true));
      EMBER_RETURN_IF_ERROR(check_list(op->outputs(), "op output", false));
      EMBER_RETURN_IF_ERROR(
          check_list(op->intermediates(), "op intermediate", true));
      if (op->inputs()) {
        for (int32_t idx : *op->inputs()) {
          if (idx >= 0 && !defined[idx]) {
            return errors.Report(
                StatusCode::kInvalidModel,
                "subgraph %d op #%d reads tensor %d before any op produces "
                "it (cycle or bad order)",
                s, o, idx);
          }
        }
      }
      if (op->outputs()) {
        for (int32_t idx : *op->outputs()) {
          const fb::Tensor* tensor = sg->tensors()->Get(idx);
          const uint8_t* data;
          size_t size;
          model.BufferData(tensor->buffer(), &data, &size);
          if (size > 0 && !tensor->is_variable()) {
            return errors.Report(StatusCode::kInvalidModel,
                                 "subgraph %d op #%d writes constant tensor %d",
                                 s, o, idx);
          }
          defined[idx] = 1;
        }
      }
      for (int which = 0; which < 2; ++which) {
        const int32_t ref = SubgraphRef(op, which);
        if (ref == -2) continue;
        if (ref < 0 || ref >= num_subgraphs) {
          return errors.Report(StatusCode::kInvalidModel,
                               "subgraph %d op #%d references subgraph %d "
                               "(model has %d)",
                               s, o, ref, num_subgraphs);
        }
        calls[s].push_back(ref);
      }
    }
    if (sg->outputs()) {
      for (int32_t idx : *sg->outputs()) {
        if (!defined[idx]) {
          return errors.Report(StatusCode::kInvalidModel,
                               "subgraph %d output tensor %d is never produced",
                               s, idx);
        }
      }
    }
  }
  // Recursion between subgraphs would never terminate: reject cycles.
  std::vector<uint8_t> state(num_subgraphs, 0);  // 0 new, 1 on stack, 2 done
  std::vector<std::pair<int32_t, size_t>> stack;
  for (int root = 0; root < num_subgraphs; ++root) {
    if (state[root]) continue;
    stack.push_back({root, 0});
    state[root] = 1;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < calls[node].size()) {
        const int32_t callee = calls[node][next++];
        if (state[callee] == 1) {
          return errors.Report(StatusCode::kInvalidModel,
                               "subgraph %d calls itself through subgraph %d "
                               "(recursive control flow)",
                               callee, node);
        }
        if (state[callee] == 0) {
          state[callee] = 1;
          stack.push_back({callee, 0});
        }
      } else {
        state[node] = 2;
        stack.pop_back();
      }
    }
  }
  if (const auto* sigs = m->signature_defs()) {
    for (uint32_t i = 0; i < sigs->size(); ++i) {
      const fb::SignatureDef* sig = sigs->Get(i);
      if (sig->subgraph_index() >= static_cast<uint32_t>(num_subgraphs)) {
        return errors.Report(StatusCode::kInvalidModel,
                             "signature %u references subgraph %u", i,
                             sig->subgraph_index());
      }
      const fb::SubGraph* sg = subgraphs->Get(sig->subgraph_index());
      const uint32_t nt = sg->tensors() ? sg->tensors()->size() : 0;
      for (const auto* maps : {sig->inputs(), sig->outputs()}) {
        if (maps == nullptr) continue;
        for (const fb::TensorMap* map : *maps) {
          if (map->tensor_index() >= nt || map->name() == nullptr) {
            return errors.Report(StatusCode::kInvalidModel,
                                 "signature %u maps a name to tensor %u, out "
                                 "of range",
                                 i, map->tensor_index());
          }
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace ember
