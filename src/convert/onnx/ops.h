// Op converters shared between the onnx_ops_*.cc files.
#pragma once

#include "convert/onnx/converter.h"

namespace ember::convert::onnx {

bool IsFoldable(const std::string& op);
bool FoldNode(Converter& c, const NodeProto& node);

// Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Slice, Gather:
// constant inputs are computed on the host, others emit TFLite ops.
bool ConvertLayoutOp(Converter& c, const NodeProto& node);

// The list of converters of one family; nullptr if `op` is not in it.
OpConverter FindLayoutOp(const std::string& op);
OpConverter FindElementwiseOp(const std::string& op);
OpConverter FindNnOp(const std::string& op);
OpConverter FindQuantOp(const std::string& op);

// True if storing `shape` in `perm` order keeps the row-major element order
// (only size-1 axes move), so a RESHAPE can read the stored tensor directly.
bool SameMemoryOrder(const std::vector<int64_t>& shape,
                     const std::vector<int>& perm);

// Emits RESHAPE of `tensor` to `shape`.
int EmitReshape(Converter& c, int tensor, const std::vector<int64_t>& shape,
                const std::string& name, int type, const QuantParams* quant);

// Quantized pass-through for layout ops (Reshape, Transpose, ...): when the
// op sits between DequantizeLinear and QuantizeLinear with the same params,
// it runs on the int8 tensor. Returns true and sets the names if so.
bool MatchQuantizedPassThrough(Converter& c, const NodeProto& node,
                               std::string* src, std::string* out);

}  // namespace ember::convert::onnx
