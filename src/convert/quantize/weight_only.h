// Weight-only modes: float16 weights behind DEQUANTIZE, and dynamic range
// (int8 weights consumed by LiteRT's hybrid CONV_2D / DEPTHWISE_CONV_2D /
// FULLY_CONNECTED kernels).
#pragma once

#include "convert/quantize/quantize.h"

namespace ember::quantize {

void QuantizeFloat16(fb::ModelT* model, QuantizeReport* report);
void QuantizeDynamic(fb::ModelT* model, const QuantizeOptions& options,
                     QuantizeReport* report);

}  // namespace ember::quantize
