// Init-time model checks of the micro runtime, bounded and heap-free:
// flatbuffers' Verifier (every offset and vector inside the array, with
// limits on depth and table count), then Ember's semantic checks of what
// the interpreter later indexes or sizes: tensor, buffer and op-code
// indices, static non-negative shapes, constant data sizes, and the first
// subgraph's inputs and outputs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "micro/micro_error.h"
#include "micro/micro_schema.h"

namespace ember::micro {

// Largest element count of one tensor (keeps byte sizes within 31 bits).
constexpr int64_t kMicroMaxTensorBytes = int64_t{1} << 30;

// On success *model points into `data` (read in place).
MicroStatus MicroVerifyModel(const uint8_t* data, size_t size,
                             const fb::Model** model, MicroError* error);

// The op code of an operator code entry (the larger of the deprecated
// 8-bit field and the 32-bit one, as TFLite reads it).
int32_t MicroBuiltinCode(const fb::OperatorCode* code);

}  // namespace ember::micro
