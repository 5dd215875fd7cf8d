# ONNX frontend dependencies (protobuf).
