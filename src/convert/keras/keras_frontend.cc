// Keras frontend: placeholder until the .keras / .h5 reader lands.
#include "convert/convert.h"

namespace ember::convert {

bool ConvertKeras(const std::string& path, const ConvertOptions&, fb::ModelT*,
                  Diagnostics* diag) {
  diag->errors.push_back(path + ": Keras conversion is not implemented yet");
  return false;
}

}  // namespace ember::convert
