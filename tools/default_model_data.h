// Bytes of models/default/*, generated into the build tree by
// cmake/embed_files.cmake (see CMakeLists.txt).
#pragma once

#include <cstddef>

namespace ember::cli::embedded {

extern const unsigned char digits_tflite[];
extern const size_t digits_tflite_size;
extern const unsigned char samples_npy[];
extern const size_t samples_npy_size;
extern const unsigned char labels_npy[];
extern const size_t labels_npy_size;

}  // namespace ember::cli::embedded
