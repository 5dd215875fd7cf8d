// ONNX frontend: .onnx (protobuf) -> .tflite (fb::ModelT).
#include <filesystem>

#include "convert/convert.h"
#include "convert/onnx/converter.h"
#include "convert/onnx/onnx_reader.h"
#include "convert/onnx/patterns.h"

namespace ember::convert {

bool ConvertOnnx(const std::string& path, const ConvertOptions& options,
                 fb::ModelT* model, Diagnostics* diag) {
  onnx::ModelProto proto;
  if (!onnx::ReadOnnxModel(path, &proto, diag)) return false;
  int opset = 0;
  for (const auto& set : proto.opset_import()) {
    if (set.domain().empty() || set.domain() == "ai.onnx")
      opset = static_cast<int>(set.version());
  }
  if (opset == 0) {
    diag->errors.push_back(path + ": no default-domain opset_import");
    return false;
  }
  if (opset < 7 || opset > 21)
    diag->warnings.push_back(path + ": opset " + std::to_string(opset) +
                             " is outside the tested range 11-18");
  // Rewritten and converted in place: a copy would duplicate every node and
  // initializer (the weights) just to be thrown away.
  onnx::GraphProto& graph = *proto.mutable_graph();
  if (const int fused = onnx::FuseGelu(&graph))
    diag->notes.push_back("fused " + std::to_string(fused) +
                          " erf-based GELU pattern(s)");
  const std::string dir = std::filesystem::path(path).parent_path().string();
  *model = fb::ModelT();
  onnx::Converter converter(options, model, diag, dir.empty() ? "." : dir);
  if (!converter.Run(graph, opset)) {
    if (diag->errors.empty())
      diag->errors.push_back(path + ": conversion failed");
    return false;
  }
  return true;
}

}  // namespace ember::convert
