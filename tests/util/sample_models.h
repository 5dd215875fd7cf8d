// Small valid models (ADD chains, constants, quantization, signatures, two
// subgraphs, offset buffers) used as the starting points of the corrupted-
// model corpus and as fuzzing seeds. Builders are returned unbuilt so that
// tests can break one field before calling Build().
#pragma once

#include <cstdint>
#include <vector>

#include "util/model_builder.h"

namespace ember::testing {

fb::BuiltinOptionsUnion AddOptions();

// x -> ADD(x, c) -> t -> ADD(t, x) -> y: tensors x=0, c=1, t=2, y=3.
ModelBuilder AddChain();
// ADD(c1, c2) folded at allocate, then x + folded + variable.
ModelBuilder Constants();
// int8 ADD with broadcast (x=0, c=1, t=2), an unused per-channel int8
// constant w=3 ([4,2], dim 0), and an int16 ADD (s=4, s2=5).
ModelBuilder Quantized();
// AddChain with signatures "serving_default" and "second".
ModelBuilder WithSignatures();
// Subgraph 0: x + c; subgraph 1 ("aux"): int32 broadcast ADD.
ModelBuilder TwoSubgraphs();
// x + c where c's 16 bytes live after the flatbuffer (Buffer.offset/size).
// offset_delta moves the recorded offset, size_override replaces the size.
// Empty on an internal layout error.
std::vector<uint8_t> OffsetBufferModel(uint64_t offset_delta = 0,
                                       uint64_t size_override = 0);

}  // namespace ember::testing
