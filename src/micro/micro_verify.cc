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
  if (!fb::VerifyModelBuffer(verifier)) {
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
