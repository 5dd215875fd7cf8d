// A view of one tensor as the micro ops see it: built on demand from the
// model's flatbuffer (shape, type, quantization are read in place, never
// copied) and the data pointer the interpreter planned for it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "micro/micro_schema.h"

namespace ember::micro {

// Bytes of one element of `type`; 0 for types the micro runtime cannot
// hold (strings, resources, packed 4-bit, ...).
size_t MicroTypeSize(fb::TensorType type);

struct MicroTensor {
  void* data = nullptr;
  size_t bytes = 0;
  fb::TensorType type = fb::TensorType::FLOAT32;
  const int32_t* dims = nullptr;  // in the model (flash)
  int32_t rank = 0;
  int32_t index = -1;  // tensor index in the subgraph
  // Per-tensor (first) quantization parameters; scale 0 if none.
  float scale = 0.0f;
  int32_t zero_point = 0;
  const fb::QuantizationParameters* quant = nullptr;  // all channels

  template <typename T>
  T* as() const {
    return static_cast<T*>(data);
  }
  int64_t NumElements() const {
    int64_t n = 1;
    for (int32_t i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
  int32_t dim(int32_t i) const { return dims[i]; }
  bool quantized() const { return scale > 0.0f; }
  // Number of scales (1 per tensor, or one per channel).
  int32_t scale_count() const {
    return quant && quant->scale()
               ? static_cast<int32_t>(quant->scale()->size())
               : 0;
  }
  float channel_scale(int32_t c) const {
    return scale_count() > 1 ? quant->scale()->Get(c) : scale;
  }
  int64_t channel_zero_point(int32_t c) const {
    if (!quant || !quant->zero_point() || quant->zero_point()->size() == 0)
      return 0;
    return quant->zero_point()->size() > 1 ? quant->zero_point()->Get(c)
                                           : quant->zero_point()->Get(0);
  }
};

}  // namespace ember::micro
