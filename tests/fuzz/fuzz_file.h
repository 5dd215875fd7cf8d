// For fuzz targets whose parser reads a path, not bytes (the converters):
// writes the input to one file in a private temporary folder, made once per
// process, so that what the input names beside itself (ONNX external data)
// can only be other files of that folder.
#pragma once

#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ember::fuzz {

inline std::string WriteFuzzFile(const uint8_t* data, size_t size,
                                 const char* name) {
  static const std::string dir = [] {
    char pattern[] = "/tmp/ember_fuzz_XXXXXX";
    const char* made = mkdtemp(pattern);
    if (made == nullptr) abort();
    return std::string(made);
  }();
  const std::string path = dir + "/" + name;
  // A new file each time, not the old one truncated: libhdf5 recognises a
  // file it still holds open (after a close that failed on a damaged file)
  // by its inode, and would read the new input through the old one's cache.
  // Removing it first gives the new input its own inode, so that every
  // input runs as it would in a fresh process.
  std::remove(path.c_str());
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) abort();
  std::fclose(f);
  return path;
}

}  // namespace ember::fuzz
