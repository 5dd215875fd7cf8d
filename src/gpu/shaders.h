// The compute shaders of src/gpu/shaders/, compiled to SPIR-V by glslc at
// build time and embedded (the definitions are generated: see
// src/gpu/CMakeLists.txt and cmake/embed_spirv.cmake).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember::gpu {

struct EmbeddedShader {
  const char* name;  // file name without .comp
  const uint32_t* words;
  size_t num_words;
};

extern const EmbeddedShader kEmbeddedShaders[];
extern const size_t kNumEmbeddedShaders;

}  // namespace ember::gpu
