// ONNX frontend: placeholder until the .onnx reader lands.
#include "convert/convert.h"

namespace ember::convert {

bool ConvertOnnx(const std::string& path, const ConvertOptions&, fb::ModelT*,
                 Diagnostics* diag) {
  diag->errors.push_back(path + ": ONNX conversion is not implemented yet");
  return false;
}

}  // namespace ember::convert
