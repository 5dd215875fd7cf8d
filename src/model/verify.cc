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
    case DataType::kInt8:
      *lo = -128;
      *hi = 127;
      return;
    case DataType::kUInt8:
      *lo = 0;
      *hi = 255;
      return;
    case DataType::kInt16:
      *lo = -32768;
      *hi = 32767;
      return;
    case DataType::kUInt16:
      *lo = 0;
      *hi = 65535;
      return;
    case DataType::kInt4:
      *lo = -8;
      *hi = 7;
      return;
    default:
      *lo = INT32_MIN;
      *hi = INT32_MAX;
      return;
  }
}

// Where a tensor is being checked, for messages.
struct TensorAt {
  int sg;
  int ti;
  const char* name;
};

// A missing shape means a scalar: the signature must then be empty.
Status VerifyShapeSignature(const TensorAt& at, const fb::Tensor* t,
                            uint32_t rank, ErrorReporter& errors) {
  if (t->shape_signature() == nullptr) return Status::Ok();
  if (t->shape_signature()->size() != rank) {
    return errors.Report(StatusCode::kInvalidModel,
                         "subgraph %d tensor %d '%s': shape_signature rank "
                         "%u differs from shape rank %u",
                         at.sg, at.ti, at.name, t->shape_signature()->size(),
                         rank);
  }
  for (uint32_t i = 0; i < rank; ++i) {
    const int32_t s = t->shape_signature()->Get(i);
    if (s < -1 || (s != -1 && s != t->shape()->Get(i))) {
      return errors.Report(StatusCode::kInvalidModel,
                           "subgraph %d tensor %d '%s': shape_signature dim "
                           "%u is %d but the shape has %d",
                           at.sg, at.ti, at.name, i, s, t->shape()->Get(i));
    }
  }
  return Status::Ok();
}

// Type, buffer index, rank, dims and shape signature; *elements gets the
// element count of the shape.
Status VerifyTensorShape(const Model& model, const TensorAt& at,
                         const fb::Tensor* t, int64_t* elements,
                         ErrorReporter& errors) {
  const auto* buffers = model.fb()->buffers();
  const uint32_t num_buffers = buffers ? buffers->size() : 0;
  const int sg = at.sg, ti = at.ti;
  const char* name = at.name;
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
  *elements = 1;
  const uint32_t rank = t->shape() ? t->shape()->size() : 0;
  if (rank > static_cast<uint32_t>(kMaxRank)) {
    return errors.Report(StatusCode::kInvalidModel,
                         "subgraph %d tensor %d '%s': rank %u exceeds %d", sg,
                         ti, name, rank, kMaxRank);
  }
  if (t->shape() != nullptr) {
    // The bound applies to the product of the non-zero dimensions too: a
    // tensor with a 0 dimension has no elements, but kernels still multiply
    // its other dimensions into strides, which must not overflow.
    int64_t extent = 1;
    for (int32_t d : *t->shape()) {
      if (d < 0) {
        return errors.Report(StatusCode::kInvalidModel,
                             "subgraph %d tensor %d '%s': negative dimension "
                             "%d in shape",
                             sg, ti, name, d);
      }
      if (d != 0 && extent > kMaxTensorElements / d) {
        return errors.Report(StatusCode::kInvalidModel,
                             "subgraph %d tensor %d '%s': shape is too large "
                             "(more than 2^40 elements)",
                             sg, ti, name);
      }
      if (d != 0) extent *= d;
      *elements *= d;
    }
  }
  return VerifyShapeSignature(at, t, rank, errors);
}

// A dense buffer holds exactly what shape and type need.
Status VerifyTensorBuffer(const Model& model, const TensorAt& at,
                          const fb::Tensor* t, int64_t elements,
                          ErrorReporter& errors) {
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
                           at.sg, at.ti, at.name, size, expected);
    }
  }
  return Status::Ok();
}

Status VerifyQuantizedDimension(const TensorAt& at, const fb::Tensor* t,
                                uint32_t ns, ErrorReporter& errors) {
  const auto* q = t->quantization();
  const uint32_t rank = t->shape() ? t->shape()->size() : 0;
  // Some converters (TFLM's person_detect) leave the weights'
  // quantized_dimension on 1-D biases; there the only candidate is 0
  // and the runtime uses that.
  const bool bias_like =
      rank == 1 && static_cast<int64_t>(ns) == t->shape()->Get(0);
  if (ns <= 1 || bias_like) return Status::Ok();
  if (q->quantized_dimension() < 0 ||
      q->quantized_dimension() >= static_cast<int32_t>(rank)) {
    return errors.Report(StatusCode::kInvalidModel,
                         "subgraph %d tensor %d '%s': "
                         "quantized_dimension %d is out of range for "
                         "rank %u",
                         at.sg, at.ti, at.name, q->quantized_dimension(), rank);
  }
  const int32_t extent = t->shape()->Get(q->quantized_dimension());
  if (static_cast<int64_t>(ns) != extent) {
    return errors.Report(StatusCode::kInvalidModel,
                         "subgraph %d tensor %d '%s': per-channel "
                         "quantization has %u scales but dimension %d "
                         "has %d entries",
                         at.sg, at.ti, at.name, ns, q->quantized_dimension(),
                         extent);
  }
  return Status::Ok();
}

// Scales finite and positive, zero points in the type's range and
// aligned, one pair per channel along a valid quantized dimension.
Status VerifyQuantization(const TensorAt& at, const fb::Tensor* t,
                          ErrorReporter& errors) {
  const auto* q = t->quantization();
  if (q == nullptr) return Status::Ok();
  const int sg = at.sg, ti = at.ti;
  const char* name = at.name;
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
  if (ns == 0 && nz == 0) return Status::Ok();
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
  const DataType type = static_cast<DataType>(t->type());
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
                           static_cast<long long>(zhi), DataTypeName(type));
    }
  }
  return VerifyQuantizedDimension(at, t, ns, errors);
}

Status VerifyTensor(const Model& model, int sg, int ti, const fb::Tensor* t,
                    ErrorReporter& errors) {
  const TensorAt at{sg, ti, (t->name() != nullptr) ? t->name()->c_str() : ""};
  int64_t elements = 1;
  EMBER_RETURN_IF_ERROR(VerifyTensorShape(model, at, t, &elements, errors));
  EMBER_RETURN_IF_ERROR(VerifyTensorBuffer(model, at, t, elements, errors));
  return VerifyQuantization(at, t, errors);
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
      return which == 0 ? op->builtin_options_as_CallOnceOptions()
                              ->init_subgraph_index()
                        : -2;
    default:
      return -2;  // no reference
  }
}

Status VerifyOperatorCodes(const fb::Model* m, ErrorReporter& errors) {
  const uint32_t num_codes =
      m->operator_codes() ? m->operator_codes()->size() : 0;
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
  return Status::Ok();
}

// Offset buffers must lie inside the file.
Status VerifyBufferOffsets(const Model& model, ErrorReporter& errors) {
  const fb::Model* m = model.fb();
  if (m->buffers() == nullptr) return Status::Ok();
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
  return Status::Ok();
}

// One subgraph's tensors, tensor lists and data flow: every tensor is
// defined (constant, variable, input or produced) before it is read and
// written at most once; control-flow ops reference existing subgraphs
// (recorded in `calls` for the cycle check).
class SubgraphVerifier {
 public:
  SubgraphVerifier(const Model& model, int index, int num_subgraphs,
                   ErrorReporter& errors)
      : model_(model),
        sg_(model.fb()->subgraphs()->Get(index)),
        s_(index),
        num_subgraphs_(num_subgraphs),
        num_tensors_(sg_->tensors() ? sg_->tensors()->size() : 0),
        errors_(errors) {}

  Status Run(std::vector<int32_t>* calls) {
    EMBER_RETURN_IF_ERROR(VerifyTensors());
    EMBER_RETURN_IF_ERROR(CheckList(sg_->inputs(), "input", false));
    EMBER_RETURN_IF_ERROR(CheckList(sg_->outputs(), "output", false));
    EMBER_RETURN_IF_ERROR(DefineInputs());
    const int32_t num_ops = sg_->operators() ? sg_->operators()->size() : 0;
    for (int32_t o = 0; o < num_ops; ++o)
      EMBER_RETURN_IF_ERROR(VerifyOperator(o, calls));
    return CheckOutputsProduced();
  }

 private:
  Status VerifyTensors() {
    for (int32_t t = 0; t < num_tensors_; ++t) {
      EMBER_RETURN_IF_ERROR(
          VerifyTensor(model_, s_, t, sg_->tensors()->Get(t), errors_));
    }
    defined_.assign(num_tensors_, 0);
    for (int32_t t = 0; t < num_tensors_; ++t) {
      const fb::Tensor* tensor = sg_->tensors()->Get(t);
      if (model_.IsConstant(tensor) || tensor->is_variable()) defined_[t] = 1;
    }
    producer_.assign(num_tensors_, -1);
    return Status::Ok();
  }

  Status CheckList(const flatbuffers::Vector<int32_t>* list, const char* what,
                   bool allow_absent) {
    if (list == nullptr) return Status::Ok();
    if (list->size() > kMaxListLength) {
      return errors_.Report(StatusCode::kInvalidModel,
                            "subgraph %d: %s list has %u entries (at most "
                            "%u supported)",
                            s_, what, list->size(), kMaxListLength);
    }
    for (int32_t idx : *list) {
      if ((idx == -1 && allow_absent) || (idx >= 0 && idx < num_tensors_))
        continue;
      return errors_.Report(StatusCode::kInvalidModel,
                            "subgraph %d: %s tensor index %d out of range "
                            "(%d tensors)",
                            s_, what, idx, num_tensors_);
    }
    return Status::Ok();
  }

  // The caller writes the inputs: each listed once, none a constant.
  Status DefineInputs() {
    if (sg_->inputs() == nullptr) return Status::Ok();
    for (int32_t idx : *sg_->inputs()) {
      if (producer_[idx] == kCaller) {
        return errors_.Report(StatusCode::kInvalidModel,
                              "subgraph %d: tensor %d is listed twice as a "
                              "subgraph input",
                              s_, idx);
      }
      if (defined_[idx] && !sg_->tensors()->Get(idx)->is_variable()) {
        return errors_.Report(StatusCode::kInvalidModel,
                              "subgraph %d: input tensor %d is a constant", s_,
                              idx);
      }
      producer_[idx] = kCaller;
      defined_[idx] = 1;
    }
    return Status::Ok();
  }

  Status VerifyOperator(int32_t o, std::vector<int32_t>* calls) {
    const fb::Operator* op = sg_->operators()->Get(o);
    const fb::Model* m = model_.fb();
    const uint32_t num_codes =
        m->operator_codes() ? m->operator_codes()->size() : 0;
    if (op->opcode_index() >= num_codes) {
      return errors_.Report(StatusCode::kInvalidModel,
                            "subgraph %d op #%d: opcode_index %u out of range "
                            "(%u operator codes)",
                            s_, o, op->opcode_index(), num_codes);
    }
    // A union type without its table: ops would read options through a
    // null pointer.
    if (op->builtin_options_type() != fb::BuiltinOptions::NONE &&
        op->builtin_options() == nullptr) {
      return errors_.Report(StatusCode::kInvalidModel,
                            "subgraph %d op #%d: builtin_options_type %d "
                            "is set but the options table is missing",
                            s_, o,
                            static_cast<int>(op->builtin_options_type()));
    }
    EMBER_RETURN_IF_ERROR(CheckList(op->inputs(), "op input", true));
    EMBER_RETURN_IF_ERROR(CheckList(op->outputs(), "op output", false));
    EMBER_RETURN_IF_ERROR(
        CheckList(op->intermediates(), "op intermediate", true));
    EMBER_RETURN_IF_ERROR(CheckReadsDefined(o, op));
    EMBER_RETURN_IF_ERROR(DefineOutputs(o, op));
    return CheckSubgraphRefs(o, op, calls);
  }

  Status CheckReadsDefined(int32_t o, const fb::Operator* op) {
    if (op->inputs() == nullptr) return Status::Ok();
    for (int32_t idx : *op->inputs()) {
      if (idx >= 0 && !defined_[idx]) {
        return errors_.Report(
            StatusCode::kInvalidModel,
            "subgraph %d op #%d reads tensor %d before any op produces "
            "it (cycle or bad order)",
            s_, o, idx);
      }
    }
    return Status::Ok();
  }

  // Every tensor has at most one writer (variables excepted), never a
  // constant or a subgraph input.
  Status DefineOutputs(int32_t o, const fb::Operator* op) {
    if (op->outputs() == nullptr) return Status::Ok();
    for (int32_t idx : *op->outputs()) {
      const fb::Tensor* tensor = sg_->tensors()->Get(idx);
      const uint8_t* data;
      size_t size;
      model_.BufferData(tensor->buffer(), &data, &size);
      if (size > 0 && !tensor->is_variable()) {
        return errors_.Report(StatusCode::kInvalidModel,
                              "subgraph %d op #%d writes constant tensor %d",
                              s_, o, idx);
      }
      if (!tensor->is_variable() && producer_[idx] != kNobody) {
        if (producer_[idx] == kCaller) {
          return errors_.Report(StatusCode::kInvalidModel,
                                "subgraph %d op #%d writes tensor %d, "
                                "which is a subgraph input",
                                s_, o, idx);
        }
        return errors_.Report(StatusCode::kInvalidModel,
                              "subgraph %d op #%d writes tensor %d, which "
                              "op #%d already wrote",
                              s_, o, idx, producer_[idx]);
      }
      producer_[idx] = o;
      defined_[idx] = 1;
    }
    return Status::Ok();
  }

  Status CheckSubgraphRefs(int32_t o, const fb::Operator* op,
                           std::vector<int32_t>* calls) {
    for (int which = 0; which < 2; ++which) {
      const int32_t ref = SubgraphRef(op, which);
      if (ref == -2) continue;
      if (ref < 0 || ref >= num_subgraphs_) {
        return errors_.Report(StatusCode::kInvalidModel,
                              "subgraph %d op #%d references subgraph %d "
                              "(model has %d)",
                              s_, o, ref, num_subgraphs_);
      }
      calls->push_back(ref);
    }
    return Status::Ok();
  }

  Status CheckOutputsProduced() {
    if (sg_->outputs() == nullptr) return Status::Ok();
    for (int32_t idx : *sg_->outputs()) {
      if (!defined_[idx]) {
        return errors_.Report(StatusCode::kInvalidModel,
                              "subgraph %d output tensor %d is never produced",
                              s_, idx);
      }
    }
    return Status::Ok();
  }

  // Values of producer_ other than an op index.
  static constexpr int32_t kNobody = -1;
  static constexpr int32_t kCaller = -2;  // a subgraph input

  const Model& model_;
  const fb::SubGraph* sg_;
  const int s_;
  const int num_subgraphs_;
  const int32_t num_tensors_;
  ErrorReporter& errors_;
  std::vector<uint8_t> defined_;   // per tensor: has a value by now
  std::vector<int32_t> producer_;  // per tensor: who writes it
};

// Recursion between subgraphs would never terminate: reject cycles in the
// call graph (calls[s] = subgraphs that subgraph s's ops run).
Status RejectRecursion(const std::vector<std::vector<int32_t>>& calls,
                       ErrorReporter& errors) {
  const int num_subgraphs = static_cast<int>(calls.size());
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
  return Status::Ok();
}

Status VerifySignatures(const fb::Model* m, ErrorReporter& errors) {
  const auto* sigs = m->signature_defs();
  if (sigs == nullptr) return Status::Ok();
  const uint32_t num_subgraphs = m->subgraphs()->size();
  for (uint32_t i = 0; i < sigs->size(); ++i) {
    const fb::SignatureDef* sig = sigs->Get(i);
    if (sig->subgraph_index() >= num_subgraphs) {
      return errors.Report(StatusCode::kInvalidModel,
                           "signature %u references subgraph %u", i,
                           sig->subgraph_index());
    }
    const fb::SubGraph* sg = m->subgraphs()->Get(sig->subgraph_index());
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
  return Status::Ok();
}

}  // namespace

Status VerifyModelSemantics(const Model& model, ErrorReporter& errors) {
  const fb::Model* m = model.fb();
  const auto* subgraphs = m->subgraphs();
  if (subgraphs == nullptr || subgraphs->size() == 0) {
    return errors.Report(StatusCode::kInvalidModel, "model has no subgraphs");
  }
  const int num_subgraphs = static_cast<int>(subgraphs->size());
  EMBER_RETURN_IF_ERROR(VerifyOperatorCodes(m, errors));
  EMBER_RETURN_IF_ERROR(VerifyBufferOffsets(model, errors));
  std::vector<std::vector<int32_t>> calls(num_subgraphs);
  for (int s = 0; s < num_subgraphs; ++s) {
    SubgraphVerifier verifier(model, s, num_subgraphs, errors);
    EMBER_RETURN_IF_ERROR(verifier.Run(&calls[s]));
  }
  EMBER_RETURN_IF_ERROR(RejectRecursion(calls, errors));
  return VerifySignatures(m, errors);
}

}  // namespace ember
