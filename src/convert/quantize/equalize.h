// Cross-layer equalization (Nagel et al. 2019, "data-free quantization"):
// for conv -> (relu) -> conv/depthwise pairs, rescales each channel between
// the two layers so both see the same weight range. ReLU is positively
// homogeneous, so the float function is unchanged while per-tensor weight
// quantization loses far less.
#pragma once

#include "schema/schema_generated.h"

namespace ember::quantize {

// Equalizes every eligible pair in subgraph 0 (`rounds` sweeps); returns
// the number of pairs rescaled.
int EqualizeCrossLayer(fb::ModelT* model, int rounds = 3);

}  // namespace ember::quantize
