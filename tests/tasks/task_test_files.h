// Small helpers the task suites share: solid pictures, byte strings, and
// models written to per-process temporary files.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "processing/image.h"

namespace ember::tasks::testing_files {

inline processing::Image Solid(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  processing::Image im(w, h, 3);
  for (int i = 0; i < w * h; ++i) {
    im.pixels[3 * i] = r;
    im.pixels[3 * i + 1] = g;
    im.pixels[3 * i + 2] = b;
  }
  return im;
}

inline std::vector<uint8_t> Bytes(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

// Writes `bytes` to a temporary file named after the suite, the process and
// `name`, and returns its path.
inline std::string WriteTemp(const std::string& suite, const std::string& name,
                             const std::vector<uint8_t>& bytes) {
  const std::string path =
      (std::filesystem::temp_directory_path() /
       ("ember_" + suite + "_" + std::to_string(getpid()) + "_" + name))
          .string();
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()),
          static_cast<std::streamsize>(bytes.size()));
  return path;
}

}  // namespace ember::tasks::testing_files
