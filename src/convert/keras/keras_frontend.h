// The Keras frontend's conversion step on its own: a model config already
// parsed, with the weights from any WeightSource. ConvertKerasInProcess
// opens the file (KerasArchive) and calls it; tests and the keras_config
// fuzz target supply the weights from memory instead of HDF5.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "convert/convert.h"
#include "convert/keras/keras_archive.h"

namespace ember::convert::keras {

// Converts `config` ({"class_name", "config"} of the top-level model) into
// *model. `label` (the file's path) starts every message about the model
// as a whole. False with diag->errors naming what is wrong.
bool ConvertKerasConfig(const nlohmann::json& config,
                        const WeightSource& weights, const std::string& label,
                        const ConvertOptions& options, fb::ModelT* model,
                        Diagnostics* diag);

}  // namespace ember::convert::keras
