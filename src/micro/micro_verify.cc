#include "micro/micro_verify.h"

#include "micro/micro_tensor.h"

namespace ember::micro {
namespace {

MicroStatus Fail(MicroError* error, MicroStatus status, const char* message,
                 int32_t op = -1, int32_t tensor = -1) {
  error->status = status;
  error->message = message;
  error->op_index = op;
  error->tensor_index = tensor;
  return status;
}

using flatbuffers::Table;
using flatbuffers::Verifier;

// Structural checks of exactly the tables and fields the micro runtime
// reads, with flatbuffers' Verifier primitives (bounds, alignment, depth
// and table-count limits). The generated VerifyModelBuffer checks every
// table of the schema (all ~200 option types): about 20 KB of code on a
// Cortex-M, so it is used only with EMBER_MICRO_FULL_VERIFIER.
const Table* AsTable(const void* p) { return static_cast<const Table*>(p); }

template <typename F>
bool Scalar(Verifier& v, const void* t, flatbuffers::voffset_t field) {
  return AsTable(t)->VerifyField<F>(v, field, sizeof(F));
}

bool Offset(Verifier& v, const void* t, flatbuffers::voffset_t field) {
  return AsTable(t)->VerifyOffset(v, field);
}

bool Start(Verifier& v, const void* t) {
  return v.VerifyTableStart(static_cast<const uint8_t*>(t));
}

// An options table: its vtable, and every field inside the table's bytes
// with room for the widest scalar (options are read as scalars only).
bool VerifyOptions(Verifier& v, const uint8_t* data, size_t size,
                   const uint8_t* table) {
  if (!v.VerifyTableStart(table)) return false;
  const uint8_t* vtable =
      table - flatbuffers::ReadScalar<flatbuffers::soffset_t>(table);
  const auto vsize = flatbuffers::ReadScalar<flatbuffers::voffset_t>(vtable);
  const auto tsize =
      flatbuffers::ReadScalar<flatbuffers::voffset_t>(vtable + 2);
  for (uint32_t f = 4; f + 2 <= vsize; f += 2) {
    const auto off =
        flatbuffers::ReadScalar<flatbuffers::voffset_t>(vtable + f);
    if (off == 0) continue;
    if (off >= tsize) return false;
    if (static_cast<size_t>(table - data) + off + 8 > size) return false;
  }
  return v.EndTable();
}

bool VerifyQuantization(Verifier& v, const fb::QuantizationParameters* q) {
  using Q = fb::QuantizationParameters;
  return Start(v, q) && Offset(v, q, Q::VT_SCALE) &&
         v.VerifyVector(q->scale()) && Offset(v, q, Q::VT_ZERO_POINT) &&
         v.VerifyVector(q->zero_point()) &&
         Scalar<int32_t>(v, q, Q::VT_QUANTIZED_DIMENSION) && v.EndTable();
}

bool VerifyTensor(Verifier& v, const fb::Tensor* t) {
  using T = fb::Tensor;
  if (!Start(v, t) || !Offset(v, t, T::VT_SHAPE) ||
      !v.VerifyVector(t->shape()) || !Scalar<int8_t>(v, t, T::VT_TYPE) ||
      !Scalar<uint32_t>(v, t, T::VT_BUFFER) || !Offset(v, t, T::VT_NAME) ||
      !v.VerifyString(t->name()) || !Scalar<uint8_t>(v, t, T::VT_IS_VARIABLE) ||
      !Offset(v, t, T::VT_QUANTIZATION))
    return false;
  if (t->quantization() && !VerifyQuantization(v, t->quantization()))
    return false;
  return v.EndTable();
}

bool VerifyOperator(Verifier& v, const uint8_t* data, size_t size,
                    const fb::Operator* op) {
  using O = fb::Operator;
  if (!Start(v, op) || !Scalar<uint32_t>(v, op, O::VT_OPCODE_INDEX) ||
      !Offset(v, op, O::VT_INPUTS) || !v.VerifyVector(op->inputs()) ||
      !Offset(v, op, O::VT_OUTPUTS) || !v.VerifyVector(op->outputs()) ||
      !Offset(v, op, O::VT_INTERMEDIATES) ||
      !v.VerifyVector(op->intermediates()) ||
      !Scalar<uint8_t>(v, op, O::VT_BUILTIN_OPTIONS_TYPE) ||
      !Offset(v, op, O::VT_BUILTIN_OPTIONS) ||
      !Offset(v, op, O::VT_CUSTOM_OPTIONS) ||
      !v.VerifyVector(op->custom_options()))
    return false;
  if (op->builtin_options() &&
      !VerifyOptions(v, data, size,
                     static_cast<const uint8_t*>(op->builtin_options())))
    return false;
  return op->outputs() != nullptr && v.EndTable();
}

bool VerifySubGraph(Verifier& v, const uint8_t* data, size_t size,
                    const fb::SubGraph* sg) {
  using S = fb::SubGraph;
  if (!Start(v, sg) || !Offset(v, sg, S::VT_TENSORS) ||
      !v.VerifyVector(sg->tensors()) || !Offset(v, sg, S::VT_INPUTS) ||
      !v.VerifyVector(sg->inputs()) || !Offset(v, sg, S::VT_OUTPUTS) ||
      !v.VerifyVector(sg->outputs()) || !Offset(v, sg, S::VT_OPERATORS) ||
      !v.VerifyVector(sg->operators()))
    return false;
  if (sg->tensors()) {
    for (const fb::Tensor* t : *sg->tensors())
      if (!VerifyTensor(v, t)) return false;
  }
  if (sg->operators()) {
    for (const fb::Operator* op : *sg->operators())
      if (!VerifyOperator(v, data, size, op)) return false;
  }
  return v.EndTable();
}

bool VerifyModelTables(Verifier& v, const uint8_t* data, size_t size) {
  const fb::Model* m = fb::GetModel(data);
  using M = fb::Model;
  if (reinterpret_cast<uintptr_t>(data) % sizeof(flatbuffers::uoffset_t) ||
      !Start(v, m) || !Offset(v, m, M::VT_OPERATOR_CODES) ||
      !v.VerifyVector(m->operator_codes()) || !Offset(v, m, M::VT_SUBGRAPHS) ||
      !v.VerifyVector(m->subgraphs()) || !Offset(v, m, M::VT_BUFFERS) ||
      !v.VerifyVector(m->buffers()) || !Offset(v, m, M::VT_METADATA) ||
      !v.VerifyVector(m->metadata()))
    return false;
  if (m->operator_codes()) {
    using C = fb::OperatorCode;
    for (const fb::OperatorCode* c : *m->operator_codes()) {
      if (!Start(v, c) ||
          !Scalar<int8_t>(v, c, C::VT_DEPRECATED_BUILTIN_CODE) ||
          !Scalar<int32_t>(v, c, C::VT_BUILTIN_CODE) ||
          !Offset(v, c, C::VT_CUSTOM_CODE) ||
          !v.VerifyString(c->custom_code()) || !v.EndTable())
        return false;
    }
  }
  if (m->buffers()) {
    using B = fb::Buffer;
    for (const fb::Buffer* b : *m->buffers()) {
      if (!Start(v, b) || !Offset(v, b, B::VT_DATA) ||
          !v.VerifyVector(b->data()) || !Scalar<uint64_t>(v, b, B::VT_OFFSET) ||
          !Scalar<uint64_t>(v, b, B::VT_SIZE) || !v.EndTable())
        return false;
    }
  }
  if (m->metadata()) {
    using D = fb::Metadata;
    for (const fb::Metadata* d : *m->metadata()) {
      if (!Start(v, d) || !Offset(v, d, D::VT_NAME) ||
          !v.VerifyString(d->name()) || !Scalar<uint32_t>(v, d, D::VT_BUFFER) ||
          !v.EndTable())
        return false;
    }
  }
  // Only the first subgraph runs; the others are not read.
  if (m->subgraphs() && m->subgraphs()->size() > 0 &&
      !VerifySubGraph(v, data, size, m->subgraphs()->Get(0)))
    return false;
  return v.EndTable();
}

bool IndexListOk(const flatbuffers::Vector<int32_t>* list, int32_t tensors,
                 bool allow_absent) {
  if (list == nullptr) return true;
  for (uint32_t i = 0; i < list->size(); ++i) {
    const int32_t t = list->Get(i);
    if (t == -1 && allow_absent) continue;
    if (t < 0 || t >= tensors) return false;
  }
  return true;
}

}  // namespace

int32_t MicroBuiltinCode(const fb::OperatorCode* code) {
  const int32_t a = static_cast<int32_t>(code->builtin_code());
  const int32_t b = code->deprecated_builtin_code();
  return a > b ? a : b;
}

MicroStatus MicroVerifyModel(const uint8_t* data, size_t size,
                             const fb::Model** model, MicroError* error) {
  *model = nullptr;
  if (data == nullptr || size < 8) {
    return Fail(error, MicroStatus::kInvalidModel,
                EMBER_MICRO_MSG("model array is empty or truncated"));
  }
  if (!fb::ModelBufferHasIdentifier(data)) {
    return Fail(error, MicroStatus::kInvalidModel,
                EMBER_MICRO_MSG("not a .tflite model (no TFL3 identifier)"));
  }
  flatbuffers::Verifier::Options options;
  options.max_depth = 64;
  options.max_tables = 1u << 20;
  flatbuffers::Verifier verifier(data, size, options);
#ifdef EMBER_MICRO_FULL_VERIFIER
  const bool structure_ok = fb::VerifyModelBuffer(verifier);
#else
  const bool structure_ok = VerifyModelTables(verifier, data, size);
#endif
  if (!structure_ok) {
    return Fail(error, MicroStatus::kInvalidModel,
                EMBER_MICRO_MSG("model flatbuffer is malformed or "
                                "truncated"));
  }
  const fb::Model* m = fb::GetModel(data);
  if (m->subgraphs() == nullptr || m->subgraphs()->size() == 0) {
    return Fail(error, MicroStatus::kInvalidModel,
                EMBER_MICRO_MSG("model has no subgraph"));
  }
  const fb::SubGraph* sg = m->subgraphs()->Get(0);
  const auto* tensors = sg->tensors();
  const auto* buffers = m->buffers();
  const auto* codes = m->operator_codes();
  if (tensors == nullptr || tensors->size() > 0x7FFF) {
    return Fail(error, MicroStatus::kInvalidModel,
                EMBER_MICRO_MSG("subgraph has no tensors or too many"));
  }
  const int32_t num_tensors = static_cast<int32_t>(tensors->size());
  for (int32_t i = 0; i < num_tensors; ++i) {
    const fb::Tensor* t = tensors->Get(i);
    const size_t elem = MicroTypeSize(t->type());
    if (elem == 0) {
      return Fail(error, MicroStatus::kUnsupported,
                  EMBER_MICRO_MSG("tensor type unsupported by the micro "
                                  "runtime"),
                  -1, i);
    }
    int64_t count = 1;
    if (t->shape()) {
      if (t->shape()->size() > 6) {
        return Fail(error, MicroStatus::kUnsupported,
                    EMBER_MICRO_MSG("tensor rank above 6"), -1, i);
      }
      for (uint32_t d = 0; d < t->shape()->size(); ++d) {
        const int32_t dim = t->shape()->Get(d);
        if (dim < 0) {
          return Fail(error, MicroStatus::kUnsupported,
                      EMBER_MICRO_MSG("dynamic tensor shape"), -1, i);
        }
        count *= dim;
        if (count * static_cast<int64_t>(elem) > kMicroMaxTensorBytes) {
          return Fail(error, MicroStatus::kInvalidModel,
                      EMBER_MICRO_MSG("tensor too large"), -1, i);
        }
      }
    }
    const int64_t bytes = count * static_cast<int64_t>(elem);
    if (buffers == nullptr || t->buffer() >= buffers->size()) {
      return Fail(error, MicroStatus::kInvalidModel,
                  EMBER_MICRO_MSG("tensor buffer index out of range"), -1, i);
    }
    const fb::Buffer* b = buffers->Get(t->buffer());
    if (b && b->offset() > 1) {
      return Fail(error, MicroStatus::kUnsupported,
                  EMBER_MICRO_MSG("buffers stored outside the flatbuffer"), -1,
                  i);
    }
    if (b && b->data() && b->data()->size() > 0 &&
        static_cast<int64_t>(b->data()->size()) != bytes) {
      return Fail(error, MicroStatus::kInvalidModel,
                  EMBER_MICRO_MSG("constant data size does not match the "
                                  "tensor"),
                  -1, i);
    }
    if (b && b->data() && b->data()->size() > 0 &&
        reinterpret_cast<uintptr_t>(b->data()->data()) %
            (elem > 8 ? 8 : elem)) {
      return Fail(error, MicroStatus::kInvalidModel,
                  EMBER_MICRO_MSG("constant data is misaligned"), -1, i);
    }
    const fb::QuantizationParameters* q = t->quantization();
    if (q && q->zero_point()) {
      // Zero points inside the storage range of the type (the kernels
      // fold them into 32-bit offsets).
      int64_t lo = -2147483647, hi = 2147483647;
      if (t->type() == fb::TensorType::INT8) lo = -128, hi = 127;
      if (t->type() == fb::TensorType::UINT8) lo = 0, hi = 255;
      if (t->type() == fb::TensorType::INT16) lo = -32768, hi = 32767;
      for (uint32_t k = 0; k < q->zero_point()->size(); ++k) {
        const int64_t zp = q->zero_point()->Get(k);
        if (zp < lo || zp > hi) {
          return Fail(error, MicroStatus::kInvalidModel,
                      EMBER_MICRO_MSG("zero point outside the type's range"),
                      -1, i);
        }
      }
    }
    if (q && q->scale() && q->zero_point() && q->zero_point()->size() > 1 &&
        q->zero_point()->size() != q->scale()->size()) {
      return Fail(error, MicroStatus::kInvalidModel,
                  EMBER_MICRO_MSG("quantization scale and zero point counts "
                                  "differ"),
                  -1, i);
    }
  }
  if (!IndexListOk(sg->inputs(), num_tensors, false) ||
      !IndexListOk(sg->outputs(), num_tensors, false)) {
    return Fail(error, MicroStatus::kInvalidModel,
                EMBER_MICRO_MSG("subgraph input/output index out of range"));
  }
  const auto* ops = sg->operators();
  if (ops && ops->size() > 0x7FFF) {
    return Fail(error, MicroStatus::kInvalidModel,
                EMBER_MICRO_MSG("too many operators"));
  }
  const int32_t num_ops = ops ? static_cast<int32_t>(ops->size()) : 0;
  for (int32_t i = 0; i < num_ops; ++i) {
    const fb::Operator* op = ops->Get(i);
    if (codes == nullptr || op->opcode_index() >= codes->size()) {
      return Fail(error, MicroStatus::kInvalidModel,
                  EMBER_MICRO_MSG("operator code index out of range"), i);
    }
    if (!IndexListOk(op->inputs(), num_tensors, true) ||
        !IndexListOk(op->outputs(), num_tensors, false) ||
        !IndexListOk(op->intermediates(), num_tensors, true)) {
      return Fail(error, MicroStatus::kInvalidModel,
                  EMBER_MICRO_MSG("operator tensor index out of range"), i);
    }
    if (op->outputs()) {
      for (uint32_t k = 0; k < op->outputs()->size(); ++k) {
        const fb::Tensor* t = tensors->Get(op->outputs()->Get(k));
        const fb::Buffer* b = buffers->Get(t->buffer());
        if (b && b->data() && b->data()->size() > 0 && !t->is_variable()) {
          return Fail(error, MicroStatus::kInvalidModel,
                      EMBER_MICRO_MSG("operator writes a constant tensor"), i,
                      op->outputs()->Get(k));
        }
      }
    }
  }
  *model = m;
  return MicroStatus::kOk;
}

}  // namespace ember::micro
