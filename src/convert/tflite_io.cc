// Reading and writing whole .tflite files for the host-side tools.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include "base/status.h"
#include "convert/convert.h"
#include "metadata/model_metadata.h"
#include "model/model.h"
#include "schema/schema_unpack.h"

namespace ember::convert {

bool LoadTflite(const std::string& path, fb::ModelT* model, Diagnostics* diag) {
  ErrorReporter errors;
  std::unique_ptr<Model> loaded;
  if (!Model::Load(path.c_str(), errors, &loaded).ok()) {
    diag->errors.push_back(path + ": " + errors.message());
    return false;
  }
  UnpackModel(*loaded->fb(), model);
  // Buffers stored after the flatbuffer (offset/size form, used by files
  // over 2 GB) are not unpacked by the object API: bring them inline.
  for (size_t i = 0; i < model->buffers.size(); ++i) {
    fb::BufferT& buffer = *model->buffers[i];
    if (buffer.offset > 1) {
      const uint8_t* data = nullptr;
      size_t size = 0;
      loaded->BufferData(static_cast<uint32_t>(i), &data, &size);
      buffer.data.assign(data, data + size);
      buffer.offset = 0;
      buffer.size = 0;
    }
  }
  return true;
}

std::vector<uint8_t> SerializeTflite(const fb::ModelT& model) {
  flatbuffers::FlatBufferBuilder builder(1 << 20);
  builder.Finish(fb::Model::Pack(builder, &model), fb::ModelIdentifier());
  return std::vector<uint8_t>(builder.GetBufferPointer(),
                              builder.GetBufferPointer() + builder.GetSize());
}

bool LoadPackedFiles(const std::string& path,
                     std::vector<metadata::PackedFile>* files,
                     Diagnostics* diag) {
  std::vector<uint8_t> bytes;
  std::string error;
  if (!metadata::ReadWholeFile(path, &bytes, &error) ||
      !metadata::ReadPackedFiles(bytes, files, &error)) {
    diag->errors.push_back(path + ": " + error);
    return false;
  }
  return true;
}

bool WriteTflite(const fb::ModelT& model, const std::string& path,
                 Diagnostics* diag,
                 const std::vector<metadata::PackedFile>& packed_files) {
  std::vector<uint8_t> bytes = SerializeTflite(model);
  std::string error;
  if (!metadata::AppendPackedFiles(packed_files, &bytes, &error)) {
    diag->errors.push_back(path + ": " + error);
    return false;
  }
  const std::string temp = path + ".tmp";
  FILE* file = std::fopen(temp.c_str(), "wb");
  if (file == nullptr) {
    diag->errors.push_back(path + ": cannot open for writing");
    return false;
  }
  const bool written =
      std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  const bool closed = std::fclose(file) == 0;
  std::error_code ec;
  if (!written || !closed) {
    std::filesystem::remove(temp, ec);
    diag->errors.push_back(path + ": write failed (disk full?)");
    return false;
  }
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    diag->errors.push_back(path + ": cannot rename into place");
    return false;
  }
  return true;
}

}  // namespace ember::convert
