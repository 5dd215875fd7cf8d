// Small queries and edits over fb::ModelT shared by the graph passes.
#pragma once

#include <string>
#include <vector>

#include "schema/schema_generated.h"

namespace ember::convert::passes {

fb::BuiltinOperator OpCode(const fb::ModelT& m, const fb::OperatorT& op);
// A tensor whose bytes live in the model (a non-empty buffer).
bool IsConstant(const fb::ModelT& m, const fb::SubGraphT& sg, int tensor);
// Float32 contents of a constant float32 tensor; false otherwise.
bool ConstFloats(const fb::ModelT& m, const fb::SubGraphT& sg, int tensor,
                 std::vector<float>* out);
// Gives `tensor` a buffer of its own holding `values` (float32).
void SetConstFloats(fb::ModelT& m, fb::SubGraphT& sg, int tensor,
                    const std::vector<float>& values);
// Operators reading `tensor` (by index into sg.operators).
std::vector<int> Consumers(const fb::SubGraphT& sg, int tensor);
bool IsGraphOutput(const fb::SubGraphT& sg, int tensor);
bool IsGraphInput(const fb::SubGraphT& sg, int tensor);
// How many tensors (over all subgraphs) use buffer `b`.
int BufferUsers(const fb::ModelT& m, uint32_t buffer);
// Every read of tensor `from` becomes a read of `to` (ops only).
void ReplaceUses(fb::SubGraphT& sg, int from, int to);
// Pointer to the op's fused activation field, or nullptr when it has none.
fb::ActivationFunctionType* FusedActivation(fb::OperatorT& op);
int64_t NumElements(const std::vector<int32_t>& shape);
// Removes the operators whose index is marked in `dead`.
void EraseOps(fb::SubGraphT& sg, const std::vector<bool>& dead);

}  // namespace ember::convert::passes
