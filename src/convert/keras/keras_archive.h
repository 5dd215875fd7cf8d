// Reads a saved Keras model without TensorFlow: the model config (JSON) and
// the weights (HDF5), from a Keras v3 `.keras` zip (config.json +
// model.weights.h5) or a legacy `.h5` file (`model_config` attribute +
// `model_weights` group).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ember::convert::keras {

// One weight variable as float32 (HDF5 converts float16/float64 on read).
struct WeightArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
  int64_t size() const { return static_cast<int64_t>(data.size()); }
};

// Where the converter gets each layer's weights: the saved file's HDF5
// (KerasArchive) or, for tests and the keras_config fuzz target, memory.
class WeightSource {
 public:
  virtual ~WeightSource() = default;
  // The weights of layer `name` in Keras' `layer.weights` order. `scope` is
  // the chain of enclosing (nested) model names, outermost first, empty for
  // top-level layers. A layer without saved weights yields an empty list.
  virtual bool LayerWeights(const std::vector<std::string>& scope,
                            const std::string& name,
                            std::vector<WeightArray>* out,
                            std::string* error) const = 0;
};

class KerasArchive : public WeightSource {
 public:
  KerasArchive();
  ~KerasArchive();
  KerasArchive(const KerasArchive&) = delete;
  KerasArchive& operator=(const KerasArchive&) = delete;

  // Opens `path` (.keras or .h5); false with *error naming what is wrong.
  bool Open(const std::string& path, std::string* error);

  // {"class_name": ..., "config": {...}} of the top-level model.
  const nlohmann::json& model_config() const { return config_; }

  bool LayerWeights(const std::vector<std::string>& scope,
                    const std::string& name, std::vector<WeightArray>* out,
                    std::string* error) const override;

 private:
  bool OpenKeras(const std::string& path, std::string* error);
  bool OpenH5(const std::string& path, std::string* error);
  bool IndexKerasVars(std::string* error);

  nlohmann::json config_;
  std::vector<char> image_;  // the .keras weights file, until HDF5 copies it
  int64_t file_ = -1;        // hid_t of the open HDF5 file
  bool legacy_h5_ = false;
  // .keras: "scope/name" -> HDF5 group path of the layer (holding vars/).
  std::vector<std::pair<std::string, std::string>> layer_groups_;
};

}  // namespace ember::convert::keras
