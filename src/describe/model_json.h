// Everything worth knowing about a model before running it, as one JSON
// object: `ember inspect --json` prints it, `ember report` and Ember Studio
// (through the WebAssembly API) draw it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "model/model.h"

namespace ember::describe {

// {file, file_bytes, schema_version, description, subgraphs (tensors, ops,
// inputs, outputs, arena_bytes, arena_lower_bound), ops (name, version,
// count, supported), metadata, signatures, planning {status, message}}.
// Plans memory with a throwaway interpreter to fill in the arena sizes.
nlohmann::json DescribeModel(const Model& model, const std::string& file);

}  // namespace ember::describe
