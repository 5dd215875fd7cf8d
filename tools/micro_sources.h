// Files `ember micro export` writes into every project: the micro
// runtime's sources, the reference kernels they use, the schema accessors
// (generated without the object API) and the startup / semihosting /
// linker files of tools/micro_project. Embedded into the CLI at build time
// by cmake/embed_sources.cmake.
#pragma once

#include <cstddef>

namespace ember::cli::micro_sources {

struct EmbeddedFile {
  const char* path;  // relative to the project folder
  const unsigned char* data;
  size_t size;
};

extern const EmbeddedFile kFiles[];
extern const size_t kFileCount;

}  // namespace ember::cli::micro_sources
