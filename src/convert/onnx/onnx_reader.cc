#include "convert/onnx/onnx_reader.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/stubs/logging.h>

#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

namespace ember::convert::onnx {
namespace {

// Protobuf's limit for one message: a bigger model keeps its weights in
// external data files.
constexpr int64_t kMaxModelBytes = std::numeric_limits<int>::max();

// Reads the whole file with one read of its size. (Copying it through an
// istreambuf_iterator, a byte and a bounds check at a time, was most of a
// small model's conversion time.) Files that cannot seek (a pipe) are
// copied through the stream buffer instead.
bool ReadFile(const std::string& path, std::vector<uint8_t>* bytes,
              std::string* error) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    *error = "cannot read the file";
    return false;
  }
  const int64_t size = static_cast<int64_t>(in.tellg());
  if (size < 0) {
    in.clear();
    bytes->assign(std::istreambuf_iterator<char>(in),
                  std::istreambuf_iterator<char>());
  } else {
    if (size > kMaxModelBytes) {
      *error = "the file has " + std::to_string(size) +
               " bytes, more than protobuf's 2 GiB limit for one ONNX "
               "model (keep the weights in external data files)";
      return false;
    }
    bytes->resize(static_cast<size_t>(size));
    in.seekg(0);
    if (size > 0) in.read(reinterpret_cast<char*>(bytes->data()), size);
  }
  if (in.bad() || (size > 0 && !in)) {
    *error = "cannot read the file";
    return false;
  }
  if (static_cast<int64_t>(bytes->size()) > kMaxModelBytes) {
    *error = "more than protobuf's 2 GiB limit for one ONNX model";
    return false;
  }
  return true;
}

// Reads [offset, offset + length) of an external data file; length < 0
// means "to the end of the file".
bool ReadExternal(const TensorProto& proto, const std::string& model_dir,
                  std::vector<uint8_t>* bytes, std::string* error) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& entry : proto.external_data()) {
    if (entry.key() == "location") location = entry.value();
    const bool is_offset = entry.key() == "offset";
    if (!is_offset && entry.key() != "length") continue;
    // A decimal count of bytes, whole (atoll would read "12abc" as 12 and
    // an out-of-range number as whatever the C library makes of it).
    const std::string& text = entry.value();
    int64_t value = 0;
    const auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
      *error = "external data " + entry.key() + " '" + text +
               "' is not a byte count";
      return false;
    }
    (is_offset ? offset : length) = value;
  }
  if (location.empty()) {
    *error = "external data without a location";
    return false;
  }
  const std::filesystem::path file =
      std::filesystem::path(model_dir) / location;
  // The location must stay beside the model (no absolute paths, no "..").
  const std::filesystem::path rel(location);
  if (rel.is_absolute() || location.find("..") != std::string::npos) {
    *error =
        "external data location '" + location + "' leaves the model's folder";
    return false;
  }
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) {
    *error = "external data file '" + file.string() + "' cannot be opened";
    return false;
  }
  const int64_t file_size = static_cast<int64_t>(in.tellg());
  // Compared without adding offset and length, which could overflow.
  if (file_size < 0 || offset > file_size ||
      (length >= 0 && length > file_size - offset)) {
    *error = "external data range [" + std::to_string(offset) + ", " +
             (length >= 0 ? "+" + std::to_string(length) : "end") +
             ") is outside '" + file.string() + "' (" +
             std::to_string(file_size) + " bytes)";
    return false;
  }
  if (length < 0) length = file_size - offset;
  bytes->resize(length);
  in.seekg(offset);
  in.read(reinterpret_cast<char*>(bytes->data()), length);
  if (!in) {
    *error = "reading external data file '" + file.string() + "' failed";
    return false;
  }
  return true;
}

template <typename Field, typename T>
void CopyTyped(const Field& field, std::vector<uint8_t>* bytes) {
  bytes->resize(field.size() * sizeof(T));
  for (int i = 0; i < field.size(); ++i) {
    const T v = static_cast<T>(field.Get(i));
    std::memcpy(bytes->data() + i * sizeof(T), &v, sizeof(T));
  }
}

}  // namespace

bool ReadOnnxModel(const std::string& path, ModelProto* model,
                   Diagnostics* diag) {
  std::vector<uint8_t> bytes;
  std::string read_error;
  if (!ReadFile(path, &bytes, &read_error)) {
    diag->errors.push_back(path + ": " + read_error);
    return false;
  }
  // Corrupt strings make libprotobuf log to stderr; the parse result (and
  // our own error) is what counts.
  google::protobuf::SetLogHandler(nullptr);
  google::protobuf::io::CodedInputStream stream(bytes.data(),
                                                static_cast<int>(bytes.size()));
  stream.SetRecursionLimit(64);
  if (!model->ParseFromCodedStream(&stream) ||
      !stream.ConsumedEntireMessage()) {
    diag->errors.push_back(path +
                           ": not a valid ONNX model (protobuf parse failed)");
    return false;
  }
  if (!model->has_graph() || model->graph().output_size() == 0) {
    diag->errors.push_back(path + ": ONNX model has no graph or no outputs");
    return false;
  }
  return true;
}

bool DecodeTensor(const TensorProto& proto, const std::string& model_dir,
                  HostTensor* out, std::string* error) {
  out->type = proto.data_type();
  out->shape.assign(proto.dims().begin(), proto.dims().end());
  if (!ValidShape(out->shape)) {
    *error = "invalid or too large shape";
    return false;
  }
  const int elem = OnnxTypeSize(out->type);
  if (elem == 0) {
    *error = std::string("data type ") + std::to_string(out->type) +
             " is not supported";
    return false;
  }
  if (proto.data_location() == TensorProto::EXTERNAL) {
    if (!ReadExternal(proto, model_dir, &out->bytes, error)) return false;
  } else if (proto.has_raw_data()) {
    out->bytes.assign(proto.raw_data().begin(), proto.raw_data().end());
  } else {
    switch (out->type) {
      case kOnnxFloat:
        CopyTyped<decltype(proto.float_data()), float>(proto.float_data(),
                                                       &out->bytes);
        break;
      case kOnnxDouble:
        CopyTyped<decltype(proto.double_data()), double>(proto.double_data(),
                                                         &out->bytes);
        break;
      case kOnnxInt64:
        CopyTyped<decltype(proto.int64_data()), int64_t>(proto.int64_data(),
                                                         &out->bytes);
        break;
      // Narrow integer types and float16 travel in int32_data, one element
      // per entry (float16 as its bit pattern).
      case kOnnxInt32:
        CopyTyped<decltype(proto.int32_data()), int32_t>(proto.int32_data(),
                                                         &out->bytes);
        break;
      case kOnnxInt16:
      case kOnnxFloat16:
        CopyTyped<decltype(proto.int32_data()), uint16_t>(proto.int32_data(),
                                                          &out->bytes);
        break;
      case kOnnxInt8:
      case kOnnxUint8:
      case kOnnxBool:
        CopyTyped<decltype(proto.int32_data()), uint8_t>(proto.int32_data(),
                                                         &out->bytes);
        break;
      default:
        break;
    }
  }
  const int64_t expected = out->size() * elem;
  if (static_cast<int64_t>(out->bytes.size()) != expected) {
    *error = "holds " + std::to_string(out->bytes.size()) +
             " bytes, shape needs " + std::to_string(expected);
    return false;
  }
  // Ember computes in float32: float16/double constants are widened/narrowed
  // once here.
  if (out->type == kOnnxFloat16 || out->type == kOnnxDouble)
    *out = HostTensor::FromFloats(out->shape, out->Floats());
  return true;
}

}  // namespace ember::convert::onnx
