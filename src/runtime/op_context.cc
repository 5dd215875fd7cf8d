#include "runtime/op_context.h"

#include <cstdio>

namespace ember {

const uint8_t* OpContext::custom_options(size_t* size) const {
  const auto* options = node_->op ? node_->op->custom_options() : nullptr;
  if (options == nullptr) {
    *size = 0;
    return nullptr;
  }
  *size = options->size();
  return options->data();
}

Status OpContext::RequestScratch(size_t bytes, int* index) {
  *index = static_cast<int>(node_->scratch.size());
  node_->scratch.push_back({bytes, nullptr});
  return Status::Ok();
}

Status OpContext::ResizeOutput(int i, const Shape& shape) {
  Tensor* out = output(i);
  if (out == nullptr) {
    return Error(StatusCode::kInvalidModel, "output %d is missing", i);
  }
  for (int d = 0; d < shape.rank; ++d) {
    if (shape.dims[d] < 0) {
      return Error(StatusCode::kInvalidArgument,
                   "output %d would have negative dimension %d", i,
                   shape.dims[d]);
    }
  }
  if (preparing_ && out->allocation != Allocation::kDynamic) {
    out->shape = shape;
    return Status::Ok();
  }
  if (out->allocation != Allocation::kDynamic) {
    if (out->shape == shape) return Status::Ok();
    return Error(StatusCode::kInternal,
                 "output %d resized during eval but not marked dynamic", i);
  }
  return host_->ResizeDynamicTensor(node_->outputs[i], shape);
}

void OpContext::SetOutputDynamic(int i) {
  Tensor* out = output(i);
  // Variables keep their fixed storage: resizing one in Eval then fails
  // cleanly ("not marked dynamic") instead of abandoning the state.
  if (out == nullptr || out->allocation == Allocation::kPersistent) return;
  out->allocation = Allocation::kDynamic;
  node_->has_dynamic_output = true;
}

Status OpContext::Error(StatusCode code, const char* format, ...) const {
  char detail[ErrorReporter::kCapacity];
  va_list args;
  va_start(args, format);
  vsnprintf(detail, sizeof(detail), format, args);
  va_end(args);
  return host_->error_reporter().Report(code, "op #%d %s: %s", node_index_,
                                        op_name(), detail);
}

}  // namespace ember
