// Reading .onnx files: the protobuf itself and the tensor payloads (typed
// fields, raw_data, or external data files next to the model).
#pragma once

#include <string>

#include "convert/convert.h"
#include "convert/onnx/host_tensor.h"
#include "onnx.pb.h"

namespace ember::convert::onnx {

// Parses `path` into `model`; on failure adds an error naming the file.
bool ReadOnnxModel(const std::string& path, ModelProto* model,
                   Diagnostics* diag);

// Decodes a TensorProto. `model_dir` resolves external data locations.
// Errors name the tensor and what is wrong.
bool DecodeTensor(const TensorProto& proto, const std::string& model_dir,
                  HostTensor* out, std::string* error);

}  // namespace ember::convert::onnx
