// Semantic verification: everything the runtime later indexes or sizes is
// checked here once, so the interpreter can trust the model.
#include <cmath>
#include <cstdint>
#include <vector>

#include "base/data_type.h"
#include "base/shape.h"
#include "model/model.h"

namespace ember {
namespace {

// Longest tensor list an op or subgraph may carry (inputs, outputs,
// intermediates). Real ops have a handful; CONCATENATION a few hundred.
constexpr uint32_t kMaxListLength = 1 << 16;

bool KnownType(int32_t t) {
  return t >= static_cast<int32_t>(fb::TensorType::MIN) &&
         t <= static_cast<int32_t>(fb::TensorType::MAX);
}

// Range a zero point must lie in for tensors of `type` (the storage range
// of the quantized values; int32 for everything else).
void ZeroPointRange(DataType type, int64_t* lo, int64_t* hi) {
  switch (type) {
    case DataType::kInt8: *lo = -128; *hi = 127; return;
    case DataType::kUInt8: *lo = 0; *hi = 255; return;
    case DataType::kInt16: *lo = -32768; *hi = 32767; return;
    case DataType::kUInt16: *lo = 0; *hi = 65535; return;
    case DataType::kInt4: *lo = -8; *hi = 7; return;
    default:
      *lo = INT32_MIN;
      *hi = INT32_MAX;
      return;
  }
}

Status VerifyTensor(const Model& model, int sg, int ti, const fb::Tensor* t,
                    ErrorReporter& errors) {
  const auto* buffers = model.fb()->buffers();
  const uint32_t num_buffers = buffers ? buffers->size() : 0;
  const char* name = (t->name() != nullptr) ? t->name()->c_str() : "";
  if (!KnownType(static_cast<int32_t>(t->type()))) {
    return errors.Report(StatusCode::kInvalidModel,
                         "subgraph %d tensor %d '%s': unknown type %d", sg, ti,
                         name, static_cast<int>(t->type()));
  }
  if (t->buffer() >= num_buffers && !(num_buffers == 0 && t->buffer() == 0)) {
    return errors.Report(StatusCode::kInvalidModel,
                         "subgraph %d tensor %d '%s': buffer index %u out of "
                         "range (%u buffers)",
                         sg, ti, name, t->buffer(), num_buffers);
  }
  int64_t elements = 1;
  const uint32_t rank = t->shape() ? t->shape()->size() : 0;
  if (rank > static_cast<uint32_t>(kMaxRank)) {
    return errors.Report(StatusCode::kInvalidModel,
                         "subgraph %d tensor %d '%s': rank %u exceeds %d", sg,
                         ti, name, rank, kMaxRank);
  }
  if (t->shape() != nullptr) {
    for (int32_t d : *t->shape()) {
      if (d < 0) {
        return errors.Report(StatusCode::kInvalidModel,
                             "subgraph %d tensor %d '%s': negative dimension "
                             "%d in shape",
                             sg, ti, name, d);
      }
      if (d != 0 && elements > kMaxTensorElements / d) {
        return errors.Report(StatusCode::kInvalidModel,
                             "subgraph %d tensor %d '%s': shape is too large "
                             "(more than 2^40 elements)",
                             sg, ti, name);
      }
      elements *= d;
    }
  }
  if (t->shape_signature() != nullptr) {
    // A missing shape means a scalar: the signature must then be empty.
    if (t->shape_signature()->size() != rank) {
      return errors.Report(StatusCode::kInvalidModel,
                           "subgraph %d tensor %d '%s': shape_signature rank "
                           "%u differs from shape rank %u",
                           sg, ti, name, t->shape_signature()->size(), rank);
    }
    for (uint32_t i = 0; i < rank; ++i) {
      const int32_t s = t->shape_signature()->Get(i);
      if (s < -1 || (s != -1 && s != t->shape()->Get(i))) {
        return errors.Report(StatusCode::kInvalidModel,
                             "subgraph %d tensor %d '%s': shape_signature dim "
                             "%u is %d but the shape has %d",
                             sg, ti, name, i, s, t->shape()->Get(i));
      }
    }
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
    // The flatbuffers verifier only aligns a vector's length word; the
    // runtime reads zero points in place as int64.
    if (nz != 0 &&
        reinterpret_cast<uintptr_t>(q->zero_point()->data()) % 8 != 0) {
      return errors.Report(StatusCode::kInvalidModel,
                           "subgraph %d tensor %d '%s': zero_point vector is "
                           "not 8-byte aligned",
                           sg, ti, name);
    }
    if (ns != 0 || nz != 0) {
      // A lone scale means zero point 0; otherwise one zero point per scale.
      if (ns != nz && !(ns == 1 && nz == 0)) {
        return errors.Report(StatusCode::kInvalidModel,
                             "subgraph %d tensor %d '%s': quantization has %u "
                             "scales but %u zero points",
                             sg, ti, name, ns, nz);
      }
      for (uint32_t i = 0; i < ns; ++i) {
        const float s = q->scale()->Get(i);
        if (!std::isfinite(s) || !(s > 0.0f)) {
          return errors.Report(StatusCode::kInvalidModel,
                               "subgraph %d tensor %d '%s': quantization "
                               "scale %u is %g (must be finite and positive)",
                               sg, ti, name, i, static_cast<double>(s));
        }
      }
      int64_t zlo, zhi;
      ZeroPointRange(type, &zlo, &zhi);
      for (uint32_t i = 0; i < nz; ++i) {
        const int64_t z = q->zero_point()->Get(i);
        if (z < zlo || z > zhi) {
          return errors.Report(StatusCode::kInvalidModel,
                               "subgraph %d tensor %d '%s': zero point %u is "
                               "%lld, outside [%lld, %lld] for %s",
                               sg, ti, name, i, static_cast<long long>(z),
                               static_cast<long long>(zlo),
                               static_cast<long long>(zhi),
                               DataTypeName(type));
        }
      }
      // Some converters (TFLM's person_detect) leave the weights'
      // quantized_dimension on 1-D biases; there the only candidate is 0
      // and the runtime uses that.
      const bool bias_like =
          rank == 1 && static_cast<int64_t>(ns) == t->shape()->Get(0);
      if (ns > 1 && !bias_like) {
        if (q->quantized_dimension() < 0 ||
            q->quantized_dimension() >= static_cast<int32_t>(rank)) {
          return errors.Report(StatusCode::kInvalidModel,
                               "subgraph %d tensor %d '%s': "
                               "quantized_dimension %d is out of range for "
                               "rank %u",
                               sg, ti, name, q->quantized_dimension(), rank);
        }
        const int32_t extent = t->shape()->Get(q->quantized_dimension());
        if (static_cast<int64_t>(ns) != extent) {
          return errors.Report(StatusCode::kInvalidModel,
                               "subgraph %d tensor %d '%s': per-channel "
                               "quantization has %u scales but dimension %d "
                               "has %d entries",
                               sg, ti, name, ns, q->quantized_dimension(),
                               extent);
        }
      }
    }
  }
  return Status::Ok();
}

int32_t SubgraphRef(const fb::Operator* op, int which) {
  if (op->builtin_options() == nullptr) return -2;  // rejected by the caller
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
      if (model.IsConstant(tensor) || tensor->is_variable()) defined[t] = 1;
    }
    auto check_list = [&](const flatbuffers::Vector<int32_t>* list,
                          const char* what, bool allow_absent) -> Status {
      if (list == nullptr) return Status::Ok();
      if (list->size() > kMaxListLength) {
        return errors.Report(StatusCode::kInvalidModel,
                             "subgraph %d: %s list has %u entries (at most "
                             "%u supported)",
                             s, what, list->size(), kMaxListLength);
      }
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
    // Who writes each tensor: -1 nobody yet, -2 the caller (subgraph
    // input), else the op index. Every tensor has at most one writer.
    std::vector<int32_t> producer(num_tensors, -1);
    if (sg->inputs()) {
      for (int32_t idx : *sg->inputs()) {
        if (producer[idx] == -2) {
          return errors.Report(StatusCode::kInvalidModel,
                               "subgraph %d: tensor %d is listed twice as a "
                               "subgraph input",
                               s, idx);
        }
        if (defined[idx] && !sg->tensors()->Get(idx)->is_variable()) {
          return errors.Report(StatusCode::kInvalidModel,
                               "subgraph %d: input tensor %d is a constant",
                               s, idx);
        }
        producer[idx] = -2;
        defined[idx] = 1;
      }
    }
    const int32_t num_ops = sg->operators() ? sg->operators()->size() : 0;
    for (int32_t o = 0; o < num_ops; ++o) {
      const fb::Operator* op = sg->operators()->Get(o);
      if (op->opcode_index() >= num_codes) {
        return errors.Report(StatusCode::kInvalidModel,
                             "subgraph %d op #%d: opcode_index %u out of range "
                             "(%u operator codes)",
                             s, o, op->opcode_index(), num_codes);
      }
      // A union type without its table: ops would read options through a
      // null pointer.
      if (op->builtin_options_type() != fb::BuiltinOptions::NONE &&
          op->builtin_options() == nullptr) {
        return errors.Report(StatusCode::kInvalidModel,
                             "subgraph %d op #%d: builtin_options_type %d "
                             "is set but the options table is missing",
                             s, o, static_cast<int>(op->builtin_options_type()));
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
          if (!tensor->is_variable() && producer[idx] != -1) {
            if (producer[idx] == -2) {
              return errors.Report(StatusCode::kInvalidModel,
                                   "subgraph %d op #%d writes tensor %d, "
                                   "which is a subgraph input",
                                   s, o, idx);
            }
            return errors.Report(StatusCode::kInvalidModel,
                                 "subgraph %d op #%d writes tensor %d, which "
                                 "op #%d already wrote",
                                 s, o, idx, producer[idx]);
          }
          producer[idx] = o;
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
