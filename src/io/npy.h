// Reading and writing NumPy .npy files (format versions 1-3, little endian,
// C order) for the CLI and tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/data_type.h"
#include "base/status.h"

namespace ember {

struct NpyArray {
  DataType type = DataType::kFloat32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;  // raw little-endian element bytes
};

// Numpy dtype descr ("<f4", "|i1", ...) for an Ember type; empty if none.
std::string NpyDescr(DataType type);

Status ReadNpy(const std::string& path, NpyArray* out, ErrorReporter& errors);
Status ParseNpy(const uint8_t* bytes, size_t size, NpyArray* out,
                ErrorReporter& errors);
Status WriteNpy(const std::string& path, DataType type,
                const std::vector<int64_t>& shape, const void* data,
                size_t bytes, ErrorReporter& errors);

}  // namespace ember
