// The graph passes behind OptimizeModel. Each returns how many rewrites it
// made (0: the model is unchanged) so OptimizeModel can note it and repeat
// until nothing changes.
#pragma once

#include "schema/schema_generated.h"

namespace ember::convert::passes {

// Runs every op whose inputs are all constant through Ember's own runtime
// (a one-op model) and replaces its outputs by constants.
int FoldConstants(fb::ModelT& m);
// MUL/ADD by a per-channel constant right after CONV_2D, DEPTHWISE_CONV_2D
// or FULLY_CONNECTED goes into the weights and bias.
int FoldBatchNorm(fb::ModelT& m);
// RELU/RELU6/RELU_N1_TO_1 after an op with a fused-activation field.
int FuseActivations(fb::ModelT& m);
// TRANSPOSE∘TRANSPOSE (one transpose or none) and RESHAPE∘RESHAPE.
int CancelTransposesAndReshapes(fb::ModelT& m);
// Unused operators, tensors, buffers and operator codes.
int RemoveDeadCode(fb::ModelT& m);
// Sets each operator code's version to the lowest its uses need.
int SetMinimalOpVersions(fb::ModelT& m);

}  // namespace ember::convert::passes
