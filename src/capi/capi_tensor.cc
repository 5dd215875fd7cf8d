// C ABI: tensor accessors. EmberTensor* is the runtime's Tensor*.
#include <cstring>

#include "capi/capi_internal.h"

using namespace ember;        // NOLINT: C entry points below
using namespace ember::capi;  // NOLINT

extern "C" {

EmberType EmberTensorType(const EmberTensor* tensor) {
  return tensor ? static_cast<EmberType>(FromC(tensor)->type)
                : EMBER_TYPE_INVALID;
}

int32_t EmberTensorNumDims(const EmberTensor* tensor) {
  return tensor ? FromC(tensor)->shape.rank : -1;
}

int32_t EmberTensorDim(const EmberTensor* tensor, int32_t index) {
  if (tensor == nullptr) return -1;
  const Shape& shape = FromC(tensor)->shape;
  if (index < 0 || index >= shape.rank) return -1;
  return shape.dims[index];
}

const int32_t* EmberTensorDims(const EmberTensor* tensor) {
  return tensor ? FromC(tensor)->shape.dims : nullptr;
}

int64_t EmberTensorNumElements(const EmberTensor* tensor) {
  return tensor ? FromC(tensor)->NumElements() : 0;
}

size_t EmberTensorByteSize(const EmberTensor* tensor) {
  if (tensor == nullptr) return 0;
  const Tensor* t = FromC(tensor);
  return t->data != nullptr ? t->bytes : 0;
}

const char* EmberTensorName(const EmberTensor* tensor) {
  if (tensor == nullptr) return nullptr;
  const char* name = FromC(tensor)->name;
  return name ? name : "";
}

int EmberTensorIsConstant(const EmberTensor* tensor) {
  return tensor && FromC(tensor)->is_constant() ? 1 : 0;
}

const void* EmberTensorData(const EmberTensor* tensor) {
  return tensor ? FromC(tensor)->data : nullptr;
}

void* EmberTensorMutableData(EmberTensor* tensor) {
  if (tensor == nullptr) return nullptr;
  Tensor* t = FromC(tensor);
  return t->is_constant() ? nullptr : t->data;
}

EmberStatus EmberTensorGetQuantization(const EmberTensor* tensor,
                                       EmberQuantization* out) {
  if (tensor == nullptr || out == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  const QuantParams& q = FromC(tensor)->quant;
  *out = EmberQuantization{};
  if (!q.quantized()) return EMBER_STATUS_OK;
  out->count = q.count;
  out->quantized_dimension = q.quantized_dimension;
  out->scales = q.scale;
  out->zero_points = q.zero_point;
  return EMBER_STATUS_OK;
}

float EmberTensorQuantizationScale(const EmberTensor* tensor) {
  if (tensor == nullptr) return 0.0f;
  const QuantParams& q = FromC(tensor)->quant;
  return q.quantized() ? q.scale0() : 0.0f;
}

int32_t EmberTensorQuantizationZeroPoint(const EmberTensor* tensor) {
  if (tensor == nullptr) return 0;
  const QuantParams& q = FromC(tensor)->quant;
  return q.quantized() ? q.zero_point0() : 0;
}

EmberStatus EmberTensorCopyFromBuffer(EmberTensor* tensor, const void* data,
                                      size_t size) {
  if (tensor == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  Tensor* t = FromC(tensor);
  if (t->is_constant()) return EMBER_STATUS_INVALID_ARGUMENT;
  if (t->data == nullptr) return EMBER_STATUS_FAILED_PRECONDITION;
  if (size != t->bytes || (size > 0 && data == nullptr))
    return EMBER_STATUS_INVALID_ARGUMENT;
  if (size > 0) memcpy(t->data, data, size);
  return EMBER_STATUS_OK;
}

EmberStatus EmberTensorCopyToBuffer(const EmberTensor* tensor, void* data,
                                    size_t size) {
  if (tensor == nullptr) return EMBER_STATUS_INVALID_ARGUMENT;
  const Tensor* t = FromC(tensor);
  if (t->data == nullptr) return EMBER_STATUS_FAILED_PRECONDITION;
  if (size != t->bytes || (size > 0 && data == nullptr))
    return EMBER_STATUS_INVALID_ARGUMENT;
  if (size > 0) memcpy(data, t->data, size);
  return EMBER_STATUS_OK;
}

}  // extern "C"
